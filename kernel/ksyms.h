/* kernel/ksyms.h: kernel symbol names for addresses in the kernel's text.
 *
 * The table is made at build time from the first link's symbols (tools/ksyms.sh) and linked
 * in a second time, last in .rodata, so it moves no code; until then it is empty.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* The function holding addr: its name and addr's offset in it. False outside kernel text. */
bool ksym_lookup(uint64_t addr, const char **name, uint64_t *offset);

/* Print "ffffffff80101234 <name+0x12>" (or just the address) on the console. For a return
 * address, pass is_return so the call site's function is named even after a noreturn call. */
void ksym_print(uint64_t addr, bool is_return);
