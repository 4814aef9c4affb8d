/* user/tests/hardening.c: what an attack from user mode tries against the entry path, and
 * what it must get. System calls from 32-bit compatibility mode (any process can far-return
 * to the 32-bit code segment): -ENOSYS through SYSCALL and `int $0x80` (Twofold has no 32-bit
 * ABI), and SYSENTER returns to 64-bit mode as Twofold's convention says; the kernel stays up.
 * No LDT: an LDT selector names nothing. The flags a door leaves the kernel: none of AC (SMAP
 * would be off), DF, TF, NT, IF. UMIP where the CPU has it: sgdt and its kind fault. No
 * FSGSBASE: rdfsbase is #UD. FS and GS bases only below the never-mapped last user page. */
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

enum door { DOOR_SYSCALL, DOOR_INT80, DOOR_SYSENTER };

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
 * the GDT with lar (0x1b on Twofold, 0x23 on Linux); 0 if there is none (a Linux without
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
    EXPECT(lar_finds(0x2b));            /* the 64-bit user code segment, in the GDT */
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

/* kernel_rflags() through door with AC, DF and NT set in user mode (kept aligned: AC would
 * check alignment if CR0.AM were set, as Linux sets it); returns what the kernel ran with. */
static unsigned long kernel_flags_through(enum door door)
{
    unsigned long result;
    __asm__ volatile(
        "pushf\n\t"
        "orq %[set], (%%rsp)\n\t"
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
        "3: pushf\n\t"
        "andq %[clear], (%%rsp)\n\t"
        "popf"
        : "=a"(result)
        : "a"((long)SYS_kernel_rflags), [door] "r"(door), [set] "i"(RFLAGS_AC | RFLAGS_DF | RFLAGS_NT),
          [clear] "i"(~(RFLAGS_AC | RFLAGS_DF | RFLAGS_NT))
        : "rcx", "r11", "memory", "cc");
    return result;
}

static void check_kernel_flags(void *door_arg)
{
    enum door door = *(enum door *)door_arg;
    unsigned long flags = kernel_flags_through(door);
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

static unsigned long gs_word(void)
{
    unsigned long word;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(word));
    return word;
}

static unsigned long gs_words[2] = { 0x6773206261736521UL, 0x6f74686572207073UL };

/* The child points GS at the other word and yields, as the parent does: each keeps its own. */
static void other_gs_base(void *unused)
{
    (void)unused;
    EXPECT_EQ(gs_word(), gs_words[0]);              /* fork copies the base */
    EXPECT_EQ(set_base(ARCH_SET_GS, (unsigned long)&gs_words[1]), 0);
    for (int i = 0; i < 20; i++) {
        SYSCALL(SYS_sched_yield);
        EXPECT_EQ(gs_word(), gs_words[1]);
    }
}

UTEST(gs_base_is_per_process_and_kept_across_switches)
{
    unsigned long gs, got;
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_GET_GS, &gs), 0);
    EXPECT_EQ(set_base(ARCH_SET_GS, (unsigned long)&gs_words[0]), 0);
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_GET_GS, &got), 0);
    EXPECT_EQ(got, (unsigned long)&gs_words[0]);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        utest_now.failures = 0;
        other_gs_base(NULL);
        fflush(stdout);
        _exit(utest_now.failures ? 1 : 0);
    }
    for (int i = 0; i < 20; i++) {
        SYSCALL(SYS_sched_yield);
        EXPECT_EQ(gs_word(), gs_words[0]);
    }
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, child, &status, 0, 0), child);
    EXPECT_EXITED(status, 0);
    EXPECT_EQ(set_base(ARCH_SET_GS, gs), 0);
}
