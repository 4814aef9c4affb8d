/* kernel/fs/devices.c: the memory devices (null, zero, full), the random ones (random,
 * urandom) and the terminals (console, tty: both the serial console), and /dev (see
 * devices.h). */
#include "kernel/fs/devices.h"
#include "kernel/errno.h"
#include "kernel/fs/console.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "kernel/random.h"
#include "kernel/uaccess.h"
#include <string.h>

/* /dev/null reads nothing and takes everything; /dev/zero reads zeros and takes everything;
 * /dev/full reads zeros and has no room. */
static long read_nothing(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    (void)f, (void)user_buf, (void)len, (void)pos;
    return 0;
}

static long read_zeros(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    (void)f, (void)pos;
    return clear_user(user_buf, len) ? -EFAULT : (long)len;
}

static long write_anything(struct file *f, struct write_source src, size_t len, uint64_t *pos)
{
    (void)f, (void)src, (void)pos;
    return (long)len;
}

static long write_no_room(struct file *f, struct write_source src, size_t len, uint64_t *pos)
{
    (void)f, (void)src, (void)len, (void)pos;
    return -ENOSPC;
}

/* Seeking a memory device succeeds and means nothing (Linux's null_lseek). */
static long seek_nowhere(struct file *f, int64_t offset, int whence)
{
    (void)offset, (void)whence;
    return (long)(f->offset = 0);
}

static long read_random(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    (void)f, (void)pos;
    return random_to_user(user_buf, len);
}

static const struct file_ops null_ops = { .read = read_nothing, .write = write_anything, .seek = seek_nowhere };
static const struct file_ops zero_ops = { .read = read_zeros, .write = write_anything, .seek = seek_nowhere };
static const struct file_ops full_ops = { .read = read_zeros, .write = write_no_room, .seek = seek_nowhere };
/* /dev/random and /dev/urandom: the same generator, which never runs dry; writes are taken
 * and dropped (Linux mixes them in without counting them). */
static const struct file_ops random_ops = { .read = read_random, .write = write_anything, .seek = seek_nowhere };

static const struct device {
    const char *name;
    uint32_t rdev;
    uint32_t mode;
    const struct file_ops *ops;
} devices[] = {
    { "null", DEVICE_NUMBER(1, 3), 0666, &null_ops },
    { "zero", DEVICE_NUMBER(1, 5), 0666, &zero_ops },
    { "full", DEVICE_NUMBER(1, 7), 0666, &full_ops },
    { "random", DEVICE_NUMBER(1, 8), 0666, &random_ops },
    { "urandom", DEVICE_NUMBER(1, 9), 0666, &random_ops },
    { "tty", DEVICE_NUMBER(5, 0), 0666, &console_ops },
    { "console", DEVICE_NUMBER(5, 1), 0600, &console_ops },
};

const struct file_ops *device_ops(uint32_t rdev)
{
    for (size_t i = 0; i < sizeof devices / sizeof *devices; i++)
        if (devices[i].rdev == rdev)
            return devices[i].ops;
    return NULL;
}

int devices_populate(void)
{
    uint64_t flags = spin_lock(&fs_lock);
    int error;
    struct mount *fs = mount_new("devtmpfs", &error);
    for (size_t i = 0; fs && i < sizeof devices / sizeof *devices; i++) {
        struct inode *node;
        const struct device *d = &devices[i];
        if ((error = ramfs_create(fs->root, d->name, strlen(d->name), S_IFCHR | d->mode, 0, 0, d->rdev, NULL, 0, &node)))
            break;
    }
    spin_unlock(&fs_lock, flags);
    return error;
}
