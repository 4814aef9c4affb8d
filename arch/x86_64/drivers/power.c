/* arch/x86_64/drivers/power.c: power_off() and power_restart() for the emulators Twofold
 * runs on. */
#include "arch/x86_64/drivers/power.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/drivers/serial.h"

enum { QEMU_DEBUG_EXIT_PORT = 0xf4, BOCHS_SHUTDOWN_PORT = 0x8900, KBC_COMMAND_PORT = 0x64,
       KBC_PULSE_RESET = 0xfe, RESET_CONTROL_PORT = 0xcf9, RESET_CPU_HARD = 0x06 };

void power_off(int status)
{
    interrupts_disable();
    serial_drain();                     /* the last line must not die in the UART's FIFO */
    outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)status);
    for (const char *s = "Shutdown"; *s; s++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
    for (;;)
        cpu_halt();
}

void power_restart(void)
{
    interrupts_disable();
    serial_drain();
    outb(RESET_CONTROL_PORT, RESET_CPU_HARD);   /* the chipset's reset, where there is one */
    outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);    /* else the keyboard controller's reset line */
    for (;;)
        cpu_halt();
}
