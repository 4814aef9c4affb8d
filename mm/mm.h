/* mm/mm.h: bringing up memory management at boot. */
#pragma once
#include "kernel/lib/multiboot2.h"
#include <stdbool.h>
#include <stdint.h>

/* Start the frame allocator on the memory map (sparing the first MiB, the kernel image, the
 * modules and the boot information at info_phys), build the kernel's page tables (the
 * shared kernel half, a direct map of all RAM, the image with its real permissions), and
 * switch to them. Panics if memory is too short to do so. */
void mm_init(const struct boot_info *info, uint32_t info_phys);

/* Where the direct map of RAM ends (physical): nothing at or above it is RAM. */
extern uint64_t mm_direct_map_end;

/* Map physical [phys, phys + size) into the I/O area, uncached for device registers or
 * cached for firmware tables, kernel-only and NX; returns the address of phys. Mappings
 * stay for good (they are few and made at boot). NULL if memory is short. */
void *mm_map_io(uint64_t phys, uint64_t size, bool uncached);
