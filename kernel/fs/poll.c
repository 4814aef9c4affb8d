/* kernel/fs/poll.c: the one queue of pollers (see poll.h). */
#include "kernel/fs/poll.h"
#include "kernel/proc/process.h"
#include "kernel/proc/wait_queue.h"
#include "kernel/time.h"

/* Every sleeping poller; its lock protects changes too. */
static struct wait_queue pollers;
static uint64_t changes;

void poll_notify(void)
{
    uint64_t flags = spin_lock(&pollers.lock);
    changes++;
    while (pollers.first)
        wake_locked(&pollers, pollers.first);
    spin_unlock(&pollers.lock, flags);
}

uint64_t poll_changes(void)
{
    uint64_t flags = spin_lock(&pollers.lock);
    uint64_t seen = changes;
    spin_unlock(&pollers.lock, flags);
    return seen;
}

void poll_wait(uint64_t seen, uint64_t deadline)
{
    struct process *self = current_process();
    if (deadline != UINT64_MAX)
        time_timeout_set(self, deadline);
    uint64_t flags = spin_lock(&pollers.lock);
    if (changes != seen || time_monotonic_ns() >= deadline)
        spin_unlock(&pollers.lock, flags);
    else
        sleep_on(&pollers, &pollers.lock, flags);
    if (deadline != UINT64_MAX)
        time_timeout_cancel(self);
}
