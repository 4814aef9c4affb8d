/* kernel/fs/path.h: finding a node by its path name (Linux's path walk), and a directory's
 * path back from its node (getcwd).
 *
 * A path is absolute (from the root) or relative (from a start directory: the working
 * directory, or an *at call's directory descriptor). Components are separated by one or more
 * slashes; "." is the directory itself, ".." its parent (the root's is the root). Symbolic
 * links are followed where they appear in the middle of a path, and at its end when asked
 * or when a slash follows; at most LINKS_MAX of them in one lookup (-ELOOP). Each directory
 * walked through must be searchable (-EACCES), each component at most NAME_MAX bytes
 * (-ENAMETOOLONG), each non-final component a directory (-ENOTDIR), and a path ending in a
 * slash must name a directory (-ENOTDIR). Callers hold fs_lock; no reference is taken.
 */
#pragma once
#include "kernel/fs/inode.h"

enum { LINKS_MAX = 40 };            /* Linux's MAXSYMLINKS */

struct lookup_context {
    struct inode *root;             /* what "/" names */
    struct inode *start;            /* where a relative path begins */
    uint32_t uid, gid;              /* whose search permission is checked */
    int pid;                        /* who looks: what /proc/self names */
};

/* A link's target as ctx sees it: *target, of the returned length. /proc/self's is ctx's pid,
 * written into self (12 bytes). */
size_t path_link_target(const struct lookup_context *ctx, const struct inode *link, char self[12],
                        const char **target);

/* The node path names (a NUL-terminated kernel string): *out. follow_last: a symbolic link
 * at the end is followed (stat), or is the answer (lstat). 0 or a negative errno; an empty
 * path is -ENOENT. */
int path_lookup(const struct lookup_context *ctx, const char *path, bool follow_last, struct inode **out);

/* What the last component of a path is, for the calls that make or remove a name. */
enum last_kind {
    LAST_NAME,                      /* a name the directory may hold */
    LAST_DOT,                       /* "." */
    LAST_DOTDOT,                    /* ".." */
    LAST_ROOT,                      /* nothing: the path is "/" (or "//"...) */
};

struct path_last {
    struct inode *dir;              /* the directory holding it (for LAST_ROOT: the root) */
    const char *name;               /* inside the path; not NUL-terminated */
    size_t len;
    enum last_kind kind;
    bool trailing_slash;            /* the path ended in "/": it must be a directory */
};

/* Split path into the directory its last component is in (walked, links followed) and that
 * component. 0 or a negative errno (-ENOENT for an empty path, -ENAMETOOLONG for a last
 * component over NAME_MAX). */
int path_parent(const struct lookup_context *ctx, const char *path, struct path_last *last);

/* The absolute path of directory dir from ctx's root, NUL-terminated in buf (size bytes).
 * Its length with the NUL, or -ERANGE (too small), or -ENOENT (dir was removed). */
long path_of(const struct lookup_context *ctx, const struct inode *dir, char *buf, size_t size);
