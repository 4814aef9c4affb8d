/* kernel/fs/devices.h: the character devices /dev holds, by Linux's device numbers. */
#pragma once
#include "kernel/fs/file.h"

/* A device number from its major and minor numbers (struct inode's rdev). */
#define DEVICE_NUMBER(major, minor) ((uint32_t)(major) << 8 | (minor))

/* The operations of the device numbered rdev, or NULL if Twofold has no such device. */
const struct file_ops *device_ops(uint32_t rdev);

/* Make the devtmpfs file system with its nodes (console, tty, null, zero, full, random,
 * urandom), at boot; rootfs mounts it on /dev. 0, or a negative errno. */
int devices_populate(void);
