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

/* The descriptor table of p's process, locked (its threads may change it at once). */
static struct process *lock_table(struct process *p, uint64_t *flags)
{
    struct process *owner = p->leader;
    *flags = spin_lock(&owner->files_lock);
    return owner;
}

int fd_install(struct process *p, struct file *f, int from)
{
    uint64_t flags;
    struct process *owner = lock_table(p, &flags);
    int limit = owner->limits[RLIMIT_NOFILE].cur < MAX_FDS ? (int)owner->limits[RLIMIT_NOFILE].cur : MAX_FDS;
    int result = -EMFILE;
    for (int fd = from; fd < limit && result < 0; fd++)
        if (!owner->files[fd]) {
            owner->files[fd] = f;
            owner->close_on_exec &= ~(1ull << fd);
            result = fd;
        }
    spin_unlock(&owner->files_lock, flags);
    return result;
}

void fd_install_at(struct process *p, int fd, struct file *f, bool close_on_exec)
{
    uint64_t flags;
    struct process *owner = lock_table(p, &flags);
    struct file *old = owner->files[fd];
    owner->files[fd] = f;
    owner->close_on_exec = (owner->close_on_exec & ~(1ull << fd)) | (uint64_t)close_on_exec << fd;
    spin_unlock(&owner->files_lock, flags);
    if (old)
        file_put(old);
}

void fd_set_close_on_exec(struct process *p, int fd, bool close_on_exec)
{
    uint64_t flags;
    struct process *owner = lock_table(p, &flags);
    owner->close_on_exec = (owner->close_on_exec & ~(1ull << fd)) | (uint64_t)close_on_exec << fd;
    spin_unlock(&owner->files_lock, flags);
}

struct file *fd_file(int fd)
{
    struct process *self = current_process(), *owner = self->leader;
    if (fd < 0 || fd >= MAX_FDS)
        return NULL;
    if (owner->live_threads == 1)
        return owner->files[fd];        /* no other thread can close it meanwhile */
    uint64_t flags = spin_lock(&owner->files_lock);
    struct file *f = owner->files[fd];
    bool listed = false;
    for (int i = 0; f && i < self->borrowed_count && !listed; i++)
        listed = self->borrowed[i] == f;
    if (f && !listed)
        self->borrowed[self->borrowed_count++] = file_get(f);
    spin_unlock(&owner->files_lock, flags);
    return f;
}

void fd_return_borrowed(struct process *self)
{
    while (self->borrowed_count)
        file_put(self->borrowed[--self->borrowed_count]);
}

int fd_close(struct process *p, int fd)
{
    if (fd < 0 || fd >= MAX_FDS)
        return -EBADF;
    /* Out of the table before it can go: other threads, and /proc/PID/fd, read it. */
    uint64_t flags;
    struct process *owner = lock_table(p, &flags);
    struct file *f = owner->files[fd];
    owner->files[fd] = NULL;
    spin_unlock(&owner->files_lock, flags);
    if (!f)
        return -EBADF;
    file_put(f);
    return 0;
}
