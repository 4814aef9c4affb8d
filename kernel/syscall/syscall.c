/* kernel/syscall/syscall.c: the system-call table and the one dispatcher all three doors call. */
#include "kernel/syscall/syscall.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"

/* The handlers, declared from the table. */
#define LINUX(number, name, handler) long handler(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
#define TWOFOLD LINUX
#include "kernel/syscall/calls.def"
#undef LINUX
#undef TWOFOLD

/* Indexed by number; a number with no call is NULL. Its size is the highest number + 1. */
static const syscall_handler table[] = {
#define LINUX(number, name, handler) [number] = handler,
#define TWOFOLD LINUX
#include "kernel/syscall/calls.def"
#undef LINUX
#undef TWOFOLD
};
enum { SYSCALL_TABLE_SIZE = sizeof table / sizeof table[0] };

/* All ones if index < size, else zero, computed without a branch, so that a mispredicted
 * bounds check cannot read the table out of range speculatively (Linux's
 * array_index_mask_nospec). */
static inline uint64_t index_mask_nospec(uint64_t index, uint64_t size)
{
    uint64_t mask;
    __asm__("cmp %1, %2; sbb %0, %0" : "=r"(mask) : "r"(size), "r"(index) : "cc");
    return mask;
}

/* The way out of every system call (all three doors come here, with interrupts off, as the
 * whole call runs): the handler's result in the frame's RAX, then the exit work, if any. The
 * common case has none, and costs one branch on the OR of its conditions (Linux's
 * syscall_exit_to_user_mode tests its work bits the same way): no reschedule asked of this
 * CPU, no files borrowed from other threads, nothing for signal_deliver. Another CPU that
 * makes a signal pending or a reschedule due after the look kicks this one, an interrupt
 * taken as soon as user mode runs, whose way back does the work. */
void syscall_dispatch(struct trap_frame *frame)
{
    int nr = (int)(uint32_t)frame->rax;
    long result = -ENOSYS;
    struct process *self = current_process();
    self->syscall_nr = nr;                  /* for a restart, should a signal cut it short */
    if (nr >= 0 && nr < SYSCALL_TABLE_SIZE) {
        uint64_t index = (uint64_t)nr & index_mask_nospec((uint64_t)nr, SYSCALL_TABLE_SIZE);
        syscall_handler handler = table[index];
        if (handler)
            result = handler(frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9);
    }
    frame->rax = (uint64_t)result;
    self = current_process();               /* read again, not kept across the call: one load */
    unsigned work = this_cpu()->need_resched;
    work |= self->borrowed_count != 0;
    work |= signal_exit_work(self->signals, self->syscall_nr, result);
    if (__builtin_expect(work, 0)) {
        if (self->borrowed_count)           /* files another thread could have closed */
            fd_return_borrowed(self);
        process_before_user_return();
    } else {
        self->syscall_nr = -1;              /* as signal_deliver leaves it */
    }
}
