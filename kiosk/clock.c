/*
 * kiosk/clock.c - the local calendar day of a moment (see kiosk/clock.h).
 */
#include "kiosk/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

void
clock_validity(time_t now, int years, time_t *not_before, time_t *not_after)
{
    *not_before = now;
    *not_after = clock_day_end(rules_validity_end(clock_local_day(now), years));
}

time_t
clock_day_end(struct rules_date end)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    tm.tm_year = end.y - 1900;
    tm.tm_mon = end.m - 1;
    tm.tm_mday = end.d;
    tm.tm_hour = 23;
    tm.tm_min = 59;
    tm.tm_sec = 59;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

int
clock_use_zone(const char *zone)
{
    const char *dir = getenv("TZDIR");
    char path[512];

    if (zone == NULL || zone[0] == '\0')
        return 0;
    if (zone[0] == '/' || zone[0] == ':' || strstr(zone, "..") != NULL)
        return -1;
    snprintf(path, sizeof path, "%s/%s", dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo", zone);
    if (access(path, R_OK) != 0)
        return -1;
    if (setenv("TZ", zone, 1) != 0)
        return -1;
    tzset();
    return 0;
}
