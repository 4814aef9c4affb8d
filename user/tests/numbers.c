/* user/tests/numbers.c: how the kernel reads a system call number, as Linux does: the low 32
 * bits of rax as a signed int (the upper 32 bits ignored); a negative number, one no call
 * has, or one with the x32 bit (0x40000000) set returns -ENOSYS. */
#include <errno.h>

#include "utest.h"

#define X32_BIT 0x40000000L

UTEST(unknown_numbers_are_enosys)
{
    /* 400 and 423 lie in a gap of Linux's table (whose 335 and 336 are now taken), 512 is
     * x32's, 1023 is just below Twofold's own calls and 1100 above them. */
    static const long numbers[] = { 400, 423, 512, 999, 1023, 1100, 4095, 0x3fffffff,
                                    0x7fffffff };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        EXPECT_EQ(SYSCALL(numbers[i]), -ENOSYS);
}

UTEST(negative_numbers_are_enosys)
{
    EXPECT_EQ(SYSCALL(-1), -ENOSYS);
    EXPECT_EQ(SYSCALL(-2), -ENOSYS);
    EXPECT_EQ(SYSCALL(-SYS_getpid), -ENOSYS);
    EXPECT_EQ(SYSCALL(0x80000000L), -ENOSYS);                  /* INT_MIN in the low half */
    EXPECT_EQ(SYSCALL(0x00000001ffffffffL), -ENOSYS);          /* -1 in the low half */
}

UTEST(x32_numbers_are_enosys)
{
    EXPECT_EQ(SYSCALL(X32_BIT | SYS_getpid), -ENOSYS);
    EXPECT_EQ(SYSCALL(X32_BIT | SYS_write, 99, 0, 0), -ENOSYS);
    EXPECT_EQ(SYSCALL(X32_BIT | SYS_cr3, 0), -ENOSYS);
}

UTEST(upper_32_bits_of_the_number_are_ignored)
{
    long pid = SYSCALL(SYS_getpid);
    EXPECT_EQ(SYSCALL((1L << 32) | SYS_getpid), pid);
    EXPECT_EQ(SYSCALL((long)0xffffffff00000000UL | SYS_getpid), pid);
    EXPECT_EQ(SYSCALL((long)0x8000000000000000UL | SYS_getpid), pid);
    EXPECT_EQ(SYSCALL((1L << 32) | SYS_close, -1), -EBADF);
    EXPECT_EQ(SYSCALL((1L << 32) | SYS_cr3, 1), cr3(1));      /* -ENOSYS both, on Linux */
}

UTEST(twofold_calls_are_enosys_on_linux)
{
    if (on_twofold())
        SKIP("Linux only: Twofold has them");
    char buf[16];
    EXPECT_EQ(cr3(0), -ENOSYS);
    EXPECT_EQ(ptdump(0, buf, sizeof buf), -ENOSYS);
    EXPECT_EQ(free_frames(), -ENOSYS);
}
