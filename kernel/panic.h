/* kernel/panic.h: stopping the kernel on a broken invariant. */
#pragma once
#include <stdint.h>

/* Print "kernel panic: <message>" and a backtrace of the caller, then power off with
 * POWER_STATUS_PANIC. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* The same, with the backtrace taken from a saved frame pointer (an exception's). */
__attribute__((noreturn, format(printf, 2, 3))) void panic_from_frame(uint64_t rbp, const char *fmt, ...);
