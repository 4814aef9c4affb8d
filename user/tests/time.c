/* user/tests/time.c: the clocks and sleeping, through the system calls themselves:
 * clock_gettime (CLOCK_MONOTONIC, CLOCK_REALTIME), gettimeofday, time and nanosleep, with
 * Linux's errors; children asleep until different deadlines wake in the order of them. No
 * case depends on how fast the machine is: a sleep may end late (a busy host), never early. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include "utest.h"

#define NS_PER_S 1000000000LL
#define MS 1000000LL                    /* nanoseconds */
#define JAN_1_2020 1577836800LL         /* seconds since the epoch */
#define JAN_1_2100 4102444800LL
#define SLEEP_NS (100 * MS)
#define SLEEPERS 4
#define SLEEP_STEP_NS (60 * MS)         /* between the deadlines of the sleepers */
#define FIRST_DEADLINE_NS (300 * MS)    /* after the parent's start: room to fork them all */

/* A timespec in read-only memory: nanosleep may read it, never write it. */
static const struct timespec read_only = { 1, 2 };

/* The time on clock in nanoseconds, from clock_gettime; -1 if the call failed or gave a
 * tv_nsec out of range. */
static long long clock_ns(clockid_t clock)
{
    struct timespec ts;
    if (SYSCALL(SYS_clock_gettime, clock, &ts) != 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NS_PER_S)
        return -1;
    return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* nanosleep(ns) through the system call; returns its result. */
static long sleep_ns(long long ns)
{
    struct timespec ts = { ns / NS_PER_S, ns % NS_PER_S };
    return SYSCALL(SYS_nanosleep, &ts, 0);
}

UTEST(monotonic_never_goes_backwards)
{
    long long last = clock_ns(CLOCK_MONOTONIC);
    int wrong = 0;
    EXPECT(last >= 0);
    for (int i = 0; i < 10000; i++) {
        long long now = clock_ns(CLOCK_MONOTONIC);
        if (now < last)
            wrong++;
        last = now;
    }
    EXPECT_EQ(wrong, 0);
}

UTEST(monotonic_advances_across_a_busy_loop)
{
    long long before = clock_ns(CLOCK_MONOTONIC);
    for (volatile long i = 0; i < 10000000; i++)
        ;
    long long after = clock_ns(CLOCK_MONOTONIC);
    EXPECT(before >= 0);
    EXPECT(after > before);
}

UTEST(realtime_is_a_plausible_date)
{
    long long now = clock_ns(CLOCK_REALTIME);
    EXPECT(now / NS_PER_S > JAN_1_2020);
    EXPECT(now / NS_PER_S < JAN_1_2100);
}

UTEST(clock_gettime_of_an_unknown_clock_is_einval)
{
    static const long clocks[] = { 16, 12345, 0x7fffffff, -1 };
    struct timespec ts;
    for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++)
        EXPECT_EQ(SYSCALL(SYS_clock_gettime, clocks[i], &ts), -EINVAL);
}

UTEST(gettimeofday_and_time_agree_with_realtime)
{
    struct timeval tv;
    struct timezone tz;
    long t = 0;
    long long before = clock_ns(CLOCK_REALTIME) / NS_PER_S;
    EXPECT_EQ(SYSCALL(SYS_gettimeofday, &tv, &tz), 0);
    long returned = SYSCALL(SYS_time, &t);
    long long after = clock_ns(CLOCK_REALTIME) / NS_PER_S;
    EXPECT(before > JAN_1_2020);
    EXPECT(tv.tv_sec >= before && tv.tv_sec <= after);
    EXPECT(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    EXPECT(returned >= before && returned <= after);
    EXPECT_EQ(t, returned);
}

UTEST(gettimeofday_and_time_take_null)
{
    EXPECT_EQ(SYSCALL(SYS_gettimeofday, 0, 0), 0);
    EXPECT(SYSCALL(SYS_time, 0) > JAN_1_2020);
}

UTEST(nanosleep_sleeps_at_least_the_time_asked)
{
    long long before = clock_ns(CLOCK_MONOTONIC);
    EXPECT_EQ(sleep_ns(SLEEP_NS), 0);
    long long slept = clock_ns(CLOCK_MONOTONIC) - before;
    if (slept < SLEEP_NS)
        utest_fail(__FILE__, __LINE__, "asked for %lld ms, slept %lld.%03lld ms", SLEEP_NS / MS,
                   slept / MS, slept % MS / 1000);
}

/* A sleep of zero that waited for anything (a tick, another process) would hang here: the
 * only other process, a child, waits for our word before it does anything. */
UTEST(nanosleep_of_zero_returns_without_waiting_for_a_tick)
{
    int go[2];
    char byte = 0;
    EXPECT_EQ(SYSCALL(SYS_pipe, go), 0);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        _exit(SYSCALL(SYS_read, go[0], &byte, 1) == 1 ? 0 : 1);
    for (int i = 0; i < 1000; i++)
        EXPECT_EQ(sleep_ns(0), 0);
    EXPECT_EQ(SYSCALL(SYS_write, go[1], "g", 1), 1);
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, child, &status, 0, 0), child);
    EXPECT_EXITED(status, 0);
    SYSCALL(SYS_close, go[0]);
    SYSCALL(SYS_close, go[1]);
}

UTEST(nanosleep_leaves_the_remainder_alone_when_not_interrupted)
{
    struct timespec ts = { 0, MS }, rem = { 77, 88 };
    EXPECT_EQ(SYSCALL(SYS_nanosleep, &ts, &rem), 0);
    EXPECT_EQ(rem.tv_sec, 77);
    EXPECT_EQ(rem.tv_nsec, 88);
    /* Linux writes the remainder only when a signal cuts the sleep short. */
    EXPECT_EQ(SYSCALL(SYS_nanosleep, &ts, &read_only), 0);
}

UTEST(nanosleep_with_a_bad_timespec_is_einval)
{
    static const struct timespec bad[] = { { 0, NS_PER_S }, { 0, -1 }, { -1, 0 },
                                           { 0, 0x7fffffffffffffff } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT_EQ(SYSCALL(SYS_nanosleep, &bad[i], 0), -EINVAL);
}

/* What a sleeper reports: its step, and whether it was asleep before its deadline (one
 * forked on a very busy host might only begin after it; its place in the order then says
 * nothing about the kernel's, and it is left out of the check). */
struct wake_report {
    char step, slept;
};

UTEST(sleeping_children_wake_in_the_order_of_their_deadlines)
{
    /* Started in a different order from the one they wake in, each until its own absolute
     * deadline on one clock, so how long the forks take does not change the order. */
    static const int steps[SLEEPERS] = { 4, 1, 3, 2 };
    int p[2];
    pid_t pids[SLEEPERS];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    long long base = clock_ns(CLOCK_MONOTONIC) + FIRST_DEADLINE_NS;
    for (int i = 0; i < SLEEPERS; i++) {
        fflush(stdout);
        pids[i] = fork();
        if (pids[i] == 0) {
            long long deadline = base + steps[i] * SLEEP_STEP_NS;
            struct timespec at = { deadline / NS_PER_S, deadline % NS_PER_S };
            struct wake_report r = { (char)steps[i], clock_ns(CLOCK_MONOTONIC) < deadline };
            if (SYSCALL(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &at, 0) != 0
                || clock_ns(CLOCK_MONOTONIC) < deadline)
                r.step = 0;                     /* it returned early: wrong */
            _exit(SYSCALL(SYS_write, p[1], &r, sizeof r) != sizeof r);
        }
        EXPECT(pids[i] > 0);
    }
    char woke[SLEEPERS + 1] = "", want[SLEEPERS + 1] = "";
    for (int i = 0, n = 0; i < SLEEPERS; i++) {
        struct wake_report r = { 0, 0 };
        EXPECT_EQ(SYSCALL(SYS_read, p[0], &r, sizeof r), sizeof r);
        EXPECT(r.step != 0);
        if (r.slept)
            woke[n++] = (char)('0' + r.step);
    }
    /* The ones that slept, in the order of their steps. */
    for (int step = 1, n = 0; step <= SLEEPERS; step++)
        if (strchr(woke, '0' + step))
            want[n++] = (char)('0' + step);
    EXPECT(strlen(woke) >= 2);                  /* else the order proved nothing */
    EXPECT_STREQ(woke, want);
    for (int i = 0; i < SLEEPERS; i++) {
        int status = 0;
        EXPECT_EQ(SYSCALL(SYS_wait4, pids[i], &status, 0, 0), pids[i]);
        EXPECT_EXITED(status, 0);
    }
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}
