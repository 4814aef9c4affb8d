/* arch/x86_64/serial.h: the 16550 UART on COM1, the kernel console. */
#pragma once

void serial_init(void);
/* Send one byte, waiting until the transmitter can take it (some UARTs drop bytes otherwise). */
void serial_putc(char c);

/* Wait for a byte from the line and return it. */
char serial_getc(void);

/* Wait until every byte sent has left the transmitter. */
void serial_drain(void);
