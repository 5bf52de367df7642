/*
 * rev_internal.h - what the files of the reviews module share.
 */
#ifndef SF_REV_INTERNAL_H
#define SF_REV_INTERNAL_H

#include <jansson.h>

#include "engine/engine.h"

/* A campaign loaded in a write transaction (rev_open) or handed to a
 * hook by the engine (rev_wrap). */
struct rev {
	struct engine *e;
	struct store *st;
	const struct actor *who;
	struct instance *inst;
	struct instance own; /* rev_open's */
	const struct procdef *def;
	char object[64];
	sf_time now;
	int txn; /* rev_open began a transaction */
};

/* Begin a transaction and load campaign ID if WHO may see it and holds
 * one of ROLES (NULL-terminated; the operator and admins always do).
 * ROLES starting with "read:" asks for no transaction of its own (a
 * read in the caller's snapshot); rev_commit needs one. */
enum sf_status rev_open(struct engine *e, const struct actor *who,
			int64_t id, const char *const *roles, struct rev *r,
			struct sf_error *err);
/* Write the instance (and its access keys) and audit ACTION with AFTER
 * (not stolen), then commit; rolls back on failure.  rev_abort rolls
 * back.  Both release R. */
enum sf_status rev_commit(struct rev *r, const char *action, json_t *after,
			  struct sf_error *err);
void rev_abort(struct rev *r);
/* The same without the commit (inside someone else's transaction). */
enum sf_status rev_write(struct rev *r, const char *action, json_t *after,
			  struct sf_error *err);

/* The object DATA[KEY], made when absent. */
json_t *rev_obj(json_t *data, const char *key);
/* The review's quarter. */
const char *rev_quarter(const struct rev *r);
/* Today as YYYY-MM-DD. */
void rev_today(sf_time now, char out[16]);
/* Addresses of the users holding ROLE with SCOPE ("" any): new array. */
json_t *rev_addresses(struct store *st, const char *role, const char *scope,
		      sf_time now);
/* The Service Desk's addresses: setting service_desk_email, else the
 * users with role service_desk. */
json_t *rev_service_desk(struct store *st, sf_time now);
/* Queue a message about the campaign and note it in data "_mails"
 * (KIND npm, smt_copy, lsa, igl, reminder, query, changes...; SCOPE the
 * NA or gateway or ""). */
enum sf_status rev_mail(struct rev *r, const char *kind, const char *scope,
			json_t *to, json_t *bcc, const char *subject,
			const char *body, json_t *attachments,
			struct sf_error *err);
/* {"filename","content_type","data_b64"} of DATA[0..LEN). */
json_t *rev_attachment(const char *filename, const char *ctype,
		       const void *data, size_t len);

/* rev_reconcile.c */
enum sf_status rev_reconcile(struct store *st, int64_t review_id,
			     json_t **out, struct sf_error *err);

/* rev_workbook.c: the workbook bytes (*DATA new). */
char *rev_na_workbook_name(const char *quarter, const char *na);
char *rev_ccn_workbook_name(const char *quarter, const char *gateway);
enum sf_status rev_na_workbook(const char *quarter, const char *na,
			       json_t *users, sf_time now, char **data,
			       size_t *len, struct sf_error *err);
enum sf_status rev_ccn_workbook(const char *quarter, const char *gateway,
				json_t *rows, sf_time now, char **data,
				size_t *len, struct sf_error *err);
/* Rows (arrays of strings) into sheets: {"Sheet": [[...], ...]}. */
enum sf_status rev_table_workbook(json_t *sheets, char **data, size_t *len,
				  struct sf_error *err);

/* rev_send.c */
enum sf_status rev_send_parts(struct rev *r, const char *part,
			      json_t *report, struct sf_error *err);
enum sf_status rev_on_job(struct engine *e, const struct actor *sys,
			  struct instance *inst, const struct procdef *def,
			  const char *kind, json_t *payload, sf_time now,
			  struct sf_error *err);

/* rev_answer.c */
enum sf_status rev_consolidate(struct rev *r, struct sf_error *err);

#endif
