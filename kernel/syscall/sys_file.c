/* kernel/syscall/sys_file.c: system calls on file descriptors. */
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/pipe.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uaccess.h"
#include <stdbool.h>

enum { IOV_MAX = 1024, O_CLOEXEC = 02000000 };
#define SSIZE_MAX 0x7fffffffffffffffull

/* read(2) or write(2) on fd (an unsigned int, as on Linux: the upper 32 bits do not count).
 * The buffer's range is checked before the file can make the caller wait. */
static long transfer(uint64_t fd, uint64_t buf, uint64_t len, bool writing)
{
    struct file *f = fd_file((int)fd);
    if (!f)
        return -EBADF;
    if (!user_range_ok(buf, len))
        return -EFAULT;
    return writing ? f->ops->write(f, buf, len) : f->ops->read(f, buf, len);
}

long sys_read(uint64_t fd, uint64_t buf, uint64_t len, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u3, (void)u4, (void)u5;
    return transfer(fd, buf, len, false);
}

long sys_write(uint64_t fd, uint64_t buf, uint64_t len, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u3, (void)u4, (void)u5;
    return transfer(fd, buf, len, true);
}

long sys_writev(uint64_t fd, uint64_t iov, uint64_t count, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u3, (void)u4, (void)u5;
    struct file *f = fd_file((int)fd);
    if (!f)
        return -EBADF;
    if (count > IOV_MAX)
        return -EINVAL;
    /* First every vector's range and the total (nothing is written if one is bad), then the
     * writes, which may wait. */
    struct { uint64_t base, len; } v;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < count; i++) {
        if (copy_from_user(&v, iov + i * sizeof v, sizeof v))
            return -EFAULT;
        if (v.len > SSIZE_MAX - sum)
            return -EINVAL;
        if (!user_range_ok(v.base, v.len))
            return -EFAULT;
        sum += v.len;
    }
    long total = 0;
    for (uint64_t i = 0; i < count; i++) {
        if (copy_from_user(&v, iov + i * sizeof v, sizeof v))
            return total ? total : -EFAULT;
        if (!v.len)
            continue;
        long n = f->ops->write(f, v.base, v.len);
        if (n < 0)
            return total ? total : n;
        total += n;
        if ((uint64_t)n < v.len)
            break;
    }
    return total;
}

long sys_close(uint64_t fd, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    return fd_close(current_process(), (int)fd);
}

long sys_ioctl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u3, (void)u4, (void)u5;
    struct file *f = fd_file((int)fd);
    if (!f)
        return -EBADF;
    return f->ops->ioctl(f, (unsigned)cmd, arg);
}

long sys_pipe2(uint64_t fds, uint64_t flags, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u2, (void)u3, (void)u4, (void)u5;
    if (flags & ~(uint64_t)O_CLOEXEC)
        return -EINVAL;                     /* O_NONBLOCK and O_DIRECT are not supported */
    struct process *self = current_process();
    struct file *ends[2];
    int error = pipe_create(&ends[0], &ends[1]);
    if (error)
        return error;
    int numbers[2] = { fd_install(self, ends[0], 0), -1 };
    if (numbers[0] >= 0)
        numbers[1] = fd_install(self, ends[1], 0);
    if (numbers[1] < 0 || copy_to_user(fds, numbers, sizeof numbers)) {
        error = numbers[1] < 0 ? numbers[numbers[0] < 0 ? 0 : 1] : -EFAULT;
        for (int i = 0; i < 2; i++) {
            if (numbers[i] >= 0)
                fd_close(self, numbers[i]);
            else
                file_put(ends[i]);
        }
        return error;
    }
    if (flags & O_CLOEXEC)
        self->close_on_exec |= 1ull << numbers[0] | 1ull << numbers[1];
    return 0;
}

long sys_pipe(uint64_t fds, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u1;
    return sys_pipe2(fds, 0, u2, u3, u4, u5);
}

long sys_dup(uint64_t fd, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    struct file *f = fd_file((int)fd);
    if (!f)
        return -EBADF;
    int new_fd = fd_install(current_process(), file_get(f), 0);
    if (new_fd < 0)
        file_put(f);
    return new_fd;
}

long sys_dup2(uint64_t fd, uint64_t new_fd, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u2, (void)u3, (void)u4, (void)u5;
    /* Descriptors are unsigned ints, as on Linux: the upper 32 bits do not count. */
    struct process *self = current_process();
    struct file *f = fd_file((int)fd);
    int target = (int)new_fd;
    if (!f || target < 0 || target >= MAX_FDS)
        return -EBADF;
    if (target == (int)fd)
        return target;
    fd_close(self, target);
    self->files[target] = file_get(f);
    self->close_on_exec &= ~(1ull << target);
    return target;
}
