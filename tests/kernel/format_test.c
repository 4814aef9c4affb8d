/* tests/kernel/format_test.c: the formatter as the kernel compiles it (no SSE, kernel code
 * model); the host test compares it with the C library in depth. */
#include "kernel/ktest.h"
#include "kernel/lib/format.h"

KTEST(format_conversions_in_kernel)
{
    char buf[96];
    int n = ksnprintf(buf, sizeof buf, "%d %i %u %x %lx %p %s %c|%5d|%-5d|%05d|%lld|%zu", -42, 7, 4000000000u,
                      0xbeef, 0xffffffff80100000ul, (void *)0x1000, "str", 'c', 42, 42, -42, -1ll, (size_t)99);
    KEXPECT_STREQ(buf, "-42 7 4000000000 beef ffffffff80100000 0x0000000000001000 str c|   42|42   |-0042|-1|99");
    KEXPECT_EQ(n, strlen(buf));
}
