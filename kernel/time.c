/* kernel/time.c: clocks and sleepers (see time.h). */
#include "kernel/time.h"
#include "arch/x86_64/drivers/pit.h"
#include "arch/x86_64/drivers/rtc.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/spinlock.h"

/* Written once by time_init, before any process runs; read-only after. */
static uint64_t tsc_at_boot, realtime_at_boot_ns;
static uint64_t ns_per_tsc_tick_32;     /* nanoseconds per TSC tick, as a 32.32 fixed point */

/* Sleeping processes, soonest deadline first, linked through wait_next; its own lock
 * protects the order and each sleeper's sleep_deadline. */
static struct wait_queue sleepers;

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

void time_tick(void)
{
    uint64_t now = time_monotonic_ns();
    uint64_t flags = spin_lock(&sleepers.lock);
    while (sleepers.first && sleepers.first->sleep_deadline <= now)
        wake_locked(&sleepers, sleepers.first);
    spin_unlock(&sleepers.lock, flags);
    sched_tick();
}

int time_sleep_until(uint64_t deadline_ns)
{
    struct process *self = current_process();
    while (time_monotonic_ns() < deadline_ns) {
        if (self->pending_signal)
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
