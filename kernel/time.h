/* kernel/time.h: time: the tick, the monotonic and wall clocks, and sleeping.
 *
 * Monotonic time is the TSC, converted with the rate measured against the PIT at boot;
 * wall time is the CMOS clock read at boot plus monotonic time since.
 */
#pragma once
#include <stdint.h>

enum { HZ = 100 };                  /* ticks a second: the scheduler's time slices */
#define NS_PER_SECOND 1000000000ull

/* Measure the TSC against the PIT and read the CMOS clock. */
void time_init(void);

uint64_t time_monotonic_ns(void);
uint64_t time_realtime_ns(void);

/* The timer interrupt: wake the sleepers whose time has come, and account the tick and the
 * time slice to the process it interrupted (in user mode or in the kernel, as frame says). */
struct trap_frame;
void time_tick(const struct trap_frame *frame);

/* Block the current process until monotonic time deadline_ns. 0, or -EINTR if a signal
 * came first. */
int time_sleep_until(uint64_t deadline_ns);

struct process;

/* A deadline for p's next waits (poll, select): from monotonic time deadline_ns on, p is
 * made runnable from whatever queue it sleeps on (at the next tick, at the latest), as a
 * signal would, until cancel takes the deadline back (the waiter must, once done). */
void time_timeout_set(struct process *p, uint64_t deadline_ns);
void time_timeout_cancel(struct process *p);

/* p's alarm (ITIMER_REAL): SIGALRM after_ns from now (0: none), then every interval_ns (0:
 * once). get: what is left of it (0: none) and its interval. cancel: none (p is ending). */
void time_alarm_set(struct process *p, uint64_t after_ns, uint64_t interval_ns);
void time_alarm_get(struct process *p, uint64_t *left, uint64_t *interval);
void time_alarm_cancel(struct process *p);
