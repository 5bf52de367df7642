/*
 * calendar.h - holidays and working-day arithmetic.
 *
 * A working day is Monday to Friday and not a holiday of the calendar.
 * Holidays come from an iCalendar file (libical): all-day VEVENTs, a
 * multi-day event covering every day from DTSTART to DTEND (exclusive), and
 * yearly RRULEs expanded over 1990-2100.
 */
#ifndef SF_CALENDAR_H
#define SF_CALENDAR_H

#include <stddef.h>

#include "clock.h"
#include "status.h"

struct calendar;

struct calendar *calendar_new(void);
void calendar_free(struct calendar *cal);
void calendar_add(struct calendar *cal, sf_date day, const char *name);
size_t calendar_count(const struct calendar *cal);
/* Name of the holiday on DAY, or NULL. */
const char *calendar_holiday(const struct calendar *cal, sf_date day);
int calendar_is_working_day(const struct calendar *cal, sf_date day);
/*
 * The N-th working day after FROM (FROM itself not counted), N >= 1.
 * N == 0 gives FROM when it is a working day, else the next working day.
 * This is the due date of an SLA of N working days started on FROM.
 */
sf_date calendar_add_working_days(const struct calendar *cal, sf_date from,
				  int n);
/* Working days in (A, B]; negative when B < A. */
int calendar_working_days_between(const struct calendar *cal, sf_date a,
				  sf_date b);

typedef int (*calendar_holiday_fn)(void *ctx, sf_date day, const char *name);

/*
 * Parse iCalendar TEXT (LEN bytes; FILENAME for errors) and call FN for
 * each holiday day.  A non-zero return from FN stops with SF_INTERNAL.
 * Errors name the file and, where libical tells, the line.
 */
enum sf_status calendar_parse_ics(const char *text, size_t len,
				  const char *filename, calendar_holiday_fn fn,
				  void *ctx, struct sf_error *err);

/*
 * Add the holidays of iCalendar TEXT (LEN bytes; FILENAME for errors) to
 * CAL, all or nothing: on error CAL is unchanged.
 */
enum sf_status calendar_add_ics(struct calendar *cal, const char *text,
				size_t len, const char *filename,
				struct sf_error *err);

#endif
