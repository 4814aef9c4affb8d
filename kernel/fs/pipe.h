/* kernel/fs/pipe.h: pipes: a 4 KiB buffer between a read end and a write end. */
#pragma once
#include "kernel/fs/file.h"

/* Make a pipe: *read_end and *write_end, one reference each. 0 or -ENOMEM. */
int pipe_create(struct file **read_end, struct file **write_end);
