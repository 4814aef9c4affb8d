/* mm/phys.h: how mm code reaches physical memory. In the kernel, through the direct map
 * (mm/layout.h); in host tests (built with -DTWOFOLD_HOST), through the test's simulated
 * memory, which the test defines. This is the only place the two builds differ. */
#pragma once
#include "mm/layout.h"
#include <stdint.h>

#ifdef TWOFOLD_HOST
void *phys_to_virt(uint64_t phys);
uint64_t virt_to_phys(const void *direct_mapped);
#else
/* Physical memory through the direct map, and back (only for direct-map addresses). */
static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(phys + DIRECT_MAP_BASE);
}

static inline uint64_t virt_to_phys(const void *direct_mapped)
{
    return (uint64_t)direct_mapped - DIRECT_MAP_BASE;
}
#endif
