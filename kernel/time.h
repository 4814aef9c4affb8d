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

/* The timer interrupt: wake the sleepers whose time has come, and account the time slice. */
void time_tick(void);

/* Block the current process until monotonic time deadline_ns. 0, or -EINTR if it was
 * killed first. */
int time_sleep_until(uint64_t deadline_ns);
