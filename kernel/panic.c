/* kernel/panic.c: panic(). */
#include "kernel/panic.h"
#include "arch/x86_64/backtrace.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/drivers/power.h"
#include "kernel/printk.h"

__attribute__((noreturn)) static void panic_v(uint64_t rbp, const char *fmt, va_list ap)
{
    interrupts_disable();
    kprintf("kernel panic: ");
    kvprintf(fmt, ap);
    kprintf("\n");
    backtrace_print(rbp);
    power_off(POWER_STATUS_PANIC);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    panic_v((uint64_t)__builtin_frame_address(0), fmt, ap);
}

void panic_from_frame(uint64_t rbp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    panic_v(rbp, fmt, ap);
}
