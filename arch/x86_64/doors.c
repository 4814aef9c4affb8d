/* arch/x86_64/doors.c: pointing SYSCALL and SYSENTER at arch/x86_64/entry.asm.
 *
 * Every door is also reachable from 32-bit compatibility mode (a far jump to USER32_CS is
 * all it takes): SYSCALL from there goes to MSR_CSTAR, which must never be left 0 (the CPU
 * would run address 0 in ring 0 on the user's stack); `int 0x80` from there reaches
 * trap_dispatch with the 32-bit CS in its frame; SYSENTER carries no sign of the mode it
 * came from, and returns to 64-bit mode as its convention says. */
#include "arch/x86_64/doors.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"

extern char syscall32_entry[];

/* RFLAGS bits SYSCALL clears on entry (Linux's set): above all IF (no interrupt before the
 * kernel stack is in place), TF (no single-step trap in the entry), DF (C expects it clear),
 * AC (user access is only ever opened with stac), NT (IRET must not task-switch). */
enum {
    FLAG_CF = 1 << 0, FLAG_PF = 1 << 2, FLAG_AF = 1 << 4, FLAG_ZF = 1 << 6, FLAG_SF = 1 << 7,
    FLAG_TF = 1 << 8, FLAG_IF = 1 << 9, FLAG_DF = 1 << 10, FLAG_OF = 1 << 11, FLAG_IOPL = 3 << 12,
    FLAG_NT = 1 << 14, FLAG_RF = 1 << 16, FLAG_AC = 1 << 18, FLAG_ID = 1 << 21,
    SYSCALL_FLAG_MASK = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_TF | FLAG_IF | FLAG_DF
                      | FLAG_OF | FLAG_IOPL | FLAG_NT | FLAG_RF | FLAG_AC | FLAG_ID,
};

void doors_init_cpu(unsigned cpu_id)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* SYSCALL loads CS = KERNEL_CS, SS = KERNEL_CS + 8; SYSRET to 64-bit mode loads
     * CS = 0x20 + 16 | 3 = USER_CS and SS = 0x20 + 8 | 3 = USER_DS (gdt.h). */
    wrmsr(MSR_STAR, (uint64_t)(USER32_CS & ~3) << 48 | (uint64_t)KERNEL_CS << 32);
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)syscall32_entry);    /* from compat mode: -ENOSYS */
    wrmsr(MSR_SYSCALL_MASK, SYSCALL_FLAG_MASK);

    struct cpu *cpu = &cpus[cpu_id];
    wrmsr(MSR_SYSENTER_CS, KERNEL_CS);
    wrmsr(MSR_SYSENTER_ESP, (uint64_t)&cpu->sysenter_stack[8]);
    wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
}
