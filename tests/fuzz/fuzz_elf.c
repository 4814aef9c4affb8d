/* tests/fuzz/fuzz_elf.c: libFuzzer on kernel/lib/elf.c. Whatever the bytes, the checker must
 * stay inside them (ASan) and give a reason when it refuses them; what it accepts must keep
 * every promise of elf.h, checked here again in 128-bit arithmetic, which cannot wrap. */
#include "kernel/lib/elf.h"
#include "kernel/errno.h"
#include "mm/layout.h"
#include <stdlib.h>

#define REQUIRE(cond) ((cond) ? (void)0 : abort())

typedef unsigned __int128 u128;

static u128 end_of(const struct elf_segment *s)
{
    return (u128)s->vaddr + s->memsz;
}

static void check_segment(const struct elf_segment *s, size_t size)
{
    REQUIRE((u128)s->offset + s->filesz <= size);
    REQUIRE(s->filesz <= s->memsz && s->memsz > 0);
    REQUIRE(end_of(s) <= USER_TOP - 4096);
    REQUIRE(s->vaddr % 4096 == s->offset % 4096);
    REQUIRE((s->flags & ~(uint32_t)(ELF_SEGMENT_R | ELF_SEGMENT_W | ELF_SEGMENT_X)) == 0);
    REQUIRE((s->flags & (ELF_SEGMENT_W | ELF_SEGMENT_X)) != (ELF_SEGMENT_W | ELF_SEGMENT_X));
}

static void check_pair(const struct elf_segment *a, const struct elf_segment *b)
{
    REQUIRE(end_of(a) <= b->vaddr || end_of(b) <= a->vaddr);
    int wx = ((a->flags & ELF_SEGMENT_W) && (b->flags & ELF_SEGMENT_X))
             || ((a->flags & ELF_SEGMENT_X) && (b->flags & ELF_SEGMENT_W));
    if (wx) {
        u128 a_last_page = (end_of(a) - 1) / 4096, b_last_page = (end_of(b) - 1) / 4096;
        REQUIRE(a_last_page < b->vaddr / 4096 || b_last_page < a->vaddr / 4096);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    struct elf_program p;
    const char *why = NULL;
    int status = elf_parse(bytes, size, size, &p, &why);
    if (status != 0) {
        REQUIRE(status == -ENOEXEC && why && *why);
        return 0;
    }
    REQUIRE(why == NULL && p.phentsize == 56 && p.phnum >= 1);
    REQUIRE(p.segment_count >= 1 && p.segment_count <= ELF_MAX_SEGMENTS);
    int entry_executable = 0;
    for (size_t i = 0; i < p.segment_count; i++) {
        const struct elf_segment *s = &p.segments[i];
        check_segment(s, size);
        for (size_t j = 0; j < i; j++)
            check_pair(s, &p.segments[j]);
        if ((s->flags & ELF_SEGMENT_X) && p.entry >= s->vaddr && p.entry < end_of(s))
            entry_executable = 1;
    }
    REQUIRE(entry_executable);
    return 0;
}
