/* kernel/fs/path.c: path lookup (see path.h). */
#include "kernel/fs/path.h"
#include "kernel/errno.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/procfs.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include <string.h>

struct walk {
    const struct lookup_context *ctx;
    unsigned links;                 /* symbolic links followed so far */
};

char *path_buffer_alloc(void)
{
    uint64_t frame = frame_alloc();
    return frame ? phys_to_virt(frame) : NULL;
}

void path_buffer_free(char *path)
{
    if (path)
        frame_free(virt_to_phys(path));
}

/* The node name (len bytes) names in dir, which the caller checked is a searchable
 * directory; -ENOENT if none. A removed directory holds nothing but itself. ".." climbs out
 * of the file systems whose root dir is first; what is mounted on the answer is the caller's
 * to cross. */
static int step(const struct walk *w, struct inode *dir, const char *name, size_t len, struct inode **out)
{
    if (len == 1 && name[0] == '.') {
        *out = dir;
        return 0;
    }
    if (dir->nlink == 0)
        return -ENOENT;
    if (len == 2 && name[0] == '.' && name[1] == '.') {
        while (dir != w->ctx->root && mount_is_covering_root(dir))
            dir = dir->mount->point;
        *out = dir == w->ctx->root ? dir : dir->parent;
        return 0;
    }
    int error = procfs_refresh(dir);
    if (error)
        return error;
    struct dir_entry *e = ramfs_find(dir, name, len);
    if (!e)
        return -ENOENT;
    *out = e->node;
    return 0;
}

long path_link_target(const struct lookup_context *ctx, const struct inode *link, const char **target,
                      char **made)
{
    *made = NULL;
    if (link->target) {
        *target = link->target;
        return (long)link->size;
    }
    if (!(*made = path_buffer_alloc()))
        return -ENOMEM;
    *target = *made;
    return link->proc->link(ctx, link, *made);
}

/* Walk the len bytes at path from dir (or the root, for an absolute path) to *out,
 * following links as path.h says. */
static int walk(struct walk *w, struct inode *dir, const char *path, size_t len, bool follow_last,
                struct inode **out)
{
    const char *end = path + len;
    struct inode *node = len && path[0] == '/' ? w->ctx->root : dir;
    bool slash_after = false;               /* the last component had a slash after it */
    for (;;) {
        while (path < end && *path == '/')
            path++;
        if (path == end) {
            if (slash_after && !S_IS_TYPE(node->mode, S_IFDIR))
                return -ENOTDIR;
            *out = node;
            return 0;
        }
        if (!S_IS_TYPE(node->mode, S_IFDIR))
            return -ENOTDIR;
        if (!inode_permitted(node, w->ctx->uid, w->ctx->gid, MAY_EXEC))
            return -EACCES;
        const char *name = path;
        while (path < end && *path != '/')
            path++;
        size_t name_len = (size_t)(path - name);
        if (name_len > NAME_MAX)
            return -ENAMETOOLONG;
        slash_after = path < end;
        const char *rest = path;
        while (rest < end && *rest == '/')
            rest++;
        bool last = rest == end;
        struct inode *next;
        int error = step(w, node, name, name_len, &next);
        if (error)
            return error;
        if (S_IS_TYPE(next->mode, S_IFLNK) && (!last || follow_last || slash_after)) {
            if (++w->links > LINKS_MAX)
                return -ELOOP;
            /* The target is read from where the link is (relative to its directory). */
            const char *target;
            char *made;
            long target_len = path_link_target(w->ctx, next, &target, &made);
            error = target_len < 0 ? (int)target_len : walk(w, node, target, (size_t)target_len, true, &next);
            path_buffer_free(made);
            if (error)
                return error;
        }
        node = mount_cross(next);
    }
}

int path_lookup(const struct lookup_context *ctx, const char *path, bool follow_last, struct inode **out)
{
    if (!*path)
        return -ENOENT;
    struct walk w = { ctx, 0 };
    return walk(&w, ctx->start, path, strlen(path), follow_last, out);
}

int path_parent(const struct lookup_context *ctx, const char *path, struct path_last *last)
{
    size_t len = strlen(path);
    if (!len)
        return -ENOENT;
    size_t end = len;
    while (end > 0 && path[end - 1] == '/')
        end--;
    *last = (struct path_last){ .trailing_slash = end < len };
    if (end == 0) {                         /* only slashes */
        last->dir = ctx->root;
        last->kind = LAST_ROOT;
        return 0;
    }
    size_t name_at = end;
    while (name_at > 0 && path[name_at - 1] != '/')
        name_at--;
    last->name = path + name_at;
    last->len = end - name_at;
    if (last->len > NAME_MAX)
        return -ENAMETOOLONG;
    last->kind = last->len == 1 && last->name[0] == '.' ? LAST_DOT
               : last->len == 2 && last->name[0] == '.' && last->name[1] == '.' ? LAST_DOTDOT : LAST_NAME;
    struct walk w = { ctx, 0 };
    int error = walk(&w, ctx->start, path, name_at, true, &last->dir);
    if (error)
        return error;
    if (!S_IS_TYPE(last->dir->mode, S_IFDIR))
        return -ENOTDIR;
    if (!inode_permitted(last->dir, ctx->uid, ctx->gid, MAY_EXEC))
        return -EACCES;
    return procfs_refresh(last->dir);       /* its entries as they are now, for the caller to find */
}

long path_of(const struct lookup_context *ctx, const struct inode *node, char *buf, size_t size)
{
    if (node->nlink == 0)
        return -ENOENT;
    /* Build it backwards from the end of buf, a name at a time, then move it to the front. A
     * file system's root adds no name: its point's name is next. */
    size_t at = size;
    if (at < 1)
        return -ERANGE;
    buf[--at] = '\0';
    while (node != ctx->root) {
        if (mount_is_covering_root(node)) {
            node = node->mount->point;
            continue;
        }
        const struct inode *parent = node->parent;
        const struct dir_entry *e = parent && parent != node ? ramfs_entry_of(parent, node) : NULL;
        if (!e)
            return -ENOENT;
        if (at < e->name_len + 1u)
            return -ERANGE;
        at -= e->name_len;
        memcpy(buf + at, e->name, e->name_len);
        buf[--at] = '/';
        node = parent;
    }
    if (at == size - 1) {                   /* the root itself */
        if (at < 1)
            return -ERANGE;
        buf[--at] = '/';
    }
    memmove(buf, buf + at, size - at);
    return (long)(size - at);
}
