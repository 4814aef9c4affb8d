/* kernel/syscall/sys_info.c: system calls that describe the system or set per-process registers,
 * and Twofold's own calls (from 1024) that show its address spaces. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pcid.h"
#include "arch/x86_64/percpu.h"
#include "kernel/errno.h"
#include "kernel/lib/format.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uaccess.h"
#include "mm/frame.h"
#include "mm/ptdump.h"
#include "mm/vm.h"
#include <string.h>

enum { ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004 };

SYSCALL_DEFINE1(uname, uint64_t, buf)
{
    static const char fields[6][65] = { "Twofold", "twofold", "0.1", "#1", "x86_64", "(none)" };
    return copy_to_user(buf, fields, sizeof fields);
}

/* FS and GS bases, as Linux's arch_prctl: a base must lie below the never-mapped last user
 * page (Linux's TASK_SIZE_MAX), so it is a user address and canonical. While the kernel
 * runs, the user's GS base sits in KERNEL_GS_BASE (swapgs puts it back on the way out); it
 * is never a kernel address, which the paranoid entry counts on. */
SYSCALL_DEFINE2(arch_prctl, uint64_t, code, uint64_t, addr)
{
    uint64_t base;
    switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (addr >= USER_LIMIT)
            return -EPERM;
        wrmsr(code == ARCH_SET_FS ? MSR_FS_BASE : MSR_KERNEL_GS_BASE, addr);
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
        base = rdmsr(code == ARCH_GET_FS ? MSR_FS_BASE : MSR_KERNEL_GS_BASE);
        return copy_to_user(addr, &base, sizeof base);
    default:
        return -EINVAL;
    }
}

SYSCALL_DEFINE1(set_tid_address, uint64_t, tidptr)
{
    struct process *self = current_process();
    self->clear_child_tid = tidptr;
    return self->pid;
}

SYSCALL_DEFINE1(twofold_cr3, uint64_t, which)
{
    switch (which) {
    case 0:
        return (long)read_cr3();            /* what the kernel runs on, right now */
    case 1:
        return (long)(this_cpu()->exit_cr3 & ~CR3_NOFLUSH);  /* what this process runs on in user mode */
    default:
        return -EINVAL;
    }
}

/* A format_sink that fills a user buffer through a small kernel one, and counts. */
struct user_text {
    uint64_t buf, len, written;
    char chunk[128];
    size_t used;
    int error;
};

static void flush(struct user_text *t)
{
    uint64_t room = t->written < t->len ? t->len - t->written : 0;
    uint64_t n = t->used < room ? t->used : room;
    if (n && !t->error && copy_to_user(t->buf + t->written, t->chunk, n))
        t->error = -EFAULT;
    t->written += t->used;
    t->used = 0;
}

static void to_user(void *ctx, char c)
{
    struct user_text *t = ctx;
    t->chunk[t->used++] = c;
    if (t->used == sizeof t->chunk)
        flush(t);
}

SYSCALL_DEFINE3(twofold_ptdump, uint64_t, which, uint64_t, buf, uint64_t, len)
{
    struct process *self = current_process();
    if (which > 1)
        return -EINVAL;
    struct user_text text = { .buf = buf, .len = len };
    ptdump(which == 0 ? self->vm->root : self->vm->user_root, to_user, &text);
    flush(&text);
    return text.error ? text.error : (long)text.written;
}

/* fail_alloc(nth): the nth allocation (frame or kmalloc) made while this process runs, from
 * now on, fails; 0 disarms. Returns how many were still to go before the last setting fired
 * (0 if it fired, or none was set), as Linux's fail-nth reads. */
SYSCALL_DEFINE1(twofold_fail_alloc, uint64_t, nth)
{
    struct process *self = current_process();
    long left = self->fail_nth;
    self->fail_nth = (uint32_t)nth;
    return left;
}

/* kernel_rflags(): RFLAGS as this call's handler runs: what the door left of the user's
 * flags (none of IF, TF, DF, NT, AC: each door clears them). */
SYSCALL_DEFINE0(twofold_kernel_rflags)
{
    return (long)read_rflags();
}

/* exit_counts(buf): this CPU's struct exit_counts (arch/x86_64/percpu.h), as they stand
 * before this call's own way out. */
SYSCALL_DEFINE1(twofold_exit_counts, uint64_t, buf)
{
    struct exit_counts counts = this_cpu()->exits;
    return copy_to_user(buf, &counts, sizeof counts);
}

SYSCALL_DEFINE0(twofold_free_frames)
{
    return (long)frame_free_count();
}
