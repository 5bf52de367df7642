/*
 * status.h - the one status enum of secflow and the error it carries.
 *
 * Every fallible function returns enum sf_status and, when it fails, fills
 * a struct sf_error that says what was wrong and where (field, file:line,
 * row).  The status maps to an HTTP code and a CLI exit code in exactly one
 * place each: status.c.
 */
#ifndef SF_STATUS_H
#define SF_STATUS_H

enum sf_status {
	SF_OK = 0,
	SF_INVALID,	 /* bad input: 422 */
	SF_BAD_REQUEST,	 /* malformed request (JSON syntax, ...): 400 */
	SF_UNAUTHORIZED, /* no or bad credentials: 401 */
	SF_FORBIDDEN,	 /* wrong role: 403 */
	SF_NOT_FOUND,	 /* absent or not visible: 404 */
	SF_CONFLICT,	 /* step not available now: 409 */
	SF_TOO_LARGE,	 /* body or upload over the limit: 413 */
	SF_THROTTLED,	 /* too many attempts: 429 */
	SF_DB,		 /* storage failure: 500 */
	SF_IO,		 /* file or network failure: 500 */
	SF_INTERNAL,	 /* a bug: 500 */
};

struct sf_error {
	enum sf_status status;
	char message[512];
	char field[128];
};

/* Fill ERR (may be NULL) and return S.  FIELD may be NULL. */
enum sf_status sf_fail(struct sf_error *err, enum sf_status s,
		       const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void sf_error_clear(struct sf_error *err);

/* Stable machine code of a status: "invalid", "not_found", ... */
const char *sf_status_code(enum sf_status s);
int sf_status_http(enum sf_status s);
/* CLI exit code: 0 ok, 2 usage (SF_BAD_REQUEST), 1 anything else. */
int sf_status_exit(enum sf_status s);

#endif
