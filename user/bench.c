/* user/bench.c: micro-benchmarks of the kernel underneath, one static binary for Twofold and
 * Linux alike. Each metric is timed with rdtsc over loops long enough to be stable, ROUNDS
 * times; the median round is printed in TSC ticks per operation:
 *
 *     bench: NAME TICKS            e.g. "bench: syscall_getpid 312.4"
 *     bench: NAME skipped WHY      the metric does not apply here
 *     bench: NAME failed WHY       it should have worked and did not
 *     bench: kernel SYSNAME RELEASE, bench: mode full|quick, and last bench: done
 *
 * tools/bench.py runs it as the first process on both kernels (README: "Benchmarks"):
 *     bench [quick]                every metric; quick: loops a tenth as long, a smoke test
 *     bench smp [quick]            the rows that need two CPUs (threads on each of them)
 *     bench exec-chain N T0 FD     internal: one link of the execve measurement
 *     bench profile                the calls `make profile` steps through (tools/profile.py):
 *                                  getpid, then sched_yield between two processes
 * As the first process on Linux it powers off at the end; on Twofold exiting is enough.
 * Timed loops use raw system calls, so they measure the kernel and not the C library. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "twofold.h"

/* Debian's static busybox: in Twofold's initrd, and in the one tools/bench.py gives Linux. */
#define BUSYBOX "/bin/busybox"

enum {
    ROUNDS = 5,                 /* timed rounds per metric; the median is reported */
    PAGE = 4096,
    SYSCALL_LOOPS = 20000,      /* system calls per round */
    /* How long the N processes of a sched_yield row yield: 100M + N * 8M ticks, as a fair
     * scheduler needs time in proportion to N to even out after they all wake at once
     * (Linux's CFS gives each up to a few ms of credit for having slept); */
    YIELD_TICKS = 100000000,
    YIELD_TICKS_PER_PROCESS = 8000000,
    MAX_STAMPS = 32768,         /* and the last TSC values they keep, all together */
    MAX_YIELDERS = 128,         /* processes in a sched_yield row (a log entry's owner: 7 bits) */
    PIPE_LOOPS = 2000,          /* round trips per round */
    FORK_LOOPS = 100,           /* fork+exit+wait (and fork+execve+wait) per round */
    FAULT_PAGES = 1024,         /* pages first touched per round */
    EXEC_CHAIN = 20,            /* execve calls per round */
    FUTEX_LOOPS = 2000,         /* futex round trips between two CPUs per round */
    UNMAP_LOOPS = 500,          /* map, touch, unmap with a thread on the other CPU, per round */
    THREAD_LOOPS = 200,         /* thread create and join per round */
    FILE_LOOPS = 2000,          /* open+read+close, stat, getdents64, signals per round */
    DIR_ENTRIES = 100,          /* in the getdents64 row's directory */
    OPEN_FILES = 1000,          /* descriptors open for open_read_close_1000_fds */
    MAX_CHILDREN = 1000,
    LINUX_GETPID_32 = 20,       /* getpid's number in Linux's 32-bit ABI, which int $0x80 takes */
};

/* What the loops above are divided by: 1, or 10 in quick mode. */
static long scale = 1;

/* The TSC at this program's first instruction, for boot_to_init (0 if it was linked without
 * bench_entry). tools/bench.mk makes bench_entry the ELF entry point: it reads the TSC, zeroes
 * the two registers that used (as the kernel left them) and goes on to musl's _start. */
uint64_t entry_tsc;
__asm__(".pushsection .text\n"
        ".globl bench_entry\n"
        ".type bench_entry, @function\n"
        "bench_entry:\n"
        "    rdtsc\n"
        "    mov %eax, entry_tsc(%rip)\n"
        "    mov %edx, entry_tsc+4(%rip)\n"
        "    xor %eax, %eax\n"
        "    xor %edx, %edx\n"
        "    jmp _start\n"
        ".popsection\n");

/* The pipes between this process and its children: down to them, up from them. */
static int down[2], up[2];
/* sched_yield_N: the pipe that gives each child its turn to send its log, and how many TSC
 * values each of its processes may log. */
static int turn[2];
static long log_room;
static pid_t children[MAX_CHILDREN];

/* The time stamp counter, once every earlier instruction is done. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t)hi << 32 | lo;
}

/* getpid through the int $0x80 gate with system call number nr: Twofold's gate takes the
 * 64-bit numbers, Linux's is its 32-bit ABI (getpid is 20 there). */
static inline long int80(long nr)
{
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr)
                     : "rcx", "r8", "r9", "r10", "r11", "memory");
    return ret;
}

/* A system call without arguments through SYSENTER, in Twofold's convention: number in rax,
 * the user stack pointer to come back with in rcx, the return address in r11. Linux has no
 * such door for 64-bit programs. */
static inline long sysenter(long nr)
{
    long ret;
    __asm__ volatile("lea 1f(%%rip), %%r11\n\t"
                     "mov %%rsp, %%rcx\n\t"
                     "sysenter\n"
                     "1:"
                     : "=a"(ret)
                     : "a"(nr)
                     : "rcx", "r11", "memory");
    return ret;
}

static long loops(long n)
{
    return n / scale > 0 ? n / scale : 1;
}

static void result(const char *name, double ticks)
{
    printf("bench: %s %.1f\n", name, ticks);
}

/* verdict: "skipped" (does not apply here) or "failed". */
static void not_measured(const char *name, const char *verdict, const char *why)
{
    printf("bench: %s %s %s\n", name, verdict, why);
}

static int compare_ticks(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t median(uint64_t samples[ROUNDS])
{
    qsort(samples, ROUNDS, sizeof samples[0], compare_ticks);
    return samples[ROUNDS / 2];
}

/* One operation of a timed loop; 0 when it did what it should. */
typedef int (*operation)(void *ctx);

/* Ticks per op(ctx): n calls a round, the median of ROUNDS rounds; -1 if op failed. Always
 * inlined, so that op, a constant at every call, is called directly. */
static inline __attribute__((always_inline)) double time_op(long n, operation op, void *ctx)
{
    uint64_t samples[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t start = rdtsc();
        for (long i = 0; i < n; i++)
            if (op(ctx) != 0)
                return -1;
        samples[round] = rdtsc() - start;
    }
    return (double)median(samples) / (double)n;
}

/* Print ticks as name's result, or name failed with why when ticks is negative. */
static void result_or_failure(const char *name, double ticks, const char *why)
{
    if (ticks < 0)
        not_measured(name, "failed", why);
    else
        result(name, ticks);
}

/* ---- The operations ------------------------------------------------------------------- */

static int op_getpid(void *ctx)
{
    (void)ctx;
    return SYSCALL(SYS_getpid) > 0 ? 0 : -1;
}

static int op_int80_getpid(void *nr)
{
    return int80(*(long *)nr) > 0 ? 0 : -1;
}

static int op_sysenter_getpid(void *ctx)
{
    (void)ctx;
    return sysenter(SYS_getpid) > 0 ? 0 : -1;
}

static int put_byte(int fd)
{
    char byte = 0;
    return SYSCALL(SYS_write, fd, &byte, 1) == 1 ? 0 : -1;
}

/* 1 for a byte read, 0 at end of file, negative on error. */
static long get_byte(int fd)
{
    char byte;
    return SYSCALL(SYS_read, fd, &byte, 1);
}

/* A byte down to the echoing child and its answer back up. */
static int op_pipe_round_trip(void *ctx)
{
    (void)ctx;
    return put_byte(down[1]) == 0 && get_byte(up[0]) == 1 ? 0 : -1;
}

static int op_fork_exit_wait(void *ctx)
{
    (void)ctx;
    long pid = SYSCALL(SYS_fork);
    if (pid == 0)
        SYSCALL(SYS_exit_group, 0);
    int status;
    return pid > 0 && SYSCALL(SYS_wait4, pid, &status, 0, 0) == pid && status == 0 ? 0 : -1;
}

/* A child that executes busybox's true (Debian's static busybox, at BUSYBOX on either
 * kernel), and the wait for it: it must exit with status 0. */
static int op_fork_exec_true(void *ctx)
{
    (void)ctx;
    static char *const argv[] = {"true", NULL};
    long pid = SYSCALL(SYS_fork);
    if (pid == 0) {
        SYSCALL(SYS_execve, BUSYBOX, argv, environ);
        SYSCALL(SYS_exit_group, 127);
    }
    int status;
    return pid > 0 && SYSCALL(SYS_wait4, pid, &status, 0, 0) == pid && status == 0 ? 0 : -1;
}

/* Write to the next page of an area never touched before. */
static int op_first_touch(void *next)
{
    volatile char **page = next;
    **page = 1;
    *page += PAGE;
    return 0;
}

/* ---- Children ------------------------------------------------------------------------- */

/* sched_yield until the TSC passes end, logging it after each call in a ring of log_room
 * entries, so that the last ones stay: the scheduler has settled by then. The number of
 * entries in log (in no particular order), or -1 if a yield failed. */
static long yield_and_log(uint64_t end, uint64_t *log)
{
    long logged = 0;
    while (rdtsc() < end) {
        if (SYSCALL(SYS_sched_yield) != 0)
            return -1;
        log[logged++ % log_room] = rdtsc();
    }
    return logged < log_room ? logged : log_room;
}

/* Transfer exactly size bytes through fd (nr: SYS_read or SYS_write); 0, or -1 if it ends
 * or fails first. */
static int transfer_all(long nr, int fd, void *buf, size_t size)
{
    for (size_t done = 0; done < size;) {
        long n = SYSCALL(nr, fd, (char *)buf + done, size - done);
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* What the children run; their exit status. */

/* A sched_yield_N child: say "ready" up, read from down when to stop, yield and log until
 * then; at its turn (a byte from turn) send up the number of entries, then the log. */
static int yielder(void)
{
    size_t size = (size_t)log_room * sizeof(uint64_t);
    uint64_t *log = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t end;
    close(turn[1]);
    if (log == MAP_FAILED)
        return 1;
    memset(log, 0, size);                       /* no page faults while yielding */
    if (put_byte(up[1]) != 0 || transfer_all(SYS_read, down[0], &end, sizeof end) != 0)
        return 1;
    long logged = yield_and_log(end, log);
    if (logged < 0 || get_byte(turn[0]) != 1)
        return 1;
    size_t bytes = (size_t)logged * sizeof(uint64_t);
    return transfer_all(SYS_write, up[1], &logged, sizeof logged) == 0 &&
           transfer_all(SYS_write, up[1], log, bytes) == 0 ? 0 : 1;
}

/* Echo every byte from down back up, until down is closed. */
static int echo(void)
{
    long got;
    while ((got = get_byte(down[0])) == 1)
        if (put_byte(up[1]) != 0)
            return 1;
    return got == 0 ? 0 : 1;
}

/* Say "here" up, then block reading down until it is closed. */
static int idle(void)
{
    return put_byte(up[1]) == 0 && get_byte(down[0]) == 0 ? 0 : 1;
}

static int open_pipes(void)
{
    if (pipe(down) != 0)
        return -1;
    if (pipe(up) == 0)
        return 0;
    close(down[0]);
    close(down[1]);
    return -1;
}

/* Open down and up, and start count children (count <= MAX_CHILDREN) running body, each with
 * down's write end closed so that closing the parent's ends them. The number started; -1 if
 * the pipes could not be opened. */
static int start_children(int count, int (*body)(void))
{
    if (open_pipes() != 0)
        return -1;
    int started = 0;
    while (started < count) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            close(down[1]);
            _exit(body());
        }
        children[started++] = pid;
    }
    return started;
}

/* End the count children start_children() started: close down and wait for each. Whether
 * all exited with status 0; false without the pipes (count -1). */
static int stop_children(int count)
{
    if (count < 0)
        return 0;
    int ok = 1;
    close(down[1]);
    for (int i = 0; i < count; i++) {
        int status;
        if (waitpid(children[i], &status, 0) != children[i] || status != 0)
            ok = 0;
    }
    close(down[0]);
    close(up[0]);
    close(up[1]);
    return ok;
}

/* ---- The metrics ---------------------------------------------------------------------- */

/* Whether a child can make a SYSENTER system call; prints why not when it cannot (a CPU
 * without SYSENTER in 64-bit mode kills the caller with SIGILL). */
static int sysenter_works(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(sysenter(SYS_getpid) == getpid() ? 0 : 1);
    int status;
    char how[32], why[64];
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        not_measured("sysenter_getpid", "failed", "could not start the probing child");
        return 0;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGILL) {
        not_measured("sysenter_getpid", "skipped", "SIGILL: no SYSENTER in 64-bit mode here");
        return 0;
    }
    if (status != 0) {
        snprintf(why, sizeof why, "the probing child %s", describe_status(status, how, sizeof how));
        not_measured("sysenter_getpid", "failed", why);
        return 0;
    }
    return 1;
}

/* The three doors into the kernel, each with getpid. */
static void bench_doors(int twofold)
{
    long n = loops(SYSCALL_LOOPS);
    result_or_failure("syscall_getpid", time_op(n, op_getpid, NULL), "getpid returned an error");
    long nr = twofold ? SYS_getpid : LINUX_GETPID_32;
    result_or_failure("int80_getpid", time_op(n, op_int80_getpid, &nr), "getpid returned an error");
    if (!twofold)
        not_measured("sysenter_getpid", "skipped", "Linux has no SYSENTER door for 64-bit code");
    else if (sysenter_works())
        result_or_failure("sysenter_getpid", time_op(n, op_sysenter_getpid, NULL),
                          "getpid returned an error");
}

/* getpid_idle_N: the raw system call while N other processes sleep, blocked reading a pipe. */
static void bench_getpid_idle(int procs)
{
    char name[32];
    snprintf(name, sizeof name, "getpid_idle_%d", procs);
    int started = start_children(procs, idle);
    int here = 0;
    while (here < started && get_byte(up[0]) == 1)
        here++;
    double ticks = here == procs ? time_op(loops(SYSCALL_LOOPS), op_getpid, NULL) : -1;
    if (!stop_children(started) && ticks >= 0)
        ticks = -1;
    result_or_failure(name, ticks,
                      here == procs ? "a child or getpid failed" : "could not start the children");
}

/* Once every yielder is ready (blocked, waiting to hear when to stop), send them the time,
 * yield and log with them, and gather every log into logs: process p's (this one is 0) from
 * logs[first[p]] up to logs[first[p + 1]]. 0, or -1 if anything failed. */
static int yield_and_gather(int procs, uint64_t *logs, long first[])
{
    uint64_t end[MAX_YIELDERS];
    for (int p = 1; p < procs; p++)
        if (get_byte(up[0]) != 1)
            return -1;
    end[0] = rdtsc() + (uint64_t)loops(YIELD_TICKS + procs * YIELD_TICKS_PER_PROCESS);
    for (int p = 1; p < procs - 1; p++)
        end[p] = end[0];
    /* one write of at most PIPE_BUF bytes: each child reads a whole one */
    if (transfer_all(SYS_write, down[1], end, (size_t)(procs - 1) * sizeof end[0]) != 0)
        return -1;
    long logged = yield_and_log(end[0], logs);
    first[0] = 0;
    first[1] = logged;
    for (int p = 1; p < procs; p++) {           /* one child's log at a time */
        if (logged < 0 || put_byte(turn[1]) != 0 ||
            transfer_all(SYS_read, up[0], &logged, sizeof logged) != 0 || logged < 0 ||
            logged > log_room)
            return -1;
        size_t bytes = (size_t)logged * sizeof(uint64_t);
        if (transfer_all(SYS_read, up[0], logs + first[p], bytes) != 0)
            return -1;
        first[p + 1] = first[p] + logged;
    }
    return 0;
}

/* Ticks per switch from the logs of procs yielding processes (as yield_and_gather() leaves
 * them; it sorts them): in the span that every log covers (from the latest oldest entry to
 * the earliest newest one), a switch is two neighbouring entries of different processes.
 * The span is cut into ROUNDS equal slices; the median slice's ticks per switch, or -1 with
 * *why set. */
static double ticks_per_switch(uint64_t *logs, int procs, const long first[], const char **why)
{
    uint64_t origin = UINT64_MAX, begin = 0, end = UINT64_MAX;
    *why = "a process never returned from sched_yield in time";
    for (int p = 0; p < procs; p++) {
        if (first[p + 1] == first[p])
            return -1;
        uint64_t oldest = UINT64_MAX, newest = 0;
        for (long i = first[p]; i < first[p + 1]; i++) {
            oldest = logs[i] < oldest ? logs[i] : oldest;
            newest = logs[i] > newest ? logs[i] : newest;
        }
        origin = oldest < origin ? oldest : origin;
        begin = oldest > begin ? oldest : begin;
        end = newest < end ? newest : end;
    }
    *why = "the processes never yielded all at the same time";
    if (end <= begin + ROUNDS)
        return -1;
    /* Sort (time since origin, owner) pairs packed in one word. */
    for (int p = 0; p < procs; p++)
        for (long i = first[p]; i < first[p + 1]; i++)
            logs[i] = (logs[i] - origin) << 7 | (uint64_t)p;
    long total = first[procs];
    qsort(logs, (size_t)total, sizeof logs[0], compare_ticks);

    uint64_t slice = (end - begin) / ROUNDS, switches[ROUNDS] = {0};
    for (long i = 1; i < total; i++) {
        uint64_t before = (logs[i - 1] >> 7) + origin, at = (logs[i] >> 7) + origin;
        if (before >= begin && at <= begin + slice * ROUNDS && ((logs[i] ^ logs[i - 1]) & 127))
            switches[(at - begin - 1) / slice]++;
    }
    uint64_t typical = median(switches);
    *why = "most of the time there was no switch at all";
    return typical ? (double)slice / (double)typical : -1;
}

/* sched_yield_N: N processes (this one and N-1 children), started together, call sched_yield
 * in a loop for a while and log the TSC after each call; the merged logs give the ticks per
 * switch. Switches are counted, not assumed: a scheduler may well return to the caller. */
static void bench_yield(int procs)
{
    char name[32];
    snprintf(name, sizeof name, "sched_yield_%d", procs);
    log_room = MAX_STAMPS / procs;
    if (pipe(turn) != 0) {
        not_measured(name, "failed", "pipe failed");
        return;
    }
    int started = start_children(procs - 1, yielder);
    size_t size = MAX_STAMPS * sizeof(uint64_t);
    uint64_t *logs = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long first[MAX_YIELDERS + 1];
    double ticks = -1;
    const char *why = started == procs - 1 ? "mmap failed" : "could not start the children";
    if (started == procs - 1 && logs != MAP_FAILED) {
        memset(logs, 0, size);                  /* no page faults while yielding */
        why = "sched_yield failed, or a log did not come through the pipe";
        if (yield_and_gather(procs, logs, first) == 0)
            ticks = ticks_per_switch(logs, procs, first, &why);
    }
    close(turn[1]);                             /* a child still waiting for its turn ends */
    if (!stop_children(started) && ticks >= 0) {
        ticks = -1;
        why = "a child did not exit with status 0";
    }
    close(turn[0]);
    if (logs != MAP_FAILED)
        munmap(logs, size);
    result_or_failure(name, ticks, why);
}

/* fork_exit_wait: a child that exits at once, and the wait for it; fork_execve_true: a child
 * that executes busybox true, and the wait (the same plus an execve of busybox and the exit
 * of what it mapped). */
static void bench_fork(void)
{
    result_or_failure("fork_exit_wait", time_op(loops(FORK_LOOPS), op_fork_exit_wait, NULL),
                      "fork or wait4 failed");
    if (access(BUSYBOX, X_OK) != 0)
        not_measured("fork_execve_true", "skipped", "no " BUSYBOX);
    else
        result_or_failure("fork_execve_true", time_op(loops(FORK_LOOPS), op_fork_exec_true, NULL),
                          "fork, execve of " BUSYBOX " true or wait4 failed");
}

/* pipe_round_trip: one byte to a child and one back, through two pipes. */
static void bench_pipe(void)
{
    int started = start_children(1, echo);
    double ticks = started == 1 ? time_op(loops(PIPE_LOOPS), op_pipe_round_trip, NULL) : -1;
    if (!stop_children(started) && ticks >= 0)
        ticks = -1;
    result_or_failure("pipe_round_trip", ticks, "the echoing child, read or write failed");
}

/* page_fault: the first write to each page of a fresh anonymous mapping. Linux is asked for
 * 4 KiB pages (its transparent huge pages would fill 2 MiB at once); Twofold has no madvise. */
static void bench_page_fault(void)
{
    long pages = loops(FAULT_PAGES);
    size_t size = (size_t)(ROUNDS * pages) * PAGE;
    void *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
        not_measured("page_fault", "failed", "mmap failed");
        return;
    }
    madvise(area, size, MADV_NOHUGEPAGE);
    volatile char *next = area;
    result("page_fault", time_op(pages, op_first_touch, &next));
    munmap(area, size);
}

/* ---- Files and signals --------------------------------------------------------------- */

#define FILES "/bench-files"            /* made by bench_files, in the root of either kernel */

static int op_open_read_close(void *ctx)
{
    (void)ctx;
    char buf[64];
    long fd = SYSCALL(SYS_open, FILES "/small", O_RDONLY);
    return fd < 0 || SYSCALL(SYS_read, fd, buf, sizeof buf) != 11 || SYSCALL(SYS_close, fd) != 0;
}

static int op_stat_three_deep(void *ctx)
{
    (void)ctx;
    struct stat st;
    return SYSCALL(SYS_stat, FILES "/a/b/c", &st) != 0;
}

/* The whole directory (its DIR_ENTRIES names, "." and "..") in one getdents64, from the start. */
static int op_list_directory(void *fd)
{
    static char buf[16384];
    long dir = *(int *)fd, n = SYSCALL(SYS_lseek, dir, 0, SEEK_SET) ? -1 : SYSCALL(SYS_getdents64, dir, buf, sizeof buf);
    long names = 0;
    for (long at = 0; at < n; at += ((struct dirent *)(buf + at))->d_reclen)
        names++;
    return names != DIR_ENTRIES + 2;
}

static volatile sig_atomic_t handled;

static void count_a_signal(int signal)
{
    (void)signal;
    handled++;
}

static int op_signal_to_self(void *pid)
{
    sig_atomic_t before = handled;
    return SYSCALL(SYS_kill, *(pid_t *)pid, SIGUSR1) != 0 || handled != before + 1;
}

/* open_read_close: a 11-byte file opened, read whole and closed (and the same with 1000 more
 * descriptors open, open_read_close_1000_fds); stat_3_deep: stat of a path
 * three directories deep; getdents64_100: one getdents64 of a directory of 100 files (after
 * an lseek to its start); signal_round_trip: kill(getpid(), SIGUSR1) to a handler that counts
 * it, and its return through rt_sigreturn. The files are made first, in FILES. */
static void bench_files(void)
{
    char name[64];
    int made = mkdir(FILES, 0755) == 0 && mkdir(FILES "/a", 0755) == 0 && mkdir(FILES "/a/b", 0755) == 0
            && mkdir(FILES "/dir", 0755) == 0;
    int fd = made ? open(FILES "/small", O_CREAT | O_WRONLY, 0644) : -1;
    made = fd >= 0 && write(fd, "eleven byte", 11) == 11 && close(fd) == 0;
    fd = made ? open(FILES "/a/b/c", O_CREAT | O_WRONLY, 0644) : -1;
    made = fd >= 0 && close(fd) == 0;
    for (int i = 0; made && i < DIR_ENTRIES; i++) {
        snprintf(name, sizeof name, FILES "/dir/file%03d", i);
        fd = open(name, O_CREAT | O_WRONLY, 0644);
        made = fd >= 0 && close(fd) == 0;
    }
    const char *why = "the files could not be made, or the call failed";
    result_or_failure("open_read_close", made ? time_op(loops(FILE_LOOPS), op_open_read_close, NULL) : -1, why);
    /* The same with OPEN_FILES more descriptors open: the lowest free one is then far up. */
    int open_fds[OPEN_FILES], opened = 0;
    while (made && opened < OPEN_FILES && (open_fds[opened] = open(FILES "/small", O_RDONLY)) >= 0)
        opened++;
    result_or_failure("open_read_close_1000_fds",
                      opened == OPEN_FILES ? time_op(loops(FILE_LOOPS), op_open_read_close, NULL) : -1,
                      "the files could not be made or opened (RLIMIT_NOFILE?), or the call failed");
    while (opened)
        close(open_fds[--opened]);
    result_or_failure("stat_3_deep", made ? time_op(loops(FILE_LOOPS), op_stat_three_deep, NULL) : -1, why);
    int dir = made ? open(FILES "/dir", O_RDONLY | O_DIRECTORY) : -1;
    result_or_failure("getdents64_100", dir >= 0 ? time_op(loops(FILE_LOOPS), op_list_directory, &dir) : -1, why);
    if (dir >= 0)
        close(dir);
    struct sigaction sa = { .sa_handler = count_a_signal };
    pid_t self = getpid();
    result_or_failure("signal_round_trip",
                      sigaction(SIGUSR1, &sa, NULL) == 0 ? time_op(loops(FILE_LOOPS), op_signal_to_self, &self) : -1,
                      "sigaction, kill or the handler failed");
}

/* ---- Two CPUs (bench smp) -------------------------------------------------------------- */

static void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static long futex_op(atomic_int *word, int op, int val)
{
    enum { FUTEX_WAIT_PRIVATE = 128, FUTEX_WAKE_PRIVATE = 129 };
    return syscall(SYS_futex, word, op ? FUTEX_WAKE_PRIVATE : FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

/* The futex ping-pong's word: 0 idle, 1 asked, 2 answered, 3 stop. */
static atomic_int ping;

static void *answer_pings(void *unused)
{
    (void)unused;
    pin_to(1);
    for (;;) {
        int seen = atomic_load(&ping);
        if (seen == 3)
            return NULL;
        if (seen != 1) {
            futex_op(&ping, 0, seen);       /* wait while it holds what was seen */
            continue;
        }
        atomic_store(&ping, 2);
        futex_op(&ping, 1, 1);
    }
}

static int op_futex_round_trip(void *ctx)
{
    (void)ctx;
    atomic_store(&ping, 1);
    futex_op(&ping, 1, 1);
    int seen;
    while ((seen = atomic_load(&ping)) != 2)
        futex_op(&ping, 0, seen);
    atomic_store(&ping, 0);
    return 0;
}

/* A thread that runs the address space on the other CPU: the munmap row's reason to shoot. */
static atomic_int spinning;

static void *spin_on_cpu_1(void *unused)
{
    (void)unused;
    pin_to(1);
    while (atomic_load(&spinning))
        ;
    return NULL;
}

static int op_map_touch_unmap(void *ctx)
{
    (void)ctx;
    volatile char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;
    *page = 1;
    return munmap((void *)page, PAGE);
}

static void *do_nothing(void *unused)
{
    return unused;
}

static int op_thread_create_join(void *ctx)
{
    (void)ctx;
    pthread_t t;
    return pthread_create(&t, NULL, do_nothing, NULL) || pthread_join(t, NULL);
}

/* futex_wake_2cpu: a round trip through a futex to a thread on the other CPU (a wake and a
 * wait each way); munmap_2cpu: map, touch and unmap a page while another thread of the
 * process runs on the other CPU (which the unmap must reach: a shootdown); thread_create_join:
 * pthread_create of a thread that returns at once, and pthread_join. */
static void bench_smp(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0 || !CPU_ISSET(0, &set) || !CPU_ISSET(1, &set)) {
        const char *why = "needs CPUs 0 and 1";
        not_measured("futex_wake_2cpu", "skipped", why);
        not_measured("munmap_2cpu", "skipped", why);
        not_measured("thread_create_join", "skipped", why);
        return;
    }
    pin_to(0);
    pthread_t partner;
    atomic_store(&ping, 0);
    double ticks = pthread_create(&partner, NULL, answer_pings, NULL) ? -1
                 : time_op(loops(FUTEX_LOOPS), op_futex_round_trip, NULL);
    atomic_store(&ping, 3);
    futex_op(&ping, 1, 1);
    pthread_join(partner, NULL);
    result_or_failure("futex_wake_2cpu", ticks, "pthread_create failed");

    atomic_store(&spinning, 1);
    ticks = pthread_create(&partner, NULL, spin_on_cpu_1, NULL) ? -1
          : time_op(loops(UNMAP_LOOPS), op_map_touch_unmap, NULL);
    atomic_store(&spinning, 0);
    pthread_join(partner, NULL);
    result_or_failure("munmap_2cpu", ticks, "pthread_create, mmap or munmap failed");

    result_or_failure("thread_create_join", time_op(loops(THREAD_LOOPS), op_thread_create_join, NULL),
                      "pthread_create or pthread_join failed");
}

/* execve the program at self, as one more link of the chain (see exec_chain()). */
static void exec_link(const char *self, long left, const char *t0, const char *fd)
{
    char count[24];
    snprintf(count, sizeof count, "%ld", left);
    const char *argv[] = {self, "exec-chain", count, t0, fd, NULL};
    SYSCALL(SYS_execve, self, argv, environ);
}

/* One link of the execve chain, argv = {self, "exec-chain", N, T0, FD}: execve itself again
 * with N - 1, or when N is 1, write the ticks since T0 (8 bytes) to FD. Its exit status. */
static int exec_chain(char **argv)
{
    uint64_t now = rdtsc();
    long left = strtol(argv[2], NULL, 10);
    if (left > 1) {
        exec_link(argv[0], left - 1, argv[3], argv[4]);
        return 127;
    }
    uint64_t elapsed = now - strtoull(argv[3], NULL, 10);
    return write(atoi(argv[4]), &elapsed, sizeof elapsed) == sizeof elapsed ? 0 : 1;
}

/* execve: a child executes this program again, EXEC_CHAIN times in a row, each time up to
 * main (so loading it and musl's start-up count too); the last one sends the time up. */
static void bench_execve(const char *self)
{
    long chain = loops(EXEC_CHAIN);
    uint64_t samples[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        if (pipe(fds) != 0) {
            not_measured("execve", "failed", "pipe failed");
            return;
        }
        pid_t pid = fork();
        if (pid == 0) {
            char t0[24], fd[12];
            close(fds[0]);
            snprintf(fd, sizeof fd, "%d", fds[1]);
            snprintf(t0, sizeof t0, "%llu", (unsigned long long)rdtsc());
            exec_link(self, chain, t0, fd);
            _exit(127);
        }
        close(fds[1]);
        int status = -1;
        long got = pid > 0 ? read(fds[0], &samples[round], sizeof samples[round]) : -1;
        if (pid > 0)
            waitpid(pid, &status, 0);
        close(fds[0]);
        if (got != sizeof samples[round] || status != 0) {
            char why[48];
            not_measured("execve", "failed",
                         pid < 0 ? "could not fork" : describe_status(status, why, sizeof why));
            return;
        }
    }
    result("execve", (double)median(samples) / (double)chain);
}

/* boot_to_init: the TSC at the first instruction of the first process. */
static void bench_boot(void)
{
    if (getpid() != 1)
        not_measured("boot_to_init", "skipped", "not the first process");
    else if (entry_tsc == 0)
        not_measured("boot_to_init", "skipped", "not linked with bench_entry as its entry point");
    else
        result("boot_to_init", (double)entry_tsc);
}

/* bench profile: PROFILE_CALLS getpid calls, then a child and this process each yield to the
 * other PROFILE_CALLS times (every yield switches: each is the other's only rival). */
static int profile_targets(void)
{
    enum { PROFILE_CALLS = 8 };
    for (int i = 0; i < PROFILE_CALLS; i++)
        SYSCALL(SYS_getpid);
    pid_t child = fork();
    for (int i = 0; i < PROFILE_CALLS; i++)
        SYSCALL(SYS_sched_yield);
    if (child == 0)
        _exit(0);
    return child > 0 && waitpid(child, NULL, 0) == child ? 0 : 1;
}

/* The end of a run: "bench: done", and as Linux's first process (whose init may not exit)
 * the power off. */
static int finish(int twofold)
{
    printf("bench: done\n");
    if (!twofold && getpid() == 1) {
        sync();
        reboot(RB_POWER_OFF);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "exec-chain") == 0)
        return exec_chain(argv);
    if (argc == 2 && strcmp(argv[1], "profile") == 0)
        return profile_targets();
    setvbuf(stdout, NULL, _IOLBF, 0);           /* whole lines, and nothing left for a fork */
    bool smp = argc > 1 && strcmp(argv[1], "smp") == 0;
    if (argc > 1 + smp && strcmp(argv[1 + smp], "quick") == 0)
        scale = 10;
    struct utsname u;
    int twofold = on_twofold();
    if (uname(&u) == 0)
        printf("bench: kernel %s %s\n", u.sysname, u.release);
    printf("bench: mode %s%s\n", scale == 1 ? "full" : "quick", smp ? " smp" : "");
    if (smp) {
        bench_smp();
        return finish(twofold);
    }
    /* One CPU, as in the guests, so that on a host too the processes take turns. */
    pin_to(0);
    bench_boot();
    bench_doors(twofold);
    bench_yield(2);
    bench_yield(16);
    bench_yield(128);
    bench_pipe();
    bench_fork();
    bench_page_fault();
    bench_execve(argv[0]);
    bench_getpid_idle(1);
    bench_getpid_idle(100);
    bench_getpid_idle(1000);
    bench_files();
    return finish(twofold);
}
