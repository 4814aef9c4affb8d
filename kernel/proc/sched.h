/* kernel/proc/sched.h: choosing which process runs, on every CPU. Round-robin over one FIFO
 * run queue that every CPU takes from: O(1) to add a process and to choose the next (but for
 * the processes at the front that may not run on the CPU looking: affinity). A process runs
 * until it blocks, yields, or uses up its time slice in user mode (the timer preempts it on
 * its way back to user mode); a CPU with nothing to run halts until a wakeup interrupts it. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct process;

/* Make p runnable: it joins the back of the run queue, and a halted CPU that may run it is
 * interrupted. If p is still on its way off a CPU (it blocked there a moment ago), this waits
 * until it is off: no two CPUs are ever on one kernel stack. */
void sched_enqueue(struct process *p);

/* Run the next runnable process that may run on this CPU. The current one, if still running,
 * goes to the back of the queue (once it is off this CPU); if blocked or a zombie it does
 * not. Returns when the current process is chosen again, maybe on another CPU. With nothing
 * else to run a running process goes on at once; a blocked one leaves this CPU halted. */
void schedule(void);

/* If p is running on another CPU, interrupt that CPU, so that p looks at its pending signals
 * on its way back to user mode (Linux's kick_process). */
void sched_kick(struct process *p);

/* sched_setaffinity: p may run only on the CPUs in mask (a bit each; bits past the CPUs that
 * are up are dropped). -EINVAL if none is left. A running p that may no longer run where it
 * does moves now (the current process) or on its next way out of the kernel. */
long sched_set_affinity(struct process *p, uint64_t mask);

/* Make p's address space this CPU's: load its kernel CR3 and set the CR3 values the doors
 * load on entry and exit (a PCID pair used before flushes on its first loads). */
void sched_load_address_space(struct process *p);

/* Keep the current user FS and GS, selectors and bases, in p (a switch away, a clone); load
 * p's, as user mode left them (or exec set them). */
void sched_save_user_segments(struct process *p);
void sched_load_user_segments(const struct process *p);

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

/* Return once p is off every CPU: no CPU is on its kernel stack (for a reaper). */
void sched_wait_until_off_cpu(const struct process *p);

/* Free p (process_free) once this CPU has switched away from it: p is the current process,
 * ending, and nobody else will (its parent does not wait for it). */
void sched_free_after_switch(struct process *p);

/* This CPU's idle context, from its boot stack on: run what the queue holds for it, halt
 * while it holds nothing. Each CPU calls it once it is ready to run processes. */
__attribute__((noreturn)) void sched_run_idle(void);
