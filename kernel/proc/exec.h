/* kernel/proc/exec.h: replacing a process's program (execve). */
#pragma once
#include <stdint.h>

struct process;

/* Where argument and environment strings come from: user memory (execve) or the kernel
 * (the first process). */
struct exec_args {
    const char *path;               /* in kernel memory */
    uint64_t argv, envp;            /* user arrays of user strings (0: none)... */
    const char *const *kernel_argv; /* ...or, when argv is 0, a NULL-ended kernel array */
};

/* Load path (relative to p's working directory) from the file tree into a new address
 * space for p, with the System V initial stack (argc, argv, envp, auxv), and on success make
 * it p's: its old address space is freed, its registers are all zero but RIP, RSP and RFLAGS
 * (0x202), descriptors marked close-on-exec are closed. On failure p is unchanged: a
 * lookup's errors (path.h), -EACCES (not a regular file with an execute bit), -ENOEXEC
 * (with a console line saying why), -EPERM (a segment below USER_MIN, with a console line),
 * -EFAULT, -E2BIG, -ENOMEM. */
long exec_program(struct process *p, const struct exec_args *args);
