/* kernel/console.h: the console as a file (the serial port): the first process's
 * descriptors 0, 1 and 2. */
#pragma once
#include "kernel/file.h"

extern const struct file_ops console_ops;
