/* user/tests/preempt.c: preemption as a process sees it: two CPU-bound processes take turns
 * (their progress reports interleave), a process that yields gets the CPU back from one that
 * never does, and an interrupt at any point of a loop leaves every general and xmm register
 * intact. How long the processes spin sets how much work there is; what passes or fails is
 * the order of events, never a duration, so a busy host changes nothing. */
#include <signal.h>
#include <time.h>

#include "utest.h"

#define MS 1000000LL            /* nanoseconds */
#define SPIN_CHUNK 100000       /* iterations of pure computation between two clock reads */
#define SPIN_NS (300 * MS)      /* how long each of two CPU-bound children spins */
#define YIELDS 10
#define CHECK_NS (500 * MS)     /* how long the register check runs */
#define CHECK_ROUNDS 10000      /* register checks per call of check_registers */

/* CLOCK_MONOTONIC in nanoseconds. */
static long long monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Keep the CPU busy for ns nanoseconds, reading the clock only between chunks of pure
 * computation: nearly all the time is spent in user mode, where only an interrupt can take
 * the CPU away. */
static void spin_for(long long ns)
{
    long long end = monotonic_ns() + ns;
    while (monotonic_ns() < end)
        for (volatile int i = 0; i < SPIN_CHUNK; i++)
            ;
}

/* Fork a child that spins for ns nanoseconds and exits 0; returns its pid once the child
 * has said it is running. */
static pid_t spinning_child(long long ns)
{
    int ready[2];
    char byte;
    EXPECT_EQ(SYSCALL(SYS_pipe, ready), 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        SYSCALL(SYS_write, ready[1], "r", 1);
        spin_for(ns);
        _exit(0);
    }
    EXPECT(pid > 0);
    EXPECT_EQ(SYSCALL(SYS_read, ready[0], &byte, 1), 1);
    SYSCALL(SYS_close, ready[0]);
    SYSCALL(SYS_close, ready[1]);
    return pid;
}

/* Kill pid with SIGKILL and expect it to die of it. */
static void kill_and_reap(pid_t pid)
{
    int status = 0;
    EXPECT_EQ(SYSCALL(SYS_kill, pid, SIGKILL), 0);
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_KILLED(status, SIGKILL);
}

UTEST(two_cpu_bound_processes_take_turns)
{
    /* Each child spins, writing its letter into one pipe after every chunk of work. Without
     * preemption the first would finish before the second began: "aaa...abbb...b". With it
     * the letters interleave: some "b" comes before the last "a" and some "a" before the
     * last "b". */
    int p[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    pid_t pids[2];
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        pids[i] = fork();
        if (pids[i] == 0) {
            SYSCALL(SYS_close, p[0]);
            char letter = (char)('a' + i);
            for (long long end = monotonic_ns() + SPIN_NS; monotonic_ns() < end;) {
                for (volatile int k = 0; k < SPIN_CHUNK; k++)
                    ;
                if (SYSCALL(SYS_write, p[1], &letter, 1) != 1)
                    _exit(1);
            }
            _exit(0);
        }
        EXPECT(pids[i] > 0);
    }
    SYSCALL(SYS_close, p[1]);
    long first[2] = { -1, -1 }, last[2] = { -1, -1 };
    char letter;
    for (long at = 0; SYSCALL(SYS_read, p[0], &letter, 1) == 1; at++) {
        int who = letter - 'a';
        if (first[who] < 0)
            first[who] = at;
        last[who] = at;
    }
    for (int i = 0; i < 2; i++) {
        int status = 0;
        EXPECT_EQ(SYSCALL(SYS_wait4, pids[i], &status, 0, 0), pids[i]);
        EXPECT_EXITED(status, 0);
    }
    EXPECT(first[0] >= 0 && first[1] >= 0);
    if (!(first[1] < last[0] && first[0] < last[1]))
        utest_fail(__FILE__, __LINE__, "no turns: a's reports %ld..%ld, b's %ld..%ld", first[0], last[0],
                   first[1], last[1]);
    SYSCALL(SYS_close, p[0]);
}

UTEST(a_yielding_process_is_not_starved_by_a_spinning_one)
{
    /* Each yield hands the CPU to the child, which never gives it back: only the timer can.
     * The child spins long enough that without preemption it would have exited when the
     * yields end; with it, it is still spinning and dies of SIGKILL. */
    pid_t pid = spinning_child(5000 * MS);
    for (int i = 0; i < YIELDS; i++)
        EXPECT_EQ(SYSCALL(SYS_sched_yield), 0);
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, WNOHANG, 0), 0);
    kill_and_reap(pid);
}

/* check_registers(rounds): load rax, rbx, rcx, rdx, rsi, rdi, rbp and r8-r15 with known
 * values (sign-extended 32-bit immediates, some negative, so a lost upper half shows) and
 * xmm0-xmm15 likewise, two values per register; then check every one of them `rounds` times
 * in a loop that uses no other register than rsp. Returns a mask of the registers that ever
 * held a wrong value: bit n for the nth general register in the order above, bit 16 + 2k
 * (+ 1) for the low (high) half of xmmk; 0 if all kept their values throughout. */
#define GPRS "rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15"
#define XMMS "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15"
#define GPR_VALUE "(0x7654321 * (n - 7) + 0x1f)"        /* of the nth general register */
#define XMM_VALUE "(0x3456789 * (n - 15) + 0x2b)"      /* of the nth 8 bytes of xmm0-xmm15 */
/* The frame below the six saved registers: the xmm registers as stored for checking, the
 * rounds left, the mask of wrong registers. */
#define XMM_AREA "0"
#define ROUNDS_LEFT "256"
#define WRONG "264"
#define FRAME "272"
long check_registers(long rounds);
__asm__(
    "    .pushsection .text\n"
    "    .type check_registers, @function\n"
    "check_registers:\n"
    "    push %rbx\n    push %rbp\n    push %r12\n    push %r13\n    push %r14\n    push %r15\n"
    "    sub $" FRAME ", %rsp\n"
    "    mov %rdi, " ROUNDS_LEFT "(%rsp)\n"
    "    movq $0, " WRONG "(%rsp)\n"
    /* The xmm registers are loaded through the stack: there is no immediate form. */
    "    .set n, 0\n"
    "    .rept 32\n"
    "    movq $" XMM_VALUE ", " XMM_AREA " + 8 * n(%rsp)\n"
    "    .set n, n + 1\n"
    "    .endr\n"
    "    .set n, 0\n"
    "    .irp x, " XMMS "\n"
    "    movdqu " XMM_AREA " + 16 * n(%rsp), %xmm\\x\n"
    "    .set n, n + 1\n"
    "    .endr\n"
    "    .set n, 0\n"
    "    .irp r, " GPRS "\n"
    "    mov $" GPR_VALUE ", %\\r\n"
    "    .set n, n + 1\n"
    "    .endr\n"
    "1:\n"
    "    .set n, 0\n"
    "    .irp r, " GPRS "\n"
    "    cmp $" GPR_VALUE ", %\\r\n"
    "    je 2f\n"
    "    btsq $n, " WRONG "(%rsp)\n"
    "2:\n"
    "    .set n, n + 1\n"
    "    .endr\n"
    "    .set n, 0\n"
    "    .irp x, " XMMS "\n"
    "    movdqu %xmm\\x, " XMM_AREA " + 16 * n(%rsp)\n"
    "    .set n, n + 1\n"
    "    .endr\n"
    "    .set n, 0\n"
    "    .rept 32\n"
    "    cmpq $" XMM_VALUE ", " XMM_AREA " + 8 * n(%rsp)\n"
    "    je 2f\n"
    "    btsq $16 + n, " WRONG "(%rsp)\n"
    "2:\n"
    "    .set n, n + 1\n"
    "    .endr\n"
    "    decq " ROUNDS_LEFT "(%rsp)\n"
    "    jnz 1b\n"
    "    mov " WRONG "(%rsp), %rax\n"
    "    add $" FRAME ", %rsp\n"
    "    pop %r15\n    pop %r14\n    pop %r13\n    pop %r12\n    pop %rbp\n    pop %rbx\n"
    "    ret\n"
    "    .size check_registers, . - check_registers\n"
    "    .popsection\n");

UTEST(interrupts_at_any_point_leave_the_registers_intact)
{
    /* A CPU-bound sibling, so the timer switches away from the loop and back, again and
     * again, and another process's registers are loaded in between. */
    pid_t sibling = spinning_child(4 * CHECK_NS);
    long wrong = 0, calls = 0;
    for (long long end = monotonic_ns() + CHECK_NS; monotonic_ns() < end; calls++)
        wrong |= check_registers(CHECK_ROUNDS);
    EXPECT_EQ(wrong, 0);
    EXPECT(calls > 0);
    kill_and_reap(sibling);
}
