/* arch/x86_64/tlb.c: invalidating translations after the page tables changed (one CPU). */
#include "mm/tlb.h"
#include "arch/x86_64/cpu.h"
#include "mm/layout.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include <stdbool.h>

/* Past this many pages one CR3 reload is cheaper than invlpg for each. */
enum { INVLPG_MAX_PAGES = 32 };

void tlb_invalidate(uint64_t root, uint64_t va, uint64_t size)
{
    /* The kernel half is in every address space; a user half only in its own, and only the
     * loaded one can have cached translations. */
    bool kernel_half = va >= DIRECT_MAP_BASE;
    if (!kernel_half && (read_cr3() & PTE_ADDR_MASK) != root)
        return;
    if (size / PAGE_SIZE > INVLPG_MAX_PAGES) {
        write_cr3(read_cr3());          /* Twofold maps nothing global: this flushes all */
        return;
    }
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        __asm__ volatile("invlpg (%0)" ::"r"(va + off) : "memory");
}
