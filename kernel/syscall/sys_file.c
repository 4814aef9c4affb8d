/* kernel/syscall/sys_file.c: system calls on file descriptors. */
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/node_file.h"
#include "kernel/fs/pipe.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uaccess.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include <stdbool.h>

enum {
    IOV_MAX = 1024,
    F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030,
    FD_CLOEXEC = 1,
};
#define SSIZE_MAX 0x7fffffffffffffffull

/* read(2), write(2), pread64(2) and pwrite64(2) on fd: at the file's own offset, or (at not
 * NULL) at *at, which only a seekable file has. The buffer's range is checked before the
 * file can make the caller wait. */
static long transfer(int fd, uint64_t buf, uint64_t len, bool writing, int64_t *at)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (!user_range_ok(buf, len))
        return -EFAULT;
    if (at && !f->ops->seek)
        return -ESPIPE;
    if (at && *at < 0)
        return -EINVAL;
    uint64_t *pos = at ? (uint64_t *)at : &f->offset;
    return writing ? file_write(f, (struct write_source){ .user = buf }, len, pos) : file_read(f, buf, len, pos);
}

SYSCALL_DEFINE3(read, int, fd, uint64_t, buf, uint64_t, len)
{
    return transfer(fd, buf, len, false, NULL);
}

SYSCALL_DEFINE3(write, int, fd, uint64_t, buf, uint64_t, len)
{
    return transfer(fd, buf, len, true, NULL);
}

SYSCALL_DEFINE4(pread64, int, fd, uint64_t, buf, uint64_t, len, int64_t, offset)
{
    return transfer(fd, buf, len, false, &offset);
}

SYSCALL_DEFINE4(pwrite64, int, fd, uint64_t, buf, uint64_t, len, int64_t, offset)
{
    return transfer(fd, buf, len, true, &offset);
}

/* writev of at most this many bytes gathers them and writes once, so that no other writer's
 * bytes come in between (musl's stdio writes a line as two vectors; and a pipe keeps a small
 * write whole). */
enum { GATHER_MAX = 256 };

/* The vectors' bytes, sum in all, written to f in one write. */
static long write_gathered(struct file *f, uint64_t iov, uint64_t count, uint64_t sum)
{
    char gathered[GATHER_MAX];
    struct { uint64_t base, len; } v;
    for (uint64_t i = 0, at = 0; i < count; i++, at += v.len)
        if (copy_from_user(&v, iov + i * sizeof v, sizeof v) || v.len > sum - at
            || copy_from_user(gathered + at, v.base, v.len))
            return -EFAULT;
    return file_write(f, (struct write_source){ .kernel = gathered }, sum, &f->offset);
}

/* readv(2) and writev(2). First every vector's range and the total (nothing moves if one is
 * bad), then the transfers, which may wait; a short one ends the call. */
static long transfer_vector(int fd, uint64_t iov, uint64_t count, bool writing)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (count > IOV_MAX)
        return -EINVAL;
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
    if (writing && sum && sum <= GATHER_MAX)
        return write_gathered(f, iov, count, sum);
    long total = 0;
    for (uint64_t i = 0; i < count; i++) {
        if (copy_from_user(&v, iov + i * sizeof v, sizeof v))
            return total ? total : -EFAULT;
        if (!v.len)
            continue;
        long n = writing ? file_write(f, (struct write_source){ .user = v.base }, v.len, &f->offset)
                         : file_read(f, v.base, v.len, &f->offset);
        if (n < 0)
            return total ? total : n;
        total += n;
        if ((uint64_t)n < v.len)
            break;
    }
    return total;
}

SYSCALL_DEFINE3(readv, int, fd, uint64_t, iov, uint64_t, count)
{
    return transfer_vector(fd, iov, count, false);
}

SYSCALL_DEFINE3(writev, int, fd, uint64_t, iov, uint64_t, count)
{
    return transfer_vector(fd, iov, count, true);
}

/* sendfile(2): up to count bytes of in_fd (a regular file, as Linux's reads from what it can
 * map) from its offset (or *user_offset, left as it is) written to out_fd, a page at a time
 * through a kernel buffer; a short write ends it. */
SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, uint64_t, user_offset, uint64_t, count)
{
    enum { MAX_RW_COUNT = 0x7ffff000 };     /* Linux's most for one call */
    struct file *in = fd_file(in_fd), *out = fd_file(out_fd);
    if (!in || !out || (in->flags & O_ACCMODE) == O_WRONLY || (in->flags & O_PATH)
        || ((out->flags & O_ACCMODE) != O_WRONLY && (out->flags & O_ACCMODE) != O_RDWR))
        return -EBADF;
    if (in->ops != &regular_file_ops || (out->flags & O_APPEND))
        return -EINVAL;
    int64_t offset;
    if (user_offset && copy_from_user(&offset, user_offset, sizeof offset))
        return -EFAULT;
    if (user_offset && offset < 0)
        return -EINVAL;
    uint64_t *pos = user_offset ? (uint64_t *)&offset : &in->offset;
    uint64_t frame = frame_alloc();
    if (!frame)
        return -ENOMEM;
    uint8_t *buffer = phys_to_virt(frame);
    long total = 0, error = 0;
    count = count < MAX_RW_COUNT ? count : MAX_RW_COUNT;
    while ((uint64_t)total < count) {
        uint64_t at = *pos;
        size_t want = count - (uint64_t)total < PAGE_SIZE ? count - (uint64_t)total : PAGE_SIZE;
        long got = regular_read_kernel(in, buffer, want, &at);
        long put = got > 0 ? file_write(out, (struct write_source){ .kernel = buffer }, (size_t)got, &out->offset) : got;
        if (put <= 0) {
            error = put;
            break;
        }
        uint64_t flags = spin_lock(&fs_lock);          /* the file's offset is fs_lock's */
        *pos += (uint64_t)put;
        spin_unlock(&fs_lock, flags);
        total += put;
        if (put < got)
            break;
    }
    frame_free(frame);
    if (user_offset && copy_to_user(user_offset, &offset, sizeof offset))
        return -EFAULT;
    return total ? total : error;
}

SYSCALL_DEFINE3(lseek, int, fd, int64_t, offset, int, whence)
{
    struct file *f = fd_file(fd);
    return f ? file_seek(f, offset, whence) : -EBADF;
}

SYSCALL_DEFINE3(getdents64, int, fd, uint64_t, buf, uint64_t, len)
{
    struct file *f = fd_file(fd);
    if (!f || (f->flags & O_PATH))
        return -EBADF;
    if (!f->node || !S_IS_TYPE(f->node->mode, S_IFDIR))
        return -ENOTDIR;
    if (!user_range_ok(buf, len))
        return -EFAULT;
    return directory_read_entries(f, buf, len);
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
    if (flags & ~(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;                     /* O_DIRECT (packet mode): not here */
    struct process *self = current_process();
    struct file *ends[2];
    int error = pipe_create(&ends[0], &ends[1]);
    if (error)
        return error;
    ends[0]->flags |= (unsigned)flags & O_NONBLOCK;
    ends[1]->flags |= (unsigned)flags & O_NONBLOCK;
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
        for (int i = 0; i < 2; i++)
            fd_set_close_on_exec(self, numbers[i], true);
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

/* dup2(2) and dup3(2): fd's file also at new_fd, closing what new_fd held. */
static long duplicate_to(int fd, int new_fd, bool close_on_exec)
{
    struct process *self = current_process();
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (new_fd == fd) {
        fd_set_close_on_exec(self, new_fd, close_on_exec);
        return new_fd;
    }
    int error = fd_install_at(self, new_fd, file_get(f), close_on_exec);
    if (error)
        file_put(f);
    return error ? error : new_fd;
}

SYSCALL_DEFINE2(dup2, int, fd, int, new_fd)
{
    if (fd == new_fd)                       /* the one case dup2 and dup3 differ */
        return fd_file(fd) ? fd : -EBADF;
    return duplicate_to(fd, new_fd, false);
}

SYSCALL_DEFINE3(dup3, int, fd, int, new_fd, unsigned, flags)
{
    if (flags & ~O_CLOEXEC || fd == new_fd)
        return -EINVAL;
    return duplicate_to(fd, new_fd, flags & O_CLOEXEC);
}

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, uint64_t, arg)
{
    struct process *self = current_process();
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (arg >= MAX_FDS)
            return -EINVAL;
        int new_fd = fd_install(self, file_get(f), (int)arg);
        if (new_fd < 0)
            file_put(f);
        else if (cmd == F_DUPFD_CLOEXEC)
            fd_set_close_on_exec(self, new_fd, true);
        return new_fd;
    }
    case F_GETFD:
        return fd_close_on_exec(self, fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_set_close_on_exec(self, fd, arg & FD_CLOEXEC);
        return 0;
    case F_GETFL:
        return f->flags;
    case F_SETFL: {
        uint64_t flags = spin_lock(&fs_lock);
        f->flags = (f->flags & ~(unsigned)(O_APPEND | O_NONBLOCK)) | ((unsigned)arg & (O_APPEND | O_NONBLOCK));
        spin_unlock(&fs_lock, flags);
        return 0;
    }
    default:
        return -EINVAL;
    }
}
