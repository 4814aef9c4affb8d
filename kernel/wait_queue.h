/* kernel/wait_queue.h: processes waiting for something (data in a pipe, a child's exit). */
#pragma once

struct process;

struct wait_queue {
    struct process *first;
};

/* Block the current process on q until wake_all(q) (or a kill) makes it runnable again,
 * running others meanwhile. Callers loop: the condition may not hold when it returns. */
void sleep_on(struct wait_queue *q);

/* Make every process waiting on q runnable. */
void wake_all(struct wait_queue *q);

/* Take p off whatever queue it waits on, and make it runnable (a kill does this). */
void wake_process(struct process *p);
