/* kernel/fs/open.h: opening a node of the tree by its path (open(2) and openat(2)). */
#pragma once
#include "kernel/fs/file.h"
#include "kernel/fs/path.h"

/* Open path in ctx with open(2)'s flags; with O_CREAT a missing regular file is made with
 * mode's permission bits less umask's. *out is a new file holding a reference to the node.
 * fs_lock held. 0, or what Linux gives: -ENOENT, -EEXIST (O_CREAT | O_EXCL), -EISDIR (a
 * directory opened for writing or created), -ENOTDIR (O_DIRECTORY), -ELOOP (O_NOFOLLOW on a
 * link), -EACCES, -ENXIO (a device Twofold lacks), -ENOMEM, -ENOSPC... */
int fs_open(const struct lookup_context *ctx, const char *path, unsigned flags, uint32_t mode,
            uint32_t umask, struct file **out);
