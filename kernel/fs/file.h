/* kernel/fs/file.h: open files (Linux's open file descriptions) and file descriptors. A file
 * is shared by every descriptor that refers to it (dup, fork), with its one offset and status
 * flags, and goes away with the last one. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct file;

/* Where a write's bytes come from: a user buffer (write(2)'s, its range checked), or, with
 * kernel set, kernel memory (sendfile's copy of a file's page). */
struct write_source {
    uint64_t user;
    const void *kernel;
};

/* Copy n bytes from offset at of src into dst: 0, or non-zero if a user buffer faults. */
int write_source_copy(void *dst, struct write_source src, size_t at, size_t n);

/* What a kind of file does. Every operation is optional: one left NULL gets Linux's answer
 * for a file that cannot do it (file_read and file_write: -EINVAL; file_ioctl: -ENOTTY;
 * file_seek: -ESPIPE; release: nothing), so no caller ever calls through NULL. Call them
 * through the file_* functions below, never through the pointers. */
struct file_ops {
    /* Both take a buffer (read a user one, its range already checked; write a source) and
     * the offset to use and advance (the file's own, or pread's and pwrite's; streams ignore
     * it), and return a byte count or a negative errno. */
    long (*read)(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos);
    long (*write)(struct file *f, struct write_source src, size_t len, uint64_t *pos);
    long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
    /* lseek(2): the new offset from offset and whence, or a negative errno. A file with it
     * is seekable, so pread and pwrite work on it. */
    long (*seek)(struct file *f, int64_t offset, int whence);
    /* What the file is ready for now (poll.h's POLL* bits), without waiting. Without it: ready
     * for reading and writing, as Linux's DEFAULT_POLLMASK says of a regular file. */
    unsigned (*poll)(struct file *f);
    void (*release)(struct file *f);        /* the last reference is gone */
    uint32_t mode;                  /* fstat's st_mode for a file with no node (a pipe) */
};

/* open(2)'s flags that a file keeps (F_GETFL), Linux's values. */
enum {
    O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2,
    O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000,
    O_NONBLOCK = 04000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000,
    O_PATH = 010000000,
};

struct inode;

struct file {
    const struct file_ops *ops;
    unsigned refs;                  /* atomic: descriptors of any process may hold the file */
    void *data;
    struct inode *node;             /* what it was opened from (a reference), or NULL */
    uint64_t ino;                   /* with no node (a pipe): fstat's st_ino */
    unsigned flags;                 /* O_ACCMODE, O_APPEND, O_NONBLOCK... (fs_lock for node files) */
    uint64_t offset;                /* fs_lock, for node files */
};

/* read and write: -EBADF for a file not open that way. */
long file_read(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos);
long file_write(struct file *f, struct write_source src, size_t len, uint64_t *pos);
long file_ioctl(struct file *f, unsigned cmd, uint64_t arg);
long file_seek(struct file *f, int64_t offset, int whence);
unsigned file_poll(struct file *f);

/* A new file with one reference, open for reading and writing, or NULL. */
struct file *file_new(const struct file_ops *ops, void *data);

/* Another reference; dropping the last one releases the file. */
struct file *file_get(struct file *f);
void file_put(struct file *f);

#include <stdbool.h>

#include "kernel/spinlock.h"

struct process;

/* A process's descriptors are its threads' (they live in its leader's table). Up to MAX_FDS
 * (Linux's default RLIMIT_NOFILE), in chunks of FD_CHUNK: the first is in the table, each
 * later one allocated when a descriptor in it is first installed and freed with the table,
 * so that a process with a few descriptors costs fork no allocation. */
enum { FD_CHUNK = 64, MAX_FDS = 1024 };

struct fd_table {
    struct spinlock lock;           /* protects the rest once the process has threads */
    int lowest_free;                /* every descriptor below it is open: where a search starts */
    struct file *first[FD_CHUNK];               /* descriptors 0 to FD_CHUNK - 1 */
    struct file **more[MAX_FDS / FD_CHUNK - 1]; /* the next chunks, each NULL until used */
    uint64_t close_on_exec[MAX_FDS / FD_CHUNK]; /* a bit per descriptor */
};

/* Each call here takes the table's lock. */

/* The lowest free descriptor of p from `from` on (below its RLIMIT_NOFILE), now holding f
 * (whose reference it takes); -EMFILE if none, -ENOMEM if its chunk could not be allocated
 * (the reference is then still the caller's). */
int fd_install(struct process *p, struct file *f, int from);

/* Descriptor fd of p now holds f (whose reference it takes), with close_on_exec; what it held
 * before is closed (dup2). 0; -EBADF if fd is not below p's RLIMIT_NOFILE, -ENOMEM (the
 * reference then still the caller's). */
int fd_install_at(struct process *p, int fd, struct file *f, bool close_on_exec);

/* Set or clear fd's close-on-exec flag (fd open), or read it. */
void fd_set_close_on_exec(struct process *p, int fd, bool close_on_exec);
bool fd_close_on_exec(struct process *p, int fd);

/* The file behind descriptor fd of the current process, or NULL. It stays valid until the
 * system call returns, even if another thread closes fd meanwhile: where the process has
 * other threads it is referenced, and the reference dropped by fd_return_borrowed, which
 * the system-call dispatcher calls once the handler returns. A system call may hold
 * BORROWED_MAX such files at once (sendfile and renameat hold two); a loop over many
 * descriptors (poll) takes fd_get's references instead. */
enum { BORROWED_MAX = 4 };
struct file *fd_file(int fd);
void fd_return_borrowed(struct process *self);

/* The file behind descriptor fd of the current process, with a reference of its own for
 * the caller to put; or NULL. */
struct file *fd_get(int fd);

/* Descriptor fd in table t, or NULL; t's lock held (or t's process single-threaded). */
struct file *fd_at(const struct fd_table *t, int fd);

/* Close descriptor fd of p. 0, or -EBADF. */
int fd_close(struct process *p, int fd);

/* fork: child's table (empty) gets a reference to every file of from's process, with their
 * close-on-exec flags, under from's table lock (its other threads may close one meanwhile).
 * 0, or -ENOMEM with child's table left empty. */
int fd_table_copy(struct process *child, struct process *from);

/* execve: close p's descriptors that are close-on-exec. */
void fd_table_exec(struct process *p);

/* The process ends: every descriptor of leader closed, its chunks freed. */
void fd_table_close_all(struct process *leader);
