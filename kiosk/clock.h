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

#endif
