/* arch/x86_64/drivers/apic.h: the local APIC (this CPU's interrupt controller and timer) and the
 * I/O APIC (where device interrupts enter). */
#pragma once
#include "arch/x86_64/drivers/acpi.h"
#include <stdbool.h>
#include <stdint.h>

/* Map and enable this CPU's local APIC with its spurious vector. */
bool lapic_init(const struct madt_info *madt, uint8_t spurious_vector);

/* Calibrate the local APIC timer against the PIT and start it periodic at hz on vector. */
void lapic_timer_start(unsigned hz, uint8_t vector);

/* End of interrupt, for every vector but the spurious one. */
void lapic_eoi(void);

/* Map the I/O APIC and mask all its inputs. */
bool ioapic_init(const struct madt_info *madt);

/* Deliver ISA IRQ irq (through its override) to this CPU as vector. */
void ioapic_route_isa(const struct madt_info *madt, unsigned irq, uint8_t vector);
