/* kernel/fs/mount.h: file systems and the mount table.
 *
 * A file system (struct mount, one instance of a type) is a tree of nodes with its own root
 * and st_dev. Mounted, it covers one directory, its point: a path walk that reaches the point
 * goes on at the file system's root, and ".." at that root goes where ".." of the point does
 * (path.c). The root file system covers nothing. The RAM types, "ramfs" and "tmpfs", make a
 * new empty file system at each mount (its file pages count against the one RAM limit of
 * inode.h), freed by its umount; "proc" and "devtmpfs" have one file system each, made at
 * boot, mounted in one place at a time (Linux allows several). The table, and every field
 * here, is protected by fs_lock.
 */
#pragma once
#include "kernel/fs/inode.h"

struct fs_type {
    const char *name;
    uint32_t magic;                 /* statfs's f_type */
    bool ram;                       /* its file pages are the RAM file system's (statfs) */
    bool fixed;                     /* its names are the kernel's: no call makes, removes or
                                       renames one (-EPERM) */
    bool single;                    /* one file system of the type, not one per mount */
};

/* Every type, for /proc/filesystems. */
extern const struct fs_type fs_types[];
extern const size_t fs_type_count;

struct mount {
    const struct fs_type *type;
    struct inode *root;             /* a reference */
    struct inode *point;            /* the directory it covers (a reference), or NULL: not
                                       mounted, unless it is the root file system */
    uint32_t dev;                   /* st_dev of its nodes */
    char source[32];                /* mount(2)'s first argument, for /proc/mounts */
    struct mount *next;             /* the table, in the order mounted; the root's first */
};

/* The root directory, with the root file system (a "ramfs") made at the first call. NULL only
 * for want of memory at boot. */
struct inode *fs_root(void);

/* The file system a mount of type_name gets: a new one of a RAM type, or the one of its kind.
 * NULL with *error -ENODEV (no such type) or -ENOMEM. */
struct mount *mount_new(const char *type_name, int *error);

/* Mount fs (from mount_new) on the directory point, with source for /proc/mounts. 0, or
 * -ENOTDIR, -EPERM (point is in a fixed file system, whose names come and go with what they
 * describe), -EBUSY (fs is mounted already). A file system that was not mounted is given back
 * with mount_discard. */
int mount_attach(struct mount *fs, struct inode *point, const char *source);
void mount_discard(struct mount *fs);

/* Unmount the file system whose root is root: -EINVAL if root is none's or is the root file
 * system's, -EBUSY if something uses a node of it (an open file, a working directory) or
 * something is mounted inside it. A RAM file system is freed with its files. */
int mount_detach(struct inode *root);

/* The first file system of the table (the root's); ->next for the others. */
const struct mount *mount_table(void);

/* Where a walk that reached node goes on: the root of what is mounted on it, and on that (the
 * top of a stack of mounts). */
static inline struct inode *mount_cross(struct inode *node)
{
    while (node->covered_by)
        node = node->covered_by->root;
    return node;
}

/* Whether node is the root of a mounted file system other than the root file system: then
 * its mount's point is where paths go on above it. */
static inline bool mount_is_covering_root(const struct inode *node)
{
    return node == node->mount->root && node->mount->point;
}
