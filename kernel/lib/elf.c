/* kernel/lib/elf.c: the ELF64 executable checker (see elf.h). */
#include "kernel/lib/elf.h"
#include "kernel/errno.h"
#include "kernel/lib/unaligned.h"
#include "mm/layout.h"
#include <stdbool.h>
#include <string.h>

enum {
    EHDR_SIZE = 64,
    PHDR_SIZE = 56,
    /* e_ident bytes and their one accepted value */
    EI_CLASS = 4, ELFCLASS64 = 2,
    EI_DATA = 5, ELFDATA2LSB = 1,
    EI_VERSION = 6, EV_CURRENT = 1,
    ET_EXEC = 2, ET_DYN = 3,
    EM_X86_64 = 62,
    PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6,
    SEGMENT_RWX = ELF_SEGMENT_R | ELF_SEGMENT_W | ELF_SEGMENT_X,
};

/* Check the PT_LOAD entry at ph and add it to out->segments. The segments already there
 * have passed the same checks, so each is inside user space and none is empty. */
static const char *add_segment(const uint8_t *ph, size_t size, struct elf_program *out)
{
    struct elf_segment s = {
        .flags = load32(ph + 4) & SEGMENT_RWX,
        .offset = load64(ph + 8),
        .vaddr = load64(ph + 16),
        .filesz = load64(ph + 32),
        .memsz = load64(ph + 40),
    };
    if (s.offset > size || s.filesz > size - s.offset)
        return "a PT_LOAD segment's file bytes run past the end of the file";
    if (s.filesz > s.memsz)
        return "a PT_LOAD segment has more file bytes than memory bytes";
    if (s.memsz == 0)
        return NULL;                /* loads nothing */
    if (s.vaddr > USER_LIMIT || s.memsz > USER_LIMIT - s.vaddr)
        return "a PT_LOAD segment is not inside user space (which ends a page below USER_TOP)";
    if (s.vaddr % PAGE_SIZE != s.offset % PAGE_SIZE)
        return "a PT_LOAD segment's address and file offset differ modulo the page size";
    if ((s.flags & ELF_SEGMENT_W) && (s.flags & ELF_SEGMENT_X))
        return "a PT_LOAD segment is both writable and executable";

    uint64_t end = s.vaddr + s.memsz;
    for (size_t i = 0; i < out->segment_count; i++) {
        const struct elf_segment *t = &out->segments[i];
        uint64_t t_end = t->vaddr + t->memsz;
        if (s.vaddr < t_end && t->vaddr < end)
            return "two PT_LOAD segments overlap";
        bool share_page = page_down(s.vaddr) < page_up(t_end) && page_down(t->vaddr) < page_up(end);
        uint32_t both = s.flags | t->flags;
        if (share_page && (both & ELF_SEGMENT_W) && (both & ELF_SEGMENT_X))
            return "a writable and an executable segment share a page";
    }
    if (out->segment_count == ELF_MAX_SEGMENTS)
        return "more loadable segments than Twofold takes (16)";
    out->segments[out->segment_count++] = s;
    return NULL;
}

/* The user address at which a PT_LOAD puts the file bytes [phoff, phoff + len), or 0. */
static uint64_t loaded_address(const struct elf_program *out, uint64_t phoff, uint64_t len)
{
    for (size_t i = 0; i < out->segment_count; i++) {
        const struct elf_segment *s = &out->segments[i];
        if (s->offset <= phoff && len <= s->filesz && phoff - s->offset <= s->filesz - len)
            return s->vaddr + (phoff - s->offset);
    }
    return 0;
}

static bool entry_is_executable(const struct elf_program *out)
{
    for (size_t i = 0; i < out->segment_count; i++) {
        const struct elf_segment *s = &out->segments[i];
        bool inside = out->entry >= s->vaddr && out->entry - s->vaddr < s->memsz;
        if (inside && (s->flags & ELF_SEGMENT_X))
            return true;
    }
    return false;
}

static const char *parse(const uint8_t *file, size_t head_size, uint64_t size, struct elf_program *out)
{
    if (head_size < 4 || memcmp(file, "\177ELF", 4) != 0)
        return "not an ELF file (it does not start with \\177ELF)";
    if (head_size < EHDR_SIZE)
        return "file is shorter than the 64-byte ELF64 header";
    if (file[EI_CLASS] != ELFCLASS64)
        return "not a 64-bit ELF file";
    if (file[EI_DATA] != ELFDATA2LSB)
        return "not a little-endian ELF file";
    if (file[EI_VERSION] != EV_CURRENT || load32(file + 20) != EV_CURRENT)
        return "ELF version is not 1 (EV_CURRENT)";
    if (load16(file + 18) != EM_X86_64)
        return "not an x86-64 program";
    uint16_t type = load16(file + 16);
    if (type == ET_DYN)
        return "position-independent executables are not supported (link with -static -no-pie)";
    if (type != ET_EXEC)
        return "not an executable (the ELF type is not ET_EXEC)";

    out->entry = load64(file + 24);
    uint64_t phoff = load64(file + 32);
    out->phentsize = load16(file + 54);
    out->phnum = load16(file + 56);
    uint64_t table_size = (uint64_t)out->phnum * PHDR_SIZE;
    if (out->phentsize != PHDR_SIZE)
        return "program header size (e_phentsize) is not 56";
    if (phoff > size || table_size > size - phoff)
        return "program header table runs past the end of the file";
    if (phoff > head_size || table_size > head_size - phoff)
        return "program header table is not within the file's first page";

    bool have_pt_phdr = false;
    for (uint64_t off = phoff; off < phoff + table_size; off += PHDR_SIZE) {
        const uint8_t *ph = file + off;
        const char *error = NULL;
        switch (load32(ph)) {
        case PT_INTERP:
            return "dynamically linked (PT_INTERP asks for an interpreter): not supported";
        case PT_PHDR:
            if (have_pt_phdr)
                return "more than one PT_PHDR";
            have_pt_phdr = true;
            out->phdr = load64(ph + 16);
            break;
        case PT_LOAD:
            error = add_segment(ph, size, out);
            break;
        default:
            break;                  /* PT_TLS, PT_GNU_STACK...: for the program itself */
        }
        if (error)
            return error;
    }
    if (out->segment_count == 0)
        return "no PT_LOAD segment: nothing to load";
    if (!entry_is_executable(out))
        return "entry point is not inside an executable segment";
    if (!have_pt_phdr)
        out->phdr = loaded_address(out, phoff, table_size);
    return NULL;
}

int elf_parse(const void *head, size_t head_size, uint64_t file_size, struct elf_program *out,
              const char **why)
{
    memset(out, 0, sizeof *out);
    *why = parse(head, head_size < file_size ? head_size : file_size, file_size, out);
    return *why ? -ENOEXEC : 0;
}
