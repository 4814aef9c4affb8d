/* arch/x86_64/drivers/pit.c: the PIT (see pit.h). */
#include "arch/x86_64/drivers/pit.h"
#include "arch/x86_64/cpu.h"

enum {
    CHANNEL0 = 0x40, CHANNEL2 = 0x42, COMMAND = 0x43, PORT_B = 0x61,
    PORT_B_GATE2 = 0x01, PORT_B_SPEAKER = 0x02, PORT_B_OUT2 = 0x20,
    SELECT_CHANNEL2 = 0x80, ACCESS_LOW_HIGH = 0x30, MODE_ONE_SHOT = 0x00, MODE_RATE = 0x04,
};

void pit_wait(uint16_t ticks)
{
    /* Channel 2's gate is bit 0 of port B, its output bit 5: count down with the speaker
     * off, and poll the output, which rises at the end of the count. */
    outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) & ~PORT_B_GATE2);
    outb(COMMAND, SELECT_CHANNEL2 | ACCESS_LOW_HIGH | MODE_ONE_SHOT);
    outb(CHANNEL2, ticks & 0xff);
    outb(CHANNEL2, ticks >> 8);
    outb(PORT_B, inb(PORT_B) | PORT_B_GATE2);       /* a rising gate starts the count */
    while (!(inb(PORT_B) & PORT_B_OUT2))
        ;
}

void pit_start_periodic(unsigned hz)
{
    uint16_t divisor = (uint16_t)(PIT_HZ / hz);
    outb(COMMAND, ACCESS_LOW_HIGH | MODE_RATE);     /* channel 0 */
    outb(CHANNEL0, divisor & 0xff);
    outb(CHANNEL0, divisor >> 8);
}
