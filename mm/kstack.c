/* mm/kstack.c: the kernel stack area (see kstack.h).
 *
 * The area is an array of slots, each a guard page followed by KSTACK_PAGES mapped pages:
 *
 *     KSTACK_AREA_BASE + i * SLOT_SIZE:  [guard][stack ......................] <- top
 *
 * Free slots are a stack of indices; slots never used yet come from a counter.
 */
#include "mm/kstack.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/frame.h"
#include "mm/layout.h"
#include "mm/pagetable.h"
#include "mm/phys.h"

enum { SLOT_SIZE = (KSTACK_PAGES + 1) * PAGE_SIZE, MAX_SLOTS = 4096 };

/* kstack_lock protects the slots' bookkeeping and the mapping of their pages in the kernel's
 * shared tables. kstack_find and kstack_guard_contains read without it: they serve stack
 * dumps and backtraces, which must work when everything else has failed. */
static struct spinlock kstack_lock;
static uint16_t free_slots[MAX_SLOTS];
static unsigned free_count, slots_used_ever;
static bool allocated[MAX_SLOTS];

static uint64_t slot_base(unsigned slot) { return KSTACK_AREA_BASE + (uint64_t)slot * SLOT_SIZE; }

static void release_frame(uint64_t pa, uint64_t size, void *ctx)
{
    (void)size;
    (void)ctx;
    frame_free(pa);
}


/* kstack_alloc's work, under its lock. */
static uint64_t map_a_stack(void)
{
    unsigned slot;
    if (free_count)
        slot = free_slots[--free_count];
    else if (slots_used_ever < MAX_SLOTS)
        slot = slots_used_ever++;
    else
        return 0;
    uint64_t stack = slot_base(slot) + PAGE_SIZE;
    for (int i = 0; i < KSTACK_PAGES; i++) {
        uint64_t frame = frame_alloc();
        if (!frame || pt_map(pt_kernel_root, stack + i * PAGE_SIZE, frame, PAGE_SIZE, PTE_WRITE | PTE_NX,
                             PAGE_SHIFT_4K, 0)) {
            if (frame)
                frame_free(frame);
            if (i)
                pt_unmap(pt_kernel_root, stack, i * PAGE_SIZE, release_frame, NULL);
            free_slots[free_count++] = (uint16_t)slot;
            return 0;
        }
    }
    allocated[slot] = true;
    return stack + KSTACK_SIZE;
}

uint64_t kstack_alloc(void)
{
    uint64_t flags = spin_lock(&kstack_lock);
    uint64_t top = map_a_stack();
    spin_unlock(&kstack_lock, flags);
    return top;
}

void kstack_free(uint64_t top)
{
    uint64_t flags = spin_lock(&kstack_lock);
    uint64_t offset = top - KSTACK_AREA_BASE;
    unsigned slot = offset / SLOT_SIZE;
    if (top < KSTACK_AREA_BASE || offset % SLOT_SIZE || slot == 0 || !allocated[slot - 1])
        panic("kstack_free(%p): not the top of a kernel stack", (void *)top);
    slot--;                         /* a stack's top is the next slot's base */
    allocated[slot] = false;
    pt_unmap(pt_kernel_root, slot_base(slot) + PAGE_SIZE, KSTACK_SIZE, release_frame, NULL);
    free_slots[free_count++] = (uint16_t)slot;
    spin_unlock(&kstack_lock, flags);
}

bool kstack_find(uint64_t addr, uint64_t len, uint64_t *low, uint64_t *high)
{
    if (addr < KSTACK_AREA_BASE || addr >= slot_base(MAX_SLOTS))
        return false;
    unsigned slot = (addr - KSTACK_AREA_BASE) / SLOT_SIZE;
    *low = slot_base(slot) + PAGE_SIZE;
    *high = *low + KSTACK_SIZE;
    return allocated[slot] && addr >= *low && len <= *high - addr;
}

bool kstack_guard_contains(uint64_t addr)
{
    return addr >= KSTACK_AREA_BASE && addr < slot_base(MAX_SLOTS)
        && (addr - KSTACK_AREA_BASE) % SLOT_SIZE < PAGE_SIZE;
}
