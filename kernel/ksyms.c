/* kernel/ksyms.c: binary search in the build-time symbol table (see ksyms.h). */
#include "kernel/ksyms.h"
#include "kernel/printk.h"
#include <stddef.h>

struct ksym {
    uint64_t addr;
    const char *name;
};

/* Layout of .ksyms, written by tools/ksyms.sh: a count, then entries sorted by address. */
struct ksym_table {
    uint64_t count;
    struct ksym entries[];
};

extern const char __ksyms_start[], __ksyms_end[], __text_start[], __text_end[];

bool ksym_lookup(uint64_t addr, const char **name, uint64_t *offset)
{
    if ((uintptr_t)__ksyms_start == (uintptr_t)__ksyms_end || addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end)
        return false;
    const struct ksym_table *table = (const struct ksym_table *)__ksyms_start;
    size_t low = 0, high = table->count;        /* find the last entry with entry.addr <= addr */
    while (high - low > 1) {
        size_t mid = low + (high - low) / 2;
        if (table->entries[mid].addr <= addr)
            low = mid;
        else
            high = mid;
    }
    if (table->count == 0 || table->entries[low].addr > addr)
        return false;
    *name = table->entries[low].name;
    *offset = addr - table->entries[low].addr;
    return true;
}

void ksym_print(uint64_t addr, bool is_return)
{
    const char *name;
    uint64_t offset;
    kprintf("%016lx", addr);
    if (ksym_lookup(addr - (is_return ? 1 : 0), &name, &offset))
        kprintf(" <%s+0x%lx>", name, offset + (is_return ? 1 : 0));
}
