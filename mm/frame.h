/* mm/frame.h: the physical frame allocator: 4 KiB frames, O(1) allocation and free.
 *
 * Free memory is a list of ranges not yet handed out plus a stack of freed frames linked
 * through the frames themselves, so nothing is touched at start-up and every operation is
 * constant time. Physical address 0 is never a frame, so 0 means "none".
 */
#pragma once
#include "mm/phys_ranges.h"
#include <stddef.h>
#include <stdint.h>

enum { FRAME_MAX_RANGES = 256 };

/* Take the usable frames of `available` (whole pages only) minus every range in `reserved`
 * (the kernel image, modules, boot information, the first MiB...). Returns the number of
 * free frames. Ranges may be in any order and may overlap. */
size_t frame_allocator_init(const struct phys_range *available, size_t n_available,
                            const struct phys_range *reserved, size_t n_reserved);

/* A free frame's physical address, or 0 when memory is exhausted. */
uint64_t frame_alloc(void);

/* The same, filled with zeros. */
uint64_t frame_alloc_zeroed(void);

/* Give back a frame from frame_alloc(). Panics on an address that cannot be a frame. */
void frame_free(uint64_t phys);

/* How many frames could be allocated now: tests use it to prove nothing leaks. */
size_t frame_free_count(void);
