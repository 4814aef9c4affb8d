/* kernel/fs/inode.h: the nodes of the file tree (Linux's inodes) and the RAM file system
 * that holds them (Linux's ramfs, as its rootfs).
 *
 * A node is a directory, a regular file, a symbolic link or a character device. A directory
 * lists its entries (name -> node) in the order they were made, each with a position that
 * never changes (getdents64's offsets stay valid while entries come and go); a regular
 * file's bytes are in whole frames reached through a two-level table (a missing frame reads
 * as zeros), a link holds its target, a device its number.
 *
 * A node lives while a directory entry names it (nlink) or something holds a reference
 * (refs: open files, working directories, a program being loaded). The last of both frees
 * it and its frames. Everything here, every node and every entry, is protected by fs_lock:
 * callers take it around a lookup and whatever they do with its result. Nothing here
 * sleeps, so the lock is never held across a context switch; it is held across user copies
 * of file data (uaccess faults do not sleep either).
 */
#pragma once
#include "kernel/spinlock.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* st_mode's type bits, Linux's values. */
#define S_IFMT   0170000u
#define S_IFSOCK 0140000u
#define S_IFLNK  0120000u
#define S_IFREG  0100000u
#define S_IFDIR  0040000u
#define S_IFCHR  0020000u
#define S_IFIFO  0010000u
#define S_ISUID  04000u
#define S_ISGID  02000u
#define S_ISVTX  01000u
#define S_IS_TYPE(mode, type) (((mode) & S_IFMT) == (type))

enum { NAME_MAX = 255, PATH_MAX = 4096 };

/* Access to check (access(2)'s bits). */
enum { MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4 };

struct dir_entry {
    struct dir_entry *next;         /* in the order made */
    struct inode *node;
    uint64_t position;              /* getdents64's offset of this entry; 0, 1: ".", ".." */
    uint8_t name_len;
    char name[];                    /* name_len bytes and a NUL */
};

struct proc_file;                       /* kernel/fs/procfs.h */
struct mount;                           /* kernel/fs/mount.h */
struct process;

struct timestamp {
    int64_t sec;
    int64_t nsec;
};

struct inode {
    uint64_t ino;                   /* unique while the system runs */
    uint32_t mode;                  /* S_IF* | permission bits */
    uint32_t uid, gid;
    uint32_t nlink;                 /* directory entries naming it (a directory: 2 + subdirs) */
    uint32_t refs;                  /* references held by open files, cwds, exec */
    uint64_t size;                  /* bytes: a file's, a link's target's; a directory: 0 */
    uint32_t rdev;                  /* a device: (major << 8) | minor */
    struct timestamp atime, mtime, ctime;
    struct mount *mount;            /* the file system it is in */
    struct mount *covered_by;       /* a directory: what is mounted on it, or NULL */
    /* A directory: what ".." names (a file system's root: itself; a removed directory:
     * itself). Any other node: the directory of its newest name, for /proc/PID/fd's links;
     * NULL once that name is gone. */
    struct inode *parent;
    union {
        struct {                    /* a directory */
            struct dir_entry *entries;
            uint64_t next_position;
        } dir;
        uint64_t page_table;        /* a regular file: frame of 512 frames of 512 data frames */
        char *target;               /* a link: size bytes and a NUL; NULL: made when it is
                                       read (proc below) */
    };
    /* A /proc node: what makes its text when it is opened, its target when it is read, or
     * its entries when it is looked in (procfs.h), and whose it is (pid 0: the system's). The
     * owner, and fd, for what shows a process's working directory and descriptors: valid while
     * the node is in /proc (nlink > 0), which it leaves before the process is freed. */
    const struct proc_file *proc;
    int proc_pid;
    struct process *proc_owner;
    int proc_fd;
};

/* The one lock of the file tree (see above). */
extern struct spinlock fs_lock;

/* A new file system's root directory, in fs (not named by anything; one reference, fs's).
 * NULL for want of memory. */
struct inode *ramfs_new_root(struct mount *fs);

/* Remove everything under dir (nothing in it is mounted on). */
void ramfs_empty(struct inode *dir);

/* Empty the tree under root (a file system nothing uses any more) and free it with root,
 * whose reference was the caller's. */
void ramfs_free_tree(struct inode *root);

/* Limit the RAM file system to max_pages pages of file data: a write or truncate past it
 * gets -ENOSPC. ramfs_pages_used() is what files hold now. */
void ramfs_set_limit(uint64_t max_pages);
uint64_t ramfs_pages_limit(void);
uint64_t ramfs_pages_used(void);

/* The entry of dir named name (len bytes, not "." or ".."), or NULL. */
struct dir_entry *ramfs_find(const struct inode *dir, const char *name, size_t len);

/* A new node of mode (its type included; a device with rdev, a link with the target_len bytes
 * at target) named name in dir, owned by uid and gid; *out is it. 0, or -EEXIST (the name is
 * taken), -ENOENT (dir was removed), -ENOMEM, -ENAMETOOLONG (a name over NAME_MAX or a target
 * over PATH_MAX - 1). */
int ramfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode, uint32_t uid,
                 uint32_t gid, uint32_t rdev, const char *target, size_t target_len, struct inode **out);

/* A link's new target (len bytes): 0, -ENAMETOOLONG or -ENOMEM (the old one is kept). */
int ramfs_set_target(struct inode *link, const char *target, size_t len);

/* A regular file in fs that no directory names, with one reference (the caller's): a /proc
 * file's text while it is open. NULL for want of memory. */
struct inode *ramfs_new_file(struct mount *fs, uint32_t mode);

/* Another name, in dir, for node (not a directory). 0, -EEXIST, -EXDEV (dir is in another
 * file system) or -ENOMEM. */
int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *node);

/* Remove the entry name from dir. A directory must be empty (else -ENOTEMPTY) and have
 * nothing mounted on it (else -EBUSY); want_dir says which kind the caller removes (unlink:
 * -EISDIR for a directory; rmdir: -ENOTDIR for anything else). 0, or -ENOENT. */
int ramfs_unlink(struct inode *dir, const char *name, size_t len, bool want_dir);

/* rename(2) within one file system: from_dir's entry from_name becomes to_dir's to_name,
 * replacing what that names (a directory only by an empty directory, a non-directory only by
 * a non-directory); with exchange (RENAME_EXCHANGE), the two entries, both there, trade
 * nodes. A directory cannot move under itself (-EINVAL), nor one with a mount on it, nor
 * across file systems (-EXDEV). 0 or a negative errno. */
int ramfs_rename(struct inode *from_dir, const char *from_name, size_t from_len,
                 struct inode *to_dir, const char *to_name, size_t to_len, bool exchange);

/* The entry of dir that names node, or NULL. */
struct dir_entry *ramfs_entry_of(const struct inode *dir, const struct inode *node);

/* The first entry of dir at position or after, or NULL at the end. */
struct dir_entry *ramfs_entry_from(const struct inode *dir, uint64_t position);

/* The frame (its kernel address) holding bytes [index * 4096, +4096) of a regular file, or
 * NULL if none: with create, a zeroed one is added (NULL: -ENOSPC or -ENOMEM, in *error). */
void *ramfs_page(struct inode *file, uint64_t index, bool create, int *error);

/* Make a regular file size bytes long: frames past the end are freed, and the rest of the
 * last page is zeroed so that growing the file again reads zeros. 0, or -EFBIG. */
int ramfs_truncate(struct inode *file, uint64_t size);

/* The largest regular file: what the two-level table reaches. */
#define RAMFS_MAX_FILE_SIZE (512ull * 512 * 4096)

/* A reference to node, and its drop: the last one of a node no entry names frees it. */
void inode_get(struct inode *node);
void inode_put(struct inode *node);

/* Whether a process with uid and gid may access node as mask says (MAY_*): the owner's,
 * group's or others' bits; uid 0 may read and write anything, and execute anything with an
 * execute bit (or search any directory). */
bool inode_permitted(const struct inode *node, uint32_t uid, uint32_t gid, unsigned mask);

/* Stamp the times mask says (1: atime, 2: mtime, 4: ctime) with now (wall-clock ns). */
enum { TIME_ACCESS = 1, TIME_MODIFY = 2, TIME_CHANGE = 4 };
void inode_touch(struct inode *node, unsigned mask);
