/* kernel/syscall/syscall.c: the system-call table and the one dispatcher all three doors call. */
#include "kernel/syscall/syscall.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"

static const syscall_handler table[SYSCALL_TABLE_SIZE] = {
    [SYS_read] = sys_read, [SYS_write] = sys_write, [SYS_close] = sys_close, [SYS_mmap] = sys_mmap,
    [SYS_mprotect] = sys_mprotect, [SYS_munmap] = sys_munmap, [SYS_brk] = sys_brk, [SYS_ioctl] = sys_ioctl,
    [SYS_writev] = sys_writev, [SYS_sched_yield] = sys_sched_yield, [SYS_pipe] = sys_pipe,
    [SYS_dup] = sys_dup, [SYS_dup2] = sys_dup2, [SYS_getpid] = sys_getpid, [SYS_fork] = sys_fork,
    [SYS_execve] = sys_execve, [SYS_exit] = sys_exit, [SYS_wait4] = sys_wait4, [SYS_kill] = sys_kill,
    [SYS_uname] = sys_uname, [SYS_getppid] = sys_getppid, [SYS_arch_prctl] = sys_arch_prctl,
    [SYS_gettid] = sys_getpid, [SYS_set_tid_address] = sys_set_tid_address, [SYS_exit_group] = sys_exit,
    [SYS_pipe2] = sys_pipe2, [SYS_twofold_cr3] = sys_twofold_cr3, [SYS_twofold_ptdump] = sys_twofold_ptdump,
    [SYS_twofold_free_frames] = sys_twofold_free_frames, [SYS_twofold_fail_alloc] = sys_twofold_fail_alloc,
    [SYS_twofold_kernel_rflags] = sys_twofold_kernel_rflags, [SYS_twofold_exit_counts] = sys_twofold_exit_counts, [SYS_nanosleep] = sys_nanosleep,
    [SYS_gettimeofday] = sys_gettimeofday, [SYS_time] = sys_time, [SYS_clock_gettime] = sys_clock_gettime,
    [SYS_clock_nanosleep] = sys_clock_nanosleep,
    [SYS_getuid] = sys_get_id, [SYS_geteuid] = sys_get_id, [SYS_getgid] = sys_get_id,
    [SYS_getegid] = sys_get_id, [SYS_setuid] = sys_set_id, [SYS_setgid] = sys_set_id,
    [SYS_setreuid] = sys_set_two_ids, [SYS_setregid] = sys_set_two_ids,
    [SYS_setresuid] = sys_set_three_ids, [SYS_setresgid] = sys_set_three_ids,
    [SYS_getresuid] = sys_get_three_ids, [SYS_getresgid] = sys_get_three_ids,
    [SYS_getgroups] = sys_getgroups, [SYS_setgroups] = sys_setgroups,
};

/* All ones if index < size, else zero, computed without a branch, so that a mispredicted
 * bounds check cannot read the table out of range speculatively (Linux's
 * array_index_mask_nospec). */
static inline uint64_t index_mask_nospec(uint64_t index, uint64_t size)
{
    uint64_t mask;
    __asm__("cmp %1, %2; sbb %0, %0" : "=r"(mask) : "r"(size), "r"(index) : "cc");
    return mask;
}

void syscall_dispatch(struct trap_frame *frame)
{
    int nr = (int)(uint32_t)frame->rax;
    long result = -ENOSYS;
    if (nr >= 0 && nr < SYSCALL_TABLE_SIZE) {
        uint64_t index = (uint64_t)nr & index_mask_nospec((uint64_t)nr, SYSCALL_TABLE_SIZE);
        syscall_handler handler = table[index];
        if (handler)
            result = handler(frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9);
    }
    frame->rax = (uint64_t)result;
    process_before_user_return();
}
