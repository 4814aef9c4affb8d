/* kernel/fs/node_file.c: reading, writing and seeking regular files and directories opened
 * from the tree (see node_file.h). Each call holds fs_lock while it touches the node and the
 * file's offset. */
#include "kernel/fs/node_file.h"
#include "kernel/errno.h"
#include "kernel/fs/procfs.h"
#include "kernel/uaccess.h"
#include "mm/layout.h"
#include <string.h>

enum { SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2 };

/* Read into user memory at user_buf, or with kernel_buf set into that. */
static long read_into(struct file *f, uint64_t user_buf, uint8_t *kernel_buf, size_t len, uint64_t *pos)
{
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *node = f->node;
    long done = 0;
    while ((size_t)done < len && *pos < node->size) {
        uint64_t in_page = *pos % PAGE_SIZE;
        uint64_t n = PAGE_SIZE - in_page;
        n = n < len - (size_t)done ? n : len - (size_t)done;
        n = n < node->size - *pos ? n : node->size - *pos;
        int error;
        const uint8_t *page = ramfs_page(node, *pos / PAGE_SIZE, false, &error);
        if (kernel_buf && page)
            memcpy(kernel_buf + done, page + in_page, n);
        else if (kernel_buf)
            memset(kernel_buf + done, 0, n);                            /* a hole reads as zeros */
        else if (page ? copy_to_user(user_buf + (uint64_t)done, page + in_page, n)
                      : clear_user(user_buf + (uint64_t)done, n)) {
            if (!done)
                done = -EFAULT;
            break;
        }
        done += (long)n;
        *pos += n;
    }
    spin_unlock(&fs_lock, flags);
    return done;
}

static long regular_read(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    return read_into(f, user_buf, NULL, len, pos);
}

long regular_read_kernel(struct file *f, void *buf, size_t len, uint64_t *pos)
{
    return read_into(f, 0, buf, len, pos);
}

static long regular_write(struct file *f, struct write_source src, size_t len, uint64_t *pos)
{
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *node = f->node;
    if (f->flags & O_APPEND)
        *pos = node->size;
    long done = 0, error = 0;
    if (len && *pos >= RAMFS_MAX_FILE_SIZE)
        error = -EFBIG;
    else if (len > RAMFS_MAX_FILE_SIZE - *pos)
        len = RAMFS_MAX_FILE_SIZE - *pos;                   /* a short write up to the limit */
    while (!error && (size_t)done < len) {
        uint64_t in_page = *pos % PAGE_SIZE;
        uint64_t n = PAGE_SIZE - in_page < len - (size_t)done ? PAGE_SIZE - in_page : len - (size_t)done;
        int page_error;
        uint8_t *page = ramfs_page(node, *pos / PAGE_SIZE, true, &page_error);
        if (!page)
            error = page_error;
        else if (write_source_copy(page + in_page, src, (size_t)done, n))
            error = -EFAULT;
        if (error)
            break;
        done += (long)n;
        *pos += n;
        if (*pos > node->size)
            node->size = *pos;
    }
    if (done)
        inode_touch(node, TIME_MODIFY | TIME_CHANGE);
    spin_unlock(&fs_lock, flags);
    return done ? done : error;
}

/* lseek(2) for both kinds: a directory's offset is a position of its entries (inode.h). */
static long node_seek(struct file *f, int64_t offset, int whence)
{
    uint64_t flags = spin_lock(&fs_lock);
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)f->offset
                 : whence == SEEK_END && S_IS_TYPE(f->node->mode, S_IFREG) ? (int64_t)f->node->size : -1;
    long result;
    if (base < 0)
        result = -EINVAL;
    else if (offset > 0 && base > INT64_MAX - offset)
        result = -EOVERFLOW;
    else if (base + offset < 0)
        result = -EINVAL;
    else
        result = (long)(f->offset = (uint64_t)(base + offset));
    spin_unlock(&fs_lock, flags);
    return result;
}

static long directory_read(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    (void)f, (void)user_buf, (void)len, (void)pos;
    return -EISDIR;
}

const struct file_ops regular_file_ops = {
    .read = regular_read, .write = regular_write, .seek = node_seek,
};

const struct file_ops directory_ops = {
    .read = directory_read, .seek = node_seek,
};

/* getdents64's d_type for a node's mode. */
static uint8_t entry_type(uint32_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFDIR: return 4;
    case S_IFREG: return 8;
    case S_IFLNK: return 10;
    case S_IFCHR: return 2;
    case S_IFIFO: return 1;
    default: return 0;
    }
}

long directory_read_entries(struct file *f, uint64_t user_buf, size_t len)
{
    struct {
        uint64_t ino;
        int64_t next_offset;
        uint16_t record_len;
        uint8_t type;
        char name[NAME_MAX + 1 + 7];        /* the name, its NUL, padding to 8 bytes */
    } __attribute__((packed)) record;
    enum { HEAD = 19 };                     /* the bytes before the name */
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *dir = f->node;
    long done = procfs_refresh(dir);
    const struct dir_entry *e = NULL;       /* the last entry given: the next is e->next */
    while (done >= 0) {
        uint64_t at = f->offset, next;
        const struct inode *node;
        const char *name;
        size_t name_len;
        if (at < 2) {                       /* "." and ".." come first */
            node = at == 0 ? dir : dir->parent;
            name = "..";
            name_len = at + 1;
            next = at + 1;
        } else if ((e = e ? e->next : ramfs_entry_from(dir, at))) {    /* found once a call */
            node = e->node;
            name = e->name;
            name_len = e->name_len;
            next = e->position + 1;
        } else {
            break;
        }
        size_t size = (HEAD + name_len + 1 + 7) & ~(size_t)7;
        if (size > len - (size_t)done) {
            if (!done)
                done = -EINVAL;             /* not even one entry fits */
            break;
        }
        record.ino = node->ino;
        record.next_offset = (int64_t)next;
        record.record_len = (uint16_t)size;
        record.type = entry_type(node->mode);
        memcpy(record.name, name, name_len);
        memset(record.name + name_len, 0, size - HEAD - name_len);
        if (copy_to_user(user_buf + (uint64_t)done, &record, size)) {
            done = -EFAULT;
            break;
        }
        done += (long)size;
        f->offset = next;
    }
    spin_unlock(&fs_lock, flags);
    return done;
}
