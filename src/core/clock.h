/*
 * clock.h - the one clock of secflow, and calendar dates.
 *
 * Times are Unix seconds in UTC.  The environment variable SECFLOW_NOW
 * (RFC 3339, e.g. 2026-12-01T09:00:00Z) fixes "now" for tests; it is read
 * at every call so a test can change it between CLI runs.
 */
#ifndef SF_CLOCK_H
#define SF_CLOCK_H

#include <stdint.h>

#include "status.h"

typedef int64_t sf_time; /* Unix seconds, UTC */
typedef int32_t sf_date; /* days since 1970-01-01 */

/* Check SECFLOW_NOW once at start: a bad value is an error, never ignored. */
enum sf_status clock_check(struct sf_error *err);
sf_time clock_now(void);

/* RFC 3339 with Z or a numeric offset; fractional seconds ignored.
 * Returns 0 or -1. */
int clock_parse(const char *s, sf_time *out);
/* "2026-12-01T09:00:00Z"; OUT holds at least 21 bytes. */
void clock_format(sf_time t, char out[32]);

/* Strict YYYY-MM-DD of a real calendar date.  Returns 0 or -1. */
int date_parse(const char *s, sf_date *out);
/* "2026-12-01"; OUT holds at least 11 bytes. */
void date_format(sf_date d, char out[16]);
sf_date date_of(sf_time t);
sf_time date_start(sf_date d);
/* 0 = Monday ... 6 = Sunday */
int date_weekday(sf_date d);
sf_date date_from_ymd(int y, int m, int d);
void date_to_ymd(sf_date day, int *y, int *m, int *d);
/* Same day N months later, clamped to the month's last day. */
sf_date date_add_months(sf_date d, int n);

#endif
