/* kernel/kernel.h: what kmain() learned at boot, for the rest of the kernel to read. */
#pragma once
#include "kernel/lib/cmdline.h"
#include "kernel/lib/multiboot2.h"

extern struct boot_info boot_info;
extern struct kernel_options kernel_options;
