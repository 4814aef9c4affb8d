/* kernel/fs/rootfs.c: the root file system at boot (see rootfs.h). */
#include "kernel/fs/rootfs.h"
#include "kernel/errno.h"
#include "kernel/fs/devices.h"
#include "kernel/fs/initrd.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/procfs.h"
#include "kernel/panic.h"
#include "mm/frame.h"
#include <string.h>

/* The root's directory name (made with mode if the initrd brought none); with type, that
 * file system (made already) mounted on it. */
static void boot_directory(const char *name, uint32_t mode, const char *type)
{
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *root = fs_root(), *dir;
    struct dir_entry *e = ramfs_find(root, name, strlen(name));
    int error = 0;
    if (e)
        dir = e->node;
    else
        error = ramfs_create(root, name, strlen(name), S_IFDIR | mode, 0, 0, 0, NULL, 0, &dir);
    struct mount *fs = type && !error ? mount_new(type, &error) : NULL;
    if (fs)
        error = mount_attach(fs, dir, type);
    spin_unlock(&fs_lock, flags);
    if (error)
        panic("cannot make /%s (error %d)", name, error);
}

void rootfs_init(const struct boot_info *info)
{
    ramfs_set_limit(frame_free_count() / 2);
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *root = fs_root();
    spin_unlock(&fs_lock, flags);
    if (!root)
        panic("no memory for the root directory");
    initrd_unpack(info);
    int error = devices_populate();
    if (error)
        panic("cannot make devtmpfs (error %d)", error);
    error = procfs_init();
    if (error)
        panic("cannot make proc (error %d)", error);
    boot_directory("dev", 0755, "devtmpfs");
    boot_directory("proc", 0555, "proc");
    boot_directory("tmp", S_ISVTX | 0777, NULL);
}
