/* tests/host/test_multiboot2.c: kernel/lib/multiboot2.c on well-formed and malformed input.
 * Every parse reads from a heap copy of exactly the readable size, so AddressSanitizer
 * stops the test at the first byte read out of bounds. */
#include "kernel/lib/multiboot2.h"
#include "check.h"
#include <stdint.h>
#include <stdlib.h>

struct builder {
    uint8_t bytes[8192];
    uint32_t len;
};

static void put32(struct builder *b, uint32_t v) { memcpy(b->bytes + b->len, &v, 4); b->len += 4; }
static void put64(struct builder *b, uint64_t v) { memcpy(b->bytes + b->len, &v, 8); b->len += 8; }
static void align8(struct builder *b) { while (b->len % 8) b->bytes[b->len++] = 0; }

static void begin(struct builder *b) { b->len = 0; put32(b, 0); put32(b, 0); }

static void string_tag(struct builder *b, uint32_t type, const char *s)
{
    put32(b, type);
    put32(b, 8 + (uint32_t)strlen(s) + 1);
    memcpy(b->bytes + b->len, s, strlen(s) + 1);
    b->len += (uint32_t)strlen(s) + 1;
    align8(b);
}

static void module_tag(struct builder *b, uint32_t start, uint32_t end, const char *s)
{
    put32(b, 3);
    put32(b, 16 + (uint32_t)strlen(s) + 1);
    put32(b, start);
    put32(b, end);
    memcpy(b->bytes + b->len, s, strlen(s) + 1);
    b->len += (uint32_t)strlen(s) + 1;
    align8(b);
}

static void mmap_tag(struct builder *b, int entries)
{
    put32(b, 6);
    put32(b, 16 + 24 * (uint32_t)entries);
    put32(b, 24);
    put32(b, 0);
    for (int i = 0; i < entries; i++) {
        put64(b, (uint64_t)i << 20);
        put64(b, 1 << 20);
        put32(b, i % 2 ? 2 : 1);
        put32(b, 0);
    }
}

static void finish(struct builder *b)
{
    put32(b, 0);
    put32(b, 8);
    memcpy(b->bytes, &b->len, 4);
}

/* Parse b with exactly `readable` bytes accessible. */
static const char *parse(const struct builder *b, size_t readable, struct boot_info *out)
{
    uint8_t *copy = malloc(readable ? readable : 1);
    memcpy(copy, b->bytes, readable);
    const char *error = mb2_parse(copy, readable, out);
    if (!error) {               /* keep the strings alive for the caller: copy stays leaked */
        static uint8_t *last;
        free(last);
        last = copy;
    } else {
        free(copy);
    }
    return error;
}

static struct boot_info info;

static void build_valid(struct builder *b)
{
    begin(b);
    string_tag(b, 1, "quiet test");
    string_tag(b, 2, "GRUB 2.06");
    module_tag(b, 0x200000, 0x201000, "initrd");
    module_tag(b, 0x300000, 0x300000, "");
    mmap_tag(b, 3);
    put32(b, 99);               /* a tag type the parser skips */
    put32(b, 13);
    b->len += 5;
    align8(b);
    finish(b);
}

static void test_valid_information(void)
{
    struct builder b;
    build_valid(&b);
    CHECK(parse(&b, b.len, &info) == NULL);
    CHECK(info.total_size == b.len);
    CHECK_STREQ(info.cmdline, "quiet test");
    CHECK_STREQ(info.loader_name, "GRUB 2.06");
    CHECK(info.module_count == 2);
    CHECK(info.modules[0].start == 0x200000 && info.modules[0].end == 0x201000);
    CHECK_STREQ(info.modules[0].cmdline, "initrd");
    CHECK_STREQ(info.modules[1].cmdline, "");
    CHECK(info.memory_region_count == 3);
    CHECK(info.memory[2].base == 2 << 20 && info.memory[2].length == 1 << 20);
    CHECK(info.memory[1].type == 2 && info.memory[2].type == MB2_MEMORY_AVAILABLE);
}

static void test_minimal_information_has_defaults(void)
{
    struct builder b;
    begin(&b);
    finish(&b);
    CHECK(parse(&b, b.len, &info) == NULL);
    CHECK_STREQ(info.cmdline, "");
    CHECK_STREQ(info.loader_name, "");
    CHECK(info.module_count == 0 && info.memory_region_count == 0);
}

static void expect_error(struct builder *b, size_t readable, const char *why)
{
    const char *error = parse(b, readable, &info);
    check_total++;
    if (!error) {
        check_failed++;
        printf("malformed information accepted: %s\n", why);
    }
}

static void test_acpi_rsdp_prefers_the_newer_copy(void)
{
    struct builder b;
    begin(&b);
    uint8_t old_rsdp[20] = "RSD PTR old", new_rsdp[36] = "RSD PTR new";
    put32(&b, 14);
    put32(&b, 8 + sizeof old_rsdp);
    memcpy(b.bytes + b.len, old_rsdp, sizeof old_rsdp);
    b.len += sizeof old_rsdp;
    align8(&b);
    put32(&b, 15);
    put32(&b, 8 + sizeof new_rsdp);
    memcpy(b.bytes + b.len, new_rsdp, sizeof new_rsdp);
    b.len += sizeof new_rsdp;
    align8(&b);
    finish(&b);
    CHECK(parse(&b, b.len, &info) == NULL);
    CHECK(info.acpi_rsdp && memcmp(info.acpi_rsdp, "RSD PTR new", 11) == 0 && info.acpi_rsdp_size == 36);

    begin(&b);
    put32(&b, 15);
    put32(&b, 8 + 20);                  /* too short for an ACPI 2.0 RSDP */
    b.len += 24;
    finish(&b);
    expect_error(&b, b.len, "short ACPI 2.0 RSDP");
}

static void test_malformed_information(void)
{
    struct builder b;
    build_valid(&b);
    expect_error(&b, 4, "shorter than the header");
    expect_error(&b, b.len - 8, "total size past the readable bytes");

    build_valid(&b);
    memcpy(b.bytes, &(uint32_t){ b.len - 4 }, 4);
    expect_error(&b, b.len, "total size not a multiple of 8");

    begin(&b);
    string_tag(&b, 1, "x");
    memcpy(b.bytes, &(uint32_t){ b.len }, 4);
    expect_error(&b, b.len, "no end tag");

    begin(&b);
    put32(&b, 1);
    put32(&b, 4);
    finish(&b);
    expect_error(&b, b.len, "tag size below 8");

    begin(&b);
    put32(&b, 1);
    put32(&b, 4096);
    finish(&b);
    expect_error(&b, b.len, "tag running past the end");

    begin(&b);
    put32(&b, 0);
    put32(&b, 16);
    put64(&b, 0);
    memcpy(b.bytes, &b.len, 4);
    expect_error(&b, b.len, "end tag of size 16");

    begin(&b);
    put32(&b, 1);
    put32(&b, 16);
    memcpy(b.bytes + b.len, "12345678", 8);       /* no NUL within the tag */
    b.len += 8;
    finish(&b);
    expect_error(&b, b.len, "unterminated command line");

    begin(&b);
    module_tag(&b, 0x2000, 0x1000, "backwards");
    finish(&b);
    expect_error(&b, b.len, "module ending before its start");

    begin(&b);
    put32(&b, 3);
    put32(&b, 16);
    put32(&b, 0);
    put32(&b, 0);
    finish(&b);
    expect_error(&b, b.len, "module without room for its string");

    begin(&b);
    mmap_tag(&b, 2);
    memcpy(b.bytes + 16, &(uint32_t){ 20 }, 4);    /* entry size below 24 */
    finish(&b);
    expect_error(&b, b.len, "memory map entry size 20");

    begin(&b);
    mmap_tag(&b, 2);
    memcpy(b.bytes + 12, &(uint32_t){ 16 + 24 + 8 }, 4);   /* one and a third entries */
    b.len = 8 + 16 + 24 + 8;
    finish(&b);
    expect_error(&b, b.len, "memory map with a partial entry");

    begin(&b);
    mmap_tag(&b, MB2_MAX_MEMORY_REGIONS + 1);
    finish(&b);
    expect_error(&b, b.len, "more memory regions than kept");

    begin(&b);
    for (int i = 0; i <= MB2_MAX_MODULES; i++)
        module_tag(&b, 0, 0, "m");
    finish(&b);
    expect_error(&b, b.len, "more modules than kept");
}

/* Every prefix and random byte corruptions of a valid information: whatever the verdict,
 * the parser must stay inside the bytes it was given: ASan aborts the test if not. */
static void test_corruptions_stay_in_bounds(void)
{
    struct builder valid, b;
    build_valid(&valid);
    for (uint32_t readable = 0; readable <= valid.len; readable++)
        parse(&valid, readable, &info);
    srand(1);
    for (int round = 0; round < 200000; round++) {
        b = valid;
        for (int flips = 1 + rand() % 4; flips; flips--)
            b.bytes[rand() % b.len] = (uint8_t)rand();
        parse(&b, b.len, &info);
    }
}

int main(void)
{
    test_valid_information();
    test_minimal_information_has_defaults();
    test_acpi_rsdp_prefers_the_newer_copy();
    test_malformed_information();
    test_corruptions_stay_in_bounds();
    return check_report();
}
