/* kernel/fs/procfs.h: the proc file system, for busybox's ps, top, free, uptime, mount and df,
 * and Twofold's own answers: /proc/PID/cr3 (the kernel and user CR3 of that process, decoded),
 * /proc/PID/ptdump and ptdump-user (its address space as mm/ptdump.h prints it, from each
 * table). Any process may read any process's. The system's files: meminfo, uptime, cpuinfo,
 * stat, loadavg, mounts, filesystems, and the link self; each process's: stat, status,
 * cmdline, comm, maps, cr3, ptdump, ptdump-user, the links exe, cwd and fd/N (one per open
 * descriptor), and task/TID/ for each of its threads (stat, status, comm). */
#pragma once
#include "kernel/fs/file.h"
#include "kernel/fs/path.h"
#include <stdbool.h>

struct process;
struct text;                            /* procfs.c's */

/* What a /proc node is (inode.h's proc), each part made when it is wanted: a file's text when
 * it is opened, a link's target when it is read, a directory's entries when it is looked in. */
struct proc_file {
    const char *name;
    void (*show)(struct text *t, struct process *p);    /* p: NULL for the system's files */
    /* The target of link node as ctx sees it, in buf (PATH_MAX bytes): its length, or
     * -ENOENT if it has none now. fs_lock held. */
    long (*link)(const struct lookup_context *ctx, const struct inode *node, char *buf);
    /* Make dir's entries what they show now: 0, or -ENOMEM. fs_lock held. */
    int (*refresh)(struct inode *dir);
};

/* Before dir is looked in or listed: its entries made current if /proc makes them (not once
 * it is removed: its owner may be gone). */
static inline int procfs_refresh(struct inode *dir)
{
    return dir->proc && dir->proc->refresh && dir->nlink ? dir->proc->refresh(dir) : 0;
}

/* Make the proc file system and its system files, at boot; rootfs mounts it on /proc. */
int procfs_init(void);

/* Make /proc/PID for p (a new process, parent's child; NULL for the first), with its first
 * thread in task/; or /proc/TGID/task/TID for a new thread (thread). Take either away, as p
 * is reaped or the thread ends (before its id can be given again). 0, or -ENOMEM. */
int procfs_add(struct process *p, const struct process *parent);
int procfs_add_thread(struct process *thread);
void procfs_remove(const struct process *p);

struct inode;

/* p now runs program, found at path (relative to its working directory): /proc/PID/exe's
 * target. fs_lock not held. */
void procfs_set_exe(struct process *p, const char *path, const struct inode *program);

/* f was opened on a /proc file: make its text now, and have f read that. 0, or -ENOMEM,
 * -ENOSPC, -ESRCH (the process it describes is gone). Without fs_lock (it takes
 * process_lock, then fs_lock). */
int procfs_open(struct file *f);
