/* arch/x86_64/percpu.h: each CPU's own data, `struct cpu`, reached through GS in the kernel.
 *
 * While the kernel runs, GS base holds this CPU's struct cpu; user mode has its own GS base,
 * and every entry from and exit to user mode swaps the two with `swapgs`. The entry stubs
 * read these fields by offsets generated from this struct (arch/x86_64/asm_constants.c); the
 * scheduler writes them on every switch and the stubs only read them (but for `exits`).
 */
#pragma once
#include "arch/x86_64/gdt.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct process;

/* How returns to user mode left this CPU, counted by the exit code itself (entry.asm), for
 * Twofold's exit_counts system call: SYSRET, or IRET, and for the SYSCALL door's IRETs why
 * SYSRET could not be used. Only this CPU writes them, with interrupts off. */
struct exit_counts {
    uint64_t sysret;                /* the SYSCALL door's fast way out */
    uint64_t iret;                  /* every IRET to user mode, from any door */
    uint64_t iret_frame_changed;    /* the call changed RIP or RFLAGS (RCX, R11 differ): execve */
    uint64_t iret_rip;              /* RIP at or above the user limit (CVE-2012-0217) */
    uint64_t iret_tf_rf;            /* TF or RF set: SYSRET cannot restore RF, TF would trap */
    uint64_t iret_segments;         /* CS or SS not the 64-bit user segments */
};

/* What this CPU's timer ticks found it doing (USER_HZ = HZ ticks a second), for /proc/stat;
 * and its switches between processes. Only this CPU writes them. */
struct cpu_ticks {
    uint64_t user, system, idle;
    uint64_t switches;
};

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
    int spinlocks_held;             /* how many this CPU holds now (kernel/spinlock.h) */
    bool need_resched;              /* the current process's slice is over (kernel/proc/sched.c) */
    struct process *dead;           /* ended here; freed once this CPU has left its stack */
    uint64_t idle_rsp;              /* the idle context's saved RSP (kernel/proc/sched.c) */
    struct exit_counts exits;
    struct cpu_ticks ticks;
    uint64_t sysenter_stack[8];     /* SYSENTER lands here (MSR); the door leaves at once */
    /* Interrupts and exceptions from user mode land here (TSS.RSP0), and the way back to
     * user mode leaves from here: a user CR3 maps this page but not the kernel stacks. */
    uint64_t trampoline_stack[64];
} __attribute__((aligned(4096)));

_Static_assert(offsetof(struct cpu, self) == 0, "this_cpu() reads GS:0");
_Static_assert(sizeof(struct cpu) == 4096, "struct cpu is one page of the entry area");

/* Where interrupts from user mode land (TSS.RSP0): the top of cpu's trampoline stack. */
static inline uint64_t cpu_trampoline_top(struct cpu *cpu)
{
    return (uint64_t)cpu->trampoline_stack + sizeof cpu->trampoline_stack;
}

extern struct cpu cpus[MAX_CPUS];

/* Whether this CPU's struct cpu is in GS (set once percpu_init_cpu has run on the boot CPU:
 * before it, GS base is 0 and this_cpu() would read physical memory at 0). */
extern bool percpu_ready;

/* This CPU's struct cpu (valid in the kernel, after percpu_init_cpu). */
static inline struct cpu *this_cpu(void)
{
    struct cpu *self;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(self));
    return self;
}

/* Point GS base at cpus[cpu_id] and fill its identity. */
void percpu_init_cpu(unsigned cpu_id);
