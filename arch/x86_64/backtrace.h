/* arch/x86_64/backtrace.h: a call chain from frame pointers (the kernel keeps them). */
#pragma once
#include <stdint.h>

/* Print the return addresses up the RBP chain from rbp, with symbol names. Stops at a zero
 * frame pointer (boot/start.asm clears RBP), or one that leaves the kernel stacks. */
void backtrace_print(uint64_t rbp);
