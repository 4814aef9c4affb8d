/* mm/vm.h: a process's user address space: its page tables and the regions (VMAs) where
 * it may have memory.
 *
 * A region grants read, write or execute (never write and execute together: W^X holds in
 * every address space). Pages are given on first touch (vm_fault), zeroed; what exec loads
 * is the program file's own pages (vm_share_pages), or written in with vm_copy_in where a page
 * holds only part of them. Every user page is 4 KiB and mapped USER.
 */
#pragma once
#include "kernel/spinlock.h"
#include "mm/layout.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { VM_READ = 1, VM_WRITE = 2, VM_EXEC = 4 };        /* as PROT_READ/WRITE/EXEC */
enum { VM_ACCESS_READ = 0, VM_ACCESS_WRITE = 1, VM_ACCESS_EXEC = 2 };


struct vma {
    uint64_t start, end;            /* page-aligned, [start, end) */
    unsigned prot;                  /* VM_READ | VM_WRITE | VM_EXEC */
    struct vma *next;               /* the list is sorted by address, regions never overlap */
};

/* One address space, which several processes may share (threads, a vfork child). Its lock
 * protects the regions, the page tables and the heap's end against the others that use it:
 * every system call on it, every fault in it, fork's copy of it and /proc's reads take it;
 * a vm only one process can reach yet (exec's new one) needs none. Lock order: after
 * process_lock and fs_lock, before the allocators'. */
struct vm {
    struct spinlock lock;
    int users;                      /* atomic: the processes that have it (vm_put) */
    uint64_t root;                  /* the kernel root: what the kernel runs on (pagetable.h) */
    uint64_t user_root;             /* what user mode runs on: root itself unless isolated */
    struct vma *regions;
    uint64_t brk_start, brk;        /* the heap region is [brk_start, page-up(brk)) */
    uint16_t pcid_pair;             /* arch/x86_64/pcid.h; 0 without PCIDs */
};

/* The values to load into CR3: the kernel root and the user root, with their PCIDs. */
uint64_t vm_kernel_cr3(const struct vm *vm);
uint64_t vm_user_cr3(const struct vm *vm);

/* An empty address space with one user: with isolation on (mm/isolation.h) two roots, else
 * one. 0, or -ENOMEM. */
int vm_init(struct vm *vm);

/* Free every page, table and region, and the roots. Neither may be loaded in CR3. */
void vm_destroy(struct vm *vm);

/* One more process uses vm; one fewer does: the last one's put destroys it and frees the
 * struct, which came from kmalloc. */
struct vm *vm_get(struct vm *vm);
void vm_put(struct vm *vm);

static inline uint64_t vm_lock(struct vm *vm) { return spin_lock(&vm->lock); }
static inline void vm_unlock(struct vm *vm, uint64_t flags) { spin_unlock(&vm->lock, flags); }

/* Make dst a copy of src: the same regions and pages. Pages are shared, read-only in both,
 * until either side writes one: that write copies it (copy on write). */
int vm_fork(struct vm *dst, struct vm *src);

/* Add the region [start, start + len) (page-aligned; nothing mapped there yet).
 * -EINVAL if misaligned, empty or past USER_LIMIT, -EACCES for write with execute,
 * -EEXIST if a region is in the way, -ENOMEM. */
int vm_map(struct vm *vm, uint64_t start, uint64_t len, unsigned prot);

/* Remove whatever regions and pages lie in [start, start + len). -EINVAL if misaligned. */
int vm_unmap(struct vm *vm, uint64_t start, uint64_t len);

/* Give [start, start + len) the permissions prot. -ENOMEM if part of it is no region (as
 * Linux), -EACCES for write with execute, -EINVAL if misaligned. */
int vm_protect(struct vm *vm, uint64_t start, uint64_t len, unsigned prot);

/* A free, page-aligned range of len bytes below top (0: below the stack and its room to
 * grow): at hint if it is free there, else the highest one. 0 if there is none. */
uint64_t vm_find_free(const struct vm *vm, uint64_t len, uint64_t hint, uint64_t top);

/* The region that holds addr, or NULL (a fault in a region is one of permission, not of
 * mapping). */
const struct vma *vm_region(const struct vm *vm, uint64_t addr);

/* mremap's move: the pages of [from, from + len), which must lie in one region (-EFAULT),
 * go to [to, to + new_len), where no region may be (-EEXIST), as a region of their own
 * with the same permissions, new_len >= len bytes long (the rest is given on first touch).
 * The frames move with the pages: nothing is copied. -EINVAL if misaligned, -ENOMEM; on
 * failure the old mapping is whole. */
int vm_move(struct vm *vm, uint64_t from, uint64_t len, uint64_t to, uint64_t new_len);

/* The page fault at addr (an access of VM_ACCESS_*) in this address space: 0 if a page was
 * given or a shared page copied (retry the access), -EFAULT if the access is not allowed,
 * -ENOMEM if it is but no frame was left for it. Takes vm's lock where others share vm (a
 * fault comes from anywhere); the other calls here leave the lock to their callers. */
int vm_fault(struct vm *vm, uint64_t addr, int access);

/* Write len bytes from kernel memory into [va, va + len), which must lie in regions,
 * whatever their permissions (exec uses it to load programs, clone a child's tid). A page
 * fork shares gets this address space's own copy first. 0, -EFAULT or -ENOMEM. */
int vm_copy_in(struct vm *vm, uint64_t va, const void *src, size_t len);

/* Map a run of count pages from page va on (up to the end of va's region), which must hold
 * no page yet, page i to frame_of(ctx, i) (0: none; a page of a program's file), each frame
 * getting another reference (pt_map_run), with the region's permissions but never writable:
 * a write copies it, as one to a page fork shares. exec uses it for its whole pages of the
 * file, which it then neither copies nor allocates, in one walk of the page tables. Returns
 * how many pages it went through: fewer than count where the region ends (*error 0), the next
 * page is mapped already (-EEXIST) or a table could not be made (-ENOMEM); 0 and -EFAULT if
 * va is in no region. */
size_t vm_share_pages(struct vm *vm, uint64_t va, size_t count, uint64_t (*frame_of)(void *ctx, size_t i),
                      void *ctx, int *error);

/* Read up to len bytes at va of vm, which need not be the one running (/proc reads another
 * process's arguments): what is present, up to the first page that is not. The count. */
size_t vm_copy_out(const struct vm *vm, uint64_t va, void *dst, size_t len);

/* The heap: set its end to new_brk if that is allowed, and return the end in force (Linux's
 * brk semantics: failure returns the old end). new_brk 0 only asks. */
uint64_t vm_brk(struct vm *vm, uint64_t new_brk);
