/* kernel/fs/initrd.h: the initrd, a cpio archive GRUB loads as a module, unpacked into the
 * RAM file system at boot (what Linux does with an initramfs). */
#pragma once
#include "kernel/lib/multiboot2.h"
#include <stddef.h>

/* Unpack the module named "initrd" (or, failing that, the first module) into the tree:
 * directories, regular files and symbolic links with their modes, owners and times; a name
 * that comes again replaces the one before. What cannot be unpacked is said on the console
 * and left out; a malformed archive ends the unpacking where it goes wrong. */
void initrd_unpack(const struct boot_info *info);

/* The same for the size bytes of archive (pure: host tests and the fuzzer call it). The
 * number of entries left out, or -EINVAL for a malformed archive. */
int initrd_unpack_archive(const void *archive, size_t size);
