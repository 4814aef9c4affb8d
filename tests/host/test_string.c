/* tests/host/test_string.c: kernel/lib/string.c's word-at-a-time memcmp, memchr and strlen
 * against the C library's, at every alignment and length up to a few words, with the byte
 * that differs, is looked for or ends the string at every place; its memcpy and memmove
 * (whose short copies overlap their two halves) at every length, alignment and overlap. The
 * kernel's functions are renamed here, so that both sets live in one program. */
#include <stdint.h>
#include <string.h>

#define memcpy twofold_memcpy
#define memmove twofold_memmove
#define memset twofold_memset
#define memcmp twofold_memcmp
#define memchr twofold_memchr
#define strlen twofold_strlen
#define strncmp twofold_strncmp
#define strcmp twofold_strcmp
#include "kernel/lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strncmp
#undef strcmp

#include "check.h"

enum { SPAN = 64, ROOM = 128 };

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void test_memcmp_agrees(void)
{
    static unsigned char a[ROOM] __attribute__((aligned(8))), b[ROOM] __attribute__((aligned(8)));
    for (size_t at = 0; at < 16; at++)
        for (size_t n = 0; n <= SPAN - 16; n++)
            for (size_t differ = 0; differ <= n; differ++) {   /* differ == n: equal */
                for (size_t i = 0; i < ROOM; i++)
                    a[i] = b[i] = (unsigned char)(i * 7 + 1);
                if (differ < n)
                    b[at + differ] ^= (differ & 1) ? 0x80 : 0x01;   /* above and below */
                CHECK(sign(twofold_memcmp(a + at, b + at, n)) == sign(memcmp(a + at, b + at, n)));
            }
}

static void test_memchr_agrees(void)
{
    static unsigned char s[ROOM] __attribute__((aligned(8)));
    for (size_t at = 0; at < 16; at++)
        for (size_t n = 0; n <= SPAN - 16; n++)
            for (size_t place = 0; place <= n; place++) {      /* place == n: absent */
                for (size_t i = 0; i < ROOM; i++)
                    s[i] = (unsigned char)(0x41 + i % 26);
                if (place < n)
                    s[at + place] = 0x80;
                s[at + n] = 0x80;                               /* just past the range: not found */
                CHECK(twofold_memchr(s + at, 0x80, n) == memchr(s + at, 0x80, n));
                CHECK(twofold_memchr(s + at, 0, n) == memchr(s + at, 0, n));
            }
}

static void test_strlen_agrees(void)
{
    static char s[ROOM] __attribute__((aligned(8)));
    for (size_t at = 0; at < 16; at++)
        for (size_t len = 0; len <= SPAN; len++) {
            memset(s, 0x80, sizeof s);                  /* bytes whose borrow could mislead */
            s[at + len] = '\0';
            CHECK(twofold_strlen(s + at) == strlen(s + at));
        }
}

/* The copy lands whole, and not a byte beside it changes. */
static void test_memcpy_copies_exactly(void)
{
    static unsigned char from[ROOM], to[ROOM], want[ROOM];
    for (size_t at = 0; at < 16; at++)
        for (size_t n = 0; n <= SPAN; n++) {
            for (size_t i = 0; i < ROOM; i++)
                from[i] = (unsigned char)(i * 13 + 5), to[i] = want[i] = (unsigned char)~i;
            memcpy(want + at, from + 3, n);
            CHECK(twofold_memcpy(to + at, from + 3, n) == to + at);
            CHECK(memcmp(to, want, ROOM) == 0);
        }
}

/* Overlapping ranges either way: the C library's result. */
static void test_memmove_overlaps(void)
{
    static unsigned char ours[ROOM], want[ROOM];
    for (size_t from = 0; from < 24; from++)
        for (size_t to = 0; to < 24; to++)
            for (size_t n = 0; n <= SPAN; n++) {
                for (size_t i = 0; i < ROOM; i++)
                    ours[i] = want[i] = (unsigned char)(i * 13 + 5);
                memmove(want + to, want + from, n);
                twofold_memmove(ours + to, ours + from, n);
                CHECK(memcmp(ours, want, ROOM) == 0);
            }
}

int main(void)
{
    test_memcpy_copies_exactly();
    test_memmove_overlaps();
    test_memcmp_agrees();
    test_memchr_agrees();
    test_strlen_agrees();
    return check_report();
}
