/* mm/kmalloc.h: the kernel heap for small objects.
 *
 * Size classes of 16 to 2032 bytes, 16-byte aligned. Each class takes whole frames (slabs)
 * from the frame allocator and gives a slab back as soon as its last object is freed, so a
 * workload that frees everything leaves the free-frame count where it started. Larger
 * objects take frames directly (frame.h). O(1) for both calls.
 */
#pragma once
#include <stddef.h>

enum { KMALLOC_MAX = 2032 };

/* size bytes (0 counts as 1); NULL when out of memory or size > KMALLOC_MAX. */
void *kmalloc(size_t size);

/* The same, zeroed. */
void *kzalloc(size_t size);

/* Free an object from kmalloc; NULL is ignored. Panics on a pointer kmalloc did not give. */
void kfree(void *ptr);
