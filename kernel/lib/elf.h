/* kernel/lib/elf.h: checking an ELF64 executable before it is loaded, and what a loader needs
 * from it (System V ABI, x86-64 supplement).
 *
 * Twofold runs static, non-position-independent x86-64 executables (`musl-gcc -static`).
 * Pure code, built for the host too: it trusts nothing in the file, checks every offset and
 * size against the file's size and the bytes it was given, and never reads outside them.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

enum { ELF_MAX_SEGMENTS = 16 };

/* A segment's permissions (the values of the ELF p_flags bits). */
enum { ELF_SEGMENT_X = 1, ELF_SEGMENT_W = 2, ELF_SEGMENT_R = 4 };

/* A loadable segment: memory [vaddr, vaddr + memsz) holds the file bytes [offset, offset +
 * filesz), then zeros. Checked: inside the file and below USER_TOP - 4096, filesz <= memsz,
 * vaddr and offset equal modulo 4096, no overlap with another segment, and no page shared
 * by a writable and an executable segment. Two segments may still share a page (the loader
 * must then not zero more of it than [vaddr + filesz, vaddr + memsz)). */
struct elf_segment {
    uint64_t vaddr, memsz;
    uint64_t offset, filesz;
    uint32_t flags;                 /* ELF_SEGMENT_R | ELF_SEGMENT_W | ELF_SEGMENT_X */
};

struct elf_program {
    uint64_t entry;                 /* inside an executable segment; AT_ENTRY */
    uint64_t phdr;                  /* user address of the program headers (AT_PHDR), or 0 */
    uint16_t phnum, phentsize;      /* AT_PHNUM, AT_PHENT */
    size_t segment_count;           /* at least 1; in program-header order */
    struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/* Check a file of file_size bytes, whose first head_size bytes are at head (the loader reads
 * its first page), as an executable Twofold can run, and describe it in *out. The ELF header
 * and the program headers must lie in those first bytes.
 * Returns 0, or -ENOEXEC when it cannot be run, with *why saying why (*out must then not be
 * used). AT_PHDR is PT_PHDR's address if there is one, else where the PT_LOAD whose file
 * bytes hold the program-header table puts it, else 0. Segments with p_memsz 0 load nothing
 * and are left out. */
int elf_parse(const void *head, size_t head_size, uint64_t file_size, struct elf_program *out,
              const char **why);
