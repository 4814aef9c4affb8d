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
    MAP_32BIT = 0x40, MAP_FIXED_NOREPLACE = 0x100000, MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2,
};

/* Each call holds its address space's lock (vm.h) from its first look to its last change. */

SYSCALL_DEFINE1(brk, uint64_t, addr)
{
    struct vm *vm = current_process()->vm;
    uint64_t flags = vm_lock(vm);
    uint64_t end = vm_brk(vm, addr);
    vm_unlock(vm, flags);
    return (long)end;
}

static long mmap_locked(struct vm *vm, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int fd,
                        uint64_t offset)
{
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
            if (vm_find_free(vm, len, addr, 0) != addr)
                return -EEXIST;
        } else {
            long error = vm_unmap(vm, addr, len);
            if (error)
                return error;
        }
    } else {
        uint64_t hint = addr >= USER_MIN ? addr & ~(PAGE_SIZE - 1) : 0;
        /* MAP_32BIT: in the first 2 GiB, as Linux (for stacks that 32-bit code runs on). */
        addr = vm_find_free(vm, len, hint, flags & MAP_32BIT ? 1ull << 31 : 0);
        if (!addr)
            return -ENOMEM;
    }
    long error = vm_map(vm, addr, len, (unsigned)prot);
    return error ? error : (long)addr;
}

SYSCALL_DEFINE6(mmap, uint64_t, addr, uint64_t, len, uint64_t, prot, uint64_t, flags, int, fd, uint64_t, offset)
{
    struct vm *vm = current_process()->vm;
    uint64_t lock_flags = vm_lock(vm);
    long result = mmap_locked(vm, addr, len, prot, flags, fd, offset);
    vm_unlock(vm, lock_flags);
    return result;
}

SYSCALL_DEFINE2(munmap, uint64_t, addr, uint64_t, len)
{
    if (addr % PAGE_SIZE || !len || addr > USER_LIMIT || page_up(len) > USER_LIMIT - addr)
        return -EINVAL;
    struct vm *vm = current_process()->vm;
    uint64_t flags = vm_lock(vm);
    long error = vm_unmap(vm, addr, page_up(len));
    vm_unlock(vm, flags);
    return error;
}

SYSCALL_DEFINE3(mprotect, uint64_t, addr, uint64_t, len, uint64_t, prot)
{
    if (addr % PAGE_SIZE || prot & ~(uint64_t)PROT_MASK)
        return -EINVAL;
    if (!len)
        return 0;
    if (addr > USER_LIMIT || page_up(len) > USER_LIMIT - addr)
        return -ENOMEM;
    struct vm *vm = current_process()->vm;
    uint64_t flags = vm_lock(vm);
    long error = vm_protect(vm, addr, page_up(len), (unsigned)prot);
    vm_unlock(vm, flags);
    return error;
}

/* Linux's mremap for private memory: shrink in place, grow in place where the pages after
 * are free, else move (MREMAP_MAYMOVE) to a free range or to new_addr (MREMAP_FIXED, which
 * unmaps what was there). The pages move with their frames. old_len 0 (a second mapping of
 * shared memory) and MREMAP_DONTUNMAP are not supported: -EINVAL. */
static long mremap_locked(struct vm *vm, uint64_t old_addr, uint64_t old_len, uint64_t new_len, uint64_t flags,
                          uint64_t new_addr)
{
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
    if (end == r->end && end <= USER_LIMIT - more && vm_find_free(vm, more, end, 0) == end)
        return vm_map(vm, end, more, r->prot) ?: (long)old_addr;
    if (!may_move)
        return -ENOMEM;
    new_addr = vm_find_free(vm, new_len, 0, 0);
    if (!new_addr)
        return -ENOMEM;
    long error = vm_move(vm, old_addr, old_len, new_addr, new_len);
    return error ? error : (long)new_addr;
}

SYSCALL_DEFINE5(mremap, uint64_t, old_addr, uint64_t, old_len, uint64_t, new_len, uint64_t, flags,
                uint64_t, new_addr)
{
    struct vm *vm = current_process()->vm;
    uint64_t lock_flags = vm_lock(vm);
    long result = mremap_locked(vm, old_addr, old_len, new_len, flags, new_addr);
    vm_unlock(vm, lock_flags);
    return result;
}
