/* kernel/fs/open.c: opening by path (see open.h). */
#include "kernel/fs/open.h"
#include "kernel/errno.h"
#include "kernel/fs/devices.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/node_file.h"

/* The flags a file keeps after open (F_GETFL shows them; F_SETFL may change some). */
#define KEPT_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | O_PATH)

/* The operations of a file opened on node, or NULL (a device Twofold lacks). */
static const struct file_ops *node_ops(const struct inode *node)
{
    switch (node->mode & S_IFMT) {
    case S_IFREG: return &regular_file_ops;
    case S_IFDIR: return &directory_ops;
    case S_IFCHR: return device_ops(node->rdev);
    default: return NULL;
    }
}

/* The node path names for open: found, or made as O_CREAT says (*created then set). */
static int find_or_create(const struct lookup_context *ctx, const char *path, unsigned flags,
                          uint32_t mode, struct inode **node, bool *created)
{
    *created = false;
    if (!(flags & O_CREAT)) {
        int error = path_lookup(ctx, path, !(flags & O_NOFOLLOW), node);
        return !error && S_IS_TYPE((*node)->mode, S_IFLNK) && !(flags & O_PATH) ? -ELOOP : error;
    }
    struct path_last last;
    int error = path_parent(ctx, path, &last);
    if (error)
        return error;
    if (last.kind != LAST_NAME)
        return -EISDIR;                     /* "/", "." or "..": a directory, which O_CREAT refuses */
    struct dir_entry *e = ramfs_find(last.dir, last.name, last.len);
    if (e) {
        if (flags & O_EXCL)
            return -EEXIST;
        *node = e->node;
        if (S_IS_TYPE(e->node->mode, S_IFLNK))
            return flags & O_NOFOLLOW ? -ELOOP : path_lookup(ctx, path, true, node);
        if (S_IS_TYPE(e->node->mode, S_IFDIR))
            return -EISDIR;
        return last.trailing_slash ? -ENOTDIR : 0;
    }
    if (last.trailing_slash)
        return -EISDIR;
    if (last.dir->mount->type->fixed)
        return -EPERM;
    if (!inode_permitted(last.dir, ctx->uid, ctx->gid, MAY_WRITE | MAY_EXEC))
        return -EACCES;
    *created = true;
    return ramfs_create(last.dir, last.name, last.len, S_IFREG | (mode & 07777), ctx->uid, ctx->gid,
                        0, NULL, 0, node);
}

int fs_open(const struct lookup_context *ctx, const char *path, unsigned flags, uint32_t mode,
            uint32_t umask, struct file **out)
{
    struct inode *node;
    bool created;
    int error = find_or_create(ctx, path, flags, mode & ~umask, &node, &created);
    if (error)
        return error;
    unsigned access = flags & O_ACCMODE;
    bool reads = access == O_RDONLY || access == O_RDWR, writes = access == O_WRONLY || access == O_RDWR;
    if ((flags & O_DIRECTORY) && !S_IS_TYPE(node->mode, S_IFDIR))
        return -ENOTDIR;
    if (S_IS_TYPE(node->mode, S_IFDIR) && (writes || (flags & O_TRUNC)))
        return -EISDIR;
    if (node->proc && writes)
        return -EACCES;                     /* /proc's files are read-only, even for root */
    const struct file_ops *ops = node_ops(node);
    if (flags & O_PATH)
        ops = &directory_ops;               /* a name only: read and write refuse (EBADF) */
    else if (!ops)
        return -ENXIO;
    /* What it was created with is allowed whatever its mode says, as Linux allows it. */
    if (!created && !(flags & O_PATH)
        && !inode_permitted(node, ctx->uid, ctx->gid, (reads ? MAY_READ : 0) | (writes ? MAY_WRITE : 0)))
        return -EACCES;
    if ((flags & O_TRUNC) && writes && S_IS_TYPE(node->mode, S_IFREG) && node->size) {
        ramfs_truncate(node, 0);
        inode_touch(node, TIME_MODIFY | TIME_CHANGE);
    }
    struct file *f = file_new(ops, NULL);
    if (!f)
        return -ENOMEM;
    f->node = node;
    inode_get(node);
    f->flags = flags & KEPT_FLAGS;
    if (flags & O_PATH)
        f->flags = O_PATH | 3;              /* neither reading nor writing */
    *out = f;
    return 0;
}
