/* kernel/fs/file.c: files and descriptor tables (see file.h). */
#include "kernel/fs/file.h"
#include "kernel/errno.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/poll.h"
#include "kernel/panic.h"
#include "kernel/proc/process.h"
#include "kernel/uaccess.h"
#include "mm/kmalloc.h"
#include <string.h>

struct file *file_new(const struct file_ops *ops, void *data)
{
    struct file *f = kmalloc(sizeof *f);
    if (f)
        *f = (struct file){ .ops = ops, .refs = 1, .data = data, .flags = O_RDWR };
    return f;
}

long file_read(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    if ((f->flags & O_ACCMODE) != O_RDONLY && (f->flags & O_ACCMODE) != O_RDWR)
        return -EBADF;
    return f->ops->read ? f->ops->read(f, user_buf, len, pos) : -EINVAL;
}

long file_write(struct file *f, struct write_source src, size_t len, uint64_t *pos)
{
    if ((f->flags & O_ACCMODE) != O_WRONLY && (f->flags & O_ACCMODE) != O_RDWR)
        return -EBADF;
    return f->ops->write ? f->ops->write(f, src, len, pos) : -EINVAL;
}

int write_source_copy(void *dst, struct write_source src, size_t at, size_t n)
{
    if (!src.kernel)
        return copy_from_user(dst, src.user + at, n);
    memcpy(dst, (const uint8_t *)src.kernel + at, n);
    return 0;
}

long file_seek(struct file *f, int64_t offset, int whence)
{
    return f->ops->seek ? f->ops->seek(f, offset, whence) : -ESPIPE;
}

long file_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    return f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
}

unsigned file_poll(struct file *f)
{
    return f->ops->poll ? f->ops->poll(f) : POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

struct file *file_get(struct file *f)
{
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    return f;
}

void file_put(struct file *f)
{
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
        return;
    if (f->ops->release)
        f->ops->release(f);
    if (f->node) {
        uint64_t flags = spin_lock(&fs_lock);
        inode_put(f->node);
        spin_unlock(&fs_lock, flags);
    }
    kfree(f);
}

/* The descriptor table of p's process, locked (its threads may change it at once). */
static struct fd_table *lock_table(struct process *p, uint64_t *flags)
{
    struct fd_table *t = &p->leader->fds;
    *flags = spin_lock(&t->lock);
    return t;
}

static void unlock_table(struct fd_table *t, uint64_t flags)
{
    spin_unlock(&t->lock, flags);
}

/* The chunk holding descriptor fd (0 <= fd < MAX_FDS), or NULL if it was never needed. */
static struct file **chunk_of(const struct fd_table *t, int fd)
{
    return fd < FD_CHUNK ? (struct file **)t->first : t->more[fd / FD_CHUNK - 1];
}

/* Descriptor fd's slot in t, or NULL if fd is out of range or its chunk was never needed. */
static struct file **slot_of(const struct fd_table *t, int fd)
{
    struct file **chunk = fd >= 0 && fd < MAX_FDS ? chunk_of(t, fd) : NULL;
    return chunk ? &chunk[fd % FD_CHUNK] : NULL;
}

struct file *fd_at(const struct fd_table *t, int fd)
{
    struct file **slot = slot_of(t, fd);
    return slot ? *slot : NULL;
}

/* Descriptor fd's slot in t (fd in range), its chunk allocated if need be; NULL when out of
 * memory. */
static struct file **slot_for(struct fd_table *t, int fd)
{
    struct file **slot = slot_of(t, fd), **chunk;
    if (!slot && (chunk = t->more[fd / FD_CHUNK - 1] = kzalloc(FD_CHUNK * sizeof *chunk)))
        slot = &chunk[fd % FD_CHUNK];
    return slot;
}

static void set_close_on_exec(struct fd_table *t, int fd, bool close_on_exec)
{
    uint64_t bit = 1ull << (fd % FD_CHUNK);
    uint64_t *word = &t->close_on_exec[fd / FD_CHUNK];
    *word = (*word & ~bit) | (close_on_exec ? bit : 0);
}

/* The descriptors p may have: its RLIMIT_NOFILE, at most MAX_FDS. */
static int fd_limit(const struct process *p)
{
    uint64_t limit = p->leader->limits[RLIMIT_NOFILE].cur;
    return limit < MAX_FDS ? (int)limit : MAX_FDS;
}

int fd_install(struct process *p, struct file *f, int from)
{
    int limit = fd_limit(p);
    uint64_t flags;
    struct fd_table *t = lock_table(p, &flags);
    int fd = from > t->lowest_free ? from : t->lowest_free;
    struct file **slot = NULL;
    for (; fd < limit; fd++)
        if (!(slot = slot_of(t, fd)) || !*slot)
            break;
    if (fd < limit && !slot)
        slot = slot_for(t, fd);             /* the first of a chunk never needed before */
    else if (fd == limit)
        slot = NULL;
    if (slot) {
        *slot = f;
        set_close_on_exec(t, fd, false);
        if (from <= t->lowest_free)     /* every one from lowest_free to fd is open */
            t->lowest_free = fd + 1;
    }
    unlock_table(t, flags);
    return slot ? fd : fd < limit ? -ENOMEM : -EMFILE;
}

int fd_install_at(struct process *p, int fd, struct file *f, bool close_on_exec)
{
    if (fd < 0 || fd >= fd_limit(p))
        return -EBADF;
    uint64_t flags;
    struct fd_table *t = lock_table(p, &flags);
    struct file **slot = slot_for(t, fd);
    struct file *old = slot ? *slot : NULL;
    if (slot) {
        *slot = f;
        set_close_on_exec(t, fd, close_on_exec);
    }
    unlock_table(t, flags);
    if (old)
        file_put(old);
    return slot ? 0 : -ENOMEM;
}

void fd_set_close_on_exec(struct process *p, int fd, bool close_on_exec)
{
    uint64_t flags;
    struct fd_table *t = lock_table(p, &flags);
    set_close_on_exec(t, fd, close_on_exec);
    unlock_table(t, flags);
}

bool fd_close_on_exec(struct process *p, int fd)
{
    return p->leader->fds.close_on_exec[fd / FD_CHUNK] >> (fd % FD_CHUNK) & 1;
}

/* fd_file where the process has other threads: fd's file, borrowed (referenced and listed
 * in self->borrowed) unless this call already borrowed it. Kept out of fd_file, whose
 * single-threaded path then needs no frame of saved registers. */
static __attribute__((noinline)) struct file *fd_file_shared(struct process *self, struct process *owner, int fd)
{
    uint64_t flags = spin_lock(&owner->fds.lock);
    struct file *f = fd_at(&owner->fds, fd);
    bool listed = false;
    for (int i = 0; f && i < self->borrowed_count && !listed; i++)
        listed = self->borrowed[i] == f;
    if (f && !listed) {
        if (self->borrowed_count == BORROWED_MAX)
            panic("fd_file: a system call borrowed more than %d files", BORROWED_MAX);
        self->borrowed[self->borrowed_count++] = file_get(f);
    }
    spin_unlock(&owner->fds.lock, flags);
    return f;
}

struct file *fd_file(int fd)
{
    struct process *self = current_process(), *owner = self->leader;
    if (__builtin_expect(owner->live_threads == 1, 1))
        return fd_at(&owner->fds, fd);  /* no other thread can close it meanwhile */
    return fd_file_shared(self, owner, fd);
}

void fd_return_borrowed(struct process *self)
{
    while (self->borrowed_count)
        file_put(self->borrowed[--self->borrowed_count]);
}

struct file *fd_get(int fd)
{
    uint64_t flags;
    struct fd_table *t = lock_table(current_process(), &flags);
    struct file *f = fd_at(t, fd);
    if (f)
        file_get(f);
    unlock_table(t, flags);
    return f;
}

int fd_close(struct process *p, int fd)
{
    /* Out of the table before it can go: other threads, and /proc/PID/fd, read it. */
    uint64_t flags;
    struct fd_table *t = lock_table(p, &flags);
    struct file **slot = slot_of(t, fd), *f = slot ? *slot : NULL;
    if (f) {
        *slot = NULL;
        if (fd < t->lowest_free)
            t->lowest_free = fd;
    }
    unlock_table(t, flags);
    if (!f)
        return -EBADF;
    file_put(f);
    return 0;
}

int fd_table_copy(struct process *child, struct process *from)
{
    uint64_t flags;
    struct fd_table *parent = lock_table(from, &flags), *t = &child->fds;
    bool out_of_memory = false;
    for (int fd = 0; fd < MAX_FDS && !out_of_memory; fd += FD_CHUNK) {
        struct file **theirs = chunk_of(parent, fd), **mine = theirs ? slot_for(t, fd) : NULL;
        out_of_memory = theirs && !mine;
        for (int i = 0; mine && i < FD_CHUNK; i++)
            if ((mine[i] = theirs[i]))
                file_get(mine[i]);
    }
    memcpy(t->close_on_exec, parent->close_on_exec, sizeof t->close_on_exec);
    t->lowest_free = parent->lowest_free;
    unlock_table(parent, flags);
    if (out_of_memory)
        fd_table_close_all(child);
    return out_of_memory ? -ENOMEM : 0;
}

void fd_table_exec(struct process *p)
{
    struct fd_table *t = &p->leader->fds;
    for (int word = 0; word < MAX_FDS / FD_CHUNK; word++)
        for (uint64_t bits = t->close_on_exec[word]; bits; bits &= bits - 1)
            fd_close(p, word * FD_CHUNK + __builtin_ctzll(bits));
    memset(t->close_on_exec, 0, sizeof t->close_on_exec);
}

void fd_table_close_all(struct process *leader)
{
    struct fd_table *t = &leader->fds;
    for (int fd = 0; fd < MAX_FDS; fd += FD_CHUNK) {
        struct file **chunk = chunk_of(t, fd);
        for (int i = 0; chunk && i < FD_CHUNK; i++)
            if (chunk[i])
                fd_close(leader, fd + i);
    }
    for (int i = 0; i < MAX_FDS / FD_CHUNK - 1; i++) {
        kfree(t->more[i]);
        t->more[i] = NULL;
    }
    memset(t->close_on_exec, 0, sizeof t->close_on_exec);
}
