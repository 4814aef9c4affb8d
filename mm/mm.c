/* mm/mm.c: mm_init() (see mm.h). */
#include "mm/mm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_features.h"
#include "kernel/panic.h"
#include "mm/frame.h"
#include "mm/layout.h"
#include "mm/pagetable.h"
#include "mm/phys.h"

extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[],
    __kernel_end[], boot_stack_guard[];

uint64_t mm_direct_map_end;            /* set by mm_init; read-only after */

static uint64_t image_phys(const char *symbol) { return (uint64_t)symbol - KERNEL_VMA; }

static void start_frame_allocator(const struct boot_info *info, uint32_t info_phys)
{
    static struct phys_range available[MB2_MAX_MEMORY_REGIONS];
    static struct phys_range reserved[3 + MB2_MAX_MODULES];
    size_t n_available = 0, n_reserved = 0;
    for (size_t i = 0; i < info->memory_region_count; i++)
        if (info->memory[i].type == MB2_MEMORY_AVAILABLE)
            available[n_available++] = (struct phys_range){ info->memory[i].base,
                                                            info->memory[i].base + info->memory[i].length };
    /* The first MiB holds the BIOS's data and keeps address 0 from ever being a frame. */
    reserved[n_reserved++] = (struct phys_range){ 0, 0x100000 };
    reserved[n_reserved++] = (struct phys_range){ image_phys(__kernel_start), image_phys(__kernel_end) };
    reserved[n_reserved++] = (struct phys_range){ info_phys, (uint64_t)info_phys + info->total_size };
    for (size_t i = 0; i < info->module_count; i++)
        reserved[n_reserved++] = (struct phys_range){ info->modules[i].start, info->modules[i].end };
    if (frame_allocator_init(available, n_available, reserved, n_reserved) == 0)
        panic("no free memory in the memory map");
}

/* Map every RAM-like region (available, ACPI) at DIRECT_MAP_BASE + phys, with the largest
 * pages that fit; whole pages around each, so a region's partial pages are reachable. */
static void map_direct(const struct boot_info *info)
{
    static struct phys_range ram[MB2_MAX_MEMORY_REGIONS];
    size_t n = 0;
    for (size_t i = 0; i < info->memory_region_count; i++) {
        const struct mb2_memory_region *r = &info->memory[i];
        if (r->type == MB2_MEMORY_AVAILABLE || r->type == MB2_MEMORY_ACPI_RECLAIMABLE || r->type == MB2_MEMORY_NVS)
            ram[n++] = (struct phys_range){ r->base & ~(PAGE_SIZE - 1),
                                            (r->base + r->length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1) };
    }
    n = phys_ranges_normalize(ram, n);
    unsigned max_shift = cpu_features.page_1g ? PAGE_SHIFT_1G : PAGE_SHIFT_2M;
    for (size_t i = 0; i < n; i++) {
        if (ram[i].end > KSTACK_AREA_BASE - DIRECT_MAP_BASE)
            panic("RAM above 64 TiB does not fit the direct map");
        int error = pt_map_largest(pt_kernel_root, DIRECT_MAP_BASE + ram[i].start, ram[i].start,
                                   ram[i].end - ram[i].start, PTE_WRITE | PTE_NX, max_shift);
        if (error)
            panic("direct map of %lx-%lx failed (%d)", ram[i].start, ram[i].end, error);
        mm_direct_map_end = ram[i].end;
    }
}

static void map_image_range(const char *start, const char *end, uint64_t prot)
{
    int error = pt_map(pt_kernel_root, (uint64_t)start, image_phys(start), (uint64_t)(end - start), prot,
                       PAGE_SHIFT_4K, 0);
    if (error)
        panic("mapping the kernel image at %p failed (%d)", (void *)start, error);
}

void mm_init(const struct boot_info *info, uint32_t info_phys)
{
    start_frame_allocator(info, info_phys);
    if (pt_kernel_root_init())
        panic("no memory for the kernel page tables");
    map_direct(info);
    /* The image with 4 KiB pages, each with its segment's permissions (W^X), and the boot
     * stack's guard page left out, as boot/start.asm did. */
    map_image_range(__text_start, __text_end, 0);
    map_image_range(__rodata_start, __rodata_end, PTE_NX);
    map_image_range(__data_start, boot_stack_guard, PTE_WRITE | PTE_NX);
    map_image_range(boot_stack_guard + PAGE_SIZE, __kernel_end, PTE_WRITE | PTE_NX);
    write_cr3(pt_kernel_root);
    pt_phys_limit = mm_direct_map_end;
}

void *mm_map_io(uint64_t phys, uint64_t size, bool uncached)
{
    static uint64_t next = IO_AREA_BASE;
    uint64_t first = phys & ~(PAGE_SIZE - 1), end = (phys + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    uint64_t va = next;
    if (pt_map(pt_kernel_root, va, first, end - first, PTE_WRITE | PTE_NX | (uncached ? PTE_PCD | PTE_PWT : 0),
               PAGE_SHIFT_4K, 0))
        return NULL;
    next += end - first;
    return (void *)(va + (phys - first));
}
