/* kernel/proc/process.h: processes and their threads. A process has its own address space
 * (its own CR3), file descriptors, working directory and signal actions, and belongs to a
 * process group within a session (job control). It has one thread or more: each a struct
 * process of its own, with its own id (the tid), kernel stack with a guard page, registers,
 * signal mask and pending signals; the first thread, the leader, has the process's id (the
 * tgid) and holds what the threads share. A thread ends alone (exit); the process ends with
 * its last thread, or at once with all of them (exit_group, a fatal signal). */
#pragma once
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/fs/file.h"
#include "kernel/proc/wait_queue.h"
#include "mm/vm.h"
#include <stdbool.h>
#include <stdint.h>

enum { MAX_PROCESSES = 1024 };

/* Resource limits (getrlimit(2)): Linux's numbers; kept and read back, RLIMIT_NOFILE obeyed
 * (up to MAX_FDS), the others not acted on. */
enum { RLIMIT_STACK = 3, RLIMIT_CORE = 4, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8,
       RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_COUNT = 16 };
#define RLIM_INFINITY (~0ull)
struct rlimit_k {
    uint64_t cur, max;
};

enum process_state { PROCESS_RUNNABLE, PROCESS_RUNNING, PROCESS_BLOCKED, PROCESS_STOPPED, PROCESS_ZOMBIE };

struct file;
struct file_ops;
struct inode;
struct signal_state;

/* What protects each field: [P] process_lock (process.c: the table, the tree, exit and
 * reaping, kills); [Q] the lock of the wait queue it is on; [R] the run queue's lock
 * (sched.c); [own] only the process itself touches it, while it runs or while it is made;
 * [cpu] the CPU running it, with interrupts off. */
struct process {
    int pid;                            /* [P] set when made, never changed (a thread's: its tid) */
    int tgid;                           /* [P] its process's id: the leader's pid */
    struct process *leader;             /* [P] its process's first thread (itself, for that one):
                                           what the threads share lives there */
    /* In the leader, [P]: the other threads (linked through their next_thread), how many
     * threads have not ended, leader included; whether the process is ending (exit_group,
     * a fatal signal) and with what wait status; the thread whose exec ends the others. */
    struct process *next_thread;
    int live_threads;
    bool group_exiting;
    int group_status;
    struct process *exec_by;
    struct wait_queue threads_exited;   /* in the leader: where exec waits for the others */
    enum process_state state;           /* [own] running->blocked [Q], ->runnable [R], ->zombie [P] */
    char name[16];                      /* [own] */
    struct process *parent, *first_child, *next_sibling;   /* [P] */
    struct process *run_next;           /* [R] the run queue (sched.c) */
    struct process *wait_next;          /* [Q] the wait queue it sleeps on */
    struct wait_queue *waiting_on;      /* [Q] */
    struct wait_queue child_exited;     /* where this process waits for its children */
    struct wait_queue signal_wait;      /* where it waits for nothing but a signal (pause) */
    struct wait_queue vm_returned;      /* where a vfork parent waits for its address space */
    bool vm_lent;                       /* [P] a vfork child runs in this one's address space */
    struct process *vm_lender;          /* [own] the vfork parent whose address space this runs in */
    int exit_signal;                    /* [own] what the parent is sent at the exit (clone) */
    int wait_status;                    /* [P] for wait4, once a zombie */
    int pgid, sid;                      /* [P] its process group and session */
    int stop_report;                    /* [P] a stop (its signal) or a continue (-1) that its
                                           parent's wait4 has not seen yet; 0: none */
    struct signal_state *signals;       /* see kernel/proc/signal.h */
    long syscall_nr;                    /* [own] the system call in progress, -1 outside one */
    struct {                            /* [own] what restart_syscall resumes (nanosleep) */
        uint64_t deadline, rem;
    } restart;
    uint64_t alarm_deadline, alarm_interval;    /* ITIMER_REAL, in time.c's alarm list */
    struct process *alarm_next;
    uint64_t timeout_deadline;          /* while on time.c's timeout list (poll, select) */
    struct process *timeout_next;
    int on_cpu;                         /* [cpu] 1 while a CPU is on its kernel stack (sched.c) */
    unsigned cpu;                       /* [cpu] the CPU it runs on, or ran on last */
    uint64_t affinity;                  /* [R] the CPUs it may run on, a bit each */
    int slice_left;                     /* [cpu] ticks of its time slice still to run */
    uint64_t cpu_ns, ran_since;         /* [cpu] CPU time until its last switch away; since when it runs */
    uint64_t user_ticks, system_ticks;  /* [cpu] ticks that found it in user mode, in the kernel */
    uint64_t start_ns;                  /* [own] monotonic time it was made */
    struct arg_area {                   /* [own] its arguments' strings, on its stack (exec) */
        uint64_t start, end;
    } arguments;
    struct cpu_usage {                  /* [P] what its reaped children (and theirs) used */
        uint64_t cpu_ns, user_ticks, system_ticks;
    } children;
    uint64_t sleep_deadline;            /* [Q] monotonic ns, while on time.c's sleepers */

    /* [own] from here on: the process's own state, which only it changes. */
    struct vm *vm;                      /* its address space (shared by a vfork child); NULL
                                           once it exited (process_lock to change) */
    uint64_t kernel_cr3, user_cr3;      /* equal unless page-table isolation splits them */
    uint64_t kstack_top;
    uint64_t context_rsp;               /* saved by context_switch */
    uint64_t fs_base, gs_base;          /* the user's FS and GS bases while it is switched out
                                           (while it runs, the MSRs hold them) */
    uint16_t fs_selector, gs_selector;  /* and the selectors it loaded into FS and GS */
    uint64_t clear_child_tid;           /* set_tid_address */
    uint64_t robust_list, robust_list_len;      /* set_robust_list */
    /* [F] (futex.c's lock) while it waits on a futex: the word, and whether a wake came. */
    const struct vm *futex_vm;
    uint64_t futex_addr;
    uint32_t futex_bitset;
    bool futex_woken;
    /* [own] files the system call in progress uses, referenced until it returns, where other
     * threads could close them meanwhile (kernel/fs/file.h: fd_file). */
    struct file *borrowed[BORROWED_MAX];
    int borrowed_count;
    void *fpu_state;                    /* 512 bytes, for fxsave/fxrstor */

    /* Shared by the threads: the leader's are the process's (through ->leader). */
    struct fd_table fds;                /* kernel/fs/file.h */
    struct inode *cwd;                  /* the working directory (a reference; fs_lock to use) */
    uint32_t umask;
    struct rlimit_k limits[RLIMIT_COUNT];
    uint32_t root_group_count;          /* setgroups: its list, all group 0 (sys_identity.c) */
    uint32_t fail_nth;                  /* its nth allocation from now fails; 0: none (mm/fail_alloc.h) */
};

/* The thread running on this CPU: one load through GS (this_cpu), inlined, as every system
 * call asks for it several times. */
static inline struct process *current_process(void)
{
    struct process *p;
    __asm__ volatile("mov %%gs:%c1, %0" : "=r"(p) : "i"(offsetof(struct cpu, current)));
    return p;
}

/* The user registers of p as its last entry into the kernel saved them. */
static inline struct trap_frame *process_frame(const struct process *p)
{
    return (struct trap_frame *)p->kstack_top - 1;
}

/* Start the first process: /path with argv from the initrd. Does not return; panics if
 * the program cannot be started. */
__attribute__((noreturn)) void process_start_init(const char *path, const char *const argv[]);

/* The current process ends, every thread of it: by exit_group(status) (signal 0) or killed
 * by signal (with 0x80 added if the default action dumps core: no core is written, but the
 * wait status says so). The other threads are sent SIGKILL; the last one to end frees what
 * the process had, leaves a zombie for its parent (or nothing, if the parent ignores
 * SIGCHLD) and tells the parent with SIGCHLD. Never returns. */
__attribute__((noreturn)) void process_exit(int status, int signal);

/* The current thread, its process's leader, is left its only thread: the others are sent
 * SIGKILL, and this returns once they have ended (execve's point of no return). */
void process_end_other_threads(void);

/* The current thread ends (exit(2)): its process goes on while it has others; the last one
 * ends the process with its status (the leader's, if the leader ended before). */
__attribute__((noreturn)) void process_thread_exit(int status);

/* clone(2)'s flags that Twofold has: the child's exit signal (its low byte), a vfork
 * (CLONE_VM | CLONE_VFORK, only together), a thread (CLONE_THREAD with CLONE_VM, CLONE_FS,
 * CLONE_FILES and CLONE_SIGHAND: all or none; CLONE_SYSVSEM and CLONE_DETACHED are accepted
 * and mean nothing here), a TLS base, and the tid words. */
enum {
    CLONE_EXIT_SIGNAL = 0xff, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400,
    CLONE_SIGHAND = 0x800, CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000,
    CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
    CLONE_DETACHED = 0x400000, CLONE_CHILD_SETTID = 0x1000000,
};

struct clone_request {
    uint64_t flags;
    uint64_t stack;                     /* the child's RSP (0: the parent's) */
    uint64_t parent_tid, child_tid;     /* where CLONE_PARENT_SETTID, CLONE_CHILD_* write */
    uint64_t tls;                       /* CLONE_SETTLS's FS base */
};

/* A copy of the current process, returning from its system call with 0 (fork, and clone with
 * fork's flags), or with CLONE_VM | CLONE_VFORK a child that runs in the caller's address
 * space while the caller waits until it execs or exits (vfork), or with CLONE_THREAD a new
 * thread of the caller's process. The child's pid (tid), or -EINVAL (flags Twofold lacks),
 * -EAGAIN (no process slot) or -ENOMEM. */
long process_clone(const struct clone_request *request);

/* A vfork child p is done with its parent's address space (it execs, or exits, and has let
 * its share go): the parent goes on. */
void process_vm_give_back(struct process *p);

/* Wait for a child (pid > 0: that one; 0: one in the caller's group; -1: any; < -1: one in
 * group -pid) to end, or (WUNTRACED, WCONTINUED) to stop or continue; see wait4(2). */
long process_wait(int pid, int *status, int options);

/* kill(2): signal (0..64; 0 only checks) to the process of pid (> 0), to the caller's group
 * (0), to group -pid (< -1), or to every process but init and the caller (-1). With tgid
 * (tkill: -1, any; tgkill: the process it must be in) to the one thread pid. */
long process_kill(int pid, int signal, int tgid);

/* The process with that pid, or NULL; process_lock held (and it stays valid while held). */
struct process *process_find_locked(int pid);

/* The table's counts at once: processes there are (zombies too: sysinfo's procs), those made
 * since boot, and the last pid given (/proc/stat, /proc/loadavg). process_lock held. */
struct process_counts {
    int live;
    uint64_t made;
    int last_pid;
};
void process_counts_locked(struct process_counts *out);

/* Send signal to every process of group pgid (the console does, for Ctrl-C). */
void process_kill_group(int pgid, int signal);

/* The current process stops (the default action of a stop signal): its parent hears of it
 * (SIGCHLD unless SA_NOCLDSTOP, and wait4 with WUNTRACED); returns once SIGCONT or SIGKILL
 * came. */
void process_stop(int signal);

/* A SIGCONT or SIGKILL for p, which is stopped: it runs again, and its parent hears of the
 * continue. process_lock held. */
void process_continue(struct process *p);

/* Free a process that is out of the table: its signal state, kernel stack, FPU state. Not
 * one a CPU may still run on (sched_free_after_switch). */
void process_free(struct process *p);

/* process_lock, for what the signal code reads and writes of processes (signal.h's [P]). */
uint64_t process_lock_take(void);
void process_lock_drop(uint64_t flags);

/* With process_lock held (taken with flags): sleep until a signal wakes the current process;
 * returns with the lock released. */
void process_sleep_for_signals(uint64_t flags);

/* Process groups and sessions: setpgid(2), setsid(2); and getpgid(2) or, with session,
 * getsid(2): pid's (0: the caller's) group or session, or -ESRCH. */
long process_setpgid(int pid, int pgid);
long process_setsid(void);
long process_group_id(int pid, bool session);

/* Whether a process of group pgid is in session sid. */
bool process_group_in_session(int pgid, int sid);

/* A page the current process may have could not be given for want of memory: say so on the
 * console and make it end with SIGKILL as it next heads for user mode (Linux's OOM killer
 * would choose a victim; Twofold ends the process that asked). */
void process_out_of_memory(void);

/* The last stop before the current process returns to user mode: run another process if
 * its time slice is used up, and act on its pending signals (signal_deliver). */
void process_before_user_return(void);
