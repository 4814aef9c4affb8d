/* arch/x86_64/trap_dump.c: printing a trap frame for a human. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/ksyms.h"
#include "kernel/printk.h"

static const char *const exception_names[EXCEPTION_VECTORS] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range exceeded", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack-segment fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 floating-point error", "#AC alignment check",
    "#MC machine check", "#XM SIMD floating-point error", "#VE virtualization exception",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
    "reserved 26", "reserved 27", "#HV hypervisor injection", "#VC VMM communication",
    "#SX security exception", "reserved 31",
};

const char *exception_name(uint64_t vector)
{
    return vector < EXCEPTION_VECTORS ? exception_names[vector] : "interrupt";
}

void trap_dump(const struct trap_frame *f)
{
    kprintf("\nexception %lu (%s), error code 0x%lx\n", f->vector, exception_name(f->vector), f->error_code);
    kprintf("  rip    ");
    ksym_print(f->rip, false);
    kprintf("\n  cs     %04lx  rflags %016lx  rsp %016lx  ss %04lx\n", f->cs, f->rflags, f->rsp, f->ss);
    kprintf("  cr0    %016lx  cr2 %016lx  cr3 %016lx  cr4 %016lx\n", read_cr0(), read_cr2(), read_cr3(),
            read_cr4());
    kprintf("  rax    %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("  rsi    %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("  r9     %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("  r13    %016lx  r14 %016lx  r15 %016lx\n", f->r13, f->r14, f->r15);
}
