/* user/tests/exits.c: which way each return to user mode leaves the kernel, as the exit code
 * itself counts it (Twofold's exit_counts). An ordinary SYSCALL leaves by SYSRET; `int $0x80`
 * and SYSENTER always by IRET; the SYSCALL door takes IRET instead of SYSRET when the return
 * goes to the last page below the user limit (a non-canonical RIP would fault in ring 0 on
 * Intel: CVE-2012-0217), when TF is set (it would trap at once), and when the call changed
 * RIP or RFLAGS (execve). The counts are this CPU's, and the program keeps to the CPU it
 * started on (its children too, so that a child counts where its parent did); no other
 * process runs there while a case counts (the runner waits), and the timer's interrupts add
 * IRETs only, never a SYSRET or a reason, so each case checks exact numbers where they
 * cannot move. (RF cannot be set across
 * SYSCALL from user mode: R11 never holds it; its check waits for sigreturn to give a way.) */
#include <errno.h>
#include <sched.h>
#include <signal.h>

#include "utest.h"

/* Whether this is Twofold, learnt once before the cases run (asking makes a system call,
 * which would count among a case's exits); and the one CPU this program runs on. */
static int twofold;
__attribute__((constructor)) static void learn_the_system(void)
{
    twofold = on_twofold();
    cpu_set_t here;
    CPU_ZERO(&here);
    CPU_SET(sched_getcpu(), &here);
    if (sched_setaffinity(0, sizeof here, &here))
        perror("exits: sched_setaffinity");
}

/* The counts now (all 0 on Linux, which has none). */
static struct exit_counts counted(void)
{
    struct exit_counts c = { 0 };
    EXPECT_EQ(exit_counts(&c), twofold ? 0 : -ENOSYS);
    return c;
}

/* b - a, field by field, as EXPECT_EQ-friendly numbers. */
#define DELTA(field) ((long)(after.field - before.field))

/* Count around one getpid through door: `before`'s own exit is a SYSRET, then the call's. */
static void count_getpid(void *door_arg)
{
    enum door door = *(enum door *)door_arg;
    struct exit_counts before = counted();
    long pid = door_call0(door, SYS_getpid, 0);
    struct exit_counts after = counted();
    EXPECT_EQ(pid, SYSCALL(SYS_getpid));
    EXPECT_EQ(DELTA(sysret), door == DOOR_SYSCALL ? 2 : 1);
    EXPECT(DELTA(iret) >= (door == DOOR_SYSCALL ? 0 : 1));
    EXPECT_EQ(DELTA(iret_frame_changed) + DELTA(iret_rip) + DELTA(iret_tf_rf) + DELTA(iret_segments), 0);
}

UTEST(an_ordinary_syscall_leaves_by_sysret)
{
    TWOFOLD_ONLY();
    enum door door = DOOR_SYSCALL;
    count_getpid(&door);
}

UTEST(int80_leaves_by_iret)
{
    TWOFOLD_ONLY();
    enum door door = DOOR_INT80;
    count_getpid(&door);
}

UTEST(sysenter_leaves_by_iret)
{
    TWOFOLD_ONLY();
    enum door door = DOOR_SYSENTER;
    int status = run_in_child(count_getpid, &door);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGILL)
        SKIP("SYSENTER raises #UD in 64-bit mode on this CPU");
    EXPECT_EXITED(status, 0);
}

/* A syscall in the last two bytes below the user limit, so that it returns to the limit
 * itself (faults.c's case, all in registers: the page may hold the stack); then SIGSEGV. */
static void syscall_at_the_user_limit(void *unused)
{
    (void)unused;
    __asm__ volatile(
        "mov $9, %%eax\n"                       /* mmap(page, 4096, RW, private anonymous */
        "mov $0x7fffffffe000, %%rdi\n"          /*      fixed, -1, 0) */
        "mov $4096, %%esi\n"
        "mov $3, %%edx\n"
        "mov $0x32, %%r10d\n"
        "mov $-1, %%r8\n"
        "xor %%r9d, %%r9d\n"
        "syscall\n"
        "cmp %%rdi, %%rax\n"
        "jne 1f\n"
        "movw $0x050f, 4094(%%rdi)\n"           /* syscall, at its last two bytes */
        "mov $10, %%eax\n"                      /* mprotect(page, 4096, read + exec) */
        "mov $5, %%edx\n"
        "syscall\n"
        "test %%rax, %%rax\n"
        "jne 1f\n"
        "lea 4094(%%rdi), %%rdx\n"
        "mov $39, %%eax\n"                      /* getpid, then return to the limit */
        "jmp *%%rdx\n"
        "1: ud2\n"
        : : : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
}

static void syscall_with_the_trap_flag(void *unused)
{
    (void)unused;
    /* The single-step trap follows the instruction after the one that set TF: the syscall. */
    __asm__ volatile("mov $39, %%eax; pushf; orq $0x100, (%%rsp); popf; syscall; nop"
                     : : : "rax", "rcx", "r11", "memory", "cc");
}

/* The child dies as Linux would have it die (SIGSEGV fetching from the limit, SIGTRAP after
 * the syscall); on Twofold the one IRET it took is counted for its reason. */
UTEST(a_return_to_the_user_limit_leaves_by_iret)
{
    struct exit_counts before = counted();
    EXPECT_KILLED(run_in_child(syscall_at_the_user_limit, NULL), SIGSEGV);
    struct exit_counts after = counted();
    if (twofold) {
        EXPECT_EQ(DELTA(iret_rip), 1);
        EXPECT_EQ(DELTA(iret_tf_rf) + DELTA(iret_segments) + DELTA(iret_frame_changed), 0);
    }
}

UTEST(a_return_with_the_trap_flag_leaves_by_iret)
{
    struct exit_counts before = counted();
    EXPECT_KILLED(run_in_child(syscall_with_the_trap_flag, NULL), SIGTRAP);
    struct exit_counts after = counted();
    if (twofold) {
        EXPECT_EQ(DELTA(iret_tf_rf), 1);
        EXPECT_EQ(DELTA(iret_rip) + DELTA(iret_segments) + DELTA(iret_frame_changed), 0);
    }
}

static void exec_self(void *unused)
{
    (void)unused;
    char *argv[] = { (char *)utest_argv0, "exit", NULL }, *envp[] = { NULL };
    SYSCALL(SYS_execve, utest_argv0, argv, envp);
    _exit(127);
}

UTEST(execve_changes_the_frame_and_leaves_by_iret)
{
    TWOFOLD_ONLY();
    struct exit_counts before = counted();
    EXPECT_EXITED(run_in_child(exec_self, NULL), 0);
    struct exit_counts after = counted();
    EXPECT_EQ(DELTA(iret_frame_changed), 1);
    EXPECT_EQ(DELTA(iret_rip) + DELTA(iret_segments) + DELTA(iret_tf_rf), 0);
}

/* exec_self's program: exit at once. */
int utest_reexec(int argc, char **argv)
{
    return argc == 2 && strcmp(argv[1], "exit") == 0 ? 0 : 125;
}
