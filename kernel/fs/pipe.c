/* kernel/fs/pipe.c: pipes (see pipe.h), with Linux's semantics: a read waits for data and
 * returns 0 once no writer is left; a write waits for room, a write of up to PIPE_BUF bytes
 * is never split, and writing with no reader left gives SIGPIPE (and -EPIPE). An end with
 * O_NONBLOCK never waits: -EAGAIN where it would (a long write first puts in what fits). */
#include "kernel/fs/pipe.h"
#include "kernel/errno.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/poll.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/uaccess.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"

enum { PIPE_BUF = 4096, CAPACITY = PAGE_SIZE };

/* lock protects everything else here; the copies to and from user memory run under it (a
 * user copy never sleeps). Lock order: a pipe's lock, then its queues'. */
struct pipe {
    struct spinlock lock;
    uint8_t *buffer;                /* a frame, through the direct map */
    uint64_t read_count, write_count;   /* bytes ever read and written: used = their difference */
    unsigned readers, writers;
    struct wait_queue readable, writable;
};

/* The ring's bytes [at, at + len) in the buffer: first from offset to at most its end, then
 * (wrapped) second from its start. */
struct ring_runs {
    size_t offset, first, second;
};

static struct ring_runs ring_runs(uint64_t at, size_t len)
{
    size_t offset = at % CAPACITY, first = CAPACITY - offset < len ? CAPACITY - offset : len;
    return (struct ring_runs){ offset, first, len - first };
}

static long pipe_read(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    (void)pos;                              /* a stream: no offset */
    struct pipe *p = f->data;
    uint64_t flags = spin_lock(&p->lock);
    while (p->write_count == p->read_count) {
        long early = !p->writers || !len ? 0 : f->flags & O_NONBLOCK ? -EAGAIN
                   : signal_pending(current_process()) ? -ERESTARTSYS : 1;
        if (early != 1) {
            spin_unlock(&p->lock, flags);
            return early;
        }
        sleep_on(&p->readable, &p->lock, flags);
        flags = spin_lock(&p->lock);
    }
    size_t used = p->write_count - p->read_count, n = len < used ? len : used;
    long result = -EFAULT;
    struct ring_runs r = ring_runs(p->read_count, n);
    if (!copy_to_user(user_buf, p->buffer + r.offset, r.first)
        && !(r.second && copy_to_user(user_buf + r.first, p->buffer, r.second))) {
        p->read_count += n;
        wake_all(&p->writable);
        poll_notify();
        result = (long)n;
    }
    spin_unlock(&p->lock, flags);
    return result;
}

static long pipe_write(struct file *f, struct write_source src, size_t len, uint64_t *pos)
{
    (void)pos;                              /* a stream: no offset */
    struct pipe *p = f->data;
    size_t done = 0;
    long error = 0;
    uint64_t flags = spin_lock(&p->lock);
    while (done < len && !error) {
        if (!p->readers) {
            error = -EPIPE;
            break;
        }
        size_t room = CAPACITY - (p->write_count - p->read_count), left = len - done;
        /* All at once if it is small enough to be atomic, else whatever fits. */
        size_t need = left <= PIPE_BUF ? left : 1;
        if (room < need) {
            if ((f->flags & O_NONBLOCK) || signal_pending(current_process())) {
                error = f->flags & O_NONBLOCK ? -EAGAIN : -ERESTARTSYS;
                break;
            }
            sleep_on(&p->writable, &p->lock, flags);
            flags = spin_lock(&p->lock);
            continue;
        }
        size_t n = left < room ? left : room;
        struct ring_runs r = ring_runs(p->write_count, n);
        if (write_source_copy(p->buffer + r.offset, src, done, r.first)
            || (r.second && write_source_copy(p->buffer, src, done + r.first, r.second))) {
            error = -EFAULT;
            break;
        }
        p->write_count += n;
        done += n;
        wake_all(&p->readable);
        poll_notify();
    }
    spin_unlock(&p->lock, flags);
    if (error == -EPIPE && !done)
        process_kill(current_process()->pid, SIGPIPE, -1);  /* acted on as the call returns */
    return done ? (long)done : error;
}

static void pipe_end_released(struct pipe *p, bool reader)
{
    uint64_t flags = spin_lock(&p->lock);
    if (reader) {
        p->readers--;
        wake_all(&p->writable);         /* writers must see there is no one to read */
        poll_notify();
    } else {
        p->writers--;
        wake_all(&p->readable);         /* readers must see end of file */
        poll_notify();
    }
    bool unused = !p->readers && !p->writers;
    spin_unlock(&p->lock, flags);
    if (unused) {                       /* no descriptor is left to reach it */
        frame_free(virt_to_phys(p->buffer));
        kfree(p);
    }
}

static void read_end_release(struct file *f) { pipe_end_released(f->data, true); }
static void write_end_release(struct file *f) { pipe_end_released(f->data, false); }

/* Readable with bytes in it, or at end of file (POLLHUP: no writer is left). */
static unsigned read_end_poll(struct file *f)
{
    struct pipe *p = f->data;
    uint64_t flags = spin_lock(&p->lock);
    unsigned ready = (p->write_count != p->read_count ? POLLIN | POLLRDNORM : 0) | (p->writers ? 0 : POLLHUP);
    spin_unlock(&p->lock, flags);
    return ready;
}

/* Writable with room in it; POLLERR once no reader is left (a write would get EPIPE). */
static unsigned write_end_poll(struct file *f)
{
    struct pipe *p = f->data;
    uint64_t flags = spin_lock(&p->lock);
    unsigned ready = (p->write_count - p->read_count < CAPACITY ? POLLOUT | POLLWRNORM : 0) | (p->readers ? 0 : POLLERR);
    spin_unlock(&p->lock, flags);
    return ready;
}

/* No ioctl: a pipe is no terminal (-ENOTTY, file.h's default). */
static const struct file_ops read_end_ops = {
    .read = pipe_read, .poll = read_end_poll, .release = read_end_release, .mode = S_IFIFO | 0600,
};
static const struct file_ops write_end_ops = {
    .write = pipe_write, .poll = write_end_poll, .release = write_end_release, .mode = S_IFIFO | 0600,
};

int pipe_create(struct file **read_end, struct file **write_end)
{
    struct pipe *p = kzalloc(sizeof *p);
    uint64_t frame = p ? frame_alloc() : 0;
    if (!frame) {
        kfree(p);
        return -ENOMEM;
    }
    p->buffer = phys_to_virt(frame);
    p->readers = p->writers = 1;
    *read_end = file_new(&read_end_ops, p);
    *write_end = *read_end ? file_new(&write_end_ops, p) : NULL;
    if (!*write_end) {
        if (*read_end)
            kfree(*read_end);
        frame_free(frame);
        kfree(p);
        return -ENOMEM;
    }
    (*read_end)->flags = O_RDONLY;
    (*write_end)->flags = O_WRONLY;
    /* Its number, as Linux's pipe file system has one for each: both ends show it. */
    static uint64_t next_ino = 1;
    (*read_end)->ino = (*write_end)->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
    return 0;
}
