/* kernel/fs/ramfs.c: the RAM file system's nodes, directories and file pages (see inode.h). */
#include "kernel/fs/inode.h"
#include "kernel/errno.h"
#include "kernel/fs/mount.h"
#include "kernel/time.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/phys.h"
#include <string.h>

enum { TABLE_ENTRIES = PAGE_SIZE / sizeof(uint64_t) };

struct spinlock fs_lock;

/* [fs_lock] all of these. */
static uint64_t next_ino = 1;
static uint64_t pages_used, pages_limit = UINT64_MAX;

void ramfs_set_limit(uint64_t max_pages)
{
    pages_limit = max_pages;
}

uint64_t ramfs_pages_limit(void)
{
    return pages_limit;
}

uint64_t ramfs_pages_used(void)
{
    return pages_used;
}

void inode_touch(struct inode *node, unsigned mask)
{
    uint64_t now = time_realtime_ns();
    struct timestamp t = { (int64_t)(now / NS_PER_SECOND), (int64_t)(now % NS_PER_SECOND) };
    if (mask & TIME_ACCESS)
        node->atime = t;
    if (mask & TIME_MODIFY)
        node->mtime = t;
    if (mask & TIME_CHANGE)
        node->ctime = t;
}

static struct inode *inode_new(struct mount *fs, uint32_t mode, uint32_t uid, uint32_t gid)
{
    struct inode *node = kzalloc(sizeof *node);
    if (!node)
        return NULL;
    node->ino = next_ino++;
    node->mount = fs;
    node->mode = mode;
    node->uid = uid;
    node->gid = gid;
    inode_touch(node, TIME_ACCESS | TIME_MODIFY | TIME_CHANGE);
    return node;
}

struct inode *ramfs_new_root(struct mount *fs)
{
    struct inode *root = inode_new(fs, S_IFDIR | 0755, 0, 0);
    if (root) {
        root->nlink = 2;
        root->refs = 1;
        root->parent = root;
        root->dir.next_position = 2;
    }
    return root;
}

/* Room for a link target of len bytes (at most PATH_MAX): from kmalloc, or a frame for one
 * longer than its largest object; target_free gives back either. */
static char *target_alloc(size_t len)
{
    if (len <= KMALLOC_MAX)
        return kmalloc(len);
    uint64_t frame = frame_alloc();
    return frame ? phys_to_virt(frame) : NULL;
}

static void target_free(char *target, size_t len)
{
    if (len <= KMALLOC_MAX)
        kfree(target);
    else
        frame_free(virt_to_phys(target));
}

int ramfs_set_target(struct inode *link, const char *target, size_t len)
{
    if (len >= PATH_MAX)
        return -ENAMETOOLONG;
    char *copy = target_alloc(len + 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, target, len);
    copy[len] = '\0';
    if (link->target)
        target_free(link->target, link->size + 1);
    link->target = copy;
    link->size = len;
    return 0;
}

struct inode *ramfs_new_file(struct mount *fs, uint32_t mode)
{
    struct inode *node = inode_new(fs, S_IFREG | (mode & 07777), 0, 0);
    if (node)
        node->refs = 1;
    return node;
}

/* Free a node nothing names or holds, with its file frames or link target. */
static void inode_free(struct inode *node)
{
    if (S_IS_TYPE(node->mode, S_IFREG))
        ramfs_truncate(node, 0);
    else if (S_IS_TYPE(node->mode, S_IFLNK) && node->target)
        target_free(node->target, node->size + 1);
    kfree(node);
}

/* Free node if no entry names it and nothing holds it. */
static void free_if_unused(struct inode *node)
{
    if (node->nlink == 0 && node->refs == 0)
        inode_free(node);
}

void inode_get(struct inode *node)
{
    node->refs++;
}

void inode_put(struct inode *node)
{
    node->refs--;
    free_if_unused(node);
}

bool inode_permitted(const struct inode *node, uint32_t uid, uint32_t gid, unsigned mask)
{
    if (uid == 0) {
        if (!(mask & MAY_EXEC) || S_IS_TYPE(node->mode, S_IFDIR))
            return true;
        return (node->mode & 0111) != 0;
    }
    unsigned bits = uid == node->uid ? node->mode >> 6 : gid == node->gid ? node->mode >> 3 : node->mode;
    return (bits & mask & 7) == (mask & 7);
}

struct dir_entry *ramfs_find(const struct inode *dir, const char *name, size_t len)
{
    for (struct dir_entry *e = dir->dir.entries; e; e = e->next)
        if (e->name_len == len && memcmp(e->name, name, len) == 0)
            return e;
    return NULL;
}

struct dir_entry *ramfs_entry_of(const struct inode *dir, const struct inode *node)
{
    struct dir_entry *e = dir->dir.entries;
    while (e && e->node != node)
        e = e->next;
    return e;
}

struct dir_entry *ramfs_entry_from(const struct inode *dir, uint64_t position)
{
    struct dir_entry *e = dir->dir.entries;
    while (e && e->position < position)
        e = e->next;
    return e;
}

/* An entry in dir gains (delta 1) or loses (-1) node: the node's link count, and for a
 * directory its ".." in dir's. */
static void count_entry(struct inode *dir, struct inode *node, int delta)
{
    node->nlink += delta;
    if (S_IS_TYPE(node->mode, S_IFDIR))
        dir->nlink += delta;
    inode_touch(dir, TIME_MODIFY | TIME_CHANGE);
    inode_touch(node, TIME_CHANGE);
}

/* Add the entry name -> node at the end of dir (positions only grow), counting it. */
static int add_entry(struct inode *dir, const char *name, size_t len, struct inode *node)
{
    if (len > NAME_MAX)
        return -ENAMETOOLONG;
    if (dir->nlink == 0)
        return -ENOENT;                     /* a removed directory takes no new names */
    if (ramfs_find(dir, name, len))
        return -EEXIST;
    struct dir_entry *e = kmalloc(sizeof *e + len + 1);
    if (!e)
        return -ENOMEM;
    *e = (struct dir_entry){ .node = node, .position = dir->dir.next_position++, .name_len = (uint8_t)len };
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    struct dir_entry **tail = &dir->dir.entries;
    while (*tail)
        tail = &(*tail)->next;
    *tail = e;
    count_entry(dir, node, 1);
    node->parent = dir;
    return 0;
}

/* Take entry e out of dir and free it; counting is the caller's. */
static void detach_entry(struct inode *dir, struct dir_entry *e)
{
    struct dir_entry **link = &dir->dir.entries;
    while (*link != e)
        link = &(*link)->next;
    *link = e->next;
    kfree(e);
}

/* node has lost an entry, in dir: a directory (its only one) its "." too, then it is its
 * own parent, as dir may go while node is still held; another node forgets dir as its parent
 * if no name there is left. Then it goes if nothing names or holds it. */
static void forget(struct inode *dir, struct inode *node)
{
    count_entry(dir, node, -1);
    if (S_IS_TYPE(node->mode, S_IFDIR)) {
        node->nlink--;
        node->parent = node;
    } else if (node->parent == dir && !ramfs_entry_of(dir, node)) {
        node->parent = NULL;
    }
    free_if_unused(node);
}

int ramfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode, uint32_t uid,
                 uint32_t gid, uint32_t rdev, const char *target, size_t target_len, struct inode **out)
{
    if (len > NAME_MAX)
        return -ENAMETOOLONG;
    if (dir->nlink == 0)
        return -ENOENT;
    if (ramfs_find(dir, name, len))
        return -EEXIST;
    if (target_len >= PATH_MAX)
        return -ENAMETOOLONG;
    struct inode *node = inode_new(dir->mount, mode, uid, gid);
    if (!node)
        return -ENOMEM;
    if (S_IS_TYPE(mode, S_IFDIR)) {
        node->nlink = 1;                    /* its "."; the entry adds the other */
        node->dir.next_position = 2;
    } else if (S_IS_TYPE(mode, S_IFLNK) && target) {    /* (no target: /proc/self) */
        int error = ramfs_set_target(node, target, target_len);
        if (error) {
            kfree(node);
            return error;
        }
    } else if (S_IS_TYPE(mode, S_IFCHR)) {
        node->rdev = rdev;
    }
    int error = add_entry(dir, name, len, node);
    if (error) {
        node->nlink = 0;
        inode_free(node);
        return error;
    }
    *out = node;
    return 0;
}

int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *node)
{
    if (dir->mount != node->mount)
        return -EXDEV;
    return add_entry(dir, name, len, node);
}

/* Whether a directory has no entries but "." and "..". */
static bool dir_is_empty(const struct inode *dir)
{
    return !dir->dir.entries;
}

int ramfs_unlink(struct inode *dir, const char *name, size_t len, bool want_dir)
{
    struct dir_entry *e = ramfs_find(dir, name, len);
    if (!e)
        return -ENOENT;
    bool is_dir = S_IS_TYPE(e->node->mode, S_IFDIR);
    if (is_dir != want_dir)
        return is_dir ? -EISDIR : -ENOTDIR;
    if (e->node->covered_by)
        return -EBUSY;
    if (is_dir && !dir_is_empty(e->node))
        return -ENOTEMPTY;
    struct inode *node = e->node;
    detach_entry(dir, e);
    forget(dir, node);
    return 0;
}

/* Whether node is ancestor or ancestor itself. */
static bool is_under(const struct inode *node, const struct inode *ancestor)
{
    for (;;) {
        if (node == ancestor)
            return true;
        if (node == node->parent)
            return false;
        node = node->parent;
    }
}

/* rename's exchange: entries from (in from_dir) and to (in to_dir) trade nodes. */
static int exchange(struct inode *from_dir, struct dir_entry *from, struct inode *to_dir, struct dir_entry *to)
{
    struct inode *a = from->node, *b = to->node;
    if ((S_IS_TYPE(a->mode, S_IFDIR) && is_under(to_dir, a)) || (S_IS_TYPE(b->mode, S_IFDIR) && is_under(from_dir, b)))
        return -EINVAL;
    from->node = b;
    to->node = a;
    count_entry(to_dir, a, 1);
    count_entry(from_dir, a, -1);
    count_entry(from_dir, b, 1);
    count_entry(to_dir, b, -1);
    a->parent = to_dir;
    b->parent = from_dir;
    return 0;
}

int ramfs_rename(struct inode *from_dir, const char *from_name, size_t from_len,
                 struct inode *to_dir, const char *to_name, size_t to_len, bool exchange_them)
{
    struct dir_entry *from = ramfs_find(from_dir, from_name, from_len);
    if (!from)
        return -ENOENT;
    if (to_len > NAME_MAX)
        return -ENAMETOOLONG;
    if (from_dir->mount != to_dir->mount)
        return -EXDEV;
    struct inode *node = from->node;
    struct dir_entry *to = ramfs_find(to_dir, to_name, to_len);
    if (exchange_them && !to)
        return -ENOENT;
    if (node->covered_by || (to && to->node->covered_by))
        return -EBUSY;
    if (to == from || (to && to->node == node))
        return 0;                           /* two names of one node: nothing happens */
    if (exchange_them)
        return exchange(from_dir, from, to_dir, to);
    bool is_dir = S_IS_TYPE(node->mode, S_IFDIR);
    if (is_dir && is_under(to_dir, node))
        return -EINVAL;
    if (to) {
        bool to_is_dir = S_IS_TYPE(to->node->mode, S_IFDIR);
        if (is_dir && !to_is_dir)
            return -ENOTDIR;
        if (!is_dir && to_is_dir)
            return -EISDIR;
        if (to_is_dir && !dir_is_empty(to->node))
            return -ENOTEMPTY;
    }
    /* The one step that can fail (memory) comes first, so a failure changes nothing: a
     * new entry, or else the replaced entry turned to name the node. */
    struct inode *replaced = to ? to->node : NULL;
    if (to) {
        to->node = node;
        count_entry(to_dir, node, 1);
    } else {
        int error = add_entry(to_dir, to_name, to_len, node);
        if (error)
            return error;
    }
    detach_entry(from_dir, from);
    count_entry(from_dir, node, -1);
    node->parent = to_dir;
    if (replaced)
        forget(to_dir, replaced);
    return 0;
}

void ramfs_empty(struct inode *top)
{
    /* Remove the first entry of the deepest directory reached, going down into a directory
     * that still holds something and back up when one is empty. */
    for (struct inode *dir = top; dir != top || dir->dir.entries;) {
        struct dir_entry *e = dir->dir.entries;
        if (!e)
            dir = dir->parent;
        else if (S_IS_TYPE(e->node->mode, S_IFDIR) && e->node->dir.entries)
            dir = e->node;
        else
            ramfs_unlink(dir, e->name, e->name_len, S_IS_TYPE(e->node->mode, S_IFDIR));
    }
}

void ramfs_free_tree(struct inode *root)
{
    ramfs_empty(root);
    root->nlink = 0;
    inode_put(root);
}

/* ---- file pages ------------------------------------------------------------------------ */

/* Entry index of a file's two-level table (a frame of physical addresses). */
static uint64_t *table_slot(uint64_t table, uint64_t index)
{
    return (uint64_t *)phys_to_virt(table) + index;
}

void *ramfs_page(struct inode *file, uint64_t index, bool create, int *error)
{
    if (index >= (uint64_t)TABLE_ENTRIES * TABLE_ENTRIES) {
        *error = -EFBIG;
        return NULL;
    }
    *error = -ENOMEM;
    if (!file->page_table && !(create && (file->page_table = frame_alloc_zeroed())))
        return NULL;
    uint64_t *leaf = table_slot(file->page_table, index / TABLE_ENTRIES);
    if (!*leaf && !(create && (*leaf = frame_alloc_zeroed())))
        return NULL;
    uint64_t *data = table_slot(*leaf, index % TABLE_ENTRIES);
    if (!*data && create) {
        if (pages_used >= pages_limit) {
            *error = -ENOSPC;
            return NULL;
        }
        if ((*data = frame_alloc_zeroed()))
            pages_used++;
    }
    return *data ? phys_to_virt(*data) : NULL;
}

int ramfs_truncate(struct inode *file, uint64_t size)
{
    if (size > RAMFS_MAX_FILE_SIZE)
        return -EFBIG;
    uint64_t keep = page_up(size) / PAGE_SIZE;          /* data pages still inside */
    int error;
    if (size % PAGE_SIZE && size < file->size) {
        uint8_t *last = ramfs_page(file, size / PAGE_SIZE, false, &error);
        if (last)
            memset(last + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
    }
    if (file->page_table) {
        uint64_t *leaves = phys_to_virt(file->page_table);
        for (uint64_t l = 0; l < TABLE_ENTRIES; l++) {
            if (!leaves[l])
                continue;
            uint64_t *data = phys_to_virt(leaves[l]);
            uint64_t first = l * TABLE_ENTRIES;
            for (uint64_t i = keep > first ? keep - first : 0; i < TABLE_ENTRIES; i++)
                if (data[i]) {
                    frame_free(data[i]);
                    data[i] = 0;
                    pages_used--;
                }
            if (keep <= first) {
                frame_free(leaves[l]);
                leaves[l] = 0;
            }
        }
        if (!keep) {
            frame_free(file->page_table);
            file->page_table = 0;
        }
    }
    file->size = size;
    return 0;
}
