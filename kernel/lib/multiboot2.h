/* kernel/lib/multiboot2.h: reading the boot information GRUB hands over (Multiboot2 spec, §3.6).
 *
 * Pure code, built for the host too: it trusts nothing in the information, checks every size
 * and offset against the bytes it was told it may read, and never reads outside them.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

enum {
    MB2_MEMORY_AVAILABLE = 1,
    MB2_MEMORY_ACPI_RECLAIMABLE = 3,
    MB2_MEMORY_NVS = 4,
    MB2_MEMORY_BAD = 5,
    MB2_MAX_MEMORY_REGIONS = 128,
    MB2_MAX_MODULES = 16,
};

struct mb2_memory_region {
    uint64_t base, length;
    uint32_t type;                  /* MB2_MEMORY_*; anything else is reserved */
};

struct mb2_module {
    uint32_t start, end;            /* physical [start, end) */
    const char *cmdline;            /* points into the information */
};

struct boot_info {
    uint32_t total_size;            /* bytes of the information itself */
    const char *cmdline;            /* "" when absent; points into the information */
    const char *loader_name;        /* "" when absent */
    size_t memory_region_count;
    struct mb2_memory_region memory[MB2_MAX_MEMORY_REGIONS];
    size_t module_count;
    struct mb2_module modules[MB2_MAX_MODULES];
    const void *acpi_rsdp;          /* a copy of ACPI's RSDP (the newer one if both), or NULL */
    uint32_t acpi_rsdp_size;
};

/* Parse the information at info, of which `readable` bytes may be read. Returns NULL on
 * success, else a message that says what is malformed (and *out must not be used). */
const char *mb2_parse(const void *info, size_t readable, struct boot_info *out);

/* Name of a memory type for the banner: "available", "ACPI reclaimable", ... */
const char *mb2_memory_type_name(uint32_t type);
