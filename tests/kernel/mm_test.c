/* tests/kernel/mm_test.c: memory management on the running kernel: the kernel's own page
 * tables, frames, the heap, kernel stacks and address spaces. */
#include "arch/x86_64/call_on_stack.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_features.h"
#include "kernel/errno.h"
#include "kernel/kernel.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"
#include "mm/layout.h"
#include "mm/mm.h"
#include "mm/pagetable.h"
#include "mm/phys.h"

extern char __text_start[], __rodata_start[], __data_start[], __kernel_start[], __kernel_end[],
    boot_stack_guard[];

static void frame_release(uint64_t pa, uint64_t size, void *ctx)
{
    (void)size;
    (void)ctx;
    frame_free(pa);
}

struct wx_census {
    uint64_t leaves, writable_executable, user;
};

static void count_leaf(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot)
{
    (void)va, (void)pa, (void)size;
    struct wx_census *c = ctx;
    c->leaves++;
    c->writable_executable += (prot & PTE_WRITE) && !(prot & PTE_NX);
    c->user += (prot & PTE_USER) != 0;
}

KTEST(mm_kernel_table_has_no_writable_executable_page)
{
    struct wx_census census = { 0 };
    pt_walk(read_cr3() & PTE_ADDR_MASK, 0, 0, count_leaf, &census);
    KEXPECT(census.leaves > 100);
    KEXPECT_EQ(census.writable_executable, 0);
    KEXPECT_EQ(census.user, 0);
    KEXPECT_EQ(read_cr3() & PTE_ADDR_MASK, pt_kernel_root);
}

KTEST(mm_image_has_its_segment_permissions)
{
    uint64_t pa, prot;
    KEXPECT_EQ(pt_translate(pt_kernel_root, (uint64_t)__text_start, &pa, &prot, NULL), 0);
    KEXPECT_EQ(pa, (uint64_t)__text_start - KERNEL_VMA);
    KEXPECT_EQ(prot & (PTE_WRITE | PTE_NX | PTE_USER), 0);
    KEXPECT_EQ(pt_translate(pt_kernel_root, (uint64_t)__rodata_start, NULL, &prot, NULL), 0);
    KEXPECT_EQ(prot & (PTE_WRITE | PTE_NX | PTE_USER), PTE_NX);
    KEXPECT_EQ(pt_translate(pt_kernel_root, (uint64_t)__data_start, NULL, &prot, NULL), 0);
    KEXPECT_EQ(prot & (PTE_WRITE | PTE_NX | PTE_USER), PTE_WRITE | PTE_NX);
    KEXPECT_EQ(pt_translate(pt_kernel_root, (uint64_t)boot_stack_guard, NULL, NULL, NULL), -ENOENT);
    KEXPECT(read_cr0() & CR0_WP);
    KEXPECT(rdmsr(MSR_EFER) & EFER_NXE);
}

KTEST(mm_smep_and_smap_are_on_where_the_cpu_has_them)
{
    KEXPECT_EQ(!!(read_cr4() & (1u << 20)), cpu_features.smep);
    KEXPECT_EQ(!!(read_cr4() & (1u << 21)), cpu_features.smap);
}

KTEST(mm_direct_map_covers_all_ram)
{
    for (size_t i = 0; i < boot_info.memory_region_count; i++) {
        const struct mb2_memory_region *r = &boot_info.memory[i];
        if (r->type != MB2_MEMORY_AVAILABLE)
            continue;
        uint64_t ends[2] = { r->base, r->base + r->length - 1 };
        for (int j = 0; j < 2; j++) {
            uint64_t pa, prot;
            KEXPECT_EQ(pt_translate(pt_kernel_root, DIRECT_MAP_BASE + ends[j], &pa, &prot, NULL), 0);
            KEXPECT_EQ(pa, ends[j]);
            KEXPECT_EQ(prot & (PTE_WRITE | PTE_NX | PTE_USER), PTE_WRITE | PTE_NX);
        }
    }
    unsigned shift;
    KEXPECT_EQ(pt_translate(pt_kernel_root, DIRECT_MAP_BASE + (8ull << 20), NULL, NULL, &shift), 0);
    KEXPECT(shift >= PAGE_SHIFT_2M);
    KEXPECT(mm_direct_map_end >= 32ull << 20);
}

static bool overlaps(uint64_t frame, uint64_t start, uint64_t end)
{
    return frame + PAGE_SIZE > start && frame < end;
}

KTEST(mm_frames_never_come_from_reserved_memory)
{
    /* Take every free frame (chained through themselves), check each, give all back. */
    size_t before = frame_free_count(), taken = 0;
    uint64_t chain = 0, bad = 0;
    for (uint64_t f; (f = frame_alloc()) != 0; taken++) {
        bad += f % PAGE_SIZE || overlaps(f, 0, 0x100000)
            || overlaps(f, (uint64_t)__kernel_start - KERNEL_VMA, (uint64_t)__kernel_end - KERNEL_VMA);
        for (size_t m = 0; m < boot_info.module_count; m++)
            bad += overlaps(f, boot_info.modules[m].start, boot_info.modules[m].end);
        *(uint64_t *)phys_to_virt(f) = chain;
        chain = f;
    }
    KEXPECT_EQ(taken, before);
    KEXPECT_EQ(frame_free_count(), 0);
    KEXPECT_EQ(bad, 0);
    while (chain) {
        uint64_t next = *(uint64_t *)phys_to_virt(chain);
        frame_free(chain);
        chain = next;
    }
    KEXPECT_EQ(frame_free_count(), before);
}

KTEST(mm_frame_alloc_and_free_are_counted)
{
    size_t before = frame_free_count();
    uint64_t a = frame_alloc(), b = frame_alloc_zeroed();
    KEXPECT(a && b && a != b);
    KEXPECT_EQ(frame_free_count(), before - 2);
    const uint64_t *words = phys_to_virt(b);
    uint64_t nonzero = 0;
    for (int i = 0; i < 512; i++)
        nonzero |= words[i];
    KEXPECT_EQ(nonzero, 0);
    frame_free(a);
    frame_free(b);
    KEXPECT_EQ(frame_free_count(), before);
    KEXPECT_EQ(frame_alloc(), b);           /* the freed frames come back first, last in first out */
    frame_free(b);
}

KTEST(mm_new_kernel_mapping_is_seen_by_an_existing_address_space)
{
    size_t before = frame_free_count();
    uint64_t space = pt_root_new();
    KEXPECT(space);
    KEXPECT_EQ(before - frame_free_count(), 1);

    /* Only now map a page in the kernel half, in a slot no mapping used before. */
    const uint64_t va = 0xffffd00000000000ull;
    uint64_t frame = frame_alloc();
    *(volatile uint64_t *)phys_to_virt(frame) = 0x7f0f01d;
    KEXPECT_EQ(pt_map(pt_kernel_root, va, frame, PAGE_SIZE, PTE_NX, PAGE_SHIFT_4K, 0), 0);
    uint64_t kernel_cr3 = read_cr3();
    write_cr3(space);
    uint64_t seen = *(volatile uint64_t *)va;
    write_cr3(kernel_cr3);
    KEXPECT_EQ(seen, 0x7f0f01d);

    KEXPECT_EQ(pt_unmap(pt_kernel_root, va, PAGE_SIZE, frame_release, NULL), 0);
    pt_root_destroy(space, frame_release, NULL);
    KEXPECT_EQ(frame_free_count(), before);
}

KTEST(mm_1000_address_spaces_leak_nothing)
{
    size_t before = frame_free_count();
    for (int i = 0; i < 1000; i++) {
        uint64_t space = pt_root_new();
        uint64_t page = frame_alloc();
        KEXPECT(space && page);
        KEXPECT_EQ(pt_map(space, 0x400000 + (uint64_t)i * PAGE_SIZE, page, PAGE_SIZE, PTE_USER | PTE_WRITE | PTE_NX,
                          PAGE_SHIFT_4K, 0), 0);
        pt_root_destroy(space, frame_release, NULL);
    }
    KEXPECT_EQ(frame_free_count(), before);
}

KTEST(mm_page_tables_refuse_bad_requests)
{
    uint64_t space = pt_root_new(), frame = frame_alloc();
    KEXPECT_EQ(pt_map(space, 0x0000800000000000ull, frame, PAGE_SIZE, 0, PAGE_SHIFT_4K, 0), -EINVAL);
    KEXPECT_EQ(pt_map(space, 0x400010, frame, PAGE_SIZE, 0, PAGE_SHIFT_4K, 0), -EINVAL);
    KEXPECT_EQ(pt_map(space, 0x400000, frame, PAGE_SIZE, PTE_HUGE, PAGE_SHIFT_4K, 0), -EINVAL);
    KEXPECT_EQ(pt_map(space, 0x00007ffffffff000ull, frame, 2 * PAGE_SIZE, 0, PAGE_SHIFT_4K, 0), -EINVAL);
    KEXPECT_EQ(pt_map(space, 0x400000, frame, PAGE_SIZE, PTE_USER, PAGE_SHIFT_4K, 0), 0);
    KEXPECT_EQ(pt_map(space, 0x400000, frame, PAGE_SIZE, PTE_USER, PAGE_SHIFT_4K, 0), -EEXIST);
    KEXPECT_EQ(pt_map(space, 0x400000, frame, PAGE_SIZE, PTE_USER | PTE_WRITE, PAGE_SHIFT_4K, PT_REPLACE), 0);
    uint64_t prot;
    KEXPECT_EQ(pt_translate(space, 0x400123, NULL, &prot, NULL), 0);
    KEXPECT(prot & PTE_WRITE);
    KEXPECT_EQ(pt_translate(space, 0xffff000000000000ull, NULL, NULL, NULL), -EINVAL);
    pt_root_destroy(space, frame_release, NULL);
}

KTEST(kmalloc_gives_aligned_distinct_objects_and_takes_them_back)
{
    static const size_t sizes[] = { 0, 1, 16, 17, 100, 512, 513, 1008, 2000, KMALLOC_MAX };
    size_t before = frame_free_count();
    uint8_t *objects[10][20];
    for (int s = 0; s < 10; s++)
        for (int i = 0; i < 20; i++) {
            objects[s][i] = kmalloc(sizes[s]);
            KEXPECT(objects[s][i] && (uintptr_t)objects[s][i] % 16 == 0);
            for (size_t b = 0; b < sizes[s]; b++)
                objects[s][i][b] = (uint8_t)(s * 20 + i);
        }
    uint64_t damaged = 0;
    for (int s = 0; s < 10; s++)
        for (int i = 0; i < 20; i++) {
            for (size_t b = 0; b < sizes[s]; b++)
                damaged += objects[s][i][b] != (uint8_t)(s * 20 + i);
            kfree(objects[s][i]);
        }
    KEXPECT_EQ(damaged, 0);
    KEXPECT(kmalloc(KMALLOC_MAX + 1) == NULL);
    KEXPECT_EQ(frame_free_count(), before);     /* every slab went back */
}

static void fill_stack(void *result)
{
    volatile uint8_t big[KSTACK_SIZE - 512];    /* most of the stack, to touch every page */
    for (size_t i = 0; i < sizeof big; i += 64)
        big[i] = (uint8_t)i;
    *(uint64_t *)result = (uint64_t)__builtin_frame_address(0);
}

KTEST(kstack_has_a_guard_page_and_runs_code)
{
    size_t before = frame_free_count();
    uint64_t top = kstack_alloc();
    KEXPECT(top >= KSTACK_AREA_BASE);
    uint64_t prot;
    KEXPECT_EQ(pt_translate(pt_kernel_root, top - 8, NULL, &prot, NULL), 0);
    KEXPECT_EQ(prot & (PTE_WRITE | PTE_NX | PTE_USER), PTE_WRITE | PTE_NX);
    KEXPECT_EQ(pt_translate(pt_kernel_root, top - KSTACK_SIZE - 1, NULL, NULL, NULL), -ENOENT);
    KEXPECT(kstack_guard_contains(top - KSTACK_SIZE - 1));
    KEXPECT(!kstack_guard_contains(top - KSTACK_SIZE));

    uint64_t frame_address = 0;
    call_on_stack(fill_stack, &frame_address, top);
    KEXPECT(frame_address < top && frame_address >= top - KSTACK_SIZE);

    kstack_free(top);
    KEXPECT_EQ(pt_translate(pt_kernel_root, top - 8, NULL, NULL, NULL), -ENOENT);
    KEXPECT_EQ(frame_free_count(), before);
}
