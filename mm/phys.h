/* mm/phys.h: how mm code reaches physical memory. In the kernel, through the direct map
 * (mm/layout.h); in host tests (built with -DTWOFOLD_HOST), through the test's simulated
 * memory, which the test defines. This is the only place the two builds differ. */
#pragma once
#include <stdint.h>

#ifdef TWOFOLD_HOST
void *phys_to_virt(uint64_t phys);
uint64_t virt_to_phys(const void *direct_mapped);
#else
#include "mm/layout.h"
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE  ((uint64_t)1 << PAGE_SHIFT)
