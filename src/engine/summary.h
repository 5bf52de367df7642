/*
 * summary.h - the list summary of an instance: the data fields its
 * process's "list:" names (docs/process-format.md), as compact JSON
 * text.  The store keeps it in a column of its own, written with the
 * data, so a list page neither reads nor parses the whole data.
 *
 * A summary is made with the current definition of the instance's
 * process (list pages show only the processes loaded); the setting
 * "list_fields" records which lists the stored summaries follow, and
 * summary_refresh() rewrites them all when the loaded definitions' lists
 * differ (a new database column, a definition whose list changed).  A row
 * whose summary is NULL is summarised when listed.
 */
#ifndef SF_SUMMARY_H
#define SF_SUMMARY_H

#include <jansson.h>

#include "core/buf.h"
#include "engine/procdef.h"
#include "engine/registry.h"
#include "store/store.h"

/* A new object with the fields of DATA that DEF's list names (those
 * present), values shared with DATA. */
json_t *summary_json(const struct procdef *def, json_t *data);
/* summary_json as compact JSON text; the caller frees it. */
char *summary_text(const struct procdef *def, json_t *data);
/* The summary of DATA for the loaded process PROCESS, or NULL when REG
 * has no such process (the row is then summarised when listed). */
char *summary_for(const struct registry *reg, const char *process,
		  json_t *data);
/* Rewrite every instance's summary, in one transaction, when the lists
 * of REG's definitions are not those the stored summaries follow. */
enum sf_status summary_refresh(struct store *st, const struct registry *reg,
			       struct sf_error *err);
/* Append S to B as a JSON string (quoted, escaped). */
void summary_json_string(struct buf *b, const char *s);

#endif
