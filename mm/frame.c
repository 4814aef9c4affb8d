/* mm/frame.c: the physical frame allocator (see frame.h). */
#include "mm/frame.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/fail_alloc.h"
#include "mm/phys.h"
#include <string.h>

/* frame_lock protects everything below but the caches and the reference counts, once
 * frame_allocator_init has run (at boot, alone). Lock order: anyone's lock (kmalloc's, a
 * kernel stack's) before it; it is the last. */
static struct spinlock frame_lock;

/* Each CPU keeps a few free frames of its own, so that most allocations and frees take no
 * shared lock: up to CACHE_MAX, taken from and given back to the shared pool CACHE_BATCH at a
 * time, under frame_lock. A CPU's cache is that CPU's alone, used with interrupts off (as the
 * kernel always runs). Host tests have no CPUs, and no caches. */
enum { CACHE_MAX = 32, CACHE_BATCH = 16 };
struct frame_cache {
    unsigned count;
    uint64_t frames[CACHE_MAX];
};
#ifdef TWOFOLD_HOST
static struct frame_cache *this_cache(void) { return NULL; }
static size_t cached_frames(void) { return 0; }
#else
#include "arch/x86_64/percpu.h"
static struct frame_cache caches[MAX_CPUS];

static struct frame_cache *this_cache(void)
{
    return percpu_ready ? &caches[this_cpu()->id] : NULL;
}

/* The frames in every CPU's cache (a moment's count). */
static size_t cached_frames(void)
{
    size_t n = 0;
    for (int i = 0; i < MAX_CPUS; i++)
        n += __atomic_load_n(&caches[i].count, __ATOMIC_RELAXED);
    return n;
}
#endif

/* Never handed out yet: ranges[next_range..range_count), each [start, end) page-aligned,
 * sorted by address so the first frames come from low memory (the boot direct map). */
static struct phys_range ranges[FRAME_MAX_RANGES];
static size_t range_count, next_range;
static size_t untouched_frames;

/* Freed frames, a stack linked through each frame's first word. */
static uint64_t freed_top;
static size_t freed_frames;
static size_t managed_frames;           /* all the allocator was given at init */

/* References to each frame, by frame number, up to the highest free address; each count is
 * changed atomically (a frame two processes share may be freed on two CPUs at once). */
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

/* A frame from the shared pool, or 0. frame_lock held. */
static uint64_t take_locked(void)
{
    uint64_t frame = 0;
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
    return frame;
}

/* Give a free frame back to the shared pool. frame_lock held. */
static void give_locked(uint64_t frame)
{
    *(uint64_t *)phys_to_virt(frame) = freed_top;
    freed_top = frame;
    freed_frames++;
}

uint64_t frame_alloc(void)
{
    if (fail_alloc_now())
        return 0;
    struct frame_cache *cache = this_cache();
    uint64_t frame = 0;
    if (cache && !cache->count) {
        uint64_t flags = spin_lock(&frame_lock);
        for (uint64_t got; cache->count < CACHE_BATCH && (got = take_locked());)
            cache->frames[cache->count++] = got;
        spin_unlock(&frame_lock, flags);
    }
    if (cache && cache->count) {
        frame = cache->frames[--cache->count];
    } else if (!cache) {
        uint64_t flags = spin_lock(&frame_lock);
        frame = take_locked();
        spin_unlock(&frame_lock, flags);
    }
    if (frame)
        __atomic_store_n(reference_of(frame), 1, __ATOMIC_RELAXED);
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
    uint16_t *references = reference_of(phys);
    uint16_t was = __atomic_load_n(references, __ATOMIC_RELAXED);
    do {
        if (was == 0)
            panic("frame_free(%p): the frame is not allocated", (void *)phys);
    } while (!__atomic_compare_exchange_n(references, &was, was - 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    if (was > 1)
        return;
    struct frame_cache *cache = this_cache();
    if (cache && cache->count < CACHE_MAX) {
        cache->frames[cache->count++] = phys;
        return;
    }
    uint64_t flags = spin_lock(&frame_lock);
    give_locked(phys);
    while (cache && cache->count > CACHE_MAX - CACHE_BATCH)     /* full: half goes back */
        give_locked(cache->frames[--cache->count]);
    spin_unlock(&frame_lock, flags);
}

void frame_share(uint64_t phys)
{
    uint16_t *references = reference_of(phys);
    uint16_t was = __atomic_load_n(references, __ATOMIC_RELAXED);
    do {
        if (was == 0 || was == UINT16_MAX)
            panic("frame_share(%p): the frame is not allocated, or shared too often", (void *)phys);
    } while (!__atomic_compare_exchange_n(references, &was, was + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
}

bool frame_is_shared(uint64_t phys)
{
    return __atomic_load_n(reference_of(phys), __ATOMIC_ACQUIRE) > 1;
}

size_t frame_managed_count(void)
{
    return managed_frames;
}

size_t frame_free_count(void)
{
    uint64_t flags = spin_lock(&frame_lock);
    size_t count = untouched_frames + freed_frames + cached_frames();
    spin_unlock(&frame_lock, flags);
    return count;
}
