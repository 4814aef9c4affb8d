/* user/include/twofold.h: what Twofold's user programs share: a raw system call that returns
 * -errno (as the kernel does, with no libc in between), Twofold's own system calls (numbers
 * from 1024; Linux answers them with -ENOSYS), and how a program tells Twofold from Linux.
 *
 * Every program here is an ordinary static Linux binary (musl-gcc -static): it runs on Linux
 * too, where the Twofold-only checks report themselves skipped.
 */
#pragma once
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

/* Twofold's own system calls, SYS_cr3 = 1024 and on, numbered by the kernel's one table of
 * calls (kernel/syscall/calls.def, which the build puts on the include path); the wrappers
 * below say what each does. */
enum twofold_syscall {
#define LINUX(number, name, handler)
#define TWOFOLD(number, name, handler) SYS_##name = number,
#include "calls.def"
#undef LINUX
#undef TWOFOLD
};

/* The SYSCALL instruction with Linux's register convention: number in rax, arguments in rdi,
 * rsi, rdx, r10, r8, r9; the CPU overwrites rcx and r11. Returns what the kernel put in rax:
 * a result, or -errno. */
static inline long syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* SYSCALL(nr, args...): syscall6 with up to six arguments of any integer or pointer type;
 * the missing ones are 0. SYSCALL(SYS_write, 1, buf, n) is write(1, buf, n) returning
 * -errno on failure. */
#define SYSCALL(...) SYSCALL_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define SYSCALL_(nr, a, b, c, d, e, f, ...)                                                  \
    syscall6((long)(nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* The CR3 value that is live for this process: which = 0, the one the kernel runs on while it
 * handles this call; which = 1, the one this process runs on in user mode (the two are equal
 * unless page-table isolation is on). -EINVAL for any other which. */
static inline long cr3(long which)
{
    return SYSCALL(SYS_cr3, which);
}

/* Write a dump of an address space's page tables into buf (at most len bytes). */
static inline long ptdump(long which, void *buf, unsigned long len)
{
    return SYSCALL(SYS_ptdump, which, buf, len);
}

/* The number of physical frames the kernel's allocator has free. */
static inline long free_frames(void)
{
    return SYSCALL(SYS_free_frames);
}

/* Twofold's three doors into the kernel: SYSCALL; `int $0x80`, a gate user mode may use, with
 * the same numbers and registers; SYSENTER, by Twofold's convention with RCX the stack pointer
 * and R11 the address to return to (AMD's CPUs, and QEMU's models of them, refuse it in
 * 64-bit mode with #UD). On Linux only SYSCALL is the 64-bit ABI. */
enum door { DOOR_SYSCALL, DOOR_INT80, DOOR_SYSENTER };

/* System call nr without arguments through door, with the RFLAGS bits `flags` set in user
 * mode across the door and cleared after it (AC among them would check alignment were CR0.AM
 * set, as Linux sets it: nothing here is misaligned); returns RAX. */
static inline long door_call0(enum door door, long nr, unsigned long flags)
{
    long result;
    __asm__ volatile(
        "pushf\n\t"
        "or %[flags], (%%rsp)\n\t"
        "popf\n\t"
        "cmp $1, %k[door]\n\t"
        "je 1f\n\t"
        "cmp $2, %k[door]\n\t"
        "je 2f\n\t"
        "syscall\n\t"
        "jmp 3f\n"
        "1: int $0x80\n\t"
        "jmp 3f\n"
        "2: mov %%rsp, %%rcx\n\t"
        "lea 3f(%%rip), %%r11\n\t"
        "sysenter\n"
        "3: not %[flags]\n\t"
        "pushf\n\t"
        "and %[flags], (%%rsp)\n\t"
        "popf"
        : "=a"(result), [flags] "+r"(flags)
        : "a"(nr), [door] "r"(door)
        : "rcx", "r11", "memory", "cc");
    return result;
}

/* Make the nth allocation of kernel memory (a frame, or a kmalloc) made for this process from
 * now on fail, so that a test can watch the call fail cleanly; 0 disarms. Returns how many
 * were still to go before the previous setting fired: 0 if it fired. */
static inline long fail_alloc(unsigned long nth)
{
    return SYSCALL(SYS_fail_alloc, nth);
}

/* How returns to user mode have left this CPU since boot (the kernel's struct exit_counts):
 * by SYSRET, by IRET (any door), and for the SYSCALL door's IRETs, why SYSRET was not safe. */
struct exit_counts {
    unsigned long sysret, iret;
    unsigned long iret_frame_changed;   /* the call changed RIP or RFLAGS (execve) */
    unsigned long iret_rip;             /* RIP at or above the user limit */
    unsigned long iret_tf_rf;           /* TF or RF set */
    unsigned long iret_segments;        /* CS or SS not the 64-bit user ones */
};

/* Fill *counts as they stand before this call returns (its own exit is not in them). 0, or
 * -EFAULT; -ENOSYS on Linux. */
static inline long exit_counts(struct exit_counts *counts)
{
    return SYSCALL(SYS_exit_counts, counts);
}

/* 1 when running on Twofold, 0 on Linux: whether Twofold's own free_frames answers (Linux
 * numbers its calls below 1024). Not uname, so the tests of uname can trust it. */
static inline int on_twofold(void)
{
    return free_frames() != -ENOSYS;
}

/* The path of `name` beside the program started as argv0, that is, in the directory that
 * holds it: ("/testrun", "tests/io") gives "/tests/io", ("build/user/testrun", "tests/io")
 * "build/user/tests/io". Written into buf (size bytes); returns buf, or NULL if it does not fit. */
static inline char *path_beside(const char *argv0, const char *name, char *buf, size_t size)
{
    const char *slash = strrchr(argv0, '/');
    size_t dir = slash ? (size_t)(slash - argv0) + 1 : 0;
    size_t len = strlen(name);
    if (dir + len + 1 > size)
        return NULL;
    memcpy(buf, argv0, dir);
    memcpy(buf + dir, name, len + 1);
    return buf;
}

/* What a wait status (wait4's) says, for a person: "exited with status 3" or "killed by
 * signal 11". Written into buf; returns buf. */
static inline char *describe_status(int status, char *buf, size_t size)
{
    if (WIFEXITED(status))
        snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "killed by signal %d%s", WTERMSIG(status), WCOREDUMP(status) ? " (core dumped)" : "");
    else if (WIFSTOPPED(status))
        snprintf(buf, size, "stopped by signal %d", WSTOPSIG(status));
    else if (WIFCONTINUED(status))
        snprintf(buf, size, "continued");
    else
        snprintf(buf, size, "has wait status 0x%x", (unsigned)status);
    return buf;
}
