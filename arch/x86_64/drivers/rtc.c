/* arch/x86_64/drivers/rtc.c: reading the CMOS clock (see rtc.h). */
#include "arch/x86_64/drivers/rtc.h"
#include "arch/x86_64/cpu.h"
#include <stdbool.h>

enum {
    CMOS_SELECT = 0x70, CMOS_DATA = 0x71,
    SECONDS = 0x00, MINUTES = 0x02, HOURS = 0x04, DAY = 0x07, MONTH = 0x08, YEAR = 0x09,
    STATUS_A = 0x0a, STATUS_B = 0x0b, CENTURY = 0x32,
    A_UPDATING = 0x80, B_24_HOUR = 0x02, B_BINARY = 0x04, HOUR_PM = 0x80,
};

static uint8_t cmos(uint8_t reg)
{
    outb(CMOS_SELECT, reg);
    return inb(CMOS_DATA);
}

struct rtc_time {
    unsigned second, minute, hour, day, month, year, century;
};

static struct rtc_time read_once(void)
{
    while (cmos(STATUS_A) & A_UPDATING)
        ;
    return (struct rtc_time){ cmos(SECONDS), cmos(MINUTES), cmos(HOURS), cmos(DAY), cmos(MONTH), cmos(YEAR),
                              cmos(CENTURY) };
}

static unsigned from_bcd(unsigned v) { return (v >> 4) * 10 + (v & 15); }

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's method:
 * count from a year that starts in March, so the leap day comes last). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned year_of_era = (unsigned)(y - era * 400);
    unsigned day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + (int64_t)day_of_era - 719468;
}

uint64_t rtc_read_epoch_seconds(void)
{
    /* Read until two reads agree: an update may land between two registers. */
    struct rtc_time t = read_once(), again;
    for (;;) {
        again = read_once();
        if (t.second == again.second && t.minute == again.minute && t.hour == again.hour && t.day == again.day
            && t.month == again.month && t.year == again.year)
            break;
        t = again;
    }
    uint8_t status = cmos(STATUS_B);
    bool pm = t.hour & HOUR_PM;
    t.hour &= ~HOUR_PM;
    if (!(status & B_BINARY)) {
        t.second = from_bcd(t.second), t.minute = from_bcd(t.minute), t.hour = from_bcd(t.hour);
        t.day = from_bcd(t.day), t.month = from_bcd(t.month), t.year = from_bcd(t.year);
        t.century = from_bcd(t.century);
    }
    if (!(status & B_24_HOUR))
        t.hour = t.hour % 12 + (pm ? 12 : 0);
    unsigned year = t.century >= 19 && t.century <= 30 ? t.century * 100 + t.year : 2000 + t.year;
    int64_t days = days_from_civil(year, t.month, t.day);
    return (uint64_t)(days * 86400 + t.hour * 3600 + t.minute * 60 + t.second);
}
