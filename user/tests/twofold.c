/* user/tests/twofold.c: Twofold's own system calls: cr3() (each process has its own address
 * space, so its own CR3) and free_frames(), through which every way a process can end, and
 * every resource it can take, is shown to give all its physical frames back. Twofold only. */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>

#include "utest.h"

#define PAGE 4096UL
#define FIXED_AT 0x200000000UL

UTEST(cr3_values_are_set_and_stable)
{
    TWOFOLD_ONLY();
    long kernel = cr3(0), user = cr3(1);
    EXPECT(kernel > 0);
    EXPECT(user > 0);
    EXPECT_EQ(cr3(0), kernel);
    EXPECT_EQ(cr3(1), user);
}

UTEST(cr3_bad_which_is_einval)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(cr3(2), -EINVAL);
    EXPECT_EQ(cr3(7), -EINVAL);
    EXPECT_EQ(cr3(-1), -EINVAL);
}

UTEST(cr3_differs_between_processes)
{
    TWOFOLD_ONLY();
    int p[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        long values[2] = { cr3(0), cr3(1) };
        _exit(SYSCALL(SYS_write, p[1], values, sizeof values) == sizeof values ? 0 : 1);
    }
    long child[2] = { 0, 0 };
    EXPECT_EQ(SYSCALL(SYS_read, p[0], child, sizeof child), sizeof child);
    EXPECT(child[0] > 0 && child[0] != cr3(0));
    EXPECT(child[1] > 0 && child[1] != cr3(1));
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_EXITED(status, 0);
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}

UTEST(free_frames_is_positive_and_stable)
{
    TWOFOLD_ONLY();
    long frames = free_frames();
    EXPECT(frames > 0);
    EXPECT_EQ(free_frames(), frames);
}

/* How many frames fewer are free after `work` than before it. It runs twice and the first
 * run is not counted: what this process keeps from it (stack pages, page tables, the
 * kernel's caches) is kept, not lost. */
static long frames_lost(void (*work)(void))
{
    work();
    long before = free_frames();
    work();
    return before - free_frames();
}

static void nothing(void *unused)
{
    (void)unused;
}

static void fork_and_exit(void)
{
    EXPECT_EXITED(run_in_child(nothing, NULL), 0);
}

UTEST(frames_return_after_fork_and_exit)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(frames_lost(fork_and_exit), 0);
}

static void map_and_touch(void *unused)
{
    (void)unused;
    char *p = (char *)SYSCALL(SYS_mmap, 0, 256 * PAGE, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (unsigned long i = 0; i < 256 * PAGE; i += PAGE)
        p[i] = 1;
    long brk = SYSCALL(SYS_brk, 0);
    SYSCALL(SYS_brk, brk + 64 * PAGE);
}

static void child_maps_memory_and_exits(void)
{
    EXPECT_EXITED(run_in_child(map_and_touch, NULL), 0);
}

UTEST(frames_return_after_a_child_maps_memory_and_exits)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(frames_lost(child_maps_memory_and_exits), 0);
}

static void exec_and_exit(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = { (char *)utest_argv0, "exit", NULL }, *envp[] = { NULL };
        SYSCALL(SYS_execve, argv[0], argv, envp);
        _exit(127);
    }
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_EXITED(status, 0);
}

UTEST(frames_return_after_execve_and_exit)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(frames_lost(exec_and_exit), 0);
}

static void read_kernel(void *unused)
{
    (void)unused;
    (void)*(volatile char *)0xffffffff80100000UL;
}

static void fault(void)
{
    EXPECT_KILLED(run_in_child(read_kernel, NULL), SIGSEGV);
}

UTEST(frames_return_after_a_fault)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(frames_lost(fault), 0);
}

static void sigkill_a_blocked_child(void)
{
    int hold[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, hold), 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char byte;
        SYSCALL(SYS_read, hold[0], &byte, 1);
        _exit(1);
    }
    EXPECT_EQ(SYSCALL(SYS_kill, pid, SIGKILL), 0);
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_KILLED(status, SIGKILL);
    SYSCALL(SYS_close, hold[0]);
    SYSCALL(SYS_close, hold[1]);
}

UTEST(frames_return_after_sigkill)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(frames_lost(sigkill_a_blocked_child), 0);
}

static void mmap_touch_munmap(void)
{
    char *p = (char *)SYSCALL(SYS_mmap, FIXED_AT, 64 * PAGE, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    EXPECT_EQ((unsigned long)p, FIXED_AT);
    for (unsigned long i = 0; i < 64 * PAGE; i += PAGE)
        p[i] = 1;
    EXPECT_EQ(SYSCALL(SYS_munmap, p, 64 * PAGE), 0);
}

UTEST(frames_return_after_munmap)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(frames_lost(mmap_touch_munmap), 0);
}

static void brk_up_and_down(void)
{
    unsigned long start = (unsigned long)SYSCALL(SYS_brk, 0);
    EXPECT_EQ(SYSCALL(SYS_brk, start + 64 * PAGE), start + 64 * PAGE);
    for (unsigned long i = 0; i < 64 * PAGE; i += PAGE)
        ((volatile char *)start)[i] = 1;
    EXPECT_EQ(SYSCALL(SYS_brk, start), start);
}

UTEST(frames_return_after_brk_shrinks)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(frames_lost(brk_up_and_down), 0);
}

static void pipe_with_data_closed(void)
{
    int p[2];
    static char data[2000];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], data, sizeof data), sizeof data);
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}

UTEST(frames_return_after_a_pipe_closes)
{
    TWOFOLD_ONLY();
    EXPECT_EQ(frames_lost(pipe_with_data_closed), 0);
}

/* Run again by exec_and_exit: exit at once. */
int utest_reexec(int argc, char **argv)
{
    (void)argv;
    return argc == 2 ? 0 : 1;
}
