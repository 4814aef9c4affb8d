/* kernel/syscall/sys_poll.c: poll, ppoll, select and pselect6: wait until one of several
 * descriptors is ready, a signal comes, or the time is up (kernel/fs/poll.h). */
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/poll.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"

enum { POLL_MAX = 1024, FD_SETSIZE = 1024, CHUNK = 64 };
#define NO_DEADLINE UINT64_MAX

struct pollfd {
    int fd;
    short events, revents;
};

struct timespec_k {
    int64_t sec, nsec;
};

/* The monotonic deadline a relative timeout (ns) gives. */
static uint64_t deadline_after(uint64_t ns)
{
    uint64_t now = time_monotonic_ns();
    return ns > NO_DEADLINE - now - 1 ? NO_DEADLINE - 1 : now + ns;
}

/* A user timespec as a deadline: NO_DEADLINE for NULL; -EINVAL or -EFAULT in *error. */
static uint64_t timespec_deadline(uint64_t user_ts, long *error)
{
    struct timespec_k t;
    *error = 0;
    if (!user_ts)
        return NO_DEADLINE;
    if (copy_from_user(&t, user_ts, sizeof t))
        *error = -EFAULT;
    else if (t.sec < 0 || t.nsec < 0 || t.nsec >= (int64_t)NS_PER_SECOND)
        *error = -EINVAL;
    return *error ? 0 : deadline_after((uint64_t)t.sec * NS_PER_SECOND + (uint64_t)t.nsec);
}

/* ppoll's and pselect6's mask: set for the wait, the old one restored on the way out (after
 * a handler, if one runs: signal.h's restore_mask, as rt_sigsuspend does). */
static long swap_mask(uint64_t user_set, uint64_t size)
{
    if (!user_set)
        return 0;
    uint64_t mask;
    if (size != sizeof mask)
        return -EINVAL;
    if (copy_from_user(&mask, user_set, sizeof mask))
        return -EFAULT;
    struct signal_state *s = current_process()->signals;
    s->saved_mask = s->blocked;
    s->restore_mask = true;
    signal_set_mask(mask);
    return 0;
}

/* One look at every pollfd: revents written back; the number ready, or -EFAULT. */
static long poll_once(uint64_t ufds, uint64_t nfds)
{
    long ready = 0;
    for (uint64_t at = 0; at < nfds; at += CHUNK) {
        struct pollfd chunk[CHUNK];
        uint64_t n = nfds - at < CHUNK ? nfds - at : CHUNK;
        if (copy_from_user(chunk, ufds + at * sizeof *chunk, n * sizeof *chunk))
            return -EFAULT;
        for (uint64_t i = 0; i < n; i++) {
            struct pollfd *p = &chunk[i];
            struct file *f = p->fd >= 0 ? fd_get(p->fd) : NULL;
            unsigned wanted = (unsigned short)p->events | POLLERR | POLLHUP;
            p->revents = (short)(p->fd < 0 ? 0 : !f ? POLLNVAL : file_poll(f) & wanted);
            ready += p->revents != 0;
            if (f)
                file_put(f);
        }
        if (copy_to_user(ufds + at * sizeof *chunk, chunk, n * sizeof *chunk))
            return -EFAULT;
    }
    return ready;
}

static long do_poll_until(uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
    if (nfds > POLL_MAX)
        return -EINVAL;
    for (;;) {
        uint64_t seen = poll_changes();
        long ready = poll_once(ufds, nfds);
        if (ready || time_monotonic_ns() >= deadline)
            return ready;
        if (signal_pending(current_process()))
            return -ERESTARTNOHAND;
        poll_wait(seen, deadline);
    }
}

SYSCALL_DEFINE3(poll, uint64_t, ufds, uint64_t, nfds, int, timeout_ms)
{
    uint64_t deadline = timeout_ms < 0 ? NO_DEADLINE : deadline_after((uint64_t)timeout_ms * 1000000);
    return do_poll_until(ufds, nfds, deadline);
}

SYSCALL_DEFINE5(ppoll, uint64_t, ufds, uint64_t, nfds, uint64_t, timeout, uint64_t, sigmask, uint64_t, size)
{
    long error;
    uint64_t deadline = timespec_deadline(timeout, &error);
    if (!error)
        error = swap_mask(sigmask, size);
    return error ? error : do_poll_until(ufds, nfds, deadline);
}

/* select's three sets, a bit per descriptor below nfds. */
struct fd_sets {
    uint64_t in[FD_SETSIZE / 64], out[FD_SETSIZE / 64], ex[FD_SETSIZE / 64];
};

/* One look at the descriptors the sets ask about: *result holds those ready. The number
 * ready, or -EBADF (a descriptor asked about is not open). */
static long select_once(const struct fd_sets *asked, struct fd_sets *result, int nfds)
{
    long ready = 0;
    *result = (struct fd_sets){ 0 };
    for (int fd = 0; fd < nfds; fd++) {
        uint64_t bit = 1ull << (fd % 64);
        int word = fd / 64;
        if (!((asked->in[word] | asked->out[word] | asked->ex[word]) & bit))
            continue;
        struct file *f = fd_get(fd);
        if (!f)
            return -EBADF;
        unsigned mask = file_poll(f);
        file_put(f);
        if ((asked->in[word] & bit) && (mask & (POLLIN | POLLHUP | POLLERR)))
            result->in[word] |= bit, ready++;
        if ((asked->out[word] & bit) && (mask & (POLLOUT | POLLERR)))
            result->out[word] |= bit, ready++;
        if ((asked->ex[word] & bit) && (mask & POLLPRI))
            result->ex[word] |= bit, ready++;
    }
    return ready;
}

static long do_select_until(int nfds, uint64_t in, uint64_t out, uint64_t ex, uint64_t deadline)
{
    if (nfds < 0)
        return -EINVAL;
    if (nfds > FD_SETSIZE)
        nfds = FD_SETSIZE;
    size_t bytes = (size_t)(nfds + 63) / 64 * 8;
    struct fd_sets asked = { 0 }, result;
    if ((in && copy_from_user(asked.in, in, bytes)) || (out && copy_from_user(asked.out, out, bytes))
        || (ex && copy_from_user(asked.ex, ex, bytes)))
        return -EFAULT;
    long ready;
    for (;;) {
        uint64_t seen = poll_changes();
        ready = select_once(&asked, &result, nfds);
        if (ready || time_monotonic_ns() >= deadline)
            break;
        if (signal_pending(current_process()))
            return -ERESTARTNOHAND;
        poll_wait(seen, deadline);
    }
    if (ready < 0)
        return ready;
    if ((in && copy_to_user(in, result.in, bytes)) || (out && copy_to_user(out, result.out, bytes))
        || (ex && copy_to_user(ex, result.ex, bytes)))
        return -EFAULT;
    return ready;
}

SYSCALL_DEFINE5(select, int, nfds, uint64_t, in, uint64_t, out, uint64_t, ex, uint64_t, timeout)
{
    struct { int64_t sec, usec; } tv;
    uint64_t deadline = NO_DEADLINE;
    if (timeout) {
        if (copy_from_user(&tv, timeout, sizeof tv))
            return -EFAULT;
        if (tv.sec < 0 || tv.usec < 0)
            return -EINVAL;                 /* a million microseconds or more is seconds, as on Linux */
        deadline = deadline_after((uint64_t)tv.sec * NS_PER_SECOND + (uint64_t)tv.usec * 1000);
    }
    return do_select_until(nfds, in, out, ex, deadline);
}

/* pselect6's sixth argument points at the mask's address and size. */
SYSCALL_DEFINE6(pselect6, int, nfds, uint64_t, in, uint64_t, out, uint64_t, ex, uint64_t, timeout,
                uint64_t, mask_arg)
{
    long error;
    uint64_t deadline = timespec_deadline(timeout, &error);
    struct { uint64_t set, size; } mask = { 0, 0 };
    if (!error && mask_arg && copy_from_user(&mask, mask_arg, sizeof mask))
        error = -EFAULT;
    if (!error)
        error = swap_mask(mask.set, mask.size);
    return error ? error : do_select_until(nfds, in, out, ex, deadline);
}
