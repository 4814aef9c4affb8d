/* arch/x86_64/percpu.h: each CPU's own data, `struct cpu`, reached through GS in the kernel.
 *
 * While the kernel runs, GS base holds this CPU's struct cpu; user mode has its own GS base,
 * and every entry from and exit to user mode swaps the two with `swapgs`. The entry stubs
 * read these fields by fixed offsets (arch/x86_64/percpu.inc, checked below); the scheduler
 * writes them on every switch and the stubs only read them.
 */
#pragma once
#include "arch/x86_64/gdt.h"
#include <stddef.h>
#include <stdint.h>

struct process;

#define CPU_TRAMPOLINE_TOP 648      /* percpu.inc */

struct cpu {
    struct cpu *self;               /* so C can find this struct with one load from GS */
    uint64_t kernel_stack_top;      /* the current process's kernel stack */
    uint64_t user_rsp;              /* scratch: the user RSP while the door builds the frame */
    uint64_t entry_cr3;             /* the CR3 every entry loads (the process's kernel CR3) */
    uint64_t exit_cr3;              /* the CR3 every exit to user mode loads (its user CR3) */
    uint64_t scratch;               /* a register's home while the stubs switch CR3 */
    uint64_t cr3_noflush;           /* CR3_NOFLUSH with PCIDs on, else 0 (arch/x86_64/pcid.h) */
    struct process *current;
    uint32_t id;
    uint32_t reserved;
    uint64_t sysenter_stack[8];     /* SYSENTER lands here (MSR); the door leaves at once */
    /* Interrupts and exceptions from user mode land here (TSS.RSP0), and the way back to
     * user mode leaves from here: a user CR3 maps this page but not the kernel stacks. */
    uint64_t trampoline_stack[64];
} __attribute__((aligned(4096)));

/* Offsets the assembly uses: keep in step with percpu.inc. */
_Static_assert(offsetof(struct cpu, self) == 0, "percpu.inc");
_Static_assert(offsetof(struct cpu, kernel_stack_top) == 8, "percpu.inc");
_Static_assert(offsetof(struct cpu, user_rsp) == 16, "percpu.inc");
_Static_assert(offsetof(struct cpu, entry_cr3) == 24, "percpu.inc");
_Static_assert(offsetof(struct cpu, exit_cr3) == 32, "percpu.inc");
_Static_assert(offsetof(struct cpu, scratch) == 40, "percpu.inc");
_Static_assert(offsetof(struct cpu, cr3_noflush) == 48, "percpu.inc");
_Static_assert(offsetof(struct cpu, trampoline_stack) + sizeof(((struct cpu *)0)->trampoline_stack)
               == CPU_TRAMPOLINE_TOP, "percpu.inc");
_Static_assert(sizeof(struct cpu) == 4096, "struct cpu is one page of the entry area");

extern struct cpu cpus[MAX_CPUS];

/* This CPU's struct cpu (valid in the kernel, after percpu_init_cpu). */
static inline struct cpu *this_cpu(void)
{
    struct cpu *self;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(self));
    return self;
}

/* Point GS base at cpus[cpu_id] and fill its identity. */
void percpu_init_cpu(unsigned cpu_id);
