/* mm/ptdump.h: an address space as text, like Linux's /sys/kernel/debug/page_tables.
 *
 * One line per run of leaf mappings that are contiguous in virtual address and have the
 * same effective permissions and page size:
 *
 *     ptdump cr3=000000000014d000
 *     ffff800000000000-ffff800000200000 2M kernel RW NX - 2M
 *     ffffffff80100000-ffffffff80105000 20K kernel ro x - 4K
 *     ptdump end
 *
 * Fields: start-end (end exclusive), size (the largest of K, M, G, T that divides it),
 * user|kernel, RW|ro, x|NX, G|- (global), page size. tools/gdb's tf-ptdump prints the same.
 */
#pragma once
#include "kernel/lib/format.h"
#include <stdint.h>

/* Print the address space whose top-level table is at root: a table's address, not a CR3
 * value (whose low 12 bits may be a PCID; vm.root and vm.user_root are the tables). */
void ptdump(uint64_t root, format_sink sink, void *ctx);
