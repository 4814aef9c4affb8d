/* mm/layout.h: the virtual address map of Twofold. This header is the map's one source.
 *
 *   0x0000000000000000  user space, up to USER_TOP; the page under USER_TOP is never
 *                       mapped (a SYSRET to a non-canonical RIP must not be reachable);
 *                       a program's stack ends at USER_STACK_TOP, below the top of user
 *                       space, which is left to the program (as Linux's random stack
 *                       top leaves it: its selftests map pages there)
 *   0xffff800000000000  DIRECT_MAP_BASE: all RAM, phys + DIRECT_MAP_BASE, kernel only, NX
 *                       (top-level slots 256..383: up to 64 TiB)
 *   0xffffc00000000000  KSTACK_AREA_BASE: kernel stacks, each above an unmapped guard page
 *                       (slot 384; mm/kstack.c)
 *   0xffffe00000000000  IO_AREA_BASE: device registers and firmware tables (slot 448;
 *                       mm_map_io)
 *   0xffffffff80000000  KERNEL_VMA: the kernel image at phys + KERNEL_VMA (linker.ld),
 *                       4 KiB pages: text R-X, rodata R, data and bss RW-NX
 *
 * Top-level slots 256..511 are the kernel half, shared by every address space; slot 511
 * holds the entry area, the one kernel mapping a user CR3 has (mm/isolation.c). Until
 * mm_init() builds the full direct map, boot/start.asm maps its first BOOT_DIRECT_MAP_SIZE.
 * Pure constants: the host tests include it too (mm/phys.h is how memory is reached).
 */
#pragma once
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  ((uint64_t)1 << PAGE_SHIFT)

#define USER_MIN             0x0000000000010000ull  /* nothing below: Linux's mmap_min_addr */
#define USER_LIMIT           0x00007ffffffff000ull  /* USER_TOP less the never-mapped page */
#define USER_TOP             0x0000800000000000ull
#define USER_STACK_TOP       (USER_LIMIT - 0x100000ull)
#define DIRECT_MAP_BASE      0xffff800000000000ull
#define KSTACK_AREA_BASE     0xffffc00000000000ull
#define IO_AREA_BASE         0xffffe00000000000ull
#define KERNEL_VMA           0xffffffff80000000ull
#define BOOT_DIRECT_MAP_SIZE 0x40000000ull

enum { FIRST_KERNEL_SLOT = 256, ENTRY_AREA_SLOT = 511 };    /* top-level table slots */

/* a rounded down, or up, to a page boundary (page_up: for a below 2^64 - PAGE_SIZE). */
static inline uint64_t page_down(uint64_t a) { return a & ~(PAGE_SIZE - 1); }
static inline uint64_t page_up(uint64_t a) { return page_down(a + PAGE_SIZE - 1); }
