/* arch/x86_64/drivers/rtc.h: the CMOS real-time clock, read once at boot for the wall-clock time. */
#pragma once
#include <stdint.h>

/* Seconds since 1970-01-01 00:00 UTC (the clock is taken to run on UTC, as QEMU's does). */
uint64_t rtc_read_epoch_seconds(void);
