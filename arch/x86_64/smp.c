/* arch/x86_64/smp.c: starting the other CPUs (see smp.h).
 *
 * The boot CPU starts them one at a time, as Intel's MP specification has it: INIT, 10 ms,
 * then two startup IPIs 200 us apart naming the trampoline's page, then it waits (up to a
 * second) for the new CPU to say it is up. One at a time, the trampoline's one copy and its
 * parameters serve every start.
 */
#include "arch/x86_64/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/doors.h"
#include "arch/x86_64/drivers/apic.h"
#include "arch/x86_64/drivers/irq.h"
#include "arch/x86_64/drivers/pit.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/percpu.h"
#include "kernel/printk.h"
#include "kernel/proc/sched.h"
#include "kernel/spinlock.h"
#include "mm/frame.h"
#include "mm/kstack.h"
#include "mm/layout.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include <string.h>

extern const char trampoline_start[], trampoline_end[], trampoline_params[];

/* boot_cr0 and boot_cr4: written by the boot CPU before it starts any, read by each started
 * CPU. cpu_up[] and cpu_refused[]: written once by the started CPU (a release) and read by the
 * boot CPU (an acquire), so what the CPU did before (apic_ids[cpu]) is seen with it; the boot
 * CPU clears cpu_refused[] before each start, as a refused CPU's slot serves the next one.
 * cpu_count: the boot CPU's. All read-only once smp_start_cpus returns. */
static uint64_t boot_cr0, boot_cr4;
static bool cpu_up[MAX_CPUS];
static const char *cpu_refused[MAX_CPUS];
static uint32_t apic_ids[MAX_CPUS];
static unsigned cpu_count = 1;

/* The function smp_call asks other CPUs to run: call_lock protects the request;
 * wanted[cpu] (atomic) says that cpu has yet to run it, pending (atomic) how many have. */
static struct spinlock call_lock;
static struct {
    void (*fn)(void *arg);
    void *arg;
    bool wanted[MAX_CPUS];
    unsigned pending;
} call;

void smp_answer_call(void)
{
    if (!percpu_ready || !__atomic_load_n(&call.wanted[this_cpu()->id], __ATOMIC_ACQUIRE))
        return;
    /* The interrupt and a spinning CPU's look may both come here: one of them runs it. */
    if (!__atomic_exchange_n(&call.wanted[this_cpu()->id], false, __ATOMIC_ACQ_REL))
        return;
    call.fn(call.arg);
    __atomic_sub_fetch(&call.pending, 1, __ATOMIC_RELEASE);
}

/* VEC_CALL_FUNCTION, on another CPU: run the request, if it has not run yet. */
static void on_call(const struct trap_frame *frame)
{
    (void)frame;
    smp_answer_call();
}

/* VEC_RESCHEDULE: nothing to do here. The interrupt's point is its way out: a halted CPU
 * looks at the run queue again, one in user mode at its signals and need_resched. */
static void on_reschedule(const struct trap_frame *frame)
{
    (void)frame;
}

void smp_call(uint64_t cpus, void (*fn)(void *arg), void *arg)
{
    cpus &= ~(1ull << this_cpu()->id);
    if (!cpus)
        return;
    uint64_t flags = spin_lock(&call_lock);
    call.fn = fn;
    call.arg = arg;
    unsigned asked = 0;
    for (unsigned cpu = 0; cpu < cpu_count; cpu++)
        asked += (cpus >> cpu) & 1;
    __atomic_store_n(&call.pending, asked, __ATOMIC_RELEASE);
    for (unsigned cpu = 0; cpu < cpu_count; cpu++)
        if (cpus & (1ull << cpu)) {
            __atomic_store_n(&call.wanted[cpu], true, __ATOMIC_RELEASE);
            lapic_send_fixed(apic_ids[cpu], VEC_CALL_FUNCTION);
        }
    while (__atomic_load_n(&call.pending, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    spin_unlock(&call_lock, flags);
}

uint64_t smp_all_cpus(void)
{
    return (1ull << cpu_count) - 1;         /* cpu_count <= MAX_CPUS, 16 */
}

void smp_send_reschedule(unsigned cpu)
{
    lapic_send_fixed(apic_ids[cpu], VEC_RESCHEDULE);
}

unsigned smp_cpu_count(void)
{
    return cpu_count;
}

uint32_t smp_apic_id(unsigned cpu)
{
    return apic_ids[cpu];
}


/* A started CPU's first C code, on its own kernel stack, still on the boot CR3. */
__attribute__((noreturn)) void smp_ap_main(unsigned cpu);
__attribute__((noreturn)) void smp_ap_main(unsigned cpu)
{
    /* The kernel's GDT and IDT first, while the boot CR3 still maps the trampoline's GDT that
     * the segment registers came from; then the kernel CR3, which maps no low memory. */
    gdt_init_cpu(cpu);
    idt_init_cpu(cpu);
    write_cr3(pt_kernel_root);
    const char *missing = cpu_features_missing();
    if (missing) {
        __atomic_store_n(&cpu_refused[cpu], missing, __ATOMIC_RELEASE);
        for (;;) {                          /* refused: halted for good, interrupts off */
            interrupts_disable();
            cpu_halt();
        }
    }
    write_cr0(boot_cr0);
    write_cr4(boot_cr4);                    /* SMEP, SMAP, UMIP, PCIDE, PGE as the boot CPU has them */
    percpu_init_cpu(cpu);
    doors_init_cpu(cpu);
    fpu_enable_this_cpu();
    irq_init_this_cpu();
    apic_ids[cpu] = lapic_id();             /* its own word for who it is, for /proc/cpuinfo */
    __atomic_store_n(&cpu_up[cpu], true, __ATOMIC_RELEASE);
    sched_run_idle();                       /* this stack is its idle context from now on */
}

/* The CR3 a started CPU begins long mode on: the kernel half, as every CR3 maps it, and the
 * first 2 MiB where they are, for the trampoline (executable, writable: it runs and reads its
 * parameters there). Its tables below 4 GiB, as the trampoline loads CR3 in 32-bit mode. 0
 * for want of such memory; *tables are the three frames to give back. */
static uint64_t boot_tables(uint64_t tables[3])
{
    for (int i = 0; i < 3; i++)
        tables[i] = frame_alloc_zeroed();
    for (int i = 0; i < 3; i++)
        if (!tables[i] || tables[i] >= (1ull << 32)) {
            for (int j = 0; j < 3; j++)
                if (tables[j])
                    frame_free(tables[j]);
            return 0;
        }
    uint64_t *top = phys_to_virt(tables[0]), *kernel = phys_to_virt(pt_kernel_root);
    memcpy(top + 256, kernel + 256, 256 * sizeof *top);
    top[0] = tables[1] | PTE_PRESENT | PTE_WRITE;
    ((uint64_t *)phys_to_virt(tables[1]))[0] = tables[2] | PTE_PRESENT | PTE_WRITE;
    ((uint64_t *)phys_to_virt(tables[2]))[0] = PTE_PRESENT | PTE_WRITE | PTE_HUGE;
    return tables[0];
}

enum start { STARTED, REFUSED, SILENT };

/* Start the CPU with apic_id as cpus[cpu]: STARTED once it said it is up; REFUSED if it lacks
 * a feature (or no stack could be had); SILENT if it said nothing within a second. */
static enum start start_cpu(unsigned cpu, uint32_t apic_id, uint64_t boot_cr3)
{
    uint64_t stack = kstack_alloc();
    if (!stack)
        return REFUSED;
    cpu_refused[cpu] = NULL;                /* a CPU refused before in this slot is parked */
    struct trampoline_params *params =
        phys_to_virt(TRAMPOLINE_PHYS + (uint64_t)(trampoline_params - trampoline_start));
    *params = (struct trampoline_params){ boot_cr3, stack, (uint64_t)smp_ap_main, cpu };
    lapic_send_init(apic_id);
    pit_wait(PIT_HZ / 100);                                 /* 10 ms */
    for (int i = 0; i < 2; i++) {
        lapic_send_startup(apic_id, TRAMPOLINE_PHYS >> 12);
        pit_wait(PIT_HZ / 5000);                            /* 200 us */
    }
    bool up = false;                        /* on the way, it sets apic_ids[cpu] */
    const char *refused = NULL;
    for (int waited = 0; waited < 100 && !up && !refused; waited++) {
        pit_wait(PIT_HZ / 100);
        up = __atomic_load_n(&cpu_up[cpu], __ATOMIC_ACQUIRE);
        refused = __atomic_load_n(&cpu_refused[cpu], __ATOMIC_ACQUIRE);
    }
    /* The stack stays the CPU's, parked or silent: it may be on it. */
    if (refused)
        kprintf("smp: CPU with APIC id %u lacks %s, which the boot CPU has: not taken\n", apic_id, refused);
    else if (!up)
        kprintf("smp: CPU with APIC id %u did not start; starting no more\n", apic_id);
    return up ? STARTED : refused ? REFUSED : SILENT;
}

/* Whether [start, end) and [other, other_end) overlap. */
static bool overlap(uint64_t start, uint64_t end, uint64_t other, uint64_t other_end)
{
    return start < other_end && other < end;
}

/* Whether the trampoline's page is RAM that nothing the boot left lies in. */
static bool trampoline_page_free(const struct boot_info *boot, uint64_t info_phys)
{
    uint64_t start = TRAMPOLINE_PHYS, end = start + PAGE_SIZE;
    bool ram = false;
    for (size_t i = 0; i < boot->memory_region_count; i++) {
        const struct mb2_memory_region *r = &boot->memory[i];
        ram |= r->type == MB2_MEMORY_AVAILABLE && r->base <= start && end <= r->base + r->length;
    }
    bool taken = overlap(start, end, info_phys, info_phys + boot->total_size);
    for (size_t i = 0; i < boot->module_count; i++)
        taken |= overlap(start, end, boot->modules[i].start, boot->modules[i].end);
    return ram && !taken;
}

unsigned smp_start_cpus(const struct madt_info *madt, unsigned max_cpus, const struct boot_info *boot,
                        uint64_t info_phys)
{
    apic_ids[0] = lapic_id();
    if (max_cpus > 1 && madt->cpu_count > 1 && !trampoline_page_free(boot, info_phys)) {
        kprintf("smp: the page at 0x%x is not free RAM: starting no other CPU\n", TRAMPOLINE_PHYS);
        return cpu_count;
    }
    if (madt->cpus_listed > MAX_CPUS)
        kprintf("smp: the MADT lists %u CPUs; Twofold takes at most %d\n", madt->cpus_listed, MAX_CPUS);
    uint64_t tables[3], boot_cr3 = max_cpus > 1 && madt->cpu_count > 1 ? boot_tables(tables) : 0;
    if (!boot_cr3)
        return cpu_count;
    irq_set_ipi_handler(VEC_CALL_FUNCTION, on_call);
    irq_set_ipi_handler(VEC_RESCHEDULE, on_reschedule);
    memcpy(phys_to_virt(TRAMPOLINE_PHYS), trampoline_start, (size_t)(trampoline_end - trampoline_start));
    boot_cr0 = read_cr0();
    boot_cr4 = read_cr4();
    enum start last = STARTED;
    for (unsigned i = 0; i < madt->cpu_count && cpu_count < max_cpus && last != SILENT; i++) {
        uint32_t apic_id = madt->cpu_apic_ids[i];
        if (apic_id != apic_ids[0] && (last = start_cpu(cpu_count, apic_id, boot_cr3)) == STARTED)
            cpu_count++;
    }
    /* Every CPU that answered has left the boot tables for the kernel's; a silent one may
     * still be on its way through them, and keeps them. */
    for (int i = 0; i < 3 && last != SILENT; i++)
        frame_free(tables[i]);
    return cpu_count;
}
