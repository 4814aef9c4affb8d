/* kernel/proc/sched.c: the run queue and the switch between processes (see sched.h).
 *
 * One queue serves every CPU: a CPU takes the first process that may run on it (its
 * affinity). Each CPU has an idle context, the stack it booted on, where it halts while
 * nothing can run; a wakeup that finds a CPU halted sends it an interprocessor interrupt.
 *
 * The switching protocol (Linux's on_cpu): a process's on_cpu is 1 from the moment a CPU
 * chooses it until the switch away from it has finished, on the next context's stack
 * (sched_switch_finish). While it is 1 the process's kernel stack is in use, so a wake waits
 * for it to clear before making it runnable, and a reaper before freeing the stack. A
 * process that is preempted or yields goes back on the queue in the same hold of its lock
 * that takes the next one out (as Linux keeps a running task on its run queue), and a CPU
 * that takes it from there waits for its on_cpu to clear before it switches to it, so no two
 * CPUs are ever on one kernel stack.
 */
#include "kernel/proc/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/pcid.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/proc/process.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "mm/pagetable.h"

/* Save the callee-saved registers and RSP (in *save_rsp), resume next_rsp, and there call
 * sched_switch_finish(from) before returning into the resumed context (switch.asm). */
void context_switch(uint64_t *save_rsp, uint64_t next_rsp, struct process *from);

enum { SLICE_TICKS = 2 };               /* 20 ms at HZ = 100 */

/* The run queue: runnable processes, first to run first, linked through run_next. Fed from
 * interrupts too (wakeups). queue_lock protects the two ends, every run_next, the count, the
 * move of a process's state to PROCESS_RUNNABLE, every affinity, and the load average
 * (load_ticks: the boot CPU's tick's alone). */
static struct process *queue_head, *queue_tail;
static unsigned queue_length;
static struct spinlock queue_lock;

/* The CPUs halted in their idle loop, a bit each (atomic): who a wakeup should interrupt. */
static uint64_t idle_cpus;

/* The load average, Linux's: every LOAD_TICKS each of the three moves toward the number of
 * processes running or waiting to, by 1 - e^(-5 s / 1, 5 and 15 minutes), in fixed point. */
enum { LOAD_TICKS = 5 * HZ + 1 };
static const unsigned long load_decay[3] = { 1884, 2014, 2037 };     /* FIXED_1 / e^(5/60)... */
static unsigned long load_average[3];
static unsigned load_ticks;

static bool may_run_on(const struct process *p, unsigned cpu)
{
    return p->affinity & (1ull << cpu);
}

/* Spinning, answer other CPUs' calls meanwhile: one may be what the CPU leaving p waits for. */
void sched_wait_until_off_cpu(const struct process *p)
{
    while (__atomic_load_n(&p->on_cpu, __ATOMIC_ACQUIRE)) {
        smp_answer_call();
        __asm__ volatile("pause");
    }
}

/* Interrupt a halted CPU that may run p, preferring the one p ran on last. */
static void wake_an_idle_cpu(const struct process *p)
{
    uint64_t idle = __atomic_load_n(&idle_cpus, __ATOMIC_SEQ_CST) & p->affinity & ~(1ull << this_cpu()->id);
    if (idle)
        smp_send_reschedule(idle & (1ull << p->cpu) ? p->cpu : (unsigned)__builtin_ctzll(idle));
}

/* p, runnable, at the tail of the queue. queue_lock held. */
static void enqueue_locked(struct process *p)
{
    p->state = PROCESS_RUNNABLE;
    p->run_next = NULL;
    if (queue_tail)
        queue_tail->run_next = p;
    else
        queue_head = p;
    queue_tail = p;
    queue_length++;
}

void sched_enqueue(struct process *p)
{
    sched_wait_until_off_cpu(p);
    uint64_t flags = spin_lock(&queue_lock);
    enqueue_locked(p);
    spin_unlock(&queue_lock, flags);
    wake_an_idle_cpu(p);
}

/* The first queued process that may run on cpu, taken off the queue; or NULL. queue_lock
 * held. */
static struct process *dequeue_locked(unsigned cpu)
{
    struct process **link = &queue_head, *prev = NULL;
    while (*link && !may_run_on(*link, cpu))
        prev = *link, link = &(*link)->run_next;
    struct process *p = *link;
    if (p) {
        *link = p->run_next;
        if (queue_tail == p)
            queue_tail = prev;
        queue_length--;
    }
    return p;
}

static struct process *dequeue_for(unsigned cpu)
{
    uint64_t flags = spin_lock(&queue_lock);
    struct process *p = dequeue_locked(cpu);
    spin_unlock(&queue_lock, flags);
    return p;
}

/* How many CPUs run a process now (a moment's count, for the load). */
static unsigned cpus_running(void)
{
    unsigned running = 0;
    for (unsigned i = 0; i < smp_cpu_count(); i++)
        running += __atomic_load_n(&cpus[i].current, __ATOMIC_RELAXED) != NULL;
    return running;
}

/* Every LOAD_TICKS, the load average moves toward what runs now. The boot CPU's tick alone
 * calls it, so only the sample takes the lock, not every tick. */
static void sample_load(void)
{
    if (++load_ticks < LOAD_TICKS)
        return;
    load_ticks = 0;
    unsigned running = cpus_running();
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
    struct process *p = cpu->current;
    if (cpu->id == 0)
        sample_load();                      /* once a tick, not once a CPU */
    if (!p) {
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
    unsigned running = cpus_running();
    uint64_t flags = spin_lock(&queue_lock);
    for (int i = 0; i < 3; i++)
        average[i] = load_average[i];
    unsigned runnable = queue_length + running;
    spin_unlock(&queue_lock, flags);
    return runnable;
}

uint64_t sched_cpu_ns(const struct process *p)
{
    return p->cpu_ns + (p->state == PROCESS_RUNNING ? time_monotonic_ns() - p->ran_since : 0);
}

void sched_preempt_point(void)
{
    struct cpu *cpu = this_cpu();
    if (cpu->need_resched) {
        cpu->need_resched = false;
        schedule();
    }
}

/* Make p's address space this CPU's: its kernel CR3, and the CR3 values the doors load on
 * entry and exit. With PCIDs, the pair keeps its entries over a load (CR3_NOFLUSH) only if
 * this CPU's TLB is current with it (pcid.h's generations). entry_cr3 says which address
 * space this CPU runs, for the shootdowns of tlb.c: it is set before the generation is
 * looked at. */
void sched_load_address_space(struct process *p)
{
    struct cpu *cpu = this_cpu();
    __atomic_store_n(&cpu->entry_cr3, p->kernel_cr3 | cpu->cr3_noflush, __ATOMIC_SEQ_CST);
    /* Without PCIDs a load flushes anyway, and the same CR3 (another thread of the process
     * that ran here) needs none: this CPU was running it through every change. */
    bool keeps = !cpu->cr3_noflush || pcid_load_keeps(p->vm->pcid_pair);
    uint64_t noflush = keeps ? cpu->cr3_noflush : 0;
    if (read_cr3() != p->kernel_cr3 || !keeps)
        write_cr3(p->kernel_cr3 | noflush);
    cpu->exit_cr3 = p->user_cr3 | noflush;
}

static void read_selectors(uint16_t *fs, uint16_t *gs)
{
    __asm__ volatile("mov %%fs, %0; mov %%gs, %1" : "=r"(*fs), "=r"(*gs));
}

/* User mode can change its bases without the kernel (loading a selector), so keep what the
 * MSRs hold; KERNEL_GS_BASE is the user's while the kernel runs. */
void sched_save_user_segments(struct process *p)
{
    read_selectors(&p->fs_selector, &p->gs_selector);
    p->fs_base = rdmsr(MSR_FS_BASE);
    p->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
}

/* The selectors first (a load sets the base from the descriptor), then the bases. GS's
 * selector goes in with the user's GS base swapped in (swapgs, interrupts off), as Linux's
 * load_gs_index: the kernel's own is this CPU's struct. */
void sched_load_user_segments(const struct process *p)
{
    uint16_t fs, gs;
    read_selectors(&fs, &gs);
    if (fs != p->fs_selector)
        __asm__ volatile("mov %0, %%fs" ::"r"(p->fs_selector));
    if (gs != p->gs_selector)
        __asm__ volatile("swapgs; mov %0, %%gs; swapgs" ::"r"(p->gs_selector) : "memory");
    wrmsr(MSR_FS_BASE, p->fs_base);
    wrmsr(MSR_KERNEL_GS_BASE, p->gs_base);
}

/* Leave prev (NULL: this CPU's idle context) for next (NULL: the idle context). Returns when
 * prev is chosen again, on whatever CPU. next may still be leaving another CPU (schedule
 * queues a process before its switch away): its stack is taken once it is off. */
static void switch_to(struct process *prev, struct process *next)
{
    struct cpu *cpu = this_cpu();
    if (next)
        sched_wait_until_off_cpu(next);
    if (prev && prev->state != PROCESS_ZOMBIE) {
        fpu_save(prev->fpu_state);
        sched_save_user_segments(prev);
        /* A user-PCID flush still pending here waits for this CPU's next load of it (tlb.c). */
        if ((cpu->exit_cr3 & CR3_NOFLUSH) != cpu->cr3_noflush)
            pcid_forget_here(prev->vm->pcid_pair);
    }
    uint64_t *save_rsp = prev ? &prev->context_rsp : &cpu->idle_rsp;
    cpu->current = next;
    cpu->ticks.switches++;
    if (!next) {
        /* Idle on the kernel's own tables: prev's may be freed while this CPU halts (and
         * an NMI's stub loads entry_cr3 whatever it interrupts). */
        cpu->entry_cr3 = cpu->exit_cr3 = pt_kernel_root | cpu->cr3_noflush;
        write_cr3(cpu->entry_cr3);
        context_switch(save_rsp, cpu->idle_rsp, prev);
        return;
    }
    next->on_cpu = 1;
    next->cpu = cpu->id;
    cpu->kernel_stack_top = next->kstack_top;
    next->slice_left = SLICE_TICKS;
    next->ran_since = time_monotonic_ns();
    sched_load_address_space(next);
    sched_load_user_segments(next);
    fpu_restore(next->fpu_state);
    next->state = PROCESS_RUNNING;
    context_switch(save_rsp, next->context_rsp, prev);
}

/* Called by context_switch on the resumed context's stack: from is off this CPU (another CPU
 * may take it from the queue now); free it if it ended unwaited for. */
void sched_switch_finish(struct process *from);
void sched_switch_finish(struct process *from)
{
    struct cpu *cpu = this_cpu();
    if (!from)
        return;
    __atomic_store_n(&from->on_cpu, 0, __ATOMIC_RELEASE);
    if (cpu->dead) {
        struct process *dead = cpu->dead;
        cpu->dead = NULL;
        process_free(dead);
    }
}

void sched_free_after_switch(struct process *p)
{
    this_cpu()->dead = p;
}

void schedule(void)
{
    /* The rules of a switch, checked as xv6's sched() checks them: interrupts are off (the
     * kernel runs with them off; a switch with them on could be cut in half), and this CPU
     * holds no spinlock (it would be held by a process that is not running). */
    if (read_rflags() & RFLAGS_IF)
        panic("schedule: interrupts are on");
    struct cpu *cpu = this_cpu();
    if (cpu->spinlocks_held)
        panic("schedule: %d spinlock(s) held across a switch", cpu->spinlocks_held);
    struct process *prev = cpu->current;
    bool stays = prev->state == PROCESS_RUNNING && may_run_on(prev, cpu->id);
    /* The next one out and, if prev was running and leaves, prev back in, under one hold of
     * the lock: another CPU that takes prev waits in switch_to until it is off this one. */
    uint64_t flags = spin_lock(&queue_lock);
    struct process *next = dequeue_locked(cpu->id);
    bool requeued = (next || !stays) && prev->state == PROCESS_RUNNING;
    if (requeued)
        enqueue_locked(prev);
    spin_unlock(&queue_lock, flags);
    if (!next && stays) {
        prev->slice_left = SLICE_TICKS;     /* nobody else wants this CPU */
        return;
    }
    if (requeued)
        wake_an_idle_cpu(prev);
    prev->cpu_ns += time_monotonic_ns() - prev->ran_since;
    switch_to(prev, next);
}

void sched_kick(struct process *p)
{
    if (__atomic_load_n(&p->on_cpu, __ATOMIC_ACQUIRE) && p->cpu != this_cpu()->id)
        smp_send_reschedule(p->cpu);
}

long sched_set_affinity(struct process *p, uint64_t mask)
{
    mask &= smp_all_cpus();
    if (!mask)
        return -EINVAL;
    uint64_t flags = spin_lock(&queue_lock);
    p->affinity = mask;
    spin_unlock(&queue_lock, flags);
    /* Running where it may no longer: it moves at its next way out of the kernel. */
    if (p == current_process() && !may_run_on(p, this_cpu()->id))
        schedule();
    else if (__atomic_load_n(&p->on_cpu, __ATOMIC_ACQUIRE) && !may_run_on(p, p->cpu)) {
        cpus[p->cpu].need_resched = true;
        sched_kick(p);
    }
    return 0;
}

void sched_run_idle(void)
{
    struct cpu *cpu = this_cpu();
    uint64_t me = 1ull << cpu->id;
    for (;;) {
        struct process *next = dequeue_for(cpu->id);
        if (!next) {
            /* Say this CPU halts, then look once more: a wakeup after the look sees the bit
             * and interrupts the halt (sti holds interrupts off for one more instruction,
             * so none slips in between). */
            __atomic_or_fetch(&idle_cpus, me, __ATOMIC_SEQ_CST);
            next = dequeue_for(cpu->id);
            if (!next)
                __asm__ volatile("sti; hlt; cli" ::: "memory");
            __atomic_and_fetch(&idle_cpus, ~me, __ATOMIC_SEQ_CST);
        }
        if (next)
            switch_to(NULL, next);
    }
}
