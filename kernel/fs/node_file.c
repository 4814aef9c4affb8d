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

/* linux_dirent64 up to its name, which follows at byte 19. */
struct dirent_head {
    uint64_t ino;
    int64_t next_offset;                    /* d_off: the position after this entry */
    uint16_t record_len;                    /* d_reclen */
    uint8_t type;
} __attribute__((packed));
enum { DIRENT_HEAD = sizeof(struct dirent_head) };
_Static_assert(DIRENT_HEAD == 19, "linux_dirent64's name is at byte 19");

/* getdents64's d_type for a node's mode: its type bits, shifted (Linux's DT_ values are the
 * S_IF values over 4096: DT_DIR 4, DT_REG 8, DT_LNK 10, DT_CHR 2, DT_FIFO 1...). */
static uint8_t entry_type(uint32_t mode)
{
    return (uint8_t)((mode & S_IFMT) >> 12);
}

/* One linux_dirent64 record at out, size bytes (a multiple of 8): the name, its NUL and
 * zeroes to the end. The last word is zeroed first, so the NUL and the padding (at most eight
 * bytes past the name) need no loop of their own; the header is written after it. */
static void put_record(uint8_t *out, size_t size, const struct inode *node, uint64_t next,
                       const char *name, size_t name_len)
{
    struct dirent_head head = { node->ino, (int64_t)next, (uint16_t)size, entry_type(node->mode) };
    __builtin_memset(out + size - 8, 0, 8);
    __builtin_memcpy(out, &head, sizeof head);
    memcpy(out + DIRENT_HEAD, name, name_len);
}

/* After the copy of a batch of records to user_dst faulted: its records copied one at a time,
 * up to the first that faults. The bytes copied; *offset moves past each one copied. */
static size_t copy_records_until_fault(uint64_t user_dst, const uint8_t *batch, size_t filled,
                                       uint64_t *offset)
{
    size_t copied = 0;
    while (copied < filled) {
        struct dirent_head head;
        __builtin_memcpy(&head, batch + copied, sizeof head);
        if (copy_to_user(user_dst + copied, batch + copied, head.record_len))
            break;
        copied += head.record_len;
        *offset = (uint64_t)head.next_offset;
    }
    return copied;
}

/* Copy the filled bytes of batch (whole records) to user_dst: done grows by what landed and
 * f's offset moves past it. Whether all of it did. */
static bool copy_batch(struct file *f, uint64_t user_dst, const uint8_t *batch, size_t filled,
                       uint64_t after, long *done)
{
    if (copy_to_user(user_dst, batch, filled)) {
        *done += (long)copy_records_until_fault(user_dst, batch, filled, &f->offset);
        return false;
    }
    *done += (long)filled;
    f->offset = after;
    return true;
}

/* The records are made in a kernel buffer and copied out a buffer at a time (one user copy
 * for many records). As on Linux, a buffer that faults ends the call with the records that
 * landed before the fault (found again one by one), or -EFAULT if none did; the offset moves
 * past exactly the records written, so no entry is skipped. */
long directory_read_entries(struct file *f, uint64_t user_buf, size_t len)
{
    enum { BATCH = 1024 };                  /* > the largest record, 19 + NAME_MAX + 1 + 7 */
    uint8_t batch[BATCH] __attribute__((aligned(8)));
    size_t filled = 0;                      /* bytes in batch, not yet copied */
    size_t room = len < BATCH ? len : BATCH;    /* what batch may fill: the user's room, or all */
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *dir = f->node;
    long error = procfs_refresh(dir), done = 0;     /* done: bytes copied out */
    const struct dir_entry *e = NULL;       /* the last entry made: the next is e->next */
    uint64_t at = f->offset;                /* the next entry's position */
    while (!error) {
        uint64_t next;
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
        size_t size = (DIRENT_HEAD + name_len + 1 + 7) & ~(size_t)7;
        if (size > room - filled) {         /* the user's buffer is full, or the batch */
            if (room == len - (size_t)done) {
                if (!done && !filled)
                    error = -EINVAL;        /* not even one entry fits */
                break;
            }
            if (!copy_batch(f, user_buf + (uint64_t)done, batch, filled, at, &done)) {
                error = -EFAULT;
                break;
            }
            filled = 0;
            room = len - (size_t)done < BATCH ? len - (size_t)done : BATCH;
            if (size > room)
                break;
        }
        put_record(batch + filled, size, node, next, name, name_len);
        filled += size;
        at = next;
    }
    if (!error && filled && !copy_batch(f, user_buf + (uint64_t)done, batch, filled, at, &done))
        error = -EFAULT;
    spin_unlock(&fs_lock, flags);
    return done ? done : error;
}
