/* arch/x86_64/drivers/acpi.h: what Twofold needs from ACPI's tables: where the local APIC and the
 * I/O APIC are, how ISA interrupts reach the I/O APIC, and which CPUs there are (the MADT,
 * signature "APIC"). */
#pragma once
#include "arch/x86_64/gdt.h"
#include <stdbool.h>
#include <stdint.h>

struct isa_route {
    uint32_t gsi;                   /* the I/O APIC input the ISA IRQ arrives on */
    bool active_low, level;         /* ISA default: active high, edge */
};

struct madt_info {
    uint64_t lapic_phys;
    uint64_t ioapic_phys;
    uint32_t ioapic_gsi_base;
    struct isa_route isa[16];
    uint8_t cpu_apic_ids[MAX_CPUS];     /* the local APIC id of each enabled CPU, in MADT order */
    unsigned cpu_count;                 /* of them (at most MAX_CPUS) */
    unsigned cpus_listed;               /* enabled CPUs the MADT lists (more if past MAX_CPUS) */
};

/* Read the MADT through the RSDP GRUB passed (rsdp: its copy, size bytes). False, with a
 * console line saying why, if there is none or a table is malformed (bad checksum, a length
 * past what was mapped...). */
bool acpi_read_madt(const void *rsdp, uint32_t size, struct madt_info *out);
