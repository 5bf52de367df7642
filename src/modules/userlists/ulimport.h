/*
 * ulimport.h - import a user-list file (CSV or XLSX) into the database:
 * read it (tabular.h), map and type its rows (columns.h), and store the
 * import and its rows with an audit record, all in one transaction.  An
 * import with bad rows changes nothing unless skip_bad_rows is set; then
 * the skipped rows are in the report.
 */
#ifndef SF_ULIMPORT_H
#define SF_ULIMPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/actor.h"
#include "store/store.h"

struct ulimport_opts {
	const char *resource; /* webportal, ccn, ... (SPEC 4.2) */
	const char *month;    /* YYYY-MM or NULL */
	int64_t review_id;    /* a review campaign, or 0 */
	const char *scope;    /* the NA/gateway of an answered workbook */
	const char *kind;     /* "list" (default) or "answer" */
	const char *sheet;    /* only this sheet, or NULL */
	bool skip_bad_rows;
	bool review_columns; /* webportal: require the SEC.5.1 columns */
};

/*
 * Import FILENAME's bytes DATA[0..LEN).  *IMPORT_ID gets the import's id;
 * *REPORT (may be NULL) gets {"import", "resource", "file", "rows",
 * "skipped": [{"sheet", "line", "message"}], "ignored": [...]}.  Errors
 * name file, sheet, line and column; nothing is stored on error.
 */
enum sf_status ulimport_file(struct store *st, const struct actor *who,
			     const struct ulimport_opts *o,
			     const char *filename, const void *data,
			     size_t len, int64_t *import_id, json_t **report,
			     struct sf_error *err);

/* The typed record R of resource RES as JSON (a new reference). */
json_t *ulimport_record_json(int res, const void *record);

#endif
