/* arch/x86_64/backtrace.c: walk the frame-pointer chain. Only follows pointers into known
 * kernel stacks, so a corrupt chain ends the walk instead of faulting inside a panic. */
#include "arch/x86_64/backtrace.h"
#include "arch/x86_64/stacks.h"
#include "kernel/ksyms.h"
#include "kernel/printk.h"

enum { BACKTRACE_MAX_DEPTH = 32 };

void backtrace_print(uint64_t rbp)
{
    kprintf("backtrace:\n");
    for (int depth = 0; rbp && depth < BACKTRACE_MAX_DEPTH; depth++) {
        struct stack_range stack;
        /* A frame is [saved rbp, return address]: 16 bytes that must lie on one stack. */
        if (rbp % 8 || !kernel_stack_find(rbp, 16, &stack)) {
            kprintf("  (frame pointer %p is not on a kernel stack)\n", (void *)rbp);
            return;
        }
        const uint64_t *frame = (const uint64_t *)rbp;
        kprintf("  ");
        ksym_print(frame[1], true);
        kprintf("\n");
        if (frame[0] && frame[0] <= rbp) {
            kprintf("  (frame chain goes backwards at %p)\n", (void *)rbp);
            return;
        }
        rbp = frame[0];
    }
}
