/* mm/tlb.h: telling the CPU that mappings changed. The page-table builder calls it after it
 * removes or changes a present mapping; host tests supply their own. */
#pragma once
#include <stdint.h>

/* [va, va + size) changed in the address space with this root: every CPU that may hold its
 * translations drops them before this returns. */
void tlb_invalidate(uint64_t root, uint64_t va, uint64_t size);
