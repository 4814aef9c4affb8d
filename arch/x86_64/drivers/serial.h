/* arch/x86_64/drivers/serial.h: the 16550 UART on COM1, the kernel console. */
#pragma once

void serial_init(void);
/* Send one byte, waiting until the transmitter can take it (some UARTs drop bytes otherwise). */
void serial_putc(char c);

/* Interrupt when a byte arrives (IRQ 4); the handler reads them with serial_read. */
void serial_enable_receive_interrupt(void);

/* The next byte received, or -1 if none is waiting. */
int serial_read(void);

/* Wait until every byte sent has left the transmitter. */
void serial_drain(void);
