/* arch/x86_64/drivers/power.h: stopping the machine with a status the host can read.
 *
 * Under QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04` (the test harness and
 * `make run` attach it) QEMU exits with code 2 * status + 1; tools/twofold_qemu.py maps it
 * back. Status values fit in 7 bits; the top few are the kernel's own.
 */
#pragma once

enum {
    POWER_STATUS_OK = 0,
    POWER_STATUS_TESTS_FAILED = 1,
    POWER_STATUS_UNSUPPORTED_CPU = 125,     /* boot/start.asm uses it too (asm_constants.c) */
    POWER_STATUS_PANIC = 126,
};

/* Stop the machine: QEMU's debug-exit device, then Bochs's shutdown port, then halt forever. */
__attribute__((noreturn)) void power_off(int status);

/* Reset the machine (reboot(2)'s restart): the chipset's reset control, then the keyboard
 * controller's reset line. */
__attribute__((noreturn)) void power_restart(void);
