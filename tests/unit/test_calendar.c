/*
 * test_calendar.c - clock, dates, holidays and working days.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "core/clock.h"

/* The date of "YYYY-MM-DD", failing the test when it does not parse. */
static sf_date
D(const char *s)
{
	sf_date d = 0;

	if (date_parse(s, &d) != 0)
		fail_msg("bad date in test: %s", s);
	return d;
}

static sf_time
T(const char *s)
{
	sf_time t = 0;

	if (clock_parse(s, &t) != 0)
		fail_msg("bad time in test: %s", s);
	return t;
}

static void
assert_date(sf_date got, const char *want)
{
	char buf[16];

	date_format(got, buf);
	assert_string_equal(buf, want);
}

/* ---------------------------------------------------------------- */
/* clock                                                             */

static void
test_clock_parse_valid(void **state)
{
	static const struct {
		const char *s;
		sf_time t;
	} cases[] = {
	    {"2026-12-01T09:00:00Z", 1796115600},
	    {"2026-12-01t09:00:00z", 1796115600},
	    {"2026-12-01 09:00:00Z", 1796115600},
	    {"2026-12-01T09:00:00.123456Z", 1796115600},
	    {"2026-12-01T09:00:00.9Z", 1796115600},
	    {"2026-12-01T11:00:00+02:00", 1796115600},
	    {"2026-12-01T03:30:00-05:30", 1796115600},
	    {"2026-12-01T09:00:00+00:00", 1796115600},
	    {"2026-12-01T09:00:00-00:00", 1796115600},
	    {"2026-12-02T08:59:00+23:59", 1796115600},
	    {"1970-01-01T00:00:00Z", 0},
	    {"1969-12-31T23:59:59Z", -1},
	    {"1970-01-01T01:00:00+01:00", 0},
	    {"2024-02-29T12:34:56Z", 1709210096},
	    {"2000-02-29T00:00:00Z", 951782400},
	    {"0001-01-01T00:00:00Z", -62135596800},
	    {"9999-12-31T23:59:59Z", 253402300799},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sf_time t = 42;

		if (clock_parse(cases[i].s, &t) != 0)
			fail_msg("clock_parse(\"%s\") failed", cases[i].s);
		assert_int_equal(t, cases[i].t);
	}
}

static void
test_clock_parse_invalid(void **state)
{
	static const char *bad[] = {
	    "",
	    "2026-12-01",
	    "2026-12-01T09:00:00", /* no offset */
	    "2026-12-01T09:00Z",   /* no seconds */
	    "2026-12-01T9:00:00Z",
	    "2026-12-1T09:00:00Z",
	    "26-12-01T09:00:00Z",
	    "+2026-12-01T09:00:00Z",
	    " 2026-12-01T09:00:00Z",
	    "2026-12-01T09:00:00Z ",
	    "2026-12-01T09:00:00ZZ",
	    "2026-12-01X09:00:00Z",
	    "2026-12-01T09:00:00.Z", /* empty fraction */
	    "2026-12-01T09:00:00,5Z",
	    "2026-12-01T09:00:00+0200",
	    "2026-12-01T09:00:00+02",
	    "2026-12-01T09:00:00+02:00:00",
	    "2026-12-01T09:00:00+24:00",
	    "2026-12-01T09:00:00+02:60",
	    "2026-12-01T09:00:00UTC",
	    "2026-02-30T09:00:00Z", /* no such day */
	    "2026-02-29T09:00:00Z", /* not a leap year */
	    "1900-02-29T09:00:00Z",
	    "2026-04-31T09:00:00Z",
	    "2026-00-01T09:00:00Z",
	    "2026-13-01T09:00:00Z",
	    "2026-12-00T09:00:00Z",
	    "2026-12-32T09:00:00Z",
	    "2026-12-01T24:00:00Z",
	    "2026-12-01T23:60:00Z",
	    "2026-12-01T23:59:60Z", /* leap second */
	    "2026-12-01T-1:00:00Z",
	    "2026-12-01T09:00:00\n",
	    "now",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sf_time t = 42;

		if (clock_parse(bad[i], &t) == 0)
			fail_msg("clock_parse(\"%s\") accepted", bad[i]);
		assert_int_equal(t, 42); /* untouched */
	}
	assert_int_equal(clock_parse(NULL, &(sf_time){0}), -1);
}

static void
test_clock_round_trip(void **state)
{
	static const sf_time times[] = {
	    0,		-1,	    1,		 86399,	       86400,
	    -86400,	-86401,	    951782400,	 1709210096,   1796115600,
	    4107542399, 4107542400, -2208988800, 253402300799, -62135596800,
	};
	char buf[32];
	(void)state;

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		sf_time t = 0;

		clock_format(times[i], buf);
		assert_int_equal(strlen(buf), 20);
		assert_int_equal(clock_parse(buf, &t), 0);
		assert_int_equal(t, times[i]);
	}
	clock_format(1796115600, buf);
	assert_string_equal(buf, "2026-12-01T09:00:00Z");
	clock_format(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	clock_format(T("2026-03-29T01:30:00+01:00"), buf);
	assert_string_equal(buf, "2026-03-29T00:30:00Z");

	/* Every day of four centuries, at a time of day that moves. */
	for (int64_t d = -146097; d < 146097 * 2; d += 7) {
		sf_time t = d * 86400 + (d * 37) % 86400, u = 0;

		if (t < d * 86400)
			t += 86400;
		clock_format(t, buf);
		assert_int_equal(clock_parse(buf, &u), 0);
		assert_int_equal(u, t);
	}
}

static void
test_clock_now_env(void **state)
{
	struct sf_error err;
	time_t before, after;
	sf_time now;
	(void)state;

	assert_int_equal(setenv("SECFLOW_NOW", "2026-12-01T09:00:00Z", 1), 0);
	assert_int_equal(clock_check(&err), SF_OK);
	assert_int_equal(clock_now(), 1796115600);
	/* Read at every call. */
	assert_int_equal(setenv("SECFLOW_NOW", "2027-01-04T08:00:00+01:00", 1),
			 0);
	assert_int_equal(clock_now(), T("2027-01-04T07:00:00Z"));

	assert_int_equal(setenv("SECFLOW_NOW", "tomorrow", 1), 0);
	sf_error_clear(&err);
	assert_int_equal(clock_check(&err), SF_BAD_REQUEST);
	assert_int_equal(err.status, SF_BAD_REQUEST);
	assert_string_equal(err.message,
			    "bad SECFLOW_NOW \"tomorrow\": expected RFC 3339 "
			    "like 2026-12-01T09:00:00Z");
	assert_string_equal(err.field, "SECFLOW_NOW");
	assert_int_equal(clock_check(NULL), SF_BAD_REQUEST);

	assert_int_equal(setenv("SECFLOW_NOW", "2026-02-30T09:00:00Z", 1), 0);
	assert_int_equal(clock_check(&err), SF_BAD_REQUEST);

	/* Empty is unset; unset is the real clock. */
	assert_int_equal(setenv("SECFLOW_NOW", "", 1), 0);
	assert_int_equal(clock_check(&err), SF_OK);
	assert_int_equal(unsetenv("SECFLOW_NOW"), 0);
	assert_int_equal(clock_check(&err), SF_OK);
	before = time(NULL);
	now = clock_now();
	after = time(NULL);
	assert_true(now >= before && now <= after);
}

/* ---------------------------------------------------------------- */
/* dates                                                             */

static void
test_date_parse(void **state)
{
	static const char *good[] = {
	    "2026-02-28", "2024-02-29", "2000-02-29", "1970-01-01",
	    "0001-01-01", "9999-12-31", "2026-04-30", "2026-12-31",
	};
	static const char *bad[] = {
	    "",
	    "2026-02-29",
	    "1900-02-29",
	    "2026-04-31",
	    "2026-00-10",
	    "2026-13-10",
	    "2026-01-00",
	    "2026-01-32",
	    "2026-2-28",
	    "2026-02-8",
	    "26-02-28",
	    "2026/02/28",
	    "2026-02-28 ",
	    " 2026-02-28",
	    "2026-02-28T",
	    "+026-02-28",
	    "-026-02-28",
	    "2026-02-2a",
	    "20260228",
	    "2026-02-28Z",
	};
	sf_date d;
	char buf[16];
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (date_parse(good[i], &d) != 0)
			fail_msg("date_parse(\"%s\") failed", good[i]);
		date_format(d, buf);
		assert_string_equal(buf, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 42;
		if (date_parse(bad[i], &d) == 0)
			fail_msg("date_parse(\"%s\") accepted", bad[i]);
		assert_int_equal(d, 42);
	}
	assert_int_equal(date_parse(NULL, &d), -1);
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(D("2026-12-01"), 20788);
	assert_int_equal(D("1969-12-31"), -1);
}

static void
test_date_weekday(void **state)
{
	(void)state;
	assert_int_equal(date_weekday(D("1970-01-01")), 3); /* Thursday */
	assert_int_equal(date_weekday(D("1969-12-31")), 2);
	assert_int_equal(date_weekday(D("1969-12-29")), 0);
	assert_int_equal(date_weekday(D("2000-01-01")), 5);
	assert_int_equal(date_weekday(D("2026-05-21")), 3);
	assert_int_equal(date_weekday(D("2026-05-25")), 0);
	assert_int_equal(date_weekday(D("2026-12-01")), 1);
	assert_int_equal(date_weekday(D("2027-03-28")), 6); /* Easter */
	assert_int_equal(date_weekday(D("1900-01-01")), 0);
	for (sf_date d = D("1899-12-25"); d < D("2101-01-01"); d++)
		assert_int_equal(date_weekday(d),
				 (date_weekday(d - 1) + 1) % 7);
}

static void
test_date_ymd(void **state)
{
	int y, m, d;
	(void)state;

	date_to_ymd(D("2024-02-29"), &y, &m, &d);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	date_to_ymd(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	assert_int_equal(date_from_ymd(2026, 12, 1), D("2026-12-01"));
	/* Fields out of range carry over. */
	assert_int_equal(date_from_ymd(2026, 13, 1), D("2027-01-01"));
	assert_int_equal(date_from_ymd(2026, 0, 1), D("2025-12-01"));
	assert_int_equal(date_from_ymd(2026, 3, 0), D("2026-02-28"));
	assert_int_equal(date_from_ymd(2026, 1, 32), D("2026-02-01"));
	assert_int_equal(date_from_ymd(2026, -11, 1), D("2025-01-01"));
	/* Every day of a few centuries round-trips. */
	for (sf_date day = D("1600-01-01"); day < D("2400-12-31"); day++) {
		date_to_ymd(day, &y, &m, &d);
		assert_int_equal(date_from_ymd(y, m, d), day);
	}
	assert_int_equal(date_of(T("2026-12-01T23:59:59Z")), D("2026-12-01"));
	assert_int_equal(date_of(T("2026-12-01T00:30:00+01:00")),
			 D("2026-11-30"));
	assert_int_equal(date_of(-1), -1);
	assert_int_equal(date_of(-86400), -1);
	assert_int_equal(date_of(-86401), -2);
	assert_int_equal(date_start(D("2026-12-01")),
			 T("2026-12-01T00:00:00Z"));
	assert_int_equal(date_start(-1), -86400);
}

static void
test_date_add_months(void **state)
{
	static const struct {
		const char *from;
		int n;
		const char *want;
	} cases[] = {
	    {"2026-01-31", 1, "2026-02-28"},  {"2024-01-31", 1, "2024-02-29"},
	    {"2026-01-30", 1, "2026-02-28"},  {"2026-01-28", 1, "2026-02-28"},
	    {"2026-03-31", -1, "2026-02-28"}, {"2026-05-31", 1, "2026-06-30"},
	    {"2026-12-15", 1, "2027-01-15"},  {"2026-01-15", -1, "2025-12-15"},
	    {"2026-06-30", 12, "2027-06-30"}, {"2024-02-29", 12, "2025-02-28"},
	    {"2024-02-29", 48, "2028-02-29"}, {"2026-03-31", -13, "2025-02-28"},
	    {"2026-08-31", 0, "2026-08-31"},  {"2026-10-31", 4, "2027-02-28"},
	    {"2000-01-31", 1, "2000-02-29"},  {"1900-01-31", 1, "1900-02-28"},
	    {"1970-01-31", -1, "1969-12-31"}, {"2026-11-30", 3, "2027-02-28"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_date(date_add_months(D(cases[i].from), cases[i].n),
			    cases[i].want);
}

/* ---------------------------------------------------------------- */
/* the holidays file                                                 */

static struct calendar *
load_ec(void)
{
	char *path = tu_source_path("data/holidays-ec.ics");
	struct calendar *cal = calendar_new();
	struct sf_error err;
	size_t len = 0;
	char *text = tu_read_file(path, &len);

	if (!text)
		fail_msg("cannot read %s", path);
	sf_error_clear(&err);
	if (calendar_add_ics(cal, text, len, path, &err) != SF_OK)
		fail_msg("%s", err.message);
	free(text);
	free(path);
	return cal;
}

static void
check_holidays(const struct calendar *cal, int year, const char *const *days,
	       const char *const *names, size_t n)
{
	size_t seen = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = calendar_holiday(cal, D(days[i]));

		if (!name)
			fail_msg("%s is not a holiday", days[i]);
		if (names[i] && strcmp(name, names[i]) != 0)
			fail_msg("%s is \"%s\", want \"%s\"", days[i], name,
				 names[i]);
	}
	/* And no other day of the year is one. */
	for (sf_date d = date_from_ymd(year, 1, 1);
	     d <= date_from_ymd(year, 12, 31); d++)
		if (calendar_holiday(cal, d))
			seen++;
	assert_int_equal(seen, n);
}

static void
test_holidays_ec(void **state)
{
	static const char *const d2026[] = {
	    "2026-01-01", "2026-01-02", "2026-04-02", "2026-04-03",
	    "2026-04-06", "2026-05-01", "2026-05-09", "2026-05-14",
	    "2026-05-15", "2026-05-25", "2026-07-21", "2026-08-15",
	    "2026-11-01", "2026-11-02", "2026-12-24", "2026-12-25",
	    "2026-12-26", "2026-12-27", "2026-12-28", "2026-12-29",
	    "2026-12-30", "2026-12-31",
	};
	static const char *const d2027[] = {
	    "2027-01-01", "2027-01-02", "2027-03-25", "2027-03-26",
	    "2027-03-29", "2027-05-01", "2027-05-09", "2027-05-06",
	    "2027-05-07", "2027-05-17", "2027-07-21", "2027-08-15",
	    "2027-11-01", "2027-11-02", "2027-12-24", "2027-12-25",
	    "2027-12-26", "2027-12-27", "2027-12-28", "2027-12-29",
	    "2027-12-30", "2027-12-31",
	};
	static const char *const names[] = {
	    "New Year's Day",
	    "Day after New Year's Day",
	    "Maundy Thursday",
	    "Good Friday",
	    "Easter Monday",
	    "Labour Day",
	    "Anniversary of Robert Schuman's Declaration",
	    "Ascension Day",
	    "Friday after Ascension Day",
	    "Whit Monday",
	    "Belgian National Day",
	    "Assumption",
	    "All Saints' Day",
	    "All Souls' Day",
	    "End-of-year days",
	    "Christmas Day",
	    "End-of-year days",
	    "End-of-year days",
	    "End-of-year days",
	    "End-of-year days",
	    "End-of-year days",
	    "End-of-year days",
	};
	struct calendar *cal = load_ec();
	(void)state;

	assert_int_equal(calendar_count(cal), 44);
	check_holidays(cal, 2026, d2026, names, 22);
	check_holidays(cal, 2027, d2027, names, 22);

	/* The movable feasts sit on the right weekdays around Easter. */
	assert_int_equal(date_weekday(D("2026-04-02")), 3);
	assert_int_equal(date_weekday(D("2026-04-03")), 4);
	assert_int_equal(date_weekday(D("2026-04-06")), 0);
	assert_int_equal(date_weekday(D("2026-05-14")), 3);
	assert_int_equal(date_weekday(D("2026-05-25")), 0);
	assert_int_equal(D("2026-05-14") - D("2026-04-05"), 39);
	assert_int_equal(D("2026-05-25") - D("2026-04-05"), 50);
	assert_int_equal(D("2027-05-06") - D("2027-03-28"), 39);
	assert_int_equal(D("2027-05-17") - D("2027-03-28"), 50);
	assert_null(calendar_holiday(cal, D("2026-04-05"))); /* Sunday */
	assert_null(calendar_holiday(cal, D("2026-11-11")));
	assert_null(calendar_holiday(cal, D("2028-01-01"))); /* not listed */
	calendar_free(cal);
}

/* ---------------------------------------------------------------- */
/* working days                                                      */

static void
test_working_days(void **state)
{
	struct calendar *cal = load_ec();
	(void)state;

	/* SLA of 3 working days from Thursday 21 May 2026: Fri 22, (Whit
	 * Monday 25 off), Tue 26, Wed 27. */
	assert_date(calendar_add_working_days(cal, D("2026-05-21"), 3),
		    "2026-05-27");
	assert_date(calendar_add_working_days(cal, D("2026-05-21"), 1),
		    "2026-05-22");
	assert_date(calendar_add_working_days(cal, D("2026-05-22"), 1),
		    "2026-05-26");
	/* Christmas closure: Wed 23 Dec 2026 + 1 is Mon 4 Jan 2027. */
	assert_date(calendar_add_working_days(cal, D("2026-12-23"), 1),
		    "2027-01-04");
	/* Easter 2026: Wed 1 April + 1 is Tue 7 April. */
	assert_date(calendar_add_working_days(cal, D("2026-04-01"), 1),
		    "2026-04-07");
	/* Counting back. */
	assert_date(calendar_add_working_days(cal, D("2026-05-27"), -3),
		    "2026-05-21");

	/* n == 0: FROM when working, else the next working day. */
	assert_date(calendar_add_working_days(cal, D("2026-05-21"), 0),
		    "2026-05-21");
	assert_date(calendar_add_working_days(cal, D("2026-05-23"), 0),
		    "2026-05-26");
	assert_date(calendar_add_working_days(cal, D("2026-04-02"), 0),
		    "2026-04-07");

	assert_true(calendar_is_working_day(cal, D("2026-05-21")));
	assert_false(calendar_is_working_day(cal, D("2026-05-25")));
	assert_false(calendar_is_working_day(cal, D("2026-05-23")));
	assert_false(calendar_is_working_day(cal, D("2026-05-24")));

	assert_int_equal(calendar_working_days_between(cal, D("2026-05-21"),
						       D("2026-05-27")),
			 3);
	assert_int_equal(calendar_working_days_between(cal, D("2026-05-27"),
						       D("2026-05-21")),
			 -3);
	assert_int_equal(calendar_working_days_between(cal, D("2026-05-21"),
						       D("2026-05-21")),
			 0);
	/* 2026: 261 weekdays, 17 of them holidays. */
	assert_int_equal(calendar_working_days_between(cal, D("2025-12-31"),
						       D("2026-12-31")),
			 261 - 17);
	calendar_free(cal);
}

/* The fast count agrees with walking day by day, and with adding. */
static void
test_working_days_consistent(void **state)
{
	struct calendar *cal = load_ec();
	sf_date from = D("2025-12-01"), to = D("2028-01-31");
	(void)state;

	for (sf_date a = from; a < to; a += 5) {
		int walk = 0;

		for (sf_date b = a; b < to; b++) {
			if (b > a && calendar_is_working_day(cal, b))
				walk++;
			assert_int_equal(
			    calendar_working_days_between(cal, a, b), walk);
			assert_int_equal(
			    calendar_working_days_between(cal, b, a), -walk);
		}
		for (int n = 1; n < 30; n++) {
			sf_date due = calendar_add_working_days(cal, a, n);

			assert_true(calendar_is_working_day(cal, due));
			assert_int_equal(
			    calendar_working_days_between(cal, a, due), n);
		}
	}
	calendar_free(cal);
}

static void
test_calendar_add(void **state)
{
	struct calendar *cal = calendar_new();
	(void)state;

	assert_int_equal(calendar_count(cal), 0);
	assert_null(calendar_holiday(cal, 0));
	for (int i = 100; i > 0; i--)
		calendar_add(cal, D("2026-01-01") + i * 3, "x");
	calendar_add(cal, D("2026-01-04"), "first");
	calendar_add(cal, D("2026-01-04"), "second");
	calendar_add(cal, D("2026-01-05"), NULL);
	assert_int_equal(calendar_count(cal), 101);
	assert_string_equal(calendar_holiday(cal, D("2026-01-04")), "x");
	assert_string_equal(calendar_holiday(cal, D("2026-01-05")), "holiday");
	assert_null(calendar_holiday(cal, D("2026-01-06")));
	/* Weekend only, no holidays: Friday + 1 is Monday. */
	calendar_free(cal);
	cal = calendar_new();
	assert_date(calendar_add_working_days(cal, D("2026-05-22"), 1),
		    "2026-05-25");
	assert_int_equal(calendar_working_days_between(cal, D("2026-05-22"),
						       D("2026-06-05")),
			 10);
	calendar_free(cal);
	calendar_free(NULL);
}

/* ---------------------------------------------------------------- */
/* iCalendar parsing                                                 */

struct collect {
	sf_date days[8192];
	char names[8192][48];
	size_t n;
	size_t stop_at; /* 0: never */
};

static int
collect_fn(void *ctx, sf_date day, const char *name)
{
	struct collect *c = ctx;

	if (c->n < 8192) {
		c->days[c->n] = day;
		xstrlcpy(c->names[c->n], name, sizeof(c->names[0]));
	}
	c->n++;
	return c->stop_at && c->n >= c->stop_at;
}

#define ICS_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
#define ICS_TAIL "END:VCALENDAR\r\n"

static enum sf_status
parse(const char *text, struct collect *c, struct sf_error *err)
{
	memset(c, 0, sizeof(*c));
	sf_error_clear(err);
	return calendar_parse_ics(text, strlen(text), "x.ics", collect_fn, c,
				  err);
}

static int
has_day(const struct collect *c, const char *day)
{
	for (size_t i = 0; i < c->n && i < 8192; i++)
		if (c->days[i] == D(day))
			return 1;
	return 0;
}

static void
test_ics_simple(void **state)
{
	static struct collect c;
	struct sf_error err;
	(void)state;

	/* Bare LF, lowercase names, a folded SUMMARY, a date-time event. */
	assert_int_equal(
	    parse("begin:vcalendar\nversion:2.0\nprodid:x\n"
		  "BEGIN:VEVENT\nUID:1\nDTSTAMP:20260101T000000Z\n"
		  "DTSTART;VALUE=DATE:20260501\nSUMMARY:Labour\n  Day\n"
		  "END:VEVENT\n"
		  "BEGIN:VEVENT\nUID:2\nDTSTAMP:20260101T000000Z\n"
		  "DTSTART;TZID=Europe/Brussels:20260721T090000\n"
		  "DTEND;TZID=Europe/Brussels:20260721T170000\n"
		  "SUMMARY:National\\, Day\nEND:VEVENT\n"
		  "BEGIN:VEVENT\nUID:3\nDTSTAMP:20260101T000000Z\n"
		  "DTSTART:20260815T230000Z\nEND:VEVENT\n"
		  "end:vcalendar\n",
		  &c, &err),
	    SF_OK);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.days[0], D("2026-05-01"));
	assert_string_equal(c.names[0], "Labour Day");
	assert_int_equal(c.days[1], D("2026-07-21"));
	assert_string_equal(c.names[1], "National, Day");
	assert_int_equal(c.days[2], D("2026-08-15"));
	assert_string_equal(c.names[2], "holiday");

	/* A cancelled event, unknown properties and components are
	 * ignored (RFC 5545 3.7, 3.8.8). */
	assert_int_equal(parse(ICS_HEAD "BEGIN:VEVENT\r\nUID:1\r\n"
					"DTSTART;VALUE=DATE:20260501\r\n"
					"STATUS:CANCELLED\r\nEND:VEVENT\r\n"
					"BEGIN:VEVENT\r\nUID:2\r\n"
					"NOT-A-PROPERTY:1\r\n"
					"X-SOMETHING;X-P=\"a:b\":v\r\n"
					"BEGIN:NONSENSE\r\nEND:NONSENSE\r\n"
					"LOCATION:\r\nSUMMARY:\r\n"
					"DTSTART;VALUE=DATE:20260502\r\n"
					"END:VEVENT\r\n" ICS_TAIL,
			       &c, &err),
			 SF_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.days[0], D("2026-05-02"));
	assert_string_equal(c.names[0], "holiday");
}

static void
test_ics_multi_day(void **state)
{
	static struct collect c;
	struct sf_error err;
	(void)state;

	assert_int_equal(parse(ICS_HEAD
			       "BEGIN:VEVENT\r\nUID:1\r\n"
			       "SUMMARY:Christmas break\r\n"
			       "DTSTART;VALUE=DATE:20261224\r\n"
			       "DTEND;VALUE=DATE:20261227\r\n"
			       "END:VEVENT\r\n"
			       "BEGIN:VEVENT\r\nUID:2\r\n"
			       "DTSTART;VALUE=DATE:20261230\r\n"
			       "DURATION:P3D\r\nEND:VEVENT\r\n" ICS_TAIL,
			       &c, &err),
			 SF_OK);
	assert_int_equal(c.n, 6);
	assert_int_equal(c.days[0], D("2026-12-24"));
	assert_int_equal(c.days[1], D("2026-12-25"));
	assert_int_equal(c.days[2], D("2026-12-26"));
	assert_string_equal(c.names[2], "Christmas break");
	assert_int_equal(c.days[3], D("2026-12-30"));
	assert_int_equal(c.days[5], D("2027-01-01"));

	/* DTEND not after DTSTART, or a year-long "holiday". */
	assert_int_equal(parse(ICS_HEAD "BEGIN:VEVENT\r\nSUMMARY:Back\r\n"
					"DTSTART;VALUE=DATE:20261224\r\n"
					"DTEND;VALUE=DATE:20261224\r\n"
					"END:VEVENT\r\n" ICS_TAIL,
			       &c, &err),
			 SF_INVALID);
	assert_non_null(strstr(err.message, "x.ics:4: event 1 \"Back\""));
	assert_int_equal(parse(ICS_HEAD "BEGIN:VEVENT\r\n"
					"DTSTART;VALUE=DATE:20260101\r\n"
					"DTEND;VALUE=DATE:20280101\r\n"
					"END:VEVENT\r\n" ICS_TAIL,
			       &c, &err),
			 SF_INVALID);
	assert_non_null(strstr(err.message, "366"));
}

static void
test_ics_rrule(void **state)
{
	static struct collect c;
	struct sf_error err;
	int n2026 = 0;
	(void)state;

	/* Every 1 May from 1950: expanded over 1990-2100 only. */
	assert_int_equal(parse(ICS_HEAD "BEGIN:VEVENT\r\nUID:1\r\n"
					"SUMMARY:Labour Day\r\n"
					"DTSTART;VALUE=DATE:19500501\r\n"
					"RRULE:FREQ=YEARLY\r\n"
					"END:VEVENT\r\n" ICS_TAIL,
			       &c, &err),
			 SF_OK);
	assert_int_equal(c.n, 2100 - 1990 + 1);
	assert_int_equal(c.days[0], D("1990-05-01"));
	assert_int_equal(c.days[c.n - 1], D("2100-05-01"));
	assert_true(has_day(&c, "2026-05-01"));
	assert_string_equal(c.names[5], "Labour Day");

	/* Fourth Thursday of November, with an EXDATE and a later
	 * start. */
	assert_int_equal(parse(ICS_HEAD
			       "BEGIN:VEVENT\r\nUID:2\r\n"
			       "SUMMARY:Thanksgiving\r\n"
			       "DTSTART;VALUE=DATE:20201126\r\n"
			       "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\r\n"
			       "EXDATE;VALUE=DATE:20271125\r\n"
			       "END:VEVENT\r\n" ICS_TAIL,
			       &c, &err),
			 SF_OK);
	assert_int_equal(c.n, 2100 - 2020 + 1 - 1);
	assert_int_equal(c.days[0], D("2020-11-26"));
	assert_true(has_day(&c, "2026-11-26"));
	assert_false(has_day(&c, "2027-11-25"));
	assert_true(has_day(&c, "2028-11-23"));

	/* UNTIL and COUNT stop it; a multi-day event repeats whole. */
	assert_int_equal(parse(ICS_HEAD "BEGIN:VEVENT\r\nUID:3\r\n"
					"DTSTART;VALUE=DATE:20261224\r\n"
					"DTEND;VALUE=DATE:20261226\r\n"
					"RRULE:FREQ=YEARLY;UNTIL=20281231\r\n"
					"END:VEVENT\r\n"
					"BEGIN:VEVENT\r\nUID:4\r\n"
					"DTSTART:20260101T100000Z\r\n"
					"RRULE:FREQ=YEARLY;COUNT=2\r\n"
					"END:VEVENT\r\n" ICS_TAIL,
			       &c, &err),
			 SF_OK);
	assert_int_equal(c.n, 3 * 2 + 2);
	assert_true(has_day(&c, "2028-12-25"));
	assert_true(has_day(&c, "2027-01-01"));
	assert_false(has_day(&c, "2028-01-01"));
	for (size_t i = 0; i < c.n; i++)
		if (c.days[i] >= D("2026-01-01") &&
		    c.days[i] <= D("2026-12-31"))
			n2026++;
	assert_int_equal(n2026, 3);

	/* Only yearly rules. */
	assert_int_equal(parse(ICS_HEAD "BEGIN:VEVENT\r\nSUMMARY:Sundays\r\n"
					"DTSTART;VALUE=DATE:20260104\r\n"
					"RRULE:FREQ=WEEKLY\r\n"
					"END:VEVENT\r\n" ICS_TAIL,
			       &c, &err),
			 SF_INVALID);
	assert_non_null(strstr(err.message, "x.ics:4: event 1 \"Sundays\""));
	assert_non_null(strstr(err.message, "yearly"));
}

static void
test_ics_inline_calendar(void **state)
{
	static const char ics[] =
	    ICS_HEAD "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:New Year\r\n"
		     "DTSTART;VALUE=DATE:20000101\r\n"
		     "RRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n" ICS_TAIL;
	struct calendar *cal = calendar_new();
	struct sf_error err;
	(void)state;

	assert_int_equal(calendar_add_ics(cal, ics, strlen(ics), "i.ics", &err),
			 SF_OK);
	assert_int_equal(calendar_count(cal), 101);
	assert_string_equal(calendar_holiday(cal, D("2026-01-01")), "New Year");
	/* Friday 1 January 2027 off: Thursday 31 Dec + 1 is Monday. */
	assert_date(calendar_add_working_days(cal, D("2026-12-31"), 1),
		    "2027-01-04");
	/* A bad file leaves the calendar unchanged. */
	assert_int_equal(calendar_add_ics(cal, "nope", 4, "i.ics", &err),
			 SF_INVALID);
	assert_int_equal(calendar_count(cal), 101);
	calendar_free(cal);
}

static void
test_ics_callback_stops(void **state)
{
	static struct collect c;
	struct sf_error err;
	static const char ics[] = ICS_HEAD "BEGIN:VEVENT\r\n"
					   "DTSTART;VALUE=DATE:20260101\r\n"
					   "RRULE:FREQ=YEARLY\r\n"
					   "END:VEVENT\r\n" ICS_TAIL;
	(void)state;

	memset(&c, 0, sizeof(c));
	c.stop_at = 3;
	assert_int_equal(
	    calendar_parse_ics(ics, strlen(ics), "x.ics", collect_fn, &c, &err),
	    SF_INTERNAL);
	assert_int_equal(c.n, 3);
	assert_non_null(strstr(err.message, "2028-01-01"));
}

static void
test_ics_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want; /* in the message */
	} cases[] = {
	    {"", "x.ics: empty"},
	    {"\r\n\r\n", "x.ics: empty"},
	    {"garbage", "x.ics:1: "},
	    {"hello world\n", "x.ics:1: "},
	    {"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "x.ics: no VEVENT"},
	    {ICS_HEAD ICS_TAIL, "x.ics: no VEVENT"},
	    {ICS_HEAD
	     "BEGIN:VEVENT\r\nSUMMARY:Day off\r\nEND:VEVENT\r\n" ICS_TAIL,
	     "x.ics:4: event 1 \"Day off\": no DTSTART"},
	    {ICS_HEAD
	     "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n"
	     "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:2\r\nEND:VEVENT\r\n" ICS_TAIL,
	     "x.ics:7: event 2: no DTSTART"},
	    {ICS_HEAD "BEGIN:VEVENT\r\nDTSTART:\r\nEND:VEVENT\r\n" ICS_TAIL,
	     "x.ics:4: event 1: no DTSTART"},
	    {ICS_HEAD "BEGIN:VEVENT\r\nSUMMARY:Feb\r\n"
		      "DTSTART;VALUE=DATE:20260230\r\nEND:VEVENT\r\n" ICS_TAIL,
	     "x.ics:4: event 1 \"Feb\": DTSTART is not a valid date"},
	    {ICS_HEAD "BEGIN:VEVENT\r\nSUMMARY:Junk\r\n"
		      "DTSTART;VALUE=DATE:tomorrow\r\nEND:VEVENT\r\n" ICS_TAIL,
	     "x.ics:4: event 1 \"Junk\": "},
	    {ICS_HEAD
	     "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n" ICS_TAIL,
	     "x.ics:6: END:VCALENDAR does not close BEGIN:VEVENT of "
	     "line 4"},
	    {ICS_HEAD "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n"
		      "END:VEVENT\r\n",
	     "x.ics:1: BEGIN:VCALENDAR never ended"},
	    {"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n"
	     "END:VEVENT\r\n",
	     "x.ics:1: expected BEGIN:VCALENDAR"},
	    {"END:VCALENDAR\r\n", "x.ics:1: END:VCALENDAR without BEGIN"},
	    {"VERSION:2.0\r\n", "x.ics:1: VERSION outside BEGIN:VCALENDAR"},
	    {ICS_HEAD "no colon here\r\n" ICS_TAIL, "x.ics:4: "},
	    {ICS_HEAD "DTSTART;VALUE:20260101\r\n" ICS_TAIL, "x.ics:4: "},
	    {ICS_HEAD "X-A;P=\"unterminated:v\r\n" ICS_TAIL, "x.ics:4: "},
	    {ICS_HEAD " continued\r\n" ICS_TAIL, "x.ics: no VEVENT"},
	    {" start\r\n", "x.ics:1: continuation line"},
	    {ICS_HEAD "BEGIN:\r\n" ICS_TAIL, "x.ics:4: expected BEGIN:"},
	    {ICS_HEAD "BEGIN:A B\r\n" ICS_TAIL, "x.ics:4: expected BEGIN:"},
	    {ICS_HEAD "X-A:bad \x01 byte\r\n" ICS_TAIL,
	     "x.ics:4: control character 0x01"},
	    {ICS_HEAD "X-A:bare\rCR\r\n" ICS_TAIL,
	     "x.ics:4: control character 0x0d"},
	    {ICS_HEAD "X-A:caf\xc3\r\n" ICS_TAIL, "x.ics:4: invalid UTF-8"},
	    {ICS_HEAD "X-A:\xc0\xaf\r\n" ICS_TAIL, "x.ics:4: invalid UTF-8"},
	    {ICS_HEAD "X-A:\xed\xa0\x80\r\n" ICS_TAIL,
	     "x.ics:4: invalid UTF-8"},
	    {"BEGIN:VCALENDAR\r\nBEGIN:A\r\nBEGIN:B\r\nBEGIN:C\r\n"
	     "BEGIN:D\r\nBEGIN:E\r\nBEGIN:F\r\nBEGIN:G\r\nBEGIN:H\r\n",
	     "x.ics:9: components nested more than 8 deep"},
	    {ICS_HEAD "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n"
		      "RRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\n" ICS_TAIL,
	     "x.ics:4: event 1: "},
	};
	static struct collect c;
	struct sf_error err;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sf_status st = parse(cases[i].text, &c, &err);

		if (st != SF_INVALID)
			fail_msg("case %zu: status %d, want invalid", i,
				 (int)st);
		if (!strstr(err.message, "x.ics"))
			fail_msg("case %zu: no file name in \"%s\"", i,
				 err.message);
		if (cases[i].want && !strstr(err.message, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i,
				 err.message, cases[i].want);
	}

	/* An embedded NUL is not the end of the text. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(
	    calendar_parse_ics(ICS_HEAD "X-A:a\0b\r\n" ICS_TAIL,
			       sizeof(ICS_HEAD "X-A:a\0b\r\n" ICS_TAIL) - 1,
			       "x.ics", collect_fn, &c, &err),
	    SF_INVALID);
	assert_non_null(strstr(err.message, "x.ics:4: control character"));
	/* Text need not be NUL-terminated: LEN is what counts. */
	{
		static const char t[] =
		    ICS_HEAD "BEGIN:VEVENT\r\n"
			     "DTSTART;VALUE=DATE:20260101"
			     "\r\nEND:VEVENT\r\n" ICS_TAIL "trailing junk";

		memset(&c, 0, sizeof(c));
		assert_int_equal(calendar_parse_ics(t, strlen(t) - 13, "x.ics",
						    collect_fn, &c, &err),
				 SF_OK);
		assert_int_equal(c.n, 1);
	}
	/* A long name is cut in messages, never inside a UTF-8 sequence. */
	{
		char t[512], want[100];

		memset(want, 'x', 79);
		snprintf(want + 79, sizeof(want) - 79, "\":");
		snprintf(t, sizeof(t),
			 ICS_HEAD "BEGIN:VEVENT\r\nSUMMARY:%.79s\xc3\xa9 "
				  "and more\r\nEND:VEVENT\r\n" ICS_TAIL,
			 want);
		assert_int_equal(parse(t, &c, &err), SF_INVALID);
		assert_non_null(strstr(err.message, want));
	}
	/* Runaway rules are cut short: 12 * 24 * 12 times a year. */
	assert_int_equal(
	    parse(ICS_HEAD "BEGIN:VEVENT\r\nDTSTART:20260101T000000Z\r\n"
			   "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,"
			   "12;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,"
			   "11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,"
			   "5,10,15,20,25,30,35,40,45,50,55\r\n"
			   "END:VEVENT\r\n" ICS_TAIL,
		  &c, &err),
	    SF_INVALID);
	assert_non_null(strstr(err.message, "too many occurrences"));
	/* A NULL file name still gives a message. */
	assert_int_equal(calendar_parse_ics("x", 1, NULL, collect_fn, &c, &err),
			 SF_INVALID);
	assert_non_null(strstr(err.message, "calendar:1: "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clock_parse_valid),
	    cmocka_unit_test(test_clock_parse_invalid),
	    cmocka_unit_test(test_clock_round_trip),
	    cmocka_unit_test(test_clock_now_env),
	    cmocka_unit_test(test_date_parse),
	    cmocka_unit_test(test_date_weekday),
	    cmocka_unit_test(test_date_ymd),
	    cmocka_unit_test(test_date_add_months),
	    cmocka_unit_test(test_holidays_ec),
	    cmocka_unit_test(test_working_days),
	    cmocka_unit_test(test_working_days_consistent),
	    cmocka_unit_test(test_calendar_add),
	    cmocka_unit_test(test_ics_simple),
	    cmocka_unit_test(test_ics_multi_day),
	    cmocka_unit_test(test_ics_rrule),
	    cmocka_unit_test(test_ics_inline_calendar),
	    cmocka_unit_test(test_ics_callback_stops),
	    cmocka_unit_test(test_ics_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
