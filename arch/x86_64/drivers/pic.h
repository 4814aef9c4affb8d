/* arch/x86_64/drivers/pic.h: the legacy 8259 interrupt controllers. */
#pragma once
#include <stdbool.h>

/* Move the two PICs' vectors from the BIOS's 8..15 and 0x70..0x77 (the first overlap CPU
 * exceptions: IRQ 0 would arrive as a #DF) to 0x20..0x2f, and mask every line. */
void pic_init(void);

/* Let ISA IRQ irq through (and the cascade, for the second PIC's lines). */
void pic_unmask(unsigned irq);

/* End of interrupt for irq. */
void pic_eoi(unsigned irq);

/* An IRQ 7 or 15 the PIC did not really raise (its in-service bit is clear): such a
 * spurious interrupt gets no EOI, but for the cascade's on the first PIC. */
bool pic_spurious(unsigned irq);
