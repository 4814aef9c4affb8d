/* mm/ptdump.c: print an address space as coalesced ranges (see ptdump.h). */
#include "mm/ptdump.h"
#include "mm/pagetable.h"
#include <stdbool.h>

struct run {
    bool open;
    uint64_t start, end, prot, page_size;
    format_sink sink;
    void *ctx;
};

static void format_size(char *buf, size_t len, uint64_t bytes)
{
    static const char units[] = "KMGT";
    int unit = 0;
    uint64_t value = bytes >> 10;
    while (unit < 3 && value % 1024 == 0) {
        value /= 1024;
        unit++;
    }
    ksnprintf(buf, len, "%lu%c", value, units[unit]);
}

static void emit_run(struct run *r)
{
    char size[24], page[8];
    format_size(size, sizeof size, r->end - r->start);
    format_size(page, sizeof page, r->page_size);
    format(r->sink, r->ctx, "%016lx-%016lx %s %s %s %s %s %s\n", r->start, r->end, size,
           r->prot & PTE_USER ? "user" : "kernel", r->prot & PTE_WRITE ? "RW" : "ro",
           r->prot & PTE_NX ? "NX" : "x", r->prot & PTE_GLOBAL ? "G" : "-", page);
}

static void add_leaf(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot)
{
    (void)pa;                       /* runs coalesce by virtual address only */
    struct run *r = ctx;
    if (r->open && va == r->end && prot == r->prot && size == r->page_size) {
        r->end += size;
        return;
    }
    if (r->open)
        emit_run(r);
    *r = (struct run){ true, va, va + size, prot, size, r->sink, r->ctx };
}

void ptdump(uint64_t root, format_sink sink, void *ctx)
{
    struct run r = { .sink = sink, .ctx = ctx };
    format(sink, ctx, "ptdump cr3=%016lx\n", root);
    pt_walk(root, 0, 0, add_leaf, &r);
    if (r.open)
        emit_run(&r);
    format(sink, ctx, "ptdump end\n");
}
