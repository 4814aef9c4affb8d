/* kernel/fs/procfs.h: /proc, for busybox's ps, free, uptime and mount, and Twofold's own
 * answers: /proc/PID/cr3 (the kernel and user CR3 of that process, decoded), /proc/PID/ptdump
 * and ptdump-user (its address space as mm/ptdump.h prints it, from each table). Any process
 * may read any process's. The system's files: meminfo, uptime, cpuinfo, mounts, filesystems;
 * each process's: stat, status, cmdline, comm, maps, cr3, ptdump, ptdump-user, exe. */
#pragma once
#include "kernel/fs/file.h"
#include <stdbool.h>

struct process;

/* Whether node is /proc or a directory under it. fs_lock held. */
bool procfs_holds(const struct inode *node);

/* Make /proc and the system's files (at boot, after the root is filled). */
int procfs_init(void);

/* Make /proc/PID for p (a new process, parent's child; NULL for the first), or take it away
 * (p's pid, as p is reaped). */
int procfs_add(struct process *p, const struct process *parent);
void procfs_remove(int pid);

struct inode;

/* p now runs program, found at path (relative to its working directory): /proc/PID/exe's
 * target. fs_lock not held. */
void procfs_set_exe(struct process *p, const char *path, const struct inode *program);

/* f was opened on a /proc file: make its text now, and have f read that. 0, or -ENOMEM,
 * -ENOSPC, -ESRCH (the process it describes is gone). Without fs_lock (it takes
 * process_lock, then fs_lock). */
int procfs_open(struct file *f);
