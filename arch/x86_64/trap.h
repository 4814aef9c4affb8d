/* arch/x86_64/trap.h: the trap frame every entry stub builds, and the C side of traps.
 *
 * Layout, lowest address first: the general registers the stub pushes, then the vector and
 * error code (0 where the CPU pushes none), then what the CPU pushed. entry.asm pushes in
 * exactly the reverse of this order, and reads it by the offsets asm_constants.c takes from
 * this struct.
 */
#pragma once
#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

enum {
    VEC_DIVIDE_ERROR = 0, VEC_DEBUG = 1, VEC_NMI = 2, VEC_BREAKPOINT = 3, VEC_OVERFLOW = 4, VEC_INVALID_OPCODE = 6,
    VEC_DOUBLE_FAULT = 8, VEC_GENERAL_PROTECTION = 13, VEC_PAGE_FAULT = 14, VEC_MACHINE_CHECK = 18,
    EXCEPTION_VECTORS = 32,
    VEC_INT80 = 0x80,               /* the int 0x80 system-call gate */
    VEC_SYSCALL = 0x100,            /* pseudo-vectors of the SYSCALL and SYSENTER doors */
    VEC_SYSENTER = 0x101,
};

/* The bits of a page fault's error code. */
enum {
    PF_PRESENT = 1, PF_WRITE = 2, PF_USER = 4, PF_RESERVED = 8, PF_FETCH = 16, PF_PKEY = 32,
    PF_SHADOW_STACK = 64,
};

#define RFLAGS_CF (1ull << 0)
#define RFLAGS_PF (1ull << 2)
#define RFLAGS_AF (1ull << 4)
#define RFLAGS_ZF (1ull << 6)
#define RFLAGS_SF (1ull << 7)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_OF (1ull << 11)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_AC (1ull << 18)

/* Whether the frame was saved in user mode. */
static inline int trap_from_user(const struct trap_frame *frame)
{
    return (frame->cs & 3) == 3;
}

/* The entry code's labels: where every frame is restored, and its IRET (which can fault on
 * a bad user frame, in kernel mode but with the user's GS). */
extern char trap_return[], trap_return_iret[], syscall_entry[], sysenter_entry[], sysenter_flags_clear[];

/* Called by every stub with interrupts off: handle the trap, return to resume. */
void trap_dispatch(struct trap_frame *frame);

/* Print a trap frame: vector and name, error code, control registers, every general
 * register, and a backtrace. */
void trap_dump(const struct trap_frame *frame);

/* The exception's short name, "#PF page fault" for 14. */
const char *exception_name(uint64_t vector);
