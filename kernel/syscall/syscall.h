/* kernel/syscall/syscall.h: system-call numbers (Linux x86-64's, and Twofold's own from 1024) and
 * the handlers' shape. user/include/twofold.h declares the same project numbers. */
#pragma once
#include <stdint.h>

enum {
    SYS_read = 0, SYS_write = 1, SYS_close = 3, SYS_mmap = 9, SYS_mprotect = 10, SYS_munmap = 11,
    SYS_brk = 12, SYS_ioctl = 16, SYS_writev = 20, SYS_sched_yield = 24, SYS_pipe = 22, SYS_dup = 32,
    SYS_dup2 = 33, SYS_getpid = 39, SYS_fork = 57, SYS_execve = 59, SYS_exit = 60, SYS_wait4 = 61,
    SYS_kill = 62, SYS_uname = 63, SYS_getppid = 110, SYS_arch_prctl = 158, SYS_gettid = 186,
    SYS_set_tid_address = 218, SYS_exit_group = 231, SYS_pipe2 = 293, SYS_nanosleep = 35,
    SYS_gettimeofday = 96, SYS_time = 201, SYS_clock_gettime = 228, SYS_clock_nanosleep = 230,
    SYS_getuid = 102, SYS_getgid = 104, SYS_setuid = 105, SYS_setgid = 106, SYS_geteuid = 107,
    SYS_getegid = 108, SYS_setreuid = 113, SYS_setregid = 114, SYS_getgroups = 115,
    SYS_setgroups = 116, SYS_setresuid = 117, SYS_getresuid = 118, SYS_setresgid = 119,
    SYS_getresgid = 120,
    SYS_twofold_cr3 = 1024, SYS_twofold_ptdump = 1025, SYS_twofold_free_frames = 1026,
    SYS_twofold_fail_alloc = 1027, SYS_twofold_kernel_rflags = 1028, SYS_twofold_exit_counts = 1029,
    SYSCALL_TABLE_SIZE = 1030,
};

typedef long (*syscall_handler)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* The handlers, by the file that holds them. */
long sys_read(uint64_t fd, uint64_t buf, uint64_t len, uint64_t, uint64_t, uint64_t);
long sys_write(uint64_t fd, uint64_t buf, uint64_t len, uint64_t, uint64_t, uint64_t);
long sys_writev(uint64_t fd, uint64_t iov, uint64_t count, uint64_t, uint64_t, uint64_t);
long sys_close(uint64_t fd, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_ioctl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t, uint64_t, uint64_t);
long sys_pipe(uint64_t fds, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_pipe2(uint64_t fds, uint64_t flags, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_dup(uint64_t fd, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_dup2(uint64_t fd, uint64_t new_fd, uint64_t, uint64_t, uint64_t, uint64_t);

long sys_getpid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_getppid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_sched_yield(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_fork(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_execve(uint64_t path, uint64_t argv, uint64_t envp, uint64_t, uint64_t, uint64_t);
long sys_exit(uint64_t status, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_wait4(uint64_t pid, uint64_t status, uint64_t options, uint64_t rusage, uint64_t, uint64_t);
long sys_kill(uint64_t pid, uint64_t signal, uint64_t, uint64_t, uint64_t, uint64_t);

long sys_brk(uint64_t addr, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd, uint64_t offset);
long sys_munmap(uint64_t addr, uint64_t len, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t, uint64_t, uint64_t);

long sys_clock_gettime(uint64_t clock, uint64_t ts, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_gettimeofday(uint64_t tv, uint64_t tz, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_time(uint64_t t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_nanosleep(uint64_t req, uint64_t rem, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_clock_nanosleep(uint64_t clock, uint64_t flags, uint64_t req, uint64_t rem, uint64_t, uint64_t);

long sys_get_id(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_set_id(uint64_t id, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_set_two_ids(uint64_t real, uint64_t effective, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_set_three_ids(uint64_t real, uint64_t effective, uint64_t saved, uint64_t, uint64_t, uint64_t);
long sys_get_three_ids(uint64_t real, uint64_t effective, uint64_t saved, uint64_t, uint64_t, uint64_t);
long sys_getgroups(uint64_t size, uint64_t list, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_setgroups(uint64_t size, uint64_t list, uint64_t, uint64_t, uint64_t, uint64_t);

long sys_uname(uint64_t buf, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_arch_prctl(uint64_t code, uint64_t addr, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_set_tid_address(uint64_t tidptr, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_twofold_cr3(uint64_t which, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_twofold_ptdump(uint64_t which, uint64_t buf, uint64_t len, uint64_t, uint64_t, uint64_t);
long sys_twofold_free_frames(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_twofold_fail_alloc(uint64_t nth, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_twofold_kernel_rflags(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_twofold_exit_counts(uint64_t buf, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

struct trap_frame;

/* Every door ends here: the number is RAX's low 32 bits as a signed int (the upper half is
 * ignored, as on Linux); negative, unknown or x32 (bit 30) numbers give -ENOSYS. The result
 * goes to RAX. A process with a pending kill ends here instead of returning. */
void syscall_dispatch(struct trap_frame *frame);
