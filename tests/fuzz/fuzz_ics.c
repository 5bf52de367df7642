/*
 * fuzz_ics.c - libFuzzer target for calendar_parse_ics().
 *
 * The input goes in as it is, LEN and all (the parser must not read past
 * LEN nor stop at a NUL), and also loaded into a calendar, so the
 * callback path and calendar_add() run too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"

static int
count_day(void *ctx, sf_date day, const char *name)
{
	size_t *n = ctx;

	(void)day;
	if (!name)
		abort(); /* the parser always names a holiday */
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * One input: parsed from an exact-size heap copy (so ASan sees any read
 * past SIZE), then from a NUL-terminated copy into a calendar.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_error err;
	struct calendar *cal;
	char *exact = xmalloc(size);
	char *text = xmalloc(size + 1);
	size_t n = 0;

	memcpy(exact, data, size);
	memcpy(text, data, size);
	text[size] = '\0';
	calendar_parse_ics(exact, size, "fuzz.ics", count_day, &n, &err);
	cal = calendar_new();
	calendar_add_ics(cal, text, size, "fuzz.ics", &err);
	calendar_free(cal);
	free(text);
	free(exact);
	return 0;
}
