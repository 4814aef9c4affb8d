/* kernel/fs/pipe.c: pipes (see pipe.h), with Linux's semantics: a read waits for data and
 * returns 0 once no writer is left; a write waits for room, a write of up to PIPE_BUF bytes
 * is never split, and writing with no reader left gives SIGPIPE (and -EPIPE). */
#include "kernel/fs/pipe.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/uaccess.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"

enum { PIPE_BUF = 4096, CAPACITY = PAGE_SIZE };

struct pipe {
    uint8_t *buffer;                /* a frame, through the direct map */
    uint64_t read_count, write_count;   /* bytes ever read and written: used = their difference */
    unsigned readers, writers;
    struct wait_queue readable, writable;
};

/* Copy between the ring and user memory: len bytes at ring position `at` (may wrap). */
static int ring_copy(struct pipe *p, uint64_t at, uint64_t user_buf, size_t len, bool to_user)
{
    size_t offset = at % CAPACITY, first = CAPACITY - offset < len ? CAPACITY - offset : len;
    int error = to_user ? copy_to_user(user_buf, p->buffer + offset, first)
                        : copy_from_user(p->buffer + offset, user_buf, first);
    if (!error && len > first)
        error = to_user ? copy_to_user(user_buf + first, p->buffer, len - first)
                        : copy_from_user(p->buffer, user_buf + first, len - first);
    return error;
}

static long pipe_read(struct file *f, uint64_t user_buf, size_t len)
{
    struct pipe *p = f->data;
    while (p->write_count == p->read_count) {
        if (!p->writers || !len)
            return 0;
        if (current_process()->pending_signal)
            return -EINTR;
        sleep_on(&p->readable);
    }
    size_t used = p->write_count - p->read_count, n = len < used ? len : used;
    if (ring_copy(p, p->read_count, user_buf, n, true))
        return -EFAULT;
    p->read_count += n;
    wake_all(&p->writable);
    return (long)n;
}

static long pipe_write(struct file *f, uint64_t user_buf, size_t len)
{
    struct pipe *p = f->data;
    size_t done = 0;
    while (done < len) {
        if (!p->readers) {
            if (done)
                return (long)done;
            process_kill(current_process()->pid, SIGPIPE);  /* acted on as the call returns */
            return -EPIPE;
        }
        size_t room = CAPACITY - (p->write_count - p->read_count), left = len - done;
        /* All at once if it is small enough to be atomic, else whatever fits. */
        size_t need = left <= PIPE_BUF ? left : 1;
        if (room < need) {
            if (current_process()->pending_signal)
                return done ? (long)done : -EINTR;
            sleep_on(&p->writable);
            continue;
        }
        size_t n = left < room ? left : room;
        if (ring_copy(p, p->write_count, user_buf + done, n, false))
            return done ? (long)done : -EFAULT;
        p->write_count += n;
        done += n;
        wake_all(&p->readable);
    }
    return (long)done;
}

static void pipe_end_released(struct pipe *p, bool reader)
{
    if (reader) {
        p->readers--;
        wake_all(&p->writable);         /* writers must see there is no one to read */
    } else {
        p->writers--;
        wake_all(&p->readable);         /* readers must see end of file */
    }
    if (!p->readers && !p->writers) {
        frame_free(virt_to_phys(p->buffer));
        kfree(p);
    }
}

static void read_end_release(struct file *f) { pipe_end_released(f->data, true); }
static void write_end_release(struct file *f) { pipe_end_released(f->data, false); }

static long wrong_direction(struct file *f, uint64_t user_buf, size_t len)
{
    (void)f, (void)user_buf, (void)len;
    return -EBADF;
}

static long not_a_terminal(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f, (void)cmd, (void)arg;
    return -ENOTTY;
}

static const struct file_ops read_end_ops = { pipe_read, wrong_direction, not_a_terminal, read_end_release };
static const struct file_ops write_end_ops = { wrong_direction, pipe_write, not_a_terminal, write_end_release };

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
    return 0;
}
