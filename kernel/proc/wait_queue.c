/* kernel/proc/wait_queue.c: sleeping and waking (see wait_queue.h). */
#include "kernel/proc/wait_queue.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"

void sleep_on_at(struct wait_queue *q, struct process **position, struct spinlock *held, uint64_t flags)
{
    struct process *self = current_process();
    bool own = held == &q->lock;
    uint64_t q_flags = own ? 0 : spin_lock(&q->lock);
    bool killed = signal_pending(self);         /* a signal came before it could wake us */
    if (!killed) {
        self->state = PROCESS_BLOCKED;
        self->waiting_on = q;
        self->wait_next = *position;
        *position = self;
    }
    if (!own)
        spin_unlock(&q->lock, q_flags);
    spin_unlock(held, flags);
    if (!killed)
        schedule();
}

void sleep_on(struct wait_queue *q, struct spinlock *held, uint64_t flags)
{
    sleep_on_at(q, &q->first, held, flags);
}

void wake_locked(struct wait_queue *q, struct process *p)
{
    for (struct process **link = &q->first; *link; link = &(*link)->wait_next)
        if (*link == p) {
            *link = p->wait_next;
            break;
        }
    p->waiting_on = NULL;
    if (p->state == PROCESS_BLOCKED)
        sched_enqueue(p);
}

void wake_all(struct wait_queue *q)
{
    uint64_t flags = spin_lock(&q->lock);
    while (q->first)
        wake_locked(q, q->first);
    spin_unlock(&q->lock, flags);
}

void wake_process(struct process *p)
{
    struct wait_queue *q = p->waiting_on;
    if (!q)
        return;
    uint64_t flags = spin_lock(&q->lock);
    if (p->waiting_on == q)                 /* still there, now that the queue is ours */
        wake_locked(q, p);
    spin_unlock(&q->lock, flags);
}
