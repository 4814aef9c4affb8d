/* kernel/fs/mount.c: file systems and the mount table (see mount.h). */
#include "kernel/fs/mount.h"
#include "kernel/errno.h"
#include "kernel/lib/format.h"
#include "mm/kmalloc.h"
#include <string.h>

const struct fs_type fs_types[] = {
    { .name = "ramfs", .magic = 0x858458f6, .ram = true },
    { .name = "tmpfs", .magic = 0x01021994, .ram = true },
    { .name = "proc", .magic = 0x9fa0, .fixed = true, .single = true },
    { .name = "devtmpfs", .magic = 0x01021994, .single = true },    /* Linux's is a tmpfs */
};

#define TYPE_COUNT (sizeof fs_types / sizeof *fs_types)
const size_t fs_type_count = TYPE_COUNT;

/* [fs_lock] all of these: the root file system, the single ones (each made at its first
 * mount_new), the table's tail, and the next st_dev to give. Linux calls its first RAM file
 * system "rootfs", and busybox's df skips that name (Linux mounts over it); here it is the
 * root itself, so it goes by its type. */
static struct mount root_fs = { .type = &fs_types[0], .dev = 1, .source = "ramfs" };
static struct mount *singles[TYPE_COUNT];
static struct mount *table_tail = &root_fs;
static uint32_t next_dev = 2;

struct inode *fs_root(void)
{
    if (!root_fs.root)
        root_fs.root = ramfs_new_root(&root_fs);
    return root_fs.root;
}

const struct mount *mount_table(void)
{
    return &root_fs;
}

struct mount *mount_new(const char *type_name, int *error)
{
    size_t t = 0;
    while (t < TYPE_COUNT && strcmp(fs_types[t].name, type_name) != 0)
        t++;
    *error = 0;
    if (t == TYPE_COUNT) {
        *error = -ENODEV;
        return NULL;
    }
    if (singles[t])
        return singles[t];
    struct mount *fs = kzalloc(sizeof *fs);
    if (fs) {
        *fs = (struct mount){ .type = &fs_types[t], .dev = next_dev++ };
        if (!(fs->root = ramfs_new_root(fs))) {
            kfree(fs);
            fs = NULL;
        }
    }
    if (!fs)
        *error = -ENOMEM;
    else if (fs_types[t].single)
        singles[t] = fs;
    return fs;
}

void mount_discard(struct mount *fs)
{
    if (fs->type->single)
        return;                             /* it lives on, for the next mount */
    ramfs_free_tree(fs->root);
    kfree(fs);
}

int mount_attach(struct mount *fs, struct inode *point, const char *source)
{
    if (!S_IS_TYPE(point->mode, S_IFDIR))
        return -ENOTDIR;
    if (point->mount->type->fixed)
        return -EPERM;
    if (fs->point)
        return -EBUSY;                      /* (mount_new never gives the root file system) */
    inode_get(point);
    fs->point = point;
    point->covered_by = fs;
    ksnprintf(fs->source, sizeof fs->source, "%s", source);
    fs->next = NULL;
    table_tail->next = fs;
    table_tail = fs;
    return 0;
}

/* The entry after e (an entry of *dir) in a walk of the tree under root that visits every
 * entry once, a directory's before those it holds; NULL at the end. It leaves a directory by
 * its parent link, so it needs no stack however deep the tree is. */
static struct dir_entry *walk_next(const struct inode *root, struct inode **dir, struct dir_entry *e)
{
    if (S_IS_TYPE(e->node->mode, S_IFDIR) && e->node->dir.entries) {
        *dir = e->node;
        return e->node->dir.entries;
    }
    while (!e->next) {
        if (*dir == root)
            return NULL;
        e = ramfs_entry_of((*dir)->parent, *dir);
        *dir = (*dir)->parent;
    }
    return e->next;
}

/* Whether anything uses a node under root, besides the mount's own reference to root. */
static bool tree_busy(struct inode *root)
{
    if (root->refs > 1)
        return true;
    struct inode *dir = root;
    for (struct dir_entry *e = root->dir.entries; e; e = walk_next(root, &dir, e))
        if (e->node->refs || e->node->covered_by)
            return true;
    return false;
}

int mount_detach(struct inode *root)
{
    if (!mount_is_covering_root(root))
        return -EINVAL;
    struct mount *fs = root->mount;
    if (tree_busy(root))
        return -EBUSY;
    struct mount *before = &root_fs;
    while (before->next != fs)
        before = before->next;
    before->next = fs->next;
    if (table_tail == fs)
        table_tail = before;
    fs->point->covered_by = NULL;
    inode_put(fs->point);
    fs->point = NULL;
    mount_discard(fs);
    return 0;
}
