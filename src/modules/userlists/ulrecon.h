/*
 * ulrecon.h - reconcile a Webportal user list with the authorised list,
 * without a database: per NA, the enabled users, their distinct UIDs and
 * the distinct UIDs that are not in the authorised list (SEC.5.2/5.8, the
 * counting part; the review campaign's rev_reconcile does the rest).
 *
 * Both files are read as the importer reads them (tabular.h: CSV streamed
 * straight from the mapped file, XLSX read whole) and checked with the
 * importer's rules (columns.h; the Webportal list with the SEC.5.1
 * columns, so UID, CS/MIS and E-mail are required): a bad row makes the
 * whole run fail naming the first one and the count, unless
 * skip_bad_rows, which leaves the bad rows out and lists them.  Rows with
 * no text are skipped.  Then:
 *   - disabled users (Deleted TRUE) are left out (counted in disabled);
 *   - the NA is the NA column's text (trimmed; "" when empty or absent -
 *     no organisation map here);
 *   - UIDs are compared exactly, byte for byte after trimming: the same
 *     UID twice in one NA is one distinct UID (an exact duplicate);
 *   - not_authorised counts each NA's distinct UIDs absent from the
 *     authorised list's UID column.
 * This is the same as, in SQL: DELETE the disabled rows; per NA COUNT(*),
 * COUNT(DISTINCT uid); and COUNT(DISTINCT w.uid) of w LEFT JOIN a ON
 * a.uid = w.uid WHERE a.uid IS NULL.
 *
 * UIDs are kept in open-addressing hash sets over one string arena: no
 * allocation per row.  The authorised list is read on a second thread
 * while the Webportal list is read on the calling one.
 */
#ifndef SF_ULRECON_H
#define SF_ULRECON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

struct ulrecon_na {
	char *na; /* "" for users without NA */
	size_t users;	       /* enabled rows */
	size_t distinct;       /* distinct UIDs among them */
	size_t not_authorised; /* of those, not in the authorised list */
};

#define ULRECON_MAX_ISSUES 100

struct ulrecon {
	struct ulrecon_na *nas; /* sorted by NA (bytes) */
	size_t nnas;
	size_t rows;	   /* good Webportal rows read (enabled + disabled) */
	size_t disabled;   /* left out as Deleted */
	size_t bad_rows;   /* of both files, left out (skip_bad_rows) */
	size_t auth_rows;  /* good rows of the authorised list */
	size_t auth_uids;  /* distinct UIDs in it */
	char **issues;	   /* the first bad rows, as the importer says */
	size_t nissues, more_issues;
	/* totals over the NAs */
	size_t users, distinct, not_authorised;
	int wp_parts; /* the Webportal list was read in 1 or 2 parts */
};

struct ulrecon_opts {
	bool skip_bad_rows;
	bool one_thread; /* read the two files one after the other, and the
			    Webportal list in one part */
	size_t split_min; /* a smaller Webportal CSV is read in one part
			     (0: TABULAR_SPLIT_MIN) */
};

/*
 * Reconcile the Webportal list WP (WPLEN bytes, named WPNAME in messages)
 * with the authorised list AUTH into OUT (released by the caller with
 * ulrecon_release, also after a failure).  OPTS may be NULL.  SF_INVALID
 * on a bad file or bad rows (without skip_bad_rows), ERR naming file,
 * line and column.
 */
enum sf_status ulrecon_run(const char *wpname, const void *wp, size_t wplen,
			   const char *authname, const void *auth,
			   size_t authlen, const struct ulrecon_opts *opts,
			   struct ulrecon *out, struct sf_error *err);

/* The same on two files (mapped, at most 1 GiB each); SF_IO when one
 * cannot be read. */
enum sf_status ulrecon_files(const char *wp_path, const char *auth_path,
			     const struct ulrecon_opts *opts,
			     struct ulrecon *out, struct sf_error *err);

/* R as {"rows", "disabled", "bad_rows", "skipped": [...], "authorised":
 * {"rows", "uids"}, "nas": [{"na", "users", "distinct_uids",
 * "not_authorised"}], "total": {...}} (a new reference). */
json_t *ulrecon_json(const struct ulrecon *r);

void ulrecon_release(struct ulrecon *r);

#endif
