/* user/tests/efault.c: every system call that takes a user pointer answers a bad one with
 * -EFAULT and carries on: NULL, an unmapped page, the last user page (never mappable),
 * non-canonical addresses, the kernel's direct map and image, and read-only memory where the
 * kernel would write. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "utest.h"

#define PAGE 4096UL
#define ARCH_GET_FS 0x1003

#define EXPECT_EFAULT(call, addr)                                                            \
    do {                                                                                     \
        long r_ = (call);                                                                    \
        if (r_ != -EFAULT)                                                                   \
            utest_fail(__FILE__, __LINE__, "%s with %#lx returned %ld, want -EFAULT (-14)",  \
                       #call, (unsigned long)(addr), r_);                                    \
    } while (0)

/* Addresses no system call may read or write through. NULL first: some calls take it to
 * mean "none" (wait4's status, execve's argv and envp), so those loops start after it. */
enum { NULL_ADDRESS, UNMAPPED };
static unsigned long bad[] = {
    [NULL_ADDRESS] = 0,
    [UNMAPPED] = 0,                     /* a page just unmapped: set by each loop */
    0x7ffffffff000,                     /* the last user page, never mapped */
    0x0000800000000000,                 /* the first non-canonical address */
    0x8000000000000000,
    0xffff800000000000,                 /* the direct map of physical memory */
    0xffffffff80100000,                 /* the kernel image */
    0xfffffffffffff000,                 /* the last page of all */
};

/* A page that was mapped a moment ago and is not now. */
static unsigned long unmapped_page(void)
{
    long page = SYSCALL(SYS_mmap, 0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    EXPECT(page > 0);
    EXPECT_EQ(SYSCALL(SYS_munmap, page, PAGE), 0);
    return (unsigned long)page;
}

/* Set bad[UNMAPPED]; returns the number of bad addresses. */
static size_t bad_addresses(void)
{
    bad[UNMAPPED] = unmapped_page();
    return sizeof bad / sizeof bad[0];
}

/* Run the statement after it with addr = each bad address from index `from` on. */
#define FOR_EACH_BAD(addr, from)                                                             \
    for (size_t i_ = (from), n_ = bad_addresses(); i_ < n_; i_++)                           \
        for (unsigned long addr = bad[i_], once_ = 1; once_; once_ = 0)

static void new_pipe(int p[2])
{
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
}

static void close_pipe(int p[2])
{
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}

UTEST(write_from_bad_buffer_is_efault)
{
    int p[2];
    char byte;
    new_pipe(p);
    FOR_EACH_BAD(addr, NULL_ADDRESS) EXPECT_EFAULT(SYSCALL(SYS_write, p[1], addr, 8), addr);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "k", 1), 1);        /* nothing got into the pipe */
    EXPECT_EQ(SYSCALL(SYS_read, p[0], &byte, 1), 1);
    EXPECT_EQ(byte, 'k');
    close_pipe(p);
}

UTEST(read_into_bad_buffer_is_efault_and_keeps_the_data)
{
    int p[2];
    char byte = 0;
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "d", 1), 1);
    FOR_EACH_BAD(addr, NULL_ADDRESS) EXPECT_EFAULT(SYSCALL(SYS_read, p[0], addr, 8), addr);
    EXPECT_EQ(SYSCALL(SYS_read, p[0], &byte, 1), 1);
    EXPECT_EQ(byte, 'd');
    close_pipe(p);
}

/* Two pages, the second unmapped again: returns the address 8 bytes before the hole. */
static char *just_before_a_hole(void)
{
    char *two = (char *)SYSCALL(SYS_mmap, 0, 2 * PAGE, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT((long)two > 0);
    EXPECT_EQ(SYSCALL(SYS_munmap, two + PAGE, PAGE), 0);
    memset(two, 'h', PAGE);
    return two + PAGE - 8;
}

UTEST(buffer_running_into_an_unmapped_page_is_efault)
{
    int p[2];
    char *edge = just_before_a_hole();
    new_pipe(p);
    EXPECT_EFAULT(SYSCALL(SYS_write, p[1], edge, 16), edge);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "0123456789abcdef", 16), 16);
    EXPECT_EFAULT(SYSCALL(SYS_read, p[0], edge, 16), edge);
    close_pipe(p);
    SYSCALL(SYS_munmap, edge + 8 - PAGE, PAGE);
}

UTEST(read_into_read_only_memory_is_efault)
{
    int p[2];
    void *ro = (void *)SYSCALL(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT((long)ro > 0);
    new_pipe(p);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "readonly", 8), 8);
    EXPECT_EFAULT(SYSCALL(SYS_read, p[0], ro, 8), ro);
    /* The program's own code is mapped read-only too. */
    EXPECT_EFAULT(SYSCALL(SYS_read, p[0], &unmapped_page, 8), &unmapped_page);
    close_pipe(p);
    SYSCALL(SYS_munmap, ro, PAGE);
}

UTEST(writev_bad_iov_array_or_base_is_efault)
{
    int p[2];
    new_pipe(p);
    FOR_EACH_BAD(addr, NULL_ADDRESS) {
        struct iovec iov[2] = { { "ok", 2 }, { (void *)addr, 4 } };
        EXPECT_EFAULT(SYSCALL(SYS_writev, p[1], addr, 1), addr);
        EXPECT_EFAULT(SYSCALL(SYS_writev, p[1], &iov[1], 1), addr);
    }
    close_pipe(p);
}

UTEST(pipe_into_bad_array_is_efault)
{
    void *ro = (void *)SYSCALL(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FOR_EACH_BAD(addr, NULL_ADDRESS) {
        EXPECT_EFAULT(SYSCALL(SYS_pipe, addr), addr);
        EXPECT_EFAULT(SYSCALL(SYS_pipe2, addr, 0), addr);
    }
    EXPECT_EFAULT(SYSCALL(SYS_pipe, ro), ro);
    SYSCALL(SYS_munmap, ro, PAGE);
}

UTEST(uname_into_bad_buffer_is_efault)
{
    FOR_EACH_BAD(addr, NULL_ADDRESS) EXPECT_EFAULT(SYSCALL(SYS_uname, addr), addr);
}

UTEST(arch_prctl_get_fs_into_bad_pointer_is_efault)
{
    FOR_EACH_BAD(addr, NULL_ADDRESS)
        EXPECT_EFAULT(SYSCALL(SYS_arch_prctl, ARCH_GET_FS, addr), addr);
}

UTEST(wait4_bad_status_is_efault)
{
    FOR_EACH_BAD(addr, UNMAPPED) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        EXPECT_EFAULT(SYSCALL(SYS_wait4, pid, addr, 0, 0), addr);
        /* Linux reaps the child all the same; a kernel that checks first leaves it. */
        long r = SYSCALL(SYS_wait4, pid, 0, 0, 0);
        EXPECT(r == pid || r == -ECHILD);
    }
}

/* In a child, as a bad execve() that worked would replace this program. */
static void execve_bad_pointers(void *unused)
{
    (void)unused;
    char *self = (char *)utest_argv0;
    FOR_EACH_BAD(addr, NULL_ADDRESS) {
        char *argv[] = { self, NULL }, *bad_list[] = { (char *)addr, NULL };
        EXPECT_EFAULT(SYSCALL(SYS_execve, addr, argv, argv + 1), addr);
        if (addr == 0)
            continue;           /* NULL argv or envp means "none" */
        EXPECT_EFAULT(SYSCALL(SYS_execve, self, addr, argv + 1), addr);
        EXPECT_EFAULT(SYSCALL(SYS_execve, self, argv, addr), addr);
        EXPECT_EFAULT(SYSCALL(SYS_execve, self, bad_list, argv + 1), addr);
        EXPECT_EFAULT(SYSCALL(SYS_execve, self, argv, bad_list), addr);
    }
}

UTEST(execve_bad_path_argv_or_envp_is_efault)
{
    EXPECT_EXITED(run_in_child(execve_bad_pointers, NULL), 0);
}
