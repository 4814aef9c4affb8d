/* kernel/proc/signal.c: sending signals and acting on them (see signal.h); the frame a
 * handler runs on is arch/x86_64/sigframe.c's. */
#include "kernel/proc/signal.h"
#include "arch/x86_64/sigframe.h"
#include "arch/x86_64/trap.h"
#include "kernel/proc/sched.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/syscall.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include <string.h>

enum action { TERMINATE, CORE, IGNORE, STOP, CONTINUE };

/* What SIG_DFL does, by signal; real-time signals (32 and up) terminate. */
static enum action default_action(int signal)
{
    switch (signal) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE: case SIGSEGV:
    case SIGXCPU: case SIGXFSZ: case SIGSYS:
        return CORE;
    case SIGCHLD: case SIGURG: case SIGWINCH:
        return IGNORE;
    case SIGCONT:
        return CONTINUE;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return STOP;
    default:
        return TERMINATE;
    }
}

#define STOP_SIGNALS (SIGNAL_BIT(SIGSTOP) | SIGNAL_BIT(SIGTSTP) | SIGNAL_BIT(SIGTTIN) | SIGNAL_BIT(SIGTTOU))

const char *signal_name(int signal)
{
    static const char *const names[] = {
        [SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
        [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGCHLD] = "SIGCHLD",
        [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
        [SIGTTOU] = "SIGTTOU", [SIGSYS] = "SIGSYS",
    };
    return signal > 0 && signal <= SIGSYS && names[signal] ? names[signal] : "signal";
}

int signal_state_new(struct process *p, const struct process *from, bool thread)
{
    uint64_t frame = frame_alloc_zeroed();
    if (!frame)
        return -ENOMEM;
    p->signals = phys_to_virt(frame);
    p->signals->actions = thread ? from->signals->actions : p->signals->own_actions;
    if (from) {
        if (!thread)
            memcpy(p->signals->own_actions, from->signals->actions, sizeof p->signals->own_actions);
        p->signals->blocked = from->signals->blocked;
        p->signals->altstack_sp = from->signals->altstack_sp;
        p->signals->altstack_size = from->signals->altstack_size;
        p->signals->altstack_disabled = from->signals->altstack_disabled;
    } else {
        p->signals->altstack_disabled = true;
    }
    return 0;
}

void signal_state_free(struct process *p)
{
    if (p->signals)
        frame_free(virt_to_phys(p->signals));
    p->signals = NULL;
}

void signal_exec(struct process *p)
{
    struct signal_state *s = p->signals;
    for (int signal = 1; signal <= SIGNAL_MAX; s->actions[signal++].flags = 0)
        if (s->actions[signal].handler != SIG_IGN)
            s->actions[signal].handler = SIG_DFL;
    s->altstack_sp = s->altstack_size = 0;
    s->altstack_disabled = true;
}

/* Whether s holds signal back: blocks it, or waits for it in rt_sigtimedwait (Linux's
 * blocked and real_blocked). */
static bool held_back(const struct signal_state *s, int signal)
{
    return (s->blocked | s->waited_for) & SIGNAL_BIT(signal) & ~UNBLOCKABLE;
}

/* Whether signal would do nothing at p if it came now (Linux's sig_ignored). */
static bool ignored(const struct process *p, int signal)
{
    const struct sigaction_k *a = &p->signals->actions[signal];
    if (held_back(p->signals, signal))
        return false;               /* the handler may change before it is unblocked */
    return a->handler == SIG_IGN || (a->handler == SIG_DFL && default_action(signal) == IGNORE);
}

void signal_send(struct process *p, int signal, const struct signal_info *info)
{
    struct signal_state *s = p->signals;
    if (p->state == PROCESS_ZOMBIE || !s)
        return;
    if (signal == SIGCONT || signal == SIGKILL) {
        s->pending &= ~STOP_SIGNALS;
        if (p->state == PROCESS_STOPPED)
            process_continue(p);
    } else if (SIGNAL_BIT(signal) & STOP_SIGNALS) {
        s->pending &= ~SIGNAL_BIT(SIGCONT);
    }
    if (ignored(p, signal))
        return;
    if (!(s->pending & SIGNAL_BIT(signal))) {
        s->pending |= SIGNAL_BIT(signal);
        s->forced &= ~SIGNAL_BIT(signal);       /* what a fault left behind, taken by other means */
        s->info[signal] = info ? *info : (struct signal_info){ .code = SI_KERNEL };
    }
    if (signal_pending(p)) {
        wake_process(p);            /* a sleeper gives way to it */
        sched_kick(p);              /* one running elsewhere sees it on its way out */
    }
}

void signal_send_process(struct process *leader, int signal, const struct signal_info *info)
{
    struct process *target = NULL;
    for (struct process *t = leader; t; t = t->next_thread)
        if (t->state != PROCESS_ZOMBIE) {
            if (!target || (held_back(target->signals, signal) && !held_back(t->signals, signal)))
                target = t;
        }
    if (target)
        signal_send(target, signal, info);
}

void signal_set_mask(uint64_t mask)
{
    struct signal_state *s = current_process()->signals;
    uint64_t flags = process_lock_take();
    s->blocked = mask & ~UNBLOCKABLE;
    process_lock_drop(flags);
}

bool signal_on_altstack(const struct signal_state *s, uint64_t sp)
{
    return !s->altstack_disabled && sp - s->altstack_sp < s->altstack_size;
}

struct stack_user signal_altstack(uint64_t sp)
{
    const struct signal_state *s = current_process()->signals;
    int flags = s->altstack_disabled ? SS_DISABLE : signal_on_altstack(s, sp) ? SS_ONSTACK : 0;
    return (struct stack_user){ .sp = s->altstack_sp, .flags = flags, .size = s->altstack_size };
}

long signal_change_altstack(const struct stack_user *stack, uint64_t sp)
{
    struct signal_state *s = current_process()->signals;
    if (signal_on_altstack(s, sp))
        return -EPERM;                  /* not while running on it */
    int mode = stack->flags & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
        return -EINVAL;
    bool disabled = mode == SS_DISABLE;
    if (!disabled && stack->size < MINSIGSTKSZ)
        return -ENOMEM;
    s->altstack_sp = disabled ? 0 : stack->sp;
    s->altstack_size = disabled ? 0 : stack->size;
    s->altstack_disabled = disabled;
    return 0;
}

bool signal_pending(const struct process *p)
{
    return p->signals && (p->signals->pending & ~(p->signals->blocked & ~UNBLOCKABLE));
}

bool signal_force(int signal, const struct signal_info *info)
{
    struct process *self = current_process();
    struct signal_state *s = self->signals;
    uint64_t flags = process_lock_take();
    struct sigaction_k *a = &s->actions[signal];
    if (a->handler == SIG_IGN || (s->blocked & SIGNAL_BIT(signal))) {
        a->handler = SIG_DFL;
        s->blocked &= ~SIGNAL_BIT(signal);
    }
    s->pending |= SIGNAL_BIT(signal);
    s->forced |= SIGNAL_BIT(signal);
    s->info[signal] = *info;
    bool fatal = a->handler == SIG_DFL;
    process_lock_drop(flags);
    return fatal;
}

/* The lowest pending signal p does not block, taken off the pending set (SIGKILL first),
 * with its info and action, and whether a fault forced it; 0 if none. */
static int next_signal(struct process *p, struct signal_info *info, struct sigaction_k *action, bool *forced)
{
    struct signal_state *s = p->signals;
    uint64_t flags = process_lock_take();
    uint64_t ready = s->pending & ~(s->blocked & ~UNBLOCKABLE);
    int signal = ready & SIGNAL_BIT(SIGKILL) ? SIGKILL : ready ? __builtin_ctzll(ready) + 1 : 0;
    if (signal) {
        s->pending &= ~SIGNAL_BIT(signal);
        *forced = s->forced & SIGNAL_BIT(signal);
        s->forced &= ~SIGNAL_BIT(signal);
        *info = s->info[signal];
        *action = s->actions[signal];
        if (action->handler > SIG_IGN && (action->flags & SA_RESETHAND))
            s->actions[signal] = (struct sigaction_k){ 0 };
    }
    process_lock_drop(flags);
    return signal;
}

void signal_terminate(int signal)
{
    process_exit(0, default_action(signal) == CORE ? signal | 0x80 : signal);
}

/* The length of the door's instruction, to go back over it and make the call again; 0 where
 * that cannot be done (SYSENTER returns to an address of the caller's choosing). */
static unsigned door_length(const struct trap_frame *frame)
{
    return frame->vector == VEC_SYSCALL || frame->vector == VEC_INT80 ? 2 : 0;
}

/* The interrupted system call's fate, once it is known whether a handler runs (and with
 * which flags): make it again, or let it fail with -EINTR. */
static void settle_restart(struct trap_frame *frame, long nr, bool handler, uint64_t handler_flags)
{
    long result = (long)frame->rax;
    bool restart;
    switch (result) {
    case -ERESTARTSYS: restart = !handler || (handler_flags & SA_RESTART); break;
    case -ERESTARTNOINTR: restart = true; break;
    case -ERESTARTNOHAND: case -ERESTART_RESTARTBLOCK: restart = !handler; break;
    default: return;
    }
    if (restart && door_length(frame)) {
        frame->rax = (uint64_t)(result == -ERESTART_RESTARTBLOCK ? SYS_restart_syscall : nr);
        frame->rip -= door_length(frame);
    } else {
        frame->rax = (uint64_t)-EINTR;
    }
}

/* No frame could be built for signal's handler (a bad stack, no restorer): SIGSEGV, as
 * Linux's force_sigsegv. SIGSEGV's own handler may have a stack that works (SA_ONSTACK);
 * if it was SIGSEGV's frame that failed, the default action ends the process. */
static void frame_failed(int signal)
{
    if (signal == SIGSEGV) {
        uint64_t flags = process_lock_take();
        current_process()->signals->actions[SIGSEGV].handler = SIG_DFL;
        process_lock_drop(flags);
    }
    signal_force(SIGSEGV, &(struct signal_info){ .code = SI_KERNEL });
}

/* signal_deliver's work when there is some: act on each pending signal, then settle the call
 * (nr, or -1) and put back a sigsuspend mask. Kept out of line, so that the common way out
 * does not pay for its frame. */
__attribute__((noinline)) static void deliver_pending(struct process *self, struct trap_frame *frame, long nr)
{
    struct signal_info info;
    struct sigaction_k action;
    bool forced;
    for (int signal; (signal = next_signal(self, &info, &action, &forced));) {
        /* pid 1 acts only on the signals it has a handler for, as on Linux (so that no
         * process can end init, and with it the machine), and on a fault of its own
         * (signal_force); the others it may still take with sigtimedwait. */
        if (action.handler == SIG_IGN || (action.handler == SIG_DFL && self->pid == 1 && !forced))
            continue;
        if (action.handler == SIG_DFL) {
            enum action what = default_action(signal);
            if (what == STOP)
                process_stop(signal);
            else if (what == TERMINATE || what == CORE)
                signal_terminate(signal);
            continue;                   /* IGNORE, CONTINUE (done when sent), back from a stop */
        }
        if (nr >= 0)
            settle_restart(frame, nr, true, action.flags);
        struct signal_state *s = self->signals;
        uint64_t old_mask = s->restore_mask ? s->saved_mask : s->blocked;
        if (!sigframe_build(frame, signal, &action, &info, old_mask)) {
            frame_failed(signal);
            continue;
        }
        uint64_t flags = process_lock_take();
        s->restore_mask = false;
        s->blocked |= action.mask | (action.flags & SA_NODEFER ? 0 : SIGNAL_BIT(signal));
        s->blocked &= ~UNBLOCKABLE;
        process_lock_drop(flags);
        return;                         /* one handler a return; the next on its way back */
    }
    if (nr >= 0)
        settle_restart(frame, nr, false, 0);
    if (self->signals->restore_mask) {  /* sigsuspend's mask, when no handler took it over */
        self->signals->blocked = self->signals->saved_mask;
        self->signals->restore_mask = false;
    }
}

void signal_deliver(struct trap_frame *frame)
{
    struct process *self = current_process();
    long nr = self->syscall_nr;
    self->syscall_nr = -1;
    /* The common way out, in a few instructions and without process_lock: no signal to act
     * on, no sigsuspend mask to put back, no call to restart or fail. Reading the sets
     * unlocked is safe: only this thread changes its mask, and a signal that another CPU
     * makes pending just after the look interrupts this one (signal_send's sched_kick, as
     * Linux's signal_wake_up kicks it), an interrupt that is taken as soon as user mode runs
     * and comes back through here. */
    if (signal_exit_work(self->signals, nr, (long)frame->rax))
        deliver_pending(self, frame, nr);
}
