/* kernel/sched.c: the run queue and the switch between processes (see sched.h). */
#include "kernel/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/panic.h"
#include "kernel/process.h"

void context_switch(uint64_t *save_rsp, uint64_t next_rsp);

static struct process *queue_head, *queue_tail;

struct process *current_process(void)
{
    return this_cpu()->current;
}

void sched_enqueue(struct process *p)
{
    p->state = PROCESS_RUNNABLE;
    p->run_next = NULL;
    if (queue_tail)
        queue_tail->run_next = p;
    else
        queue_head = p;
    queue_tail = p;
}

static struct process *dequeue(void)
{
    struct process *p = queue_head;
    if (p) {
        queue_head = p->run_next;
        if (!queue_head)
            queue_tail = NULL;
    }
    return p;
}

/* Make next this CPU's process: its kernel stack for the doors (entries from user mode
 * land on the per-CPU trampoline and move there), its two CR3 values, its FS base and FPU
 * registers; then its kernel stack. *save_rsp keeps where we left off. */
static void switch_to(struct process *next, uint64_t *save_rsp, void *save_fpu)
{
    struct cpu *cpu = this_cpu();
    if (save_fpu)
        fpu_save(save_fpu);
    cpu->current = next;
    cpu->kernel_stack_top = next->kstack_top;
    cpu->entry_cr3 = next->kernel_cr3;
    cpu->exit_cr3 = next->user_cr3;
    if (read_cr3() != next->kernel_cr3)
        write_cr3(next->kernel_cr3);
    wrmsr(MSR_FS_BASE, next->fs_base);
    fpu_restore(next->fpu_state);
    next->state = PROCESS_RUNNING;
    context_switch(save_rsp, next->context_rsp);
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
    struct process *prev = current_process();
    if (prev->state == PROCESS_RUNNING)
        sched_enqueue(prev);
    struct process *next = pick_next();
    if (next == prev)
        prev->state = PROCESS_RUNNING;
    else
        switch_to(next, &prev->context_rsp, prev->state == PROCESS_ZOMBIE ? NULL : prev->fpu_state);
}

void sched_start(void)
{
    uint64_t boot_rsp;                  /* never resumed */
    switch_to(pick_next(), &boot_rsp, NULL);
    panic("the boot stack was resumed");
}
