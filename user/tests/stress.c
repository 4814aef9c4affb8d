/* user/tests/stress.c: many processes and much data: a fork/exec/wait tree three deep and
 * three wide, 100 processes alive at once, megabytes through pipes between processes checked
 * byte by byte, many short fork/exit/wait rounds, and every CPU allocating and freeing at
 * once (pages, page tables, kernel stacks, pipes) with every frame back at the end. */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>

#include "utest.h"

#define TREE_DEPTH 3
#define TREE_WIDTH 3
#define LIVE_PROCESSES 100
#define PIPE_BYTES (2 << 20)
#define FORK_ROUNDS 200

/* Fork and wait for a child that runs fn(arg) and exits with its result; returns the wait
 * status. (Unlike run_in_child, the result is the exit code.) */
static int child_status(int (*fn)(long), long arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    int status = 0x7f7f;
    if (pid < 0 || SYSCALL(SYS_wait4, pid, &status, 0, 0) != pid)
        return 0x7f7f;
    return status;
}

/* A node of the tree: a leaf execs this program as "leaf"; an inner node forks TREE_WIDTH
 * children one level down, all alive at once, and waits for them. Returns 0 if the whole
 * subtree succeeded. */
static int tree(long depth)
{
    if (depth == 0) {
        char *argv[] = { (char *)utest_argv0, "leaf", NULL }, *envp[] = { NULL };
        SYSCALL(SYS_execve, argv[0], argv, envp);
        return 126;
    }
    pid_t pids[TREE_WIDTH];
    for (int i = 0; i < TREE_WIDTH; i++) {
        fflush(stdout);
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(tree(depth - 1));
    }
    int failed = 0;
    for (int i = 0; i < TREE_WIDTH; i++) {
        int status;
        if (pids[i] < 0 || SYSCALL(SYS_wait4, pids[i], &status, 0, 0) != pids[i] || status != 0)
            failed = 1;
    }
    return failed;
}

UTEST(fork_exec_wait_tree_three_deep_three_wide)
{
    EXPECT_EXITED(child_status(tree, TREE_DEPTH), 0);
}

UTEST(hundred_processes_alive_at_once)
{
    int hold[2], started[2];
    pid_t pids[LIVE_PROCESSES];
    EXPECT_EQ(SYSCALL(SYS_pipe, hold), 0);
    EXPECT_EQ(SYSCALL(SYS_pipe, started), 0);
    for (int i = 0; i < LIVE_PROCESSES; i++) {
        fflush(stdout);
        pids[i] = fork();
        if (pids[i] == 0) {
            /* Say so, then wait until the parent closes the pipe. */
            char byte = 1;
            SYSCALL(SYS_close, hold[1]);
            SYSCALL(SYS_write, started[1], &byte, 1);
            _exit(SYSCALL(SYS_read, hold[0], &byte, 1) == 0 ? 0 : 1);
        }
        EXPECT(pids[i] > 0);
    }
    char buf[LIVE_PROCESSES];
    long got = 0, n;
    while (got < LIVE_PROCESSES && (n = SYSCALL(SYS_read, started[0], buf, sizeof buf - got)) > 0)
        got += n;
    EXPECT_EQ(got, LIVE_PROCESSES);
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, -1, &status, WNOHANG, 0), 0);     /* all still alive */
    SYSCALL(SYS_close, hold[1]);
    for (int i = 0; i < LIVE_PROCESSES; i++) {
        EXPECT_EQ(SYSCALL(SYS_wait4, pids[i], &status, 0, 0), pids[i]);
        EXPECT_EXITED(status, 0);
    }
    EXPECT_EQ(SYSCALL(SYS_wait4, -1, &status, 0, 0), -ECHILD);
    SYSCALL(SYS_close, hold[0]);
    SYSCALL(SYS_close, started[0]);
    SYSCALL(SYS_close, started[1]);
}

/* The test data: a xorshift stream, the same on both sides of a pipe. */
static uint64_t next_byte(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state >> 56;
}

/* Write PIPE_BYTES of the stream seeded with seed to fd, in writes of varying size. Returns 0
 * on success. */
static int send_stream(int fd, uint64_t seed)
{
    static unsigned char buf[8192];
    uint64_t state = seed;
    for (long sent = 0, size = 1; sent < PIPE_BYTES; size = size * 7 % 8191 + 1) {
        long chunk = size < PIPE_BYTES - sent ? size : PIPE_BYTES - sent;
        for (long i = 0; i < chunk; i++)
            buf[i] = (unsigned char)next_byte(&state);
        for (long done = 0; done < chunk;) {
            long n = SYSCALL(SYS_write, fd, buf + done, chunk - done);
            if (n <= 0)
                return 1;
            done += n;
        }
        sent += chunk;
    }
    return 0;
}

/* Read the stream seeded with seed from fd to its end: 0 if it was exactly PIPE_BYTES, all
 * right; 1 if a byte differed, 2 if it was short or long, 3 on a read error. */
static int check_stream(int fd, uint64_t seed)
{
    static unsigned char buf[5000];
    uint64_t state = seed;
    long total = 0, n;
    while ((n = SYSCALL(SYS_read, fd, buf, sizeof buf)) > 0) {
        for (long i = 0; i < n; i++)
            if (total + i >= PIPE_BYTES || buf[i] != (unsigned char)next_byte(&state))
                return total + i >= PIPE_BYTES ? 2 : 1;
        total += n;
    }
    return n < 0 ? 3 : total == PIPE_BYTES ? 0 : 2;
}

UTEST(pipes_carry_megabytes_both_ways)
{
    int down[2], up[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, down), 0);
    EXPECT_EQ(SYSCALL(SYS_pipe, up), 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        SYSCALL(SYS_close, down[1]);
        SYSCALL(SYS_close, up[0]);
        /* Check what comes down, then send up. */
        int checked = check_stream(down[0], 1);
        _exit(checked | send_stream(up[1], 2) << 2);
    }
    SYSCALL(SYS_close, down[0]);
    SYSCALL(SYS_close, up[1]);
    EXPECT_EQ(send_stream(down[1], 1), 0);
    SYSCALL(SYS_close, down[1]);
    EXPECT_EQ(check_stream(up[0], 2), 0);
    SYSCALL(SYS_close, up[0]);
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_EXITED(status, 0);
}

UTEST(pipe_between_two_siblings)
{
    int p[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    fflush(stdout);
    pid_t writer = fork();
    if (writer == 0) {
        SYSCALL(SYS_close, p[0]);
        _exit(send_stream(p[1], 3));
    }
    pid_t reader = fork();
    if (reader == 0) {
        SYSCALL(SYS_close, p[1]);
        _exit(check_stream(p[0], 3));
    }
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, writer, &status, 0, 0), writer);
    EXPECT_EXITED(status, 0);
    EXPECT_EQ(SYSCALL(SYS_wait4, reader, &status, 0, 0), reader);
    EXPECT_EXITED(status, 0);
}

static int exit_with(long code)
{
    return (int)code;
}

UTEST(many_fork_exit_wait_rounds)
{
    int wrong = 0;
    for (int i = 0; i < FORK_ROUNDS; i++)
        if (child_status(exit_with, i % 256) != (i % 256) << 8)
            wrong++;
    EXPECT_EQ(wrong, 0);
}

enum { CPU_ROUNDS = 60, CPU_PAGES = 16 };

/* One CPU's share: fork children that map, touch and unmap pages and open a pipe, each
 * round. Its exit code: the rounds that went wrong. */
static int churn_on(long cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set))
        return 1;
    int wrong = 0;
    for (int round = 0; round < CPU_ROUNDS; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            char *p = mmap(NULL, CPU_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            int fds[2];
            if (p == MAP_FAILED || pipe(fds))
                _exit(1);
            for (int i = 0; i < CPU_PAGES; i++)
                p[i * 4096] = (char)i;
            _exit(munmap(p, CPU_PAGES * 4096) || write(fds[1], "x", 1) != 1);
        }
        int status;
        wrong += pid < 0 || waitpid(pid, &status, 0) != pid || status != 0;
    }
    return wrong;
}

UTEST(every_cpu_allocates_and_frees_at_once)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    long before = free_frames();
    pid_t workers[CPU_SETSIZE];
    int n = 0;
    fflush(stdout);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set)) {
            workers[n] = fork();
            if (workers[n] == 0)
                _exit(churn_on(cpu));
            EXPECT(workers[n] > 0);
            n++;
        }
    for (int i = 0; i < n; i++) {
        int status;
        EXPECT_EQ(waitpid(workers[i], &status, 0), workers[i]);
        EXPECT_EXITED(status, 0);
    }
    if (on_twofold())
        EXPECT_EQ(free_frames(), before);
}

/* Run again as a leaf of the tree. */
int utest_reexec(int argc, char **argv)
{
    return argc == 2 && strcmp(argv[1], "leaf") == 0 ? 0 : 1;
}
