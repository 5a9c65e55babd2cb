/*
 * kiosk/clock.h - the kiosk's view of the wall clock: the local calendar
 * day of a moment. Not pure (it depends on the time zone, TZ), which is
 * why it is kept out of kiosk/rules.c.
 */
#ifndef KIOSK_CLOCK_H
#define KIOSK_CLOCK_H

#include <time.h>

#include "kiosk/rules.h"

/*
 * The calendar day (year, month 1-12, day 1-31) that T falls on in the
 * local time zone. T must be a time localtime_r can represent; otherwise
 * the result is { 0, 0, 0 } (not a valid date: rules_date_valid says no).
 */
struct rules_date clock_local_day(time_t t);

/*
 * The validity of a certificate issued at NOW for YEARS: from NOW to
 * 23:59:59 local time on the last day (rules_validity_end of the local day
 * of NOW). One term on every path: the counter's issuance and provisioning.
 */
void clock_validity(time_t now, int years, time_t *not_before, time_t *not_after);

/* 23:59:59 local time on day END: the end of a certificate's last day. */
time_t clock_day_end(struct rules_date end);

/*
 * Make ZONE (a zoneinfo name such as "Asia/Shanghai", [hall] timezone) the
 * time zone of every local time in this process, whatever the machine's TZ:
 * a hall's receipts, screens and certificate end-of-day are in the hall's
 * zone. Call before any thread starts. "" or NULL leaves the machine's zone.
 * -1 (nothing changed) when ZONE is not a zoneinfo name found in $TZDIR or
 * /usr/share/zoneinfo (glibc would silently fall back to UTC).
 */
int clock_use_zone(const char *zone);

#endif
