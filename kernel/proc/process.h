/* kernel/proc/process.h: processes. Each has its own address space (its own CR3), its own kernel
 * stack with a guard page, and its own file descriptors. */
#pragma once
#include "arch/x86_64/trap.h"
#include "kernel/proc/wait_queue.h"
#include "mm/vm.h"
#include <stdbool.h>
#include <stdint.h>

enum { MAX_PROCESSES = 1024, MAX_FDS = 64 };

enum process_state { PROCESS_RUNNABLE, PROCESS_RUNNING, PROCESS_BLOCKED, PROCESS_ZOMBIE };

struct file;
struct file_ops;

/* What protects each field: [P] process_lock (process.c: the table, the tree, exit and
 * reaping, kills); [Q] the lock of the wait queue it is on; [R] the run queue's lock
 * (sched.c); [own] only the process itself touches it, while it runs or while it is made;
 * [cpu] the CPU running it, with interrupts off. */
struct process {
    int pid;                            /* [P] set when made, never changed */
    enum process_state state;           /* [own] running->blocked [Q], ->runnable [R], ->zombie [P] */
    char name[16];                      /* [own] */
    struct process *parent, *first_child, *next_sibling;   /* [P] */
    struct process *run_next;           /* [R] the run queue (sched.c) */
    struct process *wait_next;          /* [Q] the wait queue it sleeps on */
    struct wait_queue *waiting_on;      /* [Q] */
    struct wait_queue child_exited;     /* where this process waits for its children */
    int wait_status;                    /* [P] for wait4, once a zombie */
    int pending_signal;                 /* [P] a kill not yet acted on; its own reads need none */
    int slice_left;                     /* [cpu] ticks of its time slice still to run */
    uint64_t sleep_deadline;            /* [Q] monotonic ns, while on time.c's sleepers */

    /* [own] from here on: the process's own state, which only it changes. */
    struct vm vm;
    uint64_t kernel_cr3, user_cr3;      /* equal unless page-table isolation splits them */
    uint64_t kstack_top;
    uint64_t context_rsp;               /* saved by context_switch */
    uint64_t fs_base, gs_base;          /* the user's FS and GS bases while it is switched out
                                           (while it runs, the MSRs hold them) */
    uint64_t clear_child_tid;           /* set_tid_address */
    void *fpu_state;                    /* 512 bytes, for fxsave/fxrstor */

    struct file *files[MAX_FDS];
    uint64_t close_on_exec;             /* a bit per descriptor */
    uint32_t root_group_count;          /* setgroups: its list, all group 0 (sys_identity.c) */
    uint32_t fail_nth;                  /* its nth allocation from now fails; 0: none (mm/fail_alloc.h) */
};

/* The process running on this CPU. */
struct process *current_process(void);

/* The user registers of p as its last entry into the kernel saved them. */
static inline struct trap_frame *process_frame(const struct process *p)
{
    return (struct trap_frame *)p->kstack_top - 1;
}

/* Start the first process: /path with argv from the initrd. Does not return; panics if
 * the program cannot be started. */
__attribute__((noreturn)) void process_start_init(const char *path, const char *const argv[]);

/* The current process ends: by exit(status) (signal 0) or killed by signal. Frees what it
 * can, leaves a zombie for its parent, and never returns. */
__attribute__((noreturn)) void process_exit(int status, int signal);

/* A copy of the current process, returning from its system call with 0. Its pid, or
 * -EAGAIN (no process slot) or -ENOMEM. */
long process_fork(void);

/* Wait for a child (pid > 0: that one; -1: any); see wait4(2). */
long process_wait(int pid, int *status, int options);

/* Send signal (1..64) to pid: Twofold has no handlers, so every signal ends the process,
 * when it next returns towards user mode (process_before_user_return); to pid 1 a signal
 * does nothing (it has no handler for it). */
long process_kill(int pid, int signal);

/* A page the current process may have could not be given for want of memory: say so on the
 * console and make it end with SIGKILL as it next heads for user mode (Linux's OOM killer
 * would choose a victim; Twofold ends the process that asked). */
void process_out_of_memory(void);

/* The last stop before the current process returns to user mode: run another process if
 * its time slice is used up, and end it if a signal is pending. */
void process_before_user_return(void);

/* The process Ctrl-C is for: the pid of the youngest live process but init with `console`
 * open as its standard input, or 0. */
int process_foreground(const struct file_ops *console);
