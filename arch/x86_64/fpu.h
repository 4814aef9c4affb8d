/* arch/x86_64/fpu.h: the user's x87/SSE registers. The kernel never uses them (it is built
 * without SSE), so they only change hands when the scheduler switches processes, and when a
 * signal handler starts and returns. Where the CPU has XSAVE, CR4.OSXSAVE is on with XCR0 =
 * x87 | SSE (so user mode sees OSXSAVE, and signal frames carry Linux's XSAVE layout: the
 * fxsave area, the XSAVE header, the magic words); AVX and later state stay off, so the
 * fxsave area is the whole of a process's state. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum { FPU_STATE_SIZE = 512 };      /* the fxsave area; 16-byte aligned */
enum { XFEATURES_ON = 3 };          /* XCR0: x87 and SSE */

/* Set by fpu_init_cpu: whether CR4.OSXSAVE is on; MXCSR's writable bits. */
extern bool fpu_xsave_on;
extern uint32_t fpu_mxcsr_mask;

/* Let user mode use SSE on this CPU (CR0.MP, CR4.OSFXSR, CR4.OSXMMEXCPT, and OSXSAVE where
 * the CPU has XSAVE), with a fresh x87 state. */
void fpu_enable_this_cpu(void);

/* The same on the boot CPU, and record the clean state. */
void fpu_init_cpu(void);

void fpu_save(void *state);
void fpu_restore(const void *state);

/* The state a new program starts with (what fpu_init_cpu recorded). */
extern const void *const fpu_clean_state;
