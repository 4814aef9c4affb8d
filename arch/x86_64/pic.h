/* arch/x86_64/pic.h: the legacy 8259 interrupt controllers. */
#pragma once

/* Move the two PICs' vectors from the BIOS's 8..15 and 0x70..0x77 (the first overlap CPU
 * exceptions: IRQ 0 would arrive as a #DF) to 0x20..0x2f, and mask every line. */
void pic_init(void);
