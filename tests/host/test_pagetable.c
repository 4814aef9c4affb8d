/* tests/host/test_pagetable.c: mm/pagetable.c and mm/ptdump.c on simulated memory. */
#include "check.h"
#include "kernel/errno.h"
#include "mm/frame.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include "mm/ptdump.h"
#include "sim_memory.h"
#include <stdlib.h>

#define KB (1ull << 10)
#define MB (1ull << 20)
#define GB (1ull << 30)

static unsigned released_pages;
static void count_release(uint64_t pa, uint64_t size, void *ctx)
{
    (void)pa, (void)ctx;
    released_pages += size / PAGE_SIZE;
}

static void fresh_kernel(void)
{
    sim_memory_init(8 * MB);
    CHECK(pt_kernel_root_init() == 0);
}

static void test_map_translate_round_trip(void)
{
    fresh_kernel();
    uint64_t root = pt_root_new();
    size_t before = frame_free_count();
    CHECK(pt_map(root, 0x400000, 0x12345000, 3 * PAGE_SIZE, PTE_USER | PTE_WRITE | PTE_NX, PAGE_SHIFT_4K, 0) == 0);
    CHECK(before - frame_free_count() == 3);    /* a PDPT, a PD and a PT */
    for (uint64_t off = 0; off < 3 * PAGE_SIZE; off += 0x800) {
        uint64_t pa, prot;
        unsigned shift;
        CHECK(pt_translate(root, 0x400000 + off + 7, &pa, &prot, &shift) == 0);
        CHECK(pa == 0x12345000 + off + 7);
        CHECK(prot == (PTE_USER | PTE_WRITE | PTE_NX));
        CHECK(shift == PAGE_SHIFT_4K);
    }
    CHECK(pt_translate(root, 0x403000, NULL, NULL, NULL) == -ENOENT);
    CHECK(pt_translate(root, 0x3ff000, NULL, NULL, NULL) == -ENOENT);
}

static void test_huge_pages(void)
{
    fresh_kernel();
    uint64_t root = pt_root_new();
    CHECK(pt_map(root, 0x40000000, 0x80000000, 2 * GB, PTE_USER, PAGE_SHIFT_1G, 0) == 0);
    CHECK(pt_map(root, 0x200000, 0x600000, 4 * MB, PTE_USER, PAGE_SHIFT_2M, 0) == 0);
    uint64_t pa;
    unsigned shift;
    CHECK(pt_translate(root, 0x40000000 + GB + 12345, &pa, NULL, &shift) == 0);
    CHECK(pa == 0x80000000 + GB + 12345 && shift == PAGE_SHIFT_1G);
    CHECK(pt_translate(root, 0x3fffff, &pa, NULL, &shift) == 0);
    CHECK(pa == 0x7fffff && shift == PAGE_SHIFT_2M);
    /* Misaligned huge pages, and a 4 KiB page under a 2 MiB one, are refused. */
    CHECK(pt_map(root, 0x201000, 0x600000, 2 * MB, 0, PAGE_SHIFT_2M, 0) == -EINVAL);
    CHECK(pt_map(root, 0x800000, 0x601000, 2 * MB, 0, PAGE_SHIFT_2M, 0) == -EINVAL);
    CHECK(pt_map(root, 0x201000, 0x1000, PAGE_SIZE, 0, PAGE_SHIFT_4K, PT_REPLACE) == -EEXIST);
    /* Unmapping part of a huge page would split it: refused, and nothing changes. */
    CHECK(pt_unmap(root, 0x200000, PAGE_SIZE, NULL, NULL) == -EINVAL);
    CHECK(pt_translate(root, 0x200000, NULL, NULL, NULL) == 0);
    /* pt_map_largest: 4 KiB at the edges, 2 MiB in the middle, 1 GiB where it fits. */
    CHECK(pt_map_largest(root, 0x100000000 - 8 * KB, 0x100000000 - 8 * KB, 8 * KB + GB + 2 * MB + 4 * KB, 0,
                         PAGE_SHIFT_1G) == 0);
    CHECK(pt_translate(root, 0x100000000 - 4 * KB, NULL, NULL, &shift) == 0 && shift == PAGE_SHIFT_4K);
    CHECK(pt_translate(root, 0x100000000, NULL, NULL, &shift) == 0 && shift == PAGE_SHIFT_1G);
    CHECK(pt_translate(root, 0x100000000 + GB, NULL, NULL, &shift) == 0 && shift == PAGE_SHIFT_2M);
    CHECK(pt_translate(root, 0x100000000 + GB + 2 * MB, NULL, NULL, &shift) == 0 && shift == PAGE_SHIFT_4K);
    CHECK(pt_translate(root, 0x100000000 + GB + 2 * MB + 4 * KB, NULL, NULL, NULL) == -ENOENT);
}

static void test_bad_requests(void)
{
    fresh_kernel();
    uint64_t root = pt_root_new();
    CHECK(pt_map(root, 0x0000800000000000ull, 0, PAGE_SIZE, 0, PAGE_SHIFT_4K, 0) == -EINVAL);
    CHECK(pt_map(root, 0x00007ffffffff000ull, 0x1000, 2 * PAGE_SIZE, 0, PAGE_SHIFT_4K, 0) == -EINVAL);
    CHECK(pt_map(root, 0x1000, 0x1000, 0, 0, PAGE_SHIFT_4K, 0) == -EINVAL);
    CHECK(pt_map(root, 0x1000, 0x1000, PAGE_SIZE, 0, 13, 0) == -EINVAL);
    CHECK(pt_map(root, 0x1000, 0x1000, PAGE_SIZE, PTE_PRESENT, PAGE_SHIFT_4K, 0) == -EINVAL);
    CHECK(pt_map(root, 0x1000, 0x1001, PAGE_SIZE, 0, PAGE_SHIFT_4K, 0) == -EINVAL);
    CHECK(pt_map(root, 0x1000, 0x000ffffffffff000ull, 2 * PAGE_SIZE, 0, PAGE_SHIFT_4K, 0) == -EINVAL);
    CHECK(pt_unmap(root, 0x1000, 0x800, NULL, NULL) == -EINVAL);
    CHECK(pt_protect(root, 0x1000, PAGE_SIZE, 0) == -ENOENT);
    CHECK(pt_translate(root, 0x0000800000000000ull, NULL, NULL, NULL) == -EINVAL);
    /* An overwrite needs PT_REPLACE, and a refused map leaves no page of its range behind. */
    CHECK(pt_map(root, 0x5000, 0x5000, PAGE_SIZE, 0, PAGE_SHIFT_4K, 0) == 0);
    CHECK(pt_map(root, 0x3000, 0x3000, 3 * PAGE_SIZE, 0, PAGE_SHIFT_4K, 0) == -EEXIST);
    CHECK(pt_translate(root, 0x3000, NULL, NULL, NULL) == -ENOENT);
    CHECK(pt_translate(root, 0x4000, NULL, NULL, NULL) == -ENOENT);
    unsigned flushes = sim_tlb_invalidations;
    CHECK(pt_map(root, 0x5000, 0x9000, PAGE_SIZE, PTE_WRITE, PAGE_SHIFT_4K, PT_REPLACE) == 0);
    CHECK(sim_tlb_invalidations > flushes);     /* a replaced mapping may be cached */
    uint64_t pa;
    CHECK(pt_translate(root, 0x5000, &pa, NULL, NULL) == 0 && pa == 0x9000);
}

static void test_protect_and_effective_permissions(void)
{
    fresh_kernel();
    uint64_t root = pt_root_new();
    CHECK(pt_map(root, 0x10000, 0x10000, 4 * PAGE_SIZE, PTE_USER | PTE_WRITE, PAGE_SHIFT_4K, 0) == 0);
    unsigned flushes = sim_tlb_invalidations;
    CHECK(pt_protect(root, 0x11000, 2 * PAGE_SIZE, PTE_USER | PTE_NX) == 0);
    CHECK(sim_tlb_invalidations == flushes + 1);
    uint64_t prot;
    CHECK(pt_translate(root, 0x10000, NULL, &prot, NULL) == 0 && prot == (PTE_USER | PTE_WRITE));
    CHECK(pt_translate(root, 0x11000, NULL, &prot, NULL) == 0 && prot == (PTE_USER | PTE_NX));
    CHECK(pt_translate(root, 0x13000, NULL, &prot, NULL) == 0 && prot == (PTE_USER | PTE_WRITE));
    /* A hole in the range: refused, and nothing changed. */
    CHECK(pt_protect(root, 0x12000, 3 * PAGE_SIZE, 0) == -ENOENT);
    CHECK(pt_translate(root, 0x12000, NULL, &prot, NULL) == 0 && prot == (PTE_USER | PTE_NX));
    /* In the kernel half the tables do not grant user access, whatever the leaf says. */
    CHECK(pt_map(pt_kernel_root, 0xffffc00000000000ull, 0x1000, PAGE_SIZE, PTE_USER | PTE_WRITE, PAGE_SHIFT_4K, 0) == 0);
    CHECK(pt_translate(root, 0xffffc00000000000ull, NULL, &prot, NULL) == 0 && prot == PTE_WRITE);
}

static void test_unmap_frees_empty_tables_and_destroy_leaks_nothing(void)
{
    fresh_kernel();
    size_t start = frame_free_count();
    uint64_t root = pt_root_new();
    CHECK(start - frame_free_count() == 1);
    size_t with_root = frame_free_count();
    CHECK(pt_map(root, 0x7f0000000000ull, 0x1000, 16 * PAGE_SIZE, PTE_USER, PAGE_SHIFT_4K, 0) == 0);
    CHECK(pt_map(root, 0x1000, 0x1000, PAGE_SIZE, PTE_USER, PAGE_SHIFT_4K, 0) == 0);
    released_pages = 0;
    CHECK(pt_unmap(root, 0x7f0000000000ull, 16 * PAGE_SIZE, count_release, NULL) == 0);
    CHECK(released_pages == 16);
    CHECK(pt_unmap(root, 0x1000, PAGE_SIZE, count_release, NULL) == 0);
    CHECK(frame_free_count() == with_root);     /* all six tables went back */
    CHECK(pt_unmap(root, 0x1000, PAGE_SIZE, count_release, NULL) == 0);    /* unmapping nothing is fine */

    for (int i = 0; i < 1000; i++) {
        uint64_t space = pt_root_new();
        CHECK(space != 0);
        CHECK(pt_map(space, (uint64_t)(i + 1) << 30, 0x200000, 2 * MB, PTE_USER, PAGE_SHIFT_2M, 0) == 0);
        CHECK(pt_map(space, 0x1000, 0x1000, PAGE_SIZE, PTE_USER, PAGE_SHIFT_4K, 0) == 0);
        pt_root_destroy(space, NULL, NULL);
    }
    pt_root_destroy(root, NULL, NULL);
    CHECK(frame_free_count() == start);
}

/* Released while no invalidation had come since pt_unmap began: counted as too early. */
static unsigned invalidations_before_unmap, released_before_invalidation;

static void release_checking_order(uint64_t pa, uint64_t size, void *ctx)
{
    (void)pa, (void)size, (void)ctx;
    released_pages++;
    released_before_invalidation += sim_tlb_invalidations == invalidations_before_unmap;
}

/* mmu_gather's order: a page is released, and an emptied table freed, only once the TLB was
 * told; more pages than one batch holds invalidate early, never late. */
static void test_unmap_frees_only_after_the_invalidation(void)
{
    fresh_kernel();
    uint64_t root = pt_root_new();
    size_t with_root = frame_free_count();
    for (unsigned pages = 1; pages <= 200; pages += 199) {
        CHECK(pt_map(root, 0x7f0000000000ull, 0x1000, pages * PAGE_SIZE, PTE_USER, PAGE_SHIFT_4K, 0) == 0);
        size_t mapped = frame_free_count();
        invalidations_before_unmap = sim_tlb_invalidations;
        released_pages = released_before_invalidation = 0;
        CHECK(pt_unmap(root, 0x7f0000000000ull, pages * PAGE_SIZE, release_checking_order, NULL) == 0);
        CHECK(released_pages == pages);
        CHECK(released_before_invalidation == 0);
        CHECK(sim_tlb_invalidations > invalidations_before_unmap);
        CHECK(sim_free_frames_at_invalidation <= mapped);   /* no table freed before the first one */
        CHECK(frame_free_count() == with_root);
    }
    pt_root_destroy(root, NULL, NULL);
}

static void test_kernel_half_is_shared(void)
{
    fresh_kernel();
    uint64_t a = pt_root_new();
    CHECK(pt_map(pt_kernel_root, 0xffff900000000000ull, 0x7000, PAGE_SIZE, PTE_WRITE, PAGE_SHIFT_4K, 0) == 0);
    uint64_t b = pt_root_new();
    uint64_t pa;
    CHECK(pt_translate(a, 0xffff900000000000ull, &pa, NULL, NULL) == 0 && pa == 0x7000);
    CHECK(pt_translate(b, 0xffff900000000000ull, &pa, NULL, NULL) == 0 && pa == 0x7000);
    /* Unmapping through one address space never frees the shared top-level tables. */
    CHECK(pt_unmap(a, 0xffff900000000000ull, PAGE_SIZE, NULL, NULL) == 0);
    CHECK(pt_translate(b, 0xffff900000000000ull, NULL, NULL, NULL) == -ENOENT);
    CHECK(pt_map(pt_kernel_root, 0xffff900000000000ull, 0x8000, PAGE_SIZE, 0, PAGE_SHIFT_4K, 0) == 0);
    CHECK(pt_translate(a, 0xffff900000000000ull, &pa, NULL, NULL) == 0 && pa == 0x8000);
    pt_root_destroy(a, NULL, NULL);
    CHECK(pt_translate(b, 0xffff900000000000ull, &pa, NULL, NULL) == 0 && pa == 0x8000);
}

struct text {
    char buf[2048];
    size_t len;
};

static void to_text(void *ctx, char c)
{
    struct text *t = ctx;
    if (t->len + 1 < sizeof t->buf)
        t->buf[t->len++] = c;
}

static void test_ptdump_coalesces_ranges(void)
{
    fresh_kernel();
    uint64_t root = pt_root_new();
    /* Two pages apart in physical memory but adjacent in virtual: one run. */
    CHECK(pt_map(root, 0x400000, 0x100000, PAGE_SIZE, PTE_USER, PAGE_SHIFT_4K, 0) == 0);
    CHECK(pt_map(root, 0x401000, 0x900000, PAGE_SIZE, PTE_USER, PAGE_SHIFT_4K, 0) == 0);
    CHECK(pt_map(root, 0x402000, 0x102000, PAGE_SIZE, PTE_USER | PTE_WRITE | PTE_NX, PAGE_SHIFT_4K, 0) == 0);
    CHECK(pt_map(root, 0x600000, 0x600000, 4 * MB, PTE_USER | PTE_WRITE | PTE_NX, PAGE_SHIFT_2M, 0) == 0);
    CHECK(pt_map(root, 0x00007ffffffff000ull, 0x1000, PAGE_SIZE, PTE_USER | PTE_NX, PAGE_SHIFT_4K, 0) == 0);
    CHECK(pt_map(pt_kernel_root, 0xffffffff80000000ull, 0x40000000, 1 * GB, PTE_GLOBAL, PAGE_SHIFT_1G, 0) == 0);
    struct text t = { .len = 0 };
    ptdump(root, to_text, &t);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "ptdump cr3=%016llx\n"
             "0000000000400000-0000000000402000 8K user ro x - 4K\n"
             "0000000000402000-0000000000403000 4K user RW NX - 4K\n"
             "0000000000600000-0000000000a00000 4M user RW NX - 2M\n"
             "00007ffffffff000-0000800000000000 4K user ro NX - 4K\n"
             "ffffffff80000000-ffffffffc0000000 1G kernel ro x G 1G\n"
             "ptdump end\n",
             (unsigned long long)root);
    CHECK_STREQ(t.buf, expected);
}

int main(void)
{
    test_map_translate_round_trip();
    test_huge_pages();
    test_bad_requests();
    test_protect_and_effective_permissions();
    test_unmap_frees_empty_tables_and_destroy_leaks_nothing();
    test_unmap_frees_only_after_the_invalidation();
    test_kernel_half_is_shared();
    test_ptdump_coalesces_ranges();
    return check_report();
}
