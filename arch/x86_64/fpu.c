/* arch/x86_64/fpu.c: saving and restoring the user's floating-point and SSE registers. */
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/cpu.h"
#include <string.h>

enum {
    CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR4_OSFXSR = 1 << 9, CR4_OSXMMEXCPT = 1 << 10,
    CR4_OSXSAVE = 1 << 18, CPUID1_ECX_XSAVE = 1 << 26, FXSAVE_MXCSR_MASK = 28, DEFAULT_MXCSR_MASK = 0xffbf,
};

static _Alignas(16) unsigned char clean[FPU_STATE_SIZE];
const void *const fpu_clean_state = clean;
bool fpu_xsave_on;
uint32_t fpu_mxcsr_mask;

void fpu_enable_this_cpu(void)
{
    write_cr0((read_cr0() & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    if (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE) {
        write_cr4(read_cr4() | CR4_OSXSAVE);
        __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)XFEATURES_ON), "d"(0));
    }
    __asm__ volatile("fninit");
}

void fpu_init_cpu(void)
{
    fpu_enable_this_cpu();
    fpu_xsave_on = cpuid(1, 0).ecx & CPUID1_ECX_XSAVE;
    fpu_save(clean);                    /* fninit's x87 state and MXCSR's reset value 0x1f80 */
    uint32_t mask;
    memcpy(&mask, clean + FXSAVE_MXCSR_MASK, sizeof mask);
    fpu_mxcsr_mask = mask ? mask : DEFAULT_MXCSR_MASK;      /* 0 there means the default */
}

void fpu_save(void *state)
{
    __asm__ volatile("fxsave64 (%0)" ::"r"(state) : "memory");
}

void fpu_restore(const void *state)
{
    __asm__ volatile("fxrstor64 (%0)" ::"r"(state) : "memory");
}
