/* kernel/fs/initrd.c: unpacking the initrd into the tree (see initrd.h). */
#include "kernel/fs/initrd.h"
#include "kernel/errno.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/path.h"
#include "kernel/lib/cpio.h"
#include "kernel/printk.h"
#include "mm/layout.h"
#include "mm/phys.h"
#include <string.h>

/* Fill a new regular file with size bytes of data. */
static int fill(struct inode *file, const uint8_t *data, size_t size)
{
    for (uint64_t at = 0; at < size; at += PAGE_SIZE) {
        int error;
        uint8_t *page = ramfs_page(file, at / PAGE_SIZE, true, &error);
        if (!page)
            return error;
        memcpy(page, data + at, size - at < PAGE_SIZE ? size - at : PAGE_SIZE);
    }
    file->size = size;
    return 0;
}

/* Make what entry describes; fs_lock held. 0 or a negative errno. */
static int unpack_entry(const struct cpio_entry *entry)
{
    struct inode *root = fs_root();
    struct lookup_context ctx = { root, root, 0, 0, 0 };
    struct path_last last;
    int error = path_parent(&ctx, entry->name, &last);
    if (error)
        return error;
    uint32_t type = entry->mode & S_IFMT;
    if (last.kind != LAST_NAME) {           /* ".": the root itself, whose mode it gives */
        if (type != S_IFDIR || last.kind == LAST_DOTDOT)
            return -EINVAL;
        root->mode = S_IFDIR | (entry->mode & 07777);
        return 0;
    }
    struct dir_entry *existing = ramfs_find(last.dir, last.name, last.len);
    if (existing && type == S_IFDIR && S_IS_TYPE(existing->node->mode, S_IFDIR)) {
        existing->node->mode = entry->mode;         /* a directory again: keep what it holds */
        return 0;
    }
    if (existing && (error = ramfs_unlink(last.dir, last.name, last.len,
                                          S_IS_TYPE(existing->node->mode, S_IFDIR))))
        return error;
    if (type != S_IFDIR && type != S_IFREG && type != S_IFLNK)
        return -EINVAL;                     /* devices, pipes, sockets: Twofold makes its own */
    struct inode *node;
    error = ramfs_create(last.dir, last.name, last.len, entry->mode, entry->uid, entry->gid, 0,
                         (const char *)entry->data, type == S_IFLNK ? entry->size : 0, &node);
    if (!error && type == S_IFREG)
        error = fill(node, entry->data, entry->size);
    if (!error)
        node->mtime = (struct timestamp){ entry->mtime, 0 };
    return error;
}

int initrd_unpack_archive(const void *archive, size_t size)
{
    struct cpio_iter it;
    struct cpio_entry entry;
    const char *why;
    int status, left_out = 0;
    cpio_iter_init(&it, archive, size);
    uint64_t flags = spin_lock(&fs_lock);
    while ((status = cpio_next(&it, &entry, &why)) > 0) {
        int error = unpack_entry(&entry);
        if (error) {
            kprintf("initrd: %s: left out (error %d)\n", entry.name, error);
            left_out++;
        }
    }
    spin_unlock(&fs_lock, flags);
    if (status < 0) {
        kprintf("initrd: malformed archive: %s\n", why);
        return -EINVAL;
    }
    return left_out;
}

void initrd_unpack(const struct boot_info *info)
{
    for (size_t i = info->module_count; i-- > 0;)
        if (i == 0 || strcmp(info->modules[i].cmdline, "initrd") == 0) {
            initrd_unpack_archive(phys_to_virt(info->modules[i].start),
                                  info->modules[i].end - info->modules[i].start);
            return;
        }
}
