/* mm/frame.h: the physical frame allocator: 4 KiB frames, O(1) allocation and free.
 *
 * Free memory is a list of ranges not yet handed out plus a stack of freed frames linked
 * through the frames themselves, so every operation is constant time; in front of them each
 * CPU keeps a small cache of free frames, so that most calls take no shared lock. Each frame has a
 * reference count (frame_alloc gives one, frame_share adds one, frame_free drops one), kept
 * in an array taken from the lowest free memory at start-up. Physical address 0 is never a
 * frame, so 0 means "none".
 */
#pragma once
#include "mm/phys_ranges.h"
#include <stdbool.h>
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

/* Drop a reference to a frame: the last one gives it back. Panics on an address that
 * cannot be a frame, or one that is not allocated. */
void frame_free(uint64_t phys);

/* Another reference to an allocated frame (a page two address spaces share after fork). */
void frame_share(uint64_t phys);

/* Whether more than one reference is held. */
bool frame_is_shared(uint64_t phys);

/* How many frames the allocator manages (what it had free at init): sysinfo's total. */
size_t frame_managed_count(void);

/* How many frames are free now (in the caches too): tests use it to prove nothing leaks. A
 * CPU whose cache and the shared pool are empty fails an allocation even if another CPU's
 * cache holds some: at most CACHE_MAX (32) frames a CPU. */
size_t frame_free_count(void);
