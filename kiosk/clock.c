/*
 * kiosk/clock.c - the local calendar day of a moment (see kiosk/clock.h).
 */
#include "kiosk/clock.h"

struct rules_date
clock_local_day(time_t t)
{
    struct tm tm;
    struct rules_date d = { 0, 0, 0 };

    if (localtime_r(&t, &tm) == NULL)
        return d;
    d.y = tm.tm_year + 1900;
    d.m = tm.tm_mon + 1;
    d.d = tm.tm_mday;
    return d;
}
