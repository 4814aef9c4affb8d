/* arch/x86_64/sigframe.h: the frame a signal handler runs on, Linux's x86-64 rt_sigframe, and
 * rt_sigreturn, which takes it back. */
#pragma once
#include "kernel/proc/signal.h"
#include <stdbool.h>
#include <stdint.h>

struct trap_frame;

/* Build the current process's frame for signal's handler on its user stack (or alternate
 * stack), from the registers in frame, and make frame enter the handler: RIP the handler,
 * RDI the signal, RSI the siginfo, RDX the ucontext, RSP the frame, whose first word returns
 * to action->restorer. old_mask is what rt_sigreturn will restore. false if the frame cannot
 * be written (a bad stack) or the action has no restorer: nothing changed then. */
bool sigframe_build(struct trap_frame *frame, int signal, const struct sigaction_k *action,
                    const struct signal_info *info, uint64_t old_mask);

/* The most bytes a frame takes below the stack top it is built from (the alternate stack's,
 * or the user RSP less the red zone): what auxv's AT_MINSIGSTKSZ says. */
uint64_t sigframe_max_size(void);

/* rt_sigreturn: load the registers, flags, FPU state and mask the frame at the user's RSP
 * holds, into frame, trusting none of it: CS and SS must be user segments, only the flags
 * user mode may set are taken, a corrupt XSAVE header is refused. A frame that cannot be
 * read or is refused gives SIGSEGV, as on Linux once the mask (and, if they could be read,
 * the registers) are restored. Returns what RAX is to hold. */
long sigframe_return(struct trap_frame *frame);
