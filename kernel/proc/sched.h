/* kernel/proc/sched.h: choosing which process runs. Round-robin over a FIFO run queue: O(1) to
 * add a process and to choose the next. A process runs until it blocks, yields, or uses up
 * its time slice in user mode (the timer preempts it on its way back to user mode). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

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

/* The tick: count it to the running process (as user or system time: from_user says where
 * it interrupted) and to this CPU, or as this CPU's idle time; count down the slice; move the
 * load average. */
void sched_tick(bool from_user);

/* The load average over 1, 5 and 15 minutes in 1/SCHED_LOAD_ONE (Linux's FIXED_1), and the
 * return: how many processes run or wait to now (/proc/loadavg, /proc/stat). */
enum { SCHED_LOAD_ONE = 2048 };
unsigned sched_load(unsigned long average[3]);

/* The CPU time p has had, in ns: exact, from the switches (the running one's up to now). */
uint64_t sched_cpu_ns(const struct process *p);

/* If the running process's time slice is used up and another is runnable, run that one
 * (call only on the way back to user mode: kernel code is not preempted). */
void sched_preempt_point(void);

/* Free p (process_free) once this CPU has switched away from it: p is the current process,
 * ending, and nobody else will (its parent does not wait for it). */
void sched_free_after_switch(struct process *p);

/* Leave the boot stack for good and run the first runnable process. */
__attribute__((noreturn)) void sched_start(void);
