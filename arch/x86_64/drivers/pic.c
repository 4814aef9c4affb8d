/* arch/x86_64/drivers/pic.c: remapping and masking the legacy PICs (see pic.h). */
#include "arch/x86_64/drivers/pic.h"
#include "arch/x86_64/cpu.h"

enum {
    PIC1_COMMAND = 0x20, PIC1_DATA = 0x21, PIC2_COMMAND = 0xa0, PIC2_DATA = 0xa1,
    ICW1_INIT_WITH_ICW4 = 0x11, ICW4_8086 = 0x01,
    PIC1_VECTOR = 0x20, PIC2_VECTOR = 0x28,
    CASCADE_IRQ = 2,
    OCW2_EOI = 0x20, OCW3_READ_ISR = 0x0b,
};

void pic_init(void)
{
    /* The initialisation sequence: ICW1 to the command port, then ICW2 (vector base),
     * ICW3 (how the two are cascaded), ICW4 (8086 mode) to the data port. */
    outb(PIC1_COMMAND, ICW1_INIT_WITH_ICW4);
    outb(PIC2_COMMAND, ICW1_INIT_WITH_ICW4);
    outb(PIC1_DATA, PIC1_VECTOR);
    outb(PIC2_DATA, PIC2_VECTOR);
    outb(PIC1_DATA, 1 << CASCADE_IRQ);
    outb(PIC2_DATA, CASCADE_IRQ);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    outb(PIC1_DATA, 0xff);
    outb(PIC2_DATA, 0xff);
}

void pic_unmask(unsigned irq)
{
    if (irq >= 8) {
        outb(PIC2_DATA, inb(PIC2_DATA) & ~(1 << (irq - 8)));
        irq = CASCADE_IRQ;
    }
    outb(PIC1_DATA, inb(PIC1_DATA) & ~(1 << irq));
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_COMMAND, OCW2_EOI);
    outb(PIC1_COMMAND, OCW2_EOI);
}

bool pic_spurious(unsigned irq)
{
    if (irq != 7 && irq != 15)
        return false;
    uint16_t command = irq == 7 ? PIC1_COMMAND : PIC2_COMMAND;
    outb(command, OCW3_READ_ISR);
    if (inb(command) & 0x80)
        return false;
    if (irq == 15)
        outb(PIC1_COMMAND, OCW2_EOI);   /* the first PIC did see the cascade line */
    return true;
}
