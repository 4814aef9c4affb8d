/* kernel/fs/file.h: open files and file descriptors. A file is shared by every descriptor
 * that refers to it (dup, fork) and goes away with the last one. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct file;

/* What a kind of file does. Every operation is optional: one left NULL gets Linux's answer
 * for a file that cannot do it (file_read and file_write: -EINVAL; file_ioctl: -ENOTTY;
 * release: nothing), so no caller ever calls through NULL. Call them through the file_*
 * functions below, never through the pointers. */
struct file_ops {
    /* Both take a user buffer (its range already checked) and return a byte count or a
     * negative errno. */
    long (*read)(struct file *f, uint64_t user_buf, size_t len);
    long (*write)(struct file *f, uint64_t user_buf, size_t len);
    long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
    void (*release)(struct file *f);        /* the last reference is gone */
};

struct file {
    const struct file_ops *ops;
    unsigned refs;                  /* atomic: descriptors of any process may hold the file */
    void *data;
};

long file_read(struct file *f, uint64_t user_buf, size_t len);
long file_write(struct file *f, uint64_t user_buf, size_t len);
long file_ioctl(struct file *f, unsigned cmd, uint64_t arg);

/* A new file with one reference, or NULL. */
struct file *file_new(const struct file_ops *ops, void *data);

/* Another reference; dropping the last one releases the file. */
struct file *file_get(struct file *f);
void file_put(struct file *f);

struct process;

/* The lowest free descriptor of p from `from` on, now holding f (whose reference it takes);
 * -EMFILE if none. */
int fd_install(struct process *p, struct file *f, int from);

/* The file behind descriptor fd of the current process, or NULL. */
struct file *fd_file(int fd);

/* Close descriptor fd of p. 0, or -EBADF. */
int fd_close(struct process *p, int fd);
