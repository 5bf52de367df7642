/*
 * reviews.h - the bi-annual user access review (seed 002 SEC.5, SPEC
 * 3.3): the hooks of review.campaign and the work around its steps.
 *
 * A campaign reads the user lists imported for it (ulimport_file with
 * review_id), reconciles them (disabled users out, duplicates found, the
 * NA of each Webportal user, staff accounts against the authorised list),
 * writes the workbooks, queues the e-mails, reminds the silent, checks
 * the answers and consolidates the result.  Every function below that
 * changes something runs in its own transaction with an audit record.
 * WHO must be allowed (security_manager unless said; the CLI operator
 * always is); an instance WHO may not see is SF_NOT_FOUND.
 */
#ifndef SF_REVIEWS_H
#define SF_REVIEWS_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/engine.h"

extern const struct module_hooks reviews_hooks;

/* Start review.campaign for QUARTER ("2026Q4"); *ID gets its id. */
enum sf_status review_start(struct engine *e, const struct actor *who,
			    const char *quarter, int64_t *id,
			    struct sf_error *err);

/* Import a list file for campaign ID (security_manager, service_desk):
 * RESOURCE as ulimport_file takes it; SCOPE names the gateway of a CCN
 * list (NULL: the file's base name).  *REPORT as ulimport_file's. */
enum sf_status review_import(struct engine *e, const struct actor *who,
			     int64_t id, const char *resource,
			     const char *scope, const char *filename,
			     const void *data, size_t len, bool skip_bad_rows,
			     json_t **report, struct sf_error *err);

/* The reconciliation of campaign ID as JSON (new reference): counts,
 * per-NA users, users without NA, LISO list, duplicates, staff absent
 * from the authorised list per team, CCN gateways, IGLs. */
enum sf_status review_reconcile(struct engine *e, const struct actor *who,
				int64_t id, json_t **out,
				struct sf_error *err);

/* Write every workbook of campaign ID into DIR; *FILES gets the paths. */
enum sf_status review_workbooks(struct engine *e, const struct actor *who,
				int64_t id, const char *dir, json_t **files,
				struct sf_error *err);

/* Make the workbooks and queue the e-mails not sent yet (per NA to its
 * NPMs and the SMT copy, per gateway to its LSAs, one to the IGLs in
 * BCC); schedule the reminders.  *REPORT gets what was queued. */
enum sf_status review_send(struct engine *e, const struct actor *who,
			   int64_t id, json_t **report, struct sf_error *err);

/* Import an answer and check it: NA (a returned NA workbook), GATEWAY
 * (a returned CCN workbook) or IGL (an address: that IGL answered, no
 * file).  security_manager, service_desk, or the NPM/LSA of that scope.
 * *REPORT gets the status, the findings and the decisions. */
struct review_answer_in {
	const char *na, *gateway, *igl;
	const char *filename;
	const void *data;
	size_t len;
};
enum sf_status review_answer(struct engine *e, const struct actor *who,
			     int64_t id, const struct review_answer_in *in,
			     json_t **report, struct sf_error *err);

/* The consolidated result, FORMAT "md" or "xlsx": *DATA (new), *LEN,
 * *CTYPE (static). */
enum sf_status review_result(struct engine *e, const struct actor *who,
			     int64_t id, const char *format, char **data,
			     size_t *len, const char **ctype,
			     struct sf_error *err);

/* "2026Q4" → 0; anything else -1. */
int review_quarter_ok(const char *q);

#endif
