/* status.c - the single mapping of statuses to codes, HTTP and exit codes. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum sf_status
sf_fail(struct sf_error *err, enum sf_status s, const char *field,
	const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return s;
	err->status = s;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	return s;
}

void
sf_error_clear(struct sf_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static const struct {
	const char *code;
	int http;
} status_table[] = {
	[SF_OK] = {"ok", 200},
	[SF_INVALID] = {"invalid", 422},
	[SF_BAD_REQUEST] = {"bad_request", 400},
	[SF_UNAUTHORIZED] = {"unauthorized", 401},
	[SF_FORBIDDEN] = {"forbidden", 403},
	[SF_NOT_FOUND] = {"not_found", 404},
	[SF_CONFLICT] = {"conflict", 409},
	[SF_TOO_LARGE] = {"too_large", 413},
	[SF_THROTTLED] = {"throttled", 429},
	[SF_DB] = {"db_error", 500},
	[SF_IO] = {"io_error", 500},
	[SF_INTERNAL] = {"internal", 500},
};

const char *
sf_status_code(enum sf_status s)
{
	if ((unsigned)s >= sizeof(status_table) / sizeof(status_table[0]))
		return "internal";
	return status_table[s].code;
}

int
sf_status_http(enum sf_status s)
{
	if ((unsigned)s >= sizeof(status_table) / sizeof(status_table[0]))
		return 500;
	return status_table[s].http;
}

int
sf_status_exit(enum sf_status s)
{
	if (s == SF_OK)
		return 0;
	if (s == SF_BAD_REQUEST)
		return 2;
	return 1;
}
