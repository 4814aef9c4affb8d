/* kernel/proc/sched.c: the run queue and the switch between processes (see sched.h). */
#include "kernel/proc/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/pcid.h"
#include "arch/x86_64/percpu.h"
#include "kernel/panic.h"
#include "kernel/proc/process.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"

void context_switch(uint64_t *save_rsp, uint64_t next_rsp);

enum { SLICE_TICKS = 2 };               /* 20 ms at HZ = 100 */

/* The run queue: runnable processes, first to run first, linked through run_next. Fed from
 * interrupts too (wakeups). queue_lock protects the two ends, every run_next, the count, the
 * move of a process's state to PROCESS_RUNNABLE, and the load average (load_ticks: the boot
 * CPU's tick's alone). */
static struct process *queue_head, *queue_tail;
static unsigned queue_length;
static struct spinlock queue_lock;

/* The load average, Linux's: every LOAD_TICKS each of the three moves toward the number of
 * processes running or waiting to, by 1 - e^(-5 s / 1, 5 and 15 minutes), in fixed point. */
enum { LOAD_TICKS = 5 * HZ + 1 };
static const unsigned long load_decay[3] = { 1884, 2014, 2037 };     /* FIXED_1 / e^(5/60)... */
static unsigned long load_average[3];
static unsigned load_ticks;

struct process *current_process(void)
{
    return this_cpu()->current;
}

void sched_enqueue(struct process *p)
{
    uint64_t flags = spin_lock(&queue_lock);
    p->state = PROCESS_RUNNABLE;
    p->run_next = NULL;
    if (queue_tail)
        queue_tail->run_next = p;
    else
        queue_head = p;
    queue_tail = p;
    queue_length++;
    spin_unlock(&queue_lock, flags);
}

static struct process *dequeue(void)
{
    uint64_t flags = spin_lock(&queue_lock);
    struct process *p = queue_head;
    if (p) {
        queue_head = p->run_next;
        if (!queue_head)
            queue_tail = NULL;
        queue_length--;
    }
    spin_unlock(&queue_lock, flags);
    return p;
}

/* Every LOAD_TICKS, the load average moves toward what runs now (running: this CPU's). The
 * boot CPU's tick alone calls it, so only the sample takes the lock, not every tick. */
static void sample_load(bool running)
{
    if (++load_ticks < LOAD_TICKS)
        return;
    load_ticks = 0;
    uint64_t flags = spin_lock(&queue_lock);
    unsigned long active = (queue_length + running) * SCHED_LOAD_ONE;
    for (int i = 0; i < 3; i++)
        load_average[i] = (load_average[i] * load_decay[i] + active * (SCHED_LOAD_ONE - load_decay[i]))
                        / SCHED_LOAD_ONE;
    spin_unlock(&queue_lock, flags);
}

void sched_tick(bool from_user)
{
    struct cpu *cpu = this_cpu();
    struct process *p = current_process();
    bool idle = !p || p->state != PROCESS_RUNNING;
    if (cpu->id == 0)
        sample_load(!idle);                 /* once a tick, not once a CPU */
    if (idle) {
        cpu->ticks.idle++;
        return;
    }
    if (from_user)
        p->user_ticks++, cpu->ticks.user++;
    else
        p->system_ticks++, cpu->ticks.system++;
    if (--p->slice_left <= 0 && queue_head)
        cpu->need_resched = true;
}

unsigned sched_load(unsigned long average[3])
{
    uint64_t flags = spin_lock(&queue_lock);
    for (int i = 0; i < 3; i++)
        average[i] = load_average[i];
    struct process *p = current_process();
    unsigned runnable = queue_length + (p && p->state == PROCESS_RUNNING);
    spin_unlock(&queue_lock, flags);
    return runnable;
}

uint64_t sched_cpu_ns(const struct process *p)
{
    return p->cpu_ns + (p == current_process() ? time_monotonic_ns() - p->ran_since : 0);
}

void sched_preempt_point(void)
{
    struct cpu *cpu = this_cpu();
    if (cpu->need_resched) {
        cpu->need_resched = false;
        schedule();
    }
}

/* Make next this CPU's process: its kernel stack for the doors (entries from user mode
 * land on the per-CPU trampoline and move there), its two CR3 values, its FS base and FPU
 * registers; then its kernel stack. *save_rsp keeps where we left off. */
void sched_load_address_space(struct process *p)
{
    struct cpu *cpu = this_cpu();
    if (read_cr3() != p->kernel_cr3 || p->vm.kernel_tlb_stale)
        write_cr3(p->kernel_cr3 | (p->vm.kernel_tlb_stale ? 0 : cpu->cr3_noflush));
    cpu->entry_cr3 = p->kernel_cr3 | cpu->cr3_noflush;
    cpu->exit_cr3 = p->user_cr3 | (p->vm.user_tlb_stale ? 0 : cpu->cr3_noflush);
    p->vm.kernel_tlb_stale = p->vm.user_tlb_stale = false;
}

static void switch_to(struct process *prev, struct process *next, uint64_t *save_rsp)
{
    struct cpu *cpu = this_cpu();
    if (prev && prev->state != PROCESS_ZOMBIE) {
        fpu_save(prev->fpu_state);
        /* User mode can change its bases without the kernel (loading a selector), so keep
         * what the MSRs hold; KERNEL_GS_BASE is the user's while the kernel runs. */
        prev->fs_base = rdmsr(MSR_FS_BASE);
        prev->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
        /* A user-PCID flush still pending waits for prev's next turn (tlb.c). */
        prev->vm.user_tlb_stale = (cpu->exit_cr3 & CR3_NOFLUSH) != cpu->cr3_noflush;
    }
    cpu->current = next;
    cpu->ticks.switches++;
    cpu->kernel_stack_top = next->kstack_top;
    next->slice_left = SLICE_TICKS;
    sched_load_address_space(next);
    wrmsr(MSR_FS_BASE, next->fs_base);
    wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
    fpu_restore(next->fpu_state);
    next->state = PROCESS_RUNNING;
    context_switch(save_rsp, next->context_rsp);
    /* Back in a process that had switched away: whatever ended before now lies off every
     * CPU's stack, so it can go (Linux's finish_task_switch). */
    struct cpu *here = this_cpu();      /* the resumed process may have come back elsewhere */
    if (here->dead) {
        struct process *dead = here->dead;
        here->dead = NULL;
        process_free(dead);
    }
}

void sched_free_after_switch(struct process *p)
{
    this_cpu()->dead = p;
}

/* The next process to run, halting until there is one. */
static struct process *pick_next(void)
{
    struct process *next;
    while (!(next = dequeue()))
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    return next;
}

void schedule(void)
{
    /* The rules of a switch, checked as xv6's sched() checks them: interrupts are off (the
     * kernel runs with them off; a switch with them on could be cut in half), and this CPU
     * holds no spinlock (it would be held by a process that is not running). */
    if (read_rflags() & RFLAGS_IF)
        panic("schedule: interrupts are on");
    if (this_cpu()->spinlocks_held)
        panic("schedule: %d spinlock(s) held across a switch", this_cpu()->spinlocks_held);
    struct process *prev = current_process();
    prev->cpu_ns += time_monotonic_ns() - prev->ran_since;     /* not the idle time to come */
    if (prev->state == PROCESS_RUNNING)
        sched_enqueue(prev);
    struct process *next = pick_next();
    next->ran_since = time_monotonic_ns();
    if (next == prev)
        prev->state = PROCESS_RUNNING;
    else
        switch_to(prev, next, &prev->context_rsp);
}

void sched_start(void)
{
    uint64_t boot_rsp;                  /* never resumed */
    struct process *first = pick_next();
    first->ran_since = time_monotonic_ns();
    switch_to(NULL, first, &boot_rsp);
    panic("the boot stack was resumed");
}
