/* user/tests/sigreturn_fuzz.c: rt_sigreturn as hostile input. A handler rewrites the frame it
 * returns through with random values (CS, SS, RFLAGS, RIP, RSP, the ucontext flags, the FPU
 * state's pointer and its XSAVE header) and returns; whatever happens next (a refusal, a
 * fault at the new RIP, a landing at the pad) comes back as a signal whose handler, on the
 * alternate stack, jumps back to the loop. The process must live through every frame, and
 * each landing must be in user mode with only user flags: IOPL 0, IF on, no VM, VIF or VIP.
 * The seed is fixed, so a failure repeats. Runs on Linux too. */
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "utest.h"

enum { FRAMES = 20000 };
#define RFLAGS_IF 0x200ull
#define RFLAGS_IOPL 0x3000ull
#define RFLAGS_VM 0x20000ull
#define RFLAGS_VIF_VIP 0x180000ull

static uint64_t state = 0x2545f4914f6cdd1dull;
static uint64_t next_random(void)       /* xorshift64 */
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint64_t pick(const uint64_t *choices, unsigned n)
{
    return next_random() % 4 == 0 ? next_random() : choices[next_random() % n];
}

static sigjmp_buf back;
static uint16_t my_cs, my_ss;
/* What came back from each frame: a landing at the pad, the signals, and flags seen at the
 * pad that user mode must not have. */
static volatile unsigned long landings, signals_seen[65], bad_landings;
static volatile uint64_t bad_flags;
extern char pad[];                      /* ud2: the same instruction in 32- and 64-bit mode */
__asm__(".text\npad: ud2\n");

/* Any signal after a fuzzed frame: note it (and, at the pad, check the flags), then back. */
/* AC off: a frame may have set it, and Linux (with CR0.AM on) leaves it on for the handler,
 * where any misaligned access would then be SIGBUS. */
static inline void clear_ac(void)
{
    __asm__ volatile("pushf; andq $~0x40000, (%%rsp); popf" ::: "memory", "cc");
}

static void caught(int signal, siginfo_t *info, void *ucontext)
{
    (void)info;
    clear_ac();
    ucontext_t *uc = ucontext;
    uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP], flags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
    signals_seen[signal]++;
    if (signal == SIGILL && (rip & 0xffffffffu) == ((uint64_t)pad & 0xffffffffu)) {
        landings++;
        if ((flags & (RFLAGS_IOPL | RFLAGS_VM | RFLAGS_VIF_VIP)) || !(flags & RFLAGS_IF)) {
            bad_landings++;
            bad_flags = flags;
        }
    }
    siglongjmp(back, 1);
}

static bool coin(void)
{
    return next_random() & 1;
}

/* The SIGUSR1 handler: rewrite the frame. It returns to the pad, each other field changed
 * or not by a coin (so that some frames are good): the segments, RIP, RFLAGS, RSP, the
 * ucontext's flags, the FPU state (its pointer, its XSAVE header, sizes, magic, MXCSR). */
static void fuzz_frame(int signal, siginfo_t *info, void *ucontext)
{
    (void)signal, (void)info;
    ucontext_t *uc = ucontext;
    greg_t *g = uc->uc_mcontext.gregs;
    const uint64_t selectors[] = { my_cs, my_cs - 16, my_ss, 0, 3, 8, 0x10, my_cs + 16, my_cs | 4, my_ss | 4 };
    const uint64_t rips[] = { 1ull << 47, (1ull << 47) - 1, 0xffff800000000000ull, 0xffffffff80100000ull,
                              0x7ffffffff000ull, 0 };
    uint16_t cs = coin() ? (uint16_t)pick(selectors, 10) : my_cs, ss = coin() ? (uint16_t)pick(selectors, 10) : my_ss;
    g[REG_CSGSFS] = (greg_t)((uint64_t)cs | (uint64_t)ss << 48);
    g[REG_RIP] = (greg_t)(coin() ? pick(rips, 6) : (uint64_t)pad);
    if (coin())
        g[REG_EFL] = (greg_t)(coin() ? next_random() : 0x202 | (next_random() & 0x40cd5));
    if (coin())
        g[REG_RSP] = (greg_t)next_random();
    if (coin() && coin())
        uc->uc_flags = (unsigned long)next_random();
    uint64_t *fp = (uint64_t *)uc->uc_mcontext.fpregs;
    /* The XSAVE header follows the 512-byte fxsave area only if its software bytes say so
     * (FP_XSTATE_MAGIC1); without XSAVE, what follows is the interrupted stack. */
    bool xsave = fp && (uint32_t)fp[58] == 0x46505853;
    if (coin())
        switch (next_random() % 5) {
        case 0: uc->uc_mcontext.fpregs = NULL; break;
        case 1: uc->uc_mcontext.fpregs = (void *)next_random(); break;
        case 2: if (xsave) fp[64 + next_random() % 8] = next_random(); break;     /* XSAVE header */
        case 3: if (fp) fp[58 + next_random() % 2] ^= 1ull << (next_random() % 64); break;    /* sw bytes */
        case 4: if (fp) ((uint32_t *)fp)[6] = (uint32_t)next_random(); break;     /* MXCSR */
        }
}

UTEST(random_frames_never_harm_the_kernel_or_give_kernel_flags)
{
    static char alternate[64 * 1024];
    stack_t ss = { .ss_sp = alternate, .ss_size = sizeof alternate };
    EXPECT_EQ(sigaltstack(&ss, NULL), 0);
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(my_cs), "=r"(my_ss));
    struct sigaction sa = { .sa_sigaction = caught, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER };
    sigemptyset(&sa.sa_mask);
    int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE };
    for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++)
        EXPECT_EQ(sigaction(faults[i], &sa, NULL), 0);
    sa.sa_sigaction = fuzz_frame;
    EXPECT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    for (volatile int i = 0; i < FRAMES; i++)
        if (sigsetjmp(back, 1) == 0)
            raise(SIGUSR1);
    for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++)
        signal(faults[i], SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    printf("# %lu landings at the pad; signals: SIGSEGV %lu, SIGBUS %lu, SIGILL %lu, SIGTRAP %lu, SIGFPE %lu\n",
           landings, signals_seen[SIGSEGV], signals_seen[SIGBUS], signals_seen[SIGILL], signals_seen[SIGTRAP],
           signals_seen[SIGFPE]);
    EXPECT(landings > FRAMES / 100);    /* the fuzzer reaches both sides */
    EXPECT(signals_seen[SIGSEGV] > FRAMES / 100);
    EXPECT_EQ(bad_landings, 0);
    if (bad_landings)
        printf("# flags at the pad: %#lx\n", (unsigned long)bad_flags);
}

static void cli(void *unused)
{
    (void)unused;
    __asm__ volatile("cli");
}

UTEST(cli_still_faults_after_the_fuzzing)
{
    /* An IOPL 3 that a frame got through would let user mode turn interrupts off. */
    EXPECT_KILLED(run_in_child(cli, NULL), SIGSEGV);
}
