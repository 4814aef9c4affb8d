/* user/tests/tlb.c: no stale translation survives a change the kernel makes. With PCIDs a
 * CR3 load keeps the TLB, and under page-table isolation the kernel works on one PCID while
 * user mode runs on another: after munmap or mprotect the user PCID must not still reach
 * the old page, and a PCID pair handed to a new process must not show the last owner's.
 * Each case first loads the translation into the TLB by touching the page. */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utest.h"

#define PAGE 4096UL
#define AT 0x300000000UL            /* one fixed address, reused by every child */
/* More processes than Twofold has PCID pairs (2047), so every pair is handed out again. */
#define GENERATIONS 2100

static volatile uint64_t *map_at(unsigned long addr, int prot)
{
    return (volatile uint64_t *)SYSCALL(SYS_mmap, addr, PAGE, prot, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void touch_then_unmap_then_read(void *unused)
{
    (void)unused;
    volatile uint64_t *p = map_at(AT, PROT_READ | PROT_WRITE);
    *p = 0x5ca1ab1e;
    EXPECT_EQ(*p, 0x5ca1ab1e);
    EXPECT_EQ(SYSCALL(SYS_munmap, AT, PAGE), 0);
    (void)*p;                       /* must fault: the page is gone */
    EXPECT(!"the read of an unmapped page succeeded");
}

UTEST(read_after_munmap_faults)
{
    EXPECT_KILLED(run_in_child(touch_then_unmap_then_read, NULL), SIGSEGV);
}

static void touch_then_protect_then_write(void *unused)
{
    (void)unused;
    volatile uint64_t *p = map_at(AT, PROT_READ | PROT_WRITE);
    *p = 1;
    EXPECT_EQ(SYSCALL(SYS_mprotect, AT, PAGE, PROT_READ), 0);
    EXPECT_EQ(*p, 1);
    *p = 2;                         /* must fault: the page is read-only now */
    EXPECT(!"the write to a read-only page succeeded");
}

UTEST(write_after_mprotect_read_only_faults)
{
    EXPECT_KILLED(run_in_child(touch_then_protect_then_write, NULL), SIGSEGV);
}

static void remap_sees_the_new_page(void *unused)
{
    (void)unused;
    volatile uint64_t *p = map_at(AT, PROT_READ | PROT_WRITE);
    *p = 111;
    EXPECT_EQ(SYSCALL(SYS_munmap, AT, PAGE), 0);
    p = map_at(AT, PROT_READ | PROT_WRITE);
    EXPECT_EQ(*p, 0);               /* a fresh zero page, not the old one */
}

UTEST(remapped_address_sees_the_new_page)
{
    EXPECT_EXITED(run_in_child(remap_sees_the_new_page, NULL), 0);
}

/* Each generation maps AT with its own number and checks it reads that number back: a
 * process given a recycled PCID pair must not read through its predecessor's entries. */
UTEST(recycled_address_spaces_see_only_their_own_pages)
{
    int wrong = 0;
    for (uint64_t generation = 1; generation <= GENERATIONS && !wrong; generation++) {
        pid_t pid = fork();
        if (pid == 0) {
            volatile uint64_t *p = map_at(AT, PROT_READ | PROT_WRITE);
            uint64_t before = *p;
            *p = generation;
            _exit(before == 0 && *p == generation ? 0 : 1);
        }
        int status;
        EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
        wrong = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    EXPECT(!wrong);
}
