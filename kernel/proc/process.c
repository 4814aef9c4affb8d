/* kernel/proc/process.c: creating, copying, ending and reaping processes (see process.h). */
#include "kernel/proc/process.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/drivers/power.h"
#include "kernel/fs/console.h"
#include "kernel/errno.h"
#include "kernel/proc/exec.h"
#include "kernel/fs/file.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/uaccess.h"
#include "mm/fail_alloc.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"
#include "mm/pagetable.h"
#include <string.h>

/* A live process sits in slot pid % MAX_PROCESSES: finding one by pid is one load. */
static struct process *slots[MAX_PROCESSES];
static int next_pid = 1, live_count;

enum { WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8 };

struct process *process_find(int pid)
{
    struct process *p = pid > 0 ? slots[pid % MAX_PROCESSES] : NULL;
    return p && p->pid == pid ? p : NULL;
}

/* A process with a pid, a kernel stack and FPU state; no address space or files yet. */
static struct process *process_new(void)
{
    if (live_count == MAX_PROCESSES)
        return NULL;
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
    while (slots[next_pid % MAX_PROCESSES])
        next_pid = next_pid == 0x3fffffff ? 1 : next_pid + 1;
    p->pid = next_pid;
    slots[p->pid % MAX_PROCESSES] = p;
    live_count++;
    next_pid = next_pid == 0x3fffffff ? 1 : next_pid + 1;

    /* Its first switch "returns" into trap_return with the frame at the stack's top:
     * context_switch pops six registers, then the return address. */
    uint64_t *stack = (uint64_t *)process_frame(p);
    *--stack = (uint64_t)trap_return;
    for (int i = 0; i < 6; i++)
        *--stack = 0;
    p->context_rsp = (uint64_t)stack;
    return p;
}

/* Free what is left of a zombie (or a process that never ran). */
static void process_free(struct process *p)
{
    slots[p->pid % MAX_PROCESSES] = NULL;
    live_count--;
    kstack_free(p->kstack_top);
    kfree(p->fpu_state);
    kfree(p);
}

static void add_child(struct process *parent, struct process *child)
{
    child->parent = parent;
    child->next_sibling = parent->first_child;
    parent->first_child = child;
}

void process_start_init(const char *path, const char *const argv[])
{
    struct process *p = process_new();
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
    if (live_count == MAX_PROCESSES)
        return -EAGAIN;
    struct process *child = process_new();
    if (!child)
        return -ENOMEM;
    long error = vm_fork(&child->vm, &parent->vm);
    if (error) {
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
    add_child(parent, child);
    sched_enqueue(child);
    return child->pid;
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
    struct process *init = process_find(1);
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
            process_free(child);
            return child_pid;
        }
        if (!any)
            return -ECHILD;
        if (options & WNOHANG)
            return 0;
        if (self->pending_signal)
            return -EINTR;
        sleep_on(&self->child_exited);
    }
}

long process_kill(int pid, int signal)
{
    if (signal < 0 || signal > SIGNAL_MAX)
        return -EINVAL;
    if (pid <= 0)
        return -EINVAL;                     /* process groups do not exist in Twofold */
    struct process *p = process_find(pid);
    if (!p)
        return -ESRCH;
    /* pid 1 receives only the signals it has a handler for, as on Linux: none, in Twofold
     * (so no process can end init, and with it the machine). */
    if (signal == 0 || p->state == PROCESS_ZOMBIE || p->pid == 1)
        return 0;
    if (!p->pending_signal)
        p->pending_signal = signal;
    wake_process(p);                        /* a sleeper wakes to die */
    return 0;
}

void process_out_of_memory(void)
{
    struct process *self = current_process();
    kprintf("out of memory: killed pid %d (%s)\n", self->pid, self->name);
    self->pending_signal = SIGKILL;
}

void process_before_user_return(void)
{
    sched_preempt_point();
    struct process *self = current_process();
    if (self->pending_signal)
        process_exit(0, self->pending_signal);
}

struct process *process_foreground(const struct file_ops *console)
{
    struct process *youngest = NULL;
    for (int i = 0; i < MAX_PROCESSES; i++) {
        struct process *p = slots[i];
        if (p && p->pid != 1 && p->state != PROCESS_ZOMBIE && p->files[0] && p->files[0]->ops == console
            && (!youngest || p->pid > youngest->pid))
            youngest = p;
    }
    return youngest;
}
