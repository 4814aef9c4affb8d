/* kernel/syscall/sys_memory.c: system calls on the address space (anonymous memory only). */
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/syscall.h"
#include "mm/phys.h"
#include "mm/vm.h"

enum {
    PROT_MASK = VM_READ | VM_WRITE | VM_EXEC,
    MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
    MAP_FIXED_NOREPLACE = 0x100000,
};
SYSCALL_DEFINE1(brk, uint64_t, addr)
{
    return (long)vm_brk(&current_process()->vm, addr);
}

SYSCALL_DEFINE6(mmap, uint64_t, addr, uint64_t, len, uint64_t, prot, uint64_t, flags, int, fd, uint64_t, offset)
{
    struct vm *vm = &current_process()->vm;
    if (offset % PAGE_SIZE)
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS))
        return fd_file(fd) ? -ENODEV : -EBADF;     /* no file can be mapped */
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_PRIVATE || (prot & ~(uint64_t)PROT_MASK) || !len)
        return -EINVAL;                     /* shared memory is not supported */
    if (len > USER_LIMIT)
        return -ENOMEM;
    len = page_up(len);
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr % PAGE_SIZE)
            return -EINVAL;
        if (addr < USER_MIN)
            return -EPERM;
        if (addr > USER_LIMIT || len > USER_LIMIT - addr)
            return -ENOMEM;
        if (!(flags & MAP_FIXED)) {
            if (vm_find_free(vm, len, addr) != addr)
                return -EEXIST;
        } else {
            long error = vm_unmap(vm, addr, len);
            if (error)
                return error;
        }
    } else {
        uint64_t hint = addr >= USER_MIN ? addr & ~(PAGE_SIZE - 1) : 0;
        addr = vm_find_free(vm, len, hint);
        if (!addr)
            return -ENOMEM;
    }
    long error = vm_map(vm, addr, len, (unsigned)prot);
    return error ? error : (long)addr;
}

SYSCALL_DEFINE2(munmap, uint64_t, addr, uint64_t, len)
{
    if (addr % PAGE_SIZE || !len || addr > USER_LIMIT || page_up(len) > USER_LIMIT - addr)
        return -EINVAL;
    return vm_unmap(&current_process()->vm, addr, page_up(len));
}

SYSCALL_DEFINE3(mprotect, uint64_t, addr, uint64_t, len, uint64_t, prot)
{
    if (addr % PAGE_SIZE || prot & ~(uint64_t)PROT_MASK)
        return -EINVAL;
    if (!len)
        return 0;
    if (addr > USER_LIMIT || page_up(len) > USER_LIMIT - addr)
        return -ENOMEM;
    return vm_protect(&current_process()->vm, addr, page_up(len), (unsigned)prot);
}
