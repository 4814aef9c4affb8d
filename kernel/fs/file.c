/* kernel/fs/file.c: files and descriptor tables (see file.h). */
#include "kernel/fs/file.h"
#include "kernel/errno.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/poll.h"
#include "kernel/proc/process.h"
#include "kernel/uaccess.h"
#include "mm/kmalloc.h"
#include <string.h>

struct file *file_new(const struct file_ops *ops, void *data)
{
    struct file *f = kmalloc(sizeof *f);
    if (f)
        *f = (struct file){ .ops = ops, .refs = 1, .data = data, .flags = O_RDWR };
    return f;
}

long file_read(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    if ((f->flags & O_ACCMODE) != O_RDONLY && (f->flags & O_ACCMODE) != O_RDWR)
        return -EBADF;
    return f->ops->read ? f->ops->read(f, user_buf, len, pos) : -EINVAL;
}

long file_write(struct file *f, struct write_source src, size_t len, uint64_t *pos)
{
    if ((f->flags & O_ACCMODE) != O_WRONLY && (f->flags & O_ACCMODE) != O_RDWR)
        return -EBADF;
    return f->ops->write ? f->ops->write(f, src, len, pos) : -EINVAL;
}

int write_source_copy(void *dst, struct write_source src, size_t at, size_t n)
{
    if (!src.kernel)
        return copy_from_user(dst, src.user + at, n);
    memcpy(dst, (const uint8_t *)src.kernel + at, n);
    return 0;
}

long file_seek(struct file *f, int64_t offset, int whence)
{
    return f->ops->seek ? f->ops->seek(f, offset, whence) : -ESPIPE;
}

long file_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    return f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
}

unsigned file_poll(struct file *f)
{
    return f->ops->poll ? f->ops->poll(f) : POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

struct file *file_get(struct file *f)
{
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    return f;
}

void file_put(struct file *f)
{
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
        return;
    if (f->ops->release)
        f->ops->release(f);
    if (f->node) {
        uint64_t flags = spin_lock(&fs_lock);
        inode_put(f->node);
        spin_unlock(&fs_lock, flags);
    }
    kfree(f);
}

int fd_install(struct process *p, struct file *f, int from)
{
    int limit = p->limits[RLIMIT_NOFILE].cur < MAX_FDS ? (int)p->limits[RLIMIT_NOFILE].cur : MAX_FDS;
    for (int fd = from; fd < limit; fd++)
        if (!p->files[fd]) {
            p->files[fd] = f;
            p->close_on_exec &= ~(1ull << fd);
            return fd;
        }
    return -EMFILE;
}

struct file *fd_file(int fd)
{
    return fd >= 0 && fd < MAX_FDS ? current_process()->files[fd] : NULL;
}

int fd_close(struct process *p, int fd)
{
    if (fd < 0 || fd >= MAX_FDS || !p->files[fd])
        return -EBADF;
    /* Out of the table before it can go: /proc/PID/fd reads the table of another process. */
    struct file *f = p->files[fd];
    p->files[fd] = NULL;
    file_put(f);
    return 0;
}
