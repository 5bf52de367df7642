/*
 * clock.c - the one clock of secflow, and calendar dates.
 *
 * Civil dates are converted with Howard Hinnant's days_from_civil and
 * civil_from_days algorithms (proleptic Gregorian calendar, pure integer
 * arithmetic), so nothing here depends on TZ, timegm() or mktime().
 * Internally everything is int64_t so that no input can overflow.
 */
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECS_PER_DAY 86400

/* Floor division and modulo: -1 / 7 must be -1, not 0. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t
floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};

	if (m == 2 && is_leap(y))
		return 29;
	return dim[m - 1];
}

/* Days since 1970-01-01 of Y-M-D, M in 1..12; linear in D. */
static int64_t
days_from_civil(int64_t y, int m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* N decimal digits at S into *OUT; -1 unless all N are digits. */
static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* YYYY-MM-DD at S (exactly 10 characters consumed) into days. */
static int
parse_ymd(const char *s, int64_t *days)
{
	int y, m, d;

	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

/*
 * Read SECFLOW_NOW into *OUT.  Returns 0 when it is set and valid, 1 when
 * it is unset or empty (an empty value is how a shell unsets it for one
 * command), -1 when it is set but unparsable.
 */
static int
env_now(sf_time *out, const char **raw)
{
	const char *s = getenv("SECFLOW_NOW");

	if (raw)
		*raw = s;
	if (!s || !*s)
		return 1;
	return clock_parse(s, out);
}

/*
 * Check SECFLOW_NOW: SF_OK when unset, empty or valid; SF_BAD_REQUEST
 * naming the value when it is set but not RFC 3339.
 */
enum sf_status
clock_check(struct sf_error *err)
{
	const char *raw;
	sf_time t;

	if (env_now(&t, &raw) < 0)
		return sf_fail(err, SF_BAD_REQUEST, "SECFLOW_NOW",
			       "bad SECFLOW_NOW \"%s\": expected RFC 3339 like "
			       "2026-12-01T09:00:00Z",
			       raw);
	return SF_OK;
}

/*
 * Now, in Unix seconds: SECFLOW_NOW when set (read at every call), else
 * the real time.  A bad SECFLOW_NOW falls back to the real time here;
 * clock_check() is where it is reported, once, at start.
 */
sf_time
clock_now(void)
{
	sf_time t;

	if (env_now(&t, NULL) == 0)
		return t;
	return (sf_time)time(NULL);
}

/*
 * Parse RFC 3339: YYYY-MM-DD, 'T' (or 't' or a space), HH:MM:SS, an
 * optional fraction (ignored), then 'Z' ('z') or +HH:MM / -HH:MM.  Dates
 * must exist; hours 0-23, minutes and seconds 0-59 (a leap second 60 is
 * refused: Unix time cannot name it).  Returns 0 or -1, *OUT untouched on
 * failure.
 */
int
clock_parse(const char *s, sf_time *out)
{
	int64_t days, t;
	int hh, mm, ss, oh, om, sign;
	size_t i;

	if (!s || strnlen(s, 20) < 20)
		return -1;
	if (parse_ymd(s, &days))
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	if (digits(s + 11, 2, &hh) || s[13] != ':' || digits(s + 14, 2, &mm) ||
	    s[16] != ':' || digits(s + 17, 2, &ss))
		return -1;
	if (hh > 23 || mm > 59 || ss > 59)
		return -1;
	i = 19;
	if (s[i] == '.') {
		i++;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0') {
		oh = om = 0;
		sign = 1;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '-' ? -1 : 1;
		if (strlen(s + i) != 6 || digits(s + i + 1, 2, &oh) ||
		    s[i + 3] != ':' || digits(s + i + 4, 2, &om))
			return -1;
		if (oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	t = days * SECS_PER_DAY + hh * 3600 + mm * 60 + ss;
	/* Local time = UTC + offset, so UTC = local - offset. */
	t -= sign * (oh * 3600 + om * 60);
	*out = t;
	return 0;
}

/* Format T as "YYYY-MM-DDTHH:MM:SSZ" in UTC into OUT (32 bytes). */
void
clock_format(sf_time t, char out[32])
{
	int64_t days = floor_div(t, SECS_PER_DAY);
	int64_t secs = floor_mod(t, SECS_PER_DAY);
	int64_t y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m,
		 d, (int)(secs / 3600), (int)(secs / 60 % 60),
		 (int)(secs % 60));
}

/* Parse exactly "YYYY-MM-DD" of a real date.  Returns 0 or -1. */
int
date_parse(const char *s, sf_date *out)
{
	int64_t days;

	if (!s || strnlen(s, 11) != 10 || parse_ymd(s, &days))
		return -1;
	*out = (sf_date)days;
	return 0;
}

/* Format D as "YYYY-MM-DD" into OUT (16 bytes). */
void
date_format(sf_date d, char out[16])
{
	int64_t y;
	int m, day;

	civil_from_days(d, &y, &m, &day);
	/* An sf_date spans years -5.8 to +5.8 million; the clamp tells the
	 * compiler (and readers) the text always fits. */
	if (y < -99999)
		y = -99999;
	if (y > 999999)
		y = 999999;
	snprintf(out, 16, "%04d-%02d-%02d", (int)y, m & 0xf, day & 0x1f);
}

/* The UTC date of T. */
sf_date
date_of(sf_time t)
{
	return (sf_date)floor_div(t, SECS_PER_DAY);
}

/* Midnight UTC at the start of D. */
sf_time
date_start(sf_date d)
{
	return (sf_time)d * SECS_PER_DAY;
}

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday (3). */
int
date_weekday(sf_date d)
{
	return (int)floor_mod((int64_t)d + 3, 7);
}

/*
 * The date Y-M-D.  Out-of-range months and days are carried the way
 * mktime() does (month 13 is January of Y+1, day 0 the last day of the
 * previous month), so callers can do simple arithmetic on the fields.
 */
sf_date
date_from_ymd(int y, int m, int d)
{
	int64_t yy = (int64_t)y + floor_div((int64_t)m - 1, 12);
	int mm = (int)floor_mod((int64_t)m - 1, 12) + 1;

	return (sf_date)days_from_civil(yy, mm, d);
}

/* Split DAY into year, month (1-12) and day of month (1-31). */
void
date_to_ymd(sf_date day, int *y, int *m, int *d)
{
	int64_t yy;

	civil_from_days(day, &yy, m, d);
	*y = (int)yy;
}

/*
 * The same day of the month N months after D (N may be negative), clamped
 * to the last day of the target month: 2026-01-31 + 1 is 2026-02-28.
 */
sf_date
date_add_months(sf_date d, int n)
{
	int64_t y, total;
	int m, day, dim;

	civil_from_days(d, &y, &m, &day);
	total = y * 12 + (m - 1) + n;
	y = floor_div(total, 12);
	m = (int)floor_mod(total, 12) + 1;
	dim = days_in_month(y, m);
	if (day > dim)
		day = dim;
	return (sf_date)days_from_civil(y, m, day);
}
