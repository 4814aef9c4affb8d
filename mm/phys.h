/* mm/phys.h: how mm code reaches physical memory. In the kernel, through the direct map
 * (mm/layout.h); in host tests (built with -DTWOFOLD_HOST), through the test's simulated
 * memory, which the test defines. This is the only place the two builds differ. */
#pragma once
#include <stdint.h>

#ifdef TWOFOLD_HOST
void *phys_to_virt(uint64_t phys);
#else
#include "mm/layout.h"
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ull << PAGE_SHIFT)
