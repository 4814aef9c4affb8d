/* kernel/syscall/sys_process.c: system calls about processes. */
#include "kernel/errno.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uaccess.h"

enum { PATH_MAX = 256, RUSAGE_SIZE = 144 };

long sys_getpid(uint64_t u0, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u0, (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    return current_process()->pid;          /* one thread per process: also its tid */
}

long sys_getppid(uint64_t u0, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u0, (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    struct process *parent = current_process()->parent;
    return parent ? parent->pid : 0;
}

long sys_sched_yield(uint64_t u0, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u0, (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    schedule();
    return 0;
}

long sys_fork(uint64_t u0, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u0, (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    return process_fork();
}

long sys_execve(uint64_t path, uint64_t argv, uint64_t envp, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u3, (void)u4, (void)u5;
    char kernel_path[PATH_MAX];
    long len = copy_string_from_user(kernel_path, path, sizeof kernel_path);
    if (len < 0)
        return len;
    if (len == 0)
        return -ENOENT;
    struct exec_args args = { .path = kernel_path, .argv = argv, .envp = envp };
    return exec_program(current_process(), &args);
}

long sys_exit(uint64_t status, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    process_exit((int)status, 0);
}

long sys_wait4(uint64_t pid, uint64_t status, uint64_t options, uint64_t rusage, uint64_t u4, uint64_t u5)
{
    (void)u4, (void)u5;
    /* Check the pointers first: a child must not be reaped into a bad pointer and lost. */
    static const uint8_t zeros[RUSAGE_SIZE];
    if ((status && copy_to_user(status, zeros, sizeof(int))) || (rusage && copy_to_user(rusage, zeros, RUSAGE_SIZE)))
        return -EFAULT;
    int child_status = 0;
    long result = process_wait((int)pid, &child_status, (int)options);
    if (result > 0 && status && copy_to_user(status, &child_status, sizeof child_status))
        return -EFAULT;
    return result;
}

long sys_kill(uint64_t pid, uint64_t signal, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u2, (void)u3, (void)u4, (void)u5;
    return process_kill((int)pid, (int)signal);
}
