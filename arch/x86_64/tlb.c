/* arch/x86_64/tlb.c: invalidating translations after the page tables changed, with and
 * without PCIDs and page-table isolation: on this CPU, and on the other CPUs that may hold
 * them, through an interprocessor interrupt that waits for each (a shootdown). The kernel
 * half is in every address space, so in every CPU's TLB: every CPU flushes. A user half is
 * in the TLBs of the CPUs that run its address space now, which flush the range at once,
 * and (with PCIDs) of those that ran it before, which its generation tells to flush on
 * their next load (pcid.h). Changes to one address space come one at a time (its lock). */
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

struct changed_range {
    uint64_t root, va, size;
    uint16_t pair;                      /* a user half's PCID pair, and its new generation */
    uint32_t generation;
};

/* smp_call's work on another CPU: the kernel half changed there too; or a user half it may
 * be running (it may have left it since it was asked: then its generation is behind). */
static void invalidate_range(void *arg)
{
    const struct changed_range *range = arg;
    if (range->va >= DIRECT_MAP_BASE) {
        invalidate_here(pt_kernel_root, range->va, range->size);
        return;
    }
    if ((this_cpu()->entry_cr3 & PTE_ADDR_MASK) != range->root)
        return;
    invalidate_here(range->root, range->va, range->size);
    if (pcid_on)
        pcid_caught_up(range->pair, range->generation);
}

/* The CPUs other than this one running the address space with root now (a moment's look:
 * one that starts running it after the look sees its new generation and flushes). */
static uint64_t cpus_running(uint64_t root)
{
    uint64_t running = 0;
    for (unsigned i = 0; i < smp_cpu_count(); i++)
        if (i != this_cpu()->id && (__atomic_load_n(&cpus[i].entry_cr3, __ATOMIC_SEQ_CST) & PTE_ADDR_MASK) == root)
            running |= 1ull << i;
    return running;
}

void tlb_invalidate(uint64_t root, uint64_t va, uint64_t size)
{
    invalidate_here(root, va, size);
    struct changed_range range = { root, va, size, 0, 0 };
    if (va >= DIRECT_MAP_BASE) {
        smp_call(smp_all_cpus(), invalidate_range, &range);
        return;
    }
    /* A user half's changes: only the running address space's reach other CPUs (fork's
     * copy, exec's new one and an exiting one's teardown are run by no other CPU, or none
     * at all, and a new one's pair has a generation of its own). */
    uint64_t cr3 = read_cr3();
    if ((cr3 & PTE_ADDR_MASK) != root)
        return;
    if (pcid_on) {
        range.pair = (uint16_t)((cr3 & 0xfff) / 2);
        range.generation = pcid_changed(range.pair);
    }
    uint64_t others = cpus_running(root);
    if (others)
        smp_call(others, invalidate_range, &range);
}
