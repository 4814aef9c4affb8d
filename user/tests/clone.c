/* user/tests/clone.c: clone with fork's flags (as glibc's fork() calls it) and the tid words,
 * the exit signal and wait4's __WCLONE and __WALL, vfork (the child runs in the parent's
 * address space while the parent waits), and musl's posix_spawn, which is clone(CLONE_VM |
 * CLONE_VFORK) on a stack of its own. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "utest.h"

extern char **environ;

static volatile int in_memory;                  /* what a vfork child writes */

/* clone(flags, stack 0, parent_tid, child_tid, tls 0) as a system call: a fork, returning
 * twice. */
static long clone_call(unsigned long flags, int *parent_tid, int *child_tid)
{
    return SYSCALL(SYS_clone, flags, 0, parent_tid, child_tid, 0);
}

UTEST(clone_with_forks_flags_writes_the_tid_words)
{
    static int parent_tid, child_tid;
    parent_tid = child_tid = -1;
    long pid = clone_call(SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
                          &parent_tid, &child_tid);
    if (pid == 0)                       /* its own copy of child_tid holds its pid */
        _exit(child_tid == getpid() ? 0 : 1);
    EXPECT(pid > 0);
    EXPECT_EQ(parent_tid, pid);
    EXPECT_EQ(child_tid, -1);           /* the child's word, not the parent's */
    int status;
    EXPECT_EQ(waitpid((pid_t)pid, &status, 0), pid);
    EXPECT_EXITED(status, 0);
}

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_seen = 1;
}

UTEST(the_exit_signal_and_waiting_for_clone_children)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    EXPECT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    usr1_seen = 0;
    long pid = clone_call(SIGUSR1, NULL, NULL);
    if (pid == 0)
        _exit(3);
    int status;
    EXPECT_EQ(waitpid((pid_t)pid, &status, 0), -1);     /* not SIGCHLD: a "clone" child */
    EXPECT_EQ(errno, ECHILD);
    EXPECT_EQ(waitpid((pid_t)pid, &status, __WCLONE), pid);
    EXPECT_EXITED(status, 3);
    EXPECT_EQ(usr1_seen, 1);
    pid = clone_call(0, NULL, NULL);                    /* no signal at all */
    if (pid == 0)
        _exit(4);
    EXPECT_EQ(waitpid((pid_t)pid, &status, __WALL), pid);
    EXPECT_EXITED(status, 4);
    signal(SIGUSR1, SIG_DFL);
}

UTEST(flags_that_cannot_go_together_are_einval)
{
    /* As on Linux: a thread shares the signal handlers, which share the memory. */
    EXPECT_EQ(clone_call(CLONE_THREAD | SIGCHLD, NULL, NULL), -EINVAL);
    EXPECT_EQ(clone_call(CLONE_SIGHAND | SIGCHLD, NULL, NULL), -EINVAL);
}

UTEST(sharing_without_a_thread_is_refused_here)
{
    TWOFOLD_ONLY();                         /* Linux has these; Twofold only whole threads */
    EXPECT_EQ(clone_call(CLONE_VM | SIGCHLD, NULL, NULL), -EINVAL);
    EXPECT_EQ(clone_call(CLONE_FILES | SIGCHLD, NULL, NULL), -EINVAL);
    EXPECT_EQ(clone_call(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, NULL, NULL), -EINVAL);    /* no FS, FILES */
}

UTEST(a_vfork_child_runs_in_the_parents_memory_before_it_goes_on)
{
    in_memory = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        in_memory = getpid();           /* the parent's variable: one address space */
        _exit(5);
    }
    EXPECT(pid > 0);
    EXPECT_EQ(in_memory, pid);          /* and the parent waited until the child exited */
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EXITED(status, 5);
}

UTEST(a_vfork_child_that_execs_gives_the_memory_back)
{
    char path[256];
    EXPECT(path_beside(utest_argv0, "clone", path, sizeof path));
    in_memory = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        in_memory = 1;
        char *argv[] = { path, "exit9", NULL };
        execve(path, argv, environ);
        _exit(127);
    }
    EXPECT_EQ(in_memory, 1);
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EXITED(status, 9);
    /* The parent's memory is whole: a page mapped and touched after works as before. */
    volatile char *page = malloc(100000);
    page[0] = 1;
    EXPECT_EQ(page[0], 1);
    free((void *)page);
}

UTEST(posix_spawn_runs_a_program_and_reports_a_missing_one)
{
    char path[256];
    EXPECT(path_beside(utest_argv0, "clone", path, sizeof path));
    pid_t pid;
    char *argv[] = { path, "exit9", NULL };
    EXPECT_EQ(posix_spawn(&pid, path, NULL, NULL, argv, environ), 0);
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EXITED(status, 9);
    char *missing[] = { "/no/such/program", NULL };
    EXPECT_EQ(posix_spawn(&pid, missing[0], NULL, NULL, missing, environ), ENOENT);
}

int utest_reexec(int argc, char **argv)
{
    (void)argc;
    return strcmp(argv[1], "exit9") == 0 ? 9 : 1;
}
