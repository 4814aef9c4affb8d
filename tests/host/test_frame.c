/* tests/host/test_frame.c: mm/frame.c on simulated memory. */
#include "check.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "sim_memory.h"
#include <stdlib.h>

static void test_reserved_ranges_are_never_handed_out(void)
{
    sim_memory_init(64 * PAGE_SIZE);
    const uint64_t base = SIM_PHYS_BASE;
    /* Available: two overlapping ranges, one with ragged edges; reserved: three pieces. */
    struct phys_range available[] = { { base + 100, base + 40 * PAGE_SIZE - 1 },
                                      { base + 30 * PAGE_SIZE, base + 64 * PAGE_SIZE } };
    struct phys_range reserved[] = { { base + 10 * PAGE_SIZE + 5, base + 12 * PAGE_SIZE },
                                     { base + 50 * PAGE_SIZE, base + 51 * PAGE_SIZE },
                                     { base + 60 * PAGE_SIZE, base + 200 * PAGE_SIZE } };
    /* Pages 1..63 (page 0 is ragged), less 10, 11, 50, 60..63, and the lowest free page,
     * which holds the reference counts (2 bytes for each of 320 frames up to the top). */
    size_t expected = 63 - 2 - 1 - 4 - 1;
    CHECK(frame_allocator_init(available, 2, reserved, 3) == expected);
    uint64_t seen[64] = { 0 };
    size_t n = 0;
    for (uint64_t f; (f = frame_alloc()) != 0; n++) {
        uint64_t page = (f - base) / PAGE_SIZE;
        CHECK(f % PAGE_SIZE == 0);
        CHECK(page >= 2 && page < 60 && page != 10 && page != 11 && page != 50);
        CHECK(seen[page]++ == 0);           /* never twice, despite the overlap */
    }
    CHECK(n == expected);
    CHECK(frame_free_count() == 0);
}

static void test_free_then_alloc_reuses_in_constant_time(void)
{
    sim_memory_init(16 * PAGE_SIZE);
    size_t total = frame_free_count();
    CHECK(total == 15);                 /* one page holds the reference counts */
    uint64_t a = frame_alloc(), b = frame_alloc();
    CHECK(a && b && a != b && frame_free_count() == total - 2);
    frame_free(a);
    frame_free(b);
    CHECK(frame_free_count() == total);
    CHECK(frame_alloc() == b && frame_alloc() == a);    /* last freed, first given */
    uint64_t z = frame_alloc_zeroed();
    const uint8_t *bytes = phys_to_virt(z);
    int nonzero = 0;
    for (size_t i = 0; i < PAGE_SIZE; i++)
        nonzero |= bytes[i];
    CHECK(!nonzero);
}

static void test_shared_frames_go_back_with_their_last_reference(void)
{
    sim_memory_init(16 * PAGE_SIZE);
    size_t total = frame_free_count();
    uint64_t f = frame_alloc();
    CHECK(!frame_is_shared(f));
    frame_share(f);
    frame_share(f);
    CHECK(frame_is_shared(f));
    frame_free(f);
    frame_free(f);
    CHECK(frame_free_count() == total - 1);     /* one reference is left */
    CHECK(!frame_is_shared(f));
    frame_free(f);
    CHECK(frame_free_count() == total);
    CHECK(frame_alloc() == f);
}

int main(void)
{
    test_reserved_ranges_are_never_handed_out();
    test_free_then_alloc_reuses_in_constant_time();
    test_shared_frames_go_back_with_their_last_reference();
    return check_report();
}
