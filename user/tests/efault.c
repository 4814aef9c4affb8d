/* user/tests/efault.c: every pointer argument of every system call, given a pointer no call
 * may use, answers -EFAULT and loses nothing. One table lists each call and pointer; each
 * is tried with NULL (where NULL is not "none"), an unmapped page, a buffer running from a
 * mapped page into an unmapped one, the last user page (never mappable), non-canonical
 * addresses, the kernel's direct map and image, and, where the kernel writes, read-only
 * memory. After each failure the call's own check proves nothing went missing: the pipe still
 * holds its bytes and got none, no descriptor appeared, the child can still be reaped. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>

#include "utest.h"

#define PAGE 4096UL
#define TIOCGWINSZ 0x5413
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* The bad pointers, and the kinds of them. */
enum kind { NULL_POINTER, UNMAPPED, STRADDLING, READ_ONLY, OUT_OF_RANGE };
struct bad_pointer {
    const char *what;
    unsigned long address;
    enum kind kind;
};

static const char read_only_bytes[PAGE] __attribute__((aligned(4096))) = "read-only";

/* Fill bad[] (fresh unmapped pages each time); returns how many. */
static size_t bad_pointers(struct bad_pointer bad[16])
{
    int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
    char *two = mmap(NULL, 2 * PAGE, rw, anon, -1, 0);
    EXPECT(two != MAP_FAILED);
    EXPECT_EQ(munmap(two + PAGE, PAGE), 0);
    const struct bad_pointer all[] = {
        { "NULL", 0, NULL_POINTER },
        { "an unmapped page", (unsigned long)two + PAGE, UNMAPPED },
        { "the middle of an object whose end is unmapped", (unsigned long)two + PAGE, STRADDLING },
        { "read-only memory", (unsigned long)read_only_bytes, READ_ONLY },
        { "the last user page", 0x7ffffffff000UL, OUT_OF_RANGE },
        { "the first non-canonical address", 0x0000800000000000UL, OUT_OF_RANGE },
        { "a non-canonical address", 0x8000000000000000UL, OUT_OF_RANGE },
        { "the direct map", 0xffff800000000000UL, OUT_OF_RANGE },
        { "the kernel image", 0xffffffff80100000UL, OUT_OF_RANGE },
        { "the last page of all", 0xfffffffffffff000UL, OUT_OF_RANGE },
    };
    memcpy(bad, all, sizeof all);
    return sizeof all / sizeof all[0];
}

/* One pointer argument of one call. call() makes the call with the pointer p in place (its
 * other arguments from the context it set up); after() checks that nothing was lost. */
struct context {
    int pipe[2];                /* a pipe holding "0123456789abcdef", for calls that need one */
    pid_t child;                /* an exited, unreaped child */
    int lowest_fd;              /* the descriptor the next new one gets */
};

struct pointer_case {
    const char *call;
    unsigned flags;
    unsigned size;              /* at most the bytes the call reads or writes there */
    long (*call_with)(struct context *c, unsigned long p);
    void (*after)(struct context *c);
};
enum {
    KERNEL_WRITES = 1,          /* read-only memory is bad too */
    NULL_IS_NONE = 2,           /* NULL is a valid "none" */
    RANGE_ONLY = 4,             /* the call would wait before touching a user page: only
                                   pointers outside the user range fail at once */
    CONSOLE = 8,                /* needs fd 0 to be Twofold's console */
    TWOFOLD = 16,               /* a Twofold system call */
};

static const char sixteen[] = "0123456789abcdef";

static void pipe_holds_sixteen(struct context *c)
{
    char back[17] = { 0 };
    EXPECT_EQ(SYSCALL(SYS_write, c->pipe[1], "!", 1), 1);      /* a marker after the bytes */
    EXPECT_EQ(SYSCALL(SYS_read, c->pipe[0], back, 17), 17);
    EXPECT(memcmp(back, sixteen, 16) == 0 && back[16] == '!');
    EXPECT_EQ(SYSCALL(SYS_write, c->pipe[1], sixteen, 16), 16);
}

static void no_new_descriptor(struct context *c)
{
    int fd = (int)SYSCALL(SYS_dup, 0);
    EXPECT_EQ(fd, c->lowest_fd);
    SYSCALL(SYS_close, fd);
}

/* Twofold checks wait4's pointers before it reaps, so the child is still there; Linux reaps
 * it, then fails to copy. Either way a new child stands ready for the next case. */
static void child_still_reapable(struct context *c)
{
    int status = 0;
    EXPECT_EQ(SYSCALL(SYS_wait4, c->child, &status, 0, 0), on_twofold() ? c->child : -ECHILD);
    fflush(stdout);
    c->child = fork();
    if (c->child == 0)
        _exit(0);
}

static void nothing_to_check(struct context *c)
{
    (void)c;
}

static long read_pipe(struct context *c, unsigned long p) { return SYSCALL(SYS_read, c->pipe[0], p, 16); }
static long write_pipe(struct context *c, unsigned long p) { return SYSCALL(SYS_write, c->pipe[1], p, 16); }
static long read_console(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_read, 0, p, 16); }
static long write_console(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_write, 0, p, 16); }
static long writev_array(struct context *c, unsigned long p) { return SYSCALL(SYS_writev, c->pipe[1], p, 2); }

static long writev_base(struct context *c, unsigned long p)
{
    struct iovec iov[2] = { { "ok", 2 }, { (void *)p, 16 } };
    return SYSCALL(SYS_writev, c->pipe[1], iov, 2);
}

static long pipe_fds(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_pipe, p); }
static long pipe2_fds(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_pipe2, p, O_CLOEXEC); }
static long winsize(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_ioctl, 0, TIOCGWINSZ, p); }
static long uname_buf(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_uname, p); }
static long get_fs(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_arch_prctl, ARCH_GET_FS, p); }
static long get_gs(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_arch_prctl, ARCH_GET_GS, p); }
static long gettime(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_clock_gettime, CLOCK_MONOTONIC, p); }
static long timeofday(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_gettimeofday, p, 0); }
static long timezone_of(struct context *c, unsigned long p)
{
    struct timeval tv;
    (void)c;
    return SYSCALL(SYS_gettimeofday, &tv, p);
}
static long time_t_of(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_time, p); }
static long nanosleep_req(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_nanosleep, p, 0); }
static long clock_nanosleep_req(struct context *c, unsigned long p)
{
    (void)c;
    return SYSCALL(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, p, 0);
}
static long wait4_status(struct context *c, unsigned long p) { return SYSCALL(SYS_wait4, c->child, p, 0, 0); }
static long wait4_rusage(struct context *c, unsigned long p) { return SYSCALL(SYS_wait4, c->child, 0, 0, p); }
static long getresuid_at(struct context *c, unsigned long p)
{
    unsigned ids[2];
    (void)c;
    return SYSCALL(SYS_getresuid, &ids[0], p, &ids[1]);
}
static long getresgid_at(struct context *c, unsigned long p)
{
    unsigned ids[2];
    (void)c;
    return SYSCALL(SYS_getresgid, p, &ids[0], &ids[1]);
}
/* Three groups: the first lies before the hole, and reads 0 (a valid group). */
static long setgroups_list(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_setgroups, 3, p); }
static long ptdump_buf(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_ptdump, 0, p, PAGE); }
static long exit_counts_buf(struct context *c, unsigned long p) { (void)c; return SYSCALL(SYS_exit_counts, p); }

static const struct pointer_case cases[] = {
    { "read(pipe, BUF, 16)", KERNEL_WRITES, 16, read_pipe, pipe_holds_sixteen },
    { "write(pipe, BUF, 16)", 0, 16, write_pipe, pipe_holds_sixteen },
    { "read(console, BUF, 16)", KERNEL_WRITES | RANGE_ONLY | CONSOLE, 16, read_console, nothing_to_check },
    { "write(console, BUF, 16)", CONSOLE, 16, write_console, nothing_to_check },
    { "writev(pipe, IOV, 2)", 0, 32, writev_array, pipe_holds_sixteen },
    /* A bad base in the user range fails after "ok" went in: a partial write, as on Linux. */
    { "writev(pipe, {ok, BUF}, 2)", RANGE_ONLY, 16, writev_base, pipe_holds_sixteen },
    { "pipe(FDS)", KERNEL_WRITES, 8, pipe_fds, no_new_descriptor },
    { "pipe2(FDS, O_CLOEXEC)", KERNEL_WRITES, 8, pipe2_fds, no_new_descriptor },
    { "ioctl(console, TIOCGWINSZ, ARG)", KERNEL_WRITES | CONSOLE, 8, winsize, nothing_to_check },
    { "uname(BUF)", KERNEL_WRITES, 390, uname_buf, nothing_to_check },
    { "arch_prctl(ARCH_GET_FS, ADDR)", KERNEL_WRITES, 8, get_fs, nothing_to_check },
    { "arch_prctl(ARCH_GET_GS, ADDR)", KERNEL_WRITES, 8, get_gs, nothing_to_check },
    { "clock_gettime(CLOCK_MONOTONIC, TS)", KERNEL_WRITES, 16, gettime, nothing_to_check },
    { "gettimeofday(TV, NULL)", KERNEL_WRITES | NULL_IS_NONE, 16, timeofday, nothing_to_check },
    { "gettimeofday(tv, TZ)", KERNEL_WRITES | NULL_IS_NONE, 8, timezone_of, nothing_to_check },
    { "time(T)", KERNEL_WRITES | NULL_IS_NONE, 8, time_t_of, nothing_to_check },
    { "nanosleep(REQ, NULL)", 0, 16, nanosleep_req, nothing_to_check },
    { "clock_nanosleep(CLOCK_MONOTONIC, 0, REQ, NULL)", 0, 16, clock_nanosleep_req, nothing_to_check },
    { "wait4(child, STATUS, 0, NULL)", KERNEL_WRITES | NULL_IS_NONE, 4, wait4_status, child_still_reapable },
    { "wait4(child, NULL, 0, RUSAGE)", KERNEL_WRITES | NULL_IS_NONE, 144, wait4_rusage, child_still_reapable },
    { "getresuid(ruid, EUID, suid)", KERNEL_WRITES, 4, getresuid_at, nothing_to_check },
    { "getresgid(RGID, egid, sgid)", KERNEL_WRITES, 4, getresgid_at, nothing_to_check },
    { "setgroups(3, LIST)", 0, 12, setgroups_list, nothing_to_check },
    { "ptdump(0, BUF, 4096)", KERNEL_WRITES | TWOFOLD, 32, ptdump_buf, nothing_to_check },
    { "exit_counts(BUF)", KERNEL_WRITES | TWOFOLD, 48, exit_counts_buf, nothing_to_check },
};

/* Whether fd 0 is Twofold's console (a terminal); on Linux the harness gives /dev/null. */
static int stdin_is_the_console(void)
{
    unsigned short winsize[4];
    return on_twofold() && SYSCALL(SYS_ioctl, 0, TIOCGWINSZ, winsize) == 0;
}

UTEST(every_pointer_argument_is_efault)
{
    struct context c;
    EXPECT_EQ(SYSCALL(SYS_pipe, c.pipe), 0);
    EXPECT_EQ(SYSCALL(SYS_write, c.pipe[1], sixteen, 16), 16);
    fflush(stdout);
    c.child = fork();
    if (c.child == 0)
        _exit(0);
    c.lowest_fd = (int)SYSCALL(SYS_dup, 0);
    SYSCALL(SYS_close, c.lowest_fd);
    struct bad_pointer bad[16];
    size_t count = bad_pointers(bad);
    int console = stdin_is_the_console();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct pointer_case *pc = &cases[i];
        if (((pc->flags & CONSOLE) && !console) || ((pc->flags & TWOFOLD) && !on_twofold()))
            continue;
        for (size_t b = 0; b < count; b++) {
            if ((bad[b].kind == NULL_POINTER && (pc->flags & NULL_IS_NONE))
                || (bad[b].kind == READ_ONLY && !(pc->flags & KERNEL_WRITES))
                || (bad[b].kind != OUT_OF_RANGE && bad[b].kind != NULL_POINTER && (pc->flags & RANGE_ONLY))
                || (bad[b].kind == NULL_POINTER && (pc->flags & RANGE_ONLY)))
                continue;
            /* Straddling: the object starts before the hole and ends in it. */
            unsigned long address = bad[b].address - (bad[b].kind == STRADDLING ? (pc->size + 1) / 2 : 0);
            long result = pc->call_with(&c, address);
            if (result != -EFAULT)
                utest_fail(__FILE__, __LINE__, "%s with %s (%#lx) returned %ld, want -EFAULT (-14)", pc->call,
                           bad[b].what, address, result);
            pc->after(&c);
        }
    }
    EXPECT_STREQ(read_only_bytes, "read-only");         /* no call wrote it */
    SYSCALL(SYS_wait4, c.child, 0, 0, 0);
    SYSCALL(SYS_close, c.pipe[0]);
    SYSCALL(SYS_close, c.pipe[1]);
}

/* In a child, as a bad execve() that worked would replace this program. NULL argv or envp
 * means "none"; NULL inside them ends them, so only the other bad pointers apply there. */
static void execve_bad_pointers(void *unused)
{
    (void)unused;
    char *self = (char *)utest_argv0;
    struct bad_pointer bad[16];
    size_t count = bad_pointers(bad);
    for (size_t b = 0; b < count; b++) {
        unsigned long addr = bad[b].address;
        if (bad[b].kind == READ_ONLY)
            continue;                   /* a readable string: execve would look for it */
        if (bad[b].kind == STRADDLING) {                /* a string with no NUL before the hole */
            addr -= 8;
            memset((char *)addr, 'x', 8);
        }
        char *argv[] = { self, NULL }, *list[] = { (char *)addr, NULL };
        EXPECT_EQ(SYSCALL(SYS_execve, addr, argv, argv + 1), -EFAULT);
        if (bad[b].kind == NULL_POINTER)
            continue;
        EXPECT_EQ(SYSCALL(SYS_execve, self, addr, argv + 1), -EFAULT);
        EXPECT_EQ(SYSCALL(SYS_execve, self, argv, addr), -EFAULT);
        EXPECT_EQ(SYSCALL(SYS_execve, self, list, argv + 1), -EFAULT);
        EXPECT_EQ(SYSCALL(SYS_execve, self, argv, list), -EFAULT);
    }
}

UTEST(execve_bad_path_argv_or_envp_is_efault)
{
    EXPECT_EXITED(run_in_child(execve_bad_pointers, NULL), 0);
}

/* In a child: a clear-at-exit address (set_tid_address) no write can reach: the exit
 * happens all the same, with its status. */
static void clear_tid_nowhere(void *address)
{
    SYSCALL(SYS_set_tid_address, address);
    SYSCALL(SYS_exit_group, 7);
}

UTEST(a_bad_clear_tid_address_does_not_stop_the_exit)
{
    static const unsigned long addresses[] = { 0x7ffffffff000UL, 0xffffffff80100000UL, 0x0000800000000000UL,
                                               (unsigned long)read_only_bytes };
    for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++)
        EXPECT_EXITED(run_in_child(clear_tid_nowhere, (void *)addresses[i]), 7);
    EXPECT_STREQ(read_only_bytes, "read-only");
}

UTEST(read_into_the_programs_own_code_is_efault)
{
    int p[2];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    EXPECT_EQ(SYSCALL(SYS_write, p[1], "readonly", 8), 8);
    EXPECT_EQ(SYSCALL(SYS_read, p[0], &bad_pointers, 8), -EFAULT);
    char back[8];
    EXPECT_EQ(SYSCALL(SYS_read, p[0], back, 8), 8);     /* still there */
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}
