/* mm/pagetable.c: the page-table builder (see pagetable.h). */
#include "mm/pagetable.h"
#include "kernel/errno.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/tlb.h"
#include <stdbool.h>
#include <string.h>

enum { ENTRIES = 512 };
#define LOWER_HALF_END   0x0000800000000000ull
#define UPPER_HALF_START 0xffff800000000000ull
/* Permission bits that combine down a walk: granted only if every level grants them. */
#define PTE_ANDED (PTE_WRITE | PTE_USER)

/* Set at boot (mm_init); read-only after. The kernel half's tables they reach change under
 * their users' locks (kernel stacks: kstack.c's). */
uint64_t pt_kernel_root;
uint64_t pt_phys_limit;

static unsigned shift_of(int level) { return PAGE_SHIFT_4K + 9 * (level - 1); }
static unsigned index_of(uint64_t va, int level) { return (va >> shift_of(level)) & (ENTRIES - 1); }
static pte_t *table_at(uint64_t phys) { return phys_to_virt(phys); }
static bool is_leaf(pte_t e, int level) { return level == 1 || (e & PTE_HUGE); }
static uint64_t leaf_address(pte_t e, int level) { return e & PTE_ADDR_MASK & ~((1ull << shift_of(level)) - 1); }

/* [va, va + size) is non-empty, does not wrap, and lies in one canonical half; *last is its
 * last byte (kept inclusive so a range may end at the top of the address space). */
static bool range_ok(uint64_t va, uint64_t size, uint64_t *last)
{
    *last = va + size - 1;
    if (size == 0 || *last < va)
        return false;
    return va < LOWER_HALF_END ? *last < LOWER_HALF_END : va >= UPPER_HALF_START;
}

/* The entry that leads to a new table at frame, on the way to va: tables grant everything
 * (user access in the user half); the leaf decides. */
static pte_t table_entry(uint64_t frame, uint64_t va)
{
    return frame | PTE_PRESENT | PTE_WRITE | (va < LOWER_HALF_END ? PTE_USER : 0);
}

/* The entry for va in the table at `level`, walking from root and, if create, making the
 * tables that are missing. NULL with *error = -ENOENT (missing), -EEXIST (a leaf above
 * `level` is in the way) or -ENOMEM. */
static pte_t *entry_for(uint64_t root, uint64_t va, int level, bool create, int *error)
{
    pte_t *table = table_at(root);
    for (int l = 4; l > level; l--) {
        pte_t *e = &table[index_of(va, l)];
        if (!(*e & PTE_PRESENT)) {
            uint64_t frame = create ? frame_alloc_zeroed() : 0;
            if (!frame) {
                *error = create ? -ENOMEM : -ENOENT;
                return NULL;
            }
            *e = table_entry(frame, va);
        } else if (*e & PTE_HUGE) {
            *error = -EEXIST;
            return NULL;
        }
        table = table_at(*e & PTE_ADDR_MASK);
    }
    return &table[index_of(va, level)];
}

static bool table_empty(uint64_t phys)
{
    const pte_t *table = table_at(phys);
    for (int i = 0; i < ENTRIES; i++)
        if (table[i])
            return false;
    return true;
}

int pt_kernel_root_init(void)
{
    uint64_t root = frame_alloc_zeroed();
    if (!root)
        return -ENOMEM;
    pte_t *slots = table_at(root);
    for (int i = FIRST_KERNEL_SLOT; i < ENTRIES; i++) {
        uint64_t table = frame_alloc_zeroed();
        if (!table) {
            while (--i >= FIRST_KERNEL_SLOT)
                frame_free(slots[i] & PTE_ADDR_MASK);
            frame_free(root);
            return -ENOMEM;
        }
        slots[i] = table | PTE_PRESENT | PTE_WRITE;
    }
    pt_kernel_root = root;
    return 0;
}

uint64_t pt_root_new(void)
{
    uint64_t root = frame_alloc_zeroed();
    if (root)
        memcpy(table_at(root) + FIRST_KERNEL_SLOT, table_at(pt_kernel_root) + FIRST_KERNEL_SLOT,
               (ENTRIES - FIRST_KERNEL_SLOT) * sizeof(pte_t));
    return root;
}

int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot, unsigned page_shift,
           unsigned options)
{
    uint64_t last;
    if (page_shift != PAGE_SHIFT_4K && page_shift != PAGE_SHIFT_2M && page_shift != PAGE_SHIFT_1G)
        return -EINVAL;
    uint64_t page = 1ull << page_shift;
    if ((va | pa | size) & (page - 1) || !range_ok(va, size, &last) || (prot & ~PTE_PROT_MASK)
        || pa + size < pa || pa + size > (1ull << 52))
        return -EINVAL;

    int level = (page_shift - PAGE_SHIFT_4K) / 9 + 1;
    bool replaced = false;
    for (uint64_t off = 0; off < size; off += page) {
        int error = 0;
        pte_t *e = entry_for(root, va + off, level, true, &error);
        if (e && (*e & PTE_PRESENT)) {
            if ((options & PT_REPLACE) && is_leaf(*e, level))
                replaced = true;
            else
                error = -EEXIST;
        }
        if (error) {
            /* Undo this call. After -ENOMEM the failing page's new, empty tables go too;
             * after -EEXIST its path already existed and stays. */
            uint64_t undo = off + (error == -ENOMEM ? page : 0);
            if (undo)
                pt_unmap(root, va, undo, NULL, NULL);
            return error;
        }
        *e = (pa + off) | prot | PTE_PRESENT | (level > 1 ? PTE_HUGE : 0);
    }
    if (replaced)
        tlb_invalidate(root, va, size);
    return 0;
}

size_t pt_map_run(uint64_t root, uint64_t va, size_t count, uint64_t prot,
                  uint64_t (*frame_of)(void *ctx, size_t i), void *ctx, int *error)
{
    pte_t *table = NULL;                    /* the leaf table of the page at hand */
    for (size_t i = 0; i < count; i++) {
        uint64_t at = va + i * PAGE_SIZE;
        if (!table || index_of(at, 1) == 0) {
            pte_t *e = entry_for(root, at, 1, true, error);
            if (!e)
                return i;
            table = e - index_of(at, 1);
        }
        pte_t *e = &table[index_of(at, 1)];
        if (*e & PTE_PRESENT) {
            *error = -EEXIST;
            return i;
        }
        uint64_t pa = frame_of(ctx, i);
        if (pa) {
            frame_share(pa);
            *e = pa | prot | PTE_PRESENT;
        }
    }
    return count;
}

int pt_map_largest(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot, unsigned max_shift)
{
    static const unsigned huge_shifts[] = { PAGE_SHIFT_1G, PAGE_SHIFT_2M };
    for (uint64_t off = 0; off < size;) {
        unsigned shift = PAGE_SHIFT_4K;
        for (int i = 0; i < 2; i++) {
            uint64_t page = 1ull << huge_shifts[i];
            if (huge_shifts[i] <= max_shift && !(((va + off) | (pa + off)) & (page - 1)) && size - off >= page) {
                shift = huge_shifts[i];
                break;
            }
        }
        int error = pt_map(root, va + off, pa + off, 1ull << shift, prot, shift, 0);
        if (error) {
            if (off)
                pt_unmap(root, va, off, NULL, NULL);
            return error;
        }
        off += 1ull << shift;
    }
    return 0;
}

/* Whether a huge page maps addr without starting there (an edge of a range there would split it). */
static bool splits_huge_page(uint64_t root, uint64_t addr)
{
    unsigned shift;
    return pt_translate(root, addr, NULL, NULL, &shift) == 0 && (addr & ((1ull << shift) - 1));
}

/* The entries of a table at `level` that [va, last] touches (the range lies in the table),
 * and what its entry 0 maps and each entry's span: loops over indices skip empty entries in
 * a few instructions each, which is what walks of sparse user tables mostly meet. */
struct entries {
    unsigned first, last;
    uint64_t base, size;
};

static struct entries entries_of(uint64_t va, uint64_t last, int level)
{
    uint64_t size = 1ull << shift_of(level);
    return (struct entries){ index_of(va, level), index_of(last, level), va & ~((size << 9) - 1), size };
}

/* What an unmap takes away, held until the TLB has forgotten it (Linux's mmu_gather): until
 * the invalidation a CPU may still reach a page through a stale translation, or walk a table
 * through a cached upper entry, so pages and tables are given back only after it. Pages wait
 * in a batch (a full one invalidates early); tables in a list through their first entry,
 * which reads as "not present" should a stale walk look (a table is 4 KiB aligned). */
enum { GATHER_PAGES = 64 };
struct gather {
    uint64_t root, va, size;            /* the unmap, for the invalidation */
    void (*release)(uint64_t pa, uint64_t size, void *ctx);
    void *ctx;
    bool changed;                       /* a present entry went: the TLB must hear of it */
    uint64_t free_below;                /* pt_teardown: a table mapping nothing from here up goes unread */
    unsigned pages;
    struct { uint64_t pa, size; } page[GATHER_PAGES];
    uint64_t tables;                    /* freed tables, each holding the next one's address */
};

/* Invalidate what changed, then give back what was gathered. */
static void gather_flush(struct gather *g)
{
    if (g->changed)
        tlb_invalidate(g->root, g->va, g->size);
    g->changed = false;
    for (unsigned i = 0; i < g->pages; i++)
        g->release(g->page[i].pa, g->page[i].size, g->ctx);
    g->pages = 0;
    while (g->tables) {
        uint64_t table = g->tables;
        g->tables = *table_at(table);
        frame_free(table);
    }
}

/* Remove [va, last] from the table at `level`, gathering the pages it maps (for release, if
 * given) and the tables that empty (except the shared kernel-half tables under the top). */
static void unmap_below(uint64_t table_phys, int level, uint64_t va, uint64_t last, struct gather *g)
{
    pte_t *table = table_at(table_phys);
    struct entries range = entries_of(va, last, level);
    for (unsigned i = range.first; i <= range.last; i++) {
        pte_t e = table[i];
        if (!(e & PTE_PRESENT))
            continue;
        if (is_leaf(e, level)) {            /* pt_unmap checked no huge page is cut */
            table[i] = 0;
            g->changed = true;
            if (g->release) {
                if (g->pages == GATHER_PAGES)
                    gather_flush(g);
                g->page[g->pages].pa = leaf_address(e, level);
                g->page[g->pages++].size = range.size;
            }
            continue;
        }
        uint64_t start = range.base + i * range.size, end = start + range.size - 1;
        uint64_t child = e & PTE_ADDR_MASK;
        unmap_below(child, level - 1, start > va ? start : va, end < last ? end : last, g);
        bool shared = level == 4 && i >= FIRST_KERNEL_SLOT;
        bool emptied = g->free_below ? end < g->free_below : table_empty(child);
        if (!shared && emptied) {
            table[i] = 0;
            g->changed = true;
            *table_at(child) = g->tables;
            g->tables = child;
        }
    }
}

/* pt_unmap, or pt_teardown with free_below (which takes a huge page across an edge whole:
 * the whole address space goes, so no huge page is cut in two). */
static int unmap(uint64_t root, uint64_t va, uint64_t size, void (*release)(uint64_t pa, uint64_t size, void *ctx),
                 void *ctx, uint64_t free_below)
{
    uint64_t last;
    if ((va | size) & (PAGE_SIZE - 1) || !range_ok(va, size, &last)
        || (!free_below && (splits_huge_page(root, va) || splits_huge_page(root, last + 1))))
        return -EINVAL;
    /* Field by field: an initializer would zero the page batch too (1 KiB, each unmap). */
    struct gather g;
    g.root = root;
    g.va = va;
    g.size = size;
    g.release = release;
    g.ctx = ctx;
    g.changed = false;
    g.free_below = free_below;
    g.pages = 0;
    g.tables = 0;
    unmap_below(root, 4, va, last, &g);
    gather_flush(&g);
    return 0;
}

int pt_unmap(uint64_t root, uint64_t va, uint64_t size, void (*release)(uint64_t pa, uint64_t size, void *ctx),
             void *ctx)
{
    return unmap(root, va, size, release, ctx, 0);
}

int pt_teardown(uint64_t root, uint64_t va, uint64_t size, uint64_t next_start,
                void (*release)(uint64_t pa, uint64_t size, void *ctx), void *ctx)
{
    if (va >= LOWER_HALF_END)
        return -EINVAL;
    return unmap(root, va, size, release, ctx, next_start ? next_start : UINT64_MAX);
}

/* pt_copy_cow's walk: the table at `level` in src and its twin in dst, over [va, last]; c
 * notes the span of the src pages it made read-only. */
struct cow_pass {
    uint64_t changed_first, changed_last;   /* changed_first > changed_last: none */
};

static int copy_below(pte_t *src, pte_t *dst, int level, uint64_t va, uint64_t last, struct cow_pass *c)
{
    struct entries range = entries_of(va, last, level);
    for (unsigned i = range.first; i <= range.last; i++) {
        pte_t e = src[i];
        if (!(e & PTE_PRESENT))
            continue;
        uint64_t start = range.base + i * range.size, end = start + range.size - 1;
        if (level == 1) {
            if (e & PTE_WRITE) {
                src[i] = e &= ~PTE_WRITE;
                if (c->changed_first > start)
                    c->changed_first = start;
                c->changed_last = end;
            }
            dst[i] = e;
            frame_share(e & PTE_ADDR_MASK);
            continue;
        }
        if (e & PTE_HUGE)
            return -EINVAL;                 /* user halves have 4 KiB pages only */
        if (!(dst[i] & PTE_PRESENT)) {
            uint64_t table = frame_alloc_zeroed();
            if (!table)
                return -ENOMEM;
            dst[i] = table_entry(table, start);
        }
        int error = copy_below(table_at(e & PTE_ADDR_MASK), table_at(dst[i] & PTE_ADDR_MASK), level - 1,
                               start > va ? start : va, end < last ? end : last, c);
        if (error)
            return error;
    }
    return 0;
}

int pt_copy_cow(uint64_t src_root, uint64_t dst_root, uint64_t va, uint64_t size)
{
    uint64_t last;
    if ((va | size) & (PAGE_SIZE - 1) || !range_ok(va, size, &last) || last >= LOWER_HALF_END)
        return -EINVAL;
    struct cow_pass c = { .changed_first = UINT64_MAX, .changed_last = 0 };
    int error = copy_below(table_at(src_root), table_at(dst_root), 4, va, last, &c);
    if (c.changed_first <= c.changed_last)
        tlb_invalidate(src_root, c.changed_first, c.changed_last + 1 - c.changed_first);
    return error;
}

/* Call leaf(ctx, entry, level, leaf va, effective prot) for each present leaf overlapping
 * [va, last], in address order. `granted` and `nx` carry the permissions of the levels above. */
typedef void (*leaf_fn)(void *ctx, pte_t *entry, int level, uint64_t va, uint64_t prot);

static void for_each_leaf(uint64_t table_phys, int level, uint64_t va, uint64_t last, uint64_t granted, uint64_t nx,
                          leaf_fn leaf, void *ctx)
{
    pte_t *table = table_at(table_phys);
    struct entries range = entries_of(va, last, level);
    for (unsigned i = range.first; i <= range.last; i++) {
        pte_t e = table[i];
        if (!(e & PTE_PRESENT))
            continue;
        uint64_t start = range.base + i * range.size, end = start + range.size - 1;
        uint64_t g = granted & e, n = nx | (e & PTE_NX);
        if (is_leaf(e, level))
            leaf(ctx, &table[i], level, start, (g & PTE_ANDED) | n | (e & PTE_GLOBAL));
        else if (!pt_phys_limit || (e & PTE_ADDR_MASK) < pt_phys_limit)
            for_each_leaf(e & PTE_ADDR_MASK, level - 1, start > va ? start : va, end < last ? end : last, g, n,
                          leaf, ctx);
    }
}

/* for_each_leaf over [start, end) (end 0: the top), one canonical half at a time. */
static void walk_range(uint64_t root, uint64_t start, uint64_t end, leaf_fn leaf, void *ctx)
{
    uint64_t last = end - 1;
    if (start < LOWER_HALF_END && start <= last)
        for_each_leaf(root, 4, start, last < LOWER_HALF_END ? last : LOWER_HALF_END - 1, PTE_ANDED, 0, leaf, ctx);
    if (start < UPPER_HALF_START)
        start = UPPER_HALF_START;
    if (last >= UPPER_HALF_START && start <= last)
        for_each_leaf(root, 4, start, last, PTE_ANDED, 0, leaf, ctx);
}

struct walk_adapter {
    pt_visitor visit;
    void *ctx;
};

static void visit_leaf(void *ctx, pte_t *entry, int level, uint64_t va, uint64_t prot)
{
    struct walk_adapter *w = ctx;
    w->visit(w->ctx, va, leaf_address(*entry, level), 1ull << shift_of(level), prot);
}

void pt_walk(uint64_t root, uint64_t start, uint64_t end, pt_visitor visit, void *ctx)
{
    struct walk_adapter w = { visit, ctx };
    walk_range(root, start, end, visit_leaf, &w);
}

struct protect_pass {
    uint64_t next;                  /* first byte not yet seen covered */
    bool gap;
    uint64_t prot;
    bool apply;
};

static void protect_leaf(void *ctx, pte_t *entry, int level, uint64_t va, uint64_t prot)
{
    (void)prot;
    struct protect_pass *p = ctx;
    if (va > p->next)
        p->gap = true;
    p->next = va + (1ull << shift_of(level));
    if (p->apply)
        *entry = (*entry & (PTE_ADDR_MASK | PTE_PRESENT | PTE_HUGE | PTE_ACCESSED | PTE_DIRTY)) | p->prot;
}

int pt_protect(uint64_t root, uint64_t va, uint64_t size, uint64_t prot)
{
    uint64_t last;
    if ((va | size) & (PAGE_SIZE - 1) || !range_ok(va, size, &last) || (prot & ~PTE_PROT_MASK)
        || splits_huge_page(root, va) || splits_huge_page(root, last + 1))
        return -EINVAL;
    struct protect_pass pass = { .next = va, .prot = prot };
    walk_range(root, va, last + 1, protect_leaf, &pass);
    if (pass.gap || pass.next != last + 1)
        return -ENOENT;
    pass = (struct protect_pass){ .next = va, .prot = prot, .apply = true };
    walk_range(root, va, last + 1, protect_leaf, &pass);
    tlb_invalidate(root, va, size);
    return 0;
}

int pt_translate(uint64_t root, uint64_t va, uint64_t *pa, uint64_t *prot, unsigned *page_shift)
{
    pte_t path[4];
    int depth = pt_lookup_path(root, va, path);
    if (depth < 0)
        return depth;
    pte_t leaf = path[depth - 1];
    int level = 5 - depth;
    if (!(leaf & PTE_PRESENT) || !is_leaf(leaf, level))     /* not leaf: stopped at pt_phys_limit */
        return -ENOENT;
    uint64_t granted = PTE_ANDED, nx = 0;
    for (int i = 0; i < depth; i++) {
        granted &= path[i];
        nx |= path[i] & PTE_NX;
    }
    if (pa)
        *pa = leaf_address(leaf, level) | (va & ((1ull << shift_of(level)) - 1));
    if (prot)
        *prot = (granted & PTE_ANDED) | nx | (leaf & PTE_GLOBAL);
    if (page_shift)
        *page_shift = shift_of(level);
    return 0;
}

int pt_lookup_path(uint64_t root, uint64_t va, pte_t path[4])
{
    if (va >= LOWER_HALF_END && va < UPPER_HALF_START)
        return -EINVAL;
    uint64_t table = root;
    for (int level = 4, depth = 0;; level--) {
        pte_t e = table_at(table)[index_of(va, level)];
        path[depth++] = e;
        if (!(e & PTE_PRESENT) || is_leaf(e, level))
            return depth;
        table = e & PTE_ADDR_MASK;
        if (pt_phys_limit && table >= pt_phys_limit)
            return depth;
    }
}

void pt_root_destroy(uint64_t root, void (*release)(uint64_t pa, uint64_t size, void *ctx), void *ctx)
{
    pt_unmap(root, 0, LOWER_HALF_END, release, ctx);
    frame_free(root);
}
