/* arch/x86_64/asm_constants.c: every constant the assembly shares with C, taken from the C
 * headers so the two can never disagree (Linux's asm-offsets.c). This file is compiled to
 * assembly only, never linked: the build turns each "->NAME VALUE" line it leaves there into
 * `NAME equ VALUE` in build/<cc>/asm_constants.inc, which boot/ and entry.asm include. */
#include "arch/x86_64/drivers/power.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "mm/layout.h"
#include "mm/vm.h"
#include <stddef.h>

#define CONSTANT(name, value) __asm__ volatile("\n.ascii \"->" #name " %0\"" : : "i"((long)(value)))
#define CPU_FIELD(name, field) CONSTANT(name, offsetof(struct cpu, field))
#define FRAME_FIELD(name, field) CONSTANT(name, offsetof(struct trap_frame, field))

void asm_constants(void);
void asm_constants(void)
{
    /* struct cpu, reached through GS */
    CPU_FIELD(CPU_SELF, self);
    CPU_FIELD(CPU_KERNEL_STACK_TOP, kernel_stack_top);
    CPU_FIELD(CPU_USER_RSP, user_rsp);
    CPU_FIELD(CPU_ENTRY_CR3, entry_cr3);
    CPU_FIELD(CPU_EXIT_CR3, exit_cr3);
    CPU_FIELD(CPU_SCRATCH, scratch);
    CPU_FIELD(CPU_CR3_NOFLUSH, cr3_noflush);
    CONSTANT(CPU_TRAMPOLINE_TOP, offsetof(struct cpu, trampoline_stack) + sizeof(((struct cpu *)0)->trampoline_stack));
    CPU_FIELD(CPU_EXITS_SYSRET, exits.sysret);
    CPU_FIELD(CPU_EXITS_IRET, exits.iret);
    CPU_FIELD(CPU_EXITS_IRET_FRAME_CHANGED, exits.iret_frame_changed);
    CPU_FIELD(CPU_EXITS_IRET_RIP, exits.iret_rip);
    CPU_FIELD(CPU_EXITS_IRET_TF_RF, exits.iret_tf_rf);
    CPU_FIELD(CPU_EXITS_IRET_SEGMENTS, exits.iret_segments);

    /* struct trap_frame, as the stubs build it */
    CONSTANT(FRAME_SIZE, sizeof(struct trap_frame));
    FRAME_FIELD(FRAME_R11, r11);
    FRAME_FIELD(FRAME_RCX, rcx);
    FRAME_FIELD(FRAME_RAX, rax);
    FRAME_FIELD(FRAME_VECTOR, vector);
    FRAME_FIELD(FRAME_RIP, rip);
    FRAME_FIELD(FRAME_CS, cs);
    FRAME_FIELD(FRAME_RFLAGS, rflags);
    FRAME_FIELD(FRAME_RSP, rsp);
    FRAME_FIELD(FRAME_SS, ss);
    CONSTANT(VEC_SYSCALL, VEC_SYSCALL);
    CONSTANT(VEC_SYSENTER, VEC_SYSENTER);

    /* segments, flags, limits */
    CONSTANT(KERNEL_CS, KERNEL_CS);
    CONSTANT(USER_CS, USER_CS);
    CONSTANT(USER_DS, USER_DS);
    CONSTANT(RFLAGS_TF, RFLAGS_TF);
    CONSTANT(RFLAGS_IF, RFLAGS_IF);
    CONSTANT(RFLAGS_RF, RFLAGS_RF);
    CONSTANT(USER_RIP_LIMIT, USER_LIMIT);       /* SYSRET only below the never-mapped page */
    CONSTANT(ENOSYS, ENOSYS);

    /* the trampoline a started CPU begins in (smp.c) */
    CONSTANT(TRAMPOLINE_PHYS, TRAMPOLINE_PHYS);
    CONSTANT(TRAMPOLINE_BOOT_CR3, offsetof(struct trampoline_params, boot_cr3));
    CONSTANT(TRAMPOLINE_STACK, offsetof(struct trampoline_params, stack));
    CONSTANT(TRAMPOLINE_ENTRY, offsetof(struct trampoline_params, entry));
    CONSTANT(TRAMPOLINE_CPU, offsetof(struct trampoline_params, cpu));
    CONSTANT(TRAMPOLINE_PARAMS_SIZE, sizeof(struct trampoline_params));

    /* the boot code */
    CONSTANT(KERNEL_VMA, KERNEL_VMA);
    CONSTANT(STATUS_UNSUPPORTED_CPU, POWER_STATUS_UNSUPPORTED_CPU);
}
