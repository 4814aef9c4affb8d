/* kernel/sched.h: choosing which process runs. Round-robin over a FIFO run queue: O(1) to
 * add a process and to choose the next. For now processes give up the CPU themselves
 * (sched_yield, blocking); timer preemption comes with interrupts. */
#pragma once

struct process;

/* Make p runnable: it joins the back of the run queue. */
void sched_enqueue(struct process *p);

/* Run the next runnable process. The current one, if still running, goes to the back of
 * the queue; if blocked or a zombie it does not. Returns when the current process is chosen
 * again. With nothing runnable the CPU halts until an interrupt makes something runnable. */
void schedule(void);

/* Make p's address space this CPU's: load its kernel CR3 and set the CR3 values the doors
 * load on entry and exit (a PCID pair used before flushes on its first loads). */
void sched_load_address_space(struct process *p);

/* Leave the boot stack for good and run the first runnable process. */
__attribute__((noreturn)) void sched_start(void);
