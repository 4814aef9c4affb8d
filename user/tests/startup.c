/* user/tests/startup.c: the state a program starts in, seen from its very first instruction
 * (built with -nostartfiles: _start below is this program's own): every general register but
 * rsp zero, RFLAGS 0x202 (IF and the always-one bit), rsp 16-byte aligned and pointing at the
 * System V stack: argc, argv, NULL, envp, NULL, then the auxiliary vector with AT_PHDR,
 * AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY and AT_RANDOM, ended by AT_NULL. Linux starts a
 * program the same way. */
#include <elf.h>

#include "utest.h"

/* What _start saw: rax..r15 in struct order (rsp left out), RFLAGS and rsp. */
static struct {
    unsigned long rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    unsigned long rflags, rsp;
} entry;
static const char *const entry_names[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                           "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* Save every register without changing any first, then start musl as its crt1 would. */
void _start(void);
void start_c(unsigned long *sp);
__asm__(
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "    mov %rax, entry+0(%rip);   mov %rbx, entry+8(%rip);   mov %rcx, entry+16(%rip)\n"
    "    mov %rdx, entry+24(%rip);  mov %rsi, entry+32(%rip);  mov %rdi, entry+40(%rip)\n"
    "    mov %rbp, entry+48(%rip);  mov %r8, entry+56(%rip);   mov %r9, entry+64(%rip)\n"
    "    mov %r10, entry+72(%rip);  mov %r11, entry+80(%rip);  mov %r12, entry+88(%rip)\n"
    "    mov %r13, entry+96(%rip);  mov %r14, entry+104(%rip); mov %r15, entry+112(%rip)\n"
    "    pushf\n"
    "    popq entry+120(%rip)\n"
    "    mov %rsp, entry+128(%rip)\n"
    "    mov %rsp, %rdi\n"
    "    and $-16, %rsp\n"
    "    call start_c\n"
    "    ud2\n");

/* musl's entry to libc (what its crt1 calls): it calls main(argc, argv, envp); ours takes the
 * first two, as the ABI allows. */
int __libc_start_main(int (*main)(int, char **), int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*ldso)(void));

void start_c(unsigned long *sp)
{
    __libc_start_main(main, (int)sp[0], (char **)(sp + 1), 0, 0, 0);
}

/* The stack as _start found it. */
static unsigned long *initial_stack(void)
{
    return (unsigned long *)entry.rsp;
}

static char **initial_envp(void)
{
    unsigned long *sp = initial_stack();
    return (char **)(sp + 1 + sp[0] + 1);
}

/* The auxiliary vector's value for type, or `none` if it has no such entry. */
static unsigned long aux(unsigned long type, unsigned long none)
{
    char **env = initial_envp();
    while (*env)
        env++;
    for (unsigned long *a = (unsigned long *)(env + 1); a[0] != AT_NULL; a += 2)
        if (a[0] == type)
            return a[1];
    return none;
}

UTEST(general_registers_are_zero_at_entry)
{
    const unsigned long *reg = &entry.rax;
    for (int i = 0; i < 15; i++)
        if (reg[i] != 0)
            utest_fail(__FILE__, __LINE__, "%s was %#lx at the first instruction", entry_names[i],
                       reg[i]);
}

UTEST(rflags_is_0x202_at_entry)
{
    EXPECT_EQ(entry.rflags, 0x202);
}

UTEST(stack_is_16_byte_aligned_at_entry)
{
    EXPECT_EQ(entry.rsp % 16, 0);
}

UTEST(argc_and_argv_are_on_the_stack)
{
    unsigned long *sp = initial_stack();
    long argc = (long)sp[0];
    char **argv = (char **)(sp + 1);
    EXPECT(argc >= 1);
    EXPECT(argv[argc] == NULL);
    for (long i = 0; i < argc; i++)
        EXPECT((unsigned long)argv[i] > entry.rsp);         /* the strings are above it */
    const char *slash = strrchr(argv[0], '/');
    EXPECT_STREQ(slash ? slash + 1 : argv[0], "startup");
    EXPECT(argv[0] == utest_argv0);                         /* what musl passed to main */
}

UTEST(envp_follows_argv)
{
    char **envp = initial_envp();
    int n = 0;
    for (; envp[n]; n++) {
        EXPECT((unsigned long)envp[n] > entry.rsp);
        EXPECT(strchr(envp[n], '=') != NULL);
    }
    EXPECT(envp == environ);
    EXPECT(n < 4096);
}

UTEST(auxv_has_every_entry_musl_needs)
{
    static const unsigned long types[] = { AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY,
                                           AT_RANDOM };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (aux(types[i], ~0UL) == ~0UL)
            utest_fail(__FILE__, __LINE__, "no auxv entry of type %lu", types[i]);
}

/* The ELF header at the start of this program's first segment (the linker's symbol). */
extern const Elf64_Ehdr __ehdr_start;

UTEST(auxv_describes_this_program)
{
    EXPECT_EQ(aux(AT_PHDR, 0), (unsigned long)&__ehdr_start + __ehdr_start.e_phoff);
    EXPECT_EQ(aux(AT_PHENT, 0), sizeof(Elf64_Phdr));
    EXPECT_EQ(aux(AT_PHNUM, 0), __ehdr_start.e_phnum);
    EXPECT_EQ(aux(AT_PAGESZ, 0), 4096);
    EXPECT_EQ(aux(AT_ENTRY, 0), (unsigned long)&_start);
    EXPECT_EQ(aux(AT_ENTRY, 0), __ehdr_start.e_entry);
}

UTEST(auxv_random_points_at_16_bytes_on_the_stack)
{
    const unsigned char *random = (const unsigned char *)aux(AT_RANDOM, 0);
    EXPECT((unsigned long)random > entry.rsp && (unsigned long)random < 0x800000000000UL);
    unsigned char any = 0;
    for (int i = 0; i < 16; i++)
        any |= random[i];
    EXPECT(any != 0);
}
