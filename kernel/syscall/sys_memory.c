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
    MAP_FIXED_NOREPLACE = 0x100000, MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2,
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

/* Linux's mremap for private memory: shrink in place, grow in place where the pages after
 * are free, else move (MREMAP_MAYMOVE) to a free range or to new_addr (MREMAP_FIXED, which
 * unmaps what was there). The pages move with their frames. old_len 0 (a second mapping of
 * shared memory) and MREMAP_DONTUNMAP are not supported: -EINVAL. */
SYSCALL_DEFINE5(mremap, uint64_t, old_addr, uint64_t, old_len, uint64_t, new_len, uint64_t, flags,
                uint64_t, new_addr)
{
    struct vm *vm = &current_process()->vm;
    bool fixed = flags & MREMAP_FIXED, may_move = flags & MREMAP_MAYMOVE;
    if (old_addr % PAGE_SIZE || flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED) || (fixed && !may_move))
        return -EINVAL;
    if (old_len > USER_LIMIT || new_len > USER_LIMIT)
        return -EINVAL;
    old_len = page_up(old_len);
    new_len = page_up(new_len);
    if (!old_len || !new_len)
        return -EINVAL;
    if (fixed) {
        if (new_addr % PAGE_SIZE || new_addr > USER_LIMIT - new_len)
            return -EINVAL;
        if (new_addr < old_addr + old_len && old_addr < new_addr + new_len)
            return -EINVAL;                 /* the two ranges overlap */
        long error = vm_unmap(vm, new_addr, new_len);
        if (!error && old_len > new_len)
            error = vm_unmap(vm, old_addr + new_len, old_len - new_len);
        if (!error)
            error = vm_move(vm, old_addr, old_len < new_len ? old_len : new_len, new_addr, new_len);
        return error ? error : (long)new_addr;
    }
    if (old_addr > USER_LIMIT - old_len)
        return -EFAULT;
    if (old_len >= new_len) {
        long error = old_len > new_len ? vm_unmap(vm, old_addr + new_len, old_len - new_len) : 0;
        return error ? error : (long)old_addr;
    }
    const struct vma *r = vm_region(vm, old_addr);
    if (!r || old_len > r->end - old_addr)
        return -EFAULT;
    uint64_t more = new_len - old_len, end = old_addr + old_len;
    if (end == r->end && end <= USER_LIMIT - more && vm_find_free(vm, more, end) == end)
        return vm_map(vm, end, more, r->prot) ?: (long)old_addr;
    if (!may_move)
        return -ENOMEM;
    new_addr = vm_find_free(vm, new_len, 0);
    if (!new_addr)
        return -ENOMEM;
    long error = vm_move(vm, old_addr, old_len, new_addr, new_len);
    return error ? error : (long)new_addr;
}
