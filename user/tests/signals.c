/* user/tests/signals.c: signals as musl uses Linux's: handlers with SA_SIGINFO, the frame and
 * its ucontext (a handler reads and changes the interrupted registers), masks and pending
 * signals, SA_RESETHAND, SA_NODEFER, SA_ONSTACK with sigaltstack, what each fault's siginfo
 * says, calls a handler cuts short (-EINTR, or restarted with SA_RESTART), pause,
 * sigsuspend, sigtimedwait, alarms, SIGCHLD, and the default actions (terminate, core,
 * ignore, stop and continue). Every case runs on Linux too. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>

#include "utest.h"

static volatile sig_atomic_t caught, caught_signal, nested;
static volatile siginfo_t last_info;
static volatile unsigned long handler_stack;

static void on(int signal, void (*handler)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    EXPECT_EQ(sigaction(signal, &sa, NULL), 0);
}

static void dfl(int signal)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = SIG_DFL;
    sigaction(signal, &sa, NULL);
}

static void count(int signal, siginfo_t *info, void *uc)
{
    (void)uc;
    caught++;
    caught_signal = signal;
    memcpy((void *)&last_info, info, sizeof *info);
    handler_stack = (unsigned long)&signal;
}

UTEST(a_handler_runs_with_the_signal_and_its_info)
{
    caught = 0;
    on(SIGUSR1, count, 0);
    EXPECT_EQ(raise(SIGUSR1), 0);
    EXPECT_EQ(caught, 1);
    EXPECT_EQ(caught_signal, SIGUSR1);
    EXPECT_EQ(last_info.si_signo, SIGUSR1);
    EXPECT_EQ(last_info.si_code, SI_TKILL);             /* raise() is tkill in musl */
    EXPECT_EQ(last_info.si_pid, getpid());
    EXPECT_EQ(kill(getpid(), SIGUSR1), 0);
    EXPECT_EQ(caught, 2);
    EXPECT_EQ(last_info.si_code, SI_USER);
    dfl(SIGUSR1);
}

UTEST(sigaction_reports_the_old_action)
{
    struct sigaction old;
    on(SIGUSR2, count, SA_RESTART);
    EXPECT_EQ(sigaction(SIGUSR2, NULL, &old), 0);
    EXPECT(old.sa_sigaction == count);
    EXPECT(old.sa_flags & SA_SIGINFO);
    EXPECT(old.sa_flags & SA_RESTART);
    /* An unknown flag is dropped, so that a program can tell what is supported. */
    struct sigaction sa = { .sa_handler = SIG_IGN, .sa_flags = 0x400 /* SA_UNSUPPORTED */ };
    EXPECT_EQ(sigaction(SIGUSR2, &sa, NULL), 0);
    EXPECT_EQ(sigaction(SIGUSR2, NULL, &old), 0);
    EXPECT_EQ(old.sa_flags & 0x400, 0);
    dfl(SIGUSR2);
}

UTEST(sigkill_and_sigstop_can_be_neither_caught_nor_blocked)
{
    struct sigaction sa = { .sa_handler = SIG_IGN };
    EXPECT_EQ(sigaction(SIGKILL, &sa, NULL), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(sigaction(SIGSTOP, &sa, NULL), -1);
    EXPECT_EQ(sigaction(0, &sa, NULL), -1);
    EXPECT_EQ(sigaction(65, &sa, NULL), -1);
    sigset_t all, now;
    sigfillset(&all);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, &all, NULL), 0);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, NULL, &now), 0);
    EXPECT(!sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP) && sigismember(&now, SIGUSR1));
    EXPECT_EQ(sigprocmask(SIG_UNBLOCK, &all, NULL), 0);
}

UTEST(a_blocked_signal_waits_until_unblocked)
{
    sigset_t usr1, pending;
    caught = 0;
    on(SIGUSR1, count, 0);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, &usr1, NULL), 0);
    raise(SIGUSR1);
    raise(SIGUSR1);                                     /* one instance, not two */
    EXPECT_EQ(caught, 0);
    EXPECT_EQ(sigpending(&pending), 0);
    EXPECT(sigismember(&pending, SIGUSR1));
    EXPECT_EQ(sigprocmask(SIG_UNBLOCK, &usr1, NULL), 0);
    EXPECT_EQ(caught, 1);
    EXPECT_EQ(sigpending(&pending), 0);
    EXPECT(!sigismember(&pending, SIGUSR1));
    dfl(SIGUSR1);
}

static void nest(int signal, siginfo_t *info, void *uc)
{
    (void)info, (void)uc;
    if (nested++ == 0)
        raise(signal);                  /* runs now with SA_NODEFER, after return without */
}

UTEST(a_handler_blocks_its_signal_unless_sa_nodefer)
{
    sigset_t now;
    nested = 0;
    on(SIGUSR1, nest, 0);
    raise(SIGUSR1);
    EXPECT_EQ(nested, 2);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, NULL, &now), 0);
    EXPECT(!sigismember(&now, SIGUSR1));                /* the mask came back */
    nested = 0;
    on(SIGUSR1, nest, SA_NODEFER);
    raise(SIGUSR1);
    EXPECT_EQ(nested, 2);
    dfl(SIGUSR1);
}

static void dies_at_the_second(void *unused)
{
    (void)unused;
    on(SIGUSR1, count, SA_RESETHAND);
    raise(SIGUSR1);                     /* the handler, which resets the action */
    raise(SIGUSR1);                     /* the default: terminate */
    _exit(3);
}

UTEST(sa_resethand_gives_the_default_back)
{
    EXPECT_KILLED(run_in_child(dies_at_the_second, NULL), SIGUSR1);
}

UTEST(sa_onstack_runs_the_handler_on_the_alternate_stack)
{
    static char alternate[64 * 1024];
    stack_t ss = { .ss_sp = alternate, .ss_size = sizeof alternate }, old;
    EXPECT_EQ(sigaltstack(&ss, &old), 0);
    on(SIGUSR1, count, SA_ONSTACK);
    raise(SIGUSR1);
    EXPECT(handler_stack >= (unsigned long)alternate && handler_stack < (unsigned long)alternate + sizeof alternate);
    on(SIGUSR1, count, 0);
    raise(SIGUSR1);
    EXPECT(!(handler_stack >= (unsigned long)alternate && handler_stack < (unsigned long)alternate + sizeof alternate));
    stack_t now;
    EXPECT_EQ(sigaltstack(NULL, &now), 0);
    EXPECT(now.ss_sp == alternate && now.ss_size == sizeof alternate && now.ss_flags == 0);
    ss.ss_size = 100;
    EXPECT_EQ(sigaltstack(&ss, NULL), -1);
    EXPECT_EQ(errno, ENOMEM);
    ss.ss_flags = SS_DISABLE;
    EXPECT_EQ(sigaltstack(&ss, NULL), 0);
    EXPECT_EQ(sigaltstack(NULL, &now), 0);
    EXPECT_EQ(now.ss_flags, SS_DISABLE);
    dfl(SIGUSR1);
}

/* A fault handler that records the info and steps over the faulting instruction (whose
 * length is in skip), by changing RIP in the ucontext. */
static volatile int skip;
static volatile greg_t fault_rip;
static void step_over(int signal, siginfo_t *info, void *ucontext)
{
    ucontext_t *uc = ucontext;
    caught_signal = signal;
    memcpy((void *)&last_info, info, sizeof *info);
    fault_rip = uc->uc_mcontext.gregs[REG_RIP];
    uc->uc_mcontext.gregs[REG_RIP] += skip;
}

/* A page with protection prot, or PROT_NONE then unmapped when prot is -1. */
static char *a_page(int prot)
{
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return NULL;
    if (prot == -1)
        munmap(page, 4096);
    else
        mprotect(page, 4096, prot);
    return page;
}

/* Run instruction (length bytes, at the label name_fault; its operand in rdx), expecting
 * signal with code and si_addr, and RIP in the frame at the instruction; the handler resumes
 * after it. */
#define FAULT_CASE(name, sig, instruction, length, operand, code_wanted, addr_wanted)        \
    UTEST(name)                                                                              \
    {                                                                                        \
        extern char name##_fault[];                                                          \
        const char *rdx = (operand);                                                         \
        on(sig, step_over, 0);                                                               \
        skip = length;                                                                       \
        caught_signal = 0;                                                                   \
        __asm__ volatile(".globl " #name "_fault\n" #name "_fault:\n\t" instruction          \
                         : : "d"(rdx) : "rax", "rcx", "memory", "cc");                       \
        EXPECT_EQ(caught_signal, sig);                                                       \
        EXPECT_EQ(last_info.si_signo, sig);                                                  \
        EXPECT_EQ(last_info.si_code, code_wanted);                                           \
        EXPECT_EQ((unsigned long)last_info.si_addr, (unsigned long)(addr_wanted));           \
        EXPECT_EQ((unsigned long)fault_rip, (unsigned long)name##_fault);                    \
        dfl(sig);                                                                            \
    }

FAULT_CASE(sigsegv_for_an_unmapped_address_is_maperr, SIGSEGV, "movb (%%rdx), %%al", 2, a_page(-1) + 8,
           SEGV_MAPERR, rdx)
FAULT_CASE(sigsegv_for_a_read_only_page_is_accerr, SIGSEGV, "movb $1, (%%rdx)", 3, a_page(PROT_READ) + 8,
           SEGV_ACCERR, rdx)
FAULT_CASE(sigsegv_for_a_page_without_access_is_accerr, SIGSEGV, "movb (%%rdx), %%al", 2, a_page(PROT_NONE),
           SEGV_ACCERR, rdx)
FAULT_CASE(sigill_says_where_the_instruction_is, SIGILL, "ud2", 2, NULL, ILL_ILLOPN,
           sigill_says_where_the_instruction_is_fault)
FAULT_CASE(sigfpe_for_a_divide_by_zero_is_intdiv, SIGFPE, "divb %%dh", 2, NULL, FPE_INTDIV,
           sigfpe_for_a_divide_by_zero_is_intdiv_fault)
FAULT_CASE(a_general_protection_fault_is_sigsegv_from_the_kernel, SIGSEGV, "mov %%cr3, %%rax", 3, NULL,
           SI_KERNEL, 0)

/* A push through a non-canonical RSP: a stack fault (#SS), which Linux makes SIGBUS; QEMU's
 * CPUs raise #GP for it instead, which is SIGSEGV. Either way the signal must be the one of
 * the vector the frame names, from the kernel. The handler, on the alternate stack, exits 0
 * if so. */
static void check_stack_fault(int signal, siginfo_t *info, void *ucontext)
{
    greg_t trapno = ((ucontext_t *)ucontext)->uc_mcontext.gregs[REG_TRAPNO];
    bool right = (trapno == 12 && signal == SIGBUS) || (trapno == 13 && signal == SIGSEGV);
    _exit(right && info->si_code == SI_KERNEL ? 0 : 1);
}

static void push_through_a_non_canonical_rsp(void *unused)
{
    (void)unused;
    static char alternate[64 * 1024];
    stack_t ss = { .ss_sp = alternate, .ss_size = sizeof alternate };
    sigaltstack(&ss, NULL);
    on(SIGBUS, check_stack_fault, SA_ONSTACK);
    on(SIGSEGV, check_stack_fault, SA_ONSTACK);
    __asm__ volatile("mov $0x8000000000000000, %%rsp; push %%rax" ::: "memory");
    _exit(2);
}

UTEST(a_stack_fault_is_sigbus_and_a_protection_fault_sigsegv)
{
    EXPECT_EXITED(run_in_child(push_through_a_non_canonical_rsp, NULL), 0);
}

UTEST(int3_is_sigtrap_after_the_instruction)
{
    extern char int3_here[];
    on(SIGTRAP, step_over, 0);
    skip = 0;                           /* a trap: RIP is already past it */
    caught_signal = 0;
    __asm__ volatile(".globl int3_here\nint3_here: int3" ::: "memory");
    EXPECT_EQ(caught_signal, SIGTRAP);
    EXPECT_EQ(last_info.si_code, SI_KERNEL);            /* Linux's code for int3, not TRAP_BRKPT */
    EXPECT_EQ((unsigned long)fault_rip, (unsigned long)int3_here + 1);
    dfl(SIGTRAP);
}

static volatile int steps;
static void single_step(int signal, siginfo_t *info, void *ucontext)
{
    ucontext_t *uc = ucontext;
    (void)signal;
    memcpy((void *)&last_info, info, sizeof *info);
    if (++steps == 3)
        uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;       /* TF off: on at full speed */
}

UTEST(a_handler_that_clears_tf_ends_single_stepping)
{
    steps = 0;
    on(SIGTRAP, single_step, 0);
    __asm__ volatile("pushf; orq $0x100, (%%rsp); popf; nop; nop; nop; nop; nop; nop" ::: "memory", "cc");
    EXPECT_EQ(steps, 3);
    EXPECT_EQ(last_info.si_code, TRAP_TRACE);
    dfl(SIGTRAP);
}

static void change_registers(int signal, siginfo_t *info, void *ucontext)
{
    ucontext_t *uc = ucontext;
    (void)signal, (void)info;
    uc->uc_mcontext.gregs[REG_RAX] = 42;                /* what the interrupted kill returns */
    uc->uc_mcontext.gregs[REG_R12] += 1;
    uc->uc_mcontext.gregs[REG_EFL] |= 1;                /* CF, a flag user mode may set */
}

UTEST(a_handler_can_change_the_registers_it_returns_to)
{
    on(SIGUSR1, change_registers, 0);
    long result = SYS_kill;
    register long r12 __asm__("r12") = 1000;
    unsigned char carry;
    __asm__ volatile("clc; syscall; setc %[carry]"
                     : "+a"(result), "+r"(r12), [carry] "=r"(carry)
                     : "D"((long)getpid()), "S"((long)SIGUSR1) : "rcx", "r11", "memory", "cc");
    EXPECT_EQ(result, 42);
    EXPECT_EQ(r12, 1001);
    EXPECT_EQ(carry, 1);
    dfl(SIGUSR1);
}

/* Point RSP at nothing, then raise a signal: the frame cannot be written, so the process
 * dies of SIGSEGV (not of SIGUSR1, and not the kernel). */
static void no_stack_for_a_frame(void *unused)
{
    (void)unused;
    on(SIGUSR1, count, 0);
    long pid = SYSCALL(SYS_getpid);
    __asm__ volatile("mov %%rsp, %%rbx; mov $0x10000000, %%rsp; syscall; mov %%rbx, %%rsp"
                     : : "a"((long)SYS_kill), "D"(pid), "S"((long)SIGUSR1) : "rbx", "rcx", "r11", "memory");
    _exit(3);
}

UTEST(a_signal_with_no_room_for_its_frame_is_sigsegv)
{
    EXPECT_KILLED(run_in_child(no_stack_for_a_frame, NULL), SIGSEGV);
}

/* The same, with a SIGSEGV handler too: its frame fails as well, and then the default
 * action ends the process (the kernel does not try the handler forever). */
static void no_stack_for_the_sigsegv_handler_either(void *unused)
{
    on(SIGSEGV, count, 0);
    no_stack_for_a_frame(unused);
}

UTEST(a_sigsegv_handler_with_no_room_for_its_frame_ends_the_process)
{
    EXPECT_KILLED(run_in_child(no_stack_for_the_sigsegv_handler_either, NULL), SIGSEGV);
}

/* A handler on a small alternate stack that raises its own signal (SA_NODEFER), deeper each
 * time: the frame that would run off the stack's bottom is refused with SIGSEGV, though the
 * memory below is mapped and writable. */
static void deeper(int signal, siginfo_t *info, void *uc)
{
    (void)info, (void)uc;
    if (++nested < 10)
        raise(signal);
}

static void overflow_the_altstack(void *unused)
{
    (void)unused;
    /* Room for two frames of the largest size (AT_MINSIGSTKSZ), writable memory below. */
    unsigned long frame = getauxval(AT_MINSIGSTKSZ), size = 2 * (frame > MINSIGSTKSZ ? frame : MINSIGSTKSZ);
    EXPECT(frame >= 512);
    char *area = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack_t ss = { .ss_sp = area + size, .ss_size = size };
    EXPECT_EQ(sigaltstack(&ss, NULL), 0);
    nested = 0;
    on(SIGUSR1, deeper, SA_ONSTACK | SA_NODEFER);
    raise(SIGUSR1);
    _exit(3);                           /* ten frames fit: the check is missing */
}

UTEST(a_frame_that_overflows_the_alternate_stack_is_sigsegv)
{
    EXPECT_KILLED(run_in_child(overflow_the_altstack, NULL), SIGSEGV);
}

/* A handler that spoils the XSAVE header of its frame's FPU state (a reserved word), where
 * the frame has one; rt_sigreturn must refuse it with SIGSEGV, delivered (as on Linux) with
 * the registers and mask of the frame restored, so that its handler returns into raise(). */
static volatile int had_xsave, refused;
static void spoil_the_xsave_header(int signal, siginfo_t *info, void *ucontext)
{
    (void)signal, (void)info;
    uint64_t *fp = (uint64_t *)((ucontext_t *)ucontext)->uc_mcontext.fpregs;
    had_xsave = fp && (uint32_t)fp[58] == 0x46505853;   /* FP_XSTATE_MAGIC1 in the sw bytes */
    if (had_xsave)
        fp[66] = 1;                                     /* the header's first reserved word */
}

static void note_refusal(int signal, siginfo_t *info, void *uc)
{
    (void)signal, (void)info, (void)uc;
    refused++;
}

UTEST(a_corrupt_xsave_header_is_refused_with_sigsegv)
{
    refused = had_xsave = 0;
    on(SIGUSR1, spoil_the_xsave_header, 0);
    on(SIGSEGV, note_refusal, 0);
    raise(SIGUSR1);
    dfl(SIGUSR1);
    dfl(SIGSEGV);
    if (!had_xsave)
        SKIP("no XSAVE state in the frame: this CPU has no XSAVE");
    EXPECT_EQ(refused, 1);
    sigset_t now;
    EXPECT_EQ(sigprocmask(SIG_BLOCK, NULL, &now), 0);
    EXPECT(!sigismember(&now, SIGUSR1));                /* the frame's mask came back */
}

/* ---- calls a signal cuts short ------------------------------------------------------- */
static void nothing(int signal, siginfo_t *info, void *uc)
{
    (void)signal, (void)info, (void)uc;
    caught++;
}

/* A child that sends SIGUSR1 to the parent every millisecond, until killed. */
static pid_t pester(void)
{
    pid_t parent = getpid();
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        struct timespec ms = { 0, 1000000 };
        for (;;) {
            kill(parent, SIGUSR1);
            nanosleep(&ms, NULL);
        }
    }
    return child;
}

static void stop_pestering(pid_t child)
{
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
}

UTEST(a_handler_without_sa_restart_makes_a_waiting_read_fail_with_eintr)
{
    int p[2];
    char byte;
    caught = 0;
    on(SIGUSR1, nothing, 0);
    EXPECT_EQ(pipe(p), 0);
    pid_t child = pester();
    long n = SYSCALL(SYS_read, p[0], &byte, 1);
    stop_pestering(child);
    EXPECT_EQ(n, -EINTR);
    EXPECT(caught >= 1);
    close(p[0]);
    close(p[1]);
    dfl(SIGUSR1);
}

UTEST(a_handler_with_sa_restart_makes_the_read_go_on)
{
    int p[2];
    char byte = 0;
    caught = 0;
    on(SIGUSR1, nothing, SA_RESTART);
    EXPECT_EQ(pipe(p), 0);
    pid_t parent = getpid();
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {                   /* some signals, then the byte the read waits for */
        struct timespec ms = { 0, 2000000 };
        for (int i = 0; i < 10; i++) {
            kill(parent, SIGUSR1);
            nanosleep(&ms, NULL);
        }
        _exit(write(p[1], "r", 1) == 1 ? 0 : 1);
    }
    long n = SYSCALL(SYS_read, p[0], &byte, 1);
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EQ(n, 1);
    EXPECT_EQ(byte, 'r');
    EXPECT(caught >= 1);
    close(p[0]);
    close(p[1]);
    dfl(SIGUSR1);
}

UTEST(nanosleep_cut_short_by_a_handler_says_what_was_left)
{
    caught = 0;
    on(SIGUSR1, nothing, SA_RESTART);   /* nanosleep is not restarted for a handler, even so */
    pid_t child = pester();
    struct timespec ask = { 30, 0 }, left = { 0, 0 };
    long r = SYSCALL(SYS_nanosleep, &ask, &left);
    stop_pestering(child);
    EXPECT_EQ(r, -EINTR);
    /* Written, and no more than asked (Linux counts its timer slack, some microseconds). */
    long long left_ns = left.tv_sec * 1000000000LL + left.tv_nsec;
    EXPECT(left_ns > 0 && left_ns <= 30001000000LL);
    dfl(SIGUSR1);
}

UTEST(pause_returns_eintr_once_a_handler_ran)
{
    caught = 0;
    on(SIGUSR1, nothing, SA_RESTART);
    pid_t child = pester();
    long r = SYSCALL(SYS_pause);
    stop_pestering(child);
    EXPECT_EQ(r, -EINTR);
    EXPECT(caught >= 1);
    dfl(SIGUSR1);
}

UTEST(sigsuspend_waits_with_its_mask_and_restores_the_old_one)
{
    sigset_t usr1, none, now;
    caught = 0;
    on(SIGUSR1, nothing, 0);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, &usr1, NULL), 0);
    pid_t child = pester();
    EXPECT_EQ(sigsuspend(&none), -1);
    EXPECT_EQ(errno, EINTR);
    EXPECT(caught >= 1);
    stop_pestering(child);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, NULL, &now), 0);
    EXPECT(sigismember(&now, SIGUSR1));                 /* blocked again, as before */
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGUSR1)) {               /* one more may have come since */
        int got;
        sigwait(&usr1, &got);
    }
    EXPECT_EQ(sigprocmask(SIG_UNBLOCK, &usr1, NULL), 0);
    dfl(SIGUSR1);
}

UTEST(sigtimedwait_takes_a_blocked_signal_or_times_out)
{
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, &usr2, NULL), 0);
    struct timespec zero = { 0, 0 }, short_wait = { 0, 10000000 };
    siginfo_t info;
    EXPECT_EQ(sigtimedwait(&usr2, &info, &zero), -1);
    EXPECT_EQ(errno, EAGAIN);
    EXPECT_EQ(sigtimedwait(&usr2, &info, &short_wait), -1);
    EXPECT_EQ(errno, EAGAIN);
    kill(getpid(), SIGUSR2);
    EXPECT_EQ(sigtimedwait(&usr2, &info, &zero), SIGUSR2);
    EXPECT_EQ(info.si_signo, SIGUSR2);
    EXPECT_EQ(info.si_pid, getpid());
    EXPECT_EQ(sigprocmask(SIG_UNBLOCK, &usr2, NULL), 0);
}

UTEST(sigtimedwait_gets_a_sigchld_whose_action_is_to_be_ignored)
{
    /* SIGCHLD's default is to ignore it; one that is waited for is not dropped. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, &chld, NULL), 0);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {                   /* most likely ends while the parent waits */
        struct timespec moment = { 0, 50000000 };
        nanosleep(&moment, NULL);
        _exit(4);
    }
    siginfo_t info;
    EXPECT_EQ(sigwaitinfo(&chld, &info), SIGCHLD);
    EXPECT_EQ(info.si_pid, child);
    EXPECT_EQ(info.si_code, CLD_EXITED);
    EXPECT_EQ(info.si_status, 4);
    EXPECT_EQ(waitpid(child, NULL, 0), child);
    EXPECT_EQ(sigprocmask(SIG_UNBLOCK, &chld, NULL), 0);
}

UTEST(alarm_and_setitimer_deliver_sigalrm)
{
    caught = 0;
    on(SIGALRM, nothing, 0);
    EXPECT_EQ(alarm(100), 0);
    EXPECT(alarm(0) >= 99);                             /* what was left of the old one */
    struct itimerval every = { { 0, 20000 }, { 0, 20000 } }, now;
    EXPECT_EQ(setitimer(ITIMER_REAL, &every, NULL), 0);
    EXPECT_EQ(getitimer(ITIMER_REAL, &now), 0);
    EXPECT(now.it_interval.tv_usec == 20000 && now.it_value.tv_sec == 0 && now.it_value.tv_usec <= 20000);
    while (caught < 3)
        pause();
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    EXPECT_EQ(setitimer(ITIMER_REAL, &off, NULL), 0);
    EXPECT_EQ(getitimer(ITIMER_REAL, &now), 0);
    EXPECT(now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);
    dfl(SIGALRM);
}

/* ---- SIGCHLD and the default actions -------------------------------------------------- */
static volatile int child_code, child_status, child_pid;
static void on_child(int signal, siginfo_t *info, void *uc)
{
    (void)signal, (void)uc;
    child_code = info->si_code;
    child_status = info->si_status;
    child_pid = info->si_pid;
}

UTEST(sigchld_says_which_child_ended_and_how)
{
    child_code = 0;
    on(SIGCHLD, on_child, 0);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        _exit(5);
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EQ(child_code, CLD_EXITED);
    EXPECT_EQ(child_status, 5);
    EXPECT_EQ(child_pid, child);
    dfl(SIGCHLD);
}

UTEST(ignoring_sigchld_reaps_children_as_they_end)
{
    struct sigaction sa = { .sa_handler = SIG_IGN };
    EXPECT_EQ(sigaction(SIGCHLD, &sa, NULL), 0);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    EXPECT_EQ(waitpid(child, NULL, 0), -1);             /* it ends; nothing is left to wait for */
    EXPECT_EQ(errno, ECHILD);
    dfl(SIGCHLD);
}

static void raise_signal(void *signal)
{
    raise((int)(long)signal);
    _exit(3);
}

UTEST(default_actions_terminate_dump_core_or_ignore)
{
    int status = run_in_child(raise_signal, (void *)(long)SIGTERM);
    EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM && !WCOREDUMP(status));
    status = run_in_child(raise_signal, (void *)(long)SIGQUIT);
    EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGQUIT);
    if (on_twofold())                                   /* Linux dumps core as its limits say */
        EXPECT(WCOREDUMP(status));
    EXPECT_EXITED(run_in_child(raise_signal, (void *)(long)SIGCHLD), 3);
    EXPECT_EXITED(run_in_child(raise_signal, (void *)(long)SIGWINCH), 3);
    EXPECT_EXITED(run_in_child(raise_signal, (void *)(long)SIGCONT), 3);
}

UTEST(a_stopped_child_is_reported_and_continues)
{
    int go[2];
    EXPECT_EQ(pipe(go), 0);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        raise(SIGSTOP);                                 /* stops here until SIGCONT */
        char byte;                                      /* and ends only once told: on */
        _exit(read(go[0], &byte, 1) == 1 ? 7 : 1);      /* another CPU it could end before */
    }                                                   /* the parent hears of the continue */
    int status = 0;
    EXPECT_EQ(waitpid(child, &status, WUNTRACED), child);
    EXPECT(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
    EXPECT_EQ(kill(child, SIGCONT), 0);
    EXPECT_EQ(waitpid(child, &status, WCONTINUED), child);
    EXPECT(WIFCONTINUED(status));
    EXPECT_EQ(write(go[1], "g", 1), 1);
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EXITED(status, 7);
    close(go[0]);
    close(go[1]);
}

UTEST(a_stopped_child_dies_of_sigkill)
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        raise(SIGSTOP);
        _exit(3);
    }
    int status;
    EXPECT_EQ(waitpid(child, &status, WUNTRACED), child);
    EXPECT(WIFSTOPPED(status));
    EXPECT_EQ(kill(child, SIGKILL), 0);
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_KILLED(status, SIGKILL);
}
