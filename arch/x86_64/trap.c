/* arch/x86_64/trap.c: what happens on a trap (entry.asm built the frame).
 *
 * From user mode: a page fault the address space can serve gives a page; any other
 * exception ends that process alone, with the signal Linux would send. In kernel mode: a
 * fault in a user-memory copy is recovered (uaccess.c); anything else is a kernel bug and
 * panics with a dump.
 */
#include "arch/x86_64/trap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/drivers/irq.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/stacks.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uaccess.h"
#include "mm/vm.h"

static int signal_for(uint64_t vector)
{
    switch (vector) {
    case 0: case 16: case 19: return SIGFPE;            /* #DE, #MF, #XM */
    case 1: case 3: return SIGTRAP;                     /* #DB, #BP */
    case 6: return SIGILL;                              /* #UD */
    case 7: return SIGFPE;                              /* #NM: no FPU state to give */
    case 11: case 12: case 17: return SIGBUS;           /* #NP, #SS, #AC */
    default: return SIGSEGV;                            /* #GP, #PF, #OF, #BR, ... */
    }
}

/* An exception in user mode (or on the IRET back to it): give a page, or end the process. */
static void user_exception(struct trap_frame *frame)
{
    struct process *self = current_process();
    uint64_t address = read_cr2();
    if (frame->vector == VEC_PAGE_FAULT && trap_from_user(frame)) {
        int access = frame->error_code & PF_FETCH ? VM_ACCESS_EXEC
                   : frame->error_code & PF_WRITE ? VM_ACCESS_WRITE : VM_ACCESS_READ;
        int error = vm_fault(&self->vm, address, access);
        if (error == -ENOMEM)
            process_out_of_memory();
        if (error != -EFAULT) {             /* a page, or a pending SIGKILL */
            process_before_user_return();
            return;
        }
    }
    int signal = signal_for(frame->vector);
    kprintf("pid %d (%s): %s at rip %016lx", self->pid, self->name, exception_name(frame->vector), frame->rip);
    if (frame->vector == VEC_PAGE_FAULT)
        kprintf(", %s address %016lx (%s)", frame->error_code & PF_FETCH ? "fetch from"
                : frame->error_code & PF_WRITE ? "write to" : "read from", address,
                frame->error_code & PF_PRESENT ? "protection" : "not present");
    kprintf(": killed by %s\n", signal_name(signal));
    process_exit(0, signal);
}

void trap_dispatch(struct trap_frame *frame)
{
    if (frame->vector == VEC_INT80) {
        if (frame->cs == USER_CS) {
            syscall_dispatch(frame);
        } else {                            /* from 32-bit code: there is no 32-bit ABI */
            frame->rax = (uint64_t)-ENOSYS;
            process_before_user_return();
        }
        return;
    }
    if (frame->vector >= EXCEPTION_VECTORS) {
        irq_dispatch(frame);
        if (trap_from_user(frame))          /* an interrupt in the idle loop does not preempt */
            process_before_user_return();
        return;
    }
    if (frame->vector == VEC_NMI) {         /* nothing sends one yet: say so and go on */
        kprintf("NMI at rip %016lx\n", frame->rip);
        return;
    }
    if (trap_from_user(frame) || frame->rip == (uint64_t)trap_return_iret) {
        user_exception(frame);
        return;
    }
    if (frame->vector == VEC_PAGE_FAULT && uaccess_fault(frame, read_cr2()))
        return;
    /* A single-step trap at a door's first instruction, when user mode made the call with TF
     * set: SYSENTER leaves TF on, and some CPUs (Bochs's Intel models) trap after SYSCALL too,
     * though its flag mask clears TF. The user's TF comes back with its flags (SYSCALL's R11;
     * SYSENTER's is lost: its pushfq runs after this), so resume the door without it. */
    if (frame->vector == VEC_DEBUG && (frame->rip == (uint64_t)sysenter_entry || frame->rip == (uint64_t)syscall_entry)) {
        frame->rflags &= ~RFLAGS_TF;
        return;
    }
    trap_dump(frame);
    /* A push into a stack's guard page faults, and the CPU cannot push the #PF frame on the
     * same stack either: that becomes a #DF, which runs on its own IST stack. */
    bool stack_fault = frame->vector == VEC_DOUBLE_FAULT || frame->vector == VEC_PAGE_FAULT;
    if (stack_fault && stack_guard_contains(read_cr2()))
        panic_from_frame(frame->rbp, "kernel stack overflow (fault at %p, in a stack guard page)",
                         (void *)read_cr2());
    panic_from_frame(frame->rbp, "%s in kernel mode", exception_name(frame->vector));
}
