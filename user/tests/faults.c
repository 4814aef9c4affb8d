/* user/tests/faults.c: a CPU exception in user mode ends that process alone, and its parent's
 * wait4 sees the signal Linux gives: SIGSEGV for page faults and #GP (kernel or
 * non-canonical addresses, hlt and other privileged instructions, int to a kernel vector),
 * SIGTRAP for int3 and the trap flag, SIGILL for ud2, SIGFPE for divide errors. Each fault
 * runs in a child. */
#include <signal.h>

#include "utest.h"

/* FAULT(name, signal, instructions, address): a case whose child runs the instructions with
 * the address in a register (%0) and must be killed by the signal. */
#define FAULT(name, signal, instructions, address)                                           \
    static void name##_child(void *unused)                                                   \
    {                                                                                        \
        (void)unused;                                                                        \
        __asm__ volatile(instructions : : "r"(address) : "rax", "rcx", "rdx", "memory");     \
    }                                                                                        \
    UTEST(name)                                                                              \
    {                                                                                        \
        EXPECT_KILLED(run_in_child(name##_child, NULL), signal);                             \
    }

#define KERNEL_TEXT 0xffffffff80100000UL
#define DIRECT_MAP 0xffff800000000000UL
#define NON_CANONICAL 0x0000800000000000UL

FAULT(reading_kernel_memory_is_sigsegv, SIGSEGV, "mov (%0), %%al", KERNEL_TEXT)
FAULT(writing_kernel_memory_is_sigsegv, SIGSEGV, "movb $1, (%0)", KERNEL_TEXT)
FAULT(reading_the_direct_map_is_sigsegv, SIGSEGV, "mov (%0), %%al", DIRECT_MAP)
FAULT(reading_address_zero_is_sigsegv, SIGSEGV, "mov (%0), %%al", 0UL)
FAULT(reading_a_non_canonical_address_is_sigsegv, SIGSEGV, "mov (%0), %%al", NON_CANONICAL)
FAULT(writing_program_text_is_sigsegv, SIGSEGV, "movb $0xc3, (%0)", &run_in_child)
FAULT(jumping_to_kernel_text_is_sigsegv, SIGSEGV, "jmp *%0", KERNEL_TEXT)
FAULT(jumping_to_a_non_canonical_address_is_sigsegv, SIGSEGV, "jmp *%0", NON_CANONICAL)
FAULT(jumping_to_address_zero_is_sigsegv, SIGSEGV, "jmp *%0", 0UL)
FAULT(hlt_is_sigsegv, SIGSEGV, "hlt", 0UL)
FAULT(cli_is_sigsegv, SIGSEGV, "cli", 0UL)
FAULT(port_output_is_sigsegv, SIGSEGV, "outb %%al, $0x80", 0UL)
FAULT(reading_cr3_is_sigsegv, SIGSEGV, "mov %%cr3, %%rax", 0UL)
FAULT(rdmsr_is_sigsegv, SIGSEGV, "xor %%ecx, %%ecx; rdmsr", 0UL)
/* int n reaches only the vectors whose gate allows user mode (3 and 0x80). */
FAULT(int_to_the_page_fault_vector_is_sigsegv, SIGSEGV, "int $0x0e", 0UL)
FAULT(int_to_the_double_fault_vector_is_sigsegv, SIGSEGV, "int $0x08", 0UL)
FAULT(int_to_an_interrupt_vector_is_sigsegv, SIGSEGV, "int $0x20", 0UL)
FAULT(int_to_an_unused_vector_is_sigsegv, SIGSEGV, "int $0x81", 0UL)
FAULT(int3_is_sigtrap, SIGTRAP, "int3", 0UL)
FAULT(trap_flag_is_sigtrap, SIGTRAP, "pushf; orq $0x100, (%%rsp); popf; nop; nop", 0UL)
FAULT(ud2_is_sigill, SIGILL, "ud2", 0UL)
FAULT(divide_by_zero_is_sigfpe, SIGFPE,
      "mov $1, %%eax; xor %%edx, %%edx; xor %%ecx, %%ecx; div %%ecx", 0UL)
FAULT(divide_overflow_is_sigfpe, SIGFPE,
      "mov $0x80000000, %%eax; cltd; mov $-1, %%ecx; idiv %%ecx", 0UL)

/* Each frame stays on the stack until the bottom is reached. */
static int recurse(volatile char *above, long depth)
{
    volatile char frame[1024];
    frame[0] = above[0] + 1;
    if (depth > (1L << 40))
        return 0;
    return recurse(frame, depth + 1) + frame[1];
}

static void overflow_the_stack(void *unused)
{
    static volatile char start;
    (void)unused;
    recurse(&start, 0);
}

UTEST(stack_overflow_is_sigsegv)
{
    EXPECT_KILLED(run_in_child(overflow_the_stack, NULL), SIGSEGV);
}

static void read_kernel(void *unused)
{
    (void)unused;
    (void)*(volatile char *)KERNEL_TEXT;
}

UTEST(a_fault_kills_only_the_faulting_process)
{
    int hold[2], status;
    EXPECT_EQ(SYSCALL(SYS_pipe, hold), 0);
    fflush(stdout);
    pid_t sibling = fork();
    if (sibling == 0) {
        char byte;
        SYSCALL(SYS_close, hold[1]);
        _exit(SYSCALL(SYS_read, hold[0], &byte, 1) == 0 ? 0 : 1);
    }
    EXPECT_KILLED(run_in_child(read_kernel, NULL), SIGSEGV);
    EXPECT_EQ(SYSCALL(SYS_wait4, sibling, &status, WNOHANG, 0), 0);     /* still there */
    SYSCALL(SYS_close, hold[1]);
    EXPECT_EQ(SYSCALL(SYS_wait4, sibling, &status, 0, 0), sibling);
    EXPECT_EXITED(status, 0);
    SYSCALL(SYS_close, hold[0]);
}
