/* arch/x86_64/drivers/pit.h: the 8254 programmable interval timer, at 1193182 Hz: the clock other
 * clocks are measured against, and the tick source on machines without a local APIC. */
#pragma once
#include <stdint.h>

#define PIT_HZ 1193182u

/* Busy-wait `ticks` PIT ticks (at most 65535, about 55 ms) on channel 2. */
void pit_wait(uint16_t ticks);

/* Channel 0 interrupts (IRQ 0) hz times a second. */
void pit_start_periodic(unsigned hz);
