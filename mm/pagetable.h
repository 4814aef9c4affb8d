/* mm/pagetable.h: the page-table builder. Every address space in Twofold is made with it.
 *
 * A "root" is the physical address of a top-level table (what CR3 holds). Four levels:
 * level 4 (PML4) down to level 1 (page table); a leaf at level 3 maps 1 GiB, at level 2
 * 2 MiB, at level 1 4 KiB. The kernel half (top-level slots 256..511) is shared: the kernel
 * root gets every one of its next-level tables once (pt_kernel_root_init), and every root
 * made later points at those same tables, so a kernel mapping made at any time is seen by
 * every address space. Those shared tables are never freed.
 *
 * Pure code, built for the host too (tests/host/test_pagetable.c runs it on simulated
 * memory). Functions return 0 or a negative errno (kernel/errno.h).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_PRESENT   (1ull << 0)
#define PTE_WRITE     (1ull << 1)
#define PTE_USER      (1ull << 2)
#define PTE_PWT       (1ull << 3)
#define PTE_PCD       (1ull << 4)
#define PTE_ACCESSED  (1ull << 5)
#define PTE_DIRTY     (1ull << 6)
#define PTE_HUGE      (1ull << 7)       /* PS: a leaf at level 2 or 3 */
#define PTE_GLOBAL    (1ull << 8)
#define PTE_NX        (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull
/* The permission bits a caller may ask for; PRESENT and HUGE are the builder's business. */
#define PTE_PROT_MASK (PTE_WRITE | PTE_USER | PTE_PWT | PTE_PCD | PTE_GLOBAL | PTE_NX)

enum { PAGE_SHIFT_4K = 12, PAGE_SHIFT_2M = 21, PAGE_SHIFT_1G = 30 };
enum { PT_REPLACE = 1 };                /* pt_map: a present mapping may be overwritten */

/* The kernel's root, once pt_kernel_root_init() made it. */
extern uint64_t pt_kernel_root;

/* Physical addresses at or above this are never read as tables (an exception dump may walk
 * a corrupt table; the direct map ends here). mm sets it; 0 means no limit. */
extern uint64_t pt_phys_limit;

/* Make the kernel root: a zeroed top-level table whose slots 256..511 each get a zeroed
 * next-level table. Returns 0 or -ENOMEM. */
int pt_kernel_root_init(void);

/* A new address space: its user half empty, its kernel half the shared one. One frame.
 * Returns the root, or 0 when out of memory. */
uint64_t pt_root_new(void);

/* Free an address space made by pt_root_new: every user mapping (each passed to release,
 * if not NULL), every user table, and the root. The shared kernel half is untouched. */
void pt_root_destroy(uint64_t root, void (*release)(uint64_t pa, uint64_t size, void *ctx), void *ctx);

/* Map [va, va + size) to [pa, pa + size) with pages of 1 << page_shift bytes and the
 * permissions prot (PTE_PROT_MASK bits). Intermediate tables are made as needed.
 * -EINVAL: misaligned, empty, non-canonical, crossing halves, or bad prot or page size.
 * -EEXIST: something is mapped there (unless PT_REPLACE with the same page size); a table
 *          or a page of another size in the way is -EEXIST even with PT_REPLACE.
 * -ENOMEM: no frame for a table.
 * On failure nothing this call mapped stays mapped, but pages it replaced stay replaced. */
int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot, unsigned page_shift,
           unsigned options);

/* Map a run of count 4 KiB pages from va on (page-aligned, in the user half), page i to the
 * frame frame_of(ctx, i) gives (0: none, the page is left unmapped), which gets another
 * reference (frame_share: the page is its owner's too), with prot; missing tables are made.
 * One walk from the root for each leaf table the run reaches, not one for each page. Returns
 * how many pages it went through: count, or fewer where the next page is mapped already
 * (*error -EEXIST; frame_of is not asked for it) or a table could not be made (-ENOMEM, or
 * -EEXIST for a huge page in the way). The pages before stay mapped. */
size_t pt_map_run(uint64_t root, uint64_t va, size_t count, uint64_t prot,
                  uint64_t (*frame_of)(void *ctx, size_t i), void *ctx, int *error);

/* pt_map with the largest pages (up to 1 << max_shift) that alignment allows, and 4 KiB
 * pages at the edges. */
int pt_map_largest(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot, unsigned max_shift);

/* Unmap whatever is mapped in [va, va + size) (4 KiB aligned), passing each unmapped page to
 * release (if not NULL), and free tables that become empty; pages are released and tables
 * freed only after the TLB was told (tlb_invalidate), never before. -EINVAL if the range is
 * malformed or would split a huge page; nothing is changed then. */
int pt_unmap(uint64_t root, uint64_t va, uint64_t size, void (*release)(uint64_t pa, uint64_t size, void *ctx),
             void *ctx);

/* pt_unmap for an address space being destroyed region by region, in address order, whose
 * pages lie only in its regions: a table whose span ends below next_start (the next region's
 * start; 0 for none) goes without its 512 entries being read to tell that it emptied, for
 * the earlier regions are gone already and the later ones do not reach it. (A page outside
 * every region would be lost with its table: leaked, never reused.) A huge page across an
 * edge goes whole. -EINVAL if the range is malformed or not in the user half. */
int pt_teardown(uint64_t root, uint64_t va, uint64_t size, uint64_t next_start,
                void (*release)(uint64_t pa, uint64_t size, void *ctx), void *ctx);

/* fork's copy on write: map every page of [va, va + size) (user half) that src_root maps in
 * dst_root too, with the same entry less PTE_WRITE, made read-only in src_root as well (its
 * TLB told), each page's frame shared (frame_share); dst_root's missing tables are made.
 * The range in dst_root must be empty. 0; -ENOMEM out of frames for tables, or -EINVAL
 * (malformed, or a huge page), with what was copied so far left in dst_root (the caller
 * destroys it). */
int pt_copy_cow(uint64_t src_root, uint64_t dst_root, uint64_t va, uint64_t size);

/* Set the permissions of every page in [va, va + size) to prot. -ENOENT if any page of the
 * range is unmapped, -EINVAL as pt_unmap; nothing is changed then. */
int pt_protect(uint64_t root, uint64_t va, uint64_t size, uint64_t prot);

/* Where va leads: the physical address, the effective permissions (PTE_WRITE and PTE_USER
 * only if every level grants them, PTE_NX if any level sets it, PTE_GLOBAL from the leaf)
 * and the page size. -ENOENT if unmapped, -EINVAL if non-canonical. Outputs may be NULL. */
int pt_translate(uint64_t root, uint64_t va, uint64_t *pa, uint64_t *prot, unsigned *page_shift);

/* The entries a walk for va reads, from level 4 down: path[0] is the PML4 entry. Returns how
 * many were read (it stops after a non-present entry or a leaf). */
int pt_lookup_path(uint64_t root, uint64_t va, pte_t path[4]);

/* Call visit for every leaf mapping that overlaps [start, end) (canonical addresses, end
 * exclusive, 0 meaning the top of the address space), in address order, with the leaf's
 * whole extent and its effective permissions (as pt_translate). */
typedef void (*pt_visitor)(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot);
void pt_walk(uint64_t root, uint64_t start, uint64_t end, pt_visitor visit, void *ctx);
