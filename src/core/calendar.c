/*
 * calendar.c - holidays and working-day arithmetic.
 *
 * A calendar is a sorted array of (day, name); lookups are binary searches
 * and counting working days between two dates is arithmetic on weeks plus
 * a walk over the holidays in the range, so neither depends on how far
 * apart the dates are.
 *
 * calendar_parse_ics() checks the text itself before libical sees it:
 * libical accepts nearly anything (it turns garbage into X-LIC-ERROR
 * properties, or silently into nothing) and never says on which line a
 * problem is.  The check pass enforces the content-line grammar of
 * RFC 5545 (NAME *(;param) : value, with folding), UTF-8 without control
 * characters, BEGIN/END pairs that match and nest at most ICS_MAX_DEPTH
 * deep, and nothing outside BEGIN:VCALENDAR ... END:VCALENDAR.  Errors
 * found there name the line; it also records the line of each VEVENT, so
 * later errors about an event can name its line too.  Only then is the
 * text given to libical, whose X-LIC-ERROR properties are still reported.
 */
#include "calendar.h"

#include <libical/ical.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"

#define ICS_MAX_BYTES (8u << 20) /* a holidays file is a few kB */
#define ICS_MAX_DEPTH 8		 /* VCALENDAR > VEVENT > VALARM is 3 */
#define ICS_MAX_DAYS 100000	 /* holiday days one file may give */
#define ICS_MAX_STEPS 200000	 /* recurrence iterations per file */
#define RRULE_FIRST_YEAR 1990
#define RRULE_LAST_YEAR 2100
#define MAX_SPAN_DAYS 366 /* longest multi-day event */

struct holiday {
	sf_date day;
	char *name;
};

struct calendar {
	struct holiday *v; /* sorted by day, days unique */
	size_t n;
	size_t cap;
};

/*
 * A new empty calendar; free it with calendar_free().
 */
struct calendar *
calendar_new(void)
{
	return xcalloc(1, sizeof(struct calendar));
}

/*
 * Free CAL and its names.  NULL is allowed.
 */
void
calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	for (size_t i = 0; i < cal->n; i++)
		free(cal->v[i].name);
	free(cal->v);
	free(cal);
}

/* Index of the first holiday on or after DAY (cal->n if none). */
static size_t
lower_bound(const struct calendar *cal, sf_date day)
{
	size_t lo = 0, hi = cal->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->v[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Add a holiday on DAY named NAME (copied; NULL gives "holiday").  A day
 * that is already a holiday keeps its first name.
 */
void
calendar_add(struct calendar *cal, sf_date day, const char *name)
{
	size_t i = lower_bound(cal, day);

	if (i < cal->n && cal->v[i].day == day)
		return;
	if (cal->n == cal->cap) {
		cal->cap = cal->cap ? cal->cap * 2 : 32;
		cal->v = xrealloc(cal->v, cal->cap * sizeof(cal->v[0]));
	}
	memmove(&cal->v[i + 1], &cal->v[i], (cal->n - i) * sizeof(cal->v[0]));
	cal->v[i].day = day;
	cal->v[i].name = xstrdup(name ? name : "holiday");
	cal->n++;
}

/*
 * Number of holiday days in CAL.
 */
size_t
calendar_count(const struct calendar *cal)
{
	return cal->n;
}

/*
 * Name of the holiday on DAY (owned by CAL), or NULL when DAY is none.
 */
const char *
calendar_holiday(const struct calendar *cal, sf_date day)
{
	size_t i = lower_bound(cal, day);

	if (i < cal->n && cal->v[i].day == day)
		return cal->v[i].name;
	return NULL;
}

/*
 * 1 when DAY is Monday to Friday and not a holiday of CAL, else 0.
 */
int
calendar_is_working_day(const struct calendar *cal, sf_date day)
{
	return date_weekday(day) < 5 && !calendar_holiday(cal, day);
}

/*
 * The N-th working day after FROM; see calendar.h.  A negative N counts
 * back: the N-th working day before FROM.  Terminates because a calendar
 * has finitely many holidays.
 */
sf_date
calendar_add_working_days(const struct calendar *cal, sf_date from, int n)
{
	sf_date d = from;

	if (n == 0) {
		while (!calendar_is_working_day(cal, d))
			d++;
		return d;
	}
	while (n > 0) {
		d++;
		if (calendar_is_working_day(cal, d))
			n--;
	}
	while (n < 0) {
		d--;
		if (calendar_is_working_day(cal, d))
			n++;
	}
	return d;
}

/* Monday-to-Friday days in [epoch anchor, D], up to a constant. */
static int64_t
weekdays_upto(sf_date d)
{
	/* 1970-01-05 (day 4) was a Monday: shift so weeks start at 0. */
	int64_t x = (int64_t)d - 4;
	int64_t w = x / 7, r = x % 7;

	if (r < 0) {
		w--;
		r += 7;
	}
	return w * 5 + (r < 5 ? r + 1 : 5);
}

/* Working days in (A, B], A <= B. */
static int64_t
working_days_in(const struct calendar *cal, sf_date a, sf_date b)
{
	int64_t n = weekdays_upto(b) - weekdays_upto(a);

	for (size_t i = lower_bound(cal, a + 1);
	     i < cal->n && cal->v[i].day <= b; i++)
		if (date_weekday(cal->v[i].day) < 5)
			n--;
	return n;
}

/*
 * Working days in (A, B]; negative (minus the days in (B, A]) when B < A.
 */
int
calendar_working_days_between(const struct calendar *cal, sf_date a, sf_date b)
{
	if (b < a)
		return (int)-working_days_in(cal, b, a);
	return (int)working_days_in(cal, a, b);
}

/* ------------------------------------------------------------------ */
/* iCalendar: the check pass                                           */

struct ics_open {
	char name[32]; /* component names are short; longer ones are cut */
	int line;
};

struct ics_scan {
	const char *filename;
	struct sf_error *err;
	struct ics_open stack[ICS_MAX_DEPTH];
	int depth;
	int calendars;
	int *event_lines; /* line of each VEVENT directly in a VCALENDAR */
	size_t events;
	size_t events_cap;
};

static int
is_name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* Length of the name at S (up to N bytes). */
static size_t
name_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_name_char((unsigned char)s[i]))
		i++;
	return i;
}

static int
name_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/*
 * Length of the valid UTF-8 sequence at S (N bytes left), or 0 when it is
 * not one: overlong forms, surrogates and code points past U+10FFFF are
 * refused as RFC 3629 says.
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * Bytes of S to print so that at most MAX are shown and no UTF-8 sequence
 * is cut: messages go into JSON, which must be valid UTF-8.
 */
static int
utf8_prefix(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return (int)n;
}

/* Check the parameters and ':' after a property name; 0 or -1. */
static int
check_params(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n && s[i] == ';') {
		i++;
		k = name_len(s + i, n - i);
		if (k == 0)
			return -1;
		i += k;
		if (i >= n || s[i] != '=')
			return -1;
		do {
			i++;
			if (i < n && s[i] == '"') {
				i++;
				while (i < n && s[i] != '"')
					i++;
				if (i >= n)
					return -1;
				i++;
			} else {
				while (i < n && !strchr(";:,\"", s[i]))
					i++;
			}
		} while (i < n && s[i] == ',');
	}
	return i < n && s[i] == ':' ? 0 : -1;
}

static enum sf_status
scan_begin(struct ics_scan *sc, const char *v, size_t n, int line)
{
	struct ics_open *o;

	if (sc->depth == 0 && !name_is(v, n, "VCALENDAR"))
		return sf_fail(sc->err, SF_INVALID, NULL,
			       "%s:%d: expected BEGIN:VCALENDAR, found "
			       "BEGIN:%.*s",
			       sc->filename, line, (int)(n > 32 ? 32 : n), v);
	if (sc->depth == ICS_MAX_DEPTH)
		return sf_fail(sc->err, SF_INVALID, NULL,
			       "%s:%d: components nested more than %d deep",
			       sc->filename, line, ICS_MAX_DEPTH);
	if (sc->depth == 0)
		sc->calendars++;
	if (sc->depth == 1 && name_is(v, n, "VEVENT")) {
		if (sc->events == sc->events_cap) {
			sc->events_cap =
			    sc->events_cap ? sc->events_cap * 2 : 64;
			sc->event_lines = xrealloc(
			    sc->event_lines, sc->events_cap * sizeof(int));
		}
		sc->event_lines[sc->events++] = line;
	}
	o = &sc->stack[sc->depth++];
	snprintf(o->name, sizeof(o->name), "%.*s", (int)n, v);
	o->line = line;
	return SF_OK;
}

static enum sf_status
scan_end(struct ics_scan *sc, const char *v, size_t n, int line)
{
	struct ics_open *o;

	if (sc->depth == 0)
		return sf_fail(sc->err, SF_INVALID, NULL,
			       "%s:%d: END:%.*s without BEGIN", sc->filename,
			       line, (int)(n > 32 ? 32 : n), v);
	o = &sc->stack[sc->depth - 1];
	if (!name_is(v, n, o->name))
		return sf_fail(sc->err, SF_INVALID, NULL,
			       "%s:%d: END:%.*s does not close BEGIN:%s of "
			       "line %d",
			       sc->filename, line, (int)(n > 32 ? 32 : n), v,
			       o->name, o->line);
	sc->depth--;
	return SF_OK;
}

/* Check one unfolded content line S (N bytes) starting on LINE. */
static enum sf_status
scan_line(struct ics_scan *sc, const char *s, size_t n, int line)
{
	size_t k = name_len(s, n);

	if (k == 0)
		return sf_fail(sc->err, SF_INVALID, NULL,
			       "%s:%d: expected NAME:value", sc->filename,
			       line);
	if (name_is(s, k, "BEGIN") || name_is(s, k, "END")) {
		const char *v = k < n ? s + k + 1 : s;
		size_t vn = k < n ? n - k - 1 : 0;

		if (vn == 0 || s[k] != ':' || name_len(v, vn) != vn)
			return sf_fail(sc->err, SF_INVALID, NULL,
				       "%s:%d: expected %.*s:COMPONENT",
				       sc->filename, line, (int)k, s);
		if (k == 5)
			return scan_begin(sc, v, vn, line);
		return scan_end(sc, v, vn, line);
	}
	if (check_params(s + k, n - k) < 0)
		return sf_fail(sc->err, SF_INVALID, NULL,
			       "%s:%d: bad parameters or no ':' after %.*s",
			       sc->filename, line, (int)(k > 64 ? 64 : k), s);
	if (sc->depth == 0)
		return sf_fail(sc->err, SF_INVALID, NULL,
			       "%s:%d: %.*s outside BEGIN:VCALENDAR",
			       sc->filename, line, (int)(k > 64 ? 64 : k), s);
	return SF_OK;
}

/*
 * The check pass over TEXT (LEN bytes); fills SC->event_lines.  Content
 * lines are unfolded into a scratch buffer: a line starting with a space
 * or tab continues the previous one (RFC 5545 3.1).
 */
static enum sf_status
ics_check(struct ics_scan *sc, const char *text, size_t len)
{
	enum sf_status st = SF_OK;
	char *lbuf = NULL;
	size_t lcap = 0, llen = 0, i = 0;
	int line = 0, lstart = 0, have = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3; /* a UTF-8 byte order mark, as libical skips it */
	while (i < len) {
		size_t b = i, e, seg;

		line++;
		while (i < len && text[i] != '\n') {
			unsigned char c = (unsigned char)text[i];
			size_t u;

			if (c == '\r' && i + 1 < len && text[i + 1] == '\n') {
				i++;
				continue;
			}
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				st = sf_fail(sc->err, SF_INVALID, NULL,
					     "%s:%d: control character 0x%02x",
					     sc->filename, line, c);
				goto out;
			}
			u = utf8_len((const unsigned char *)text + i, len - i);
			if (u == 0) {
				st = sf_fail(sc->err, SF_INVALID, NULL,
					     "%s:%d: invalid UTF-8",
					     sc->filename, line);
				goto out;
			}
			i += u;
		}
		e = i;
		if (e > b && text[e - 1] == '\r')
			e--;
		if (i < len)
			i++; /* the '\n' */
		if (e > b && (text[b] == ' ' || text[b] == '\t')) {
			if (!have) {
				st = sf_fail(sc->err, SF_INVALID, NULL,
					     "%s:%d: continuation line with "
					     "nothing to continue",
					     sc->filename, line);
				goto out;
			}
			b++;
		} else {
			if (have && (st = scan_line(sc, lbuf, llen, lstart)))
				goto out;
			have = 0;
			llen = 0;
			if (e == b)
				continue; /* blank lines: libical skips them */
			have = 1;
			lstart = line;
		}
		seg = e - b;
		if (llen + seg > lcap) {
			lcap = (llen + seg) * 2;
			lbuf = xrealloc(lbuf, lcap);
		}
		memcpy(lbuf + llen, text + b, seg);
		llen += seg;
	}
	if (have && (st = scan_line(sc, lbuf, llen, lstart)))
		goto out;
	if (sc->depth > 0) {
		st = sf_fail(sc->err, SF_INVALID, NULL,
			     "%s:%d: BEGIN:%s never ended", sc->filename,
			     sc->stack[sc->depth - 1].line,
			     sc->stack[sc->depth - 1].name);
		goto out;
	}
	if (sc->calendars == 0)
		st = sf_fail(sc->err, SF_INVALID, NULL,
			     "%s: empty: no BEGIN:VCALENDAR", sc->filename);
out:
	free(lbuf);
	return st;
}

/* ------------------------------------------------------------------ */
/* iCalendar: holidays from the parsed components                      */

struct ics_ctx {
	const char *filename;
	calendar_holiday_fn fn;
	void *fctx;
	struct sf_error *err;
	const struct ics_scan *scan;
	size_t days; /* days given to FN so far */
	long steps;  /* recurrence iterations so far */
	/* The event being read, for messages. */
	size_t index; /* 1-based */
	const char *name;
	char where[160];
	sf_date *exdates;
	size_t n_exdates;
	size_t exdates_cap;
};

/*
 * The first X-LIC-ERROR in C or its children, or NULL.  Two kinds are not
 * errors: unknown property names (RFC 5545 says to ignore properties one
 * does not know; libical drops them) and empty values such as
 * "LOCATION:", which calendar programs write and libical drops too.  An
 * empty DTSTART is still caught: the event then has none.
 */
static const char *
ics_first_error(icalcomponent *c)
{
	icalproperty *p;
	icalcomponent *k;

	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	     p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		icalparameter *t = icalproperty_get_first_parameter(
		    p, ICAL_XLICERRORTYPE_PARAMETER);
		const char *msg;

		if (t && icalparameter_get_xlicerrortype(t) ==
			     ICAL_XLICERRORTYPE_PROPERTYPARSEERROR)
			continue;
		msg = icalproperty_get_xlicerror(p);
		if (!msg)
			return "libical error";
		if (strncmp(msg, "No value for ", 13) == 0)
			continue;
		return msg;
	}
	for (k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
	     k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		const char *msg = ics_first_error(k);

		if (msg)
			return msg;
	}
	return NULL;
}

/* Call F on each VEVENT of ROOT (a VCALENDAR or an XROOT of them). */
typedef enum sf_status (*ics_event_fn)(struct ics_ctx *x, icalcomponent *ev);

static enum sf_status
ics_each_event(struct ics_ctx *x, icalcomponent *root, ics_event_fn f)
{
	icalcomponent *cal, *ev;
	enum sf_status st;
	int xroot = icalcomponent_isa(root) == ICAL_XROOT_COMPONENT;

	x->index = 0;
	cal = xroot ? icalcomponent_get_first_component(
			  root, ICAL_VCALENDAR_COMPONENT)
		    : root;
	for (; cal; cal = xroot ? icalcomponent_get_next_component(
				      root, ICAL_VCALENDAR_COMPONENT)
				: NULL) {
		for (ev = icalcomponent_get_first_component(
			 cal, ICAL_VEVENT_COMPONENT);
		     ev; ev = icalcomponent_get_next_component(
			     cal, ICAL_VEVENT_COMPONENT)) {
			icalproperty *p = icalcomponent_get_first_property(
			    ev, ICAL_SUMMARY_PROPERTY);
			const char *name =
			    p ? icalproperty_get_summary(p) : NULL;

			x->index++;
			x->name = name && *name ? name : NULL;
			if (x->name)
				snprintf(x->where, sizeof(x->where),
					 "event %zu \"%.*s\"", x->index,
					 utf8_prefix(x->name, 80), x->name);
			else
				snprintf(x->where, sizeof(x->where),
					 "event %zu", x->index);
			if ((st = f(x, ev)))
				return st;
		}
	}
	return SF_OK;
}

/* "FILE:LINE" of the current event, "FILE" when the line is unknown. */
static const char *
ics_at(struct ics_ctx *x, char *buf, size_t n)
{
	if (x->index >= 1 && x->index <= x->scan->events)
		snprintf(buf, n, "%s:%d", x->filename,
			 x->scan->event_lines[x->index - 1]);
	else
		snprintf(buf, n, "%s", x->filename);
	return buf;
}

static enum sf_status
ics_event_errors(struct ics_ctx *x, icalcomponent *ev)
{
	const char *msg = ics_first_error(ev);
	char at[300];

	if (msg)
		return sf_fail(x->err, SF_INVALID, NULL, "%s: %s: %.*s",
			       ics_at(x, at, sizeof(at)), x->where,
			       utf8_prefix(msg, 200), msg);
	return SF_OK;
}

/* The date Y-M-D when it exists (years 1-9999); 0 or -1. */
static int
ymd_date(int y, int m, int d, sf_date *out)
{
	int yy, mm, dd;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*out = date_from_ymd(y, m, d);
	date_to_ymd(*out, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d ? 0 : -1;
}

/*
 * The date of a DATE or DATE-TIME value; 0, or -1 when it has none.
 * libical reads the digits without checking their ranges.
 */
static int
value_date(icalvalue *v, sf_date *out, int *is_date)
{
	struct icaltimetype t;

	if (!v || (icalvalue_isa(v) != ICAL_DATE_VALUE &&
		   icalvalue_isa(v) != ICAL_DATETIME_VALUE))
		return -1;
	t = icalvalue_get_datetimedate(v);
	if (ymd_date(t.year, t.month, t.day, out) < 0)
		return -1;
	if (is_date)
		*is_date = t.is_date;
	return 0;
}

static enum sf_status
ics_bad(struct ics_ctx *x, const char *what)
{
	char at[300];

	return sf_fail(x->err, SF_INVALID, NULL, "%s: %s: %s",
		       ics_at(x, at, sizeof(at)), x->where, what);
}

/* Give FN the SPAN days from DAY. */
static enum sf_status
ics_emit(struct ics_ctx *x, sf_date day, int span)
{
	for (int i = 0; i < span; i++) {
		char at[300], ds[16];

		if (++x->days > ICS_MAX_DAYS)
			return sf_fail(x->err, SF_INVALID, NULL,
				       "%s: more than %d holiday days",
				       x->filename, ICS_MAX_DAYS);
		if (x->fn(x->fctx, day + i, x->name ? x->name : "holiday")) {
			date_format(day + i, ds);
			return sf_fail(x->err, SF_INTERNAL, NULL,
				       "%s: %s: stopped at %s",
				       ics_at(x, at, sizeof(at)), x->where, ds);
		}
	}
	return SF_OK;
}

static int
ics_excluded(const struct ics_ctx *x, sf_date day)
{
	for (size_t i = 0; i < x->n_exdates; i++)
		if (x->exdates[i] == day)
			return 1;
	return 0;
}

/* Days covered by EV starting on START (DTEND exclusive, or DURATION). */
static enum sf_status
ics_span(struct ics_ctx *x, icalcomponent *ev, sf_date start, int *span)
{
	icalproperty *p;
	int64_t days;

	*span = 1;
	if ((p = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY))) {
		sf_date end;

		if (value_date(icalproperty_get_value(p), &end, NULL) < 0)
			return ics_bad(x, "DTEND is not a valid date");
		days = (int64_t)end - start;
	} else if ((p = icalcomponent_get_first_property(
			ev, ICAL_DURATION_PROPERTY))) {
		struct icaldurationtype d = icalproperty_get_duration(p);
		int64_t secs;

		secs = (((int64_t)d.weeks * 7 + d.days) * 24 + d.hours) * 3600 +
		       (int64_t)d.minutes * 60 + d.seconds;
		days = (secs + 86399) / 86400;
		if (d.is_neg)
			days = -days;
	} else {
		return SF_OK;
	}
	if (days < 1)
		return ics_bad(x, "DTEND is not after DTSTART");
	if (days > MAX_SPAN_DAYS)
		return ics_bad(x, "event spans more than 366 days");
	*span = (int)days;
	return SF_OK;
}

/* Expand one yearly RRULE of an event starting at T over 1990-2100. */
static enum sf_status
ics_rrule(struct ics_ctx *x, icalproperty *p, struct icaltimetype t,
	  sf_date start, int span)
{
	struct icalrecurrencetype r = icalproperty_get_rrule(p);
	icalrecur_iterator *it;
	enum sf_status st = SF_OK;
	sf_date last = start;

	if (r.freq != ICAL_YEARLY_RECURRENCE)
		return ics_bad(x, "only yearly RRULEs are supported");
	t.zone = NULL; /* dates only: no time zone conversions */
	if (!(it = icalrecur_iterator_new(r, t)))
		return ics_bad(x, "libical cannot expand the RRULE");
	if (r.count == 0 && t.year < RRULE_FIRST_YEAR) {
		struct icaltimetype from = t;

		from.year = RRULE_FIRST_YEAR;
		from.month = 1;
		from.day = 1;
		if (!icalrecur_iterator_set_start(it, from)) {
			st = ics_bad(x, "RRULE has no occurrence in "
					"1990-2582");
			goto out;
		}
	}
	for (;;) {
		struct icaltimetype o = icalrecur_iterator_next(it);
		sf_date d;

		if (icaltime_is_null_time(o) || o.year > RRULE_LAST_YEAR)
			break;
		if (++x->steps > ICS_MAX_STEPS) {
			st = ics_bad(x, "RRULEs give too many occurrences");
			goto out;
		}
		if (o.year < RRULE_FIRST_YEAR ||
		    ymd_date(o.year, o.month, o.day, &d) < 0)
			continue;
		if (d <= last) /* DTSTART, or another time the same day */
			continue;
		last = d;
		if (!ics_excluded(x, d) && (st = ics_emit(x, d, span)))
			goto out;
	}
out:
	icalrecur_iterator_free(it);
	return st;
}

/* Collect the EXDATEs of EV into X->exdates. */
static enum sf_status
ics_exdates(struct ics_ctx *x, icalcomponent *ev)
{
	icalproperty *p;

	x->n_exdates = 0;
	for (p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
		sf_date d;

		if (value_date(icalproperty_get_value(p), &d, NULL) < 0)
			return ics_bad(x, "EXDATE is not a valid date");
		if (x->n_exdates == x->exdates_cap) {
			x->exdates_cap =
			    x->exdates_cap ? x->exdates_cap * 2 : 16;
			x->exdates = xrealloc(x->exdates,
					      x->exdates_cap * sizeof(sf_date));
		}
		x->exdates[x->n_exdates++] = d;
	}
	return SF_OK;
}

/*
 * The holidays of one VEVENT: DTSTART's day (its date when it is a
 * DATE-TIME; a DATE event may cover more days up to DTEND), each RDATE,
 * and with yearly RRULEs every occurrence in 1990-2100 except EXDATEs.
 * A cancelled event gives nothing.
 */
static enum sf_status
ics_event(struct ics_ctx *x, icalcomponent *ev)
{
	icalproperty *p, *dtstart;
	struct icaltimetype t;
	enum sf_status st;
	sf_date start;
	int span = 1, is_date = 0, recurring;

	if (!(dtstart =
		  icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY)))
		return ics_bad(x, "no DTSTART");
	if (value_date(icalproperty_get_value(dtstart), &start, &is_date) < 0)
		return ics_bad(x, "DTSTART is not a valid date");
	p = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
	if (p && icalproperty_get_status(p) == ICAL_STATUS_CANCELLED)
		return SF_OK;
	if (is_date && (st = ics_span(x, ev, start, &span)))
		return st;
	if ((st = ics_exdates(x, ev)))
		return st;
	/* A recurring event's DTSTART is its first occurrence (RFC 5545
	 * 3.8.5.3) even when the rule does not match it. */
	recurring =
	    icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY) != NULL;
	if (!recurring || (start >= date_from_ymd(RRULE_FIRST_YEAR, 1, 1) &&
			   start <= date_from_ymd(RRULE_LAST_YEAR, 12, 31))) {
		if (!ics_excluded(x, start) && (st = ics_emit(x, start, span)))
			return st;
	}
	for (p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype r = icalproperty_get_rdate(p);
		struct icaltimetype rt =
		    icaltime_is_null_time(r.time) ? r.period.start : r.time;
		sf_date d;

		if (ymd_date(rt.year, rt.month, rt.day, &d) < 0)
			return ics_bad(x, "RDATE is not a valid date");
		if (!ics_excluded(x, d) && (st = ics_emit(x, d, span)))
			return st;
	}
	t = icalvalue_get_datetimedate(icalproperty_get_value(dtstart));
	for (p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY); p;
	     p = icalcomponent_get_next_property(ev, ICAL_RRULE_PROPERTY))
		if ((st = ics_rrule(x, p, t, start, span)))
			return st;
	return SF_OK;
}

/*
 * Parse iCalendar TEXT and call FN for each holiday day; see calendar.h.
 * The name given to FN lives only during the call.  FN may see a day more
 * than once (two events, or an RDATE that is also an occurrence).
 * RECURRENCE-ID overrides are read as events of their own.  Errors are
 * SF_INVALID ("FILE:LINE: ..."), SF_TOO_LARGE over 8 MiB, SF_INTERNAL when
 * FN stops.
 */
enum sf_status
calendar_parse_ics(const char *text, size_t len, const char *filename,
		   calendar_holiday_fn fn, void *ctx, struct sf_error *err)
{
	struct ics_scan scan = {.filename = filename, .err = err};
	struct ics_ctx x = {.filename = filename,
			    .fn = fn,
			    .fctx = ctx,
			    .err = err,
			    .scan = &scan};
	icalcomponent *root = NULL;
	enum sf_status st;
	const char *msg;
	char *copy = NULL;

	if (!filename)
		filename = scan.filename = x.filename = "calendar";
	if (len > ICS_MAX_BYTES)
		return sf_fail(err, SF_TOO_LARGE, NULL,
			       "%s: %zu bytes, more than the %u allowed",
			       filename, len, ICS_MAX_BYTES);
	if ((st = ics_check(&scan, text, len)))
		goto out;

	copy = xstrndup(text, len);
	icalerror_clear_errno();
	root = icalparser_parse_string(copy);
	if (!root || (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT &&
		      icalcomponent_isa(root) != ICAL_XROOT_COMPONENT)) {
		st = sf_fail(err, SF_INVALID, NULL,
			     "%s: libical found no VCALENDAR (%s)", filename,
			     icalerror_strerror(icalerrno));
		goto out;
	}
	/* Errors inside an event name the event; others only the file. */
	if ((st = ics_each_event(&x, root, ics_event_errors)))
		goto out;
	if ((msg = ics_first_error(root))) {
		st = sf_fail(err, SF_INVALID, NULL, "%s: %.*s", filename,
			     utf8_prefix(msg, 200), msg);
		goto out;
	}
	/* libical reports most trouble as X-LIC-ERROR, some only here. */
	if (icalerrno != ICAL_NO_ERROR) {
		st = sf_fail(err, SF_INVALID, NULL, "%s: libical: %s", filename,
			     icalerror_strerror(icalerrno));
		goto out;
	}
	if (x.index == 0) {
		st = sf_fail(err, SF_INVALID, NULL, "%s: no VEVENT", filename);
		goto out;
	}
	st = ics_each_event(&x, root, ics_event);
out:
	if (root)
		icalcomponent_free(root);
	free(copy);
	free(scan.event_lines);
	free(x.exdates);
	return st;
}

static int
add_to_calendar(void *ctx, sf_date day, const char *name)
{
	calendar_add(ctx, day, name);
	return 0;
}

/*
 * Add the holidays of iCalendar TEXT (LEN bytes, FILENAME for errors) to
 * CAL.  All or nothing: on error CAL is unchanged.
 */
enum sf_status
calendar_add_ics(struct calendar *cal, const char *text, size_t len,
		 const char *filename, struct sf_error *err)
{
	struct calendar *tmp = calendar_new();
	enum sf_status st;

	st = calendar_parse_ics(text, len, filename, add_to_calendar, tmp, err);
	if (st == SF_OK)
		for (size_t i = 0; i < tmp->n; i++)
			calendar_add(cal, tmp->v[i].day, tmp->v[i].name);
	calendar_free(tmp);
	return st;
}
