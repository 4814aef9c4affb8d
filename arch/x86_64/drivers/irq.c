/* arch/x86_64/drivers/irq.c: routing and dispatching device interrupts (see irq.h). */
#include "arch/x86_64/drivers/irq.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/drivers/apic.h"
#include "arch/x86_64/drivers/pic.h"
#include "arch/x86_64/drivers/pit.h"
#include "kernel/printk.h"

enum { CPUID1_EDX_APIC = 1 << 9 };

/* Written by irq_init and irq_enable_isa at boot, before interrupts are on; read-only after. */
static bool using_apic;
static struct madt_info madt;
static irq_handler handlers[256];

void irq_init(const struct boot_info *info, unsigned hz, irq_handler on_tick)
{
    handlers[VEC_TIMER] = on_tick;
    using_apic = (cpuid(1, 0).edx & CPUID1_EDX_APIC) && acpi_read_madt(info->acpi_rsdp, info->acpi_rsdp_size, &madt)
              && lapic_init(&madt, VEC_SPURIOUS) && ioapic_init(&madt);
    if (using_apic) {
        lapic_timer_start(hz, VEC_TIMER);
    } else {
        pit_start_periodic(hz);
        pic_unmask(0);
    }
}

void irq_enable_isa(unsigned irq, irq_handler handler)
{
    handlers[IRQ_VECTOR_BASE + irq] = handler;
    if (using_apic)
        ioapic_route_isa(&madt, irq, (uint8_t)(IRQ_VECTOR_BASE + irq));
    else
        pic_unmask(irq);
}

void irq_dispatch(const struct trap_frame *frame)
{
    unsigned vector = (unsigned)frame->vector;
    if (using_apic ? vector == VEC_SPURIOUS : vector >= IRQ_VECTOR_BASE && vector < IRQ_VECTOR_BASE + 16
                                                  && pic_spurious(vector - IRQ_VECTOR_BASE))
        return;
    if (handlers[vector])
        handlers[vector](frame);
    else
        kprintf("irq: vector %u has no handler\n", vector);
    if (using_apic)
        lapic_eoi();
    else if (vector >= IRQ_VECTOR_BASE && vector < IRQ_VECTOR_BASE + 16)
        pic_eoi(vector - IRQ_VECTOR_BASE);
}

void irq_set_ipi_handler(unsigned vector, irq_handler handler)
{
    handlers[vector] = handler;
}

const struct madt_info *irq_madt(void)
{
    return using_apic ? &madt : NULL;
}

void irq_init_this_cpu(void)
{
    if (using_apic) {
        lapic_enable_this_cpu(VEC_SPURIOUS);
        lapic_timer_start_this_cpu(VEC_TIMER);
    }
}

const char *irq_controllers(void)
{
    return using_apic ? "local APIC timer, I/O APIC" : "PIT, PIC (no local APIC)";
}
