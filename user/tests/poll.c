/* user/tests/poll.c: poll, ppoll, select and pselect6 on pipes, devices and files: what is
 * ready, end of file and broken pipes, bad descriptors, timeouts, a wait that a write ends, a
 * signal cutting a wait short, and ppoll's signal mask. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>

#include "utest.h"

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

UTEST(poll_says_what_a_pipe_is_ready_for)
{
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    struct pollfd fds[4] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 }, { -1, POLLIN, 7 }, { 99, POLLIN, 0 } };
    EXPECT_EQ(poll(fds, 4, 0), 2);                      /* the write end, and 99's POLLNVAL */
    EXPECT_EQ(fds[0].revents, 0);
    EXPECT_EQ(fds[1].revents, POLLOUT);
    EXPECT_EQ(fds[2].revents, 0);                       /* a negative fd is skipped */
    EXPECT_EQ(fds[3].revents, POLLNVAL);
    EXPECT_EQ(write(p[1], "x", 1), 1);
    EXPECT_EQ(poll(fds, 1, 0), 1);
    EXPECT_EQ(fds[0].revents, POLLIN);
    EXPECT_EQ(close(p[1]), 0);
    EXPECT_EQ(poll(fds, 1, 0), 1);
    EXPECT_EQ(fds[0].revents, POLLIN | POLLHUP);        /* a byte, then end of file */
    char c;
    EXPECT_EQ(read(p[0], &c, 1), 1);
    EXPECT_EQ(poll(fds, 1, 0), 1);
    EXPECT_EQ(fds[0].revents, POLLHUP);
    close(p[0]);
    EXPECT_EQ(pipe(p), 0);
    close(p[0]);
    struct pollfd w = { p[1], POLLOUT, 0 };
    EXPECT_EQ(poll(&w, 1, 0), 1);
    EXPECT_EQ(w.revents, POLLOUT | POLLERR);            /* no reader: a write would be EPIPE */
    close(p[1]);
    EXPECT_EQ(SYSCALL(SYS_poll, 8, 1, 0), -EFAULT);
    EXPECT_EQ(SYSCALL(SYS_poll, fds, 1 << 20, 0), -EINVAL);     /* more than RLIMIT_NOFILE */
}

UTEST(files_and_devices_are_always_ready)
{
    int null = open("/dev/null", O_RDWR);
    struct pollfd fd = { null, POLLIN | POLLOUT, 0 };
    EXPECT_EQ(poll(&fd, 1, -1), 1);
    EXPECT_EQ(fd.revents, POLLIN | POLLOUT);
    close(null);
}

UTEST(a_timeout_ends_the_wait_and_a_write_ends_it_sooner)
{
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    struct pollfd fd = { p[0], POLLIN, 0 };
    long start = now_ms();
    EXPECT_EQ(poll(&fd, 1, 50), 0);
    EXPECT(now_ms() - start >= 50);                     /* at least the time asked for */
    pid_t child = fork();
    if (child == 0) {
        struct timespec t = { 0, 20000000 };
        nanosleep(&t, NULL);
        _exit(write(p[1], "y", 1) == 1 ? 0 : 1);
    }
    EXPECT_EQ(poll(&fd, 1, -1), 1);                     /* no timeout: the write wakes it */
    EXPECT_EQ(fd.revents, POLLIN);
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EXITED(status, 0);
    close(p[0]);
    close(p[1]);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

UTEST(a_signal_cuts_a_wait_short)
{
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };   /* poll never restarts */
    EXPECT_EQ(sigaction(SIGALRM, &sa, NULL), 0);
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    struct pollfd fd = { p[0], POLLIN, 0 };
    alarms = 0;
    ualarm(30000, 0);
    EXPECT_EQ(poll(&fd, 1, -1), -1);
    EXPECT_EQ(errno, EINTR);
    EXPECT_EQ(alarms, 1);
    fd_set in;
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    ualarm(30000, 0);
    EXPECT_EQ(select(p[0] + 1, &in, NULL, NULL, NULL), -1);
    EXPECT_EQ(errno, EINTR);
    EXPECT_EQ(alarms, 2);
    signal(SIGALRM, SIG_DFL);
    close(p[0]);
    close(p[1]);
}

UTEST(select_marks_the_ready_descriptors)
{
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    fd_set in, out;
    FD_ZERO(&in);
    FD_ZERO(&out);
    FD_SET(p[0], &in);
    FD_SET(p[1], &out);
    struct timeval zero = { 0, 0 };
    EXPECT_EQ(select(p[1] + 1, &in, &out, NULL, &zero), 1);
    EXPECT(!FD_ISSET(p[0], &in) && FD_ISSET(p[1], &out));
    EXPECT_EQ(write(p[1], "z", 1), 1);
    FD_SET(p[0], &in);
    FD_SET(p[1], &out);
    EXPECT_EQ(select(p[1] + 1, &in, &out, NULL, &zero), 2);
    EXPECT(FD_ISSET(p[0], &in) && FD_ISSET(p[1], &out));
    FD_ZERO(&in);
    FD_SET(60, &in);                                    /* not open */
    EXPECT_EQ(select(61, &in, NULL, NULL, &zero), -1);
    EXPECT_EQ(errno, EBADF);
    struct timeval bad = { 0, -1 };
    EXPECT_EQ(select(0, NULL, NULL, NULL, &bad), -1);
    EXPECT_EQ(errno, EINVAL);
    struct timespec ts = { 0, 0 };
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    EXPECT_EQ(pselect(p[0] + 1, &in, NULL, NULL, &ts, NULL), 1);
    close(p[0]);
    close(p[1]);
}

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_seen = 1;
}

UTEST(ppoll_waits_with_its_own_mask)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    EXPECT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    sigset_t blocked, empty, now;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigemptyset(&empty);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, &blocked, NULL), 0);
    EXPECT_EQ(kill(getpid(), SIGUSR1), 0);              /* pending, blocked */
    usr1_seen = 0;
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    struct pollfd fd = { p[0], POLLIN, 0 };
    EXPECT_EQ(ppoll(&fd, 1, NULL, &empty), -1);         /* unblocked while it waits */
    EXPECT_EQ(errno, EINTR);
    EXPECT_EQ(usr1_seen, 1);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, NULL, &now), 0);
    EXPECT(sigismember(&now, SIGUSR1));                 /* and blocked again after */
    struct timespec ts = { 0, 1000000000 };
    EXPECT_EQ(SYSCALL(SYS_ppoll, &fd, 1, &ts, NULL, 8), -EINVAL);
    EXPECT_EQ(sigprocmask(SIG_UNBLOCK, &blocked, NULL), 0);
    signal(SIGUSR1, SIG_DFL);
    close(p[0]);
    close(p[1]);
}
