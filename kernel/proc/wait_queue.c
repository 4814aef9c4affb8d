/* kernel/proc/wait_queue.c: sleeping and waking (see wait_queue.h). */
#include "kernel/proc/wait_queue.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/spinlock.h"

void sleep_on_at(struct wait_queue *q, struct process **position, struct spinlock *lock, uint64_t flags)
{
    struct process *self = current_process();
    self->state = PROCESS_BLOCKED;
    self->waiting_on = q;
    self->wait_next = *position;
    *position = self;
    if (lock)
        spin_unlock(lock, flags);
    schedule();
}

void sleep_on(struct wait_queue *q)
{
    sleep_on_at(q, &q->first, NULL, 0);
}

void wake_all(struct wait_queue *q)
{
    while (q->first)
        wake_process(q->first);
}

void wake_process(struct process *p)
{
    if (!p->waiting_on)
        return;
    for (struct process **link = &p->waiting_on->first; *link; link = &(*link)->wait_next)
        if (*link == p) {
            *link = p->wait_next;
            break;
        }
    p->waiting_on = NULL;
    if (p->state == PROCESS_BLOCKED)
        sched_enqueue(p);
}
