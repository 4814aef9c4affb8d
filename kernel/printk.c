/* kernel/printk.c: kprintf() on the serial console. */
#include "kernel/printk.h"
#include "arch/x86_64/drivers/serial.h"
#include "kernel/lib/format.h"

void console_sink(void *ctx, char c)
{
    (void)ctx;
    if (c == '\n')
        serial_putc('\r');      /* a terminal needs the carriage return */
    serial_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    return format_v(console_sink, 0, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
