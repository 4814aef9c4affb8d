/* mm/phys_ranges.c: sorting and merging physical ranges (see phys_ranges.h). */
#include "mm/phys_ranges.h"

size_t phys_ranges_normalize(struct phys_range *r, size_t n)
{
    for (size_t i = 1; i < n; i++) {            /* insertion sort: n is a memory map's size */
        struct phys_range key = r[i];
        size_t j = i;
        for (; j > 0 && r[j - 1].start > key.start; j--)
            r[j] = r[j - 1];
        r[j] = key;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].start >= r[i].end)
            continue;
        if (kept && r[i].start <= r[kept - 1].end) {
            if (r[i].end > r[kept - 1].end)
                r[kept - 1].end = r[i].end;
        } else {
            r[kept++] = r[i];
        }
    }
    return kept;
}
