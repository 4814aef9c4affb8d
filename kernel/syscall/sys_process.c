/* kernel/syscall/sys_process.c: system calls about processes. */
#include "kernel/errno.h"
#include "kernel/fs/path.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/futex.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uaccess.h"
#include <string.h>

enum { RUSAGE_SIZE = 144 };

SYSCALL_DEFINE0(getpid)
{
    return current_process()->tgid;
}

SYSCALL_DEFINE0(gettid)
{
    return current_process()->pid;
}

SYSCALL_DEFINE0(getppid)
{
    struct process *parent = current_process()->leader->parent;
    return parent ? parent->pid : 0;
}

SYSCALL_DEFINE0(sched_yield)
{
    schedule();
    return 0;
}

SYSCALL_DEFINE0(fork)
{
    return process_clone(&(struct clone_request){ .flags = SIGCHLD });
}

SYSCALL_DEFINE0(vfork)
{
    return process_clone(&(struct clone_request){ .flags = CLONE_VM | CLONE_VFORK | SIGCHLD });
}

/* x86-64's argument order: flags, stack, parent_tid, child_tid, tls. */
SYSCALL_DEFINE5(clone, uint64_t, flags, uint64_t, stack, uint64_t, parent_tid, uint64_t, child_tid,
                uint64_t, tls)
{
    struct clone_request request = { flags, stack, parent_tid, child_tid, tls };
    return process_clone(&request);
}

SYSCALL_DEFINE3(execve, uint64_t, path, uint64_t, argv, uint64_t, envp)
{
    long error;
    char *kernel_path = copy_path_from_user(path, &error);
    if (!kernel_path)
        return error;
    struct exec_args args = { .path = kernel_path, .argv = argv, .envp = envp };
    error = *kernel_path ? exec_program(current_process(), &args) : -ENOENT;
    path_buffer_free(kernel_path);
    return error;
}

SYSCALL_DEFINE1(exit, int, status)
{
    process_thread_exit(status);
}

SYSCALL_DEFINE1(exit_group, int, status)
{
    process_exit(status, 0);
}

SYSCALL_DEFINE6(futex, uint64_t, addr, int, op, uint32_t, val, uint64_t, timeout, uint64_t, addr2, uint32_t, val3)
{
    return futex(addr, op, val, timeout, addr2, val3);
}

/* set_robust_list(2): where the caller's list of robust locks is, for its exit (futex.h);
 * len must be the head's size (24), as Linux checks. */
SYSCALL_DEFINE2(set_robust_list, uint64_t, head, uint64_t, len)
{
    enum { ROBUST_HEAD_SIZE = 24 };
    if (len != ROBUST_HEAD_SIZE)
        return -EINVAL;
    struct process *self = current_process();
    self->robust_list = head;
    self->robust_list_len = len;
    return 0;
}

/* get_robust_list(2): thread pid's (0: the caller's) head and its length. */
SYSCALL_DEFINE3(get_robust_list, int, pid, uint64_t, head_out, uint64_t, len_out)
{
    uint64_t flags = process_lock_take();
    struct process *p = pid ? process_find_locked(pid) : current_process();
    uint64_t head = p ? p->robust_list : 0, len = p ? p->robust_list_len : 0;
    process_lock_drop(flags);
    if (!p)
        return -ESRCH;
    if (copy_to_user(head_out, &head, sizeof head) || copy_to_user(len_out, &len, sizeof len))
        return -EFAULT;
    return 0;
}

SYSCALL_DEFINE4(wait4, int, pid, uint64_t, status, int, options, uint64_t, rusage)
{
    /* Check the pointers first: a child must not be reaped into a bad pointer and lost. */
    static const uint8_t zeros[RUSAGE_SIZE];
    if ((status && copy_to_user(status, zeros, sizeof(int))) || (rusage && copy_to_user(rusage, zeros, RUSAGE_SIZE)))
        return -EFAULT;
    int child_status = 0;
    long result = process_wait(pid, &child_status, options);
    if (result > 0 && status && copy_to_user(status, &child_status, sizeof child_status))
        return -EFAULT;
    return result;
}

SYSCALL_DEFINE2(kill, int, pid, int, signal)
{
    return process_kill(pid, signal, 0);
}

SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
    return process_setpgid(pid, pgid);
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
    return process_group_id(pid, false);
}

SYSCALL_DEFINE0(getpgrp)
{
    return process_group_id(0, false);
}

SYSCALL_DEFINE0(setsid)
{
    return process_setsid();
}

SYSCALL_DEFINE1(getsid, int, pid)
{
    return process_group_id(pid, true);
}

/* The CPUs pid (0: the caller) may run on, as Linux's mask of longs: size must hold one long
 * (a multiple of it); the return is the bytes written. */
SYSCALL_DEFINE3(sched_getaffinity, int, pid, uint64_t, size, uint64_t, mask)
{
    if (size < sizeof(uint64_t) || size % sizeof(uint64_t))
        return -EINVAL;
    uint64_t flags = process_lock_take();
    struct process *p = pid ? process_find_locked(pid) : current_process();
    uint64_t cpus = p ? p->affinity : 0;
    process_lock_drop(flags);
    if (!p)
        return -ESRCH;
    return copy_to_user(mask, &cpus, sizeof cpus) ? -EFAULT : (long)sizeof cpus;
}

/* Bits past the first long name CPUs Twofold cannot have: they are ignored, as Linux ignores
 * bits past its CPUs. -EINVAL if no CPU that is up is left. */
SYSCALL_DEFINE3(sched_setaffinity, int, pid, uint64_t, size, uint64_t, mask)
{
    uint64_t wanted = 0;
    if (copy_from_user(&wanted, mask, size < sizeof wanted ? size : sizeof wanted))
        return -EFAULT;
    if (pid == 0 || pid == current_process()->pid)
        return sched_set_affinity(current_process(), wanted);
    uint64_t flags = process_lock_take();
    struct process *p = process_find_locked(pid);
    long result = p && p->state != PROCESS_ZOMBIE ? sched_set_affinity(p, wanted) : -ESRCH;
    process_lock_drop(flags);
    return result;
}

/* getcpu(2): the CPU the caller runs on (it may move right after) and its NUMA node (0: there
 * is one). The third argument, a cache, has been unused since Linux 2.6.24. */
SYSCALL_DEFINE2(getcpu, uint64_t, cpu, uint64_t, node)
{
    unsigned here = this_cpu()->id, zero = 0;
    if ((cpu && copy_to_user(cpu, &here, sizeof here)) || (node && copy_to_user(node, &zero, sizeof zero)))
        return -EFAULT;
    return 0;
}

/* prctl(2): the name (comm, as /proc and ps show it: 15 bytes and a NUL) the process goes by,
 * which busybox sets to the applet it runs. Other options are -EINVAL. */
SYSCALL_DEFINE2(prctl, int, option, uint64_t, arg)
{
    enum { PR_SET_NAME = 15, PR_GET_NAME = 16 };
    struct process *self = current_process();
    char name[sizeof self->name];
    switch (option) {
    case PR_SET_NAME: {
        long len = copy_string_from_user(name, arg, sizeof name);
        if (len == -EFAULT)
            return -EFAULT;
        name[sizeof name - 1] = '\0';       /* a longer one is cut, as on Linux */
        memcpy(self->name, name, sizeof name);
        return 0;
    }
    case PR_GET_NAME:
        return copy_to_user(arg, self->name, sizeof self->name);
    default:
        return -EINVAL;
    }
}
