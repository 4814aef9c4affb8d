/* kernel/fs/rootfs.h: the root file system at boot. */
#pragma once
#include "kernel/lib/multiboot2.h"

/* Make the tree init starts in: the RAM file system, limited to half the free memory (as
 * Linux's tmpfs), filled from the initrd; devtmpfs mounted on /dev and proc on /proc; and a
 * world-writable /tmp. Each directory is made where the initrd brings none. */
void rootfs_init(const struct boot_info *info);
