/* kernel/proc/futex.c: futexes (see futex.h).
 *
 * Every waiter is on one wait queue; its lock protects the queue, every waiter's futex_vm,
 * futex_addr, futex_bitset and futex_woken, and is held from the look at the word to the
 * sleep, so that a wake after the word changed cannot come between them. Lock order: this
 * lock, then an address space's (a copy from user memory may fault). A wake looks through
 * every waiter: the queue is as long as the threads that wait, which Twofold keeps few.
 */
#include "kernel/proc/futex.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/wait_queue.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"

enum {
    FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
    FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10,
    FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256,
    FUTEX_OWNER_DIED = 0x40000000, FUTEX_WAITERS = (int)0x80000000, FUTEX_TID_MASK = 0x3fffffff,
    ROBUST_LIST_LIMIT = 2048,                   /* Linux's: a list that loops ends */
};
#define FUTEX_BITSET_ANY 0xffffffffu

static struct wait_queue waiters;

struct timespec_k {
    int64_t sec, nsec;
};

/* Whether p waits on the word at addr of vm for one of bitset's bits. waiters' lock held. */
static bool waits_on(const struct process *p, const struct vm *vm, uint64_t addr, uint32_t bitset)
{
    return p->futex_vm == vm && p->futex_addr == addr && (p->futex_bitset & bitset);
}

/* Wait while the word at addr holds val, until a wake, the monotonic deadline (0: none), or
 * a signal. */
static long wait_on(uint64_t addr, uint32_t val, uint64_t deadline, uint32_t bitset)
{
    struct process *self = current_process();
    if (!bitset)
        return -EINVAL;
    uint64_t flags = spin_lock(&waiters.lock);
    uint32_t now_holds;
    if (copy_from_user(&now_holds, addr, sizeof now_holds)) {
        spin_unlock(&waiters.lock, flags);
        return -EFAULT;
    }
    if (now_holds != val) {
        spin_unlock(&waiters.lock, flags);
        return -EAGAIN;
    }
    self->futex_vm = self->vm;
    self->futex_addr = addr;
    self->futex_bitset = bitset;
    self->futex_woken = false;
    if (deadline)
        time_timeout_set(self, deadline);
    long result;
    for (;;) {
        sleep_on(&waiters, &waiters.lock, flags);      /* returns with the lock released */
        flags = spin_lock(&waiters.lock);
        if (self->futex_woken)
            result = 0;
        else if (signal_pending(self))
            result = -EINTR;
        else if (deadline && time_monotonic_ns() >= deadline)
            result = -ETIMEDOUT;
        else
            continue;                   /* a deadline's tick came early: wait on */
        break;
    }
    if (self->waiting_on == &waiters)   /* a signal's wake takes it off; a deadline's too */
        wake_locked(&waiters, self);
    self->futex_vm = NULL;
    spin_unlock(&waiters.lock, flags);
    if (deadline)
        time_timeout_cancel(self);
    return result;
}

/* Wake up to n waiters on (vm, addr, bitset), then move up to requeue more to addr2.
 * waiters' lock held. The number woken plus the number moved. */
static long wake_locked_n(const struct vm *vm, uint64_t addr, int n, uint32_t bitset, int requeue, uint64_t addr2)
{
    long done = 0;
    for (struct process *p = waiters.first, *next; p; p = next) {
        next = p->wait_next;
        if (!waits_on(p, vm, addr, bitset))
            continue;
        if (n > 0) {
            n--;
            p->futex_woken = true;
            wake_locked(&waiters, p);
        } else if (requeue > 0) {
            requeue--;
            p->futex_addr = addr2;
        } else {
            break;
        }
        done++;
    }
    return done;
}

/* How many a wake of n wakes: Linux's loop counts a waiter before it compares, so that a
 * wake of 0 (or less) wakes one; programs count on it (Linux's own fsgsbase test). */
static int at_least_one(int n)
{
    return n < 1 ? 1 : n;
}

long futex_wake(uint64_t addr, int n, uint32_t bitset)
{
    if (!bitset)
        return -EINVAL;
    uint64_t flags = spin_lock(&waiters.lock);
    long woken = wake_locked_n(current_process()->vm, addr, at_least_one(n), bitset, 0, 0);
    spin_unlock(&waiters.lock, flags);
    return woken;
}

/* FUTEX_WAKE_OP's operation on the word at addr2, done atomically: the word's old value in
 * *old. val3 encodes it as Linux does: op (4 bits, bit 3: the argument is 1 << arg), cmp (4
 * bits), oparg (12), cmparg (12). 0, -EFAULT, or -ENOSYS for an op Linux lacks. */
static long wake_op_change(uint64_t addr2, uint32_t val3, uint32_t *old)
{
    enum { OP_SET, OP_ADD, OP_OR, OP_ANDN, OP_XOR };
    unsigned op = val3 >> 28 & 7;
    uint32_t arg = val3 >> 12 & 0xfff;
    if (val3 >> 31)
        arg = 1u << (arg & 31);
    if (op > OP_XOR)
        return -ENOSYS;
    uint32_t seen = 0;
    if (copy_from_user(&seen, addr2, sizeof seen))
        return -EFAULT;
    for (;;) {
        uint32_t want = op == OP_SET ? arg : op == OP_ADD ? seen + arg : op == OP_OR ? seen | arg
                      : op == OP_ANDN ? seen & ~arg : seen ^ arg;
        uint32_t was;
        if (cmpxchg_user(addr2, seen, want, &was))
            return -EFAULT;
        if (was == seen)
            break;
        seen = was;                     /* another thread changed it meanwhile: again */
    }
    *old = seen;
    return 0;
}

/* Whether FUTEX_WAKE_OP's comparison of old holds (-ENOSYS in *error for one Linux lacks). */
static bool wake_op_holds(uint32_t old, uint32_t val3, long *error)
{
    enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
    int32_t a = (int32_t)old, b = (int32_t)(val3 << 20) >> 20;     /* cmparg, sign-extended */
    switch (val3 >> 24 & 15) {
    case CMP_EQ: return a == b;
    case CMP_NE: return a != b;
    case CMP_LT: return a < b;
    case CMP_LE: return a <= b;
    case CMP_GT: return a > b;
    case CMP_GE: return a >= b;
    default: *error = -ENOSYS; return false;
    }
}

/* WAIT's relative timeout (from its timespec) or WAIT_BITSET's absolute one (on the clock op
 * names) as a monotonic deadline; 0 for none. -EFAULT or -EINVAL in *error. */
static uint64_t deadline_of(uint64_t user_ts, bool absolute, bool realtime, long *error)
{
    struct timespec_k t;
    *error = 0;
    if (!user_ts)
        return 0;
    if (copy_from_user(&t, user_ts, sizeof t))
        *error = -EFAULT;
    else if (t.sec < 0 || t.nsec < 0 || t.nsec >= (int64_t)NS_PER_SECOND)
        *error = -EINVAL;
    if (*error)
        return 0;
    uint64_t ns = (uint64_t)t.sec * NS_PER_SECOND + (uint64_t)t.nsec, now = time_monotonic_ns();
    if (absolute) {                     /* the same distance away on the monotonic clock */
        uint64_t clock_now = realtime ? time_realtime_ns() : now;
        ns = ns > clock_now ? ns - clock_now : 0;
    }
    return ns > ~0ull - now - 1 ? ~0ull - 1 : now + ns + 1;   /* + 1: never 0, "none" */
}

long futex(uint64_t addr, int op, uint32_t val, uint64_t timeout, uint64_t addr2, uint32_t val3)
{
    bool realtime = op & FUTEX_CLOCK_REALTIME;
    int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
        return -ENOSYS;                 /* as Linux */
    if (addr % sizeof(uint32_t))
        return -EINVAL;
    long error;
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        uint64_t deadline = deadline_of(timeout, cmd == FUTEX_WAIT_BITSET, realtime, &error);
        return error ? error : wait_on(addr, val, deadline, cmd == FUTEX_WAIT ? FUTEX_BITSET_ANY : val3);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
        return futex_wake(addr, (int)val, cmd == FUTEX_WAKE ? FUTEX_BITSET_ANY : val3);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
        /* The fourth argument is not a timeout here but the number to move. */
        int requeue = (int)timeout;
        if ((int)val < 0 || requeue < 0 || addr2 % sizeof(uint32_t))
            return -EINVAL;
        uint64_t flags = spin_lock(&waiters.lock);
        uint32_t holds = val3;
        long result = 0;
        if (cmd == FUTEX_CMP_REQUEUE && copy_from_user(&holds, addr, sizeof holds))
            result = -EFAULT;
        else if (holds != val3)
            result = -EAGAIN;
        else
            result = wake_locked_n(current_process()->vm, addr, (int)val, FUTEX_BITSET_ANY, requeue, addr2);
        spin_unlock(&waiters.lock, flags);
        return result;
    }
    case FUTEX_WAKE_OP: {
        if (addr2 % sizeof(uint32_t))
            return -EINVAL;
        uint64_t flags = spin_lock(&waiters.lock);
        uint32_t old;
        long result = wake_op_change(addr2, val3, &old);
        if (!result) {
            const struct vm *vm = current_process()->vm;
            error = 0;
            bool holds = wake_op_holds(old, val3, &error);
            result = error ? error : wake_locked_n(vm, addr, at_least_one((int)val), FUTEX_BITSET_ANY, 0, 0);
            if (!error && holds)
                result += wake_locked_n(vm, addr2, at_least_one((int)timeout), FUTEX_BITSET_ANY, 0, 0);
        }
        spin_unlock(&waiters.lock, flags);
        return result;
    }
    default:
        return -ENOSYS;
    }
}

/* The robust list's head, as set_robust_list names it (Linux's struct robust_list_head). */
struct robust_head {
    uint64_t next;                      /* the first entry; the head's own address ends it */
    int64_t futex_offset;               /* from an entry to its lock word */
    uint64_t pending;                   /* an entry being taken or given, maybe not listed */
};

/* If the lock word at addr names tid as owner, mark it FUTEX_OWNER_DIED (keeping
 * FUTEX_WAITERS) and wake a waiter. Whether the word could be read. */
static bool release_robust(uint64_t addr, int tid)
{
    uint32_t word;
    if (copy_from_user(&word, addr, sizeof word))
        return false;
    while ((int)(word & FUTEX_TID_MASK) == tid) {
        uint32_t was;
        if (cmpxchg_user(addr, word, (word & (uint32_t)FUTEX_WAITERS) | FUTEX_OWNER_DIED, &was))
            return false;
        if (was == word) {
            if (word & (uint32_t)FUTEX_WAITERS)
                futex_wake(addr, 1, FUTEX_BITSET_ANY);
            break;
        }
        word = was;
    }
    return true;
}

void futex_thread_exit(struct process *self)
{
    struct robust_head head;
    if (self->robust_list && self->robust_list_len == sizeof head
        && !copy_from_user(&head, self->robust_list, sizeof head)) {
        uint64_t entry = head.next;
        for (int n = 0; entry != self->robust_list && n < ROBUST_LIST_LIMIT; n++) {
            uint64_t next;
            /* Bit 0 of a link marks a PI lock, which Twofold lacks: its word is the same. */
            if (copy_from_user(&next, entry & ~1ull, sizeof next) || !release_robust((entry & ~1ull) + (uint64_t)head.futex_offset, self->pid))
                break;
            entry = next;
        }
        if (head.pending)
            release_robust((head.pending & ~1ull) + (uint64_t)head.futex_offset, self->pid);
    }
    self->robust_list = 0;
    if (self->clear_child_tid) {
        uint32_t zero = 0;
        if (!copy_to_user(self->clear_child_tid, &zero, sizeof zero))
            futex_wake(self->clear_child_tid, 1, FUTEX_BITSET_ANY);
        self->clear_child_tid = 0;
    }
}
