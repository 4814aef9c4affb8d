/* tests/kernel/isolation_test.c: the two roots of an address space under page-table
 * isolation (the harness also boots with kpti=off, where these check the one-root case). */
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/percpu.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "mm/frame.h"
#include "mm/isolation.h"
#include "mm/layout.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include "mm/vm.h"

extern char __entry_text_start[], __text_start[], __data_start[];

struct kernel_half_census {
    uint64_t leaves, outside_entry_area, user;
};

static void census(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot)
{
    (void)pa;
    struct kernel_half_census *c = ctx;
    c->leaves++;
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        c->outside_entry_area += !isolation_in_entry_area(va + off);
    c->user += (prot & PTE_USER) != 0;
}

KTEST(isolation_user_root_maps_only_the_entry_area)
{
    struct vm vm;
    size_t before = frame_free_count();
    KEXPECT_EQ(vm_init(&vm), 0);
    kprintf("# an address space with an empty user half costs %lu frame(s); the budget is 2\n",
            before - frame_free_count());
    KEXPECT(before - frame_free_count() <= 2);
    if (!isolation_on) {
        KEXPECT_EQ(vm.user_root, vm.root);
    } else {
        KEXPECT(vm.user_root != vm.root);
        struct kernel_half_census c = { 0 };
        pt_walk(vm.user_root, DIRECT_MAP_BASE, 0, census, &c);
        KEXPECT(c.leaves > 0);
        KEXPECT_EQ(c.outside_entry_area, 0);
        KEXPECT_EQ(c.user, 0);
        /* The doors' code and struct cpu are there; the rest of the kernel is not. */
        KEXPECT_EQ(pt_translate(vm.user_root, (uint64_t)__entry_text_start, NULL, NULL, NULL), 0);
        KEXPECT_EQ(pt_translate(vm.user_root, (uint64_t)&cpus[0], NULL, NULL, NULL), 0);
        KEXPECT(pt_translate(vm.user_root, (uint64_t)__text_start + (uint64_t)(__entry_text_start - __text_start)
                             - PAGE_SIZE, NULL, NULL, NULL) != 0);
        KEXPECT(pt_translate(vm.user_root, (uint64_t)pt_kernel_root + DIRECT_MAP_BASE, NULL, NULL, NULL) != 0);
    }
    vm_destroy(&vm);
    KEXPECT_EQ(frame_free_count(), before);
}

KTEST(isolation_user_mappings_show_in_both_roots)
{
    struct vm vm;
    size_t before = frame_free_count();
    KEXPECT_EQ(vm_init(&vm), 0);
    /* A region in a 512 GiB slot of its own, so its top-level table is made now. */
    const uint64_t va = 0x500000000000ull;
    KEXPECT_EQ(vm_map(&vm, va, 2 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
    static const char text[] = "seen from both";
    KEXPECT_EQ(vm_copy_in(&vm, va + PAGE_SIZE - 4, text, sizeof text), 0);
    uint64_t kernel_pa, user_pa, user_prot;
    KEXPECT_EQ(pt_translate(vm.root, va + PAGE_SIZE, &kernel_pa, NULL, NULL), 0);
    KEXPECT_EQ(pt_translate(vm.user_root, va + PAGE_SIZE, &user_pa, &user_prot, NULL), 0);
    KEXPECT_EQ(kernel_pa, user_pa);
    KEXPECT_EQ(user_prot & (PTE_USER | PTE_WRITE | PTE_NX), PTE_USER | PTE_WRITE | PTE_NX);
    /* Without SMEP, only NX on the kernel root's top-level user entries keeps the kernel
     * from running user code; the user root's entries must not have it. */
    const pte_t *kernel_slots = phys_to_virt(vm.root), *user_slots = phys_to_virt(vm.user_root);
    unsigned slot = (unsigned)(va >> 39);
    if (isolation_on) {
        KEXPECT_EQ(!!(kernel_slots[slot] & PTE_NX), !cpu_features.smep);
        KEXPECT_EQ(user_slots[slot] & PTE_NX, 0);
        KEXPECT_EQ(user_slots[slot] & PTE_ADDR_MASK, kernel_slots[slot] & PTE_ADDR_MASK);
    }
    KEXPECT_EQ(vm_unmap(&vm, va, 2 * PAGE_SIZE), 0);
    KEXPECT(pt_translate(vm.user_root, va + PAGE_SIZE, NULL, NULL, NULL) != 0);
    vm_destroy(&vm);
    KEXPECT_EQ(frame_free_count(), before);
}
