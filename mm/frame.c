/* mm/frame.c: the physical frame allocator (see frame.h). */
#include "mm/frame.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/fail_alloc.h"
#include "mm/phys.h"
#include <string.h>

/* frame_lock protects everything below once frame_allocator_init has run (at boot, alone).
 * Lock order: anyone's lock (kmalloc's, a kernel stack's) before it; it is the last. */
static struct spinlock frame_lock;

/* Never handed out yet: ranges[next_range..range_count), each [start, end) page-aligned,
 * sorted by address so the first frames come from low memory (the boot direct map). */
static struct phys_range ranges[FRAME_MAX_RANGES];
static size_t range_count, next_range;
static size_t untouched_frames;

/* Freed frames, a stack linked through each frame's first word. */
static uint64_t freed_top;
static size_t freed_frames;
static size_t managed_frames;           /* all the allocator was given at init */

/* References to each frame, by frame number, up to the highest free address. */
static uint16_t *refs;
static uint64_t ref_count_frames;

/* Take the reference counts' array from the lowest range that holds it whole (low memory:
 * the boot direct map reaches it). */
static void place_reference_counts(void)
{
    ref_count_frames = range_count ? ranges[range_count - 1].end / PAGE_SIZE : 0;
    uint64_t bytes = ref_count_frames * sizeof *refs, size = (bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (size_t i = 0; i < range_count; i++)
        if (ranges[i].end - ranges[i].start >= size) {
            refs = phys_to_virt(ranges[i].start);
            memset(refs, 0, bytes);
            ranges[i].start += size;
            return;
        }
    panic("no room for %lu frames' reference counts", ref_count_frames);
}

static uint16_t *reference_of(uint64_t phys)
{
    if (!phys || phys & (PAGE_SIZE - 1) || phys / PAGE_SIZE >= ref_count_frames)
        panic("%p is not a frame address", (void *)phys);
    return &refs[phys / PAGE_SIZE];
}

/* Add [start, end) minus every reserved range, in pieces, to `ranges`. Pieces past
 * FRAME_MAX_RANGES are dropped: that memory stays unused. */
static void add_minus_reserved(uint64_t start, uint64_t end, const struct phys_range *reserved, size_t n_reserved)
{
    for (size_t i = 0; i < n_reserved && start < end; i++) {
        uint64_t r_start = reserved[i].start & ~(PAGE_SIZE - 1);
        uint64_t r_end = (reserved[i].end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        if (r_end <= start || r_start >= end)
            continue;
        if (r_start > start)                /* the piece below this reservation */
            add_minus_reserved(start, r_start, reserved + i + 1, n_reserved - i - 1);
        start = r_end;                      /* go on with what lies above it */
    }
    if (start < end && range_count < FRAME_MAX_RANGES)
        ranges[range_count++] = (struct phys_range){ start, end };
}

size_t frame_allocator_init(const struct phys_range *available, size_t n_available,
                            const struct phys_range *reserved, size_t n_reserved)
{
    /* Whole pages of each available range, in order and merged where they overlap (so no
     * frame can be handed out twice), then cut around the reservations. */
    static struct phys_range merged[FRAME_MAX_RANGES];
    size_t n_merged = 0;
    for (size_t i = 0; i < n_available && n_merged < FRAME_MAX_RANGES; i++)
        merged[n_merged++] = (struct phys_range){ (available[i].start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1),
                                                  available[i].end & ~(PAGE_SIZE - 1) };
    n_merged = phys_ranges_normalize(merged, n_merged);

    range_count = next_range = untouched_frames = freed_frames = 0;
    freed_top = 0;
    for (size_t i = 0; i < n_merged; i++)
        add_minus_reserved(merged[i].start, merged[i].end, reserved, n_reserved);
    range_count = phys_ranges_normalize(ranges, range_count);
    if (range_count)
        place_reference_counts();
    for (size_t i = 0; i < range_count; i++)
        untouched_frames += (ranges[i].end - ranges[i].start) / PAGE_SIZE;
    return managed_frames = frame_free_count();
}

uint64_t frame_alloc(void)
{
    uint64_t frame = 0;
    if (fail_alloc_now())
        return 0;
    uint64_t flags = spin_lock(&frame_lock);
    if (freed_top) {
        frame = freed_top;
        freed_top = *(uint64_t *)phys_to_virt(frame);
        freed_frames--;
    } else {
        while (next_range < range_count && ranges[next_range].start == ranges[next_range].end)
            next_range++;
        if (next_range < range_count) {
            frame = ranges[next_range].start;
            ranges[next_range].start += PAGE_SIZE;
            untouched_frames--;
        }
    }
    if (frame)
        *reference_of(frame) = 1;
    spin_unlock(&frame_lock, flags);
    return frame;
}

uint64_t frame_alloc_zeroed(void)
{
    uint64_t frame = frame_alloc();
    if (frame)
        memset(phys_to_virt(frame), 0, PAGE_SIZE);
    return frame;
}

void frame_free(uint64_t phys)
{
    uint64_t flags = spin_lock(&frame_lock);
    uint16_t *references = reference_of(phys);
    if (*references == 0)
        panic("frame_free(%p): the frame is not allocated", (void *)phys);
    if (--*references == 0) {
        *(uint64_t *)phys_to_virt(phys) = freed_top;
        freed_top = phys;
        freed_frames++;
    }
    spin_unlock(&frame_lock, flags);
}

void frame_share(uint64_t phys)
{
    uint64_t flags = spin_lock(&frame_lock);
    uint16_t *references = reference_of(phys);
    if (*references == 0 || *references == UINT16_MAX)
        panic("frame_share(%p): the frame is not allocated, or shared too often", (void *)phys);
    ++*references;
    spin_unlock(&frame_lock, flags);
}

bool frame_is_shared(uint64_t phys)
{
    uint64_t flags = spin_lock(&frame_lock);
    bool shared = *reference_of(phys) > 1;
    spin_unlock(&frame_lock, flags);
    return shared;
}

size_t frame_managed_count(void)
{
    return managed_frames;
}

size_t frame_free_count(void)
{
    uint64_t flags = spin_lock(&frame_lock);
    size_t count = untouched_frames + freed_frames;
    spin_unlock(&frame_lock, flags);
    return count;
}
