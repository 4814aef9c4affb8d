/* arch/x86_64/stacks.c: the boot stack (from boot/start.asm), the IST stacks, and the
 * kernel stack area (mm/kstack.c) as one set of known stacks. */
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/gdt.h"
#include "mm/kstack.h"
#include "mm/layout.h"

enum { BOOT_STACK_SIZE = 16384, IST_STACK_SIZE = 8192 };

extern char boot_stack_guard[], boot_stack_top[];

/* NMI, #DF, #MC and #DB arrive on these whatever RSP held (and whatever CR3: they are in
 * the entry area); 16-byte aligned as the ABI wants. */
static uint8_t ist_stacks[MAX_CPUS][IST_COUNT][IST_STACK_SIZE]
    __attribute__((section(".bss.entry"), aligned(16)));

uint64_t ist_stack_top(unsigned cpu_id, int ist)
{
    return (uint64_t)&ist_stacks[cpu_id][ist - 1][IST_STACK_SIZE];
}

static bool range_holds(struct stack_range r, uint64_t addr, uint64_t len)
{
    return addr >= r.low && addr <= r.high && len <= r.high - addr;
}

bool kernel_stack_find(uint64_t addr, uint64_t len, struct stack_range *found)
{
    struct stack_range boot = { (uint64_t)boot_stack_top - BOOT_STACK_SIZE, (uint64_t)boot_stack_top };
    if (range_holds(boot, addr, len)) {
        *found = boot;
        return true;
    }
    struct stack_range all_ist = { (uint64_t)ist_stacks, (uint64_t)ist_stacks + sizeof(ist_stacks) };
    if (range_holds(all_ist, addr, len)) {
        uint64_t low = addr - (addr - all_ist.low) % IST_STACK_SIZE;
        *found = (struct stack_range){ low, low + IST_STACK_SIZE };
        return range_holds(*found, addr, len);
    }
    return kstack_find(addr, len, &found->low, &found->high);
}

bool stack_guard_contains(uint64_t addr)
{
    return addr - (uint64_t)boot_stack_guard < PAGE_SIZE || kstack_guard_contains(addr);
}
