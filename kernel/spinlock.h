/* kernel/spinlock.h: spinlocks for data that several CPUs, or a CPU and its interrupt
 * handlers, share. Taking one disables interrupts on this CPU (so a handler cannot spin on
 * a lock its own CPU holds) and spins until no other CPU holds it; releasing restores the
 * interrupt flag as it was. Each CPU counts the locks it holds (once its per-CPU data is
 * set up), and schedule() refuses to switch while any is held: a lock is never held across a
 * context switch. Locks do not nest but in the orders their users document.
 * Host tests of the pure mm/ code get no-op versions (TWOFOLD_HOST). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct spinlock {
    volatile int held;
};

#ifdef TWOFOLD_HOST
static inline uint64_t spin_lock(struct spinlock *lock) { lock->held = 1; return 0; }
static inline void spin_unlock(struct spinlock *lock, uint64_t flags) { (void)flags; lock->held = 0; }
#else
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"

/* Take lock; returns the RFLAGS to hand back to spin_unlock. */
static inline uint64_t spin_lock(struct spinlock *lock)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    while (__atomic_exchange_n(&lock->held, 1, __ATOMIC_ACQUIRE))
        while (lock->held) {
            smp_answer_call();          /* the holder may be waiting for this CPU's answer */
            __asm__ volatile("pause");
        }
    if (percpu_ready)
        this_cpu()->spinlocks_held++;
    return flags;
}

static inline void spin_unlock(struct spinlock *lock, uint64_t flags)
{
    if (percpu_ready)
        this_cpu()->spinlocks_held--;
    __atomic_store_n(&lock->held, 0, __ATOMIC_RELEASE);
    if (flags & (1u << 9))              /* IF was set before spin_lock */
        __asm__ volatile("sti" ::: "memory");
}
#endif
