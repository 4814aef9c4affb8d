/* arch/x86_64/fpu.h: the user's x87/SSE registers. The kernel never uses them (it is built
 * without SSE), so they only change hands when the scheduler switches processes. */
#pragma once

enum { FPU_STATE_SIZE = 512 };      /* the fxsave area; 16-byte aligned */

/* Let user mode use SSE (CR0.MP, CR4.OSFXSR, CR4.OSXMMEXCPT) and record the clean state. */
void fpu_init_cpu(void);

void fpu_save(void *state);
void fpu_restore(const void *state);

/* The state a new program starts with (what fpu_init_cpu recorded). */
extern const void *const fpu_clean_state;
