/* kernel/sys_info.c: system calls that describe the system or set per-process registers,
 * and Twofold's own calls (from 1024) that show its address spaces. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pcid.h"
#include "arch/x86_64/percpu.h"
#include "kernel/errno.h"
#include "kernel/format.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "mm/frame.h"
#include "mm/layout.h"
#include "mm/ptdump.h"
#include <string.h>

enum { ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004 };

long sys_uname(uint64_t buf, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    static const char fields[6][65] = { "Twofold", "twofold", "0.1", "#1", "x86_64", "(none)" };
    return copy_to_user(buf, fields, sizeof fields);
}

long sys_arch_prctl(uint64_t code, uint64_t addr, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u2, (void)u3, (void)u4, (void)u5;
    struct process *self = current_process();
    switch (code) {
    case ARCH_SET_FS:
        if (addr >= USER_TOP)
            return -EPERM;                  /* only user (and canonical) addresses */
        self->fs_base = addr;
        wrmsr(MSR_FS_BASE, addr);
        return 0;
    case ARCH_GET_FS:
        return copy_to_user(addr, &self->fs_base, sizeof self->fs_base);
    default:
        return -EINVAL;                     /* GS belongs to the kernel's swapgs */
    }
}

long sys_set_tid_address(uint64_t tidptr, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    struct process *self = current_process();
    self->clear_child_tid = tidptr;
    return self->pid;
}

long sys_twofold_cr3(uint64_t which, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
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

long sys_twofold_ptdump(uint64_t which, uint64_t buf, uint64_t len, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u3, (void)u4, (void)u5;
    struct process *self = current_process();
    if (which > 1)
        return -EINVAL;
    struct user_text text = { .buf = buf, .len = len };
    ptdump(which == 0 ? self->kernel_cr3 : self->user_cr3, to_user, &text);
    flush(&text);
    return text.error ? text.error : (long)text.written;
}

long sys_twofold_free_frames(uint64_t u0, uint64_t u1, uint64_t u2, uint64_t u3, uint64_t u4, uint64_t u5)
{
    (void)u0, (void)u1, (void)u2, (void)u3, (void)u4, (void)u5;
    return (long)frame_free_count();
}
