/* tests/kernel/interrupt_test.c: locks that keep interrupt handlers out, and the tick. */
#include "arch/x86_64/cpu.h"
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
    /* Halt through a few ticks: only the timer interrupt can wake the CPU each time (the
     * first may come at once), so at least four tick lengths pass, and time moved on by them:
     * no upper bound, which only a busy host would decide. */
    uint64_t start = time_monotonic_ns();
    for (int i = 0; i < 5; i++)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    uint64_t elapsed = time_monotonic_ns() - start;
    KEXPECT(elapsed >= 3 * NS_PER_SECOND / HZ);
    KEXPECT(time_realtime_ns() > 1577836800ull * NS_PER_SECOND);   /* after 2020-01-01 */
}
