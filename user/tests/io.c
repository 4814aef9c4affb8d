/* user/tests/io.c: read, write, writev, close, pipe, pipe2, dup, dup2 and ioctl on pipes and
 * the console: what each returns when it works and which errno each error gives. (Bad
 * pointers are user/tests/efault.c's.) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "utest.h"

#define UNOPENED_FD 99

/* A new pipe in fds (read end, write end), made with the pipe call itself. */
static void new_pipe(int fds[2])
{
    EXPECT_EQ(SYSCALL(SYS_pipe, fds), 0);
}

static void close_pipe(int fds[2])
{
    SYSCALL(SYS_close, fds[0]);
    SYSCALL(SYS_close, fds[1]);
}

/* Read exactly len bytes from fd and check they are `want`. */
static void expect_read(int fd, const char *want, size_t len)
{
    char buf[64] = { 0 };
    EXPECT_EQ(SYSCALL(SYS_read, fd, buf, len), len);
    EXPECT(memcmp(buf, want, len) == 0);
}

UTEST(pipe_carries_bytes_in_order)
{
    int p[2];
    char buf[64];
    new_pipe(p);
    EXPECT(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "hello", 5), 5);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], ", world", 7), 7);
    EXPECT_EQ(SYSCALL(SYS_read, p[0], buf, sizeof buf), 12);   /* a byte stream, not messages */
    EXPECT(memcmp(buf, "hello, world", 12) == 0);
    close_pipe(p);
}

UTEST(read_returns_at_most_count)
{
    int p[2];
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "0123456789", 10), 10);
    expect_read(p[0], "0123", 4);
    expect_read(p[0], "456789", 6);
    close_pipe(p);
}

UTEST(zero_byte_read_and_write_return_zero)
{
    int p[2];
    char byte;
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_read, p[0], &byte, 0), 0);         /* does not wait for data */
    EXPECT_EQ(SYSCALL(SYS_write, p[1], &byte, 0), 0);
    close_pipe(p);
}

UTEST(read_after_last_writer_closes_returns_zero)
{
    int p[2];
    char buf[8];
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "ab", 2), 2);
    EXPECT_EQ(SYSCALL(SYS_close, p[1]), 0);
    expect_read(p[0], "ab", 2);                                 /* what was written stays */
    EXPECT_EQ(SYSCALL(SYS_read, p[0], buf, sizeof buf), 0);
    EXPECT_EQ(SYSCALL(SYS_close, p[0]), 0);
}

UTEST(read_waits_for_a_writer_and_exit_closes_its_end)
{
    int p[2];
    new_pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {             /* yield, so the parent is waiting, then write and exit */
        for (int i = 0; i < 10; i++)
            SYSCALL(SYS_sched_yield);
        _exit(SYSCALL(SYS_write, p[1], "x", 1) == 1 ? 0 : 1);
    }
    EXPECT_EQ(SYSCALL(SYS_close, p[1]), 0);
    expect_read(p[0], "x", 1);
    char buf[4];
    EXPECT_EQ(SYSCALL(SYS_read, p[0], buf, sizeof buf), 0);   /* the child's end closed at exit */
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_EXITED(status, 0);
    EXPECT_EQ(SYSCALL(SYS_close, p[0]), 0);
}

/* In a child: write to a pipe whose read end is closed. */
static void write_without_reader(void *fdp)
{
    EXPECT_EQ(SYSCALL(SYS_write, *(int *)fdp, "x", 1), -EPIPE);
}

UTEST(write_without_reader_is_sigpipe_or_epipe)
{
    int p[2];
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_close, p[0]), 0);
    int status = run_in_child(write_without_reader, &p[1]);
    /* Linux kills the writer with SIGPIPE; a kernel without signals may return -EPIPE. */
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE))
        EXPECT_EXITED(status, 0);
    EXPECT_EQ(SYSCALL(SYS_close, p[1]), 0);
}

UTEST(wrong_end_of_a_pipe_is_ebadf)
{
    int p[2];
    char byte;
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_write, p[0], "x", 1), -EBADF);
    EXPECT_EQ(SYSCALL(SYS_read, p[1], &byte, 1), -EBADF);
    close_pipe(p);
}

/* The file descriptors that name nothing: one never opened, -1, and one past any table. */
static const long bad_fds[] = { UNOPENED_FD, -1, 0x7fffffff };
#define FOR_EACH_BAD_FD(fd)                                                                  \
    for (size_t i_ = 0; i_ < sizeof bad_fds / sizeof bad_fds[0]; i_++)                      \
        for (long fd = bad_fds[i_], once_ = 1; once_; once_ = 0)

UTEST(read_bad_fd_is_ebadf)
{
    char byte;
    FOR_EACH_BAD_FD(fd) EXPECT_EQ(SYSCALL(SYS_read, fd, &byte, 1), -EBADF);
}

UTEST(write_bad_fd_is_ebadf)
{
    FOR_EACH_BAD_FD(fd) EXPECT_EQ(SYSCALL(SYS_write, fd, "x", 1), -EBADF);
}

UTEST(writev_bad_fd_is_ebadf)
{
    struct iovec iov = { "x", 1 };
    FOR_EACH_BAD_FD(fd) EXPECT_EQ(SYSCALL(SYS_writev, fd, &iov, 1), -EBADF);
}

UTEST(close_bad_fd_is_ebadf)
{
    FOR_EACH_BAD_FD(fd) EXPECT_EQ(SYSCALL(SYS_close, fd), -EBADF);
}

UTEST(close_twice_is_ebadf)
{
    int p[2];
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_close, p[0]), 0);
    EXPECT_EQ(SYSCALL(SYS_close, p[0]), -EBADF);
    EXPECT_EQ(SYSCALL(SYS_close, p[1]), 0);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "x", 1), -EBADF);
}

UTEST(writev_gathers_in_order)
{
    int p[2];
    new_pipe(p);
    /* musl's stdio writes an empty {NULL, 0} element: it must be accepted. */
    struct iovec iov[] = { { "ab", 2 }, { NULL, 0 }, { "cde", 3 }, { "f", 1 } };
    EXPECT_EQ(SYSCALL(SYS_writev, p[1], iov, 4), 6);
    expect_read(p[0], "abcdef", 6);
    EXPECT_EQ(SYSCALL(SYS_writev, p[1], iov, 0), 0);
    close_pipe(p);
}

UTEST(writev_bad_count_is_einval)
{
    int p[2];
    struct iovec iov = { "x", 1 };
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_writev, p[1], &iov, -1), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_writev, p[1], &iov, 1025), -EINVAL);     /* above IOV_MAX, 1024 */
    close_pipe(p);
}

UTEST(pipe2_takes_cloexec_and_refuses_other_flags)
{
    int p[2];
    EXPECT_EQ(SYSCALL(SYS_pipe2, p, 0), 0);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "a", 1), 1);
    expect_read(p[0], "a", 1);
    close_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_pipe2, p, O_CLOEXEC), 0);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "b", 1), 1);
    expect_read(p[0], "b", 1);
    close_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_pipe2, p, O_WRONLY), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_pipe2, p, 0x10000000), -EINVAL);
}

UTEST(dup_returns_lowest_free_fd_on_the_same_pipe)
{
    int p[2];
    char byte;
    new_pipe(p);
    long w = SYSCALL(SYS_dup, p[1]);
    EXPECT(w >= 0 && w != p[0] && w != p[1]);
    EXPECT_EQ(SYSCALL(SYS_close, w), 0);
    long r = SYSCALL(SYS_dup, p[0]);
    EXPECT_EQ(r, w);                                    /* the lowest free number again */
    EXPECT_EQ(SYSCALL(SYS_close, p[0]), 0);            /* r keeps the read end open */
    w = SYSCALL(SYS_dup, p[1]);
    EXPECT_EQ(w, p[0]);                                 /* pipe() had given it the lowest */
    EXPECT_EQ(SYSCALL(SYS_close, p[1]), 0);            /* w keeps the write end open */
    EXPECT_EQ(SYSCALL(SYS_write, w, "dup", 3), 3);
    expect_read(r, "dup", 3);
    EXPECT_EQ(SYSCALL(SYS_close, w), 0);
    EXPECT_EQ(SYSCALL(SYS_read, r, &byte, 1), 0);       /* the last writer is gone */
    EXPECT_EQ(SYSCALL(SYS_close, r), 0);
}

UTEST(dup_bad_fd_is_ebadf)
{
    FOR_EACH_BAD_FD(fd) EXPECT_EQ(SYSCALL(SYS_dup, fd), -EBADF);
}

UTEST(dup2_replaces_the_target)
{
    int p[2], q[2];
    char byte;
    new_pipe(p);
    new_pipe(q);
    EXPECT_EQ(SYSCALL(SYS_dup2, p[1], q[1]), q[1]);   /* closes q's only write end */
    EXPECT_EQ(SYSCALL(SYS_read, q[0], &byte, 1), 0);
    EXPECT_EQ(SYSCALL(SYS_write, q[1], "to p", 4), 4);
    expect_read(p[0], "to p", 4);
    close_pipe(p);
    close_pipe(q);
}

UTEST(dup2_onto_itself_returns_it)
{
    int p[2];
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_dup2, p[0], p[0]), p[0]);
    EXPECT_EQ(SYSCALL(SYS_dup2, UNOPENED_FD, UNOPENED_FD), -EBADF);
    close_pipe(p);
}

UTEST(dup2_bad_fd_is_ebadf)
{
    int p[2];
    new_pipe(p);
    FOR_EACH_BAD_FD(fd) EXPECT_EQ(SYSCALL(SYS_dup2, fd, 20), -EBADF);
    EXPECT_EQ(SYSCALL(SYS_dup2, p[0], -1), -EBADF);
    close_pipe(p);
}

UTEST(ioctl_winsize_on_a_pipe_is_enotty)
{
    int p[2];
    struct winsize ws;
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_ioctl, p[0], TIOCGWINSZ, &ws), -ENOTTY);
    EXPECT_EQ(SYSCALL(SYS_ioctl, p[1], TIOCGWINSZ, &ws), -ENOTTY);
    close_pipe(p);
}

UTEST(ioctl_bad_fd_is_ebadf)
{
    struct winsize ws;
    FOR_EACH_BAD_FD(fd) EXPECT_EQ(SYSCALL(SYS_ioctl, fd, TIOCGWINSZ, &ws), -EBADF);
}

/* Standard input is the console on Twofold (testrun passes its own on), a terminal of 24
 * rows and 80 columns; on this host the harness gives /dev/null, which is none. */
UTEST(ioctl_winsize_on_stdin_is_the_consoles_or_enotty)
{
    struct winsize ws = { 0 };
    long r = SYSCALL(SYS_ioctl, 0, TIOCGWINSZ, &ws);
    if (!on_twofold()) {
        EXPECT_EQ(r, -ENOTTY);
        return;
    }
    EXPECT_EQ(r, 0);
    EXPECT_EQ(ws.ws_row, 24);
    EXPECT_EQ(ws.ws_col, 80);
}
