/* mm/vm.c: user address spaces (see vm.h). */
#include "mm/vm.h"
#include "arch/x86_64/pcid.h"
#include "kernel/errno.h"
#include "mm/frame.h"
#include "mm/isolation.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include <stdbool.h>
#include <string.h>

/* Where regions chosen by the kernel (mmap without an address) go: down from here, below
 * the stack and its room to grow. */
#define VM_MMAP_TOP (USER_STACK_TOP - (1ull << 30))

/* The leaf permissions of a region's pages. x86 cannot map a user page that cannot be read,
 * so a page that allows nothing (PROT_NONE, after mprotect) keeps its frame but loses USER:
 * every access from user mode then faults, and vm_fault refuses it. */
static uint64_t pte_prot(unsigned prot)
{
    return (prot ? PTE_USER : 0) | (prot & VM_WRITE ? PTE_WRITE : 0) | (prot & VM_EXEC ? 0 : PTE_NX);
}

static bool range_ok(uint64_t start, uint64_t len)
{
    return !(start % PAGE_SIZE) && !(len % PAGE_SIZE) && len && start < USER_LIMIT
        && len <= USER_LIMIT - start;
}

static void free_frame(uint64_t pa, uint64_t size, void *ctx)
{
    (void)size, (void)ctx;
    frame_free(pa);
}

static struct vma *find(const struct vm *vm, uint64_t addr)
{
    for (struct vma *r = vm->regions; r && r->start <= addr; r = r->next)
        if (addr < r->end)
            return r;
    return NULL;
}

/* Keep the user root's top-level user slots equal to the kernel root's over [start, end):
 * after anything that may have made or freed a top-level user table. */
static void sync_user_root(struct vm *vm, uint64_t start, uint64_t end)
{
    if (vm->user_root != vm->root)
        isolation_sync_user_slots(vm->root, vm->user_root, start >> 39, (end - 1) >> 39);
}

int vm_init(struct vm *vm)
{
    *vm = (struct vm){ .root = pt_root_new() };
    if (!vm->root)
        return -ENOMEM;
    vm->user_root = isolation_on ? isolation_user_root_new() : vm->root;
    if (!vm->user_root) {
        pt_root_destroy(vm->root, NULL, NULL);
        return -ENOMEM;
    }
    vm->pcid_pair = pcid_alloc();
    vm->users = 1;
    return 0;
}

struct vm *vm_get(struct vm *vm)
{
    __atomic_add_fetch(&vm->users, 1, __ATOMIC_RELAXED);
    return vm;
}

void vm_put(struct vm *vm)
{
    if (__atomic_sub_fetch(&vm->users, 1, __ATOMIC_ACQ_REL))
        return;
    vm_destroy(vm);
    kfree(vm);
}

uint64_t vm_kernel_cr3(const struct vm *vm)
{
    return vm->root | pcid_kernel(vm->pcid_pair);
}

uint64_t vm_user_cr3(const struct vm *vm)
{
    return vm->user_root == vm->root ? vm_kernel_cr3(vm) : vm->user_root | pcid_user(vm->pcid_pair);
}

void vm_destroy(struct vm *vm)
{
    pcid_free(vm->pcid_pair);
    if (vm->user_root != vm->root)
        frame_free(vm->user_root);
    /* Pages lie only in regions: those go first, with the tables on the way to them, which
     * leaves the root's walk (for anything else) only its top level to read. */
    for (struct vma *r = vm->regions; r; r = r->next)
        pt_teardown(vm->root, r->start, r->end - r->start, r->next ? r->next->start : 0, free_frame, NULL);
    pt_root_destroy(vm->root, free_frame, NULL);
    while (vm->regions) {
        struct vma *next = vm->regions->next;
        kfree(vm->regions);
        vm->regions = next;
    }
    vm->root = vm->user_root = 0;
}

/* Insert a region, keeping the list sorted; the caller checked it overlaps nothing. */
static int insert(struct vm *vm, uint64_t start, uint64_t end, unsigned prot)
{
    struct vma *r = kmalloc(sizeof *r);
    if (!r)
        return -ENOMEM;
    struct vma **link = &vm->regions;
    while (*link && (*link)->start < start)
        link = &(*link)->next;
    *r = (struct vma){ start, end, prot, *link };
    *link = r;
    return 0;
}

/* Join each region with the next where they touch and allow the same (Linux's vma_merge):
 * what one mapping made stays one region whatever calls built it, so that mremap, which
 * takes one region, can take it. */
static void coalesce(struct vm *vm)
{
    for (struct vma *r = vm->regions; r && r->next;) {
        struct vma *next = r->next;
        if (next->start == r->end && next->prot == r->prot) {
            r->end = next->end;
            r->next = next->next;
            kfree(next);
        } else {
            r = next;
        }
    }
}

int vm_map(struct vm *vm, uint64_t start, uint64_t len, unsigned prot)
{
    if (!range_ok(start, len) || prot & ~(VM_READ | VM_WRITE | VM_EXEC))
        return -EINVAL;
    if ((prot & VM_WRITE) && (prot & VM_EXEC))
        return -EACCES;
    for (struct vma *r = vm->regions; r; r = r->next)
        if (r->start < start + len && start < r->end)
            return -EEXIST;
    int error = insert(vm, start, start + len, prot);
    if (!error)
        coalesce(vm);
    return error;
}

/* Make addr a region boundary, splitting the region around it if need be. */
static int split_at(struct vm *vm, uint64_t addr)
{
    struct vma *r = find(vm, addr);
    if (!r || r->start == addr)
        return 0;
    struct vma *upper = kmalloc(sizeof *upper);
    if (!upper)
        return -ENOMEM;
    *upper = (struct vma){ addr, r->end, r->prot, r->next };
    r->end = addr;
    r->next = upper;
    return 0;
}

int vm_unmap(struct vm *vm, uint64_t start, uint64_t len)
{
    if (!range_ok(start, len))
        return -EINVAL;
    uint64_t end = start + len;
    int error = split_at(vm, start);
    if (!error)
        error = split_at(vm, end);
    if (error)
        return error;
    for (struct vma **link = &vm->regions; *link;) {
        struct vma *r = *link;
        if (r->start >= start && r->end <= end) {
            *link = r->next;
            kfree(r);
        } else {
            link = &r->next;
        }
    }
    error = pt_unmap(vm->root, start, len, free_frame, NULL);
    sync_user_root(vm, start, end);
    return error;
}

struct reprotect {
    uint64_t root, prot;
};

static void reprotect_page(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot)
{
    (void)prot;
    struct reprotect *r = ctx;
    /* A page fork shares stays read-only: its first write copies it (vm_fault). */
    pt_protect(r->root, va, size, frame_is_shared(pa) ? r->prot & ~PTE_WRITE : r->prot);
}

int vm_protect(struct vm *vm, uint64_t start, uint64_t len, unsigned prot)
{
    if (!range_ok(start, len) || prot & ~(VM_READ | VM_WRITE | VM_EXEC))
        return -EINVAL;
    if ((prot & VM_WRITE) && (prot & VM_EXEC))
        return -EACCES;
    uint64_t end = start + len;
    for (uint64_t a = start; a < end;) {             /* every page must be in a region */
        struct vma *r = find(vm, a);
        if (!r)
            return -ENOMEM;
        a = r->end;
    }
    int error = split_at(vm, start);
    if (!error)
        error = split_at(vm, end);
    if (error)
        return error;
    for (struct vma *r = vm->regions; r; r = r->next)
        if (r->start >= start && r->end <= end)
            r->prot = prot;
    coalesce(vm);
    /* Present pages take the new permissions now; absent ones when they are first touched. */
    struct reprotect ctx = { vm->root, pte_prot(prot) };
    pt_walk(vm->root, start, end, reprotect_page, &ctx);
    return 0;
}

uint64_t vm_find_free(const struct vm *vm, uint64_t len, uint64_t hint, uint64_t top)
{
    top = top && top < VM_MMAP_TOP ? top : VM_MMAP_TOP;
    bool hint_free = hint && range_ok(hint, len) && hint + len <= top;
    for (struct vma *r = vm->regions; r && hint_free; r = r->next)
        hint_free = !(r->start < hint + len && hint < r->end);
    if (hint_free)
        return hint;
    /* Top-down: the candidate is the highest range below `top` that ends at or before a
     * region's start; regions are sorted upward, so walk them and remember the last gap. */
    uint64_t best = 0, below = 0;
    for (struct vma *r = vm->regions;; r = r->next) {
        uint64_t gap_end = r && r->start < top ? r->start : top;
        if (gap_end >= below + len && gap_end - len >= PAGE_SIZE * 16)   /* keep low memory clear */
            best = gap_end - len;
        if (!r || r->start >= top)
            return best;
        below = r->end;
    }
}

/* A frame for page va, absent until now: zeroed, with its region's permissions. */
static int give_page(struct vm *vm, const struct vma *r, uint64_t va, uint64_t *frame)
{
    uint64_t f = frame_alloc_zeroed();
    if (!f)
        return -ENOMEM;
    int error = pt_map(vm->root, va, f, PAGE_SIZE, pte_prot(r->prot), PAGE_SHIFT_4K, 0);
    if (error) {
        frame_free(f);
        return error;
    }
    sync_user_root(vm, va, va + PAGE_SIZE);
    *frame = f;
    return 0;
}

/* The frame at page va, given if absent. */
static int populate(struct vm *vm, const struct vma *r, uint64_t va, uint64_t *frame)
{
    return pt_translate(vm->root, va, frame, NULL, NULL) == 0 ? 0 : give_page(vm, r, va, frame);
}

/* A write to a present page its region allows: the page is read-only because fork shares
 * it. If it still is shared, copy it; if not (the other side has let go), just allow the write. */
static int write_shared_page(struct vm *vm, const struct vma *r, uint64_t va, uint64_t frame)
{
    if (!frame_is_shared(frame))
        return pt_protect(vm->root, va, PAGE_SIZE, pte_prot(r->prot));
    uint64_t copy = frame_alloc();
    if (!copy)
        return -ENOMEM;
    memcpy(phys_to_virt(copy), phys_to_virt(frame), PAGE_SIZE);
    int error = pt_map(vm->root, va, copy, PAGE_SIZE, pte_prot(r->prot), PAGE_SHIFT_4K, PT_REPLACE);
    if (error) {
        frame_free(copy);
        return error;
    }
    frame_free(frame);                  /* this address space's reference to the shared one */
    return 0;
}

const struct vma *vm_region(const struct vm *vm, uint64_t addr)
{
    return find(vm, addr);
}

/* Unlink region r from the list and free it (its pages are the caller's business). */
static void remove_region(struct vm *vm, struct vma *r)
{
    struct vma **link = &vm->regions;
    while (*link != r)
        link = &(*link)->next;
    *link = r->next;
    kfree(r);
}

struct page_move {
    uint64_t root, from, to, prot;
    int error;
};

/* Map the page at va again, at its place in the destination (vm_move's visitor). */
static void move_page(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot)
{
    (void)prot;
    struct page_move *m = ctx;
    if (m->error)
        return;
    /* A page fork shares stays read-only where it goes: its first write copies it. */
    uint64_t leaf = frame_is_shared(pa) ? m->prot & ~PTE_WRITE : m->prot;
    m->error = pt_map(m->root, va - m->from + m->to, pa, size, leaf, PAGE_SHIFT_4K, 0);
}

int vm_move(struct vm *vm, uint64_t from, uint64_t len, uint64_t to, uint64_t new_len)
{
    struct vma *r = find(vm, from);
    if (!r || len > r->end - from)
        return -EFAULT;
    if (!range_ok(from, len) || !range_ok(to, new_len) || new_len < len)
        return -EINVAL;
    for (const struct vma *other = vm->regions; other; other = other->next)
        if (other->start < to + new_len && to < other->end)
            return -EEXIST;
    int error = split_at(vm, from);
    if (!error)
        error = split_at(vm, from + len);
    if (!error)
        error = insert(vm, to, to + new_len, find(vm, from)->prot);
    if (error)
        return error;
    r = find(vm, from);                 /* now exactly [from, from + len) */
    /* Map the frames at their new places first, then unmap the old ones without freeing
     * them: a failure (a table that could not be had) leaves the old mapping whole. */
    struct page_move move = { vm->root, from, to, pte_prot(r->prot), 0 };
    pt_walk(vm->root, from, from + len, move_page, &move);
    if (move.error) {
        pt_unmap(vm->root, to, new_len, NULL, NULL);
        remove_region(vm, find(vm, to));
    } else {
        pt_unmap(vm->root, from, len, NULL, NULL);
        remove_region(vm, r);
    }
    sync_user_root(vm, to, to + new_len);
    sync_user_root(vm, from, from + len);
    coalesce(vm);
    return move.error;
}

/* vm_fault's work, under vm's lock. */
static int fault_locked(struct vm *vm, uint64_t addr, int access)
{
    struct vma *r = find(vm, addr);
    if (!r)
        return -EFAULT;
    unsigned needed = access == VM_ACCESS_WRITE ? VM_WRITE : access == VM_ACCESS_EXEC ? VM_EXEC : VM_READ;
    /* x86 cannot map write-only or execute-only: either makes a page readable. */
    unsigned granted = r->prot | (r->prot & (VM_WRITE | VM_EXEC) ? VM_READ : 0);
    if (!(granted & needed))
        return -EFAULT;
    uint64_t va = addr & ~(PAGE_SIZE - 1), frame;
    int error;
    if (pt_translate(vm->root, va, &frame, NULL, NULL) == 0)
        /* Present, yet the access faulted: allowed only if it is a write to a shared page. */
        error = needed == VM_WRITE ? write_shared_page(vm, r, va, frame) : -EFAULT;
    else
        error = give_page(vm, r, va, &frame);      /* absent: the look above says so */
    return error == 0 || error == -ENOMEM ? error : -EFAULT;
}

int vm_fault(struct vm *vm, uint64_t addr, int access)
{
    /* An address space with one user is changed by that thread alone, and a fault only adds
     * to it (a table is zeroed before it is linked, an entry is one store; a frame it stops
     * using is another's too): /proc, reading under the lock, sees the page come or not yet.
     * So only a shared one's faults take the lock (the page fault's cost: issue 16). */
    if (__atomic_load_n(&vm->users, __ATOMIC_ACQUIRE) == 1)
        return fault_locked(vm, addr, access);
    uint64_t flags = vm_lock(vm);
    int error = fault_locked(vm, addr, access);
    vm_unlock(vm, flags);
    return error;
}

int vm_copy_in(struct vm *vm, uint64_t va, const void *src, size_t len)
{
    const uint8_t *from = src;
    while (len) {
        struct vma *r = find(vm, va);
        uint64_t frame;
        if (!r)
            return -EFAULT;
        uint64_t page = va & ~(PAGE_SIZE - 1);
        int error = populate(vm, r, page, &frame);
        if (!error && frame_is_shared(frame)) {     /* fork shares it: this side gets a copy */
            error = write_shared_page(vm, r, page, frame);
            if (!error)
                pt_translate(vm->root, page, &frame, NULL, NULL);
        }
        if (error)
            return error;
        size_t offset = va % PAGE_SIZE, chunk = PAGE_SIZE - offset < len ? PAGE_SIZE - offset : len;
        memcpy((uint8_t *)phys_to_virt(frame) + offset, from, chunk);
        from += chunk;
        va += chunk;
        len -= chunk;
    }
    return 0;
}

size_t vm_share_pages(struct vm *vm, uint64_t va, size_t count, uint64_t (*frame_of)(void *ctx, size_t i),
                      void *ctx, int *error)
{
    const struct vma *r = find(vm, va);
    *error = r ? 0 : -EFAULT;
    if (!r)
        return 0;
    if (count > (r->end - va) / PAGE_SIZE)
        count = (r->end - va) / PAGE_SIZE;  /* the run stops at the region's end */
    size_t done = pt_map_run(vm->root, va, count, pte_prot(r->prot & ~VM_WRITE), frame_of, ctx, error);
    sync_user_root(vm, va, va + count * PAGE_SIZE);
    return done;
}

size_t vm_copy_out(const struct vm *vm, uint64_t va, void *dst, size_t len)
{
    size_t done = 0;
    while (done < len) {
        uint64_t frame;
        if (pt_translate(vm->root, page_down(va + done), &frame, NULL, NULL))
            break;                          /* not present: the copy ends here */
        size_t offset = (va + done) % PAGE_SIZE;
        size_t chunk = PAGE_SIZE - offset < len - done ? PAGE_SIZE - offset : len - done;
        memcpy((uint8_t *)dst + done, (const uint8_t *)phys_to_virt(frame) + offset, chunk);
        done += chunk;
    }
    return done;
}

int vm_fork(struct vm *dst, struct vm *src)
{
    int error = vm_init(dst);
    if (error)
        return error;
    dst->brk_start = src->brk_start;
    dst->brk = src->brk;
    struct vma **tail = &dst->regions;
    for (const struct vma *r = src->regions; r; r = r->next) {
        struct vma *copy = kmalloc(sizeof *copy);
        if (!copy) {
            vm_destroy(dst);
            return -ENOMEM;
        }
        *copy = (struct vma){ r->start, r->end, r->prot, NULL };
        *tail = copy;
        tail = &copy->next;
    }
    /* Every page shared, read-only on both sides: the first write copies it (vm_fault). The
     * user root gets the top-level slots each region spans (a few of the 256). */
    for (const struct vma *r = src->regions; r && !error; r = r->next) {
        error = pt_copy_cow(src->root, dst->root, r->start, r->end - r->start);
        sync_user_root(dst, r->start, r->end);
    }
    if (error)
        vm_destroy(dst);
    return error;
}

uint64_t vm_brk(struct vm *vm, uint64_t new_brk)
{
    /* Checked before rounding up: near 2^64 page_up would wrap to 0, a "shrink" to nothing. */
    if (new_brk < vm->brk_start || new_brk > USER_LIMIT)
        return vm->brk;
    uint64_t old_end = page_up(vm->brk), new_end = page_up(new_brk);
    if (new_end > old_end) {
        struct vma *heap = old_end > vm->brk_start ? find(vm, old_end - 1) : NULL;
        for (struct vma *r = vm->regions; r; r = r->next)
            if (r != heap && r->start < new_end && old_end < r->end)
                return vm->brk;             /* it would run into another region */
        if (heap && heap->end == old_end)
            heap->end = new_end;
        else if (vm_map(vm, old_end, new_end - old_end, VM_READ | VM_WRITE))
            return vm->brk;
    } else if (new_end < old_end && vm_unmap(vm, new_end, old_end - new_end)) {
        return vm->brk;
    }
    vm->brk = new_brk;
    return vm->brk;
}
