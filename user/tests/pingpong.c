/* user/tests/pingpong.c: processes in a ring of pipes pass a token around, lap after lap,
 * with none lost or duplicated: 200 children and this process for 20 laps, and this process
 * and one child back and forth many times; then every member exits and is reaped. */
#include <errno.h>

#include "utest.h"

/* A member of a ring of `members` processes: pass on each token read from in to out, plus 1,
 * until end of file. The token reaches member `index` on lap L as L * members + index.
 * Returns 0 if exactly `laps` tokens came, each with its right value; 1 if a value was
 * wrong, 2 if too few or too many came, 3 on a read or write error. */
static int ring_member(int index, int members, int laps, int in, int out)
{
    long token, seen = 0, n;
    while ((n = SYSCALL(SYS_read, in, &token, sizeof token)) == sizeof token) {
        if (token != seen * members + index)
            return 1;
        token++;
        seen++;
        if (SYSCALL(SYS_write, out, &token, sizeof token) != sizeof token)
            return 3;
    }
    return n != 0 ? 3 : seen != laps ? 2 : 0;
}

/* Build a ring of `members` children with this process closing it, send one token around it
 * `laps` times, checking its value after each lap, then close the ring and reap every
 * member. Each process holds two pipe ends of the ring at most, this one four. */
static void run_ring(int members, int laps)
{
    pid_t pids[members];
    int first[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, first), 0);
    int into_ring = first[1], tail = first[0];    /* tail: what the next member reads */
    int started = 0;
    while (started < members) {
        int next[2];
        if (SYSCALL(SYS_pipe, next) != 0)
            break;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            SYSCALL(SYS_close, into_ring);
            SYSCALL(SYS_close, next[0]);
            _exit(ring_member(started, members, laps, tail, next[1]));
        }
        SYSCALL(SYS_close, next[1]);
        if (pid < 0) {
            SYSCALL(SYS_close, next[0]);
            break;
        }
        SYSCALL(SYS_close, tail);
        tail = next[0];
        pids[started++] = pid;
    }
    EXPECT_EQ(started, members);

    long token = 0, wrong_laps = 0;
    for (int lap = 0; lap < laps && started == members; lap++) {
        EXPECT_EQ(SYSCALL(SYS_write, into_ring, &token, sizeof token), sizeof token);
        if (SYSCALL(SYS_read, tail, &token, sizeof token) != sizeof token ||
            token != (lap + 1L) * members)
            wrong_laps++;
    }
    EXPECT_EQ(wrong_laps, 0);
    EXPECT_EQ(token, (long)laps * members);

    /* End of file goes round the ring: each member exits and closes its way out. */
    SYSCALL(SYS_close, into_ring);
    EXPECT_EQ(SYSCALL(SYS_read, tail, &token, sizeof token), 0);   /* no token left over */
    SYSCALL(SYS_close, tail);
    int failed = 0, first_failed = 0, first_status = 0, status = 0x7f7f;
    for (int i = 0; i < started; i++, status = 0x7f7f) {
        if (SYSCALL(SYS_wait4, pids[i], &status, 0, 0) == pids[i] && status == 0)
            continue;
        if (!failed++) {
            first_failed = i;
            first_status = status;
        }
    }
    char how[48];
    if (failed)
        utest_fail(__FILE__, __LINE__, "%d of %d members failed; the first, member %d, %s",
                   failed, started, first_failed,
                   describe_status(first_status, how, sizeof how));
    EXPECT_EQ(SYSCALL(SYS_wait4, -1, &status, 0, 0), -ECHILD);
}

UTEST(two_hundred_processes_pass_a_token_around_a_ring)
{
    run_ring(200, 20);
}

UTEST(two_processes_pass_a_token_back_and_forth)
{
    run_ring(1, 2000);
}
