/* kernel/printk.h: formatted output on the kernel console. */
#pragma once
#include <stdarg.h>

/* printf to the console (format.h lists the conversions); "\n" goes out as "\r\n". */
__attribute__((format(printf, 1, 2))) int kprintf(const char *fmt, ...);
int kvprintf(const char *fmt, va_list ap);

/* A format_sink (kernel/lib/format.h) that writes to the console; ctx is unused. */
void console_sink(void *ctx, char c);
