/* kernel/fs/initrd.h: the initrd, a cpio archive GRUB loads as a module: where programs come
 * from. */
#pragma once
#include "kernel/lib/cpio.h"
#include "kernel/lib/multiboot2.h"

/* Take the module named "initrd" (or, failing that, the first module). */
void initrd_init(const struct boot_info *info);

/* Find a file: 0, -ENOENT, or -EIO if the archive is malformed (the reason is printed). */
int initrd_find(const char *path, struct cpio_entry *entry);
