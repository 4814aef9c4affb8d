/* tests/kernel/interrupt_test.c: locks that keep interrupt handlers out, and the tick. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/ktest.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"

KTEST(spinlock_disables_interrupts_and_restores_them)
{
    struct spinlock outer = { 0 }, inner = { 0 };
    interrupts_enable();
    uint64_t outer_flags = spin_lock(&outer);
    KEXPECT(outer.held);
    KEXPECT(!(read_rflags() & RFLAGS_IF));
    uint64_t inner_flags = spin_lock(&inner);
    spin_unlock(&inner, inner_flags);
    KEXPECT(!(read_rflags() & RFLAGS_IF));     /* still inside the outer lock */
    spin_unlock(&outer, outer_flags);
    KEXPECT(!outer.held);
    KEXPECT(read_rflags() & RFLAGS_IF);
    interrupts_disable();
}

KTEST(time_advances_with_the_tick)
{
    /* Halt until this CPU's tick has come four times (nothing runs yet: each is an idle
     * tick): the timer interrupts, and the clock moved on meanwhile. How far is not asked:
     * under a busy host QEMU delivers late ticks in a burst. A tick that never comes hangs
     * the boot, which the harness calls a failure. */
    volatile uint64_t *idle_ticks = &this_cpu()->ticks.idle;
    uint64_t start = time_monotonic_ns(), first = *idle_ticks;
    while (*idle_ticks - first < 4)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    KEXPECT(time_monotonic_ns() > start);
    KEXPECT(time_realtime_ns() > 1577836800ull * NS_PER_SECOND);   /* after 2020-01-01 */
}
