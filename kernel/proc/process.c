/* kernel/proc/process.c: creating, copying, ending and reaping processes (see process.h). */
#include "kernel/proc/process.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/drivers/power.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/errno.h"
#include "kernel/fs/console.h"
#include "kernel/fs/file.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/uaccess.h"
#include "mm/fail_alloc.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"
#include "mm/pagetable.h"
#include <string.h>

/* A live process sits in slot pid % MAX_PROCESSES: finding one by pid is one load.
 * process_lock protects the table and the counts, the tree (parent, child and sibling links),
 * the last steps of an exit (state ZOMBIE, wait_status), reaping and every pending_signal.
 * Lock order: process_lock, then a wait queue's lock, then the run queue's. */
static struct process *slots[MAX_PROCESSES];
static int next_pid = 1, live_count;
static struct spinlock process_lock;

enum { WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8 };

/* The live (not reaped) process with this pid, or NULL. process_lock held. */
static struct process *find(int pid)
{
    struct process *p = pid > 0 ? slots[pid % MAX_PROCESSES] : NULL;
    return p && p->pid == pid ? p : NULL;
}

/* A process with a pid, a kernel stack and FPU state; no address space or files yet. NULL
 * for want of memory (-ENOMEM) or of a slot (*no_slot set: -EAGAIN). */
static struct process *process_new(bool *no_slot)
{
    struct process *p = kzalloc(sizeof *p);
    if (!p)
        return NULL;
    p->fpu_state = kmalloc(FPU_STATE_SIZE);
    p->kstack_top = kstack_alloc();
    if (!p->fpu_state || !p->kstack_top) {
        kfree(p->fpu_state);
        if (p->kstack_top)
            kstack_free(p->kstack_top);
        kfree(p);
        return NULL;
    }
    uint64_t flags = spin_lock(&process_lock);
    *no_slot = live_count == MAX_PROCESSES;
    if (!*no_slot) {
        while (slots[next_pid % MAX_PROCESSES])
            next_pid = next_pid == 0x3fffffff ? 1 : next_pid + 1;
        p->pid = next_pid;
        slots[p->pid % MAX_PROCESSES] = p;
        live_count++;
        next_pid = next_pid == 0x3fffffff ? 1 : next_pid + 1;
    }
    spin_unlock(&process_lock, flags);
    if (*no_slot) {
        kstack_free(p->kstack_top);
        kfree(p->fpu_state);
        kfree(p);
        return NULL;
    }

    /* Its first switch "returns" into trap_return with the frame at the stack's top:
     * context_switch pops six registers, then the return address. */
    uint64_t *stack = (uint64_t *)process_frame(p);
    *--stack = (uint64_t)trap_return;
    for (int i = 0; i < 6; i++)
        *--stack = 0;
    p->context_rsp = (uint64_t)stack;
    return p;
}

/* Free what is left of a zombie (or a process that never ran), out of the table already. Its
 * kernel stack is free to go: a zombie never runs again once it switched away, and on one CPU
 * nothing reaps it before it has (several CPUs will need to wait for the switch to finish). */
static void process_free(struct process *p)
{
    kstack_free(p->kstack_top);
    kfree(p->fpu_state);
    kfree(p);
}

/* Take p out of the table. process_lock held. */
static void unlist(struct process *p)
{
    slots[p->pid % MAX_PROCESSES] = NULL;
    live_count--;
}

/* Make child one of parent's children. process_lock held. */
static void add_child(struct process *parent, struct process *child)
{
    child->parent = parent;
    child->next_sibling = parent->first_child;
    parent->first_child = child;
}

void process_start_init(const char *path, const char *const argv[])
{
    bool no_slot;
    struct process *p = process_new(&no_slot);
    if (!p)
        panic("no memory for the first process");
    memcpy(p->fpu_state, fpu_clean_state, FPU_STATE_SIZE);
    struct exec_args args = { .path = path, .kernel_argv = argv };
    long error = exec_program(p, &args);
    if (error)
        panic("cannot start %s as the first process (error %ld)", path, error);
    struct file *console = file_new(&console_ops, NULL);
    if (!console)
        panic("no memory for the console");
    for (int fd = 0; fd < 3; fd++)
        fd_install(p, fd ? file_get(console) : console, fd);
    sched_enqueue(p);
    fail_alloc_start();
    sched_start();
}

long process_fork(void)
{
    struct process *parent = current_process();
    bool no_slot;
    struct process *child = process_new(&no_slot);
    if (!child)
        return no_slot ? -EAGAIN : -ENOMEM;
    long error = vm_fork(&child->vm, &parent->vm);
    if (error) {
        uint64_t flags = spin_lock(&process_lock);
        unlist(child);
        spin_unlock(&process_lock, flags);
        process_free(child);
        return error;
    }
    child->kernel_cr3 = vm_kernel_cr3(&child->vm);
    child->user_cr3 = vm_user_cr3(&child->vm);
    memcpy(child->name, parent->name, sizeof child->name);
    child->fs_base = rdmsr(MSR_FS_BASE);
    child->gs_base = rdmsr(MSR_KERNEL_GS_BASE);     /* the user's, while the kernel runs */
    fpu_save(child->fpu_state);             /* the parent's registers, as they are now */
    for (int fd = 0; fd < MAX_FDS; fd++)
        if (parent->files[fd])
            child->files[fd] = file_get(parent->files[fd]);
    child->close_on_exec = parent->close_on_exec;
    child->root_group_count = parent->root_group_count;
    *process_frame(child) = *process_frame(parent);
    process_frame(child)->rax = 0;          /* fork() returns 0 in the child */
    uint64_t flags = spin_lock(&process_lock);
    add_child(parent, child);
    int pid = child->pid;
    spin_unlock(&process_lock, flags);
    sched_enqueue(child);
    return pid;
}

void process_exit(int status, int signal)
{
    struct process *self = current_process();
    if (self->pid == 1) {
        /* power_off's status: 0..124 say init's exit status; 127 anything else. */
        if (signal) {
            kprintf("init was killed by signal %d (%s)\n", signal, signal_name(signal));
            power_off(127);
        }
        kprintf("init exited with status %d\n", status & 0xff);
        power_off((status & 0xff) < 125 ? status & 0xff : 127);
    }

    for (int fd = 0; fd < MAX_FDS; fd++)
        if (self->files[fd])
            fd_close(self, fd);
    if (self->clear_child_tid) {
        uint32_t zero = 0;
        copy_to_user(self->clear_child_tid, &zero, sizeof zero);
    }
    /* Leave the address space before freeing it: run on the kernel's own tables. */
    struct cpu *cpu = this_cpu();
    self->kernel_cr3 = self->user_cr3 = cpu->entry_cr3 = cpu->exit_cr3 = pt_kernel_root;
    write_cr3(pt_kernel_root);
    vm_destroy(&self->vm);

    /* Orphans go to init, which reaps them. */
    uint64_t flags = spin_lock(&process_lock);
    struct process *init = find(1);
    while (self->first_child) {
        struct process *child = self->first_child;
        self->first_child = child->next_sibling;
        add_child(init, child);
        if (child->state == PROCESS_ZOMBIE)
            wake_all(&init->child_exited);
    }
    self->wait_status = signal ? signal & 0x7f : (status & 0xff) << 8;
    self->state = PROCESS_ZOMBIE;
    wake_all(&self->parent->child_exited);
    spin_unlock(&process_lock, flags);
    schedule();
    panic("a zombie ran again");
}

long process_wait(int pid, int *status, int options)
{
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED))
        return -EINVAL;
    if (pid < -1)
        return -ECHILD;                     /* a process group: Twofold has none */
    struct process *self = current_process();
    for (;;) {
        bool any = false;
        uint64_t flags = spin_lock(&process_lock);
        for (struct process **link = &self->first_child; *link; link = &(*link)->next_sibling) {
            struct process *child = *link;
            if (pid > 0 && child->pid != pid)
                continue;
            any = true;
            if (child->state != PROCESS_ZOMBIE)
                continue;
            *link = child->next_sibling;
            int child_pid = child->pid;
            *status = child->wait_status;
            unlist(child);
            spin_unlock(&process_lock, flags);
            process_free(child);
            return child_pid;
        }
        long result = !any ? -ECHILD : options & WNOHANG ? 0 : self->pending_signal ? -EINTR : 1;
        if (result != 1) {
            spin_unlock(&process_lock, flags);
            return result;
        }
        sleep_on(&self->child_exited, &process_lock, flags);
    }
}

long process_kill(int pid, int signal)
{
    if (signal < 0 || signal > SIGNAL_MAX)
        return -EINVAL;
    if (pid <= 0)
        return -EINVAL;                     /* process groups do not exist in Twofold */
    uint64_t flags = spin_lock(&process_lock);
    struct process *p = find(pid);
    /* pid 1 receives only the signals it has a handler for, as on Linux: none, in Twofold
     * (so no process can end init, and with it the machine). */
    if (p && signal && p->state != PROCESS_ZOMBIE && p->pid != 1) {
        if (!p->pending_signal)
            p->pending_signal = signal;
        wake_process(p);                    /* a sleeper wakes to die */
    }
    spin_unlock(&process_lock, flags);
    return p ? 0 : -ESRCH;
}

void process_out_of_memory(void)
{
    struct process *self = current_process();
    kprintf("out of memory: killed pid %d (%s)\n", self->pid, self->name);
    uint64_t flags = spin_lock(&process_lock);
    self->pending_signal = SIGKILL;
    spin_unlock(&process_lock, flags);
}

void process_before_user_return(void)
{
    sched_preempt_point();
    struct process *self = current_process();
    if (self->pending_signal)
        process_exit(0, self->pending_signal);
}

int process_foreground(const struct file_ops *console)
{
    int youngest = 0;
    uint64_t flags = spin_lock(&process_lock);
    for (int i = 0; i < MAX_PROCESSES; i++) {
        struct process *p = slots[i];
        if (p && p->pid != 1 && p->state != PROCESS_ZOMBIE && p->files[0] && p->files[0]->ops == console
            && p->pid > youngest)
            youngest = p->pid;
    }
    spin_unlock(&process_lock, flags);
    return youngest;
}
