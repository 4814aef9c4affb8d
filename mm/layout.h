/* mm/layout.h: the virtual address map of Twofold. This header is the map's one source.
 *
 *   0x0000000000000000  user space, up to USER_TOP; the page under USER_TOP is never
 *                       mapped (a SYSRET to a non-canonical RIP must not be reachable)
 *   0xffff800000000000  DIRECT_MAP_BASE: all RAM, phys + DIRECT_MAP_BASE, kernel only, NX
 *                       (top-level slots 256..383: up to 64 TiB)
 *   0xffffc00000000000  KSTACK_AREA_BASE: kernel stacks, each above an unmapped guard page
 *                       (slot 384; mm/kstack.c)
 *   0xffffe00000000000  IO_AREA_BASE: device registers and firmware tables (slot 448;
 *                       mm_map_io)
 *   0xffffffff80000000  KERNEL_VMA: the kernel image at phys + KERNEL_VMA (linker.ld),
 *                       4 KiB pages: text R-X, rodata R, data and bss RW-NX
 *
 * Top-level slots 256..511 are the kernel half, shared by every address space.
 * Until mm_init() builds the full direct map, boot/start.asm maps its first
 * BOOT_DIRECT_MAP_SIZE.
 */
#pragma once
#include <stdint.h>

#define USER_TOP             0x0000800000000000ull
#define DIRECT_MAP_BASE      0xffff800000000000ull
#define KSTACK_AREA_BASE     0xffffc00000000000ull
#define IO_AREA_BASE         0xffffe00000000000ull
#define KERNEL_VMA           0xffffffff80000000ull
#define BOOT_DIRECT_MAP_SIZE 0x40000000ull

/* Physical memory through the direct map, and back (only for direct-map addresses). */
static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(phys + DIRECT_MAP_BASE);
}

static inline uint64_t virt_to_phys(const void *direct_mapped)
{
    return (uint64_t)direct_mapped - DIRECT_MAP_BASE;
}
