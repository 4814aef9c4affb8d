/* tests/host/test_cpio.c: kernel/lib/cpio.c on well-formed and malformed archives. Every read
 * is from a heap copy of exactly the readable size, so AddressSanitizer stops the test at the
 * first byte read out of bounds. */
#include "kernel/lib/cpio.h"
#include "kernel/errno.h"
#include "check.h"
#include "cpio_builder.h"
#include <stdbool.h>
#include <stdlib.h>

/* A heap copy of the first len bytes of a, alive until the next call. */
static const uint8_t *exact_copy(const struct archive *a, size_t len)
{
    static uint8_t *last;
    free(last);
    last = malloc(len ? len : 1);
    memcpy(last, a->bytes, len);
    return last;
}

/* Walk the first len bytes of a to the end; returns what the last cpio_next returned. */
static int walk(const struct archive *a, size_t len, const char **why)
{
    struct cpio_iter it;
    struct cpio_entry e;
    int status;
    cpio_iter_init(&it, exact_copy(a, len), len);
    while ((status = cpio_next(&it, &e, why)) > 0)
        ;
    return status;
}

static const char *data_sizes[] = { "", "1", "22", "333", "4444", "55555" };

/* The archive of the tests: names spelled as archivers write them ("bin", "./sizes/0",
 * "/etc/motd"), and data of every length modulo 4, so every padding occurs. */
static void build_valid(struct archive *a)
{
    a->len = 0;
    entry(a, ".", CPIO_TYPE_DIR | 0755, "");
    entry(a, "bin", CPIO_TYPE_DIR | 0755, "");
    entry(a, "bin/init", CPIO_TYPE_FILE | 0755, "\177ELF...");
    for (int i = 0; i < 6; i++) {
        char name[] = "./sizes/0";
        name[8] = (char)('0' + i);
        entry(a, name, CPIO_TYPE_FILE | 0644, data_sizes[i]);
    }
    entry(a, "/etc/motd", CPIO_TYPE_FILE | 0644, "hello\n");
    trailer(a);
}

static void test_iterating_a_valid_archive(void)
{
    struct archive a;
    build_valid(&a);
    struct cpio_iter it;
    struct cpio_entry e;
    const char *why = NULL;
    cpio_iter_init(&it, exact_copy(&a, a.len), a.len);

    CHECK(cpio_next(&it, &e, &why) == 1);
    CHECK_STREQ(e.name, ".");
    CHECK(e.mode == (CPIO_TYPE_DIR | 0755) && e.size == 0);
    CHECK(cpio_next(&it, &e, &why) == 1);
    CHECK_STREQ(e.name, "bin");
    CHECK(cpio_next(&it, &e, &why) == 1);
    CHECK_STREQ(e.name, "bin/init");
    CHECK((e.mode & CPIO_TYPE_MASK) == CPIO_TYPE_FILE && (e.mode & 0777) == 0755);
    CHECK(e.size == 7 && memcmp(e.data, "\177ELF...", 7) == 0);
    for (int i = 0; i < 6; i++) {
        CHECK(cpio_next(&it, &e, &why) == 1);
        CHECK(e.size == strlen(data_sizes[i]) && memcmp(e.data, data_sizes[i], e.size) == 0);
    }
    CHECK(cpio_next(&it, &e, &why) == 1);
    CHECK_STREQ(e.name, "/etc/motd");
    CHECK(e.size == 6 && memcmp(e.data, "hello\n", 6) == 0);
    CHECK(cpio_next(&it, &e, &why) == 0);
    CHECK(cpio_next(&it, &e, &why) == 0);  /* and stays finished */
    CHECK(why == NULL);
}

static void test_archive_end(void)
{
    struct archive a;
    const char *why;
    a.len = 0;
    trailer(&a);
    CHECK(walk(&a, a.len, &why) == 0);      /* an archive of nothing */

    build_valid(&a);
    size_t end = a.len;
    memcpy(a.bytes + a.len, "garbage after the trailer", 25);
    a.len += 25;
    CHECK(walk(&a, a.len, &why) == 0);      /* what follows the trailer is not read */
    CHECK(walk(&a, end - TRAILER_SIZE + TRAILER_NAME_END, &why) == 0);  /* nor its padding */

    a.len = 0;
    raw_entry(&a, "x", 2, CPIO_TYPE_FILE, 1);
    a.bytes[a.len++] = 'x';                 /* data without its padding, then the end */
    CHECK(walk(&a, a.len, &why) == -EINVAL);
    CHECK_STREQ(why, "archive ends without its TRAILER!!! entry");
}

static void test_upper_case_hex(void)
{
    struct archive a;
    const char *why;
    a.len = 0;
    entry(&a, "f", CPIO_TYPE_FILE | 0644, "0123456789ab");
    memcpy(a.bytes + 6 + 6 * 8, "0000000C", 8);     /* filesize 12, in capitals */
    trailer(&a);
    struct cpio_iter it;
    struct cpio_entry e;
    cpio_iter_init(&it, exact_copy(&a, a.len), a.len);
    CHECK(cpio_next(&it, &e, &why) == 1);
    CHECK(e.size == 12);
}

static void expect_malformed(const struct archive *a, const char *reason)
{
    const char *why = NULL;
    CHECK(walk(a, a->len, &why) == -EINVAL);
    CHECK_STREQ(why, reason);
}

/* Set header field i (0..12) of the entry at offset to text, 8 characters. */
static void set_field(struct archive *a, size_t offset, int i, const char *text)
{
    memcpy(a->bytes + offset + 6 + 8 * i, text, 8);
}

static void test_malformed_archives(void)
{
    struct archive a;
    a.len = 0;
    expect_malformed(&a, "archive ends without its TRAILER!!! entry");

    a.len = 0;
    entry(&a, ".", CPIO_TYPE_DIR, "");
    expect_malformed(&a, "archive ends without its TRAILER!!! entry");

    build_valid(&a);
    a.len = 50;
    expect_malformed(&a, "archive ends inside an entry header");

    static const char *bad_magic[] = { "070702", "070707", "707010", "\0\0\0\0\0\0" };
    for (size_t i = 0; i < sizeof bad_magic / sizeof *bad_magic; i++) {
        build_valid(&a);
        memcpy(a.bytes, bad_magic[i], 6);
        expect_malformed(&a, "entry header does not start with the newc magic 070701");
    }

    static const char *bad_fields[] = { "0000000g", " 0000000", "+0000000", "0x000000",
                                        "0000000\0" };
    for (int field = 0; field < 13; field++) {
        for (size_t i = 0; i < sizeof bad_fields / sizeof *bad_fields; i++) {
            build_valid(&a);
            set_field(&a, 0, field, bad_fields[i]);
            expect_malformed(&a, "entry header field is not 8 hex digits");
        }
    }

    static const char *bad_namesizes[] = {
        "00000000", "00000001",         /* no room for a name and its NUL */
        "00000003",                     /* "ab" of "abc": no NUL where it should be */
        "00000005",                     /* takes the padding: the NUL comes too early */
    };
    for (size_t i = 0; i < sizeof bad_namesizes / sizeof *bad_namesizes; i++) {
        a.len = 0;
        entry(&a, "abc", CPIO_TYPE_FILE, "data");
        set_field(&a, 0, 11, bad_namesizes[i]);
        trailer(&a);
        expect_malformed(&a, "entry name is not a non-empty string of its stated size");
    }

    a.len = 0;
    raw_entry(&a, "", 1, CPIO_TYPE_FILE, 0);    /* a name that is only its NUL */
    pad4(&a);
    trailer(&a);
    expect_malformed(&a, "entry name is not a non-empty string of its stated size");

    build_valid(&a);
    set_field(&a, 0, 11, "00002000");
    expect_malformed(&a, "entry name runs past the end of the archive");
    a.len = 0;
    raw_entry(&a, "unterminated", 13, CPIO_TYPE_FILE, 0);
    a.len--;                            /* the archive ends before the name's NUL */
    expect_malformed(&a, "entry name runs past the end of the archive");

    build_valid(&a);
    set_field(&a, 0, 6, "00001000");
    expect_malformed(&a, "entry data runs past the end of the archive");
    build_valid(&a);
    set_field(&a, 0, 6, "ffffffff");
    expect_malformed(&a, "entry data runs past the end of the archive");
    a.len = 0;
    raw_entry(&a, "ab", 3, CPIO_TYPE_FILE, 0);
    expect_malformed(&a, "entry data runs past the end of the archive");  /* no name padding */
}

/* [p, p + n) lies inside the len bytes at base. */
static bool inside(const uint8_t *base, size_t len, const void *p, size_t n)
{
    uintptr_t start = (uintptr_t)base, at = (uintptr_t)p;
    return at >= start && n <= len && at - start <= len - n;
}

/* Every prefix of the valid archive is malformed until it holds the trailer's name, then
 * well-formed; random corruptions may go either way. Either way no read may leave the
 * bytes given (ASan), and every entry returned must lie inside them. */
static void test_truncations_and_corruptions_stay_in_bounds(void)
{
    struct archive valid, a;
    build_valid(&valid);
    const size_t complete = valid.len - TRAILER_SIZE + TRAILER_NAME_END;
    const char *why;
    for (size_t len = 0; len <= valid.len; len++)
        CHECK(walk(&valid, len, &why) == (len >= complete ? 0 : -EINVAL));

    srand(1);
    for (int round = 0; round < 100000; round++) {
        a = valid;
        for (int flips = 1 + rand() % 4; flips; flips--)
            a.bytes[rand() % a.len] = (uint8_t)(rand() % 4 ? "0123456789abcdef"[rand() % 16]
                                                           : rand());
        struct cpio_iter it;
        struct cpio_entry e;
        const uint8_t *bytes = exact_copy(&a, a.len);
        cpio_iter_init(&it, bytes, a.len);
        while (cpio_next(&it, &e, &why) > 0) {
            CHECK(inside(bytes, a.len, e.name, strlen(e.name) + 1));
            CHECK(inside(bytes, a.len, e.data, e.size));
        }
    }
}

int main(void)
{
    test_iterating_a_valid_archive();
    test_archive_end();
    test_upper_case_hex();
    test_malformed_archives();
    test_truncations_and_corruptions_stay_in_bounds();
    return check_report();
}
