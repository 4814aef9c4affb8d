/* kernel/fs/node_file.h: the file operations of regular files and directories opened from the
 * tree (struct file's node is what they read and write). */
#pragma once
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"

extern const struct file_ops regular_file_ops, directory_ops;

/* A regular file's read into kernel memory (sendfile): bytes read, 0 at the end. */
long regular_read_kernel(struct file *f, void *buf, size_t len, uint64_t *pos);

/* getdents64(2) on an open directory: as many linux_dirent64 records as fit in len bytes of
 * the user buffer, from the file's offset on ("." and ".." first). Bytes written, 0 at the
 * end, -EINVAL if not even one fits, or -EFAULT if the buffer faults before any record is
 * written (the offset then stays past the records that were). */
long directory_read_entries(struct file *f, uint64_t user_buf, size_t len);
