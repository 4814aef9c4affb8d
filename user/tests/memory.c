/* user/tests/memory.c: the address-space calls: brk, mmap (anonymous private, MAP_FIXED,
 * PROT_NONE), munmap, mprotect and arch_prctl (the FS and GS bases), with their errors; that each
 * protection holds (a child that breaks one gets SIGSEGV); that the last user page can never
 * be mapped; and musl's malloc on top of them. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "utest.h"

#define PAGE 4096UL
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define LAST_USER_PAGE 0x7ffffffff000UL
/* Far from where Linux or Twofold put anything of a static program's own. */
#define FIXED_AT 0x200000000UL

/* mmap of anonymous private memory (flags adds to those); returns the address or -errno. */
static long map(unsigned long addr, unsigned long len, int prot, int flags)
{
    return SYSCALL(SYS_mmap, addr, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static long brk_at(unsigned long addr)
{
    return SYSCALL(SYS_brk, addr);
}

/* In a child: read, write or call addr, as `how` says. */
struct touch {
    volatile char *addr;
    enum { READ, WRITE, CALL } how;
};

static void touch(void *arg)
{
    struct touch *t = arg;
    if (t->how == READ)
        (void)*t->addr;
    else if (t->how == WRITE)
        *t->addr = 1;
    else
        ((void (*)(void))(uintptr_t)t->addr)();
}

/* A child that touches address by access (READ, WRITE or CALL) is killed by SIGSEGV. */
#define EXPECT_SEGV(address, access)                                                         \
    EXPECT_KILLED(run_in_child(touch, &(struct touch){ (volatile char *)(address), access }),  \
                  SIGSEGV)

/* A child that touches address by access exits normally. */
#define EXPECT_TOUCH_OK(address, access)                                                     \
    EXPECT_EXITED(run_in_child(touch, &(struct touch){ (volatile char *)(address), access }), 0)

UTEST(brk_query_returns_the_current_break)
{
    long b = brk_at(0);
    EXPECT(b > 0);
    EXPECT_EQ(brk_at(0), b);
}

UTEST(brk_grows_with_zeroed_memory_and_shrinks_back)
{
    unsigned long start = (brk_at(0) + PAGE - 1) & ~(PAGE - 1), end = start + 4 * PAGE;
    EXPECT_EQ(brk_at(end), end);
    EXPECT_EQ(brk_at(0), end);
    char *p = (char *)start;
    for (unsigned long i = 0; i < 4 * PAGE; i += 512)
        EXPECT_EQ(p[i], 0);
    memset(p, 0x5a, 4 * PAGE);
    EXPECT_EQ(p[4 * PAGE - 1], 0x5a);
    EXPECT_EQ(brk_at(start), start);
    EXPECT_SEGV(start + PAGE, READ);
    EXPECT_EQ(brk_at(end), end);                        /* grown again: zeroed again */
    EXPECT_EQ(p[PAGE], 0);
    EXPECT_EQ(brk_at(start), start);
}

UTEST(brk_refused_returns_the_break_unchanged)
{
    long b = brk_at(0);
    EXPECT_EQ(brk_at(PAGE), b);                         /* below the program */
    EXPECT_EQ(brk_at(LAST_USER_PAGE), b);               /* as far as the user half goes */
    EXPECT_EQ(brk_at(0xffffffff80100000), b);           /* into the kernel */
    EXPECT_EQ(brk_at(0), b);
}

UTEST(mmap_gives_zeroed_writable_pages)
{
    long p = map(0, 3 * PAGE, PROT_READ | PROT_WRITE, 0);
    EXPECT(p > 0 && (p & (PAGE - 1)) == 0);
    char *c = (char *)p;
    for (unsigned long i = 0; i < 3 * PAGE; i += 256)
        EXPECT_EQ(c[i], 0);
    memset(c, 0x33, 3 * PAGE);
    EXPECT_EQ(c[3 * PAGE - 1], 0x33);
    EXPECT_EQ(SYSCALL(SYS_munmap, p, 3 * PAGE), 0);
}

UTEST(map_32bit_places_the_mapping_in_the_first_2_gib)
{
    char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    EXPECT(p != MAP_FAILED);
    EXPECT((uintptr_t)p + 3 * 4096 <= 1ull << 31);
    p[0] = p[3 * 4096 - 1] = 1;
    EXPECT_EQ(munmap(p, 3 * 4096), 0);
}

UTEST(mmap_rounds_the_length_up_to_pages)
{
    long p = map(0, 100, PROT_READ | PROT_WRITE, 0);
    EXPECT(p > 0);
    ((char *)p)[PAGE - 1] = 1;                          /* the whole page is there */
    EXPECT_EQ(SYSCALL(SYS_munmap, p, 100), 0);
}

UTEST(mmap_fixed_maps_exactly_there_and_replaces)
{
    EXPECT_EQ(map(FIXED_AT, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED), FIXED_AT);
    char *c = (char *)FIXED_AT;
    memset(c, 0x77, 2 * PAGE);
    EXPECT_EQ(map(FIXED_AT + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED), FIXED_AT + PAGE);
    EXPECT_EQ(c[0], 0x77);                              /* untouched */
    EXPECT_EQ(c[PAGE], 0);                              /* a new, zeroed page */
    EXPECT_EQ(SYSCALL(SYS_munmap, FIXED_AT, 2 * PAGE), 0);
}

UTEST(mmap_bad_arguments_are_einval)
{
    int rw = PROT_READ | PROT_WRITE;
    EXPECT_EQ(map(0, 0, rw, 0), -EINVAL);                               /* no length */
    EXPECT_EQ(map(FIXED_AT + 1, PAGE, rw, MAP_FIXED), -EINVAL);         /* unaligned */
    EXPECT_EQ(SYSCALL(SYS_mmap, 0, PAGE, rw, MAP_ANONYMOUS, -1, 0), -EINVAL); /* not private */
    EXPECT_EQ(SYSCALL(SYS_mmap, 0, PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), -EINVAL);
}

UTEST(mmap_of_no_file_is_ebadf)
{
    EXPECT_EQ(SYSCALL(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), -EBADF);
}

UTEST(mmap_of_the_last_user_page_is_refused)
{
    int rw = PROT_READ | PROT_WRITE;
    EXPECT_EQ(map(LAST_USER_PAGE, PAGE, rw, MAP_FIXED), -ENOMEM);
    EXPECT_EQ(map(LAST_USER_PAGE - PAGE, 2 * PAGE, rw, MAP_FIXED), -ENOMEM);
    EXPECT_EQ(map(0x800000000000, PAGE, rw, MAP_FIXED), -ENOMEM);        /* non-canonical */
    EXPECT_EQ(map(0xffffffff80100000, PAGE, rw, MAP_FIXED), -ENOMEM);    /* the kernel */
    /* Without MAP_FIXED the address is a hint, and this one cannot be honoured. */
    long p = map(LAST_USER_PAGE, PAGE, rw, 0);
    EXPECT(p > 0 && (unsigned long)p != LAST_USER_PAGE);
    SYSCALL(SYS_munmap, p, PAGE);
}

UTEST(prot_none_and_read_only_pages_fault)
{
    long none = map(0, PAGE, PROT_NONE, 0), ro = map(0, PAGE, PROT_READ, 0);
    EXPECT(none > 0 && ro > 0);
    EXPECT_SEGV(none, READ);
    EXPECT_SEGV(none, WRITE);
    EXPECT_TOUCH_OK(ro, READ);
    EXPECT_SEGV(ro, WRITE);
    SYSCALL(SYS_munmap, none, PAGE);
    SYSCALL(SYS_munmap, ro, PAGE);
}

UTEST(pages_without_exec_fault_when_called)
{
    static const unsigned char ret = 0xc3;
    unsigned char on_stack = 0xc3;
    long rw = map(0, PAGE, PROT_READ | PROT_WRITE, 0);
    EXPECT(rw > 0);
    *(unsigned char *)rw = 0xc3;
    EXPECT_SEGV(rw, CALL);
    EXPECT_SEGV(&ret, CALL);                            /* read-only data */
    EXPECT_SEGV(&on_stack, CALL);                       /* the stack */
    SYSCALL(SYS_munmap, rw, PAGE);
}

static void read_after_prot_none(void *page)
{
    EXPECT_EQ(SYSCALL(SYS_mprotect, page, PAGE, PROT_NONE), 0);
    EXPECT(*(volatile char *)page == 0 && !"a PROT_NONE page was read");
}

UTEST(prot_none_on_a_touched_page_faults)
{
    /* The page is present when it loses every permission: the kernel must still refuse it. */
    char *page = (char *)map(0, PAGE, PROT_READ | PROT_WRITE, 0);
    page[0] = 42;
    EXPECT_KILLED(run_in_child(read_after_prot_none, page), SIGSEGV);
    EXPECT_EQ(SYSCALL(SYS_mprotect, page, PAGE, PROT_READ), 0);
    EXPECT_EQ(page[0], 42);             /* and the data is still there afterwards */
}

UTEST(mprotect_changes_what_a_page_allows)
{
    static const unsigned char return_42[] = { 0xb8, 42, 0, 0, 0, 0xc3 };  /* mov eax, 42; ret */
    long p = map(0, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
    EXPECT(p > 0);
    memcpy((void *)p, return_42, sizeof return_42);
    EXPECT_EQ(SYSCALL(SYS_mprotect, p, PAGE, PROT_READ | PROT_EXEC), 0);
    EXPECT_EQ(((int (*)(void))p)(), 42);
    EXPECT_SEGV(p, WRITE);
    EXPECT_TOUCH_OK(p + PAGE, WRITE);                   /* the next page kept its rights */
    EXPECT_EQ(SYSCALL(SYS_mprotect, p, 2 * PAGE, PROT_NONE), 0);
    EXPECT_SEGV(p + PAGE, READ);
    EXPECT_EQ(SYSCALL(SYS_mprotect, p, 2 * PAGE, PROT_READ | PROT_WRITE), 0);
    *(volatile char *)(p + PAGE) = 1;
    EXPECT_EQ(*(volatile unsigned char *)p, return_42[0]);       /* contents survive it all */
    EXPECT_EQ(SYSCALL(SYS_munmap, p, 2 * PAGE), 0);
}

UTEST(mprotect_bad_arguments_are_einval_or_enomem)
{
    long p = map(0, PAGE, PROT_READ, 0);
    EXPECT_EQ(SYSCALL(SYS_mprotect, p + 1, PAGE, PROT_READ), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_mprotect, p, PAGE, 0x40), -EINVAL);             /* no such right */
    EXPECT_EQ(SYSCALL(SYS_munmap, p, PAGE), 0);
    EXPECT_EQ(SYSCALL(SYS_mprotect, p, PAGE, PROT_READ), -ENOMEM);        /* nothing there */
}

UTEST(munmap_takes_pages_away)
{
    long p = map(0, 3 * PAGE, PROT_READ | PROT_WRITE, 0);
    char *c = (char *)p;
    c[0] = 'a';
    c[2 * PAGE] = 'c';
    EXPECT_EQ(SYSCALL(SYS_munmap, p + PAGE, PAGE), 0);  /* the middle one */
    EXPECT_EQ(c[0], 'a');
    EXPECT_EQ(c[2 * PAGE], 'c');
    EXPECT_SEGV(p + PAGE, READ);
    EXPECT_EQ(SYSCALL(SYS_munmap, p, 3 * PAGE), 0);     /* holes are fine */
    EXPECT_SEGV(p, READ);
    EXPECT_EQ(SYSCALL(SYS_munmap, p, 3 * PAGE), 0);     /* and so is nothing at all */
}

static long remap(long old, unsigned long old_len, unsigned long new_len, int flags, unsigned long new_addr)
{
    return SYSCALL(SYS_mremap, old, old_len, new_len, flags, new_addr);
}

UTEST(mremap_moves_the_pages_with_their_contents)
{
    long p = map(0, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
    char *c = (char *)p;
    c[0] = 'a';
    c[PAGE] = 'b';
    SYSCALL(SYS_munmap, FIXED_AT, 4 * PAGE);
    long q = remap(p, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, FIXED_AT);
    EXPECT_EQ(q, (long)FIXED_AT);
    char *d = (char *)q;
    EXPECT(d[0] == 'a' && d[PAGE] == 'b' && d[2 * PAGE] == 0);     /* the new page is zeroed */
    d[2 * PAGE] = 'c';
    EXPECT_SEGV(p, READ);                               /* the old place is empty */
    EXPECT_SEGV(p + PAGE, READ);
    /* Grown where it lies if the pages after are free, else moved (MREMAP_MAYMOVE). */
    EXPECT_EQ(remap(q, 3 * PAGE, 4 * PAGE, 0, 0), q);
    d[3 * PAGE] = 'd';
    long blocker = map(q + 4 * PAGE, PAGE, PROT_READ, MAP_FIXED);
    EXPECT_EQ(blocker, q + 4 * PAGE);
    EXPECT_EQ(remap(q, 4 * PAGE, 5 * PAGE, 0, 0), -ENOMEM);
    long r = remap(q, 4 * PAGE, 5 * PAGE, MREMAP_MAYMOVE, 0);
    EXPECT(r > 0 && r != q);
    d = (char *)r;
    EXPECT(d[0] == 'a' && d[PAGE] == 'b' && d[2 * PAGE] == 'c' && d[3 * PAGE] == 'd');
    /* Shrunk in place: the tail goes. */
    EXPECT_EQ(remap(r, 5 * PAGE, PAGE, 0, 0), r);
    EXPECT_SEGV(r + PAGE, READ);
    EXPECT_EQ(d[0], 'a');
    SYSCALL(SYS_munmap, r, PAGE);
    SYSCALL(SYS_munmap, blocker, PAGE);
}

UTEST(mremap_keeps_the_permissions_and_shares_with_a_fork_as_before)
{
    long p = map(0, PAGE, PROT_READ | PROT_WRITE, 0);
    *(char *)p = 'p';
    EXPECT_EQ(SYSCALL(SYS_mprotect, p, PAGE, PROT_READ), 0);
    SYSCALL(SYS_munmap, FIXED_AT, PAGE);
    EXPECT_EQ(remap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, FIXED_AT), (long)FIXED_AT);
    EXPECT_SEGV(FIXED_AT, WRITE);                       /* still read-only */
    EXPECT_EQ(*(char *)FIXED_AT, 'p');
    EXPECT_EQ(SYSCALL(SYS_mprotect, FIXED_AT, PAGE, PROT_READ | PROT_WRITE), 0);
    fflush(stdout);
    pid_t child = fork();               /* the page is shared with the child until written */
    if (child == 0) {                   /* the child moves it, then writes where it went */
        if (remap(FIXED_AT, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, FIXED_AT + PAGE) != (long)(FIXED_AT + PAGE))
            _exit(1);
        *(char *)(FIXED_AT + PAGE) = 'c';
        _exit(0);
    }
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EXITED(status, 0);
    EXPECT_EQ(*(char *)FIXED_AT, 'p');                  /* the child's write stayed its own */
    SYSCALL(SYS_munmap, FIXED_AT, PAGE);
}

UTEST(mremap_bad_arguments_are_refused)
{
    long p = map(0, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
    EXPECT_EQ(remap(p + 1, PAGE, PAGE, 0, 0), -EINVAL);                 /* misaligned */
    EXPECT_EQ(remap(p, PAGE, 0, 0, 0), -EINVAL);                        /* to nothing */
    EXPECT_EQ(remap(p, PAGE, PAGE, MREMAP_FIXED, FIXED_AT), -EINVAL);   /* FIXED without MAYMOVE */
    EXPECT_EQ(remap(p, PAGE, PAGE, 0x80, 0), -EINVAL);                  /* an unknown flag */
    EXPECT_EQ(remap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + PAGE), -EINVAL); /* overlap */
    EXPECT_EQ(remap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, LAST_USER_PAGE), -EINVAL); /* past the top */
    SYSCALL(SYS_munmap, p, 2 * PAGE);
    EXPECT_EQ(remap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0), -EFAULT);    /* nothing there */
}

UTEST(munmap_bad_arguments_are_einval)
{
    long p = map(0, PAGE, PROT_READ, 0);
    EXPECT_EQ(SYSCALL(SYS_munmap, p + 1, PAGE), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_munmap, p, 0), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_munmap, 0xffffffff80100000, PAGE), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_munmap, p, PAGE), 0);
}

/* The 8 bytes at FS base + offset, read through the FS segment. */
static unsigned long fs_load(unsigned long offset)
{
    unsigned long value;
    __asm__ volatile("mov %%fs:(%1), %0" : "=r"(value) : "r"(offset) : "memory");
    return value;
}

UTEST(arch_prctl_sets_and_gets_the_fs_base)
{
    static unsigned long block[4] = { 0, 0x1111, 0x2222, 0x3333 };
    unsigned long musl_fs = 0, now = 0;
    /* musl keeps its thread pointer in FS: nothing from libc until it is back. */
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_GET_FS, &musl_fs), 0);
    long set = SYSCALL(SYS_arch_prctl, ARCH_SET_FS, block);
    long get = SYSCALL(SYS_arch_prctl, ARCH_GET_FS, &now);
    unsigned long loaded = fs_load(16);
    SYSCALL(SYS_sched_yield);
    unsigned long after_yield = fs_load(24);
    SYSCALL(SYS_arch_prctl, ARCH_SET_FS, musl_fs);
    EXPECT(musl_fs != 0);
    EXPECT_EQ(set, 0);
    EXPECT_EQ(get, 0);
    EXPECT_EQ(now, (unsigned long)block);
    EXPECT_EQ(loaded, 0x2222);
    EXPECT_EQ(after_yield, 0x3333);
    EXPECT_EQ(fs_load(0), musl_fs);     /* musl's thread block points at itself */
}

/* In a child: set FS to a block of its own, let the parent and a grandchild (with a block of
 * its own) run, and check that FS still points at its block. */
static void fs_is_per_process(void *unused)
{
    static unsigned long block[2];
    (void)unused;
    block[1] = (unsigned long)SYSCALL(SYS_getpid);
    pid_t pid = fork();
    block[1] = (unsigned long)SYSCALL(SYS_getpid);      /* each its own copy */
    SYSCALL(SYS_arch_prctl, ARCH_SET_FS, block);
    for (int i = 0; i < 5; i++)
        SYSCALL(SYS_sched_yield);
    int ok = fs_load(8) == (unsigned long)SYSCALL(SYS_getpid);
    if (pid == 0)
        SYSCALL(SYS_exit_group, ok ? 0 : 1);
    int status = 0;
    SYSCALL(SYS_wait4, pid, &status, 0, 0);
    SYSCALL(SYS_exit_group, ok && status == 0 ? 0 : 1);     /* libc has no FS to use */
}

UTEST(arch_prctl_fs_base_is_per_process)
{
    EXPECT_EXITED(run_in_child(fs_is_per_process, NULL), 0);
}

static unsigned long gs_word(void)
{
    unsigned long word;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(word));
    return word;
}

static unsigned long gs_words[2] = { 0x6773206261736521UL, 0x6f74686572207073UL };

/* The child points GS at the other word and yields, as the parent does: each keeps its own. */
static void other_gs_base(void *unused)
{
    (void)unused;
    EXPECT_EQ(gs_word(), gs_words[0]);              /* fork copies the base */
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)&gs_words[1]), 0);
    for (int i = 0; i < 20; i++) {
        SYSCALL(SYS_sched_yield);
        EXPECT_EQ(gs_word(), gs_words[1]);
    }
}

UTEST(arch_prctl_gs_base_is_per_process_and_kept_across_switches)
{
    unsigned long gs, got;
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_GET_GS, &gs), 0);
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)&gs_words[0]), 0);
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_GET_GS, &got), 0);
    EXPECT_EQ(got, (unsigned long)&gs_words[0]);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        utest_now.failures = 0;
        other_gs_base(NULL);
        fflush(stdout);
        _exit(utest_now.failures ? 1 : 0);
    }
    for (int i = 0; i < 20; i++) {
        SYSCALL(SYS_sched_yield);
        EXPECT_EQ(gs_word(), gs_words[0]);
    }
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, child, &status, 0, 0), child);
    EXPECT_EXITED(status, 0);
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_SET_GS, gs), 0);
}

UTEST(arch_prctl_bad_code_or_address_is_refused)
{
    unsigned long fs;
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, 0x1234, &fs), -EINVAL);
    /* Linux refuses an FS base outside the user half with EPERM. */
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_SET_FS, 0x800000000000), -EPERM);
    EXPECT_EQ(SYSCALL(SYS_arch_prctl, ARCH_SET_FS, 0xffffffff80100000), -EPERM);
}

UTEST(stack_has_room_for_128_kib)
{
    volatile char big[128 * 1024];
    for (size_t i = 0; i < sizeof big; i += PAGE)
        big[i] = (char)i;
    EXPECT_EQ(big[0], 0);
}

UTEST(malloc_and_free_of_many_sizes)
{
    enum { N = 40 };
    unsigned char *blocks[N];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            size_t size = (size_t)1 << (i % 21);        /* 1 byte to 1 MiB */
            blocks[i] = malloc(size);
            EXPECT(blocks[i] != NULL);
            if (blocks[i])
                memset(blocks[i], i, size);
        }
        for (int i = 0; i < N; i++) {
            size_t size = (size_t)1 << (i % 21);
            if (blocks[i])
                EXPECT(blocks[i][0] == i && blocks[i][size - 1] == i);
            free(blocks[i]);
        }
    }
}
