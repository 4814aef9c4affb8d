/* mm/isolation.c: the user roots of page-table isolation (see isolation.h). */
#include "mm/isolation.h"
#include "kernel/panic.h"
#include "mm/frame.h"
#include "mm/pagetable.h"
#include "mm/phys.h"

extern char __entry_text_start[], __entry_text_end[], __entry_data_start[], __entry_data_end[],
    __entry_bss_start[], __entry_bss_end[];


/* Set by isolation_init at boot; read-only after. */
bool isolation_on;
static pte_t entry_area_slot;           /* slot 511 of every user root */
static bool user_slots_nx;              /* NX on the kernel root's user slots */

static const struct { const char *start, *end; uint64_t prot; } entry_ranges[] = {
    { __entry_text_start, __entry_text_end, 0 },
    { __entry_data_start, __entry_data_end, PTE_WRITE | PTE_NX },
    { __entry_bss_start, __entry_bss_end, PTE_WRITE | PTE_NX },
};

bool isolation_in_entry_area(uint64_t va)
{
    for (unsigned i = 0; i < sizeof entry_ranges / sizeof entry_ranges[0]; i++)
        if (va >= (uint64_t)entry_ranges[i].start && va < (uint64_t)entry_ranges[i].end)
            return true;
    return false;
}

void isolation_init(bool on, bool cpu_has_smep)
{
    isolation_on = on;
    user_slots_nx = on && !cpu_has_smep;
    if (!on)
        return;
    /* Map the entry area, at its kernel addresses, into a scratch root; its slot 511 is
     * then the one table chain every user root shares. */
    uint64_t scratch = frame_alloc_zeroed();
    if (!scratch)
        panic("no memory for the entry area");
    for (unsigned i = 0; i < sizeof entry_ranges / sizeof entry_ranges[0]; i++) {
        uint64_t start = (uint64_t)entry_ranges[i].start, size = (uint64_t)entry_ranges[i].end - start;
        uint64_t pa;
        if (size && (pt_translate(pt_kernel_root, start, &pa, NULL, NULL)
                     || pt_map(scratch, start, pa, size, entry_ranges[i].prot, PAGE_SHIFT_4K, 0)))
            panic("cannot map the entry area");
    }
    entry_area_slot = ((pte_t *)phys_to_virt(scratch))[ENTRY_AREA_SLOT];
    frame_free(scratch);
}

uint64_t isolation_user_root_new(void)
{
    uint64_t root = frame_alloc_zeroed();
    if (root)
        ((pte_t *)phys_to_virt(root))[ENTRY_AREA_SLOT] = entry_area_slot;
    return root;
}

void isolation_sync_user_slots(uint64_t kernel_root, uint64_t user_root, unsigned first, unsigned last)
{
    pte_t *kernel = phys_to_virt(kernel_root), *user = phys_to_virt(user_root);
    for (unsigned i = first; i <= last && i < FIRST_KERNEL_SLOT; i++) {
        if (kernel[i] && user_slots_nx)
            kernel[i] |= PTE_NX;
        user[i] = kernel[i] & ~PTE_NX;
    }
}
