/* kernel/proc/signal.h: signals, with Linux's numbers, flags and semantics.
 *
 * A process has an action for each signal (default, ignore, or a handler, as rt_sigaction
 * set it), a mask of blocked signals and a set of pending ones, each with what Linux's
 * siginfo says of it (one instance per signal: real-time signals are not queued). Sending
 * marks a signal pending (or drops it, if it is ignored) and wakes the process if it may
 * act on it; it acts on it as it next returns to user mode (signal_deliver): the default
 * action (terminate, with core or not, ignore, stop, continue), or a handler, entered on a frame built on the user stack (arch/x86_64/
 * sigframe.c) that rt_sigreturn later takes back. A system call a signal cut short
 * (-ERESTART*) is restarted or fails with -EINTR as Linux decides (SA_RESTART).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "kernel/errno.h"

enum {
    SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
    SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13,
    SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19,
    SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25,
    SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31,
    SIGNAL_MAX = 64,
};
#define SIGNAL_BIT(s) (1ull << ((s) - 1))
/* SIGKILL and SIGSTOP can be neither caught, blocked nor ignored. */
#define UNBLOCKABLE (SIGNAL_BIT(SIGKILL) | SIGNAL_BIT(SIGSTOP))

/* The kernel's struct sigaction, as rt_sigaction takes it on x86-64. */
struct sigaction_k {
    uint64_t handler;               /* SIG_DFL, SIG_IGN or a user address */
    uint64_t flags;                 /* SA_* */
    uint64_t restorer;              /* where a handler returns to (SA_RESTORER): rt_sigreturn */
    uint64_t mask;                  /* blocked while the handler runs */
};
enum { SIG_DFL = 0, SIG_IGN = 1 };
enum {
    SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_RESTORER = 0x04000000,
    SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000,
    SA_RESETHAND = 0x80000000u,
    SA_KNOWN = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER
             | SA_RESETHAND,
};

/* si_code values. */
enum {
    SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6,
    SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, BUS_ADRERR = 2, ILL_ILLOPN = 2,
    FPE_INTDIV = 1, TRAP_BRKPT = 1, TRAP_TRACE = 2,
    CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6,
};

/* What a pending signal says of itself (the fields of Linux's siginfo Twofold fills). */
struct signal_info {
    uint64_t addr;                  /* faults: si_addr */
    int32_t code;                   /* si_code */
    int32_t pid;                    /* the sender, or the child (SIGCHLD); its uid is 0 */
    int32_t status;                 /* SIGCHLD: the exit status or the signal */
    uint16_t error;                 /* faults: the error code and the vector, for the mcontext */
    uint8_t trapno;
};

/* Linux's siginfo_t as user mode sees it, 128 bytes. */
struct siginfo_user {
    int32_t signo, error, code, pad;
    union {
        struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad; int64_t utime, stime; } child;
        struct { int32_t pid; uint32_t uid; } sender;
        struct { uint64_t addr; } fault;
        uint8_t bytes[112];
    };
};
_Static_assert(sizeof(struct siginfo_user) == 128, "Linux's siginfo_t");

/* A thread's signal state, a frame of its own (fork copies the actions, execve resets
 * them). The actions are the process's: every thread's `actions` points at its leader's
 * own_actions. The fields its comments mark [P] are process_lock's (kernel/proc/process.c);
 * the rest only the thread touches. */
struct signal_state {
    struct sigaction_k *actions;                        /* [P] set by rt_sigaction */
    struct sigaction_k own_actions[SIGNAL_MAX + 1];     /* [P] (used by the leader's) */
    uint64_t blocked;                                   /* [P] */
    uint64_t pending;                                   /* [P] */
    uint64_t forced;                /* [P] of the pending ones, those a fault forced */
    uint64_t waited_for;            /* [P] rt_sigtimedwait's set, unblocked while it waits */
    struct signal_info info[SIGNAL_MAX + 1];            /* [P] of each pending signal */
    uint64_t saved_mask;            /* the mask to restore when a handler returns, */
    bool restore_mask;              /* after sigsuspend or sigtimedwait changed it */
    uint64_t altstack_sp, altstack_size;                /* sigaltstack */
    bool altstack_disabled;
};
_Static_assert(sizeof(struct signal_state) <= 4096, "one frame");

/* Whether signal_deliver has work on the way out of system call nr (-1: none) that returned
 * result: a signal s does not block is pending, a sigsuspend mask waits to be put back, or
 * the call is to be restarted or failed (-ERESTART*). A few loads ORed together, for the
 * system-call fast path (kernel/syscall/syscall.c) and signal_deliver alike; read unlocked
 * (signal_deliver says why that is safe). */
static inline bool signal_exit_work(const struct signal_state *s, long nr, long result)
{
    unsigned work = (s->pending & ~(s->blocked & ~UNBLOCKABLE)) != 0;
    work |= s->restore_mask;
    /* -ERESTART_RESTARTBLOCK <= result <= -ERESTARTSYS, as one unsigned comparison */
    work |= nr >= 0 && (uint64_t)(result + ERESTART_RESTARTBLOCK) <= ERESTART_RESTARTBLOCK - ERESTARTSYS;
    return work;
}

struct process;
struct trap_frame;

/* "SIGSEGV" for 11; "signal" for numbers without a name here. */
const char *signal_name(int signal);

/* A fresh signal state for p: from's mask and alternate stack, and a copy of its actions
 * (fork) or, for a thread of from's process, its actions themselves; or the defaults. 0, or
 * -ENOMEM. */
int signal_state_new(struct process *p, const struct process *from, bool thread);
void signal_state_free(struct process *p);

/* execve: caught signals go back to their defaults (ignored ones stay ignored), the
 * alternate stack is forgotten; mask and pending signals stay. */
void signal_exec(struct process *p);

/* Send signal to thread p, with what info says of it (NULL: from the kernel). Drops it if it
 * is ignored; SIGCONT and SIGKILL wake a stopped p. (Init acts only on signals it has a
 * handler for: signal_deliver drops the rest.) process_lock held. */
void signal_send(struct process *p, int signal, const struct signal_info *info);

/* Send signal to the process whose leader is leader: to the first of its threads that does
 * not block it (the first one living, if all do), where it stays pending; Linux keeps such a
 * signal for whichever thread unblocks it first. process_lock held. */
void signal_send_process(struct process *leader, int signal, const struct signal_info *info);

/* The current process's mask becomes mask (less SIGKILL and SIGSTOP). */
void signal_set_mask(uint64_t mask);

/* stack_t, as sigaltstack and the ucontext hold an alternate stack. */
struct stack_user {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
};
enum { SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1u << 31, MINSIGSTKSZ = 2048 };

/* Whether sp lies on the alternate stack of s. */
bool signal_on_altstack(const struct signal_state *s, uint64_t sp);

/* The current process's alternate stack as stack_t says it to code whose RSP is sp. */
struct stack_user signal_altstack(uint64_t sp);

/* sigaltstack's change of the current process's alternate stack, checked as Linux checks
 * it, for code whose RSP is sp: -EPERM while sp is on the alternate stack, -EINVAL for an
 * unknown mode, -ENOMEM for a size under MINSIGSTKSZ; nothing changes then. */
long signal_change_altstack(const struct stack_user *stack, uint64_t sp);

/* Whether p has a pending signal it does not block: one a wait must give way to. */
bool signal_pending(const struct process *p);

/* A fault in user mode: signal, unblocked and not ignored (Linux's force_sig), for the
 * current process. Returns whether it will end the process (no handler): the caller then
 * says why on the console. */
bool signal_force(int signal, const struct signal_info *info);

/* On the way back to user mode: restart or fail an interrupted system call, act on pending
 * signals (stop, continue, terminate, or enter a handler on a new frame). May not return. */
void signal_deliver(struct trap_frame *frame);

/* The current process ends, by signal (which the default action of which made it end). */
__attribute__((noreturn)) void signal_terminate(int signal);
