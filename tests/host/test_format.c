/* tests/host/test_format.c: kernel/lib/format.c against the C library's snprintf, over every
 * combination of flags, width, precision, length and conversion, plus its own %p. */
#include "kernel/lib/format.h"
#include "check.h"
#include <stdint.h>
#include <stdio.h>

static const long long values[] = {
    0, 1, -1, 7, 42, -42, 255, 4096, 123456789, -123456789, INT32_MAX, INT32_MIN, UINT32_MAX,
    INT64_MAX, INT64_MIN, (long long)0xffffffff80100000ull,
};

/* Format one value both ways with the argument type the length modifier names. */
static void compare(const char *fmt, char length, char conversion, long long v)
{
    char ours[128], theirs[128];
    int n_ours, n_theirs;
    int is_signed = conversion == 'd' || conversion == 'i';
#define BOTH(arg)                                                                            \
    do {                                                                                     \
        n_ours = ksnprintf(ours, sizeof ours, fmt, arg);                                     \
        n_theirs = snprintf(theirs, sizeof theirs, fmt, arg);                                \
    } while (0)
    switch (length) {
    case 'z': BOTH((size_t)v); break;
    case 'L': if (is_signed) BOTH((long long)v); else BOTH((unsigned long long)v); break;
    case 'l': if (is_signed) BOTH((long)v); else BOTH((unsigned long)v); break;
    default: if (is_signed) BOTH((int)v); else BOTH((unsigned)v); break;
    }
#undef BOTH
    check_total++;
    if (n_ours != n_theirs || strcmp(ours, theirs) != 0) {
        check_failed++;
        printf("format \"%s\" of %lld: got \"%s\" (%d), C library \"%s\" (%d)\n", fmt, v, ours, n_ours,
               theirs, n_theirs);
    }
}

static void test_integers_match_c_library(void)
{
    static const char *const flags[] = { "", "-", "0", "-0" };
    static const char *const widths[] = { "", "1", "5", "24" };
    static const char *const precisions[] = { "", ".0", ".3", ".22" };
    static const struct { const char *text; char code; } lengths[] = {
        { "", 0 }, { "l", 'l' }, { "ll", 'L' }, { "z", 'z' } };
    static const char conversions[] = "diuoxX";
    for (size_t f = 0; f < 4; f++)
        for (size_t w = 0; w < 4; w++)
            for (size_t p = 0; p < 4; p++)
                for (size_t l = 0; l < 4; l++)
                    for (size_t c = 0; conversions[c]; c++) {
                        if (lengths[l].code == 'z' && (conversions[c] == 'd' || conversions[c] == 'i'))
                            continue;       /* %zd wants ssize_t: same bits, skip the type pun */
                        char fmt[32];
                        snprintf(fmt, sizeof fmt, "[%%%s%s%s%s%c]", flags[f], widths[w], precisions[p],
                                 lengths[l].text, conversions[c]);
                        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
                            compare(fmt, lengths[l].code, conversions[c], values[v]);
                    }
}

#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_strings_chars_and_stars(void)
{
    char buf[64];
    ksnprintf(buf, sizeof buf, "%s|%8s|%-8s|%.2s|%c|%3c|%-3c|%%", "abc", "abc", "abc", "abc", 'x', 'y', 'z');
    CHECK_STREQ(buf, "abc|     abc|abc     |ab|x|  y|z  |%");
    ksnprintf(buf, sizeof buf, "%*d|%-*d|%.*d|%*d", 5, 42, 5, 42, 4, 42, -5, 42);
    CHECK_STREQ(buf, "   42|42   |0042|42   ");
    const char *volatile null_string = NULL;    /* volatile: not a compile-time NULL */
    ksnprintf(buf, sizeof buf, "%s", null_string);
    CHECK_STREQ(buf, "(null)");
}

static void test_pointer_is_fixed_width(void)
{
    char buf[64];
    ksnprintf(buf, sizeof buf, "%p %p", (void *)0xffffffff80100000ull, (void *)0);
    CHECK_STREQ(buf, "0xffffffff80100000 0x0000000000000000");
}

static void test_unknown_conversion_is_printed(void)
{
    char buf[64];
    ksnprintf(buf, sizeof buf, "a%qb%");
    CHECK_STREQ(buf, "a%qb%");
}

static void test_truncation_and_return_value(void)
{
    char buf[8];
    memset(buf, 'x', sizeof buf);
    CHECK(ksnprintf(buf, 5, "%d", 1234567) == 7);
    CHECK_STREQ(buf, "1234");
    CHECK(buf[5] == 'x');               /* nothing written past size */
    CHECK(ksnprintf(buf, 0, "%s", "hello") == 5);
    CHECK(buf[0] == '1');               /* size 0 writes nothing at all */
    CHECK(ksnprintf(buf, 1, "%s", "hello") == 5);
    CHECK_STREQ(buf, "");
}

int main(void)
{
    test_integers_match_c_library();
    test_strings_chars_and_stars();
    test_pointer_is_fixed_width();
    test_unknown_conversion_is_printed();
    test_truncation_and_return_value();
    return check_report();
}
