/* kernel/syscall/sys_process.c: system calls about processes. */
#include "kernel/errno.h"
#include "kernel/fs/path.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uaccess.h"
#include <string.h>

enum { RUSAGE_SIZE = 144 };

SYSCALL_DEFINE0(getpid)
{
    return current_process()->pid;          /* one thread per process: also its tid */
}

SYSCALL_DEFINE0(getppid)
{
    struct process *parent = current_process()->parent;
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
    process_exit(status, 0);
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
    return process_kill(pid, signal, false);
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

/* One CPU: CPU 0 is every process's whole affinity. */
SYSCALL_DEFINE3(sched_getaffinity, int, pid, uint64_t, size, uint64_t, mask)
{
    const uint64_t only_cpu_0 = 1;
    if (pid < 0 || (pid && process_group_id(pid, false) < 0))
        return -ESRCH;
    if (size < sizeof only_cpu_0 || size % sizeof only_cpu_0)
        return -EINVAL;
    return copy_to_user(mask, &only_cpu_0, sizeof only_cpu_0) ? -EFAULT : (long)sizeof only_cpu_0;
}

SYSCALL_DEFINE3(sched_setaffinity, int, pid, uint64_t, size, uint64_t, mask)
{
    uint64_t wanted = 0;
    if (pid < 0 || (pid && process_group_id(pid, false) < 0))
        return -ESRCH;
    if (copy_from_user(&wanted, mask, size < sizeof wanted ? size : sizeof wanted))
        return -EFAULT;
    return wanted & 1 ? 0 : -EINVAL;    /* it must allow the one CPU there is */
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
