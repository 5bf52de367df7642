/*
 * store.h - the storage interface.  Everything secflow keeps goes through
 * one struct store_ops; each backend (store_sqlite.c, store_pg.c)
 * owns its SQL and has one const instance of the table.  Nothing above
 * store/ sees SQL or a database header.
 *
 * A struct store is one connection: use it from one thread at a time.
 * Writes happen between store_begin() and store_commit(); a failed call
 * inside a transaction leaves it to the caller to store_rollback().
 * Strings returned inside structs are owned by the struct (see the _free
 * functions); json_t results are new references.
 *
 * Access: task lists and list pages do not filter rows in C.  The engine
 * writes access keys (struct access_key below) for active steps and for
 * instances, and asks tasks_for / instance_list_for with the (role,
 * scope) pairs of the actor's grants; the backends answer from indexes
 * on the key tables of migration 004 (step_keys, instance_keys).
 */
#ifndef SF_STORE_H
#define SF_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/status.h"

struct store;

struct user {
	int64_t id;
	char *name;
	char *email;
	char *pw_hash; /* argon2id string, or NULL */
	int failed_logins;
	sf_time locked_until;
	int disabled;
};

struct grant {
	int64_t id;
	int64_t user_id;
	char *role;
	char *scope; /* "" when unscoped */
	/* Delegations only: */
	int64_t from_user; /* 0 for a direct grant */
	char *from_name;
	char *until; /* YYYY-MM-DD, last day the delegation holds */
};

struct grant_list {
	struct grant *v;
	size_t n;
};

struct instance {
	int64_t id;
	int64_t procdef_id;
	char *process;
	char *object; /* API plural */
	char *state;  /* "running", "done", "stopped" */
	json_t *data;
	sf_time created;
	sf_time updated;
	int64_t rev;
};

/*
 * One item of a list page: an instance without its data, with its list
 * summary (compact JSON text of the list fields, engine/summary.h), or,
 * for a row whose summary was never made (NULL), its whole data.
 */
struct summary_row {
	int64_t id;
	char *process;
	char *state;
	char *summary; /* a JSON object's text, or NULL */
	json_t *data;  /* only when summary is NULL */
	sf_time created;
	sf_time updated;
};

struct summary_list {
	struct summary_row *v;
	size_t n;
};

struct step_row {
	int64_t id;
	int64_t instance_id;
	char *step;
	char *state; /* "active", "done", "skipped", "cancelled" */
	sf_time activated;
	char *due; /* YYYY-MM-DD or NULL */
	int overdue;
	sf_time completed;
	char *user_name; /* who performed it */
	char *role;
	char *acting_for;
	json_t *input; /* may be NULL */
	char *roles;   /* ",ds,snet," the roles that may perform it */
	char *scope;   /* scope value the scoped roles must hold, or "" */
	/* Filled by task queries only: */
	char *process;
	char *object;
};

struct step_list {
	struct step_row *v;
	size_t n;
};

/*
 * An access key: a ROLE, and the SCOPE a grant of it must have ("" = any
 * grant of the role will do).  An active step has one key per role that
 * may perform it, an instance one per role that may see it (readers and
 * every step role); an actor asks with the pairs its grants give:
 * (role, "") for every grant, and (role, scope) for a scoped one.  A
 * key matches a pair when both are equal, so the lookups are plain
 * index probes.  The engine computes keys (engine/access.h).
 */
struct access_key {
	char *role;
	char *scope;
};

struct access_keys {
	struct access_key *v;
	size_t n;
};

struct job {
	int64_t id;
	char *kind; /* "sla", "reminder", "wait", ... */
	int64_t instance_id;
	int64_t step_id;
	sf_time due_at;
	char *payload;
};

struct job_list {
	struct job *v;
	size_t n;
};

struct audit_rec {
	int64_t id;
	sf_time ts;
	char *user_name;
	char *role;
	char *acting_for;
	char *object; /* "samples/12", "users/alice" */
	char *action;
	char *before; /* JSON text or NULL */
	char *after;
	char *prev_hash;
	char *hash;
};

struct outbox_row {
	int64_t id;
	sf_time created;
	json_t *to, *cc, *bcc; /* arrays of strings */
	char *subject;
	char *body;
	json_t *attachments; /* [{"filename","content_type","data_b64"}] */
	char *format;	     /* "email", "encrypted", "paper" */
	char *state;	     /* "queued", "sent", "failed" */
	int attempts;
	sf_time next_attempt;
	char *last_error;
	sf_time sent_at;
	char *object;
};

struct outbox_list {
	struct outbox_row *v;
	size_t n;
};

/* An imported user list (seed 002 SEC.5, SEC.6). */
struct ulist_import {
	int64_t id;
	const char *resource; /* webportal, ccn, ... */
	const char *month;    /* YYYY-MM, or NULL */
	int64_t review_id;    /* the review campaign, or 0 */
	const char *scope;    /* NA, gateway or team of an answer, or "" */
	const char *kind;     /* "list" or "answer" */
	const char *filename;
	json_t *info;	      /* sheets, ignored columns, skipped rows */
	int64_t nrows;
	sf_time imported;
	const char *by;
};

/* One user row of an import: the columns reconciliation reads, and the
 * whole typed record. */
struct ulist_row {
	int64_t n; /* order within the import, from 1 */
	int64_t line;
	const char *sheet;
	const char *uid;
	const char *full_name;
	const char *na;
	const char *email;
	int disabled;
	json_t *data;
};

/* Called for each row in order; non-zero stops. */
typedef int (*ulist_row_fn)(void *ctx, const struct ulist_row *row);

/* Called for each audit record in id order; non-zero stops. */
typedef int (*audit_fn)(void *ctx, const struct audit_rec *rec);

struct store_ops {
	const char *name;
	enum sf_status (*open)(const char *url, struct store **out,
			       struct sf_error *err);
	void (*close)(struct store *st);
	/* Apply pending migrations; *applied gets how many. */
	enum sf_status (*migrate)(struct store *st, int *applied,
				  struct sf_error *err);
	enum sf_status (*schema_version)(struct store *st, int *version,
					 struct sf_error *err);
	enum sf_status (*backup)(struct store *st, const char *path,
				 struct sf_error *err);
	enum sf_status (*begin)(struct store *st, struct sf_error *err);
	/* A read-only transaction: one consistent snapshot (and one lock)
	 * for all the reads of a request; end it with commit or rollback.
	 * SQLite takes the snapshot at the first read, so a request that
	 * reads nothing (a cached answer) takes no lock. */
	enum sf_status (*begin_read)(struct store *st, struct sf_error *err);
	enum sf_status (*commit)(struct store *st, struct sf_error *err);
	void (*rollback)(struct store *st);

	/* users, grants, delegations, sessions */
	enum sf_status (*user_add)(struct store *st, const char *name,
				   const char *email, const char *pw_hash,
				   sf_time now, int64_t *id,
				   struct sf_error *err);
	/* By name when NAME is non-NULL, else by ID. */
	enum sf_status (*user_get)(struct store *st, const char *name,
				   int64_t id, struct user *out,
				   struct sf_error *err);
	enum sf_status (*user_list)(struct store *st, json_t **out,
				    struct sf_error *err);
	enum sf_status (*user_set_password)(struct store *st, int64_t id,
					    const char *pw_hash,
					    struct sf_error *err);
	enum sf_status (*user_set_login_state)(struct store *st, int64_t id,
					       int failed_logins,
					       sf_time locked_until,
					       struct sf_error *err);
	enum sf_status (*grant_add)(struct store *st, int64_t user_id,
				    const char *role, const char *scope,
				    struct sf_error *err);
	enum sf_status (*grant_remove)(struct store *st, int64_t user_id,
				       const char *role, const char *scope,
				       struct sf_error *err);
	/* Direct grants of USER_ID. */
	enum sf_status (*grants_of)(struct store *st, int64_t user_id,
				    struct grant_list *out,
				    struct sf_error *err);
	enum sf_status (*delegation_add)(struct store *st, int64_t from_user,
					 int64_t to_user, const char *role,
					 const char *scope, const char *until,
					 sf_time now, struct sf_error *err);
	/* Delegations to USER_ID that hold on day TODAY (YYYY-MM-DD). */
	enum sf_status (*delegations_to)(struct store *st, int64_t user_id,
					 const char *today,
					 struct grant_list *out,
					 struct sf_error *err);
	/* Users holding ROLE with SCOPE ("" = any scope), directly or by a
	 * delegation holding TODAY: a JSON array of {"name","email"}. */
	enum sf_status (*users_with_role)(struct store *st, const char *role,
					  const char *scope, const char *today,
					  json_t **out, struct sf_error *err);
	enum sf_status (*session_add)(struct store *st, const char *token_hash,
				      int64_t user_id, const char *kind,
				      sf_time now, sf_time expires,
				      struct sf_error *err);
	/* SF_NOT_FOUND when absent or expired at NOW. */
	enum sf_status (*session_get)(struct store *st, const char *token_hash,
				      sf_time now, int64_t *user_id,
				      struct sf_error *err);
	enum sf_status (*session_delete)(struct store *st,
					 const char *token_hash,
					 struct sf_error *err);

	/* calendar */
	enum sf_status (*holiday_put)(struct store *st, sf_date day,
				      const char *name, struct sf_error *err);
	/* JSON object {"YYYY-MM-DD": "name"}. */
	enum sf_status (*holidays)(struct store *st, json_t **out,
				   struct sf_error *err);

	/* process definitions: the exact source of each version used */
	enum sf_status (*procdef_put)(struct store *st, const char *name,
				      int version, const char *hash,
				      const char *source, sf_time now,
				      int64_t *id, struct sf_error *err);
	enum sf_status (*procdef_source)(struct store *st, int64_t id,
					 char **source, struct sf_error *err);

	/* instances and their steps */
	/* SUMMARY (here and in instance_update) is the list summary of
	 * DATA (engine/summary.h), or NULL when not known: the row is then
	 * summarised when listed. */
	enum sf_status (*instance_add)(struct store *st, int64_t procdef_id,
				       const char *process, const char *object,
				       json_t *data, const char *summary,
				       sf_time now, int64_t *id,
				       struct sf_error *err);
	enum sf_status (*instance_get)(struct store *st, int64_t id,
				       struct instance *out,
				       struct sf_error *err);
	/* Write state and data if rev is still EXPECTED_REV (else
	 * SF_CONFLICT); the row's rev becomes EXPECTED_REV + 1. */
	enum sf_status (*instance_update)(struct store *st, int64_t id,
					  const char *state, json_t *data,
					  const char *summary,
					  int64_t expected_rev, sf_time now,
					  struct sf_error *err);
	/* Write only the summary of instance ID (summary_refresh). */
	enum sf_status (*instance_summary_put)(struct store *st, int64_t id,
					       const char *summary,
					       struct sf_error *err);
	/* Instances of OBJECT (NULL = all) with an id below BEFORE (0: no
	 * bound), newest first, at most LIMIT (0: all): JSON array of
	 * {"id","process","state","data","created","updated"}. */
	enum sf_status (*instance_list)(struct store *st, const char *object,
					int64_t before, size_t limit,
					json_t **out, struct sf_error *err);
	enum sf_status (*step_add)(struct store *st, const struct step_row *s,
				   int64_t *id, struct sf_error *err);
	/* Close an active step: STATE is "done", "skipped" or "cancelled".
	 * SF_CONFLICT when it was not active any more. */
	enum sf_status (*step_close)(struct store *st, int64_t id,
				     const char *state, sf_time now,
				     const char *user_name, const char *role,
				     const char *acting_for, json_t *input,
				     struct sf_error *err);
	/* Mark an active step overdue; SF_CONFLICT when it is closed or
	 * was marked already (so only one node ever reports it). */
	enum sf_status (*step_set_overdue)(struct store *st, int64_t id,
					   struct sf_error *err);
	enum sf_status (*step_get)(struct store *st, int64_t id,
				   struct step_row *out, struct sf_error *err);
	/* All steps of an instance (ACTIVE_ONLY: state active), by id. */
	enum sf_status (*steps_of)(struct store *st, int64_t instance_id,
				   int active_only, struct step_list *out,
				   struct sf_error *err);
	/* Every active step, with process and object filled, in no
	 * particular order (SLA checks). */
	enum sf_status (*steps_active_all)(struct store *st,
					   struct step_list *out,
					   struct sf_error *err);

	/* Access keys: rows of their own, written by the engine in the
	 * transaction that adds or changes the step or instance, and read
	 * through indexes on (role, scope, ...) so that a task list or a
	 * list page costs what it returns, not what the database holds. */
	/* Record the keys of active step STEP_ID (step_close drops them). */
	enum sf_status (*step_keys_put)(struct store *st, int64_t step_id,
					const struct access_keys *keys,
					struct sf_error *err);
	/* Replace the visibility keys of instance ID of OBJECT. */
	enum sf_status (*instance_keys_put)(struct store *st, int64_t id,
					    const char *object,
					    const struct access_keys *keys,
					    struct sf_error *err);
	/* The active steps one of the pairs PAIRS (NULL: any step at all)
	 * may perform, with process and object filled (input left NULL):
	 * soonest due first, those without a due date last, then by id. */
	enum sf_status (*tasks_for)(struct store *st,
				    const struct access_keys *pairs,
				    struct step_list *out,
				    struct sf_error *err);
	/* Like instance_list for one OBJECT (non-NULL), but only the
	 * instances one of PAIRS (NULL: every instance) may see. */
	enum sf_status (*instance_list_for)(struct store *st,
					    const char *object,
					    const struct access_keys *pairs,
					    int64_t before, size_t limit,
					    json_t **out,
					    struct sf_error *err);
	/* instance_list_for as a list page shows it: the rows' summaries
	 * instead of their data, which is never read unless a summary is
	 * missing. */
	enum sf_status (*instance_summaries_for)(
		struct store *st, const char *object,
		const struct access_keys *pairs, int64_t before, size_t limit,
		struct summary_list *out, struct sf_error *err);
	enum sf_status (*join_arrive)(struct store *st, int64_t instance_id,
				      const char *join_step,
				      const char *from_step,
				      struct sf_error *err);
	/* How many of the join's predecessors have arrived. */
	enum sf_status (*join_count)(struct store *st, int64_t instance_id,
				     const char *join_step, int *count,
				     struct sf_error *err);
	enum sf_status (*join_clear)(struct store *st, int64_t instance_id,
				     const char *join_step,
				     struct sf_error *err);

	/* background jobs */
	enum sf_status (*job_add)(struct store *st, const char *kind,
				  int64_t instance_id, int64_t step_id,
				  sf_time due_at, const char *payload,
				  struct sf_error *err);
	/* Lease up to MAX due jobs to OWNER until NOW + LEASE_S; a job whose
	 * lease ran out (its node died) is claimable again. */
	enum sf_status (*jobs_claim)(struct store *st, sf_time now,
				     const char *owner, int lease_s,
				     size_t max, struct job_list *out,
				     struct sf_error *err);
	/* Mark done if still leased by OWNER (SF_CONFLICT otherwise): call it
	 * in the transaction that does the job's work. */
	enum sf_status (*job_done)(struct store *st, int64_t id,
				   const char *owner, sf_time now,
				   struct sf_error *err);
	/* Drop the pending jobs of a step (it closed). */
	enum sf_status (*jobs_cancel_step)(struct store *st, int64_t step_id,
					   sf_time now, struct sf_error *err);

	/* audit */
	/* Lock the chain head and give the last record's id and hash
	 * ("" and 0 when the chain is empty). */
	enum sf_status (*audit_head)(struct store *st, int64_t *id,
				     char hash[65], struct sf_error *err);
	enum sf_status (*audit_insert)(struct store *st,
				       const struct audit_rec *rec,
				       struct sf_error *err);
	/* Records in id order; OBJECT non-NULL: that object's only. */
	enum sf_status (*audit_each)(struct store *st, const char *object,
				     audit_fn fn, void *ctx,
				     struct sf_error *err);

	/* outbox */
	enum sf_status (*outbox_add)(struct store *st,
				     const struct outbox_row *m, int64_t *id,
				     struct sf_error *err);
	/* STATE NULL: all; newest first */
	enum sf_status (*outbox_list)(struct store *st, const char *state,
				      struct outbox_list *out,
				      struct sf_error *err);
	/* Lease queued messages due at NOW (like jobs_claim). */
	enum sf_status (*outbox_claim)(struct store *st, sf_time now,
				       const char *owner, int lease_s,
				       size_t max, struct outbox_list *out,
				       struct sf_error *err);
	enum sf_status (*outbox_mark)(struct store *st, int64_t id,
				      const char *state, int attempts,
				      sf_time next_attempt,
				      const char *last_error, sf_time now,
				      struct sf_error *err);

	/* settings: small key/value configuration kept in the database */
	enum sf_status (*setting_get)(struct store *st, const char *key,
				      char **value, struct sf_error *err);
	enum sf_status (*setting_put)(struct store *st, const char *key,
				      const char *value, struct sf_error *err);

	/* A stamp of the database's contents: equal stamps (both non-zero)
	 * mean no transaction committed in between, so answers computed
	 * from it may be reused (GET /tasks, the session cache).  Inside an
	 * open read snapshot, the snapshot's; before one (begin_read only
	 * asked for, or none), the last commit's, which is never newer than
	 * a snapshot begun after it (SQLite reads it without a lock:
	 * walstamp.h).  {0, 0}: the backend cannot tell (PostgreSQL): never
	 * reuse. */
	enum sf_status (*generation)(struct store *st, uint64_t out[2],
				     struct sf_error *err);

	/* user lists: an import and its rows, in the caller's transaction
	 * (an import with errors is rolled back whole). */
	enum sf_status (*ulist_import_add)(struct store *st,
					   const struct ulist_import *imp,
					   int64_t *id, struct sf_error *err);
	enum sf_status (*ulist_row_add)(struct store *st, int64_t import_id,
					const struct ulist_row *row,
					struct sf_error *err);
	/* Imports of RESOURCE (NULL: any) for MONTH (NULL: any) and
	 * REVIEW_ID (0: any), oldest first: [{"id","resource","month",
	 * "review_id","scope","kind","filename","info","nrows","imported",
	 * "by"}]. */
	enum sf_status (*ulist_imports)(struct store *st, const char *resource,
					const char *month, int64_t review_id,
					json_t **out, struct sf_error *err);
	/* The rows of import IMPORT_ID in order. */
	enum sf_status (*ulist_rows_each)(struct store *st, int64_t import_id,
					  ulist_row_fn fn, void *ctx,
					  struct sf_error *err);

	/* counters: numbered series, each value handed out once even with
	 * several nodes (the row is locked until the transaction ends). */
	enum sf_status (*counter_next)(struct store *st, const char *name,
				       int64_t *value, struct sf_error *err);

	/* catalogues: small named entries of a KIND ("company", "system",
	 * "na_map"...), each with JSON DATA, kept by the modules. */
	enum sf_status (*catalog_put)(struct store *st, const char *kind,
				      const char *name, json_t *data,
				      sf_time now, struct sf_error *err);
	/* SF_NOT_FOUND when absent. */
	enum sf_status (*catalog_get)(struct store *st, const char *kind,
				      const char *name, json_t **data,
				      struct sf_error *err);
	/* The entries of KIND by name: [{"name","data","updated"}]. */
	enum sf_status (*catalog_list)(struct store *st, const char *kind,
				       json_t **out, struct sf_error *err);
	/* SF_NOT_FOUND when absent. */
	enum sf_status (*catalog_delete)(struct store *st, const char *kind,
					 const char *name,
					 struct sf_error *err);
};

struct store {
	const struct store_ops *ops;
};

/* Pick the backend from URL: "postgres://..." or "postgresql://..." →
 * PostgreSQL (when built), anything else a SQLite file path. */
enum sf_status store_open(const char *url, struct store **out,
			  struct sf_error *err);
void store_close(struct store *st);

extern const struct store_ops store_sqlite_ops;

void user_release(struct user *u);
void grant_list_release(struct grant_list *l);
void instance_release(struct instance *i);
void step_row_release(struct step_row *s);
void summary_list_release(struct summary_list *l);

/* Call FN(CTX, instance, ERR) for every instance (the JSON instance_list
 * gives: id, process, state, data...), newest first, reading them in
 * batches, in the caller's transaction; stops at FN's first failure and
 * returns it. */
enum sf_status store_each_instance(struct store *st,
				   enum sf_status (*fn)(void *ctx, json_t *inst,
							struct sf_error *err),
				   void *ctx, struct sf_error *err);
void step_list_release(struct step_list *l);
/* Add ROLE with SCOPE (copied) unless K holds it already. */
void access_keys_add(struct access_keys *k, const char *role,
		     const char *scope);
void access_keys_release(struct access_keys *k);
/* K as a JSON array of {"role","scope"} (how both backends take a set of
 * pairs as one parameter); the caller frees the text. */
char *access_keys_json(const struct access_keys *k);
void job_list_release(struct job_list *l);
void outbox_row_release(struct outbox_row *m);
void outbox_list_release(struct outbox_list *l);

#endif
