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

/* read(2) or write(2) on fd. The buffer's range is checked before the file can make the
 * caller wait. */
static long transfer(int fd, uint64_t buf, uint64_t len, bool writing)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (!user_range_ok(buf, len))
        return -EFAULT;
    return writing ? file_write(f, buf, len) : file_read(f, buf, len);
}

SYSCALL_DEFINE3(read, int, fd, uint64_t, buf, uint64_t, len)
{
    return transfer(fd, buf, len, false);
}

SYSCALL_DEFINE3(write, int, fd, uint64_t, buf, uint64_t, len)
{
    return transfer(fd, buf, len, true);
}

SYSCALL_DEFINE3(writev, int, fd, uint64_t, iov, uint64_t, count)
{
    struct file *f = fd_file(fd);
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
        long n = file_write(f, v.base, v.len);
        if (n < 0)
            return total ? total : n;
        total += n;
        if ((uint64_t)n < v.len)
            break;
    }
    return total;
}

SYSCALL_DEFINE1(close, int, fd)
{
    return fd_close(current_process(), fd);
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned, cmd, uint64_t, arg)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    return file_ioctl(f, cmd, arg);
}

SYSCALL_DEFINE2(pipe2, uint64_t, fds, int, flags)
{
    if (flags & ~O_CLOEXEC)
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

SYSCALL_DEFINE1(pipe, uint64_t, fds)
{
    return do_pipe2(fds, 0);
}

SYSCALL_DEFINE1(dup, int, fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    int new_fd = fd_install(current_process(), file_get(f), 0);
    if (new_fd < 0)
        file_put(f);
    return new_fd;
}

SYSCALL_DEFINE2(dup2, int, fd, int, new_fd)
{
    struct process *self = current_process();
    struct file *f = fd_file(fd);
    int target = new_fd;
    if (!f || target < 0 || target >= MAX_FDS)
        return -EBADF;
    if (target == fd)
        return target;
    fd_close(self, target);
    self->files[target] = file_get(f);
    self->close_on_exec &= ~(1ull << target);
    return target;
}
