/* tests/host/sim_memory.h: simulated physical memory for host tests of mm/ code.
 *
 * Supplies what mm/phys.h, mm/tlb.h and kernel/panic.h declare: physical addresses are
 * offsets into one heap buffer (starting at SIM_PHYS_BASE, so 0 is never RAM), tlb
 * invalidations are counted, and panic() aborts the test. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SIM_PHYS_BASE 0x100000ull

/* Make `bytes` of simulated RAM and hand all of it to the frame allocator. */
void sim_memory_init(size_t bytes);

extern unsigned sim_tlb_invalidations;
extern size_t sim_free_frames_at_invalidation;     /* frame_free_count() at the last one */
