/* mm/phys_ranges.h: ranges of physical addresses, and putting a list of them in order. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct phys_range {
    uint64_t start, end;            /* [start, end) */
};

/* Sort r[0..n) by start, merge ranges that overlap or touch, drop empty ones; returns the
 * new count. */
size_t phys_ranges_normalize(struct phys_range *r, size_t n);
