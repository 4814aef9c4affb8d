/* arch/x86_64/smp.h: starting the other CPUs (application processors, APs) that ACPI's MADT
 * lists, through INIT-SIPI-SIPI and the real-mode trampoline of smp_trampoline.asm.
 *
 * A started CPU gets what the boot CPU has (its own struct cpu, GDT, TSS, IST stacks and
 * trampoline stack in the entry area, the same CR0, CR4 and EFER, its doors' MSRs, its FPU,
 * its local APIC and timer) and then enters the scheduler's idle loop: it runs processes from
 * the run queue from then on (kernel/proc/sched.h). A CPU without a feature the boot CPU
 * turned on is not taken: it halts for good, with interrupts off.
 */
#pragma once
#include "arch/x86_64/drivers/acpi.h"
#include "kernel/lib/multiboot2.h"
#include <stdint.h>

/* The page the trampoline is copied to: a startup IPI names it by its page number, and it
 * must lie below 1 MiB (the first MiB is never handed out by the frame allocator). */
#define TRAMPOLINE_PHYS 0x8000

/* What smp.c writes at the end of the trampoline's copy for the CPU it starts. */
struct trampoline_params {
    uint64_t boot_cr3;              /* below 4 GiB: the trampoline's 32-bit code loads it */
    uint64_t stack;                 /* the AP's first stack (a kernel stack of its own) */
    uint64_t entry;                 /* smp_ap_main, in the higher half */
    uint64_t cpu;                   /* its index in cpus[] */
};

/* Start every CPU the MADT lists (at most max_cpus in all, this one counted), one after
 * another; they park once up. None if the trampoline's page is not RAM that the boot left
 * free (boot: GRUB's information, at info_phys, and its modules must lie elsewhere). The
 * number of CPUs running, this one counted. */
unsigned smp_start_cpus(const struct madt_info *madt, unsigned max_cpus, const struct boot_info *boot,
                        uint64_t info_phys);

/* Run fn(arg) on each CPU of cpus (a bit each, all up; this one's bit is ignored), and return
 * once each has. The caller may hold spinlocks with interrupts off: a CPU that waits with
 * interrupts off (for a spinlock, for a process to leave a CPU) answers the call while it
 * waits (smp_answer_call), so each one answers. fn runs in interrupt context and takes no
 * lock. One call at a time (call_lock). */
void smp_call(uint64_t cpus, void (*fn)(void *arg), void *arg);

/* Every CPU that is up, a bit each (what smp_call asks of all the others; a new process's
 * affinity). */
uint64_t smp_all_cpus(void);

/* Run the call smp_call asked this CPU for, if it has not run yet: every wait that
 * spins with interrupts off calls it. */
void smp_answer_call(void);

/* Interrupt cpu (VEC_RESCHEDULE): it leaves a halt, or heads back to user mode through its
 * exit work (signals, need_resched). */
void smp_send_reschedule(unsigned cpu);

/* How many CPUs are up (1 before smp_start_cpus), and the local APIC id of the nth, as that
 * CPU read it from its own local APIC. */
unsigned smp_cpu_count(void);
uint32_t smp_apic_id(unsigned cpu);

