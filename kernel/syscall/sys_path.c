/* kernel/syscall/sys_path.c: system calls that name files by path: open, stat, mkdir,
 * unlink, rename, link, symlink, readlink, chdir, getcwd, access, chmod, chown, truncate,
 * umask, and their *at forms (relative to a directory descriptor, or AT_FDCWD).
 *
 * Every process is root (sys_identity.c): permission checks run as uid 0, which passes all
 * but execute and search bits. */
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/open.h"
#include "kernel/fs/path.h"
#include "kernel/fs/procfs.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"
#include <string.h>

enum {
    AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200,
    AT_SYMLINK_FOLLOW = 0x400, AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000,
    RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2,
};
#define NO_ID 0xffffffffu

/* A call on one path: the path copied in, fs_lock held, the lookup context set. */
struct path_call {
    char *path;
    struct lookup_context ctx;
    uint64_t lock_flags;
};

/* Where a path relative to dirfd starts: the working directory for AT_FDCWD (or any
 * absolute path), else dirfd's directory. fs_lock held. */
static int context_at(int dirfd, const char *path, struct lookup_context *ctx)
{
    struct process *self = current_process();
    *ctx = (struct lookup_context){ fs_root(), self->leader->cwd, 0, 0, self->tgid };
    if (path[0] == '/' || dirfd == AT_FDCWD)
        return 0;
    struct file *f = fd_file(dirfd);
    if (!f)
        return -EBADF;
    if (!f->node || !S_IS_TYPE(f->node->mode, S_IFDIR))
        return -ENOTDIR;
    ctx->start = f->node;
    return 0;
}

/* Start a path call: copy user_path in, take fs_lock, find where it starts. An empty path is
 * -ENOENT unless empty_ok (AT_EMPTY_PATH: the call is then on dirfd itself). */
static long begin(struct path_call *c, int dirfd, uint64_t user_path, bool empty_ok)
{
    long error;
    c->path = copy_path_from_user(user_path, &error);
    if (!c->path)
        return error;
    if (!c->path[0] && !empty_ok) {
        path_buffer_free(c->path);
        return -ENOENT;
    }
    c->lock_flags = spin_lock(&fs_lock);
    error = context_at(dirfd, c->path, &c->ctx);
    if (error) {
        spin_unlock(&fs_lock, c->lock_flags);
        path_buffer_free(c->path);
    }
    return error;
}

/* End a path call: drop the lock, free the path, return result. */
static long end(struct path_call *c, long result)
{
    spin_unlock(&fs_lock, c->lock_flags);
    path_buffer_free(c->path);
    return result;
}

/* Start a call on two paths (rename, link): c for the first, second for the second, whose
 * lookup context is set as well (both under the one fs_lock c holds). */
static long begin_two(struct path_call *c, int dirfd, uint64_t user_path, struct path_call *second,
                      int second_dirfd, uint64_t second_path)
{
    long error;
    second->path = copy_path_from_user(second_path, &error);
    if (!second->path)
        return error;
    error = *second->path ? begin(c, dirfd, user_path, false) : -ENOENT;
    if (!error && (error = context_at(second_dirfd, second->path, &second->ctx)))
        end(c, 0);
    if (error)
        path_buffer_free(second->path);
    return error;
}

static long end_two(struct path_call *c, struct path_call *second, long result)
{
    path_buffer_free(second->path);
    return end(c, result);
}

/* ---- open ---------------------------------------------------------------------------- */

static long open_at(int dirfd, uint64_t user_path, unsigned flags, uint32_t mode)
{
    struct path_call c;
    long error = begin(&c, dirfd, user_path, false);
    if (error)
        return error;
    struct process *self = current_process();
    struct file *f;
    error = end(&c, fs_open(&c.ctx, c.path, flags, mode, self->leader->umask, &f));
    if (error)
        return error;
    if (f->node->proc && (error = procfs_open(f))) {      /* its text, made now */
        file_put(f);
        return error;
    }
    int fd = fd_install(self, f, 0);
    if (fd < 0)
        file_put(f);
    else if (flags & O_CLOEXEC)
        fd_set_close_on_exec(self, fd, true);
    return fd;
}

SYSCALL_DEFINE3(open, uint64_t, path, unsigned, flags, uint32_t, mode)
{
    return open_at(AT_FDCWD, path, flags, mode);
}

SYSCALL_DEFINE4(openat, int, dirfd, uint64_t, path, unsigned, flags, uint32_t, mode)
{
    return open_at(dirfd, path, flags, mode);
}

SYSCALL_DEFINE2(creat, uint64_t, path, uint32_t, mode)
{
    return open_at(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* ---- stat ---------------------------------------------------------------------------- */

/* Linux's x86-64 struct stat. */
struct linux_stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad;
    uint64_t rdev;
    int64_t size, block_size, blocks;
    struct timestamp atime, mtime, ctime;
    int64_t unused[3];
};

static void fill_stat(const struct inode *node, struct linux_stat *st)
{
    *st = (struct linux_stat){
        .dev = node->mount->dev, .ino = node->ino, .nlink = node->nlink, .mode = node->mode,
        .uid = node->uid, .gid = node->gid, .rdev = node->rdev, .size = (int64_t)node->size,
        .block_size = 4096, .blocks = (int64_t)((node->size + 4095) / 4096 * 8),
        .atime = node->atime, .mtime = node->mtime, .ctime = node->ctime,
    };
}

/* fstat of an open file; fs_lock held. A file with no node (a pipe) shows only its type, mode
 * and number. */
static void fill_file_stat(const struct file *f, struct linux_stat *st)
{
    if (f->node)
        fill_stat(f->node, st);
    else
        *st = (struct linux_stat){ .ino = f->ino, .mode = f->ops->mode, .nlink = 1, .block_size = 4096 };
}

SYSCALL_DEFINE2(fstat, int, fd, uint64_t, buf)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    struct linux_stat st;
    uint64_t flags = spin_lock(&fs_lock);
    fill_file_stat(f, &st);
    spin_unlock(&fs_lock, flags);
    return copy_to_user(buf, &st, sizeof st);
}

/* The stat of what user_path names from dirfd (flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH and
 * those in ignored), into *st. */
static long stat_of(int dirfd, uint64_t user_path, unsigned flags, unsigned ignored, struct linux_stat *st)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | ignored))
        return -EINVAL;
    struct path_call c;
    long error = begin(&c, dirfd, user_path, flags & AT_EMPTY_PATH);
    if (error)
        return error;
    struct inode *node;
    if (!c.path[0]) {                       /* AT_EMPTY_PATH: dirfd itself, of any kind */
        struct file *f = fd_file(dirfd);
        if (!f && dirfd != AT_FDCWD)
            return end(&c, -EBADF);
        if (f)
            fill_file_stat(f, st);
        else
            fill_stat(c.ctx.start, st);
    } else if ((error = path_lookup(&c.ctx, c.path, !(flags & AT_SYMLINK_NOFOLLOW), &node))) {
        return end(&c, error);
    } else {
        fill_stat(node, st);
    }
    return end(&c, 0);
}

static long stat_at(int dirfd, uint64_t user_path, uint64_t buf, unsigned flags)
{
    struct linux_stat st;
    long error = stat_of(dirfd, user_path, flags, 0, &st);
    return error ? error : copy_to_user(buf, &st, sizeof st);
}

/* statx(2): the same as a struct statx, with the basic fields (STATX_BASIC_STATS) whatever
 * mask asks; no birth time. AT_STATX_* say how fresh it must be: it always is. */
SYSCALL_DEFINE5(statx, int, dirfd, uint64_t, path, unsigned, flags, unsigned, mask, uint64_t, buf)
{
    enum { AT_STATX_SYNC_TYPE = 0x6000, STATX_BASIC_STATS = 0x7ff, STATX_RESERVED = 0x80000000u };
    if (mask & STATX_RESERVED)
        return -EINVAL;
    struct linux_stat st;
    long error = stat_of(dirfd, path, flags, AT_STATX_SYNC_TYPE, &st);
    if (error)
        return error;
    struct statx_timestamp {
        int64_t sec;
        uint32_t nsec, pad;
    };
    struct {
        uint32_t mask, block_size;
        uint64_t attributes;
        uint32_t nlink, uid, gid;
        uint16_t mode, pad;
        uint64_t ino, size, blocks, attributes_mask;
        struct statx_timestamp atime, btime, ctime, mtime;
        uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
        uint64_t spare[14];
    } x = {
        .mask = STATX_BASIC_STATS, .block_size = (uint32_t)st.block_size, .nlink = (uint32_t)st.nlink,
        .uid = st.uid, .gid = st.gid, .mode = (uint16_t)st.mode, .ino = st.ino, .size = (uint64_t)st.size,
        .blocks = (uint64_t)st.blocks,
        .atime = { st.atime.sec, (uint32_t)st.atime.nsec, 0 }, .ctime = { st.ctime.sec, (uint32_t)st.ctime.nsec, 0 },
        .mtime = { st.mtime.sec, (uint32_t)st.mtime.nsec, 0 },
        .rdev_major = (uint32_t)(st.rdev >> 8), .rdev_minor = (uint32_t)(st.rdev & 0xff),
        .dev_major = (uint32_t)(st.dev >> 8), .dev_minor = (uint32_t)(st.dev & 0xff),
    };
    _Static_assert(sizeof x == 256, "struct statx is 256 bytes");
    return copy_to_user(buf, &x, sizeof x);
}

SYSCALL_DEFINE2(stat, uint64_t, path, uint64_t, buf)
{
    return stat_at(AT_FDCWD, path, buf, 0);
}

SYSCALL_DEFINE2(lstat, uint64_t, path, uint64_t, buf)
{
    return stat_at(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, uint64_t, path, uint64_t, buf, unsigned, flags)
{
    return stat_at(dirfd, path, buf, flags);
}

/* ---- the file system ---------------------------------------------------------------------- */

/* Linux's x86-64 struct statfs for node's file system: a RAM one's blocks are the RAM file
 * system's limit, with what files hold as used (every RAM file system counts together); the
 * others have none. Its fifteen words: type, block size, blocks, free, available, files,
 * free files, fsid, name length, fragment size, flags, four spare. */
static void fill_statfs(const struct inode *node, int64_t out[15])
{
    const struct fs_type *type = node->mount->type;
    uint64_t limit = ramfs_pages_limit(), used = ramfs_pages_used();
    for (int i = 0; i < 15; i++)
        out[i] = 0;
    out[0] = type->magic;                                       /* f_type */
    out[1] = 4096;                                              /* f_bsize */
    out[2] = type->ram ? (int64_t)limit : 0;                    /* f_blocks */
    out[3] = out[4] = type->ram ? (int64_t)(limit - used) : 0;  /* f_bfree, f_bavail */
    out[8] = NAME_MAX;                                          /* f_namelen (after f_fsid) */
    out[9] = 4096;                                              /* f_frsize */
}

SYSCALL_DEFINE2(statfs, uint64_t, path, uint64_t, buf)
{
    struct path_call c;
    long error = begin(&c, AT_FDCWD, path, false);
    if (error)
        return error;
    struct inode *node;
    int64_t st[15];
    if ((error = path_lookup(&c.ctx, c.path, true, &node)))
        return end(&c, error);
    fill_statfs(node, st);
    end(&c, 0);
    return copy_to_user(buf, st, sizeof st);
}

SYSCALL_DEFINE2(fstatfs, int, fd, uint64_t, buf)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    int64_t st[15] = { 0 };
    uint64_t flags = spin_lock(&fs_lock);
    if (f->node) {
        fill_statfs(f->node, st);
    } else {                                /* a pipe */
        enum { PIPEFS_MAGIC = 0x50495045, TMPFS_MAGIC = 0x01021994 };
        st[0] = S_IS_TYPE(f->ops->mode, S_IFIFO) ? PIPEFS_MAGIC : TMPFS_MAGIC;   /* as Linux's */
        st[1] = st[9] = 4096;
        st[8] = NAME_MAX;
    }
    spin_unlock(&fs_lock, flags);
    return copy_to_user(buf, st, sizeof st);
}

/* ---- making and removing names -------------------------------------------------------- */

/* The directory and last name of c's path for a call that makes a name there: -EEXIST if
 * the name is "/", ".", ".." or taken, -EACCES without write and search permission. */
static long new_name(struct path_call *c, struct path_last *last)
{
    long error = path_parent(&c->ctx, c->path, last);
    if (error)
        return error;
    if (last->kind != LAST_NAME || ramfs_find(last->dir, last->name, last->len))
        return -EEXIST;
    if (last->dir->mount->type->fixed)
        return -EPERM;
    if (!inode_permitted(last->dir, c->ctx.uid, c->ctx.gid, MAY_WRITE | MAY_EXEC))
        return -EACCES;
    return 0;
}

static long mkdir_at(int dirfd, uint64_t user_path, uint32_t mode)
{
    struct path_call c;
    struct path_last last;
    long error = begin(&c, dirfd, user_path, false);
    if (error)
        return error;
    if (!(error = new_name(&c, &last))) {
        struct inode *dir;
        mode = (mode & 07777 & ~current_process()->leader->umask) | S_IFDIR;
        error = ramfs_create(last.dir, last.name, last.len, mode, 0, 0, 0, NULL, 0, &dir);
    }
    return end(&c, error);
}

SYSCALL_DEFINE2(mkdir, uint64_t, path, uint32_t, mode)
{
    return mkdir_at(AT_FDCWD, path, mode);
}

SYSCALL_DEFINE3(mkdirat, int, dirfd, uint64_t, path, uint32_t, mode)
{
    return mkdir_at(dirfd, path, mode);
}

/* unlink (a non-directory) or rmdir (an empty directory). */
static long unlink_at(int dirfd, uint64_t user_path, bool dir)
{
    struct path_call c;
    struct path_last last;
    long error = begin(&c, dirfd, user_path, false);
    if (error)
        return error;
    if ((error = path_parent(&c.ctx, c.path, &last)))
        return end(&c, error);
    if (last.kind != LAST_NAME) {
        /* rmdir: "." is -EINVAL, ".." -ENOTEMPTY, "/" -EBUSY; unlink: each is a directory. */
        return end(&c, !dir ? -EISDIR : last.kind == LAST_DOT ? -EINVAL
                             : last.kind == LAST_DOTDOT ? -ENOTEMPTY : -EBUSY);
    }
    struct dir_entry *e = ramfs_find(last.dir, last.name, last.len);
    if (!e)
        return end(&c, -ENOENT);
    if (!dir && last.trailing_slash)
        return end(&c, S_IS_TYPE(e->node->mode, S_IFDIR) ? -EISDIR : -ENOTDIR);
    if (last.dir->mount->type->fixed)
        return end(&c, -EPERM);
    if (!inode_permitted(last.dir, 0, 0, MAY_WRITE | MAY_EXEC))
        return end(&c, -EACCES);
    return end(&c, ramfs_unlink(last.dir, last.name, last.len, dir));
}

SYSCALL_DEFINE1(unlink, uint64_t, path)
{
    return unlink_at(AT_FDCWD, path, false);
}

SYSCALL_DEFINE1(rmdir, uint64_t, path)
{
    return unlink_at(AT_FDCWD, path, true);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, uint64_t, path, unsigned, flags)
{
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    return unlink_at(dirfd, path, flags & AT_REMOVEDIR);
}

static long rename_at(int old_dirfd, uint64_t old_path, int new_dirfd, uint64_t new_path, unsigned flags)
{
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) || flags == (RENAME_NOREPLACE | RENAME_EXCHANGE))
        return -EINVAL;                     /* RENAME_WHITEOUT (overlay file systems): not here */
    struct path_call c, second;
    long error = begin_two(&c, old_dirfd, old_path, &second, new_dirfd, new_path);
    if (error)
        return error;
    struct path_last from, to;
    if (!(error = path_parent(&c.ctx, c.path, &from)) && !(error = path_parent(&second.ctx, second.path, &to))) {
        struct dir_entry *source = from.kind == LAST_NAME ? ramfs_find(from.dir, from.name, from.len) : NULL;
        struct dir_entry *target = to.kind == LAST_NAME ? ramfs_find(to.dir, to.name, to.len) : NULL;
        if (from.kind != LAST_NAME || to.kind != LAST_NAME)
            error = -EBUSY;
        else if (!source)
            error = -ENOENT;
        else if ((from.trailing_slash || to.trailing_slash) && !S_IS_TYPE(source->node->mode, S_IFDIR))
            error = -ENOTDIR;
        else if (target && (flags & RENAME_NOREPLACE))
            error = -EEXIST;
        else if (!target && (flags & RENAME_EXCHANGE))
            error = -ENOENT;
        else if (from.dir->mount->type->fixed || to.dir->mount->type->fixed)
            error = -EPERM;
        else if (!inode_permitted(from.dir, 0, 0, MAY_WRITE | MAY_EXEC)
                 || !inode_permitted(to.dir, 0, 0, MAY_WRITE | MAY_EXEC))
            error = -EACCES;
        else
            error = ramfs_rename(from.dir, from.name, from.len, to.dir, to.name, to.len, flags & RENAME_EXCHANGE);
    }
    return end_two(&c, &second, error);
}

SYSCALL_DEFINE2(rename, uint64_t, old_path, uint64_t, new_path)
{
    return rename_at(AT_FDCWD, old_path, AT_FDCWD, new_path, 0);
}

SYSCALL_DEFINE4(renameat, int, old_dirfd, uint64_t, old_path, int, new_dirfd, uint64_t, new_path)
{
    return rename_at(old_dirfd, old_path, new_dirfd, new_path, 0);
}

SYSCALL_DEFINE5(renameat2, int, old_dirfd, uint64_t, old_path, int, new_dirfd, uint64_t, new_path,
                unsigned, flags)
{
    return rename_at(old_dirfd, old_path, new_dirfd, new_path, flags);
}

static long link_at(int old_dirfd, uint64_t old_path, int new_dirfd, uint64_t new_path, unsigned flags)
{
    if (flags & ~AT_SYMLINK_FOLLOW)
        return -EINVAL;                     /* AT_EMPTY_PATH (linking an open file): not here */
    struct path_call c, second;
    long error = begin_two(&c, old_dirfd, old_path, &second, new_dirfd, new_path);
    if (error)
        return error;
    struct inode *node;
    struct path_last to;
    if (!(error = path_lookup(&c.ctx, c.path, flags & AT_SYMLINK_FOLLOW, &node))) {
        if (S_IS_TYPE(node->mode, S_IFDIR))
            error = -EPERM;
        else if (!(error = new_name(&second, &to)))
            error = ramfs_link(to.dir, to.name, to.len, node);
    }
    return end_two(&c, &second, error);
}

SYSCALL_DEFINE2(link, uint64_t, old_path, uint64_t, new_path)
{
    return link_at(AT_FDCWD, old_path, AT_FDCWD, new_path, 0);
}

SYSCALL_DEFINE5(linkat, int, old_dirfd, uint64_t, old_path, int, new_dirfd, uint64_t, new_path,
                unsigned, flags)
{
    return link_at(old_dirfd, old_path, new_dirfd, new_path, flags);
}

static long symlink_at(uint64_t user_target, int dirfd, uint64_t user_path)
{
    long error;
    char *target = copy_path_from_user(user_target, &error);
    if (!target)
        return error;
    struct path_call c;
    struct path_last last;
    error = *target ? begin(&c, dirfd, user_path, false) : -ENOENT;
    if (error) {
        path_buffer_free(target);
        return error;
    }
    if (!(error = new_name(&c, &last))) {
        struct inode *link;
        error = ramfs_create(last.dir, last.name, last.len, S_IFLNK | 0777, 0, 0, 0, target,
                             strlen(target), &link);
    }
    path_buffer_free(target);
    return end(&c, error);
}

SYSCALL_DEFINE2(symlink, uint64_t, target, uint64_t, path)
{
    return symlink_at(target, AT_FDCWD, path);
}

SYSCALL_DEFINE3(symlinkat, uint64_t, target, int, dirfd, uint64_t, path)
{
    return symlink_at(target, dirfd, path);
}

static long readlink_at(int dirfd, uint64_t user_path, uint64_t buf, int size)
{
    if (size <= 0)
        return -EINVAL;
    struct path_call c;
    long error = begin(&c, dirfd, user_path, false);
    if (error)
        return error;
    struct inode *node;
    if ((error = path_lookup(&c.ctx, c.path, false, &node)))
        return end(&c, error);
    if (!S_IS_TYPE(node->mode, S_IFLNK))
        return end(&c, -EINVAL);
    const char *target;
    char *made;
    long len = path_link_target(&c.ctx, node, &target, &made);
    size_t n = len < 0 ? 0 : (size_t)len < (size_t)size ? (size_t)len : (size_t)size;  /* no NUL is added */
    error = len < 0 ? len : copy_to_user(buf, target, n) ? -EFAULT : (long)n;
    path_buffer_free(made);
    return end(&c, error);
}

SYSCALL_DEFINE3(readlink, uint64_t, path, uint64_t, buf, int, size)
{
    return readlink_at(AT_FDCWD, path, buf, size);
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, uint64_t, path, uint64_t, buf, int, size)
{
    return readlink_at(dirfd, path, buf, size);
}

/* ---- the working directory ------------------------------------------------------------- */

/* Make dir (a node, fs_lock held) the working directory: -ENOTDIR, -EACCES or 0. */
static long change_directory(struct inode *dir)
{
    if (!S_IS_TYPE(dir->mode, S_IFDIR))
        return -ENOTDIR;
    if (!inode_permitted(dir, 0, 0, MAY_EXEC))
        return -EACCES;
    struct process *self = current_process();
    inode_get(dir);
    inode_put(self->leader->cwd);
    self->leader->cwd = dir;
    return 0;
}

SYSCALL_DEFINE1(chdir, uint64_t, path)
{
    struct path_call c;
    long error = begin(&c, AT_FDCWD, path, false);
    if (error)
        return error;
    struct inode *dir;
    if (!(error = path_lookup(&c.ctx, c.path, true, &dir)))
        error = change_directory(dir);
    return end(&c, error);
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    uint64_t flags = spin_lock(&fs_lock);
    long error = f->node ? change_directory(f->node) : -ENOTDIR;
    spin_unlock(&fs_lock, flags);
    return error;
}

SYSCALL_DEFINE2(getcwd, uint64_t, buf, uint64_t, size)
{
    char *path = path_buffer_alloc();
    if (!path)
        return -ENOMEM;
    uint64_t flags = spin_lock(&fs_lock);
    struct lookup_context ctx = { .root = fs_root() };
    long len = path_of(&ctx, current_process()->leader->cwd, path, size < PATH_MAX ? size : PATH_MAX);
    spin_unlock(&fs_lock, flags);
    if (len > 0 && copy_to_user(buf, path, (size_t)len))
        len = -EFAULT;
    path_buffer_free(path);
    return len;
}

/* ---- permissions, owners, sizes --------------------------------------------------------- */

/* Run change on the node path names (following a final link unless nofollow), fs_lock held. */
static long on_node(int dirfd, uint64_t user_path, bool nofollow, bool empty_ok,
                    long (*change)(struct inode *node, uint64_t a, uint64_t b), uint64_t a, uint64_t b)
{
    struct path_call c;
    long error = begin(&c, dirfd, user_path, empty_ok);
    if (error)
        return error;
    struct inode *node = c.ctx.start;
    if (c.path[0] && (error = path_lookup(&c.ctx, c.path, !nofollow, &node)))
        return end(&c, error);
    return end(&c, change(node, a, b));
}

/* The same on fd's node (fchmod, fchown, ftruncate); -EBADF, or -EINVAL for a file with
 * none (a pipe). */
static long on_file(int fd, long (*change)(struct inode *node, uint64_t a, uint64_t b), uint64_t a, uint64_t b)
{
    struct file *f = fd_file(fd);
    if (!f || (f->flags & O_PATH))
        return -EBADF;
    uint64_t flags = spin_lock(&fs_lock);
    long error = f->node ? change(f->node, a, b) : -EINVAL;
    spin_unlock(&fs_lock, flags);
    return error;
}

/* access(2)'s check: mode (R_OK 4, W_OK 2, X_OK 1, or F_OK 0) for node. */
static long check_access(struct inode *node, uint64_t mode, uint64_t unused)
{
    (void)unused;
    return inode_permitted(node, 0, 0, (unsigned)mode) ? 0 : -EACCES;
}

static long access_at(int dirfd, uint64_t path, unsigned mode, unsigned flags)
{
    if (mode & ~7u || flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    return on_node(dirfd, path, flags & AT_SYMLINK_NOFOLLOW, flags & AT_EMPTY_PATH, check_access, mode, 0);
}

SYSCALL_DEFINE2(access, uint64_t, path, unsigned, mode)
{
    return access_at(AT_FDCWD, path, mode, 0);
}

SYSCALL_DEFINE3(faccessat, int, dirfd, uint64_t, path, unsigned, mode)
{
    return access_at(dirfd, path, mode, 0);
}

SYSCALL_DEFINE4(faccessat2, int, dirfd, uint64_t, path, unsigned, mode, unsigned, flags)
{
    return access_at(dirfd, path, mode, flags);
}

static long node_chmod(struct inode *node, uint64_t mode, uint64_t unused)
{
    (void)unused;
    node->mode = (node->mode & S_IFMT) | ((uint32_t)mode & 07777);
    inode_touch(node, TIME_CHANGE);
    return 0;
}

SYSCALL_DEFINE2(chmod, uint64_t, path, uint32_t, mode)
{
    return on_node(AT_FDCWD, path, false, false, node_chmod, mode, 0);
}

SYSCALL_DEFINE2(fchmod, int, fd, uint32_t, mode)
{
    return on_file(fd, node_chmod, mode, 0);
}

SYSCALL_DEFINE3(fchmodat, int, dirfd, uint64_t, path, uint32_t, mode)
{
    return on_node(dirfd, path, false, false, node_chmod, mode, 0);
}

static long node_chown(struct inode *node, uint64_t uid, uint64_t gid)
{
    if ((uint32_t)uid != NO_ID)
        node->uid = (uint32_t)uid;
    if ((uint32_t)gid != NO_ID)
        node->gid = (uint32_t)gid;
    if (S_IS_TYPE(node->mode, S_IFREG))         /* a new owner gets no set-id program */
        node->mode &= ~(S_ISUID | ((node->mode & 010) ? S_ISGID : 0));
    inode_touch(node, TIME_CHANGE);
    return 0;
}

SYSCALL_DEFINE3(chown, uint64_t, path, uint32_t, uid, uint32_t, gid)
{
    return on_node(AT_FDCWD, path, false, false, node_chown, uid, gid);
}

SYSCALL_DEFINE3(lchown, uint64_t, path, uint32_t, uid, uint32_t, gid)
{
    return on_node(AT_FDCWD, path, true, false, node_chown, uid, gid);
}

SYSCALL_DEFINE3(fchown, int, fd, uint32_t, uid, uint32_t, gid)
{
    return on_file(fd, node_chown, uid, gid);
}

SYSCALL_DEFINE5(fchownat, int, dirfd, uint64_t, path, uint32_t, uid, uint32_t, gid, unsigned, flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    return on_node(dirfd, path, flags & AT_SYMLINK_NOFOLLOW, flags & AT_EMPTY_PATH, node_chown, uid, gid);
}

static long node_truncate(struct inode *node, uint64_t size, uint64_t unused)
{
    (void)unused;
    if ((int64_t)size < 0)
        return -EINVAL;
    if (S_IS_TYPE(node->mode, S_IFDIR))
        return -EISDIR;
    if (!S_IS_TYPE(node->mode, S_IFREG))
        return -EINVAL;
    long error = ramfs_truncate(node, size);
    if (!error)
        inode_touch(node, TIME_MODIFY | TIME_CHANGE);
    return error;
}

SYSCALL_DEFINE2(truncate, uint64_t, path, uint64_t, size)
{
    return on_node(AT_FDCWD, path, false, false, node_truncate, size, 0);
}

SYSCALL_DEFINE2(ftruncate, int, fd, uint64_t, size)
{
    struct file *f = fd_file(fd);
    if (f && (f->flags & O_ACCMODE) != O_WRONLY && (f->flags & O_ACCMODE) != O_RDWR)
        return -EINVAL;                     /* not open for writing */
    return on_file(fd, node_truncate, size, 0);
}

enum { UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2 };

/* utimensat's change: times (a kernel copy of the two timespecs, or 0 for "both now") set
 * as atime and mtime; ctime becomes now. */
static long node_set_times(struct inode *node, uint64_t times, uint64_t unused)
{
    (void)unused;
    const struct timestamp *t = (const struct timestamp *)times;
    struct timestamp now_stamp;
    uint64_t now = time_realtime_ns();
    now_stamp = (struct timestamp){ (int64_t)(now / NS_PER_SECOND), (int64_t)(now % NS_PER_SECOND) };
    struct timestamp *fields[2] = { &node->atime, &node->mtime };
    for (int i = 0; i < 2; i++)
        if (!t || t[i].nsec == UTIME_NOW)
            *fields[i] = now_stamp;
        else if (t[i].nsec != UTIME_OMIT)
            *fields[i] = t[i];
    node->ctime = now_stamp;
    return 0;
}

SYSCALL_DEFINE4(utimensat, int, dirfd, uint64_t, path, uint64_t, user_times, unsigned, flags)
{
    struct timestamp times[2];
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (user_times && copy_from_user(times, user_times, sizeof times))
        return -EFAULT;
    for (int i = 0; user_times && i < 2; i++)
        if ((times[i].nsec < 0 || times[i].nsec >= (int64_t)NS_PER_SECOND)
            && times[i].nsec != UTIME_NOW && times[i].nsec != UTIME_OMIT)
            return -EINVAL;
    uint64_t set = user_times ? (uint64_t)times : 0;
    if (!path)                              /* futimens: dirfd's own file */
        return on_file(dirfd, node_set_times, set, 0);
    return on_node(dirfd, path, flags & AT_SYMLINK_NOFOLLOW, flags & AT_EMPTY_PATH, node_set_times, set, 0);
}

SYSCALL_DEFINE1(umask, uint32_t, mask)
{
    struct process *self = current_process();
    uint32_t old = self->leader->umask;
    self->leader->umask = mask & 0777;
    return old;
}

/* ---- mounts -------------------------------------------------------------------------- */

/* on_node's change for mount: a file system of type (a kernel string) on node, with source. */
static long mount_on(struct inode *node, uint64_t type, uint64_t source)
{
    int error;
    struct mount *fs = mount_new((const char *)type, &error);
    if (fs && (error = mount_attach(fs, node, (const char *)source)))
        mount_discard(fs);
    return error;
}

SYSCALL_DEFINE5(mount, uint64_t, user_source, uint64_t, path, uint64_t, user_type, uint64_t, flags,
                uint64_t, data)
{
    enum { MS_SILENT = 0x8000, MS_MGC_MASK = 0xffff0000u, MS_MGC_VAL = 0xc0ed0000u };
    /* The old magic number in the high half means nothing; MS_SILENT only quiets Linux's log.
     * Every other flag (read-only, bind, move, remount, propagation...) asks for a mount
     * Twofold does not have, and so does any option in data. */
    if ((flags & MS_MGC_MASK) == MS_MGC_VAL)
        flags &= ~(uint64_t)MS_MGC_MASK;
    char type[16], source[32] = "none", option = 0;
    if (flags & ~(uint64_t)MS_SILENT)
        return -EINVAL;
    if (data && copy_from_user(&option, data, 1))
        return -EFAULT;
    if (option)
        return -EINVAL;
    long n = copy_string_from_user(type, user_type, sizeof type);
    if (n < 0)
        return n == -ENAMETOOLONG ? -ENODEV : n;
    /* The source names nothing here (the types have no device): kept for /proc/mounts, its
     * first 31 bytes. */
    if (user_source && (n = copy_string_from_user(source, user_source, sizeof source)) == -EFAULT)
        return n;
    source[sizeof source - 1] = '\0';
    return on_node(AT_FDCWD, path, false, false, mount_on, (uint64_t)type, (uint64_t)source);
}

/* on_node's change for umount2: unmount the file system whose root node is. */
static long unmount(struct inode *node, uint64_t unused, uint64_t unused_too)
{
    (void)unused, (void)unused_too;
    return mount_detach(node);
}

SYSCALL_DEFINE2(umount2, uint64_t, path, unsigned, flags)
{
    enum { MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8 };
    /* MNT_FORCE asks a network file system to give up waiting; nothing here waits. A lazy
     * unmount (MNT_DETACH) or an expiry: not here. */
    if (flags & ~(unsigned)(MNT_FORCE | UMOUNT_NOFOLLOW))
        return -EINVAL;
    return on_node(AT_FDCWD, path, flags & UMOUNT_NOFOLLOW, false, unmount, 0, 0);
}

SYSCALL_DEFINE0(sync)
{
    return 0;                               /* everything is in memory already */
}
