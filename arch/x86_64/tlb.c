/* arch/x86_64/tlb.c: invalidating translations after the page tables changed, with and
 * without PCIDs and page-table isolation: on this CPU, and for the kernel half (in every
 * address space, so in every CPU's TLB) on every other CPU too, through an interprocessor
 * interrupt that waits for each (a shootdown). A user half runs on the boot CPU alone, for
 * now (arch/x86_64/smp.h): its changes stay this CPU's. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pcid.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "mm/isolation.h"
#include "mm/layout.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include "mm/tlb.h"
#include <stdbool.h>

/* Past this many pages one CR3 reload is cheaper than invlpg for each. */
enum { INVLPG_MAX_PAGES = 32 };

/* Drop this CPU's translations of [va, va + size) in the address space with root. */
static void invalidate_here(uint64_t root, uint64_t va, uint64_t size)
{
    /* The kernel half is in every address space, and with PCIDs every address space may
     * hold entries for it under its own PCIDs: drop them all. */
    if (va >= DIRECT_MAP_BASE && pcid_on) {
        pcid_flush_all();
        return;
    }
    /* A user half lives only in its own address space. Only the loaded one can have
     * entries: one that is not loaded got a PCID pair that flushes on its next load, or
     * (without PCIDs) loses them all when CR3 is loaded. */
    uint64_t cr3 = read_cr3();
    if (va < DIRECT_MAP_BASE && (cr3 & PTE_ADDR_MASK) != root)
        return;
    if (size / PAGE_SIZE > INVLPG_MAX_PAGES)
        write_cr3(cr3);                 /* flushes this PCID (Twofold maps nothing global) */
    else
        for (uint64_t off = 0; off < size; off += PAGE_SIZE)
            __asm__ volatile("invlpg (%0)" ::"r"(va + off) : "memory");
    /* invlpg reaches the current PCID only; under isolation the user CR3 has its own. */
    if (va < DIRECT_MAP_BASE && pcid_on && isolation_on) {
        if (invpcid_on)
            pcid_flush_range((cr3 & 0xfff) | 1, va, size);
        else
            this_cpu()->exit_cr3 &= ~CR3_NOFLUSH;   /* flush when user mode next runs */
    }
}

struct kernel_range {
    uint64_t va, size;
};

/* smp_call_others's work on each other CPU: the kernel half changed there too. */
static void invalidate_kernel_range(void *arg)
{
    const struct kernel_range *range = arg;
    invalidate_here(pt_kernel_root, range->va, range->size);
}

void tlb_invalidate(uint64_t root, uint64_t va, uint64_t size)
{
    invalidate_here(root, va, size);
    if (va >= DIRECT_MAP_BASE) {
        struct kernel_range range = { va, size };
        smp_call_others(invalidate_kernel_range, &range);
    }
}
