/* kernel/printk.c: kprintf() on the serial console.
 *
 * Several CPUs write to the one serial line: each message (a kprintf, a chunk of a write to
 * the console) goes out whole under output_lock, so that lines do not mix. A CPU that holds
 * it already (a panic in the middle of a message) goes on without waiting for itself.
 */
#include "kernel/printk.h"
#include "arch/x86_64/drivers/serial.h"
#include "arch/x86_64/percpu.h"
#include "kernel/lib/format.h"
#include "kernel/spinlock.h"

static struct spinlock output_lock;
static int output_holder = -1;          /* the CPU holding output_lock (atomic), or -1 */

uint64_t console_output_begin(void)
{
    int me = percpu_ready ? (int)this_cpu()->id : 0;
    if (__atomic_load_n(&output_holder, __ATOMIC_RELAXED) == me)
        return CONSOLE_OUTPUT_NESTED;
    uint64_t flags = spin_lock(&output_lock);
    __atomic_store_n(&output_holder, me, __ATOMIC_RELAXED);
    return flags;
}

void console_output_end(uint64_t flags)
{
    if (flags == CONSOLE_OUTPUT_NESTED)
        return;
    __atomic_store_n(&output_holder, -1, __ATOMIC_RELAXED);
    spin_unlock(&output_lock, flags);
}

void console_sink(void *ctx, char c)
{
    (void)ctx;
    if (c == '\n')
        serial_putc('\r');      /* a terminal needs the carriage return */
    serial_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    uint64_t flags = console_output_begin();
    int n = format_v(console_sink, 0, fmt, ap);
    console_output_end(flags);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
