/* arch/x86_64/idt.c: the IDT and its gates. */
#include "arch/x86_64/idt.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"
#include <stdint.h>

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

enum {
    GATE_INTERRUPT = 0x8e,          /* present, DPL 0, 64-bit interrupt gate (IF cleared) */
    GATE_USER = 0x60,               /* DPL 3: user mode may `int` to it */
};

/* In the entry area: the CPU reads it on every interrupt, whichever CR3 is loaded. */
static struct idt_gate idt[256] __attribute__((section(".entry.data"), aligned(16)));

extern const uint64_t exception_stubs[EXCEPTION_VECTORS], interrupt_stubs[256 - EXCEPTION_VECTORS];

static void idt_set_gate(unsigned vector, uint64_t handler, unsigned ist, uint8_t type_attr)
{
    idt[vector] = (struct idt_gate){
        .offset_low = handler & 0xffff,
        .selector = KERNEL_CS,
        .ist = ist,
        .type_attr = type_attr,
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_high = handler >> 32,
    };
}

static unsigned exception_ist(unsigned vector)
{
    /* Entered with whatever RSP was current, possibly the user's or an overflowed one. */
    switch (vector) {
    case VEC_DOUBLE_FAULT: return IST_DOUBLE_FAULT;
    case VEC_NMI: return IST_NMI;
    case VEC_MACHINE_CHECK: return IST_MACHINE_CHECK;
    case VEC_DEBUG: return IST_DEBUG;
    default: return 0;
    }
}

void idt_init_cpu(unsigned cpu_id)
{
    if (cpu_id == 0) {
        /* #BP and #OF are what `int3` and `into` raise: user mode may raise them (DPL 3), and
         * gets SIGTRAP and SIGSEGV as on Linux, rather than a #GP. */
        for (unsigned v = 0; v < EXCEPTION_VECTORS; v++)
            idt_set_gate(v, exception_stubs[v], exception_ist(v),
                         GATE_INTERRUPT | (v == VEC_BREAKPOINT || v == VEC_OVERFLOW ? GATE_USER : 0));
        for (unsigned v = EXCEPTION_VECTORS; v < 256; v++)
            idt_set_gate(v, interrupt_stubs[v - EXCEPTION_VECTORS], 0,
                         GATE_INTERRUPT | (v == VEC_INT80 ? GATE_USER : 0));
    }
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}
