/* kernel/fs/rootfs.c: the root file system at boot (see rootfs.h). */
#include "kernel/fs/rootfs.h"
#include "kernel/fs/devices.h"
#include "kernel/fs/initrd.h"
#include "kernel/fs/procfs.h"
#include "kernel/fs/inode.h"
#include "kernel/panic.h"
#include "mm/frame.h"

void rootfs_init(const struct boot_info *info)
{
    ramfs_set_limit(frame_free_count() / 2);
    uint64_t flags = spin_lock(&fs_lock);
    struct inode *root = ramfs_root(), *tmp;
    spin_unlock(&fs_lock, flags);
    if (!root)
        panic("no memory for the root directory");
    initrd_unpack(info);
    int error = devices_populate();
    if (error)
        panic("cannot make /dev (error %d)", error);
    error = procfs_init();
    if (error)
        panic("cannot make /proc (error %d)", error);
    flags = spin_lock(&fs_lock);
    if (!ramfs_find(root, "tmp", 3))
        error = ramfs_create(root, "tmp", 3, S_IFDIR | S_ISVTX | 0777, 0, 0, 0, NULL, 0, &tmp);
    spin_unlock(&fs_lock, flags);
    if (error)
        panic("cannot make /tmp (error %d)", error);
}
