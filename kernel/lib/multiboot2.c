/* kernel/lib/multiboot2.c: the Multiboot2 information parser (see multiboot2.h). */
#include "kernel/lib/multiboot2.h"
#include "kernel/lib/unaligned.h"
#include <stdbool.h>
#include <string.h>

enum {
    TAG_END = 0,
    TAG_CMDLINE = 1,
    TAG_LOADER_NAME = 2,
    TAG_MODULE = 3,
    TAG_MEMORY_MAP = 6,
    TAG_ACPI_OLD_RSDP = 14,         /* ACPI 1.0's 20-byte RSDP */
    TAG_ACPI_NEW_RSDP = 15,         /* ACPI 2.0's 36-byte one, with the XSDT */
    TAG_HEADER_SIZE = 8,            /* u32 type, u32 size */
    MODULE_FIXED_SIZE = 16,         /* header, u32 mod_start, u32 mod_end */
    MEMORY_MAP_FIXED_SIZE = 16,     /* header, u32 entry_size, u32 entry_version */
    MEMORY_ENTRY_MIN_SIZE = 24,     /* u64 base, u64 length, u32 type, u32 reserved */
};

/* A string field of `len` bytes must hold its NUL terminator. */
static const char *string_in(const uint8_t *p, size_t len)
{
    return memchr(p, '\0', len) ? (const char *)p : NULL;
}

static const char *parse_memory_map(const uint8_t *tag, uint32_t size, struct boot_info *out)
{
    if (size < MEMORY_MAP_FIXED_SIZE)
        return "memory map tag is shorter than its fixed part";
    uint32_t entry_size = load32(tag + 8);
    if (entry_size < MEMORY_ENTRY_MIN_SIZE || entry_size % 8)
        return "memory map entry size is not a multiple of 8 of at least 24";
    if ((size - MEMORY_MAP_FIXED_SIZE) % entry_size)
        return "memory map tag does not hold a whole number of entries";
    for (uint32_t off = MEMORY_MAP_FIXED_SIZE; off < size; off += entry_size) {
        if (out->memory_region_count == MB2_MAX_MEMORY_REGIONS)
            return "memory map has more regions than Twofold keeps (128)";
        struct mb2_memory_region *r = &out->memory[out->memory_region_count++];
        r->base = load64(tag + off);
        r->length = load64(tag + off + 8);
        r->type = load32(tag + off + 16);
        if (r->base + r->length < r->base)
            return "memory map region wraps around the address space";
    }
    return NULL;
}

static const char *parse_module(const uint8_t *tag, uint32_t size, struct boot_info *out)
{
    if (size <= MODULE_FIXED_SIZE)
        return "module tag is too short to hold its string";
    if (out->module_count == MB2_MAX_MODULES)
        return "more modules than Twofold keeps (16)";
    struct mb2_module *m = &out->modules[out->module_count++];
    m->start = load32(tag + 8);
    m->end = load32(tag + 12);
    m->cmdline = string_in(tag + MODULE_FIXED_SIZE, size - MODULE_FIXED_SIZE);
    if (m->end < m->start)
        return "module ends before it starts";
    if (!m->cmdline)
        return "module string is not NUL-terminated within its tag";
    return NULL;
}

const char *mb2_parse(const void *info, size_t readable, struct boot_info *out)
{
    const uint8_t *base = info;
    memset(out, 0, sizeof *out);
    out->cmdline = "";
    out->loader_name = "";

    if (readable < TAG_HEADER_SIZE)
        return "information is shorter than its 8-byte header";
    uint32_t total = load32(base);
    if (total < 2 * TAG_HEADER_SIZE || total > readable || total % 8)
        return "total size is not a multiple of 8 between 16 and the readable size";
    out->total_size = total;

    /* Tags follow the 8-byte header, each starting 8-aligned; the last is the end tag. */
    for (uint32_t off = TAG_HEADER_SIZE; ; ) {
        if (total - off < TAG_HEADER_SIZE)
            return "tags run past the end without an end tag";
        const uint8_t *tag = base + off;
        uint32_t type = load32(tag), size = load32(tag + 4);
        if (size < TAG_HEADER_SIZE || size > total - off)
            return "a tag's size is below 8 or runs past the end of the information";

        const char *error = NULL;
        switch (type) {
        case TAG_END:
            return size == TAG_HEADER_SIZE ? NULL : "end tag has a size other than 8";
        case TAG_CMDLINE:
        case TAG_LOADER_NAME: {
            const char *s = string_in(tag + TAG_HEADER_SIZE, size - TAG_HEADER_SIZE);
            if (!s)
                error = "string tag is not NUL-terminated within its size";
            else if (type == TAG_CMDLINE)
                out->cmdline = s;
            else
                out->loader_name = s;
            break;
        }
        case TAG_MODULE:
            error = parse_module(tag, size, out);
            break;
        case TAG_MEMORY_MAP:
            error = parse_memory_map(tag, size, out);
            break;
        case TAG_ACPI_OLD_RSDP:
        case TAG_ACPI_NEW_RSDP:
            if (size < TAG_HEADER_SIZE + (type == TAG_ACPI_OLD_RSDP ? 20 : 36))
                error = "ACPI RSDP tag is shorter than an RSDP";
            else if (type == TAG_ACPI_NEW_RSDP || !out->acpi_rsdp) {
                out->acpi_rsdp = tag + TAG_HEADER_SIZE;
                out->acpi_rsdp_size = size - TAG_HEADER_SIZE;
            }
            break;
        default:
            break;                  /* tags Twofold does not use */
        }
        if (error)
            return error;
        off += (size + 7) & ~7u;    /* size <= total - off and total % 8 == 0: no overflow */
    }
}

const char *mb2_memory_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MEMORY_AVAILABLE: return "available";
    case MB2_MEMORY_ACPI_RECLAIMABLE: return "ACPI reclaimable";
    case MB2_MEMORY_NVS: return "ACPI NVS";
    case MB2_MEMORY_BAD: return "bad";
    default: return "reserved";
    }
}
