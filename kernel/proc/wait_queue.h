/* kernel/proc/wait_queue.h: processes waiting for something (data in a pipe, a child's exit). */
#pragma once
#include <stdint.h>

struct process;
struct spinlock;

struct wait_queue {
    struct process *first;
};

/* Block the current process on q until wake_all(q) (or a kill) makes it runnable again,
 * running others meanwhile. Callers loop: the condition may not hold when it returns. */
void sleep_on(struct wait_queue *q);

/* The same, entering q at *position (q->first, or a waiter's wait_next: a queue may be kept
 * in order) and, if lock is not NULL, releasing the lock that guards q (taken with flags)
 * only once the process is on q, so no wakeup can slip in between. */
void sleep_on_at(struct wait_queue *q, struct process **position, struct spinlock *lock, uint64_t flags);

/* Make every process waiting on q runnable. */
void wake_all(struct wait_queue *q);

/* Take p off whatever queue it waits on, and make it runnable (a kill does this). */
void wake_process(struct process *p);
