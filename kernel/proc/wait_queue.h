/* kernel/proc/wait_queue.h: processes waiting for something (data in a pipe, a child's exit,
 * a typed line, a deadline), the way xv6's sleep(chan, lock) does it: the waiter holds the
 * lock that guards what it waits for, finds it not there, and sleeps; the lock is released
 * only once the waiter is on the queue, so a wake that comes between the test and the sleep
 * finds it there. Lock order: the condition's lock, then the queue's, then the run queue's.
 */
#pragma once
#include "kernel/spinlock.h"
#include <stdint.h>

struct process;

struct wait_queue {
    struct spinlock lock;           /* protects first, and each waiter's wait_next and waiting_on */
    struct process *first;
};

/* The current process waits on q. The caller holds `held` (taken with flags), the lock that
 * guards the condition it found false; it may be q's own lock. The process joins q, then
 * held is released and others run until a wake or a kill makes this one runnable again; it
 * returns with held released, and the caller takes it again and tests once more. A process
 * with a kill pending does not go to sleep (it returns at once). */
void sleep_on(struct wait_queue *q, struct spinlock *held, uint64_t flags);

/* The same, entering q at *position (a waiter's wait_next, for a queue kept in order; chosen
 * while holding q's lock, which must then be `held`). */
void sleep_on_at(struct wait_queue *q, struct process **position, struct spinlock *held, uint64_t flags);

/* Make every process waiting on q runnable (takes q's lock). */
void wake_all(struct wait_queue *q);

/* Take p off whatever queue it waits on, and make it runnable (a kill does this; takes that
 * queue's lock). */
void wake_process(struct process *p);

/* Wake p, which waits on q, whose lock the caller holds. */
void wake_locked(struct wait_queue *q, struct process *p);
