/* kernel/syscall/sys_socket.c: Twofold has no sockets. Making one is -EAFNOSUPPORT (no address
 * family is supported), and a socket call on a descriptor that is open is -ENOTSOCK, as Linux
 * answers for a file that is not a socket: bash, for one, asks getpeername whether its input
 * is a socket, and takes -ENOSYS for "yes". */
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/syscall/syscall.h"

SYSCALL_DEFINE0(no_address_family)
{
    return -EAFNOSUPPORT;
}

/* The calls whose first argument is a socket's descriptor. */
SYSCALL_DEFINE1(not_a_socket, int, fd)
{
    return fd_file(fd) ? -ENOTSOCK : -EBADF;
}
