/* kernel/printk.h: formatted output on the kernel console. */
#pragma once
#include <stdarg.h>
#include <stdint.h>

/* printf to the console (format.h lists the conversions); "\n" goes out as "\r\n". */
__attribute__((format(printf, 1, 2))) int kprintf(const char *fmt, ...);
int kvprintf(const char *fmt, va_list ap);

/* A format_sink (kernel/lib/format.h) that writes to the console; ctx is unused. Between
 * console_output_begin and _end, nothing another CPU writes comes in between (kprintf does
 * this itself); begin's return goes to end. */
void console_sink(void *ctx, char c);
#define CONSOLE_OUTPUT_NESTED (~0ull)
uint64_t console_output_begin(void);
void console_output_end(uint64_t flags);
