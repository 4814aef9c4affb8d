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
 * slash must name a directory (-ENOTDIR). A directory something is mounted on is passed
 * through to the root of what is mounted (mount.h). Callers hold fs_lock; no reference is
 * taken.
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

/* A buffer of PATH_MAX bytes (a page), empty, or NULL for want of memory; and its release
 * (NULL is ignored). */
char *path_buffer_alloc(void);
void path_buffer_free(char *path);

/* A link's target as ctx sees it: *target, of the returned length, or -ENOENT, -ENOMEM. A
 * link of /proc whose target is made as it is read (/proc/self is ctx's pid) has it made in
 * a path buffer, *made, for the caller to free (else *made is NULL). */
long path_link_target(const struct lookup_context *ctx, const struct inode *link, const char **target,
                      char **made);

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

/* Split path into the directory its last component is in (walked, links followed, and its
 * entries made current if /proc makes them) and that component. 0 or a negative errno
 * (-ENOENT for an empty path, -ENAMETOOLONG for a last component over NAME_MAX, -ENOMEM). */
int path_parent(const struct lookup_context *ctx, const char *path, struct path_last *last);

/* The absolute path of node from ctx's root, NUL-terminated in buf (size bytes): a
 * directory's, or a name of another node in the directory of its newest name. Its length
 * with the NUL, or -ERANGE (too small), or -ENOENT (node was removed, or that name was). */
long path_of(const struct lookup_context *ctx, const struct inode *node, char *buf, size_t size);
