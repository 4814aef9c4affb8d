/* user/tests/process.c: the process calls: getpid, getppid, gettid, set_tid_address,
 * sched_yield, fork, wait4 (statuses as Linux encodes them), exit, exit_group, kill, uname. */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>

#include "utest.h"

/* A status wait4 gives for a child that exited with code: code << 8. For one killed by a
 * signal: the signal number (with 0x80 added if it dumped core). */
#define EXITED(code) ((code) << 8)

/* Fork a child that blocks reading *hold until the parent closes the write end, then exits
 * 0. Returns its pid. */
static pid_t blocked_child(int hold[2])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char byte;
        SYSCALL(SYS_close, hold[1]);
        _exit(SYSCALL(SYS_read, hold[0], &byte, 1) == 0 ? 0 : 1);
    }
    EXPECT(pid > 0);
    return pid;
}

/* Wait for pid and return its status (0x7f7f, no valid status, if wait4 failed). */
static int reap(pid_t pid)
{
    int status = 0x7f7f;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    return status;
}

UTEST(getpid_is_positive_and_stable)
{
    long pid = SYSCALL(SYS_getpid);
    EXPECT(pid > 0);
    EXPECT_EQ(SYSCALL(SYS_getpid), pid);
    EXPECT_EQ(getpid(), pid);
}

UTEST(gettid_is_the_pid_of_a_single_thread)
{
    EXPECT_EQ(SYSCALL(SYS_gettid), SYSCALL(SYS_getpid));
}

UTEST(set_tid_address_returns_the_tid)
{
    static int clear_at_exit;   /* lives as long as the process; musl's own slot is elsewhere */
    EXPECT_EQ(SYSCALL(SYS_set_tid_address, &clear_at_exit), SYSCALL(SYS_gettid));
}

UTEST(sched_yield_returns_zero)
{
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(SYSCALL(SYS_sched_yield), 0);
}

static void check_parent(void *parent)
{
    EXPECT_EQ(SYSCALL(SYS_getppid), *(pid_t *)parent);
    EXPECT(SYSCALL(SYS_getpid) != *(pid_t *)parent);
}

UTEST(getppid_in_a_child_is_the_parent)
{
    pid_t self = getpid();
    EXPECT(SYSCALL(SYS_getppid) > 0);
    EXPECT_EXITED(run_in_child(check_parent, &self), 0);
}

UTEST(fork_returns_the_child_pid_and_zero_in_the_child)
{
    int p[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    fflush(stdout);
    long pid = SYSCALL(SYS_fork);       /* the call itself, not musl's fork() */
    if (pid == 0) {
        long self = SYSCALL(SYS_getpid);
        SYSCALL(SYS_write, p[1], &self, sizeof self);
        SYSCALL(SYS_exit_group, 7);
    }
    EXPECT(pid > 0);
    EXPECT(pid != SYSCALL(SYS_getpid));
    long reported = 0;
    EXPECT_EQ(SYSCALL(SYS_read, p[0], &reported, sizeof reported), sizeof reported);
    EXPECT_EQ(reported, pid);
    EXPECT_EQ(reap(pid), EXITED(7));
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}

/* Memory of every kind the child must see as a copy: data, bss, heap, stack, mmap. */
static int data_value = 1;
static int bss_value;
struct copies {
    int *heap, *stack, *mapped;
};

static void check_and_scribble(void *arg)
{
    struct copies *c = arg;
    EXPECT_EQ(data_value, 11);
    EXPECT_EQ(bss_value, 12);
    EXPECT_EQ(*c->heap, 13);
    EXPECT_EQ(*c->stack, 14);
    EXPECT_EQ(*c->mapped, 15);
    data_value = bss_value = *c->heap = *c->stack = *c->mapped = -1;
}

UTEST(fork_gives_the_child_a_copy_of_memory)
{
    int on_stack = 14;
    struct copies c = { malloc(sizeof(int)), &on_stack,
                        (int *)SYSCALL(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) };
    data_value = 11;
    bss_value = 12;
    *c.heap = 13;
    *c.mapped = 15;
    EXPECT_EXITED(run_in_child(check_and_scribble, &c), 0);
    EXPECT_EQ(data_value, 11);          /* the child's writes stayed in the child */
    EXPECT_EQ(bss_value, 12);
    EXPECT_EQ(*c.heap, 13);
    EXPECT_EQ(on_stack, 14);
    EXPECT_EQ(*c.mapped, 15);
    free(c.heap);
    SYSCALL(SYS_munmap, c.mapped, 4096);
}

UTEST(wait4_without_children_is_echild)
{
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, -1, &status, 0, 0), -ECHILD);
    EXPECT_EQ(SYSCALL(SYS_wait4, SYSCALL(SYS_getpid), &status, 0, 0), -ECHILD);
    EXPECT_EQ(SYSCALL(SYS_wait4, SYSCALL(SYS_getppid), &status, 0, 0), -ECHILD);
    EXPECT_EQ(SYSCALL(SYS_wait4, 0x7ffffff0, &status, 0, 0), -ECHILD);
}

UTEST(wait4_bad_options_is_einval)
{
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, -1, &status, 0x100, 0), -EINVAL);
}

UTEST(wait4_reports_exit_codes_as_linux_encodes_them)
{
    static const int codes[] = { 0, 1, 42, 255, 0x1234 };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            _exit(codes[i]);
        EXPECT_EQ(reap(pid), EXITED(codes[i] & 0xff));    /* only the low 8 bits */
    }
}

UTEST(wait4_wnohang_on_a_running_child_returns_zero)
{
    int hold[2], status;
    EXPECT_EQ(SYSCALL(SYS_pipe, hold), 0);
    pid_t pid = blocked_child(hold);
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, WNOHANG, 0), 0);
    EXPECT_EQ(SYSCALL(SYS_wait4, -1, &status, WNOHANG, 0), 0);
    SYSCALL(SYS_close, hold[1]);
    EXPECT_EQ(reap(pid), EXITED(0));
    SYSCALL(SYS_close, hold[0]);
}

UTEST(wait4_any_child_reaps_each_once)
{
    pid_t pids[3];
    for (int i = 0; i < 3; i++) {
        fflush(stdout);
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(20 + i);
    }
    int seen = 0;
    for (int n = 0; n < 3; n++) {
        int status;
        long pid = SYSCALL(SYS_wait4, -1, &status, 0, 0);
        for (int i = 0; i < 3; i++) {
            if (pid == pids[i]) {
                EXPECT(!(seen & (1 << i)));
                EXPECT_EQ(status, EXITED(20 + i));
                seen |= 1 << i;
            }
        }
    }
    EXPECT_EQ(seen, 7);
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, -1, &status, 0, 0), -ECHILD);
}

UTEST(wait4_for_one_child_leaves_the_others)
{
    int hold[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, hold), 0);
    pid_t waiting = blocked_child(hold);
    fflush(stdout);
    pid_t quick = fork();
    if (quick == 0)
        _exit(3);
    EXPECT_EQ(reap(quick), EXITED(3));
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, waiting, &status, WNOHANG, 0), 0);
    SYSCALL(SYS_close, hold[1]);
    EXPECT_EQ(reap(waiting), EXITED(0));
    SYSCALL(SYS_close, hold[0]);
}

UTEST(exit_and_exit_group_end_the_process_with_their_status)
{
    static const long calls[] = { SYS_exit, SYS_exit_group };
    for (size_t i = 0; i < 2; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            SYSCALL(calls[i], 5 + i);
            _exit(99);          /* not reached */
        }
        EXPECT_EQ(reap(pid), EXITED(5 + (int)i));
    }
}

UTEST(kill_sigkill_ends_a_blocked_child)
{
    int hold[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, hold), 0);
    pid_t pid = blocked_child(hold);
    EXPECT_EQ(SYSCALL(SYS_kill, pid, SIGKILL), 0);
    EXPECT_EQ(reap(pid), SIGKILL);      /* never a core dump: exactly 9 */
    SYSCALL(SYS_close, hold[0]);
    SYSCALL(SYS_close, hold[1]);
}

UTEST(kill_sigkill_ends_a_runnable_child)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {             /* bounded, so a kill that fails fails the case, not hangs it */
        for (int i = 0; i < 100000; i++)
            SYSCALL(SYS_sched_yield);
        _exit(0);
    }
    SYSCALL(SYS_sched_yield);
    EXPECT_EQ(SYSCALL(SYS_kill, pid, SIGKILL), 0);
    EXPECT_EQ(reap(pid), SIGKILL);
}

static void kill_self(void *unused)
{
    (void)unused;
    SYSCALL(SYS_kill, SYSCALL(SYS_getpid), SIGKILL);
    _exit(0);                   /* not reached */
}

UTEST(kill_sigkill_on_itself_ends_the_caller)
{
    EXPECT_EQ(run_in_child(kill_self, NULL), SIGKILL);
}

UTEST(kill_no_such_process_is_esrch)
{
    EXPECT_EQ(SYSCALL(SYS_kill, 0x7ffffff0, SIGKILL), -ESRCH);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    reap(pid);
    EXPECT_EQ(SYSCALL(SYS_kill, pid, SIGKILL), -ESRCH);    /* reaped: gone */
}

UTEST(kill_bad_signal_is_einval)
{
    EXPECT_EQ(SYSCALL(SYS_kill, SYSCALL(SYS_getpid), 1000), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_kill, SYSCALL(SYS_getpid), -1), -EINVAL);
}

/* A field of struct utsname is a string within its array. */
#define EXPECT_TERMINATED(field) EXPECT(memchr(field, '\0', sizeof field) != NULL)

UTEST(uname_names_the_system)
{
    struct utsname u;
    memset(&u, 0x55, sizeof u);
    EXPECT_EQ(SYSCALL(SYS_uname, &u), 0);
    EXPECT_TERMINATED(u.sysname);
    EXPECT_TERMINATED(u.nodename);
    EXPECT_TERMINATED(u.release);
    EXPECT_TERMINATED(u.version);
    EXPECT_TERMINATED(u.machine);
    EXPECT_STREQ(u.sysname, on_twofold() ? "Twofold" : "Linux");
    EXPECT_STREQ(u.machine, "x86_64");
    EXPECT(u.release[0] != '\0');
}
