/* arch/x86_64/trap.c: what happens on a trap. For now every trap is a CPU exception taken in
 * kernel mode, which is a kernel bug: report it and stop. */
#include "arch/x86_64/trap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/stacks.h"
#include "kernel/panic.h"

void trap_dispatch(struct trap_frame *frame)
{
    trap_dump(frame);
    /* A push into a stack's guard page faults, and the CPU cannot push the #PF frame on the
     * same stack either: that becomes a #DF, which runs on its own IST stack. */
    bool stack_fault = frame->vector == VEC_DOUBLE_FAULT || frame->vector == VEC_PAGE_FAULT;
    if (stack_fault && stack_guard_contains(read_cr2()))
        panic_from_frame(frame->rbp, "kernel stack overflow (fault at %p, in a stack guard page)",
                         (void *)read_cr2());
    panic_from_frame(frame->rbp, "%s in kernel mode", exception_name(frame->vector));
}
