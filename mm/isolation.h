/* mm/isolation.h: page-table isolation (Linux's PTI, XNU's doublemap): a second top-level
 * table per process for user mode, which maps the process's user half and, of the kernel,
 * only the entry area (the code and data the doors need before they load the kernel CR3).
 *
 * With isolation on, every address space is two roots: the kernel root (the user half and
 * the whole shared kernel half) and the user root. Both point their user-half slots at the
 * same lower tables, so a user mapping made once shows in both (vm.c keeps the top-level
 * slots in step). With it off, the user root is the kernel root.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

extern bool isolation_on;

/* Build the entry area's tables (once, at boot) and turn isolation on or off. Also decides
 * whether the kernel root's user slots carry NX: without SMEP, that is what keeps the kernel
 * from running user code. Panics if memory is short. */
void isolation_init(bool on, bool cpu_has_smep);

/* A user root: empty user half, the entry area in the kernel half. 0 when out of memory. */
uint64_t isolation_user_root_new(void);

/* Copy the kernel root's user-half top-level slots [first, last] to the user root. */
void isolation_sync_user_slots(uint64_t kernel_root, uint64_t user_root, unsigned first, unsigned last);

/* Whether va lies in the entry area (what a user root may map of the kernel half). */
bool isolation_in_entry_area(uint64_t va);
