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

/* The signal an exception in user mode gives, and what its siginfo says, as Linux's traps.c
 * has it: the code, and si_addr (the instruction, or for #PF the address it touched). */
static int signal_for(const struct trap_frame *frame, uint64_t address, struct vm *vm, struct signal_info *info)
{
    *info = (struct signal_info){ .code = SI_KERNEL, .trapno = (uint8_t)frame->vector,
                                  .error = (uint16_t)frame->error_code };
    switch (frame->vector) {
    case VEC_DIVIDE_ERROR:
        info->code = FPE_INTDIV;
        info->addr = frame->rip;
        return SIGFPE;
    case 7: case 16: case 19:                           /* #NM, #MF, #XM */
        info->code = 0;
        info->addr = frame->rip;
        return SIGFPE;
    case VEC_DEBUG:                                     /* a single step: TF */
        info->code = TRAP_TRACE;
        info->addr = frame->rip;
        return SIGTRAP;
    case VEC_BREAKPOINT:
        return SIGTRAP;
    case VEC_INVALID_OPCODE:
        info->code = ILL_ILLOPN;
        info->addr = frame->rip;
        return SIGILL;
    case 11: case 12:                                   /* #NP, #SS */
        return SIGBUS;
    case 17:                                            /* #AC */
        info->code = BUS_ADRALN;
        return SIGBUS;
    case VEC_PAGE_FAULT:
        /* ACCERR where a region is there but forbids the access; MAPERR where none is. */
        if (address < USER_LIMIT) {
            uint64_t flags = vm_lock(vm);
            info->code = vm_region(vm, address) ? SEGV_ACCERR : SEGV_MAPERR;
            vm_unlock(vm, flags);
        } else {
            info->code = SEGV_MAPERR;
        }
        info->addr = address;
        return SIGSEGV;
    default:                                            /* #GP, #OF, #BR and the rest */
        return SIGSEGV;
    }
}

/* An exception in user mode (or on the IRET back to it): give a page, or signal the process
 * (its handler runs, or it ends, and the console then says why). */
static void user_exception(struct trap_frame *frame)
{
    struct process *self = current_process();
    uint64_t address = read_cr2();
    if (frame->vector == VEC_PAGE_FAULT && trap_from_user(frame)) {
        int access = frame->error_code & PF_FETCH ? VM_ACCESS_EXEC
                   : frame->error_code & PF_WRITE ? VM_ACCESS_WRITE : VM_ACCESS_READ;
        int error = vm_fault(self->vm, address, access);
        if (error == -ENOMEM)
            process_out_of_memory();
        if (error != -EFAULT) {             /* a page, or a pending SIGKILL */
            process_before_user_return();
            return;
        }
    }
    struct signal_info info;
    int signal = signal_for(frame, address, self->vm, &info);
    if (signal_force(signal, &info)) {
        uint64_t flags = console_output_begin();       /* one line, whole */
        kprintf("pid %d (%s): %s at rip %016lx", self->pid, self->name, exception_name(frame->vector), frame->rip);
        if (frame->vector == VEC_PAGE_FAULT)
            kprintf(", %s address %016lx (%s)", frame->error_code & PF_FETCH ? "fetch from"
                    : frame->error_code & PF_WRITE ? "write to" : "read from", address,
                    frame->error_code & PF_PRESENT ? "protection" : "not present");
        kprintf(": killed by %s\n", signal_name(signal));
        console_output_end(flags);
    }
    process_before_user_return();
}

/* The IRET back to user mode faulted (a frame rt_sigreturn gave a bad CS, SS or RIP): the
 * fault is the user's, at the frame it was returning to. Make frame that one: entry.asm put
 * the fault's frame at the top of the kernel stack, with the user's registers; the IRET frame
 * it was popping lies where the fault's RSP points, on the trampoline stack. */
static void blame_the_user_for_iret(struct trap_frame *frame)
{
    const uint64_t *iret_frame = (const uint64_t *)frame->rsp;
    frame->rip = iret_frame[0];
    frame->cs = iret_frame[1];
    frame->rflags = iret_frame[2];
    frame->rsp = iret_frame[3];
    frame->ss = iret_frame[4];
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
    if (frame->rip == (uint64_t)trap_return_iret)
        blame_the_user_for_iret(frame);
    if (trap_from_user(frame)) {
        user_exception(frame);
        return;
    }
    if (frame->vector == VEC_PAGE_FAULT && uaccess_fault(frame, read_cr2()))
        return;
    /* Single-step traps in a door, when user mode made the call with TF set. SYSENTER
     * leaves TF on: each instruction of its stub traps until the popfq that clears TF, after
     * the pushfq that saved the user's flags, TF with them; so, as Linux does, let those
     * traps pass and leave TF to the stub. Some CPUs (Bochs's Intel models) trap after
     * SYSCALL too, though its flag mask clears TF: the user's TF is safe in R11 there, so
     * resume the door without it. */
    if (frame->vector == VEC_DEBUG && frame->rip >= (uint64_t)sysenter_entry
        && frame->rip <= (uint64_t)sysenter_flags_clear)
        return;
    if (frame->vector == VEC_DEBUG && frame->rip == (uint64_t)syscall_entry) {
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
