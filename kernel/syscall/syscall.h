/* kernel/syscall/syscall.h: system-call numbers, from the one table (calls.def), and how a
 * handler is written. */
#pragma once
#include <stdint.h>

/* SYS_read = 0, ..., and Twofold's own as SYS_twofold_cr3 = 1024, ... */
enum syscall_number {
#define LINUX(number, name, handler) SYS_##name = number,
#define TWOFOLD(number, name, handler) SYS_twofold_##name = number,
#include "kernel/syscall/calls.def"
#undef LINUX
#undef TWOFOLD
};

/* What the table holds: every handler takes the six argument registers (RDI, RSI, RDX, R10,
 * R8, R9) and returns the result or -errno for RAX. */
typedef long (*syscall_handler)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* SYSCALL_DEFINEn(name, type1, arg1, ..., typen, argn) { body }: the handler sys_name, with
 * typed parameters. It takes the six registers, as the table calls it, and hands the body
 * the first n converted to their types, as Linux's do: a descriptor declared `int` is the
 * register's low 32 bits, a user pointer stays a uint64_t (it is never dereferenced, only
 * passed to copy_from_user and its kind). */
#define SYSCALL_UNUSED __attribute__((unused))
#define SYSCALL_REGISTERS uint64_t r0 SYSCALL_UNUSED, uint64_t r1 SYSCALL_UNUSED, uint64_t r2 SYSCALL_UNUSED, \
                          uint64_t r3 SYSCALL_UNUSED, uint64_t r4 SYSCALL_UNUSED, uint64_t r5 SYSCALL_UNUSED
#define SYSCALL_DEFINE0(name) long sys_##name(SYSCALL_REGISTERS)
#define SYSCALL_DEFINE1(name, t0, a0)                                                        \
    static long do_##name(t0 a0);                                                            \
    long sys_##name(SYSCALL_REGISTERS) { return do_##name((t0)r0); }                         \
    static long do_##name(t0 a0)
#define SYSCALL_DEFINE2(name, t0, a0, t1, a1)                                                \
    static long do_##name(t0 a0, t1 a1);                                                     \
    long sys_##name(SYSCALL_REGISTERS) { return do_##name((t0)r0, (t1)r1); }                 \
    static long do_##name(t0 a0, t1 a1)
#define SYSCALL_DEFINE3(name, t0, a0, t1, a1, t2, a2)                                        \
    static long do_##name(t0 a0, t1 a1, t2 a2);                                              \
    long sys_##name(SYSCALL_REGISTERS) { return do_##name((t0)r0, (t1)r1, (t2)r2); }         \
    static long do_##name(t0 a0, t1 a1, t2 a2)
#define SYSCALL_DEFINE4(name, t0, a0, t1, a1, t2, a2, t3, a3)                                \
    static long do_##name(t0 a0, t1 a1, t2 a2, t3 a3);                                       \
    long sys_##name(SYSCALL_REGISTERS) { return do_##name((t0)r0, (t1)r1, (t2)r2, (t3)r3); } \
    static long do_##name(t0 a0, t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE5(name, t0, a0, t1, a1, t2, a2, t3, a3, t4, a4)                        \
    static long do_##name(t0 a0, t1 a1, t2 a2, t3 a3, t4 a4);                                \
    long sys_##name(SYSCALL_REGISTERS)                                                       \
    {                                                                                        \
        return do_##name((t0)r0, (t1)r1, (t2)r2, (t3)r3, (t4)r4);                            \
    }                                                                                        \
    static long do_##name(t0 a0, t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE6(name, t0, a0, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)                \
    static long do_##name(t0 a0, t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);                         \
    long sys_##name(SYSCALL_REGISTERS)                                                       \
    {                                                                                        \
        return do_##name((t0)r0, (t1)r1, (t2)r2, (t3)r3, (t4)r4, (t5)r5);                    \
    }                                                                                        \
    static long do_##name(t0 a0, t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)

struct trap_frame;

/* Every door ends here: the number is RAX's low 32 bits as a signed int (the upper half is
 * ignored, as on Linux); negative, unknown or x32 (bit 30) numbers give -ENOSYS. The result
 * goes to RAX. A process with a pending kill ends here instead of returning. */
void syscall_dispatch(struct trap_frame *frame);
