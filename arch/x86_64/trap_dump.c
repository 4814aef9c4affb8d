/* arch/x86_64/trap_dump.c: printing a trap frame for a human. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/ksyms.h"
#include "kernel/printk.h"
#include "mm/pagetable.h"

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

/* Say in words what a #PF error code means, then show the walk for the faulting address. */
static void explain_page_fault(uint64_t error_code, uint64_t address)
{
    kprintf("  page fault: %s at %016lx in %s mode, %s%s%s\n",
            error_code & PF_FETCH ? "instruction fetch" : error_code & PF_WRITE ? "write" : "read", address,
            error_code & PF_USER ? "user" : "kernel",
            error_code & PF_PRESENT ? "protection violation (the page is present)" : "page not present",
            error_code & PF_RESERVED ? ", reserved bit set in an entry" : "",
            error_code & PF_PKEY ? ", protection key" : error_code & PF_SHADOW_STACK ? ", shadow stack" : "");

    static const char *const level_names[] = { "PML4E", "PDPTE", "PDE", "PTE" };
    pte_t path[4];
    int depth = pt_lookup_path(read_cr3() & PTE_ADDR_MASK, address, path);
    if (depth < 0) {
        kprintf("  (the address is not canonical)\n");
        return;
    }
    for (int i = 0; i < depth; i++) {
        pte_t e = path[i];
        unsigned index = (address >> (39 - 9 * i)) & 511;
        kprintf("  %-5s[%3u] %016lx", level_names[i], index, e);
        if (e & PTE_PRESENT)
            kprintf("  %s %s %s%s%s", e & PTE_USER ? "user" : "kernel", e & PTE_WRITE ? "RW" : "ro",
                    e & PTE_NX ? "NX" : "x", e & PTE_HUGE ? " huge" : "", e & PTE_GLOBAL ? " G" : "");
        else
            kprintf("  not present");
        kprintf("\n");
    }
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
    if (f->vector == VEC_PAGE_FAULT)
        explain_page_fault(f->error_code, read_cr2());
}
