/* arch/x86_64/drivers/irq.h: device interrupts: which controller delivers them, and to whom.
 *
 * With a local APIC (CPUID) and an I/O APIC (ACPI's MADT), the local APIC timer ticks and
 * ISA interrupts come through the I/O APIC; otherwise the PIT ticks through the legacy PICs.
 * Either way ISA IRQ n arrives as vector IRQ_VECTOR_BASE + n, and the tick as VEC_TIMER; an
 * interprocessor interrupt from another CPU arrives as VEC_CALL_FUNCTION or VEC_RESCHEDULE
 * (arch/x86_64/smp.h).
 */
#pragma once
#include "arch/x86_64/trap.h"
#include "kernel/lib/multiboot2.h"

struct madt_info;

enum { IRQ_VECTOR_BASE = 0x20, VEC_TIMER = 0x20, VEC_RESCHEDULE = 0xfc, VEC_CALL_FUNCTION = 0xfd,
       VEC_SPURIOUS = 0xff };

struct trap_frame;
/* A handler gets the interrupted context's frame (whether it was user mode, say). */
typedef void (*irq_handler)(const struct trap_frame *frame);

/* Pick and set up the controllers, and start the tick: on_tick runs hz times a second. */
void irq_init(const struct boot_info *info, unsigned hz, irq_handler on_tick);

/* Deliver ISA IRQ irq (1..15) to handler. */
void irq_enable_isa(unsigned irq, irq_handler handler);

/* Run handler for an interprocessor interrupt vector (VEC_CALL_FUNCTION...), on every CPU. At
 * boot, before the other CPUs start. */
void irq_set_ipi_handler(unsigned vector, irq_handler handler);

/* For trap_dispatch: a vector from 32 up (not int 0x80). */
void irq_dispatch(const struct trap_frame *frame);

/* The MADT that irq_init read, or NULL where interrupts go through the PIC (no local APIC:
 * no other CPU can be started either). */
const struct madt_info *irq_madt(void);

/* On a CPU other than the boot CPU: enable its local APIC and start its timer (the same tick
 * handler runs there), as irq_init did the boot CPU's. */
void irq_init_this_cpu(void);

/* "local APIC and I/O APIC" or "PIT and PIC", for the banner. */
const char *irq_controllers(void);
