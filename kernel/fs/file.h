/* kernel/fs/file.h: open files and file descriptors. A file is shared by every descriptor
 * that refers to it (dup, fork) and goes away with the last one. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct file;

struct file_ops {
    /* Both take a user buffer and return a byte count or a negative errno. */
    long (*read)(struct file *f, uint64_t user_buf, size_t len);
    long (*write)(struct file *f, uint64_t user_buf, size_t len);
    long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
    void (*release)(struct file *f);        /* the last reference is gone */
};

struct file {
    const struct file_ops *ops;
    unsigned refs;
    void *data;
};

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
