/* arch/x86_64/pcid.c: PCID pairs and INVPCID (see pcid.h). */
#include "arch/x86_64/pcid.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/phys.h"

enum { PAIRS = 2048, CR4_PGE = 1 << 7, CR4_PCIDE = 1 << 17 };
enum { INVPCID_ADDRESS = 0, INVPCID_CONTEXT = 1, INVPCID_ALL_WITH_GLOBAL = 2 };

bool pcid_on, invpcid_on;             /* set once at boot */
/* pcid_lock protects the pairs in use and the next one to try. */
static struct spinlock pcid_lock;
static uint64_t in_use[PAIRS / 64];
static unsigned next_pair = 1;

/* Each pair's generation (atomic; moved on by any CPU), and the generation each CPU's TLB is
 * current with for each pair (only that CPU writes its row; 0: none). A generation wraps
 * after 2^32 changes of one address space; a CPU that saw one exactly 2^32 changes earlier
 * would keep stale entries. */
static uint32_t generation[PAIRS];
static uint32_t current_with[MAX_CPUS][PAIRS];

void pcid_init(bool want, bool cpu_has_pcid, bool cpu_has_invpcid)
{
    pcid_on = want && cpu_has_pcid;
    invpcid_on = pcid_on && cpu_has_invpcid;
    if (pcid_on)
        write_cr4(read_cr4() | CR4_PCIDE);
}

uint16_t pcid_alloc(void)
{
    if (!pcid_on)
        return 0;
    uint64_t flags = spin_lock(&pcid_lock);
    for (unsigned tries = 0; tries < PAIRS; tries++) {
        unsigned pair = next_pair;
        next_pair = next_pair + 1 == PAIRS ? 1 : next_pair + 1;
        if (!(in_use[pair / 64] & (1ull << pair % 64))) {
            in_use[pair / 64] |= 1ull << pair % 64;
            spin_unlock(&pcid_lock, flags);
            __atomic_add_fetch(&generation[pair], 1, __ATOMIC_SEQ_CST);
            return (uint16_t)pair;
        }
    }
    panic("out of PCIDs (more live address spaces than %d)", PAIRS - 1);
}

void pcid_free(uint16_t pair)
{
    if (!pair)
        return;
    uint64_t flags = spin_lock(&pcid_lock);
    in_use[pair / 64] &= ~(1ull << pair % 64);
    spin_unlock(&pcid_lock, flags);
}

bool pcid_load_keeps(uint16_t pair)
{
    uint32_t now = __atomic_load_n(&generation[pair], __ATOMIC_SEQ_CST);
    uint32_t *seen = &current_with[this_cpu()->id][pair];
    bool keeps = *seen == now;
    *seen = now;
    return keeps;
}

uint32_t pcid_changed(uint16_t pair)
{
    uint32_t now = __atomic_add_fetch(&generation[pair], 1, __ATOMIC_SEQ_CST);
    pcid_caught_up(pair, now);
    return now;
}

void pcid_caught_up(uint16_t pair, uint32_t at)
{
    uint32_t *seen = &current_with[this_cpu()->id][pair];
    /* Behind before this change too (it missed one while away): stay behind. */
    if (*seen == at - 1)
        *seen = at;
}

void pcid_forget_here(uint16_t pair)
{
    current_with[this_cpu()->id][pair] = 0;
}

static void invpcid(int type, uint64_t pcid, uint64_t va)
{
    struct { uint64_t pcid, va; } descriptor = { pcid, va };
    __asm__ volatile("invpcid %0, %1" ::"m"(descriptor), "r"((uint64_t)type) : "memory");
}

void pcid_flush_all(void)
{
    if (invpcid_on) {
        invpcid(INVPCID_ALL_WITH_GLOBAL, 0, 0);
        return;
    }
    uint64_t cr4 = read_cr4();          /* a change of CR4.PGE flushes every PCID */
    write_cr4(cr4 ^ CR4_PGE);
    write_cr4(cr4);
}

void pcid_flush_range(uint64_t pcid, uint64_t va, uint64_t size)
{
    if (size / PAGE_SIZE > 32) {
        invpcid(INVPCID_CONTEXT, pcid, 0);
        return;
    }
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        invpcid(INVPCID_ADDRESS, pcid, va + off);
}
