/* arch/x86_64/drivers/apic.c: the local APIC and the I/O APIC, through their registers in the I/O
 * area (uncached). */
#include "arch/x86_64/drivers/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/drivers/pit.h"
#include "mm/mm.h"

enum {
    MSR_APIC_BASE = 0x1b, APIC_BASE_ENABLE = 1 << 11,
    LAPIC_ID = 0x20, LAPIC_EOI = 0xb0, LAPIC_SVR = 0xf0, LAPIC_ICR_LOW = 0x300, LAPIC_ICR_HIGH = 0x310,
    LAPIC_LVT_TIMER = 0x320, ICR_INIT = 5 << 8, ICR_STARTUP = 6 << 8, ICR_ASSERT = 1 << 14,
    ICR_PENDING = 1 << 12,
    LAPIC_TIMER_INITIAL = 0x380, LAPIC_TIMER_CURRENT = 0x390, LAPIC_TIMER_DIVIDE = 0x3e0,
    SVR_ENABLE = 1 << 8, LVT_MASKED = 1 << 16, LVT_PERIODIC = 1 << 17, DIVIDE_BY_16 = 3,
    IOAPIC_SELECT = 0x00, IOAPIC_WINDOW = 0x10, IOAPIC_VERSION = 0x01, IOAPIC_REDIRECTION = 0x10,
    REDIRECT_ACTIVE_LOW = 1 << 13, REDIRECT_LEVEL = 1 << 15, REDIRECT_MASKED = 1 << 16,
    CALIBRATION_TICKS = PIT_HZ / 100,  /* 10 ms */
};

static volatile uint32_t *lapic, *ioapic;     /* mapped at boot; read-only after */
static uint32_t timer_initial;                  /* a tick's count, measured at boot; read-only after */

static uint32_t lapic_read(unsigned reg) { return lapic[reg / 4]; }
static void lapic_write(unsigned reg, uint32_t value) { lapic[reg / 4] = value; }

bool lapic_init(const struct madt_info *madt, uint8_t spurious_vector)
{
    lapic = mm_map_io(madt->lapic_phys, 4096, true);
    if (!lapic)
        return false;
    lapic_enable_this_cpu(spurious_vector);
    return true;
}

void lapic_enable_this_cpu(uint8_t spurious_vector)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
    lapic_write(LAPIC_SVR, SVR_ENABLE | spurious_vector);
}

uint32_t lapic_id(void)
{
    return lapic_read(LAPIC_ID) >> 24;
}

/* Send the interprocessor interrupt low (ICR's low word) to the CPU with apic_id, and wait
 * until this local APIC has sent it. */
static void send_ipi(uint32_t apic_id, uint32_t low)
{
    lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
    lapic_write(LAPIC_ICR_LOW, low);            /* the write sends it */
    while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING)
        ;
}

void lapic_send_fixed(uint32_t apic_id, uint8_t vector)
{
    send_ipi(apic_id, ICR_ASSERT | vector);     /* delivery mode 0: fixed, to that vector */
}

void lapic_send_init(uint32_t apic_id)
{
    send_ipi(apic_id, ICR_INIT | ICR_ASSERT);
}

void lapic_send_startup(uint32_t apic_id, uint32_t page)
{
    send_ipi(apic_id, ICR_STARTUP | ICR_ASSERT | (page & 0xff));
}

void lapic_timer_start(unsigned hz, uint8_t vector)
{
    /* Count down from the top for 10 ms of PIT time: what it got through is its rate. */
    lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
    pit_wait(CALIBRATION_TICKS);
    uint32_t per_10ms = 0xffffffff - lapic_read(LAPIC_TIMER_CURRENT);
    timer_initial = per_10ms * 100 / hz;
    lapic_timer_start_this_cpu(vector);
}

void lapic_timer_start_this_cpu(uint8_t vector)
{
    lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | vector);
    lapic_write(LAPIC_TIMER_INITIAL, timer_initial);
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

static uint32_t ioapic_read(unsigned reg)
{
    ioapic[IOAPIC_SELECT / 4] = reg;
    return ioapic[IOAPIC_WINDOW / 4];
}

static void ioapic_write(unsigned reg, uint32_t value)
{
    ioapic[IOAPIC_SELECT / 4] = reg;
    ioapic[IOAPIC_WINDOW / 4] = value;
}

bool ioapic_init(const struct madt_info *madt)
{
    ioapic = mm_map_io(madt->ioapic_phys, 4096, true);
    if (!ioapic)
        return false;
    unsigned inputs = ((ioapic_read(IOAPIC_VERSION) >> 16) & 0xff) + 1;
    for (unsigned i = 0; i < inputs; i++)
        ioapic_write(IOAPIC_REDIRECTION + 2 * i, REDIRECT_MASKED);
    return true;
}

void ioapic_route_isa(const struct madt_info *madt, unsigned irq, uint8_t vector)
{
    const struct isa_route *route = &madt->isa[irq];
    unsigned input = route->gsi - madt->ioapic_gsi_base;
    uint32_t low = vector | (route->active_low ? REDIRECT_ACTIVE_LOW : 0) | (route->level ? REDIRECT_LEVEL : 0);
    ioapic_write(IOAPIC_REDIRECTION + 2 * input + 1, (lapic_read(LAPIC_ID) >> 24) << 24);
    ioapic_write(IOAPIC_REDIRECTION + 2 * input, low);
}
