/* user/tests/live_cr3.c: the CR3 the CPU really runs user mode on, after each way out of the
 * kernel. Right after SYSRET (an ordinary call), after IRET from `int $0x80` (the gate the
 * timer's interrupts take too, and the same exit), after IRET from an exception (a first
 * touch of a page), and after SYSENTER's IRET, the very next instruction reads the kernel
 * image: with page-table isolation the user CR3 does not map it, so the read faults as "not
 * present"; on the kernel CR3 (isolation off, or an exit that forgot to switch) it faults as
 * a protection violation. The process only sees SIGSEGV; the kernel's console line says
 * which fault it was, at the rip of the labelled read, and tests/test_user.py checks it per
 * path. Each path runs three times, so a timer interrupt landing between an exit and its read
 * (its own exit would load the right CR3 and hide a wrong one) cannot hide all of them. */
#include <signal.h>
#include <sys/mman.h>

#include "utest.h"

#define KERNEL_IMAGE "0xffffffff80100000"
#define TRIES 3

/* Each function makes its exit, then reads the kernel at a global label the harness finds. */
static void after_sysret(void *unused)
{
    (void)unused;
    __asm__ volatile("mov $39, %%eax\n\tsyscall\n"
                     ".globl live_cr3_read_after_sysret\nlive_cr3_read_after_sysret:\n\t"
                     "movb " KERNEL_IMAGE ", %%al" : : : "rax", "rcx", "r11", "memory");
}

static void after_int80(void *unused)
{
    (void)unused;
    __asm__ volatile("mov $39, %%eax\n\tint $0x80\n"
                     ".globl live_cr3_read_after_int80\nlive_cr3_read_after_int80:\n\t"
                     "movb " KERNEL_IMAGE ", %%al" : : : "rax", "memory");
}

static void after_exception(void *unused)
{
    (void)unused;
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    __asm__ volatile("movb $1, (%0)\n"                  /* a page fault that gives a page */
                     ".globl live_cr3_read_after_exception\nlive_cr3_read_after_exception:\n\t"
                     "movb " KERNEL_IMAGE ", %%al" : : "r"(page) : "rax", "memory");
}

static void after_sysenter(void *unused)
{
    (void)unused;
    __asm__ volatile("mov $39, %%eax\n\tmov %%rsp, %%rcx\n\tlea 1f(%%rip), %%r11\n\tsysenter\n"
                     "1:\n.globl live_cr3_read_after_sysenter\nlive_cr3_read_after_sysenter:\n\t"
                     "movb " KERNEL_IMAGE ", %%al" : : : "rax", "rcx", "r11", "memory");
}

/* Run path TRIES times, each in a child that must die of its read; refusal: why the case
 * skips if the first child dies of SIGILL instead (the door is #UD on this CPU), or NULL. */
static void tries(void (*path)(void *), const char *refusal)
{
    TWOFOLD_ONLY();                     /* the console line is Twofold's */
    for (int i = 0; i < TRIES; i++) {
        int status = run_in_child(path, NULL);
        if (i == 0 && refusal && WIFSIGNALED(status) && WTERMSIG(status) == SIGILL)
            SKIP(refusal);
        EXPECT_KILLED(status, SIGSEGV);
    }
}

UTEST(a_kernel_read_right_after_sysret_faults)
{
    tries(after_sysret, NULL);
}

UTEST(a_kernel_read_right_after_int80_faults)
{
    tries(after_int80, NULL);
}

UTEST(a_kernel_read_right_after_an_exception_faults)
{
    tries(after_exception, NULL);
}

UTEST(a_kernel_read_right_after_sysenter_faults)
{
    tries(after_sysenter, "SYSENTER raises #UD in 64-bit mode on this CPU");
}
