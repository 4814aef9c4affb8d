/* tests/kernel/smp_test.c: the other CPUs (arch/x86_64/smp.h): a function run on each of
 * them once, and a kernel mapping changed under them seen fresh by each (the shootdown of
 * arch/x86_64/tlb.c). Both need two CPUs or more (tests/test_ktest.py boots four once). */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "kernel/ktest.h"
#include "mm/frame.h"
#include "mm/layout.h"
#include "mm/pagetable.h"
#include "mm/phys.h"

/* What each CPU did when asked, by its index (each writes its own). */
static unsigned ran[MAX_CPUS];
static uint64_t read_there[MAX_CPUS];

static void count_a_run(void *unused)
{
    (void)unused;
    ran[this_cpu()->id]++;
}

KTEST(smp_call_runs_on_every_other_cpu_once)
{
    if (smp_cpu_count() < 2) {
        ktest_skip("one CPU");
        return;
    }
    memset(ran, 0, sizeof ran);
    smp_call(smp_all_cpus(), count_a_run, NULL);
    KEXPECT_EQ(ran[0], 0);                                  /* not this one */
    for (unsigned cpu = 1; cpu < smp_cpu_count(); cpu++)
        KEXPECT_EQ(ran[cpu], 1);
}

static void read_the_word(void *va)
{
    read_there[this_cpu()->id] = *(volatile uint64_t *)va;
}

KTEST(smp_a_changed_kernel_mapping_is_seen_fresh_on_every_cpu)
{
    if (smp_cpu_count() < 2) {
        ktest_skip("one CPU");
        return;
    }
    /* Every CPU reads va, and so caches its translation; then va is pointed at another
     * frame. Without the shootdown the others would still read the first frame. */
    const uint64_t va = 0xffffd00000002000ull;
    uint64_t first = frame_alloc(), second = frame_alloc();
    *(volatile uint64_t *)phys_to_virt(first) = 0x1111;
    *(volatile uint64_t *)phys_to_virt(second) = 0x2222;
    KEXPECT_EQ(pt_map(pt_kernel_root, va, first, PAGE_SIZE, PTE_NX, PAGE_SHIFT_4K, 0), 0);
    smp_call(smp_all_cpus(), read_the_word, (void *)va);
    for (unsigned cpu = 1; cpu < smp_cpu_count(); cpu++)
        KEXPECT_EQ(read_there[cpu], 0x1111);
    KEXPECT_EQ(pt_map(pt_kernel_root, va, second, PAGE_SIZE, PTE_NX, PAGE_SHIFT_4K, PT_REPLACE), 0);
    smp_call(smp_all_cpus(), read_the_word, (void *)va);
    for (unsigned cpu = 1; cpu < smp_cpu_count(); cpu++)
        KEXPECT_EQ(read_there[cpu], 0x2222);
    KEXPECT_EQ(pt_unmap(pt_kernel_root, va, PAGE_SIZE, NULL, NULL), 0);
    frame_free(first);
    frame_free(second);
}
