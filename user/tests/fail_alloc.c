/* user/tests/fail_alloc.c: every call that allocates kernel memory survives an allocation
 * that fails. For each of fork, execve, mmap with first touches, pipe and brk, the walk makes
 * the 1st, 2nd, 3rd... allocation fail (Twofold's fail_alloc(n): the nth frame or kmalloc
 * made for the process from then on) until the call no longer reaches the nth. Each try
 * runs in a child of its own, and each must end cleanly: the call fails with -ENOMEM (brk:
 * leaves the break), or the process is killed with SIGKILL for want of a page, or it works
 * all the same; and the free frame count is back where it was once the child is gone. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>

#include "utest.h"

#define PAGE 4096UL
#define MAX_TRIES 400

/* How a try ended, as the child's exit code. */
enum outcome { NOT_REACHED = 10, FAILED_CLEANLY, WORKED_ANYWAY, WRONG_ERROR };

/* The end of a try: the call gave result (a count, or -errno, 0 on success), and `left`
 * allocations were still to go. */
static void end_try(long result, long left)
{
    if (result < 0)
        _exit(result == -ENOMEM ? FAILED_CLEANLY : WRONG_ERROR);
    _exit(left ? NOT_REACHED : WORKED_ANYWAY);
}

static void try_fork(unsigned long n)
{
    fail_alloc(n);
    long pid = SYSCALL(SYS_fork);
    long left = fail_alloc(0);
    if (pid == 0)
        SYSCALL(SYS_exit, 0);
    if (pid > 0)
        SYSCALL(SYS_wait4, pid, 0, 0, 0);
    end_try(pid < 0 ? pid : 0, left);
}

static void try_execve(unsigned long n)
{
    char *argv[] = { (char *)utest_argv0, "report", NULL }, *envp[] = { NULL };
    fail_alloc(n);
    long error = SYSCALL(SYS_execve, utest_argv0, argv, envp);
    fail_alloc(0);
    end_try(error, 0);
}

static void try_mmap_and_touch(unsigned long n)
{
    fail_alloc(n);
    long pages = SYSCALL(SYS_mmap, 0x300000000UL, 4 * PAGE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (pages > 0)
        for (unsigned long i = 0; i < 4; i++)
            ((volatile char *)pages)[i * PAGE] = 1;
    end_try(pages < 0 ? pages : 0, fail_alloc(0));
}

/* fork of a process with a descriptor past the table's first chunk, whose copy allocates. */
static void try_fork_far_descriptor(unsigned long n)
{
    if (SYSCALL(SYS_dup2, 0, 900) != 900)
        _exit(WRONG_ERROR);
    try_fork(n);
}

/* A descriptor past the table's first chunk: a refused dup2 leaves it closed. */
static void try_dup2_far(unsigned long n)
{
    fail_alloc(n);
    long fd = SYSCALL(SYS_dup2, 0, 900);
    long left = fail_alloc(0);
    if (fd >= 0 ? fd != 900 : SYSCALL(SYS_fcntl, 900, F_GETFD) != -EBADF)
        _exit(WRONG_ERROR);
    end_try(fd < 0 ? fd : 0, left);
}

/* The first look into a new process's /proc/PID, which makes its entries: a refused one
 * leaves them to be made whole the next time. */
static void try_proc_first_look(unsigned long n)
{
    fail_alloc(n);
    long fd = SYSCALL(SYS_open, "/proc/self/status", O_RDONLY);
    long left = fail_alloc(0);
    long again = fd >= 0 ? fd : SYSCALL(SYS_open, "/proc/self/status", O_RDONLY);
    char name[5];
    if (again < 0 || SYSCALL(SYS_read, again, name, sizeof name) != sizeof name || memcmp(name, "Name:", 5) != 0)
        _exit(WRONG_ERROR);
    end_try(fd < 0 ? fd : 0, left);
}

static void try_pipe(unsigned long n)
{
    int ends[2];
    char byte = 'p';
    fail_alloc(n);
    long error = SYSCALL(SYS_pipe, ends);
    long left = fail_alloc(0);
    if (!error && (SYSCALL(SYS_write, ends[1], &byte, 1) != 1 || SYSCALL(SYS_read, ends[0], &byte, 1) != 1))
        _exit(WRONG_ERROR);
    end_try(error, left);
}

static void try_brk(unsigned long n)
{
    long start = SYSCALL(SYS_brk, 0);
    fail_alloc(n);
    long grown = SYSCALL(SYS_brk, start + 3 * PAGE);
    long cut = SYSCALL(SYS_brk, start + PAGE);      /* splits nothing, frees two pages' room */
    long left = fail_alloc(0);
    /* A refused brk returns the break in force: no change, or a part of the change. */
    if ((grown != start && grown != start + (long)(3 * PAGE)) || (cut != grown && cut != start + (long)PAGE))
        _exit(WRONG_ERROR);
    end_try(grown == start || cut == grown ? -ENOMEM : 0, left);
}

struct walk {
    void (*try)(unsigned long n);
    unsigned long n;
};

static void run_try(void *arg)
{
    const struct walk *w = arg;
    w->try(w->n);
}

/* Walk n from 1 until the call no longer reaches its nth allocation; min_reached: the fewest
 * allocations the call must make (so the walk proves something). */
static void walk(void (*try)(unsigned long), unsigned long min_reached, const char *name)
{
    TWOFOLD_ONLY();
    struct walk w = { try, 1 };
    for (; w.n <= MAX_TRIES; w.n++) {
        long before = free_frames();
        int status = run_in_child(run_try, &w);
        long after = free_frames();
        int exited = WIFEXITED(status), code = WEXITSTATUS(status);
        int clean = (exited && (code == FAILED_CLEANLY || code == WORKED_ANYWAY || code == NOT_REACHED))
                 || (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        if (!clean || after != before) {
            char how[48];
            utest_fail(__FILE__, __LINE__, "%s with allocation %lu failing: %s; free frames %ld before, %ld after",
                       name, w.n, describe_status(status, how, sizeof how), before, after);
            return;
        }
        if (exited && code == NOT_REACHED)
            break;
    }
    printf("# %s makes %lu allocations\n", name, w.n - 1);
    if (w.n <= min_reached || w.n > MAX_TRIES)
        utest_fail(__FILE__, __LINE__, "%s: the walk ended at %lu (want more than %lu, at most %d)", name, w.n,
                   min_reached, MAX_TRIES);
}

UTEST(fork_survives_every_failing_allocation)
{
    walk(try_fork, 3, "fork");
}

UTEST(execve_survives_every_failing_allocation)
{
    walk(try_execve, 10, "execve");
}

UTEST(mmap_and_first_touches_survive_every_failing_allocation)
{
    walk(try_mmap_and_touch, 4, "mmap and touch");
}

UTEST(fork_with_a_far_descriptor_survives_every_failing_allocation)
{
    walk(try_fork_far_descriptor, 4, "fork with descriptor 900");
}

UTEST(dup2_far_up_survives_every_failing_allocation)
{
    walk(try_dup2_far, 1, "dup2 to 900");
}

UTEST(the_first_look_into_proc_pid_survives_every_failing_allocation)
{
    walk(try_proc_first_look, 10, "open /proc/self/status");
}

UTEST(pipe_survives_every_failing_allocation)
{
    walk(try_pipe, 3, "pipe");
}

UTEST(brk_survives_every_failing_allocation)
{
    walk(try_brk, 1, "brk");
}

/* The program that try_execve starts: whether the execve reached the failing allocation. */
int utest_reexec(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "report") == 0)
        return fail_alloc(0) ? NOT_REACHED : WORKED_ANYWAY;
    return 125;
}
