/* user/tests/jobs.c: process groups and sessions: setpgid, getpgid, getpgrp, setsid,
 * getsid; kill() of one process, of the caller's group (0), of a group (-pgid) and of every
 * process (-1); the console's foreground group (TIOCGPGRP, TIOCSPGRP). Every case runs on
 * Linux too, except kill(-1) there, which would reach the whole machine. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "utest.h"

/* A child that waits for a signal (any: it dies of it), in group pgid (0: its own, -1: its
 * parent's), with SIGUSR1 and SIGUSR2 at their defaults. Returns once the child is ready;
 * the test program ends if it cannot (a pid of -1 given to kill() would reach everyone). */
static pid_t waiting_child(pid_t pgid)
{
    int ready[2];
    char byte = 0;
    if (pipe(ready) != 0)
        abort();
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        signal(SIGUSR1, SIG_DFL);       /* the parent may ignore them for its own sake */
        signal(SIGUSR2, SIG_DFL);
        if (pgid >= 0)
            setpgid(0, pgid);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    if (child <= 0 || read(ready[0], &byte, 1) != 1)
        abort();
    close(ready[0]);
    close(ready[1]);
    return child;
}

/* Whether child ended of signal (waiting for it to end: a signal that never comes hangs the
 * test, which the harness reports, rather than a guess at how long it may take). */
static bool killed_by(pid_t child, int signal)
{
    int status = 0;
    return waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == signal;
}

/* Whether child is still there: not ended, so a wait with WNOHANG finds nothing. (A signal
 * sent to it by mistake may not have ended it yet: the caller kills it with another signal
 * afterwards and checks which one it died of.) */
static bool still_there(pid_t child)
{
    int status;
    return waitpid(child, &status, WNOHANG) == 0 && kill(child, 0) == 0;
}

UTEST(a_child_is_in_its_parents_group_and_session)
{
    pid_t child = waiting_child(-1);
    EXPECT_EQ(getpgid(child), getpgrp());
    EXPECT_EQ(getsid(child), getsid(0));
    EXPECT_EQ(getpgid(0), getpgrp());
    kill(child, SIGKILL);
    EXPECT(killed_by(child, SIGKILL));
}

UTEST(setpgid_makes_a_group_and_moves_a_child_into_it)
{
    pid_t leader = waiting_child(0), member = waiting_child(leader);
    EXPECT_EQ(getpgid(leader), leader);
    EXPECT_EQ(getpgid(member), leader);
    EXPECT_EQ(setpgid(member, member), 0);              /* a group of its own after all */
    EXPECT_EQ(getpgid(member), member);
    EXPECT_EQ(setpgid(member, leader), 0);
    EXPECT_EQ(setpgid(member, 999999), -1);             /* no such group in the session */
    EXPECT_EQ(errno, EPERM);
    EXPECT_EQ(setpgid(999999, 0), -1);                  /* not a child */
    EXPECT_EQ(errno, ESRCH);
    EXPECT_EQ(setpgid(0, -1), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(getpgid(999999), -1);
    EXPECT_EQ(errno, ESRCH);
    kill(-leader, SIGKILL);
    EXPECT(killed_by(leader, SIGKILL));
    EXPECT(killed_by(member, SIGKILL));
}

static void new_session(void *unused)
{
    (void)unused;
    pid_t self = getpid();
    EXPECT_EQ(setsid(), self);
    EXPECT_EQ(getsid(0), self);
    EXPECT_EQ(getpgrp(), self);
    EXPECT_EQ(setsid(), -1);                            /* a group leader already */
    EXPECT_EQ(errno, EPERM);
    EXPECT_EQ(setpgid(0, getppid()), -1);               /* that group is in another session */
    EXPECT_EQ(errno, EPERM);
    int group;
    EXPECT_EQ(ioctl(0, TIOCGPGRP, &group), -1);         /* the console is not its terminal */
    EXPECT_EQ(errno, ENOTTY);
}

UTEST(setsid_makes_a_session_without_a_terminal)
{
    EXPECT_EXITED(run_in_child(new_session, NULL), 0);
}

static void leave_a_group_behind(void *unused)
{
    (void)unused;
    pid_t old_group = getpgrp();
    EXPECT_EQ(setpgid(0, 0), 0);
    pid_t child = waiting_child(-1);                    /* in the group with the caller's pid */
    EXPECT_EQ(setpgid(0, old_group), 0);                /* the caller leaves it */
    EXPECT_EQ(setsid(), -1);                            /* which would make two groups of one id */
    EXPECT_EQ(errno, EPERM);
    kill(child, SIGKILL);
    EXPECT(killed_by(child, SIGKILL));
    EXPECT_EQ(setsid(), getpid());                      /* the group is gone with its last member */
}

UTEST(setsid_fails_while_a_group_has_the_callers_pid)
{
    EXPECT_EXITED(run_in_child(leave_a_group_behind, NULL), 0);
}

static void kill_my_group(void *unused)
{
    (void)unused;
    setpgid(0, 0);
    pid_t member = waiting_child(-1), outsider = waiting_child(0);
    signal(SIGUSR1, SIG_IGN);                           /* the caller is in the group too */
    EXPECT_EQ(kill(0, SIGUSR1), 0);
    EXPECT(killed_by(member, SIGUSR1));
    EXPECT(still_there(outsider));
    EXPECT_EQ(kill(-outsider, SIGTERM), 0);
    EXPECT(killed_by(outsider, SIGTERM));
    EXPECT_EQ(kill(-outsider, SIGTERM), -1);            /* the group is empty now */
    EXPECT_EQ(errno, ESRCH);
}

UTEST(kill_0_and_kill_minus_pgid_reach_the_whole_group_only)
{
    EXPECT_EXITED(run_in_child(kill_my_group, NULL), 0);
}

UTEST(kill_checks_its_target_and_its_signal)
{
    EXPECT_EQ(kill(getpid(), 0), 0);                    /* signal 0: only whether it exists */
    EXPECT_EQ(kill(999999, 0), -1);
    EXPECT_EQ(errno, ESRCH);
    EXPECT_EQ(kill(getpid(), 65), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(kill(-999999, SIGTERM), -1);
    EXPECT_EQ(errno, ESRCH);
}

static void kill_everyone(void *unused)
{
    (void)unused;
    pid_t a = waiting_child(0), b = waiting_child(-1);
    signal(SIGUSR2, SIG_IGN);
    EXPECT_EQ(kill(-1, SIGUSR2), 0);                    /* all but init and the caller */
    EXPECT(killed_by(a, SIGUSR2));
    EXPECT(killed_by(b, SIGUSR2));
}

UTEST(kill_minus_1_reaches_every_process_but_init_and_the_caller)
{
    TWOFOLD_ONLY();
    /* The test runner and this test ignore SIGUSR2 for the while; init has no handler. */
    signal(SIGUSR2, SIG_IGN);
    EXPECT_EXITED(run_in_child(kill_everyone, NULL), 0);
    signal(SIGUSR2, SIG_DFL);
}

UTEST(the_console_foreground_group_is_settable_within_the_session)
{
    int group;
    if (ioctl(0, TIOCGPGRP, &group) != 0)
        SKIP("standard input is not this session's terminal");
    EXPECT_EQ(group, tcgetpgrp(0));
    pid_t child = waiting_child(0);
    signal(SIGTTOU, SIG_IGN);           /* a background process that sets it gets SIGTTOU */
    EXPECT_EQ(tcsetpgrp(0, child), 0);
    EXPECT_EQ(tcgetpgrp(0), child);
    EXPECT_EQ(tcsetpgrp(0, 999999), -1);
    EXPECT_EQ(errno, EPERM);
    EXPECT_EQ(tcsetpgrp(0, group), 0);
    EXPECT_EQ(tcgetpgrp(0), group);
    signal(SIGTTOU, SIG_DFL);
    kill(child, SIGKILL);
    EXPECT(killed_by(child, SIGKILL));
}
