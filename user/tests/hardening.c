/* user/tests/hardening.c: what an attack from user mode tries against the entry path, and
 * what it must get. System calls from 32-bit compatibility mode (any process can far-return
 * to the 32-bit code segment): -ENOSYS through SYSCALL and `int $0x80` (Twofold has no 32-bit
 * ABI), and SYSENTER returns to 64-bit mode as Twofold's convention says; the kernel stays up.
 * No LDT: an LDT selector names nothing. The flags a door leaves the kernel: none of AC (SMAP
 * would be off), DF, TF, NT, IF. UMIP where the CPU has it: sgdt and its kind fault. No
 * FSGSBASE: rdfsbase is #UD. FS and GS bases only below the never-mapped last user page.
 * And the holes that were not the entry path's: pid 1 takes no signal, brk near 2^64 changes
 * nothing, a buffer no copy could reach fails before the call waits. */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>

#include "utest.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define USER_LIMIT 0x7ffffffff000UL
#define I386_GETPID 20              /* getpid in Linux's 32-bit table; writev in the 64-bit one */

/* compat_call(eax, stack, door, selector): far-return to the 32-bit user code segment
 * `selector` with RSP = stack (below 4 GiB), make a system call with EAX = eax through door
 * there, and come back to 64-bit mode; returns EAX. Far jumps through memory go both ways
 * (QEMU's TCG, with SMAP, takes a far return's pops for supervisor accesses): the way back,
 * this CS and label 5, waits on the 32-bit stack. SYSENTER (Twofold's
 * convention: RCX the stack, R11 where to return) comes back to label 5 by itself. The
 * 64-bit stack pointer waits in memory: no register's upper half outlives 32-bit code. The
 * program is not position independent, so its addresses fit in 32 bits. */
int compat_call(long eax, unsigned long stack, enum door door, unsigned long selector);
unsigned long compat_saved_rsp;
__asm__(
    ".text\n"
    ".globl compat_call\n"
    "compat_call:\n"
    "    push %rbx; push %rbp\n"
    "    mov %rsp, compat_saved_rsp(%rip)\n"
    "    mov %edx, %ebx\n"                  /* the door */
    "    mov %rdi, %rax\n"
    "    mov %rsi, %rsp\n"
    "    mov %rsi, %rdx\n"
    "    mov %rcx, %rsi\n"                  /* the 32-bit selector */
    "    mov %rdx, %rcx\n"                  /* SYSENTER's stack */
    "    lea 5f(%rip), %r11\n"              /* SYSENTER's return address */
    "    mov %cs, %edx\n"
    "    sub $16, %rsp\n"
    "    movl $5f, 8(%rsp)\n"               /* the way back: offset, then this CS */
    "    mov %edx, 12(%rsp)\n"
    "    lea 1f(%rip), %rdx\n"
    "    mov %edx, (%rsp)\n"                /* the way in: offset, then the 32-bit CS */
    "    mov %esi, 4(%rsp)\n"
    "    ljmpl *(%rsp)\n"
    ".code32\n"
    "1:  add $8, %esp\n"
    "    cmp $1, %ebx\n"
    "    je 2f\n"
    "    cmp $2, %ebx\n"
    "    je 3f\n"
    "    syscall\n"
    "    jmp 4f\n"
    "2:  int $0x80\n"
    "    jmp 4f\n"
    "3:  sysenter\n"
    "4:  ljmpl *(%esp)\n"
    ".code64\n"
    "5:  mov compat_saved_rsp(%rip), %rsp\n"
    "    pop %rbp; pop %rbx\n"
    "    ret\n");

/* The 32-bit user code segment: a present DPL-3 code segment with D set and L clear, found in
 * the GDT with lar (0x23, on Twofold as on Linux); 0 if there is none (a Linux without
 * IA32 emulation). */
static unsigned compat_selector(void)
{
    for (unsigned selector = 8 | 3; selector < 0x100; selector += 8) {
        unsigned access;
        unsigned char found;
        __asm__ volatile("lar %2, %0\n\tsetz %1" : "=r"(access), "=q"(found) : "r"(selector) : "cc");
        enum { PRESENT = 1 << 15, DPL3 = 3 << 13, CODE = 3 << 11, LONG = 1 << 21, DEFAULT_32 = 1 << 22 };
        if (found && (access & (PRESENT | DPL3 | CODE | LONG | DEFAULT_32)) == (PRESENT | DPL3 | CODE | DEFAULT_32))
            return selector;
    }
    return 0;
}

/* The top of a fresh page below 4 GiB, for 32-bit code's stack. */
static unsigned long low_stack(void)
{
    long page = SYSCALL(SYS_mmap, 0x60000000, 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    EXPECT_EQ(page, 0x60000000);
    return (unsigned long)page + 4096;
}

struct compat_case {
    enum door door;
    long eax;
};

/* In a child: the call from compat mode comes back with what the kernel says (on Twofold
 * -ENOSYS, or for SYSENTER the 64-bit call's answer; on Linux the 32-bit getpid). */
static void call_from_compat_mode(void *arg)
{
    const struct compat_case *c = arg;
    int result = compat_call(c->eax, low_stack(), c->door, compat_selector());
    int want = c->door == DOOR_SYSENTER ? (int)SYSCALL(c->eax)
              : on_twofold() ? -ENOSYS : SYSCALL(SYS_getpid);
    EXPECT_EQ(result, want);
    EXPECT_EQ(SYSCALL(SYS_getpid), getpid());       /* the 64-bit calls work as before */
}

/* Run the compat-mode case in a child; where the CPU may refuse the door there (#UD: SIGILL),
 * refusal says why the case then skips. */
static void compat_case(enum door door, long eax, const char *refusal)
{
    struct compat_case c = { door, eax };
    if (!compat_selector())
        SKIP("no 32-bit user code segment here (a Linux without IA32 emulation)");
    int status = run_in_child(call_from_compat_mode, &c);
    if (refusal && WIFSIGNALED(status) && WTERMSIG(status) == SIGILL)
        SKIP(refusal);
    /* Linux returns from a compat-mode SYSCALL to the 32-bit vDSO's landing pad, which a
     * 64-bit process lacks: some hosts' kernels (6.18 here) then kill it with SIGSEGV. */
    if (!on_twofold() && door == DOOR_SYSCALL && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
        SKIP("this Linux returns a compat-mode SYSCALL to a 32-bit vDSO the process lacks");
    EXPECT_EXITED(status, 0);
}

UTEST(syscall_from_compat_mode_is_enosys)
{
    compat_case(DOOR_SYSCALL, I386_GETPID, "SYSCALL is #UD in compatibility mode on this CPU (Intel's)");
}

UTEST(int80_from_compat_mode_is_enosys)
{
    compat_case(DOOR_INT80, I386_GETPID, NULL);
}

UTEST(sysenter_from_compat_mode_returns_to_64_bit_mode)
{
    TWOFOLD_ONLY();                     /* Linux's SYSENTER is the 32-bit ABI's, to its vDSO */
    compat_case(DOOR_SYSENTER, SYS_getppid, "SYSENTER is #UD in 64-bit mode on this CPU (AMD's)");
}

/* lar(selector): whether the selector names a descriptor user mode may see. */
static int lar_finds(unsigned selector)
{
    unsigned access;
    unsigned char found;
    __asm__ volatile("lar %2, %0\n\tsetz %1" : "=r"(access), "=q"(found) : "r"(selector) : "cc");
    return found;
}

static void ldt_selectors_name_nothing(void *unused)
{
    (void)unused;
    /* With a live LDT at linear address 0 (the firmware's), the CPU would read these
     * descriptors from user memory, and fault: nothing is mapped there. */
    for (unsigned index = 0; index < 0x2000; index += 0x3ff)
        EXPECT(!lar_finds(index << 3 | 4 | 3));
    EXPECT(lar_finds(0x33));            /* the 64-bit user code segment, in the GDT */
}

UTEST(an_ldt_selector_names_no_descriptor)
{
    EXPECT_EXITED(run_in_child(ldt_selectors_name_nothing, NULL), 0);
}

#define RFLAGS_TF 0x100UL
#define RFLAGS_IF 0x200UL
#define RFLAGS_DF 0x400UL
#define RFLAGS_NT 0x4000UL
#define RFLAGS_AC 0x40000UL

static void check_kernel_flags(void *door_arg)
{
    enum door door = *(enum door *)door_arg;
    unsigned long flags = door_call0(door, SYS_kernel_rflags, RFLAGS_AC | RFLAGS_DF | RFLAGS_NT);
    EXPECT_EQ(flags & (RFLAGS_AC | RFLAGS_DF | RFLAGS_NT | RFLAGS_TF | RFLAGS_IF), 0);
}

static void kernel_flags_case(enum door door)
{
    TWOFOLD_ONLY();
    int status = run_in_child(check_kernel_flags, &door);
    if (door == DOOR_SYSENTER && WIFSIGNALED(status) && WTERMSIG(status) == SIGILL)
        SKIP("SYSENTER raises #UD in 64-bit mode on this CPU");
    EXPECT_EXITED(status, 0);
}

UTEST(syscall_clears_ac_df_and_nt_for_the_kernel)
{
    kernel_flags_case(DOOR_SYSCALL);
}

UTEST(int80_clears_ac_df_and_nt_for_the_kernel)
{
    kernel_flags_case(DOOR_INT80);
}

UTEST(sysenter_clears_ac_df_and_nt_for_the_kernel)
{
    kernel_flags_case(DOOR_SYSENTER);
}

/* Whether CPUID says the CPU has UMIP (leaf 7, ECX bit 2). */
static int cpu_has_umip(void)
{
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    if (a < 7)
        return 0;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    return (c >> 2) & 1;
}

#define UMIP_CASE(name, instruction)                                                         \
    static void name##_child(void *unused)                                                   \
    {                                                                                        \
        unsigned char table[16];                                                             \
        (void)unused;                                                                        \
        __asm__ volatile(instruction : : "r"(table) : "rax", "memory");                     \
    }                                                                                        \
    UTEST(name##_faults_where_the_cpu_has_umip)                                              \
    {                                                                                        \
        TWOFOLD_ONLY();                 /* Linux emulates these for user mode */             \
        int status = run_in_child(name##_child, NULL);                                       \
        if (cpu_has_umip())                                                                  \
            EXPECT_KILLED(status, SIGSEGV);                                                  \
        else                                                                                 \
            EXPECT_EXITED(status, 0);                                                        \
    }

UMIP_CASE(sgdt, "sgdt (%0)")
UMIP_CASE(sidt, "sidt (%0)")
UMIP_CASE(sldt, "sldt %%ax")
UMIP_CASE(smsw, "smsw %%ax")
UMIP_CASE(str, "str %%ax")

static void read_fs_base(void *unused)
{
    unsigned long base;
    (void)unused;
    __asm__ volatile("rdfsbase %0" : "=r"(base));
}

UTEST(rdfsbase_is_sigill_as_fsgsbase_is_off)
{
    TWOFOLD_ONLY();                     /* Linux turns FSGSBASE on where the CPU has it */
    EXPECT_KILLED(run_in_child(read_fs_base, NULL), SIGILL);
}

/* arch_prctl(code, base) with no libc in between: with a wrong FS base, musl's own code
 * (errno, printf) would read garbage. */
static long set_base(int code, unsigned long base)
{
    return SYSCALL(SYS_arch_prctl, code, base);
}

UTEST(fs_and_gs_bases_stop_below_the_last_user_page)
{
    unsigned long fs, gs;
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_GET_GS, &gs), 0);
    long results[] = {
        set_base(ARCH_SET_FS, USER_LIMIT), set_base(ARCH_SET_FS, 0x7fffffffffffUL),
        set_base(ARCH_SET_FS, 0xffff800000000000UL), set_base(ARCH_SET_FS, USER_LIMIT - 1),
        set_base(ARCH_SET_FS, fs),
        set_base(ARCH_SET_GS, USER_LIMIT), set_base(ARCH_SET_GS, 0xffffffff80000000UL),
        set_base(ARCH_SET_GS, USER_LIMIT - 1), set_base(ARCH_SET_GS, gs),
    };
    long want[] = { -EPERM, -EPERM, -EPERM, 0, 0, -EPERM, -EPERM, 0, 0 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (results[i] != want[i])
            utest_fail(__FILE__, __LINE__, "arch_prctl call %zu gave %ld, want %ld", i, results[i], want[i]);
    unsigned long now;
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_GET_FS, &now), 0);
    EXPECT_EQ(now, fs);
}

UTEST(no_signal_reaches_pid_1)
{
    TWOFOLD_ONLY();                     /* here pid 1 is the machine's own init */
    static const int signals[] = { SIGTERM, SIGKILL, SIGINT, SIGSEGV, SIGUSR1, SIGPIPE };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        EXPECT_EQ(SYSCALL(SYS_kill, 1, signals[i]), 0);     /* sent, and dropped */
    SYSCALL(SYS_sched_yield);
    EXPECT_EQ(SYSCALL(SYS_kill, 1, 0), 0);                  /* init is still there */
}

/* In a child: brk requests that would wrap when rounded up to a page are refused with the
 * break unchanged, and the heap, code and data are still there. */
static void brk_near_the_top(void *unused)
{
    (void)unused;
    char *start = (char *)SYSCALL(SYS_brk, 0);
    char *end = (char *)SYSCALL(SYS_brk, start + 8192);
    EXPECT(end == start + 8192);
    memset(start, 'h', 8192);
    static const unsigned long asks[] = { 0xfffffffffffff001UL, 0xffffffffffffffffUL,
                                          0x8000000000000000UL, 0x7ffffffff001UL };
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++)
        EXPECT_EQ(SYSCALL(SYS_brk, asks[i]), (long)end);
    EXPECT_EQ(start[0] + start[8191], 'h' + 'h');
    EXPECT_EQ(SYSCALL(SYS_brk, start), (long)start);
}

UTEST(brk_near_2_to_the_64_leaves_the_break)
{
    EXPECT_EXITED(run_in_child(brk_near_the_top, NULL), 0);
}

#define KERNEL_ADDRESS 0xffff800000001000UL

/* Each read or write that would wait (an empty pipe, a full one, the console with nothing
 * typed) is -EFAULT at once for a buffer outside the user range: nothing may wait first. */
static void no_wait_for_a_bad_buffer(void *unused)
{
    int p[2];
    static char fill[65536];
    (void)unused;
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    EXPECT_EQ(SYSCALL(SYS_read, p[0], KERNEL_ADDRESS, 8), -EFAULT);
    EXPECT_EQ(SYSCALL(SYS_read, p[0], 0x7ffffffff000UL, 8), -EFAULT);
    long room = 0;
    for (long n; room < (long)sizeof fill && (n = SYSCALL(SYS_write, p[1], fill, 1)) == 1;) {
        room++;
        if (room == 4096)                               /* Twofold's pipes hold a page */
            break;
    }
    struct { unsigned long base, len; } iov[2] = { { (unsigned long)"x", 1 }, { KERNEL_ADDRESS, 8 } };
    if (on_twofold()) {                                 /* the pipe is full */
        EXPECT_EQ(SYSCALL(SYS_write, p[1], KERNEL_ADDRESS, 8), -EFAULT);
        EXPECT_EQ(SYSCALL(SYS_writev, p[1], iov, 2), -EFAULT);
    }
    EXPECT_EQ(SYSCALL(SYS_read, 0, KERNEL_ADDRESS, 8), -EFAULT);    /* the console, or /dev/null */
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}

UTEST(a_bad_buffer_fails_before_the_call_waits)
{
    EXPECT_EXITED(run_in_child(no_wait_for_a_bad_buffer, NULL), 0);
}

/* In a child: the first allocation it makes fails, and it is a page for a first touch. */
static void fault_without_a_frame(void *unused)
{
    static char untouched[3 * 4096];
    (void)unused;
    char *page = (char *)(((unsigned long)untouched + 4095) & ~4095UL);
    fail_alloc(1);
    page[0] = 1;
    _exit(3);                           /* not reached: the page fault had no frame */
}

UTEST(a_page_fault_without_memory_is_sigkill)
{
    TWOFOLD_ONLY();
    EXPECT_KILLED(run_in_child(fault_without_a_frame, NULL), SIGKILL);
}

/* In a child: take memory a page at a time until there is none. */
static void eat_all_memory(void *unused)
{
    (void)unused;
    unsigned long size = 1UL << 40;
    char *huge = (char *)SYSCALL(SYS_mmap, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if ((long)huge < 0)
        _exit(2);
    for (unsigned long at = 0; at < size; at += 4096)
        huge[at] = 1;
    _exit(3);
}

UTEST(running_out_of_memory_kills_only_the_process_that_asked)
{
    TWOFOLD_ONLY();                     /* on Linux this would wake the host's OOM killer */
    long before = free_frames();
    EXPECT_KILLED(run_in_child(eat_all_memory, NULL), SIGKILL);
    EXPECT_EQ(free_frames(), before);
    char *after = malloc(1 << 20);      /* and the rest goes on */
    EXPECT(after != NULL);
    if (after)
        memset(after, 0, 1 << 20);
    free(after);
}
