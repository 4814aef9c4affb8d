/* kernel/errno.h: error numbers, with Linux's x86-64 values (user programs see them as the
 * negative return of a system call). Kernel functions return them negated, as Linux does. */
#pragma once

#define EPERM     1
#define ENOENT    2
#define ESRCH     3
#define EINTR     4
#define EIO       5
#define ENXIO     6
#define E2BIG     7
#define ENOEXEC   8
#define EBADF     9
#define ECHILD   10
#define EAGAIN   11
#define ENOMEM   12
#define EACCES   13
#define EFAULT   14
#define EBUSY    16
#define EEXIST   17
#define EXDEV    18
#define ENODEV   19
#define ENOTDIR  20
#define EISDIR   21
#define EINVAL   22
#define EMFILE   24
#define ENOTTY   25
#define EFBIG    27
#define ENOSPC   28
#define ESPIPE   29
#define EROFS    30
#define EMLINK   31
#define EPIPE    32
#define ERANGE   34
#define ENAMETOOLONG 36
#define ENOSYS   38
#define ENOTEMPTY 39
#define ELOOP    40
#define EOVERFLOW 75
#define ENOTSOCK 88
#define EOPNOTSUPP 95
#define EAFNOSUPPORT 97
#define ETIMEDOUT 110

/* The kernel's own, never seen by user mode: a system call a signal cut short (on the way
 * out, signal_deliver turns them into a restart of the call or into -EINTR: signal.h), and
 * an ioctl passed on. */
#define ERESTARTSYS           512   /* restart if the handler has SA_RESTART, else -EINTR */
#define ERESTARTNOINTR        513   /* always restart */
#define ERESTARTNOHAND        514   /* restart if no handler runs, else -EINTR */
#define ENOIOCTLCMD           515   /* an ioctl this layer does not know: another may */
#define ERESTART_RESTARTBLOCK 516   /* as ERESTARTNOHAND, through restart_syscall */
