/* arch/x86_64/percpu.c: the struct cpu of every CPU (see percpu.h). */
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pcid.h"

/* In the entry area: the entry stubs read it before they switch to the kernel CR3. */
struct cpu cpus[MAX_CPUS] __attribute__((section(".entry.data")));
bool percpu_ready;

void percpu_init_cpu(unsigned cpu_id)
{
    struct cpu *cpu = &cpus[cpu_id];
    cpu->self = cpu;
    cpu->id = cpu_id;
    cpu->entry_cr3 = cpu->exit_cr3 = read_cr3();
    cpu->cr3_noflush = pcid_on ? CR3_NOFLUSH : 0;
    wrmsr(MSR_GS_BASE, (uint64_t)cpu);
    wrmsr(MSR_KERNEL_GS_BASE, 0);       /* what swapgs hands to user mode */
    tss_set_kernel_stack(cpu_id, cpu_trampoline_top(cpu));
    percpu_ready = true;
}
