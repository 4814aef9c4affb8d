/* user/tests/doors.c: Twofold's three doors into the kernel, SYSCALL, int $0x80 and SYSENTER,
 * give the same results for the same call, and each returns with every register the caller
 * may count on intact and the direction flag as the caller left it (set here, so the kernel
 * must clear it for itself). SYSENTER follows Twofold's convention: rax the number, arguments
 * in rdi rsi rdx r10 r8 r9 as for SYSCALL, rcx the stack pointer and r11 the address to
 * return to (both lost, as SYSCALL loses rcx and r11). Where a CPU refuses SYSENTER in
 * 64-bit mode (#UD: the process gets SIGILL), its cases skip. A caller single-stepping (TF)
 * goes on single-stepping after each door. On Linux only the SYSCALL door is checked: int
 * $0x80 and SYSENTER there are the 32-bit system calls. */
#include <errno.h>
#include <signal.h>
#include <ucontext.h>

#include "utest.h"

/* Every general register and RFLAGS, as loaded before a door and found after it. */
struct regs {
    unsigned long rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    unsigned long rflags;
};
static const char *const reg_names[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                         "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* door_probe(struct regs *r, enum door door): load every register from *r, set the
 * direction flag, go through the door, and store every register and RFLAGS back into *r.
 * door_rsp_before and door_rsp_after say where the stack pointer was on each side. */
void door_probe(struct regs *r, enum door door);
unsigned long door_rsp_before, door_rsp_after;
__asm__(
    ".text\n"
    ".globl door_probe\n"
    "door_probe:\n"
    "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "    push %rdi\n"                               /* r */
    "    push %rsi\n"                               /* door */
    "    mov 0(%rdi), %rax;  mov 8(%rdi), %rbx;   mov 16(%rdi), %rcx;  mov 24(%rdi), %rdx\n"
    "    mov 32(%rdi), %rsi; mov 48(%rdi), %rbp;  mov 56(%rdi), %r8;   mov 64(%rdi), %r9\n"
    "    mov 72(%rdi), %r10; mov 80(%rdi), %r11;  mov 88(%rdi), %r12;  mov 96(%rdi), %r13\n"
    "    mov 104(%rdi), %r14; mov 112(%rdi), %r15; mov 40(%rdi), %rdi\n"
    "    std\n"
    "    mov %rsp, door_rsp_before(%rip)\n"
    "    cmpq $1, (%rsp)\n"
    "    je 1f\n"
    "    cmpq $2, (%rsp)\n"
    "    je 2f\n"
    "    syscall\n"
    "    jmp 3f\n"
    "1:  int $0x80\n"
    "    jmp 3f\n"
    "2:  mov %rsp, %rcx\n"
    "    lea 3f(%rip), %r11\n"
    "    sysenter\n"
    "3:  mov %rsp, door_rsp_after(%rip)\n"
    "    pushf\n"
    "    cld\n"
    "    push %rdi\n"
    "    mov 24(%rsp), %rdi\n"                      /* r, above rdi, rflags and door */
    "    mov %rax, 0(%rdi);  mov %rbx, 8(%rdi);   mov %rcx, 16(%rdi);  mov %rdx, 24(%rdi)\n"
    "    mov %rsi, 32(%rdi); mov %rbp, 48(%rdi);  mov %r8, 56(%rdi);   mov %r9, 64(%rdi)\n"
    "    mov %r10, 72(%rdi); mov %r11, 80(%rdi);  mov %r12, 88(%rdi);  mov %r13, 96(%rdi)\n"
    "    mov %r14, 104(%rdi); mov %r15, 112(%rdi)\n"
    "    popq 40(%rdi)\n"
    "    popq 120(%rdi)\n"
    "    add $16, %rsp\n"
    "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "    ret\n");

#define RFLAGS_DF 0x400UL

/* Make a call through door with every other register holding a pattern; returns rax. */
static long door_call(enum door door, long nr, long a1, long a2, long a3)
{
    struct regs r;
    unsigned long *reg = &r.rax;
    for (int i = 0; i < 15; i++)
        reg[i] = 0x0101010101010101UL * (unsigned long)(i + 1);
    r.rax = (unsigned long)nr;
    r.rdi = (unsigned long)a1;
    r.rsi = (unsigned long)a2;
    r.rdx = (unsigned long)a3;
    door_probe(&r, door);
    return (long)r.rax;
}

/* The same calls through door and through SYSCALL give the same answers. */
static void compare_with_syscall(void *door_arg)
{
    enum door door = *(enum door *)door_arg;
    static const long calls[][4] = {
        { SYS_getpid }, { SYS_getppid }, { SYS_gettid }, { SYS_sched_yield },
        { SYS_close, -1 }, { SYS_write, 99, 0, 1 }, { 999 }, { -1 },
        { SYS_cr3, 0 }, { SYS_cr3, 1 }, { SYS_cr3, 7 },
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        const long *c = calls[i];
        long want = door_call(DOOR_SYSCALL, c[0], c[1], c[2], c[3]);
        long got = door_call(door, c[0], c[1], c[2], c[3]);
        if (got != want)
            utest_fail(__FILE__, __LINE__, "system call %ld: %ld through door %d, %ld by SYSCALL",
                       c[0], got, door, want);
    }

    /* Calls that move data, through the door alone. */
    int p[2];
    char buf[8] = { 0 };
    struct utsname u;
    EXPECT_EQ(door_call(door, SYS_pipe, (long)p, 0, 0), 0);
    EXPECT_EQ(door_call(door, SYS_write, p[1], (long)"door", 4), 4);
    EXPECT_EQ(door_call(door, SYS_read, p[0], (long)buf, sizeof buf), 4);
    EXPECT_STREQ(buf, "door");
    EXPECT_EQ(door_call(door, SYS_uname, (long)&u, 0, 0), 0);
    EXPECT_STREQ(u.sysname, "Twofold");
    door_call(door, SYS_close, p[0], 0, 0);
    door_call(door, SYS_close, p[1], 0, 0);
}

/* Through door, uname() with the direction flag set: it must work (the kernel clears DF
 * before it copies), and every register but rax, and those the door loses, come back. */
static void check_registers(void *door_arg)
{
    enum door door = *(enum door *)door_arg;
    struct utsname u;
    struct regs in, out;
    unsigned long *before = &in.rax, *after = &out.rax;
    for (int i = 0; i < 15; i++)
        before[i] = 0x1111111111111111UL * (unsigned long)(i + 1) ^ 0x8000000000000000UL;
    in.rax = SYS_uname;
    in.rdi = (unsigned long)&u;
    memset(&u, 0, sizeof u);
    out = in;
    door_probe(&out, door);
    EXPECT_EQ(out.rax, 0);
    EXPECT_STREQ(u.sysname, on_twofold() ? "Twofold" : "Linux");
    for (int i = 1; i < 15; i++) {
        int lost = (i == 2 || i == 10) && door != DOOR_INT80;   /* rcx, r11 */
        if (!lost && after[i] != before[i])
            utest_fail(__FILE__, __LINE__, "%s was %#lx before door %d, %#lx after", reg_names[i],
                       before[i], door, after[i]);
    }
    EXPECT_EQ(door_rsp_after, door_rsp_before);
    if (door != DOOR_SYSENTER)          /* SYSENTER's convention keeps no RFLAGS */
        EXPECT(out.rflags & RFLAGS_DF);
}

UTEST(syscall_keeps_registers_and_flags)
{
    enum door door = DOOR_SYSCALL;
    check_registers(&door);
}

UTEST(int80_keeps_registers_and_flags)
{
    TWOFOLD_ONLY();
    enum door door = DOOR_INT80;
    check_registers(&door);
}

UTEST(int80_gives_the_same_results_as_syscall)
{
    TWOFOLD_ONLY();
    enum door door = DOOR_INT80;
    compare_with_syscall(&door);
}

/* Run check through SYSENTER in a child: SIGILL there means this CPU has no SYSENTER in
 * 64-bit mode (AMD's, and QEMU's models of them). */
static void through_sysenter(void (*check)(void *))
{
    enum door door = DOOR_SYSENTER;
    int status = run_in_child(check, &door);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGILL)
        SKIP("SYSENTER raises #UD in 64-bit mode on this CPU");
    EXPECT_EXITED(status, 0);
}

UTEST(sysenter_keeps_registers)
{
    TWOFOLD_ONLY();
    through_sysenter(check_registers);
}

UTEST(sysenter_gives_the_same_results_as_syscall)
{
    TWOFOLD_ONLY();
    through_sysenter(compare_with_syscall);
}

/* ---- single-stepping through a door ---------------------------------------------------- */
/* step_through(door): with TF set, getpid through door, then a nop and TF cleared again.
 * step_after and step_end bound what runs after the door. Returns getpid's result. */
long step_through(enum door door);
extern char step_after[], step_end[];
__asm__(
    ".text\n"
    ".globl step_through, step_after, step_end\n"
    "step_through:\n"
    "    push %rbx\n"
    "    mov %edi, %ebx\n"
    "    mov $39, %eax\n"                          /* SYS_getpid */
    "    pushf; orq $0x100, (%rsp); popf\n"
    "    cmp $1, %ebx\n"
    "    je 1f\n"
    "    cmp $2, %ebx\n"
    "    je 2f\n"
    "    syscall\n"
    "    jmp step_after\n"
    "1:  int $0x80\n"
    "    jmp step_after\n"
    "2:  mov %rsp, %rcx\n"
    "    lea step_after(%rip), %r11\n"
    "    sysenter\n"
    "step_after:\n"
    "    nop\n"
    "    pushf; andq $~0x100, (%rsp); popf\n"
    "step_end:\n"
    "    pop %rbx\n"
    "    ret\n");

static volatile int traps_after_the_door;
static void note_trap(int signal, siginfo_t *info, void *ucontext)
{
    (void)signal, (void)info;
    unsigned long rip = (unsigned long)((ucontext_t *)ucontext)->uc_mcontext.gregs[REG_RIP];
    if (rip > (unsigned long)step_after && rip <= (unsigned long)step_end)
        traps_after_the_door++;
}

static void check_single_stepping(void *door_arg)
{
    struct sigaction sa = { .sa_sigaction = note_trap, .sa_flags = SA_SIGINFO };
    sigaction(SIGTRAP, &sa, NULL);
    traps_after_the_door = 0;
    EXPECT_EQ(step_through(*(enum door *)door_arg), getpid());
    EXPECT(traps_after_the_door >= 2);  /* after the nop, after the pushf, ... */
}

UTEST(single_stepping_goes_on_after_syscall)
{
    enum door door = DOOR_SYSCALL;
    EXPECT_EXITED(run_in_child(check_single_stepping, &door), 0);
}

UTEST(single_stepping_goes_on_after_int80)
{
    TWOFOLD_ONLY();
    enum door door = DOOR_INT80;
    EXPECT_EXITED(run_in_child(check_single_stepping, &door), 0);
}

UTEST(single_stepping_goes_on_after_sysenter)
{
    TWOFOLD_ONLY();
    through_sysenter(check_single_stepping);
}
