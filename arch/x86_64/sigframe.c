/* arch/x86_64/sigframe.c: Linux's x86-64 signal frame (see sigframe.h).
 *
 * From the top of the stack the handler gets (the user stack less its 128-byte red zone, or
 * the alternate stack's top with SA_ONSTACK):
 *
 *     the FPU state, 64-byte aligned: the fxsave area (512 bytes), and with XSAVE on the
 *       XSAVE header (64) and FP_XSTATE_MAGIC2 (4), the sw_reserved bytes of the fxsave area
 *       saying so (FP_XSTATE_MAGIC1 and the sizes)
 *     struct rt_sigframe, so placed that RSP + 8 is 16-byte aligned, as after a call:
 *       pretcode (the restorer: the handler's return address), the ucontext (flags, link,
 *       the alternate stack, the mcontext with every register and a pointer to the FPU
 *       state, the mask to restore), the siginfo
 */
#include "arch/x86_64/sigframe.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"
#include "kernel/proc/process.h"
#include "kernel/uaccess.h"
#include <stddef.h>
#include <string.h>

/* Linux's struct sigcontext (the mcontext). */
struct sigcontext_user {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
    uint64_t rflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;               /* the FPU state's user address; 0 for none */
    uint64_t reserved[8];
};

struct ucontext_user {
    uint64_t flags, link;
    struct stack_user stack;
    struct sigcontext_user mcontext;
    uint64_t sigmask;
};

struct rt_sigframe {
    uint64_t pretcode;
    struct ucontext_user uc;
    struct siginfo_user info;
};
_Static_assert(sizeof(struct sigcontext_user) == 256 && sizeof(struct ucontext_user) == 304
               && sizeof(struct rt_sigframe) == 440, "Linux's layout");

/* The fxsave area's software bytes (464..511) and the XSAVE header after it. */
struct fpx_sw_bytes {
    uint32_t magic1, extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size, padding[7];
};
struct xsave_header {
    uint64_t xstate_bv, xcomp_bv, reserved[6];
};
struct fp_frame {
    uint8_t fxsave[464];
    struct fpx_sw_bytes sw;
    struct xsave_header header;
    uint32_t magic2;
};
_Static_assert(offsetof(struct fp_frame, header) == 512 && offsetof(struct fp_frame, magic2) == 576,
               "the XSAVE layout");

enum {
    FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845, FXSAVE_SIZE = 512,
    XSTATE_SIZE = 576, XSTATE_FRAME_SIZE = 580, FXSAVE_MXCSR = 24,
    UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4,
    RED_ZONE = 128,
};

/* The flags rt_sigreturn may take from the frame (Linux's FIX_EFLAGS); IF, IOPL, NT, VM and
 * the rest stay as they are. */
#define USER_FLAGS (RFLAGS_AC | RFLAGS_OF | RFLAGS_DF | RFLAGS_TF | RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF \
                    | RFLAGS_PF | RFLAGS_CF | RFLAGS_RF)

/* The FPU state's size in a frame: the fxsave area, and the XSAVE header with XSAVE on. */
static uint64_t fp_size(void)
{
    return fpu_xsave_on ? XSTATE_FRAME_SIZE : FXSAVE_SIZE;
}

/* Where the FPU state and the rt_sigframe go below sp. */
static uint64_t fp_place(uint64_t sp)
{
    return (sp - fp_size()) & ~63ull;
}

static uint64_t frame_place(uint64_t fp_at)
{
    return ((fp_at - sizeof(struct rt_sigframe)) & ~15ull) - 8;
}

uint64_t sigframe_max_size(void)
{
    /* The FPU state and its 64-byte alignment, the frame and its alignment, the 8 bytes
     * that make RSP + 8 16-byte aligned: fp_place and frame_place at their worst. */
    return fp_size() + 63 + sizeof(struct rt_sigframe) + 15 + 8;
}

bool sigframe_build(struct trap_frame *frame, int signal, const struct sigaction_k *action,
                    const struct signal_info *info, uint64_t old_mask)
{
    struct signal_state *s = current_process()->signals;
    if (!(action->flags & SA_RESTORER))
        return false;               /* x86-64 has no default way back (Linux refuses too) */
    bool was_on_altstack = signal_on_altstack(s, frame->rsp);
    uint64_t sp = frame->rsp - RED_ZONE;
    bool to_altstack = (action->flags & SA_ONSTACK) && !s->altstack_disabled && s->altstack_size && !was_on_altstack;
    if (to_altstack)
        sp = s->altstack_sp + s->altstack_size;
    uint64_t fp_at = fp_place(sp), frame_at = frame_place(fp_at);
    /* A frame that would run off the bottom of the alternate stack is no frame (Linux's
     * check), whatever memory lies below it. */
    if ((to_altstack || was_on_altstack) && !signal_on_altstack(s, frame_at))
        return false;

    _Alignas(16) struct fp_frame fp;
    memset(&fp, 0, sizeof fp);
    fpu_save(&fp);
    if (fpu_xsave_on) {
        fp.sw = (struct fpx_sw_bytes){ FP_XSTATE_MAGIC1, XSTATE_FRAME_SIZE, XFEATURES_ON, XSTATE_SIZE, { 0 } };
        fp.header.xstate_bv = XFEATURES_ON;
        fp.magic2 = FP_XSTATE_MAGIC2;
    }

    struct rt_sigframe f;
    memset(&f, 0, sizeof f);
    f.pretcode = action->restorer;
    /* SS is in the frame; rt_sigreturn restores it strictly only for 64-bit code (Linux's
     * rule: code that ran in compatibility mode may go back to 64-bit mode with a bad SS). */
    f.uc.flags = UC_SIGCONTEXT_SS | (frame->cs == USER_CS ? UC_STRICT_RESTORE_SS : 0)
               | (fpu_xsave_on ? UC_FP_XSTATE : 0);
    f.uc.stack = signal_altstack(frame->rsp);
    f.uc.mcontext = (struct sigcontext_user){
        frame->r8, frame->r9, frame->r10, frame->r11, frame->r12, frame->r13, frame->r14, frame->r15,
        frame->rdi, frame->rsi, frame->rbp, frame->rbx, frame->rdx, frame->rax, frame->rcx, frame->rsp,
        frame->rip, frame->rflags, (uint16_t)frame->cs, 0, 0, (uint16_t)frame->ss,
        info->error, info->trapno, old_mask, info->trapno == VEC_PAGE_FAULT ? info->addr : 0, fp_at, { 0 },
    };
    f.uc.sigmask = old_mask;
    f.info.signo = signal;
    f.info.code = info->code;
    f.info.child.pid = info->pid;
    f.info.child.status = info->status;
    if (info->addr || signal == SIGSEGV || signal == SIGBUS || signal == SIGILL || signal == SIGFPE
        || signal == SIGTRAP)
        f.info.fault.addr = info->addr;
    if (copy_to_user(fp_at, &fp, fp_size()) || copy_to_user(frame_at, &f, sizeof f))
        return false;

    frame->rip = action->handler;
    frame->rsp = frame_at;
    frame->rdi = (uint64_t)signal;
    frame->rsi = frame_at + offsetof(struct rt_sigframe, info);
    frame->rdx = frame_at + offsetof(struct rt_sigframe, uc);
    frame->rax = 0;
    frame->rflags &= ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF);
    frame->cs = USER_CS;
    frame->ss = USER_DS;
    fpu_restore(fpu_clean_state);   /* the handler starts with a clean FPU, as on Linux */
    return true;
}

/* Whether the FPU state read into fp from user address at is one to load: an fxsave area,
 * or an XSAVE frame whose header names only the features in use, in the standard form, with
 * the reserved bytes zero (Linux's validate_user_xstate_header). */
static bool fp_frame_ok(struct fp_frame *fp, uint64_t at)
{
    if (!fpu_xsave_on || fp->sw.magic1 != FP_XSTATE_MAGIC1)
        return true;
    if (fp->sw.xstate_size < XSTATE_SIZE || fp->sw.extended_size < fp->sw.xstate_size + 4
        || copy_from_user(&fp->header, at + FXSAVE_SIZE, sizeof fp->header)
        || copy_from_user(&fp->magic2, at + fp->sw.xstate_size, sizeof fp->magic2))
        return false;
    if (fp->magic2 != FP_XSTATE_MAGIC2)
        return true;                /* not XSAVE after all: the fxsave area alone */
    if (fp->header.xstate_bv & ~(uint64_t)XFEATURES_ON || fp->header.xcomp_bv)
        return false;
    for (unsigned i = 0; i < sizeof fp->header.reserved / sizeof fp->header.reserved[0]; i++)
        if (fp->header.reserved[i])
            return false;
    return true;
}

/* The FPU state at user address at into the CPU (none: a clean one). false if it cannot be
 * read or is refused (fp_frame_ok): the FPU is then clean, as Linux leaves it. */
static bool restore_fpu(uint64_t at)
{
    _Alignas(16) struct fp_frame fp;
    if (at && (copy_from_user(&fp, at, FXSAVE_SIZE) || !fp_frame_ok(&fp, at))) {
        fpu_restore(fpu_clean_state);
        return false;
    }
    if (!at) {
        fpu_restore(fpu_clean_state);
        return true;
    }
    uint32_t mxcsr;                 /* a reserved MXCSR bit would make fxrstor fault */
    memcpy(&mxcsr, fp.fxsave + FXSAVE_MXCSR, sizeof mxcsr);
    mxcsr &= fpu_mxcsr_mask;
    memcpy(fp.fxsave + FXSAVE_MXCSR, &mxcsr, sizeof mxcsr);
    fpu_restore(&fp);
    return true;
}

/* A frame rt_sigreturn cannot take: SIGSEGV, and RAX 0, as Linux's badframe. */
static long refuse(void)
{
    signal_force(SIGSEGV, &(struct signal_info){ .code = SI_KERNEL });
    return 0;
}

long sigframe_return(struct trap_frame *frame)
{
    struct process *self = current_process();
    struct ucontext_user uc;
    self->syscall_nr = -1;          /* what RAX holds now is no call to restart */
    if (copy_from_user(&uc, frame->rsp, sizeof uc))
        return refuse();
    /* Linux's order: the mask, then the registers, then the FPU state. A frame refused
     * after the mask leaves the mask restored, so that the SIGSEGV is delivered as the
     * interrupted code would have it. */
    signal_set_mask(uc.sigmask);
    const struct sigcontext_user *sc = &uc.mcontext;
    uint64_t cs = sc->cs | 3, ss = sc->ss | 3;
    bool segments_ok = cs == USER_CS || cs == USER32_CS;
    if (ss != USER_DS) {
        /* Linux's force_valid_ss: a 64-bit frame that does not insist gets the user SS. */
        segments_ok &= !(uc.flags & UC_STRICT_RESTORE_SS) && cs == USER_CS;
        ss = USER_DS;
    }
    /* Refused segments leave the 64-bit ones: the registers are the frame's either way. */
    *frame = (struct trap_frame){
        .r15 = sc->r15, .r14 = sc->r14, .r13 = sc->r13, .r12 = sc->r12, .r11 = sc->r11, .r10 = sc->r10,
        .r9 = sc->r9, .r8 = sc->r8, .rbp = sc->rbp, .rdi = sc->rdi, .rsi = sc->rsi, .rdx = sc->rdx,
        .rcx = sc->rcx, .rbx = sc->rbx, .rax = sc->rax, .vector = frame->vector,
        .rip = sc->rip, .cs = segments_ok ? cs : USER_CS,
        .rflags = (frame->rflags & ~USER_FLAGS) | (sc->rflags & USER_FLAGS), .rsp = sc->rsp, .ss = ss,
    };
    if (!segments_ok || !restore_fpu(sc->fpstate))
        return refuse();
    signal_change_altstack(&uc.stack, frame->rsp);     /* refused changes are ignored, as on Linux */
    return (long)frame->rax;
}
