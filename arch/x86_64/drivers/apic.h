/* arch/x86_64/drivers/apic.h: the local APIC (this CPU's interrupt controller and timer) and the
 * I/O APIC (where device interrupts enter). */
#pragma once
#include "arch/x86_64/drivers/acpi.h"
#include <stdbool.h>
#include <stdint.h>

/* Map and enable this CPU's local APIC with its spurious vector. */
bool lapic_init(const struct madt_info *madt, uint8_t spurious_vector);

/* Enable this CPU's local APIC (mapped by lapic_init on the boot CPU: every CPU sees its own
 * at the one address). */
void lapic_enable_this_cpu(uint8_t spurious_vector);

/* This CPU's local APIC id. */
uint32_t lapic_id(void);

/* Interrupt the CPU with apic_id at vector. Returns once this local APIC has sent it. */
void lapic_send_fixed(uint32_t apic_id, uint8_t vector);

/* Starting another CPU: INIT, then a startup IPI whose vector is the page (below 1 MiB)
 * where it begins in real mode. Each returns once this local APIC has sent it. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint32_t page);

/* Calibrate the local APIC timer against the PIT and start it periodic at hz on vector. */
void lapic_timer_start(unsigned hz, uint8_t vector);

/* On another CPU: start its timer as the boot CPU's runs (the calibration holds for every
 * CPU: their timers count the one bus clock). */
void lapic_timer_start_this_cpu(uint8_t vector);

/* End of interrupt, for every vector but the spurious one. */
void lapic_eoi(void);

/* Map the I/O APIC and mask all its inputs. */
bool ioapic_init(const struct madt_info *madt);

/* Deliver ISA IRQ irq (through its override) to this CPU as vector. */
void ioapic_route_isa(const struct madt_info *madt, unsigned irq, uint8_t vector);
