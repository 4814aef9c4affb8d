/* tests/host/test_elf.c: kernel/lib/elf.c on hand-made executables, well-formed and malformed,
 * and on real musl-gcc programs (tools/fuzz.mk builds them into MUSL_SAMPLES). Every check
 * reads from a heap copy of exactly the readable size, so AddressSanitizer stops the test at
 * the first byte read out of bounds. */
#include "kernel/lib/elf.h"
#include "kernel/errno.h"
#include "mm/layout.h"
#include "check.h"
#include <stdlib.h>

enum { PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6, PT_TLS = 7, PT_GNU_STACK = 0x6474e551 };
enum { R = ELF_SEGMENT_R, W = ELF_SEGMENT_W, X = ELF_SEGMENT_X };

struct image {
    uint8_t bytes[4096];
    size_t len;
};

static void put16(struct image *im, size_t at, uint16_t v) { memcpy(im->bytes + at, &v, 2); }
static void put32(struct image *im, size_t at, uint32_t v) { memcpy(im->bytes + at, &v, 4); }
static void put64(struct image *im, size_t at, uint64_t v) { memcpy(im->bytes + at, &v, 8); }

/* An x86-64 ET_EXEC header with its program headers at 64; the file is len bytes. */
static void header(struct image *im, uint64_t entry, uint16_t phnum, size_t len)
{
    memset(im->bytes, 0, sizeof im->bytes);
    memcpy(im->bytes, "\177ELF\2\1\1", 7);
    put16(im, 16, 2);               /* ET_EXEC */
    put16(im, 18, 62);              /* EM_X86_64 */
    put32(im, 20, 1);
    put64(im, 24, entry);
    put64(im, 32, 64);
    put16(im, 52, 64);
    put16(im, 54, 56);
    put16(im, 56, phnum);
    im->len = len;
}

static void phdr(struct image *im, int i, uint32_t type, uint32_t flags, uint64_t offset,
                 uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
    size_t at = 64 + 56 * (size_t)i;
    put32(im, at, type);
    put32(im, at + 4, flags);
    put64(im, at + 8, offset);
    put64(im, at + 16, vaddr);
    put64(im, at + 24, vaddr);
    put64(im, at + 32, filesz);
    put64(im, at + 40, memsz);
    put64(im, at + 48, 4096);
}

/* What a static linker writes: code with the headers, data and bss on the next page, and
 * a PT_GNU_STACK; 0x240 bytes of file. */
static void build_valid(struct image *im)
{
    header(im, 0x400100, 3, 0x240);
    phdr(im, 0, PT_LOAD, R | X, 0, 0x400000, 0x200, 0x200);
    phdr(im, 1, PT_LOAD, R | W, 0x200, 0x401200, 0x40, 0x2000);
    phdr(im, 2, PT_GNU_STACK, R | W, 0, 0, 0, 0);
}

static struct elf_program program;

/* elf_parse on a heap copy of the first len bytes. */
static int parse(const void *bytes, size_t len, const char **why)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, bytes, len);
    *why = NULL;
    int status = elf_parse(copy, len, len, &program, why);
    free(copy);
    return status;
}

static void test_valid_executable(void)
{
    struct image im;
    const char *why;
    build_valid(&im);
    CHECK(parse(im.bytes, im.len, &why) == 0);
    CHECK(why == NULL);
    CHECK(program.entry == 0x400100);
    CHECK(program.phdr == 0x400040);    /* the first PT_LOAD holds the table */
    CHECK(program.phnum == 3 && program.phentsize == 56);
    CHECK(program.segment_count == 2);
    const struct elf_segment *code = &program.segments[0], *data = &program.segments[1];
    CHECK(code->vaddr == 0x400000 && code->memsz == 0x200);
    CHECK(code->offset == 0 && code->filesz == 0x200 && code->flags == (R | X));
    CHECK(data->vaddr == 0x401200 && data->memsz == 0x2000);
    CHECK(data->offset == 0x200 && data->filesz == 0x40 && data->flags == (R | W));

    /* Given only its first bytes (the loader reads a page), it is judged by the whole size;
     * the program headers must be among those bytes. */
    CHECK(elf_parse(im.bytes, 64 + 3 * 56, im.len, &program, &why) == 0 && program.segment_count == 2);
    CHECK(elf_parse(im.bytes, 64 + 3 * 56 - 1, im.len, &program, &why) == -ENOEXEC);
    CHECK_STREQ(why, "program header table is not within the file's first page");
    CHECK(elf_parse(im.bytes, im.len, 0x200, &program, &why) == -ENOEXEC);   /* data past the end */
}

static void test_accepted_variations(void)
{
    struct image im;
    const char *why;

    header(&im, 0x400100, 3, 0x240);    /* PT_PHDR gives AT_PHDR, wherever it says */
    phdr(&im, 0, PT_PHDR, R, 64, 0x500000, 3 * 56, 3 * 56);
    phdr(&im, 1, PT_LOAD, R | X, 0, 0x400000, 0x240, 0x240);
    phdr(&im, 2, PT_TLS, R, 0x200, 0x400200, 8, 16);
    CHECK(parse(im.bytes, im.len, &why) == 0);
    CHECK(program.phdr == 0x500000 && program.segment_count == 1);

    header(&im, 0x400100, 1, 0x240);    /* the table is in no segment: AT_PHDR 0 */
    phdr(&im, 0, PT_LOAD, R | X, 0x100, 0x400100, 0x140, 0x140);
    CHECK(parse(im.bytes, im.len, &why) == 0);
    CHECK(program.phdr == 0);

    /* A segment of 0x40, 0xaf or 0xb0 bytes from the start of the file: only the last holds
     * all of the table, [0x40, 0xb0); the others give AT_PHDR 0. */
    static const uint64_t head_sizes[] = { 0x40, 0xaf, 0xb0 };
    for (size_t i = 0; i < 3; i++) {
        header(&im, 0x400100, 2, 0x240);
        phdr(&im, 0, PT_LOAD, R | X, 0, 0x400000, head_sizes[i], head_sizes[i]);
        phdr(&im, 1, PT_LOAD, R | X, 0x100, 0x400100, 0x140, 0x140);
        CHECK(parse(im.bytes, im.len, &why) == 0);
        CHECK(program.phdr == (head_sizes[i] == 0xb0 ? 0x400040 : 0));
    }

    header(&im, 0x400100, 4, 0x240);    /* empty PT_LOADs load nothing and are left out */
    phdr(&im, 0, PT_LOAD, R, 0x240, 0x12345, 0, 0);
    phdr(&im, 1, PT_LOAD, R | X, 0, 0x400000, 0x200, 0x200);
    phdr(&im, 2, PT_LOAD, R | W | X, 0, 0x400000, 0, 0);
    phdr(&im, 3, 0x70000000, 0, ~0ull, ~0ull, ~0ull, 0);  /* unknown types are skipped */
    CHECK(parse(im.bytes, im.len, &why) == 0);
    CHECK(program.segment_count == 1 && program.segments[0].vaddr == 0x400000);

    header(&im, 0x400100, 4, 0x240);    /* pages shared by R and RX, and by R and RW */
    phdr(&im, 0, PT_LOAD, R, 0, 0x400000, 0x100, 0x100);
    phdr(&im, 1, PT_LOAD, R | X, 0x100, 0x400100, 0x100, 0x100);
    phdr(&im, 2, PT_LOAD, R, 0x200, 0x401200, 0x20, 0x20);
    phdr(&im, 3, PT_LOAD, R | W, 0x220, 0x401220, 0x20, 0x100);
    put32(&im, 64 + 4, R | 0x00f00000);                 /* flag bits beyond RWX are dropped */
    CHECK(parse(im.bytes, im.len, &why) == 0);
    CHECK(program.segment_count == 4 && program.segments[0].flags == R);

    header(&im, 0, 1, 0x240);           /* the lowest page and the last mappable byte */
    phdr(&im, 0, PT_LOAD, R | X, 0, 0, 0x240, USER_TOP - 4096);
    CHECK(parse(im.bytes, im.len, &why) == 0);
    put64(&im, 24, USER_TOP - 4097);
    CHECK(parse(im.bytes, im.len, &why) == 0);
}

static void expect_refused(const struct image *im, const char *reason)
{
    const char *why;
    CHECK(parse(im->bytes, im->len, &why) == -ENOEXEC);
    CHECK_STREQ(why, reason);
}

static void test_malformed_headers(void)
{
    struct image im;
    build_valid(&im);
    im.len = 3;
    expect_refused(&im, "not an ELF file (it does not start with \\177ELF)");
    build_valid(&im);
    im.bytes[0] = 0x7e;
    expect_refused(&im, "not an ELF file (it does not start with \\177ELF)");
    build_valid(&im);
    im.len = 63;
    expect_refused(&im, "file is shorter than the 64-byte ELF64 header");

    static const struct { size_t at, size; uint64_t value; const char *reason; } fields[] = {
        { 4, 1, 1, "not a 64-bit ELF file" },
        { 4, 1, 0, "not a 64-bit ELF file" },
        { 5, 1, 2, "not a little-endian ELF file" },
        { 6, 1, 0, "ELF version is not 1 (EV_CURRENT)" },
        { 20, 4, 2, "ELF version is not 1 (EV_CURRENT)" },
        { 18, 2, 3, "not an x86-64 program" },                      /* EM_386 */
        { 18, 2, 183, "not an x86-64 program" },                    /* EM_AARCH64 */
        { 16, 2, 3, "position-independent executables are not supported "
                    "(link with -static -no-pie)" },
        { 16, 2, 1, "not an executable (the ELF type is not ET_EXEC)" },   /* ET_REL */
        { 16, 2, 4, "not an executable (the ELF type is not ET_EXEC)" },   /* ET_CORE */
        { 54, 2, 64, "program header size (e_phentsize) is not 56" },
        { 54, 2, 0, "program header size (e_phentsize) is not 56" },
        { 32, 8, 0x241, "program header table runs past the end of the file" },
        { 32, 8, 0x240 - 56 * 3 + 1, "program header table runs past the end of the file" },
        { 32, 8, ~0ull - 8, "program header table runs past the end of the file" },
        { 56, 2, 0xffff, "program header table runs past the end of the file" },
        { 56, 2, 0, "no PT_LOAD segment: nothing to load" },
        { 24, 8, 0x400200, "entry point is not inside an executable segment" },
        { 24, 8, 0x3fffff, "entry point is not inside an executable segment" },
        { 24, 8, 0x401200, "entry point is not inside an executable segment" },   /* RW */
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        build_valid(&im);
        memcpy(im.bytes + fields[i].at, &fields[i].value, fields[i].size);
        expect_refused(&im, fields[i].reason);
    }
}

static void test_refused_program_headers(void)
{
    struct image im;
    build_valid(&im);
    phdr(&im, 2, PT_INTERP, R, 0x220, 0x400220, 0x10, 0x10);
    expect_refused(&im, "dynamically linked (PT_INTERP asks for an interpreter): not supported");

    header(&im, 0x400100, 4, 0x240);
    phdr(&im, 0, PT_LOAD, R | X, 0, 0x400000, 0x200, 0x200);
    phdr(&im, 1, PT_PHDR, R, 64, 0x400040, 4 * 56, 4 * 56);
    phdr(&im, 2, PT_LOAD, R | W, 0x200, 0x401200, 0x40, 0x2000);
    phdr(&im, 3, PT_PHDR, R, 64, 0x400040, 4 * 56, 4 * 56);
    expect_refused(&im, "more than one PT_PHDR");

    header(&im, 0x400100, 2, 0x240);    /* a W page shared with a later X segment */
    phdr(&im, 0, PT_LOAD, R | W, 0, 0x400000, 0x100, 0x100);
    phdr(&im, 1, PT_LOAD, R | X, 0x100, 0x400100, 0x100, 0x100);
    expect_refused(&im, "a writable and an executable segment share a page");

    /* 17 one-page segments: one more than Twofold keeps. */
    header(&im, 0x400000, 17, 64 + 17 * 56);
    for (int i = 0; i < 17; i++)
        phdr(&im, i, PT_LOAD, R | X, 0, 0x400000 + 0x1000 * (uint64_t)i, 0x10, 0x10);
    expect_refused(&im, "more loadable segments than Twofold takes (16)");
    const char *why;
    put16(&im, 56, 16);
    CHECK(parse(im.bytes, im.len, &why) == 0 && program.segment_count == 16);
}

/* The second PT_LOAD of build_valid (RW at 0x401200, 0x40 bytes of file at 0x200, the first
 * being RX [0x400000, 0x400200)) changed one way each time; reason NULL: accepted. */
static const struct {
    uint32_t flags;
    uint64_t offset, vaddr, filesz, memsz;
    const char *reason;
} load_cases[] = {
    { R | W, 0x200, 0x401200, 0x41, 0x2000,
      "a PT_LOAD segment's file bytes run past the end of the file" },
    { R | W, 0x241, 0x401241, 0, 0x2000,
      "a PT_LOAD segment's file bytes run past the end of the file" },
    { R | W, ~0ull, 0x401fff, 2, 0x2000,
      "a PT_LOAD segment's file bytes run past the end of the file" },
    { R | W, 0x200, 0x401200, 0x40, 0x3f,
      "a PT_LOAD segment has more file bytes than memory bytes" },
    { R | W, 0x200, 0x401200, 0x40, 0,
      "a PT_LOAD segment has more file bytes than memory bytes" },
    { R | W, 0x200, DIRECT_MAP_BASE + 0x200, 0x40, 0x40,
      "a PT_LOAD segment is not inside user space (which ends a page below USER_TOP)" },
    { R | W, 0x200, USER_TOP - 4096 + 0x200, 0x40, 0x40,
      "a PT_LOAD segment is not inside user space (which ends a page below USER_TOP)" },
    { R | W, 0x200, USER_TOP - 8192 + 0x200, 0x40, 0xe00, NULL },  /* ends at the last byte */
    { R | W, 0x200, USER_TOP - 8192 + 0x200, 0x40, 0xe01,
      "a PT_LOAD segment is not inside user space (which ends a page below USER_TOP)" },
    { R | W, 0x200, 0x401200, 0x40, ~0ull - 0x1000,
      "a PT_LOAD segment is not inside user space (which ends a page below USER_TOP)" },
    { R | W, 0x200, 0x401208, 0x40, 0x40,
      "a PT_LOAD segment's address and file offset differ modulo the page size" },
    { R | W | X, 0x200, 0x401200, 0x40, 0x40,
      "a PT_LOAD segment is both writable and executable" },
    { W | X, 0x200, 0x401200, 0x40, 0x40, "a PT_LOAD segment is both writable and executable" },
    { R, 0x1ff, 0x4001ff, 0x40, 0x40, "two PT_LOAD segments overlap" },
    { R, 0x000, 0x3ff000, 0x40, 0x1001, "two PT_LOAD segments overlap" },
    { R, 0x200, 0x400200, 0x40, 0x40, NULL },           /* shares a page with R and X */
    { R | W, 0x200, 0x400200, 0x40, 0x40, "a writable and an executable segment share a page" },
    { R | W, 0x200, 0x400200, 0x00, 0x01, "a writable and an executable segment share a page" },
    { R | W, 0x000, 0x3ff000, 0x40, 0x1000, NULL },     /* ends where the code's page starts */
    { R | W, 0x000, 0x3ff000, 0x40, 0x1001, "two PT_LOAD segments overlap" },
};

static void test_refused_segments(void)
{
    struct image im;
    for (size_t i = 0; i < sizeof load_cases / sizeof *load_cases; i++) {
        build_valid(&im);
        phdr(&im, 1, PT_LOAD, load_cases[i].flags, load_cases[i].offset, load_cases[i].vaddr,
             load_cases[i].filesz, load_cases[i].memsz);
        const char *why;
        if (load_cases[i].reason) {
            expect_refused(&im, load_cases[i].reason);
        } else {
            CHECK(parse(im.bytes, im.len, &why) == 0);
            CHECK(why == NULL);
        }
    }
}

/* Every prefix of an accepted file of len bytes: refused while it cuts the ELF header, the
 * program headers or a segment's file bytes, accepted once it holds them all. */
static void check_truncations(const uint8_t *bytes, size_t len)
{
    const char *why;
    CHECK(parse(bytes, len, &why) == 0);
    uint64_t phoff, needed;
    memcpy(&phoff, bytes + 32, 8);
    needed = phoff + 56 * (uint64_t)program.phnum;
    for (size_t i = 0; i < program.segment_count; i++) {
        const struct elf_segment *s = &program.segments[i];
        if (s->offset + s->filesz > needed)
            needed = s->offset + s->filesz;
    }
    for (size_t prefix = 0; prefix < len; prefix++)
        CHECK((parse(bytes, prefix, &why) == 0) == (prefix >= needed));
}

/* Random byte changes in the first `span` bytes of an accepted file, in a heap copy of its
 * exact size: accepted or not, the checker must stay inside the bytes (ASan) and give a
 * reason when it refuses. */
static void check_corruptions(const uint8_t *bytes, size_t len, size_t span, int rounds)
{
    uint8_t *copy = malloc(len);
    for (int round = 0; round < rounds; round++) {
        memcpy(copy, bytes, len);
        for (int flips = 1 + rand() % 4; flips; flips--)
            copy[rand() % span] = (uint8_t)rand();
        const char *why = NULL;
        int status = elf_parse(copy, len, len, &program, &why);
        CHECK(status == 0 ? why == NULL : status == -ENOEXEC && why != NULL);
    }
    free(copy);
}

static void test_truncations_and_corruptions(void)
{
    struct image im;
    build_valid(&im);
    check_truncations(im.bytes, im.len);
    srand(1);
    check_corruptions(im.bytes, im.len, 64 + 3 * 56, 100000);
}

/* The bytes of the file at path (NULL if it cannot be read); *len gets its size. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("%s: cannot open (tools/fuzz.mk builds it)\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    uint8_t *bytes = malloc(size > 0 ? (size_t)size : 1);
    *len = fread(bytes, 1, size > 0 ? (size_t)size : 0, f);
    fclose(f);
    return bytes;
}

/* How Twofold's user programs are built (musl-gcc -static) passes; a PIE and a dynamically
 * linked program are refused, each with its own reason. */
static void test_musl_programs(void)
{
    size_t len;
    const char *why;
    uint8_t *bytes = read_file(MUSL_SAMPLES "/static", &len);
    CHECK(bytes != NULL);
    if (bytes) {
        CHECK(parse(bytes, len, &why) == 0);
        if (why)
            printf("the musl static program is refused: %s\n", why);
        uint64_t entry, phoff;
        memcpy(&entry, bytes + 24, 8);
        memcpy(&phoff, bytes + 32, 8);
        CHECK(program.entry == entry);
        CHECK(program.segment_count >= 2 && program.segments[0].offset == 0);
        CHECK(program.phdr == program.segments[0].vaddr + phoff);
        uint32_t all_flags = 0;
        for (size_t i = 0; i < program.segment_count; i++)
            all_flags |= program.segments[i].flags;
        CHECK(all_flags == (R | W | X));
        check_truncations(bytes, len);
        check_corruptions(bytes, len, 1024, 20000);
        free(bytes);
    }

    static const struct { const char *name, *reason; } refused[] = {
        { "/pie", "position-independent executables are not supported "
                  "(link with -static -no-pie)" },
        { "/dynamic", "dynamically linked (PT_INTERP asks for an interpreter): not supported" },
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s", MUSL_SAMPLES, refused[i].name);
        bytes = read_file(path, &len);
        CHECK(bytes != NULL);
        if (bytes) {
            CHECK(parse(bytes, len, &why) == -ENOEXEC);
            CHECK_STREQ(why, refused[i].reason);
            free(bytes);
        }
    }
}

int main(void)
{
    test_valid_executable();
    test_accepted_variations();
    test_malformed_headers();
    test_refused_program_headers();
    test_refused_segments();
    test_truncations_and_corruptions();
    test_musl_programs();
    return check_report();
}
