/* kernel/proc/process.c: creating, copying, ending and reaping processes, their groups and
 * sessions, stopping and continuing them, and sending them signals (see process.h). */
#include "kernel/proc/process.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/drivers/power.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "kernel/errno.h"
#include "kernel/fs/console.h"
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/open.h"
#include "kernel/fs/procfs.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/futex.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"
#include "mm/fail_alloc.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"
#include "mm/pagetable.h"
#include <string.h>

/* A live process sits in slot pid % MAX_PROCESSES: finding one by pid is one load.
 * process_lock protects the table and the counts, the tree (parent, child and sibling links),
 * groups and sessions, the last steps of an exit (state ZOMBIE, wait_status), stops and
 * continues, reaping, and every process's signal state but what only it touches.
 * Lock order: process_lock, then a wait queue's lock, then the run queue's. */
static struct process *slots[MAX_PROCESSES];
static int next_pid = 1, live_count;
static uint64_t made_count;             /* processes made since boot */
static struct spinlock process_lock;

enum { WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8, WNOTHREAD = 0x20000000, WALL = 0x40000000,
       WCLONE = (int)0x80000000 };

uint64_t process_lock_take(void)
{
    return spin_lock(&process_lock);
}

void process_lock_drop(uint64_t flags)
{
    spin_unlock(&process_lock, flags);
}

void process_sleep_for_signals(uint64_t flags)
{
    sleep_on(&current_process()->signal_wait, &process_lock, flags);
}

/* The live (not reaped) process with this pid, or NULL. process_lock held. */
static struct process *find(int pid)
{
    struct process *p = pid > 0 ? slots[pid % MAX_PROCESSES] : NULL;
    return p && p->pid == pid ? p : NULL;
}

/* Free what is left of a zombie (or a process that never ran), out of the table already. Its
 * kernel stack goes once the zombie's CPU has switched away from it (it never runs again). */
void process_free(struct process *p)
{
    sched_wait_until_off_cpu(p);
    signal_state_free(p);
    if (p->kstack_top)
        kstack_free(p->kstack_top);
    kfree(p->fpu_state);
    kfree(p);
}

/* A process with a pid, a kernel stack, FPU and signal state (from's, or the defaults); no
 * address space or files yet. A thread (of from's process) shares from's signal actions
 * and is not yet among its process's threads (thread_join). NULL for want of memory (-ENOMEM)
 * or of a slot (*no_slot set: -EAGAIN). */
static struct process *process_new(struct process *from, bool thread, bool *no_slot)
{
    *no_slot = false;
    struct process *p = kzalloc(sizeof *p);
    if (!p)
        return NULL;
    p->syscall_nr = -1;
    p->leader = thread ? from->leader : p;
    p->affinity = from ? from->affinity : smp_all_cpus();
    p->start_ns = time_monotonic_ns();
    p->fpu_state = kmalloc(FPU_STATE_SIZE);
    p->kstack_top = kstack_alloc();
    if (!p->fpu_state || !p->kstack_top || signal_state_new(p, from, thread)) {
        process_free(p);
        return NULL;
    }
    uint64_t flags = spin_lock(&process_lock);
    *no_slot = live_count == MAX_PROCESSES;
    if (!*no_slot) {
        while (slots[next_pid % MAX_PROCESSES])
            next_pid = next_pid == 0x3fffffff ? 1 : next_pid + 1;
        p->pid = next_pid;
        p->tgid = thread ? p->leader->pid : p->pid;
        p->live_threads = 1;
        slots[p->pid % MAX_PROCESSES] = p;
        live_count++;
        made_count++;
        next_pid = next_pid == 0x3fffffff ? 1 : next_pid + 1;
    }
    spin_unlock(&process_lock, flags);
    if (*no_slot) {
        process_free(p);
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

struct process *process_find_locked(int pid)
{
    return find(pid);
}

void process_counts_locked(struct process_counts *out)
{
    *out = (struct process_counts){ live_count, made_count, next_pid == 1 ? 0x3fffffff : next_pid - 1 };
}

/* The first process's limits, as Linux gives its init; every other inherits its parent's. */
#define UNLIMITED { RLIM_INFINITY, RLIM_INFINITY }
static const struct rlimit_k first_limits[RLIMIT_COUNT] = {
    UNLIMITED, UNLIMITED, UNLIMITED,                    /* CPU, FSIZE, DATA */
    [RLIMIT_STACK] = { 8 << 20, RLIM_INFINITY }, [RLIMIT_CORE] = { 0, RLIM_INFINITY }, UNLIMITED,
    [RLIMIT_NPROC] = { MAX_PROCESSES, MAX_PROCESSES }, [RLIMIT_NOFILE] = { MAX_FDS, MAX_FDS },
    [RLIMIT_MEMLOCK] = { 8 << 20, 8 << 20 }, UNLIMITED, UNLIMITED,     /* AS, LOCKS */
    { MAX_PROCESSES, MAX_PROCESSES },                   /* SIGPENDING */
    [RLIMIT_MSGQUEUE] = { 819200, 819200 }, [RLIMIT_NICE] = { 0, 0 }, [RLIMIT_RTPRIO] = { 0, 0 },
    UNLIMITED,                                          /* RTTIME */
};
#undef UNLIMITED

/* Take p out of the table. process_lock held. */
static void unlist(struct process *p)
{
    slots[p->pid % MAX_PROCESSES] = NULL;
    live_count--;
    procfs_remove(p);                       /* before the pid can be given again */
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
    struct process *p = process_new(NULL, false, &no_slot);
    if (!p)
        panic("no memory for the first process");
    p->pgid = p->sid = p->pid;          /* session 1, whose terminal the console is */
    if (procfs_add(p, NULL))
        panic("no memory for /proc/1");
    p->leader->umask = 022;
    for (int i = 0; i < RLIMIT_COUNT; i++)
        p->leader->limits[i] = first_limits[i];
    uint64_t flags = spin_lock(&fs_lock);
    inode_get(p->leader->cwd = fs_root());
    spin_unlock(&fs_lock, flags);
    memcpy(p->fpu_state, fpu_clean_state, FPU_STATE_SIZE);
    struct exec_args args = { .path = path, .kernel_argv = argv };
    long error = exec_program(p, &args);
    if (error)
        panic("cannot start %s as the first process (error %ld)", path, error);
    struct file *console;
    flags = spin_lock(&fs_lock);
    struct lookup_context ctx = { .root = fs_root(), .start = fs_root() };
    error = fs_open(&ctx, "/dev/console", O_RDWR, 0, 0, &console);
    spin_unlock(&fs_lock, flags);
    if (error)
        panic("cannot open /dev/console for the first process (error %ld)", error);
    for (int fd = 0; fd < 3; fd++)
        fd_install(p, fd ? file_get(console) : console, fd);
    console_set_session(p->sid, p->pgid);
    sched_enqueue(p);
    fail_alloc_start();
    sched_run_idle();
}

/* Whether clone's flags ask for what Twofold has: a fork (none of the sharing flags), a
 * vfork (CLONE_VM | CLONE_VFORK), or a thread (CLONE_THREAD with all it shares). */
static bool clone_flags_supported(uint64_t flags)
{
    const uint64_t known = CLONE_EXIT_SIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK
                         | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID
                         | CLONE_DETACHED | CLONE_CHILD_SETTID;
    const uint64_t sharing = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
    if (flags & ~known)
        return false;
    if (flags & CLONE_THREAD)
        return (flags & sharing) == sharing && !(flags & CLONE_VFORK);
    return (flags & sharing) == 0 ? !(flags & CLONE_VFORK) : (flags & sharing) == CLONE_VM && (flags & CLONE_VFORK);
}

/* A new thread joins its process: counted, listed, and in its process group. process_lock
 * held. */
static void thread_join(struct process *leader, struct process *thread)
{
    thread->next_thread = leader->next_thread;
    leader->next_thread = thread;
    leader->live_threads++;
    thread->pgid = leader->pgid;
    thread->sid = leader->sid;
}

/* What a new process takes from the process it is forked from (whose threads share it, in
 * their leader): descriptors, working directory, umask, limits. */
static void copy_process_state(struct process *child, const struct process *from)
{
    child->umask = from->umask;
    memcpy(child->limits, from->limits, sizeof child->limits);
    uint64_t flags = spin_lock(&fs_lock);
    inode_get(child->cwd = from->cwd);
    spin_unlock(&fs_lock, flags);
}

long process_clone(const struct clone_request *request)
{
    uint64_t flags = request->flags;
    bool share_vm = flags & CLONE_VM, thread = flags & CLONE_THREAD;
    if (!clone_flags_supported(flags))
        return -EINVAL;                     /* CLONE_FILES or CLONE_VM alone, namespaces...: not here */
    struct process *parent = current_process();
    bool no_slot;
    struct process *child = process_new(parent, thread, &no_slot);
    if (!child)
        return no_slot ? -EAGAIN : -ENOMEM;
    /* /proc/PID first (a failure leaves none; unlist takes it away), so that one way back
     * serves every failure. A thread is seen in its process's /proc/PID/task. */
    long error = (thread ? procfs_add_thread(child) : procfs_add(child, parent)) ? -ENOMEM : 0;
    if (!error && !thread)
        error = fd_table_copy(child, parent);
    if (!error && share_vm) {
        child->vm = vm_get(parent->vm);     /* a thread's for good; a vfork child's until it execs or exits */
    } else if (!error) {
        child->vm = kmalloc(sizeof *child->vm);
        uint64_t vm_flags = vm_lock(parent->vm);
        error = child->vm ? vm_fork(child->vm, parent->vm) : -ENOMEM;
        vm_unlock(parent->vm, vm_flags);
        if (error) {
            kfree(child->vm);
            child->vm = NULL;
        }
    }
    if (error) {
        if (!thread)
            fd_table_close_all(child);
        uint64_t lock_flags = spin_lock(&process_lock);
        unlist(child);
        spin_unlock(&process_lock, lock_flags);
        process_free(child);
        return error;
    }
    child->vm_lender = share_vm && !thread ? parent : NULL;
    child->exit_signal = thread ? 0 : flags & CLONE_EXIT_SIGNAL;
    child->kernel_cr3 = vm_kernel_cr3(child->vm);
    child->user_cr3 = vm_user_cr3(child->vm);
    memcpy(child->name, parent->name, sizeof child->name);
    child->arguments = parent->arguments;   /* its copy of the parent's stack holds them */
    sched_save_user_segments(child);        /* the parent's, as they are now */
    if (flags & CLONE_SETTLS)
        child->fs_base = request->tls;
    fpu_save(child->fpu_state);             /* the parent's registers, as they are now */
    if (!thread)
        copy_process_state(child, parent->leader);
    child->root_group_count = parent->root_group_count;
    *process_frame(child) = *process_frame(parent);
    process_frame(child)->rax = 0;          /* fork() returns 0 in the child */
    if (request->stack)
        process_frame(child)->rsp = request->stack;
    int pid = child->pid;
    /* The tid words, as Linux writes them (a fault is ignored, as there): the parent's in its
     * memory, the child's in the child's (copy on write breaks for it). */
    if (flags & CLONE_PARENT_SETTID)
        copy_to_user(request->parent_tid, &pid, sizeof pid);
    if (flags & CLONE_CHILD_SETTID) {
        if (share_vm)                       /* the same memory */
            copy_to_user(request->child_tid, &pid, sizeof pid);
        else if (user_range_ok(request->child_tid, sizeof pid))
            vm_copy_in(child->vm, request->child_tid, &pid, sizeof pid);
    }
    if (flags & CLONE_CHILD_CLEARTID)
        child->clear_child_tid = request->child_tid;
    uint64_t lock_flags = spin_lock(&process_lock);
    if (thread) {
        thread_join(parent->leader, child);
    } else {
        child->pgid = parent->leader->pgid;
        child->sid = parent->leader->sid;
        add_child(parent->leader, child);   /* any thread's child is its process's */
    }
    if (child->vm_lender)
        parent->vm_lent = true;
    spin_unlock(&process_lock, lock_flags);
    sched_enqueue(child);
    if (child->vm_lender) {
        /* vfork: wait, whatever signals come, until the child gives the address space back
         * (vm_give_back); a SIGKILL takes effect after. */
        lock_flags = spin_lock(&process_lock);
        while (parent->vm_lent) {
            sleep_on(&parent->vm_returned, &process_lock, lock_flags);
            lock_flags = spin_lock(&process_lock);
        }
        spin_unlock(&process_lock, lock_flags);
    }
    return pid;
}

void process_vm_give_back(struct process *p)
{
    struct process *lender = p->vm_lender;
    p->vm_lender = NULL;
    uint64_t flags = spin_lock(&process_lock);
    lender->vm_lent = false;
    wake_all(&lender->vm_returned);
    spin_unlock(&process_lock, flags);
}

/* SIGCHLD for parent, about child, with code (CLD_*) and status. process_lock held. */
static void tell_parent(struct process *parent, const struct process *child, int code, int status)
{
    struct signal_info info = { .code = code, .pid = child->pid, .status = status };
    /* An exit is told with the signal clone asked for (none: 0, or a number past the last
     * signal, which Linux's clone does not refuse either); stops and continues always with
     * SIGCHLD, as Linux does. */
    int signal = code == CLD_EXITED || code == CLD_KILLED || code == CLD_DUMPED ? child->exit_signal : SIGCHLD;
    if (signal > 0 && signal <= SIGNAL_MAX)
        signal_send_process(parent, signal, &info);
    wake_all(&parent->child_exited);
}

/* Whether parent has asked not to keep zombies (SIGCHLD ignored, or SA_NOCLDWAIT): its
 * children are then reaped as they end. process_lock held. */
static bool reaps_at_once(const struct process *parent)
{
    const struct sigaction_k *a = &parent->signals->actions[SIGCHLD];
    return a->handler == SIG_IGN || (a->flags & SA_NOCLDWAIT);
}

/* Unlink child from parent's children. process_lock held. */
static void remove_child(struct process *parent, struct process *child)
{
    for (struct process **link = &parent->first_child; *link; link = &(*link)->next_sibling)
        if (*link == child) {
            *link = child->next_sibling;
            return;
        }
}

/* The wait status of an exit with status, or by signal (0: none). */
static int wait_status_of(int status, int signal)
{
    return signal ? signal & 0xff : (status & 0xff) << 8;
}

/* Take thread (not the leader) out of its process's list. process_lock held. */
static void thread_unlink(struct process *thread)
{
    for (struct process **link = &thread->leader->next_thread; *link; link = &(*link)->next_thread)
        if (*link == thread) {
            *link = thread->next_thread;
            return;
        }
}

/* The first process has ended: the machine powers off, with power_off's status 0..124 for
 * init's exit status, 127 for anything else (as it was when it ended: still running). */
__attribute__((noreturn)) static void init_ended(int wait_status)
{
    if (wait_status & 0x7f) {
        kprintf("init was killed by signal %d (%s)\n", wait_status & 0x7f, signal_name(wait_status & 0x7f));
        power_off(127);
    }
    kprintf("init exited with status %d\n", wait_status >> 8 & 0xff);
    power_off((wait_status >> 8 & 0xff) < 125 ? wait_status >> 8 & 0xff : 127);
}

/* The last thread of leader's process has ended: what the threads shared goes, and the
 * process becomes a zombie for its parent (or, if the parent does not keep zombies, goes).
 * Runs on the last thread, which is leader itself or a thread about to be freed. */
static void process_end(struct process *leader)
{
    int wait_status = leader->wait_status;
    fd_table_close_all(leader);
    uint64_t fs_flags = spin_lock(&fs_lock);
    inode_put(leader->cwd);
    leader->cwd = NULL;
    spin_unlock(&fs_lock, fs_flags);
    time_alarm_cancel(leader);

    /* Orphans go to init, which reaps them. */
    uint64_t flags = spin_lock(&process_lock);
    struct process *init = find(1);
    while (leader->first_child) {
        struct process *child = leader->first_child;
        leader->first_child = child->next_sibling;
        add_child(init, child);
        if (child->state == PROCESS_ZOMBIE && !child->live_threads)
            wake_all(&init->child_exited);
    }
    struct process *parent = leader->parent;
    bool reaped = reaps_at_once(parent);
    if (reaped) {
        remove_child(parent, leader);
        unlist(leader);
    }
    int signal = wait_status & 0x7f;
    tell_parent(parent, leader, !signal ? CLD_EXITED : wait_status & 0x80 ? CLD_DUMPED : CLD_KILLED,
                signal ? signal : wait_status >> 8 & 0xff);
    spin_unlock(&process_lock, flags);
    if (reaped) {
        if (leader == current_process())
            sched_free_after_switch(leader);    /* its own stack is the one this runs on */
        else
            process_free(leader);               /* ended before, and off its CPU by now */
    }
}

/* The current thread ends with wait_status (its process's, if it is the last and no
 * exit_group or fatal signal set one). What only it had goes; the last thread ends the
 * process. */
__attribute__((noreturn)) static void thread_end(int wait_status)
{
    struct process *self = current_process(), *leader = self->leader;
    /* The first process's last thread: the machine stops as it is, its address space in
     * place (GDB's helpers read it at power_off). One of two that end at once finds out
     * below, once the count says so. */
    if (leader->pid == 1 && __atomic_load_n(&leader->live_threads, __ATOMIC_ACQUIRE) == 1)
        init_ended(leader->group_exiting ? leader->group_status : wait_status);
    futex_thread_exit(self);
    fd_return_borrowed(self);
    /* Leave the address space before letting it go: run on the kernel's own tables. /proc
     * reads self->vm under process_lock: it sees the address space or none. */
    struct cpu *cpu = this_cpu();
    self->kernel_cr3 = self->user_cr3 = cpu->entry_cr3 = cpu->exit_cr3 = pt_kernel_root;
    write_cr3(pt_kernel_root);
    uint64_t flags = spin_lock(&process_lock);
    struct vm *vm = self->vm;
    self->vm = NULL;
    spin_unlock(&process_lock, flags);
    vm_put(vm);
    if (self->vm_lender)
        process_vm_give_back(self);

    flags = spin_lock(&process_lock);
    bool last = --leader->live_threads == 0;
    if (self == leader || last)
        leader->wait_status = leader->group_exiting ? leader->group_status
                            : self == leader ? wait_status : leader->wait_status;
    if (last && leader->pid == 1) {
        spin_unlock(&process_lock, flags);
        init_ended(leader->wait_status);
    }
    self->state = PROCESS_ZOMBIE;
    if (self != leader) {
        thread_unlink(self);
        unlist(self);
    }
    wake_all(&leader->threads_exited);
    spin_unlock(&process_lock, flags);
    if (last)
        process_end(leader);
    if (self != leader)
        sched_free_after_switch(self);      /* nobody waits for a thread: it goes at once */
    schedule();
    panic("a zombie ran again");
}

void process_exit(int status, int signal)
{
    struct process *self = current_process(), *leader = self->leader;
    uint64_t flags = spin_lock(&process_lock);
    /* The first to end the process says how, and ends the other threads; a thread that an
     * exec in another one ends (exec_by) ends alone. */
    if (!leader->group_exiting && !leader->exec_by) {
        leader->group_exiting = true;
        leader->group_status = wait_status_of(status, signal);
        for (struct process *t = leader; t; t = t->next_thread)
            if (t != self && t->state != PROCESS_ZOMBIE)
                signal_send(t, SIGKILL, NULL);
    }
    spin_unlock(&process_lock, flags);
    thread_end(wait_status_of(status, signal));
}

void process_end_other_threads(void)
{
    struct process *self = current_process();
    uint64_t flags = spin_lock(&process_lock);
    if (self->live_threads > 1) {
        self->exec_by = self;
        for (struct process *t = self->next_thread; t; t = t->next_thread)
            if (t->state != PROCESS_ZOMBIE)
                signal_send(t, SIGKILL, NULL);
        while (self->live_threads > 1) {
            sleep_on(&self->threads_exited, &process_lock, flags);
            flags = spin_lock(&process_lock);
        }
        self->exec_by = NULL;
    }
    spin_unlock(&process_lock, flags);
}

void process_thread_exit(int status)
{
    thread_end(wait_status_of(status, 0));
}

/* Whether child's group or pid is what wait4's pid asks for, and its kind what options do:
 * a child whose exit signal is not SIGCHLD (a "clone" child) only with __WCLONE or __WALL,
 * the others only without __WCLONE (or with __WALL), as Linux has it. */
static bool wanted(const struct process *self, const struct process *child, int pid, int options)
{
    if (!(options & WALL) && (child->exit_signal != SIGCHLD) != !!(options & WCLONE))
        return false;
    return pid == -1 || (pid > 0 && child->pid == pid) || (pid == 0 && child->pgid == self->pgid)
        || (pid < -1 && child->pgid == -pid);
}

long process_wait(int pid, int *status, int options)
{
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    struct process *thread = current_process(), *self = thread->leader;    /* any thread waits */
    for (;;) {
        bool any = false;
        uint64_t flags = spin_lock(&process_lock);
        for (struct process **link = &self->first_child; *link; link = &(*link)->next_sibling) {
            struct process *child = *link;
            if (!wanted(self, child, pid, options))
                continue;
            any = true;
            int report = child->stop_report;
            if ((report > 0 && (options & WUNTRACED)) || (report < 0 && (options & WCONTINUED))) {
                child->stop_report = 0;
                *status = report > 0 ? report << 8 | 0x7f : 0xffff;
                spin_unlock(&process_lock, flags);
                return child->pid;
            }
            if (child->state != PROCESS_ZOMBIE || child->live_threads)
                continue;                   /* running, or its leader ended before its threads */
            *link = child->next_sibling;
            int child_pid = child->pid;
            *status = child->wait_status;
            self->children.cpu_ns += child->cpu_ns + child->children.cpu_ns;
            self->children.user_ticks += child->user_ticks + child->children.user_ticks;
            self->children.system_ticks += child->system_ticks + child->children.system_ticks;
            unlist(child);
            spin_unlock(&process_lock, flags);
            process_free(child);
            return child_pid;
        }
        long result = !any ? -ECHILD : options & WNOHANG ? 0 : signal_pending(thread) ? -ERESTARTSYS : 1;
        if (result != 1) {
            spin_unlock(&process_lock, flags);
            return result;
        }
        sleep_on(&self->child_exited, &process_lock, flags);
    }
}

/* The process in slot i (its leader), or NULL if the slot is empty or holds a thread that
 * is not a leader. process_lock held. */
static struct process *process_in_slot(int i)
{
    struct process *p = slots[i];
    return p && p->leader == p ? p : NULL;
}

/* Send signal to p (a thread: tkill; else its process) on behalf of the current thread.
 * process_lock held. */
static void send_from_here(struct process *p, int signal, bool to_thread)
{
    struct signal_info info = { .code = to_thread ? SI_TKILL : SI_USER, .pid = current_process()->tgid };
    if (to_thread)
        signal_send(p, signal, &info);
    else
        signal_send_process(p->leader, signal, &info);
}

long process_kill(int pid, int signal, int tgid)
{
    if (signal < 0 || signal > SIGNAL_MAX)
        return -EINVAL;
    struct process *self = current_process();
    uint64_t flags = spin_lock(&process_lock);
    long result;
    if (pid > 0 || tgid) {
        struct process *p = find(pid);
        if (p && tgid > 0 && p->tgid != tgid)
            p = NULL;                       /* tgkill: that thread, of that process */
        result = p && p->state != PROCESS_ZOMBIE ? 0 : pid > 0 ? -ESRCH : -EINVAL;
        if (!result && signal)
            send_from_here(p, signal, tgid);
    } else {
        /* A group, or (-1) everyone but init and the caller: -ESRCH if nobody was there. */
        int pgid = pid == 0 ? self->leader->pgid : -pid;
        result = -ESRCH;
        for (int i = 0; i < MAX_PROCESSES; i++) {
            struct process *p = process_in_slot(i);
            if (!p || (pid == -1 ? p->pid == 1 || p == self->leader : p->pgid != pgid))
                continue;
            result = 0;
            if (signal)
                send_from_here(p, signal, false);
        }
    }
    spin_unlock(&process_lock, flags);
    return result;
}

void process_kill_group(int pgid, int signal)
{
    uint64_t flags = spin_lock(&process_lock);
    for (int i = 0; i < MAX_PROCESSES; i++) {
        struct process *p = process_in_slot(i);
        if (p && p->pgid == pgid)
            signal_send_process(p, signal, &(struct signal_info){ .code = SI_KERNEL });
    }
    spin_unlock(&process_lock, flags);
}

/* Whether parent wants to hear of its children's stops and continues. */
static bool hears_of_stops(const struct process *parent)
{
    return !(parent->signals->actions[SIGCHLD].flags & SA_NOCLDSTOP);
}

void process_stop(int signal)
{
    struct process *self = current_process(), *leader = self->leader;
    uint64_t flags = spin_lock(&process_lock);
    self->state = PROCESS_STOPPED;
    leader->stop_report = signal;
    if (hears_of_stops(leader->parent))
        tell_parent(leader->parent, leader, CLD_STOPPED, signal);
    else
        wake_all(&leader->parent->child_exited);
    spin_unlock(&process_lock, flags);
    schedule();                         /* until process_continue makes it runnable */
}

void process_continue(struct process *p)
{
    struct process *leader = p->leader;
    leader->stop_report = -1;
    if (hears_of_stops(leader->parent))
        tell_parent(leader->parent, leader, CLD_CONTINUED, SIGCONT);
    else
        wake_all(&leader->parent->child_exited);
    sched_enqueue(p);
}

/* The process of leader is in group pgid of session sid: each thread keeps a copy, for the
 * loops over the table. process_lock held. */
static void set_group(struct process *leader, int pgid, int sid)
{
    for (struct process *t = leader; t; t = t->next_thread)
        t->pgid = pgid, t->sid = sid;
}

long process_setpgid(int pid, int pgid)
{
    struct process *self = current_process()->leader;
    if (pgid < 0)
        return -EINVAL;
    uint64_t flags = spin_lock(&process_lock);
    struct process *p = pid ? find(pid) : self;
    p = p ? p->leader : NULL;
    long result = 0;
    if (!p || (p != self && p->parent != self))
        result = -ESRCH;
    else if (p->sid != self->sid || p->pid == p->sid)
        result = -EPERM;                /* another session's, or a session leader */
    else {
        int target = pgid ? pgid : p->pid;
        bool exists = target == p->pid;
        for (int i = 0; i < MAX_PROCESSES && !exists; i++)
            exists = slots[i] && slots[i]->pgid == target && slots[i]->sid == self->sid;
        if (exists)
            set_group(p, target, p->sid);
        else
            result = -EPERM;            /* no such group in this session */
    }
    spin_unlock(&process_lock, flags);
    return result;
}

bool process_group_in_session(int pgid, int sid)
{
    uint64_t flags = spin_lock(&process_lock);
    bool found = false;
    for (int i = 0; i < MAX_PROCESSES && !found; i++)
        found = slots[i] && slots[i]->pgid == pgid && slots[i]->sid == sid;
    spin_unlock(&process_lock, flags);
    return found;
}

long process_group_id(int pid, bool session)
{
    uint64_t flags = spin_lock(&process_lock);
    struct process *p = pid ? find(pid) : current_process();
    long result = !p ? -ESRCH : session ? p->sid : p->pgid;
    spin_unlock(&process_lock, flags);
    return result;
}

long process_setsid(void)
{
    struct process *self = current_process()->leader;
    uint64_t flags = spin_lock(&process_lock);
    bool leads_a_group = false;
    for (int i = 0; i < MAX_PROCESSES && !leads_a_group; i++)
        leads_a_group = slots[i] && slots[i]->pgid == self->pid;
    long result = -EPERM;
    if (!leads_a_group) {
        set_group(self, self->pid, self->pid);  /* and no controlling terminal */
        result = self->sid;
    }
    spin_unlock(&process_lock, flags);
    return result;
}

void process_out_of_memory(void)
{
    struct process *self = current_process();
    kprintf("out of memory: killed pid %d (%s)\n", self->pid, self->name);
    signal_force(SIGKILL, &(struct signal_info){ .code = SI_KERNEL });
}

void process_before_user_return(void)
{
    sched_preempt_point();
    signal_deliver(process_frame(current_process()));
}
