/* arch/x86_64/drivers/serial.c: polled output on the 16550 UART at COM1, 115200 8N1. */
#include "arch/x86_64/drivers/serial.h"
#include "arch/x86_64/cpu.h"

enum {
    COM1 = 0x3f8,
    UART_DATA = 0,          /* with LCR.DLAB set: divisor low byte */
    UART_IER = 1,           /* with LCR.DLAB set: divisor high byte */
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    LCR_8N1 = 0x03,
    LCR_DLAB = 0x80,
    FCR_ENABLE_AND_CLEAR = 0x07,
    MCR_DTR_RTS = 0x03,
    MCR_OUT2 = 0x08,
    IER_RECEIVED_DATA = 0x01,
    LSR_DATA_READY = 0x01,
    LSR_THR_EMPTY = 0x20,
    LSR_TRANSMITTER_EMPTY = 0x40,
};

void serial_init(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DATA, 1);          /* 115200 / 1 */
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, FCR_ENABLE_AND_CLEAR);
    outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

void serial_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
        ;
    outb(COM1 + UART_DATA, (unsigned char)c);
}

void serial_enable_receive_interrupt(void)
{
    outb(COM1 + UART_MCR, MCR_DTR_RTS | MCR_OUT2);  /* OUT2 connects the UART to its IRQ line */
    outb(COM1 + UART_IER, IER_RECEIVED_DATA);
}

int serial_read(void)
{
    return inb(COM1 + UART_LSR) & LSR_DATA_READY ? inb(COM1 + UART_DATA) : -1;
}

void serial_drain(void)
{
    while (!(inb(COM1 + UART_LSR) & LSR_TRANSMITTER_EMPTY))
        ;
}
