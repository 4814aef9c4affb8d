/* arch/x86_64/trap.h: the trap frame every entry stub builds, and the C side of traps.
 *
 * Layout, lowest address first: the general registers the stub pushes, then the vector and
 * error code (0 where the CPU pushes none), then what the CPU pushed. exceptions.asm pushes
 * in exactly the reverse of this order.
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
    VEC_DIVIDE_ERROR = 0, VEC_DEBUG = 1, VEC_NMI = 2, VEC_BREAKPOINT = 3, VEC_INVALID_OPCODE = 6,
    VEC_DOUBLE_FAULT = 8, VEC_GENERAL_PROTECTION = 13, VEC_PAGE_FAULT = 14, VEC_MACHINE_CHECK = 18,
    EXCEPTION_VECTORS = 32,
};

/* Called by every stub with interrupts off: handle the trap, return to resume. */
void trap_dispatch(struct trap_frame *frame);

/* Print a trap frame: vector and name, error code, control registers, every general
 * register, and a backtrace. */
void trap_dump(const struct trap_frame *frame);

/* The exception's short name, "#PF page fault" for 14. */
const char *exception_name(uint64_t vector);
