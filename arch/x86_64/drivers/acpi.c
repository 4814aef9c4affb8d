/* arch/x86_64/drivers/acpi.c: finding the MADT through the RSDP, RSDT or XSDT (see acpi.h). Every
 * table is checked (signature, checksum, lengths) before it is believed. */
#include "arch/x86_64/drivers/acpi.h"
#include "kernel/lib/unaligned.h"
#include "kernel/printk.h"
#include "mm/mm.h"
#include <string.h>

struct __attribute__((packed)) sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_revision, creator, creator_revision;
};

enum { MADT_LAPIC_ADDRESS = 36, MADT_ENTRIES = 44,
       ENTRY_LAPIC = 0, ENTRY_IOAPIC = 1, ENTRY_OVERRIDE = 2, ENTRY_LAPIC_ADDRESS = 5,
       LAPIC_ENABLED = 1, MAX_TABLE = 1 << 20 };

static bool checksum_ok(const uint8_t *bytes, uint32_t length)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < length; i++)
        sum += bytes[i];
    return sum == 0;
}

/* Map the table at phys and check it; NULL (with a console line) if it is not sound. */
static const struct sdt_header *map_table(uint64_t phys, const char *signature)
{
    const struct sdt_header *header = mm_map_io(phys, sizeof *header, false);
    if (!header || header->length < sizeof *header || header->length > MAX_TABLE)
        return NULL;
    const struct sdt_header *table = mm_map_io(phys, header->length, false);
    if (!table || (signature && memcmp(table->signature, signature, 4) != 0))
        return NULL;
    if (!checksum_ok((const uint8_t *)table, table->length)) {
        kprintf("acpi: table %.4s at %lx has a bad checksum\n", table->signature, phys);
        return NULL;
    }
    return table;
}

static void read_madt_entries(const uint8_t *madt, uint32_t length, struct madt_info *out)
{
    for (uint32_t off = MADT_ENTRIES; off + 2 <= length;) {
        uint8_t type = madt[off], len = madt[off + 1];
        if (len < 2 || off + len > length)
            break;
        const uint8_t *e = madt + off;
        if (type == ENTRY_LAPIC && len >= 8 && (load32(e + 4) & LAPIC_ENABLED)) {
            if (out->cpu_count < MAX_CPUS)
                out->cpu_apic_ids[out->cpu_count++] = e[3];
            out->cpus_listed++;
        } else if (type == ENTRY_IOAPIC && len >= 12 && !out->ioapic_phys) {
            out->ioapic_phys = load32(e + 4);
            out->ioapic_gsi_base = load32(e + 8);
        } else if (type == ENTRY_OVERRIDE && len >= 10 && e[2] == 0 && e[3] < 16) {
            uint16_t flags = (uint16_t)load16(e + 8);
            out->isa[e[3]] = (struct isa_route){ load32(e + 4), (flags & 3) == 3, ((flags >> 2) & 3) == 3 };
        } else if (type == ENTRY_LAPIC_ADDRESS && len >= 12) {
            out->lapic_phys = load64(e + 4);
        }
        off += len;
    }
}

bool acpi_read_madt(const void *rsdp, uint32_t size, struct madt_info *out)
{
    const uint8_t *r = rsdp;
    if (!r || size < 20 || memcmp(r, "RSD PTR ", 8) != 0 || !checksum_ok(r, 20)) {
        kprintf("acpi: no valid RSDP from the boot loader\n");
        return false;
    }
    /* ACPI 2.0 and later: the XSDT, with 64-bit pointers; else the RSDT's 32-bit ones. */
    bool xsdt = r[15] >= 2 && size >= 36 && load64(r + 24);
    const struct sdt_header *root = map_table(xsdt ? load64(r + 24) : load32(r + 16), xsdt ? "XSDT" : "RSDT");
    if (!root) {
        kprintf("acpi: no valid %s\n", xsdt ? "XSDT" : "RSDT");
        return false;
    }
    unsigned entry_size = xsdt ? 8 : 4;
    const uint8_t *entries = (const uint8_t *)(root + 1);
    for (uint32_t i = 0; i < (root->length - sizeof *root) / entry_size; i++) {
        const struct sdt_header *madt = map_table(xsdt ? load64(entries + i * 8) : load32(entries + i * 4), "APIC");
        if (!madt || madt->length < MADT_ENTRIES)
            continue;
        *out = (struct madt_info){ .lapic_phys = load32((const uint8_t *)madt + MADT_LAPIC_ADDRESS) };
        for (uint32_t irq = 0; irq < 16; irq++)
            out->isa[irq] = (struct isa_route){ irq, false, false };
        read_madt_entries((const uint8_t *)madt, madt->length, out);
        if (out->ioapic_phys)
            return true;
        kprintf("acpi: the MADT names no I/O APIC\n");
        return false;
    }
    kprintf("acpi: no MADT\n");
    return false;
}
