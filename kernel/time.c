/* kernel/time.c: clocks and sleepers (see time.h). */
#include "kernel/time.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/drivers/pit.h"
#include "arch/x86_64/drivers/rtc.h"
#include "arch/x86_64/percpu.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/spinlock.h"

/* Written once by time_init, before any process runs; read-only after. */
static uint64_t tsc_at_boot, realtime_at_boot_ns;
static uint64_t ns_per_tsc_tick_32;     /* nanoseconds per TSC tick, as a 32.32 fixed point */

/* Sleeping processes, soonest deadline first, linked through wait_next; its own lock
 * protects the order and each sleeper's sleep_deadline. */
static struct wait_queue sleepers;

/* Processes with an alarm (ITIMER_REAL), soonest first, linked through alarm_next;
 * alarm_lock protects the list and each one's alarm_deadline and alarm_interval. Lock order:
 * it, then process_lock. */
static struct process *alarms;
static struct spinlock alarm_lock;

/* Processes whose wait has a deadline (poll, select), in no order, linked through
 * timeout_next; timeout_lock protects the list and each one's timeout_deadline. Lock order:
 * it, then the lock of the queue the process waits on. */
static struct process *timeouts;
static struct spinlock timeout_lock;

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

void time_init(void)
{
    const uint16_t ticks = PIT_HZ / 100;             /* 10 ms */
    uint64_t start = rdtsc();
    pit_wait(ticks);
    uint64_t tsc_hz = (rdtsc() - start) * PIT_HZ / ticks;
    ns_per_tsc_tick_32 = (NS_PER_SECOND << 32) / tsc_hz;
    tsc_at_boot = rdtsc();
    realtime_at_boot_ns = rtc_read_epoch_seconds() * NS_PER_SECOND;
}

uint64_t time_monotonic_ns(void)
{
    return (uint64_t)((unsigned __int128)(rdtsc() - tsc_at_boot) * ns_per_tsc_tick_32 >> 32);
}

uint64_t time_realtime_ns(void)
{
    return realtime_at_boot_ns + time_monotonic_ns();
}

/* Take p off the alarm list, if it is on it. alarm_lock held. */
static void unlink_alarm(struct process *p)
{
    for (struct process **link = &alarms; *link; link = &(*link)->alarm_next)
        if (*link == p) {
            *link = p->alarm_next;
            break;
        }
    p->alarm_next = NULL;
    p->alarm_deadline = 0;
}

/* Put p on the alarm list for its alarm_deadline. alarm_lock held. */
static void link_alarm(struct process *p)
{
    struct process **link = &alarms;
    while (*link && (*link)->alarm_deadline <= p->alarm_deadline)
        link = &(*link)->alarm_next;
    p->alarm_next = *link;
    *link = p;
}

/* SIGALRM for each alarm that is due, and the next one of each interval timer. */
static void ring_alarms(uint64_t now)
{
    uint64_t flags = spin_lock(&alarm_lock);
    while (alarms && alarms->alarm_deadline <= now) {
        struct process *p = alarms;
        uint64_t interval = p->alarm_interval;
        unlink_alarm(p);
        uint64_t signal_flags = process_lock_take();
        signal_send_process(p, SIGALRM, &(struct signal_info){ .code = SI_KERNEL });
        process_lock_drop(signal_flags);
        if (interval) {
            p->alarm_interval = interval;
            p->alarm_deadline = now + interval;
            link_alarm(p);
        }
    }
    spin_unlock(&alarm_lock, flags);
}

void time_alarm_get(struct process *p, uint64_t *left, uint64_t *interval)
{
    uint64_t flags = spin_lock(&alarm_lock);
    uint64_t now = time_monotonic_ns();
    *left = p->alarm_deadline ? (p->alarm_deadline > now ? p->alarm_deadline - now : 1) : 0;
    *interval = p->alarm_interval;
    spin_unlock(&alarm_lock, flags);
}

void time_alarm_set(struct process *p, uint64_t after_ns, uint64_t interval_ns)
{
    uint64_t flags = spin_lock(&alarm_lock);
    unlink_alarm(p);
    p->alarm_interval = after_ns ? interval_ns : 0;
    if (after_ns) {
        p->alarm_deadline = time_monotonic_ns() + after_ns;
        link_alarm(p);
    }
    spin_unlock(&alarm_lock, flags);
}

void time_alarm_cancel(struct process *p)
{
    time_alarm_set(p, 0, 0);
}

void time_timeout_set(struct process *p, uint64_t deadline_ns)
{
    uint64_t flags = spin_lock(&timeout_lock);
    p->timeout_deadline = deadline_ns;
    p->timeout_next = timeouts;
    timeouts = p;
    spin_unlock(&timeout_lock, flags);
}

void time_timeout_cancel(struct process *p)
{
    uint64_t flags = spin_lock(&timeout_lock);
    for (struct process **link = &timeouts; *link; link = &(*link)->timeout_next)
        if (*link == p) {
            *link = p->timeout_next;
            break;
        }
    spin_unlock(&timeout_lock, flags);
}

/* Wake each process whose deadline has come. It stays on the list until it cancels, and is
 * woken at every tick till then: one that was not asleep yet when its deadline came (it is
 * about to be) is woken at the next. */
static void expire_timeouts(uint64_t now)
{
    uint64_t flags = spin_lock(&timeout_lock);
    for (struct process *p = timeouts; p; p = p->timeout_next)
        if (p->timeout_deadline <= now)
            wake_process(p);
    spin_unlock(&timeout_lock, flags);
}

void time_tick(const struct trap_frame *frame)
{
    if (this_cpu()->id != 0) {              /* the boot CPU keeps time; each CPU counts its own */
        sched_tick((frame->cs & 3) == 3);
        return;
    }
    uint64_t now = time_monotonic_ns();
    uint64_t flags = spin_lock(&sleepers.lock);
    while (sleepers.first && sleepers.first->sleep_deadline <= now)
        wake_locked(&sleepers, sleepers.first);
    spin_unlock(&sleepers.lock, flags);
    expire_timeouts(now);
    ring_alarms(now);
    sched_tick((frame->cs & 3) == 3);
}

int time_sleep_until(uint64_t deadline_ns)
{
    struct process *self = current_process();
    while (time_monotonic_ns() < deadline_ns) {
        if (signal_pending(self))
            return -EINTR;
        uint64_t flags = spin_lock(&sleepers.lock);
        self->sleep_deadline = deadline_ns;
        struct process **link = &sleepers.first;       /* soonest first */
        while (*link && (*link)->sleep_deadline <= deadline_ns)
            link = &(*link)->wait_next;
        sleep_on_at(&sleepers, link, &sleepers.lock, flags);
    }
    return 0;
}
