/* tests/host/test_kmalloc.c: mm/kmalloc.c on simulated memory. */
#include "check.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "sim_memory.h"
#include <stdint.h>
#include <stdlib.h>

static void test_objects_are_aligned_distinct_and_returned(void)
{
    sim_memory_init(4 << 20);
    size_t start = frame_free_count();
    enum { N = 3000 };
    static uint8_t *objects[N];
    static size_t sizes[N];
    srand(7);
    for (int i = 0; i < N; i++) {
        sizes[i] = (size_t)rand() % (KMALLOC_MAX + 1);
        objects[i] = kmalloc(sizes[i]);
        CHECK(objects[i] && (uintptr_t)objects[i] % 16 == 0);
        memset(objects[i], i & 0xff, sizes[i]);
    }
    /* Free every other one, allocate again, then check no object was overwritten. */
    for (int i = 0; i < N; i += 2)
        kfree(objects[i]);
    for (int i = 0; i < N; i += 2) {
        objects[i] = kzalloc(sizes[i]);
        for (size_t b = 0; b < sizes[i]; b++)
            CHECK(objects[i][b] == 0);
        memset(objects[i], i & 0xff, sizes[i]);
    }
    int damaged = 0;
    for (int i = 0; i < N; i++) {
        for (size_t b = 0; b < sizes[i]; b++)
            damaged += objects[i][b] != (uint8_t)(i & 0xff);
        kfree(objects[i]);
    }
    CHECK(damaged == 0);
    CHECK(frame_free_count() == start);     /* every slab was given back */
}

static void test_limits(void)
{
    sim_memory_init(1 << 20);
    size_t frames = frame_free_count();
    CHECK(kmalloc(KMALLOC_MAX + 1) == NULL);
    kfree(NULL);
    /* Memory runs out: kmalloc says so instead of failing later. */
    size_t n = 0;
    while (kmalloc(KMALLOC_MAX))
        n++;
    CHECK(n == 2 * frames);             /* two of the largest class per frame */
}

int main(void)
{
    test_objects_are_aligned_distinct_and_returned();
    test_limits();
    return check_report();
}
