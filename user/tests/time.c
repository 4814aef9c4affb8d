/* user/tests/time.c: the clocks and sleeping, through the system calls themselves:
 * clock_gettime (CLOCK_MONOTONIC, CLOCK_REALTIME), gettimeofday, time and nanosleep, with
 * Linux's errors; children that sleep for different times wake in the order of their sleeps. */
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
#define OVERSLEEP_NS (200 * MS)         /* how late a sleep may end, on an emulator */
#define SLEEPERS 4
#define SLEEP_STEP_NS (60 * MS)         /* between the wake-up times of the sleepers */

/* Addresses the time calls may not write through, filled in by bad_pointers(); the last is
 * readable, so nanosleep may read a timespec from it. */
enum { NULL_POINTER, UNMAPPED, KERNEL_IMAGE, READ_ONLY, BAD_POINTERS };
static const struct timespec read_only = { 1, 2 };

/* Fill in bad[]; the unmapped one is a page that was mapped a moment ago. */
static void bad_pointers(unsigned long bad[BAD_POINTERS])
{
    long page = SYSCALL(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    EXPECT(page > 0);
    EXPECT_EQ(SYSCALL(SYS_munmap, page, 4096), 0);
    bad[NULL_POINTER] = 0;
    bad[UNMAPPED] = (unsigned long)page;
    bad[KERNEL_IMAGE] = 0xffffffff80100000;
    bad[READ_ONLY] = (unsigned long)&read_only;
}

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

UTEST(clock_gettime_to_a_bad_pointer_is_efault)
{
    unsigned long bad[BAD_POINTERS];
    bad_pointers(bad);
    for (int i = 0; i < BAD_POINTERS; i++) {
        EXPECT_EQ(SYSCALL(SYS_clock_gettime, CLOCK_MONOTONIC, bad[i]), -EFAULT);
        EXPECT_EQ(SYSCALL(SYS_clock_gettime, CLOCK_REALTIME, bad[i]), -EFAULT);
    }
    EXPECT_EQ(read_only.tv_sec, 1);
    EXPECT_EQ(read_only.tv_nsec, 2);
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

UTEST(gettimeofday_and_time_to_a_bad_pointer_are_efault)
{
    unsigned long bad[BAD_POINTERS];
    bad_pointers(bad);
    for (int i = NULL_POINTER + 1; i < BAD_POINTERS; i++) {     /* NULL means "none" to both */
        EXPECT_EQ(SYSCALL(SYS_gettimeofday, bad[i], 0), -EFAULT);
        EXPECT_EQ(SYSCALL(SYS_time, bad[i]), -EFAULT);
    }
}

UTEST(nanosleep_sleeps_about_the_time_asked)
{
    long long before = clock_ns(CLOCK_MONOTONIC);
    EXPECT_EQ(sleep_ns(SLEEP_NS), 0);
    long long slept = clock_ns(CLOCK_MONOTONIC) - before;
    if (slept < SLEEP_NS || slept > SLEEP_NS + OVERSLEEP_NS)
        utest_fail(__FILE__, __LINE__, "asked for %lld ms, slept %lld.%03lld ms", SLEEP_NS / MS,
                   slept / MS, slept % MS / 1000);
}

UTEST(nanosleep_of_zero_returns_at_once)
{
    long long before = clock_ns(CLOCK_MONOTONIC);
    EXPECT_EQ(sleep_ns(0), 0);
    EXPECT(clock_ns(CLOCK_MONOTONIC) - before < OVERSLEEP_NS);
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

UTEST(nanosleep_from_a_bad_pointer_is_efault)
{
    unsigned long bad[BAD_POINTERS];
    bad_pointers(bad);
    for (int i = 0; i < READ_ONLY; i++)
        EXPECT_EQ(SYSCALL(SYS_nanosleep, bad[i], 0), -EFAULT);
}

UTEST(sleeping_children_wake_in_the_order_of_their_sleeps)
{
    /* Started in a different order from the one they wake in. */
    static const int steps[SLEEPERS] = { 4, 1, 3, 2 };
    int p[2];
    pid_t pids[SLEEPERS];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    for (int i = 0; i < SLEEPERS; i++) {
        fflush(stdout);
        pids[i] = fork();
        if (pids[i] == 0) {
            char step = (char)steps[i];
            if (sleep_ns(steps[i] * SLEEP_STEP_NS) != 0)
                step = 0;
            _exit(SYSCALL(SYS_write, p[1], &step, 1) != 1);
        }
        EXPECT(pids[i] > 0);
    }
    char woke[SLEEPERS + 1] = "";
    for (int i = 0; i < SLEEPERS; i++) {
        EXPECT_EQ(SYSCALL(SYS_read, p[0], &woke[i], 1), 1);
        woke[i] += '0';
    }
    EXPECT_STREQ(woke, "1234");
    for (int i = 0; i < SLEEPERS; i++) {
        int status = 0;
        EXPECT_EQ(SYSCALL(SYS_wait4, pids[i], &status, 0, 0), pids[i]);
        EXPECT_EXITED(status, 0);
    }
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}
