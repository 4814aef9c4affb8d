/* kernel/syscall/sys_signal.c: the system calls about signals: actions, masks, waiting for
 * one, the alternate stack, sending, alarms, and the way back from a handler. */
#include "arch/x86_64/sigframe.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"

enum { SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2, SIGSET_SIZE = 8 };
enum { ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2 };

static bool valid_signal(int signal)
{
    return signal >= 1 && signal <= SIGNAL_MAX;
}

SYSCALL_DEFINE4(rt_sigaction, int, signal, uint64_t, act, uint64_t, old_act, uint64_t, size)
{
    struct signal_state *s = current_process()->signals;
    struct sigaction_k new_action;
    if (size != SIGSET_SIZE || !valid_signal(signal))
        return -EINVAL;
    if (act && copy_from_user(&new_action, act, sizeof new_action))
        return -EFAULT;
    if (act && (SIGNAL_BIT(signal) & UNBLOCKABLE))
        return -EINVAL;
    uint64_t flags = process_lock_take();
    struct sigaction_k old = s->actions[signal];
    if (act) {
        new_action.mask &= ~UNBLOCKABLE;
        new_action.flags &= SA_KNOWN;   /* as Linux: the caller can see what is not supported */
        s->actions[signal] = new_action;
        /* POSIX: a pending signal whose action becomes "ignore" is discarded. */
        if (new_action.handler == SIG_IGN || (new_action.handler == SIG_DFL
                                              && (signal == SIGCHLD || signal == SIGURG || signal == SIGWINCH)))
            s->pending &= ~SIGNAL_BIT(signal);
    }
    process_lock_drop(flags);
    return old_act && copy_to_user(old_act, &old, sizeof old) ? -EFAULT : 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, uint64_t, set, uint64_t, old_set, uint64_t, size)
{
    struct signal_state *s = current_process()->signals;
    uint64_t mask = 0, old = s->blocked;
    if (size != SIGSET_SIZE)
        return -EINVAL;
    if (set && copy_from_user(&mask, set, sizeof mask))
        return -EFAULT;
    if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
        return -EINVAL;
    if (old_set && copy_to_user(old_set, &old, sizeof old))
        return -EFAULT;
    if (set)
        signal_set_mask(how == SIG_BLOCK ? old | mask : how == SIG_UNBLOCK ? old & ~mask : mask);
    return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uint64_t, set, uint64_t, size)
{
    struct signal_state *s = current_process()->signals;
    if (size > SIGSET_SIZE)
        return -EINVAL;
    uint64_t flags = process_lock_take();
    uint64_t pending = s->pending & s->blocked;
    process_lock_drop(flags);
    return copy_to_user(set, &pending, size);
}

/* Sleep until a signal the current process does not block is pending. */
static void wait_for_a_signal(void)
{
    struct process *self = current_process();
    uint64_t flags = process_lock_take();
    while (!signal_pending(self)) {
        process_sleep_for_signals(flags);
        flags = process_lock_take();
    }
    process_lock_drop(flags);
}

SYSCALL_DEFINE0(pause)
{
    wait_for_a_signal();
    return -ERESTARTNOHAND;
}

SYSCALL_DEFINE2(rt_sigsuspend, uint64_t, set, uint64_t, size)
{
    struct signal_state *s = current_process()->signals;
    uint64_t mask;
    if (size != SIGSET_SIZE)
        return -EINVAL;
    if (copy_from_user(&mask, set, sizeof mask))
        return -EFAULT;
    s->saved_mask = s->blocked;
    s->restore_mask = true;             /* the handler's frame restores the old mask */
    signal_set_mask(mask);
    wait_for_a_signal();
    return -ERESTARTNOHAND;
}

SYSCALL_DEFINE4(rt_sigtimedwait, uint64_t, set, uint64_t, info, uint64_t, timeout, uint64_t, size)
{
    struct process *self = current_process();
    struct signal_state *s = self->signals;
    uint64_t wanted;
    struct { int64_t sec, nsec; } t = { 0, 0 };
    if (size != SIGSET_SIZE)
        return -EINVAL;
    if (copy_from_user(&wanted, set, sizeof wanted) || (timeout && copy_from_user(&t, timeout, sizeof t)))
        return -EFAULT;
    if (t.sec < 0 || t.nsec < 0 || t.nsec >= (int64_t)NS_PER_SECOND)
        return -EINVAL;
    wanted &= ~UNBLOCKABLE;
    uint64_t deadline = timeout ? time_monotonic_ns() + (uint64_t)t.sec * NS_PER_SECOND + (uint64_t)t.nsec : 0;
    /* While it waits, the signals it waits for wake it as if they were not blocked, and
     * count as blocked for whether they are dropped (an ignored SIGCHLD it waits for is not). */
    uint64_t flags = process_lock_take();
    uint64_t real_mask = s->blocked;
    s->blocked &= ~wanted;
    s->waited_for = wanted;
    process_lock_drop(flags);
    int signal = 0;
    struct signal_info got;
    for (;;) {
        flags = process_lock_take();
        uint64_t ready = s->pending & wanted;
        if (ready) {
            signal = __builtin_ctzll(ready) + 1;
            s->pending &= ~SIGNAL_BIT(signal);
            got = s->info[signal];
        }
        bool other = signal_pending(self) && !ready;
        process_lock_drop(flags);
        if (signal || other || (timeout && time_monotonic_ns() >= deadline))
            break;
        if (timeout)
            time_sleep_until(deadline);
        else
            wait_for_a_signal();
    }
    flags = process_lock_take();
    s->blocked = real_mask;
    s->waited_for = 0;
    process_lock_drop(flags);
    if (!signal)
        return timeout && time_monotonic_ns() >= deadline && !signal_pending(self) ? -EAGAIN : -EINTR;
    struct siginfo_user out = { .signo = signal, .code = got.code };
    out.child.pid = got.pid;
    out.child.status = got.status;
    if (info && copy_to_user(info, &out, sizeof out))
        return -EFAULT;
    return signal;
}

SYSCALL_DEFINE2(sigaltstack, uint64_t, new_stack, uint64_t, old_stack)
{
    uint64_t sp = process_frame(current_process())->rsp;
    struct stack_user stack, old = signal_altstack(sp);
    if (new_stack && copy_from_user(&stack, new_stack, sizeof stack))
        return -EFAULT;
    if (old_stack && copy_to_user(old_stack, &old, sizeof old))
        return -EFAULT;
    return new_stack ? signal_change_altstack(&stack, sp) : 0;
}

SYSCALL_DEFINE0(rt_sigreturn)
{
    return sigframe_return(process_frame(current_process()));
}

SYSCALL_DEFINE2(tkill, int, tid, int, signal)
{
    return tid <= 0 ? -EINVAL : process_kill(tid, signal, -1);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, signal)
{
    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    return process_kill(tid, signal, tgid);
}

struct itimerval_user {
    struct { int64_t sec, usec; } interval, value;
};

static void to_timeval(uint64_t ns, int64_t *sec, int64_t *usec)
{
    *sec = (int64_t)(ns / NS_PER_SECOND);
    *usec = (int64_t)(ns % NS_PER_SECOND / 1000);
}

SYSCALL_DEFINE2(getitimer, int, which, uint64_t, value)
{
    if (which != ITIMER_REAL)
        return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS : -EINVAL;
    uint64_t left, interval;
    time_alarm_get(current_process()->leader, &left, &interval);
    struct itimerval_user now;
    to_timeval(interval, &now.interval.sec, &now.interval.usec);
    to_timeval(left, &now.value.sec, &now.value.usec);
    return copy_to_user(value, &now, sizeof now);
}

SYSCALL_DEFINE3(setitimer, int, which, uint64_t, value, uint64_t, old_value)
{
    struct itimerval_user next = { 0 };
    if (which != ITIMER_REAL)
        return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS : -EINVAL;
    if (value && copy_from_user(&next, value, sizeof next))
        return -EFAULT;
    if (next.value.usec < 0 || next.value.usec >= 1000000 || next.interval.usec < 0 || next.interval.usec >= 1000000
        || next.value.sec < 0 || next.interval.sec < 0)
        return -EINVAL;
    if (old_value) {
        long error = do_getitimer(which, old_value);
        if (error)
            return error;
    }
    uint64_t after = (uint64_t)next.value.sec * NS_PER_SECOND + (uint64_t)next.value.usec * 1000;
    uint64_t every = (uint64_t)next.interval.sec * NS_PER_SECOND + (uint64_t)next.interval.usec * 1000;
    time_alarm_set(current_process()->leader, after, every);
    return 0;
}

SYSCALL_DEFINE1(alarm, unsigned, seconds)
{
    uint64_t left, interval;
    time_alarm_get(current_process()->leader, &left, &interval);
    time_alarm_set(current_process()->leader, (uint64_t)seconds * NS_PER_SECOND, 0);
    /* The seconds the old alarm had left, rounded to the nearest (at least 1 if there was one). */
    uint64_t old = (left + NS_PER_SECOND / 2) / NS_PER_SECOND;
    return left && !old ? 1 : (long)old;
}
