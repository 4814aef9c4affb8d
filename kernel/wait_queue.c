/* kernel/wait_queue.c: sleeping and waking (see wait_queue.h). */
#include "kernel/wait_queue.h"
#include "kernel/process.h"
#include "kernel/sched.h"

void sleep_on(struct wait_queue *q)
{
    struct process *self = current_process();
    self->state = PROCESS_BLOCKED;
    self->waiting_on = q;
    self->wait_next = q->first;
    q->first = self;
    schedule();
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
