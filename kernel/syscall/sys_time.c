/* kernel/syscall/sys_time.c: the system calls about time. */
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"

enum {
    CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
    CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
    CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, TIMER_ABSTIME = 1,
};

struct timespec64 {
    int64_t sec, nsec;
};

/* The clock's time now, or -EINVAL for a clock Twofold does not keep. */
static int64_t clock_now(int clock)
{
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        return (int64_t)time_realtime_ns();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:                /* nothing suspends */
        return (int64_t)time_monotonic_ns();
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:       /* one thread a process */
        return (int64_t)sched_cpu_ns(current_process());
    default:
        return -EINVAL;
    }
}

static int put_timespec(uint64_t user, int64_t ns)
{
    struct timespec64 t = { ns / (int64_t)NS_PER_SECOND, ns % (int64_t)NS_PER_SECOND };
    return copy_to_user(user, &t, sizeof t);
}

SYSCALL_DEFINE2(clock_gettime, int, clock, uint64_t, ts)
{
    int64_t now = clock_now(clock);
    return now < 0 ? now : put_timespec(ts, now);
}

SYSCALL_DEFINE2(gettimeofday, uint64_t, tv, uint64_t, tz)
{
    uint64_t ns = time_realtime_ns();
    struct { int64_t sec, usec; } t = { (int64_t)(ns / NS_PER_SECOND), (int64_t)(ns % NS_PER_SECOND / 1000) };
    static const int32_t utc[2] = { 0, 0 };    /* struct timezone: minutes west, no DST */
    if ((tv && copy_to_user(tv, &t, sizeof t)) || (tz && copy_to_user(tz, utc, sizeof utc)))
        return -EFAULT;
    return 0;
}

SYSCALL_DEFINE1(time, uint64_t, t)
{
    int64_t seconds = (int64_t)(time_realtime_ns() / NS_PER_SECOND);
    if (t && copy_to_user(t, &seconds, sizeof seconds))
        return -EFAULT;
    return seconds;
}

/* Sleep until the monotonic deadline. Cut short by a signal: the time left goes to rem (if
 * not 0), and -ERESTART_RESTARTBLOCK says to go on with it (restart_syscall) if no handler
 * runs, and to fail with -EINTR if one does (nanosleep is never restarted for a handler). */
static long sleep_to(uint64_t deadline, uint64_t rem)
{
    if (time_sleep_until(deadline) == 0)
        return 0;
    uint64_t now = time_monotonic_ns();
    if (rem && put_timespec(rem, deadline > now ? (int64_t)(deadline - now) : 0))
        return -EFAULT;
    struct process *self = current_process();
    self->restart.deadline = deadline;
    self->restart.rem = rem;
    return -ERESTART_RESTARTBLOCK;
}

SYSCALL_DEFINE4(clock_nanosleep, int, clock, int, flags, uint64_t, req, uint64_t, rem)
{
    struct timespec64 t;
    if (copy_from_user(&t, req, sizeof t))
        return -EFAULT;
    if (t.sec < 0 || t.nsec < 0 || t.nsec >= (int64_t)NS_PER_SECOND || flags & ~TIMER_ABSTIME)
        return -EINVAL;
    if (clock == CLOCK_THREAD_CPUTIME_ID)
        return -EOPNOTSUPP;                 /* as on Linux */
    if (clock == CLOCK_PROCESS_CPUTIME_ID)
        return -EINVAL;                     /* Linux sleeps on it; Twofold does not yet */
    int64_t now = clock_now(clock);
    if (now < 0)
        return now;
    /* Sleep on the monotonic clock: a deadline on the wall clock is the same distance away. */
    uint64_t asked = (uint64_t)t.sec * NS_PER_SECOND + (uint64_t)t.nsec;
    uint64_t distance = flags & TIMER_ABSTIME ? (asked > (uint64_t)now ? asked - (uint64_t)now : 0) : asked;
    return sleep_to(time_monotonic_ns() + distance, flags & TIMER_ABSTIME ? 0 : rem);
}

/* restart_syscall: go on with the sleep a signal cut short (one that ran no handler: a stop
 * and a continue), to the same deadline. */
SYSCALL_DEFINE0(restart_syscall)
{
    struct process *self = current_process();
    return sleep_to(self->restart.deadline, self->restart.rem);
}

SYSCALL_DEFINE2(nanosleep, uint64_t, req, uint64_t, rem)
{
    return do_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}
