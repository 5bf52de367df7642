/*
 * store_pg.c - the PostgreSQL backend of store.h, on libpq.
 *
 * One connection per struct store, as for SQLite.  Every statement with a
 * parameter is one of the table stmts[] below: prepared on the connection
 * the first time it is used (named after its index) and then executed
 * with text parameters, so no SQL is ever built from strings.  Prepared
 * statements outlive transactions, so a rollback never loses them.
 * Measured against PQexecParams (parse and plan at every call) on a
 * loaded 2-core machine: reads by key take 50-80 us prepared against
 * 100-240 us, and write transactions are bound by the commit's fsync
 * either way.
 *
 * Semantics follow store_sqlite.c op by op.  Where SQLite serialises
 * writers with BEGIN IMMEDIATE, PostgreSQL runs READ COMMITTED and the
 * ops lock what they must: the audit chain through the one row of
 * audit_head (SELECT ... FOR UPDATE), instances through their rev check,
 * steps and jobs through conditional updates, and the job and outbox
 * leases through FOR UPDATE SKIP LOCKED, so several nodes can share one
 * database and each job runs once.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/embedded.h"
#include "store.h"

const struct store_ops *store_pg_ops_get(void);

static const struct store_ops store_pg_ops;

/* Taken by migrate() so that two nodes starting together never apply the
 * same migration twice ("secf" in ASCII). */
#define PQ_MIGRATE_LOCK "1936024422"

enum stmt {
	S_USER_ADD,
	S_USER_BY_NAME,
	S_USER_BY_ID,
	S_USER_LIST,
	S_USER_SET_PASSWORD,
	S_USER_SET_LOGIN,
	S_GRANT_ADD,
	S_GRANT_REMOVE,
	S_GRANTS_OF,
	S_DELEGATION_ADD,
	S_DELEGATIONS_TO,
	S_USERS_WITH_ROLE,
	S_SESSION_ADD,
	S_SESSION_GET,
	S_SESSION_DELETE,
	S_HOLIDAY_PUT,
	S_HOLIDAYS,
	S_PROCDEF_ID,
	S_PROCDEF_ADD,
	S_PROCDEF_SOURCE,
	S_INSTANCE_ADD,
	S_INSTANCE_GET,
	S_INSTANCE_UPDATE,
	S_INSTANCE_LIST,
	S_STEP_ADD,
	S_STEP_CLOSE,
	S_STEP_OVERDUE,
	S_STEP_GET,
	S_STEPS_OF,
	S_STEPS_OF_ACTIVE,
	S_STEPS_ACTIVE_ALL,
	S_STEP_KEYS_PUT,
	S_INSTANCE_KEYS_PUT,
	S_TASKS_ALL,
	S_TASKS_BY_ID,
	S_INSTANCE_LIST_ALL,
	S_INSTANCE_LIST_FOR,
	S_INSTANCE_SUMMARY_PUT,
	S_SUMMARIES_ALL,
	S_SUMMARIES_FOR,
	S_JOIN_ARRIVE,
	S_JOIN_COUNT,
	S_JOIN_CLEAR,
	S_JOB_ADD,
	S_JOBS_CLAIM,
	S_JOB_DONE,
	S_JOBS_CANCEL_STEP,
	S_AUDIT_HEAD,
	S_AUDIT_INSERT,
	S_AUDIT_EACH,
	S_OUTBOX_ADD,
	S_OUTBOX_LIST,
	S_OUTBOX_CLAIM,
	S_OUTBOX_MARK,
	S_SETTING_GET,
	S_SETTING_PUT,
	S_MIGRATION_ADD,
	S_ULIST_IMPORT_ADD,
	S_ULIST_ROW_ADD,
	S_ULIST_IMPORTS,
	S_ULIST_ROWS,
	S_COUNTER_NEXT,
	S_CATALOG_PUT,
	S_CATALOG_GET,
	S_CATALOG_LIST,
	S_CATALOG_DELETE,
	S_COUNT
};

#define USER_COLS                                                              \
	"id, name, email, pw_hash, failed_logins, locked_until, disabled"

#define STEP_COLS                                                              \
	"s.id, s.instance_id, s.step, s.state, s.activated, s.due, "           \
	"s.overdue, s.completed, s.user_name, s.role, s.acting_for, "          \
	"s.input, s.roles, s.scope"

/* STEP_COLS without the input (task lists show none), and the process. */
#define TASK_COLS                                                              \
	"s.id, s.instance_id, s.step, s.state, s.activated, s.due, "           \
	"s.overdue, s.completed, s.user_name, s.role, s.acting_for, "          \
	"NULL, s.roles, s.scope, i.process, i.object"

#define OUTBOX_COLS                                                            \
	"id, created, mto, mcc, mbcc, subject, body, attachments, format, "    \
	"state, attempts, next_attempt, last_error, sent_at, object"

/* Text is ordered byte-wise (COLLATE "C"), as SQLite does, whatever the
 * database's locale. */
static const char *const stmts[S_COUNT] = {
    [S_USER_ADD] = "INSERT INTO users(name, email, pw_hash, created) "
		   "VALUES ($1, $2, $3, $4) RETURNING id",
    [S_USER_BY_NAME] = "SELECT " USER_COLS " FROM users WHERE name = $1",
    [S_USER_BY_ID] = "SELECT " USER_COLS " FROM users WHERE id = $1",
    [S_USER_LIST] =
	"SELECT u.name, coalesce(u.email, ''), (SELECT "
	"string_agg(g.role || CASE g.scope WHEN '' THEN '' ELSE ':' "
	"|| g.scope END, ' ' ORDER BY g.id) FROM grants g WHERE "
	"g.user_id = u.id) FROM users u ORDER BY u.name COLLATE \"C\"",
    [S_USER_SET_PASSWORD] = "UPDATE users SET pw_hash = $1, "
			    "failed_logins = 0, locked_until = 0 WHERE "
			    "id = $2",
    [S_USER_SET_LOGIN] = "UPDATE users SET failed_logins = $1, "
			 "locked_until = $2 WHERE id = $3",
    [S_GRANT_ADD] = "INSERT INTO grants(user_id, role, scope) VALUES "
		    "($1, $2, $3) ON CONFLICT DO NOTHING",
    [S_GRANT_REMOVE] = "DELETE FROM grants WHERE user_id = $1 AND "
		       "role = $2 AND scope = $3",
    [S_GRANTS_OF] = "SELECT id, user_id, role, scope FROM grants WHERE "
		    "user_id = $1 ORDER BY role COLLATE \"C\", scope "
		    "COLLATE \"C\"",
    [S_DELEGATION_ADD] = "INSERT INTO delegations(from_user, to_user, "
			 "role, scope, until, created) VALUES ($1, $2, "
			 "$3, $4, $5, $6)",
    /* A delegation holds only while its giver still holds the role. */
    [S_DELEGATIONS_TO] =
	"SELECT d.id, d.to_user, d.role, d.scope, d.from_user, "
	"u.name, d.until FROM delegations d JOIN users u ON u.id = "
	"d.from_user WHERE d.to_user = $1 AND d.until >= $2 AND "
	"EXISTS (SELECT 1 FROM grants g WHERE g.user_id = d.from_user "
	"AND g.role = d.role AND g.scope = d.scope) ORDER BY d.role "
	"COLLATE \"C\", d.scope COLLATE \"C\"",
    [S_USERS_WITH_ROLE] =
	"SELECT u.name, coalesce(u.email, '') FROM users u WHERE "
	"u.disabled = 0 AND (EXISTS (SELECT 1 FROM grants g WHERE "
	"g.user_id = u.id AND g.role = $1::text AND ($2::text = '' OR "
	"g.scope = $2::text)) OR EXISTS (SELECT 1 FROM delegations d "
	"JOIN grants g ON g.user_id = d.from_user AND g.role = d.role "
	"AND g.scope = d.scope WHERE d.to_user = u.id AND d.role = "
	"$1::text AND ($2::text = '' OR d.scope = $2::text) AND "
	"d.until >= $3::text)) ORDER BY u.name COLLATE \"C\"",
    [S_SESSION_ADD] = "INSERT INTO sessions(token_hash, user_id, kind, "
		      "created, expires) VALUES ($1, $2, $3, $4, $5)",
    [S_SESSION_GET] = "SELECT user_id FROM sessions WHERE token_hash = "
		      "$1 AND expires > $2",
    [S_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = $1",
    [S_HOLIDAY_PUT] = "INSERT INTO holidays(day, name) VALUES ($1, $2) "
		      "ON CONFLICT (day) DO UPDATE SET name = "
		      "excluded.name",
    [S_HOLIDAYS] = "SELECT day, name FROM holidays ORDER BY day COLLATE "
		   "\"C\"",
    [S_PROCDEF_ID] = "SELECT id FROM procdefs WHERE hash = $1",
    [S_PROCDEF_ADD] = "INSERT INTO procdefs(name, version, hash, source, "
		      "loaded) VALUES ($1, $2, $3, $4, $5) ON CONFLICT "
		      "(hash) DO NOTHING RETURNING id",
    [S_PROCDEF_SOURCE] = "SELECT source FROM procdefs WHERE id = $1",
    [S_INSTANCE_ADD] = "INSERT INTO instances(procdef_id, process, "
		       "object, state, data, summary, created, updated) "
		       "VALUES ($1, $2, $3, 'running', $4, $5, $6, $6) "
		       "RETURNING id",
    [S_INSTANCE_GET] = "SELECT id, procdef_id, process, object, state, "
		       "data, created, updated, rev FROM instances WHERE "
		       "id = $1",
    [S_INSTANCE_UPDATE] = "UPDATE instances SET state = $1, data = $2, "
			  "summary = $3, updated = $4, rev = rev + 1 WHERE "
			  "id = $5 AND rev = $6",
    [S_INSTANCE_SUMMARY_PUT] = "UPDATE instances SET summary = $1 WHERE "
			       "id = $2",
    [S_INSTANCE_LIST] = "SELECT id, process, state, data, created, "
			"updated FROM instances WHERE ($1::text IS NULL "
			"OR object = $1::text) AND ($2::bigint = 0 OR id < "
			"$2::bigint) ORDER BY id DESC LIMIT $3::bigint",
    [S_STEP_ADD] = "INSERT INTO steps(instance_id, step, state, "
		   "activated, due, completed, user_name, role, "
		   "acting_for, input, roles, scope) VALUES ($1, $2, $3, "
		   "$4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    /* Only active steps have task keys: they go in the same statement. */
    [S_STEP_CLOSE] = "WITH u AS (UPDATE steps SET state = $1, completed = "
		     "$2, user_name = $3, role = $4, acting_for = $5, input "
		     "= $6 WHERE id = $7 AND state = 'active' RETURNING id), "
		     "d AS (DELETE FROM step_keys WHERE step_id IN (SELECT "
		     "id FROM u)) SELECT count(*) FROM u",
    [S_STEP_OVERDUE] = "UPDATE steps SET overdue = 1 WHERE id = $1 AND "
		       "overdue = 0 AND state = 'active'",
    [S_STEP_GET] = "SELECT " STEP_COLS " FROM steps s WHERE s.id = $1",
    [S_STEPS_OF] = "SELECT " STEP_COLS " FROM steps s WHERE "
		   "s.instance_id = $1 ORDER BY s.id",
    [S_STEPS_OF_ACTIVE] = "SELECT " STEP_COLS " FROM steps s WHERE "
			  "s.instance_id = $1 AND s.state = 'active' "
			  "ORDER BY s.id",
    [S_STEPS_ACTIVE_ALL] = "SELECT " STEP_COLS ", i.process, i.object "
			   "FROM steps s JOIN instances i ON i.id = "
			   "s.instance_id WHERE s.state = 'active' ORDER "
			   "BY s.due IS NULL, s.due COLLATE \"C\", s.id",
    [S_STEP_KEYS_PUT] = "INSERT INTO step_keys(role, scope, step_id) "
			"SELECT DISTINCT p.role, p.scope, $2::bigint FROM "
			"jsonb_to_recordset($1::jsonb) AS p(role text, "
			"scope text) ON CONFLICT DO NOTHING",
    /* The keys that stay are not touched: the DELETE and the INSERT of
     * one statement must not meet on the same row. */
    [S_INSTANCE_KEYS_PUT] =
	"WITH k AS (SELECT DISTINCT p.role, p.scope FROM "
	"jsonb_to_recordset($3::jsonb) AS p(role text, scope text)), d AS "
	"(DELETE FROM instance_keys x WHERE x.instance_id = $1::bigint AND "
	"NOT EXISTS (SELECT 1 FROM k WHERE k.role = x.role AND k.scope = "
	"x.scope)) INSERT INTO instance_keys(role, scope, object, "
	"instance_id) SELECT k.role, k.scope, $2::text, $1::bigint FROM k "
	"ON CONFLICT DO NOTHING",
    [S_TASKS_ALL] = "SELECT " TASK_COLS " FROM steps s JOIN instances i ON "
		    "i.id = s.instance_id WHERE s.state = 'active' ORDER BY "
		    "s.due IS NULL, s.due COLLATE \"C\", s.id",
    /* The steps of sql_step_keys_of: primary key probes. */
    [S_TASKS_BY_ID] = "SELECT " TASK_COLS " FROM steps s JOIN instances i "
		      "ON i.id = s.instance_id WHERE s.id = ANY($1::bigint[]) "
		      "AND s.state = 'active' ORDER BY s.due IS NULL, s.due "
		      "COLLATE \"C\", s.id",
    [S_INSTANCE_LIST_ALL] = "SELECT id, process, state, data, created, "
			    "updated FROM instances WHERE object = $1::text "
			    "AND id < $2::bigint ORDER BY id DESC LIMIT "
			    "$3::bigint",
    /* Each pair's newest LIMIT from one backward range of the primary
     * key of instance_keys, then the newest LIMIT of their union: no
     * more rows read than kept, however many a reader role sees.
     * Run with plan_cache_mode = force_generic_plan: the generic plan
     * is the custom one (the same index ranges), but PostgreSQL costs
     * it higher (LIMIT $3 guessed at a tenth of the rows) and so
     * re-plans at every call, which at 100k instances took longer
     * (0.3-0.5 ms) than running it (0.3 ms) and halved a dg_requester's
     * list rate against an admin's. */
    [S_INSTANCE_LIST_FOR] =
	"SELECT i.id, i.process, i.state, i.data, i.created, i.updated FROM "
	"instances i WHERE i.id IN (SELECT l.instance_id FROM "
	"jsonb_to_recordset($4::jsonb) AS p(role text, scope text) CROSS "
	"JOIN LATERAL (SELECT k.instance_id FROM instance_keys k WHERE "
	"k.role = p.role AND k.scope = p.scope AND k.object = $1::text AND "
	"k.instance_id < $2::bigint ORDER BY k.instance_id DESC LIMIT "
	"$3::bigint) l GROUP BY l.instance_id ORDER BY l.instance_id DESC "
	"LIMIT $3::bigint) ORDER BY i.id DESC",
    /* The list page's rows: S_INSTANCE_LIST_ALL and _FOR with the
     * summary, and the data only where it is missing (a summary is a
     * short column; the data, often TOASTed, is then never read). */
    [S_SUMMARIES_ALL] =
	"SELECT id, process, state, summary, CASE WHEN summary IS NULL "
	"THEN data END, created, updated FROM instances WHERE object = "
	"$1::text AND id < $2::bigint ORDER BY id DESC LIMIT $3::bigint",
    [S_SUMMARIES_FOR] =
	"SELECT i.id, i.process, i.state, i.summary, CASE WHEN i.summary IS "
	"NULL THEN i.data END, i.created, i.updated FROM instances i WHERE "
	"i.id IN (SELECT l.instance_id FROM jsonb_to_recordset($4::jsonb) "
	"AS p(role text, scope text) CROSS JOIN LATERAL (SELECT "
	"k.instance_id FROM instance_keys k WHERE k.role = p.role AND "
	"k.scope = p.scope AND k.object = $1::text AND k.instance_id < "
	"$2::bigint ORDER BY k.instance_id DESC LIMIT $3::bigint) l GROUP "
	"BY l.instance_id ORDER BY l.instance_id DESC LIMIT $3::bigint) "
	"ORDER BY i.id DESC",
    [S_JOIN_ARRIVE] = "INSERT INTO join_arrivals(instance_id, join_step, "
		      "from_step) VALUES ($1, $2, $3) ON CONFLICT DO "
		      "NOTHING",
    [S_JOIN_COUNT] = "SELECT count(*) FROM join_arrivals WHERE "
		     "instance_id = $1 AND join_step = $2",
    [S_JOIN_CLEAR] = "DELETE FROM join_arrivals WHERE instance_id = $1 "
		     "AND join_step = $2",
    [S_JOB_ADD] = "INSERT INTO jobs(kind, instance_id, step_id, due_at, "
		  "payload) VALUES ($1, $2, $3, $4, $5)",
    /* SKIP LOCKED: a job another node is leasing right now is not
     * waited for, it is simply not ours. */
    [S_JOBS_CLAIM] =
	"WITH c AS (SELECT id AS cid FROM jobs WHERE done_at IS NULL "
	"AND due_at <= $2::bigint AND lease_until < $2::bigint ORDER "
	"BY due_at, id LIMIT $4::bigint FOR UPDATE SKIP LOCKED), u AS "
	"(UPDATE jobs SET lease_owner = $1::text, lease_until = "
	"$2::bigint + $3::bigint FROM c WHERE id = c.cid RETURNING id, "
	"kind, instance_id, step_id, due_at, payload) SELECT id, kind, "
	"instance_id, step_id, due_at, payload FROM u ORDER BY due_at, "
	"id",
    [S_JOB_DONE] = "UPDATE jobs SET done_at = $1 WHERE id = $2 AND "
		   "lease_owner = $3 AND done_at IS NULL",
    [S_JOBS_CANCEL_STEP] = "UPDATE jobs SET done_at = $1 WHERE step_id = "
			   "$2 AND done_at IS NULL",
    [S_AUDIT_HEAD] = "SELECT id, hash FROM audit_head FOR UPDATE",
    [S_AUDIT_INSERT] =
	"WITH a AS (INSERT INTO audit(id, ts, user_name, role, "
	"acting_for, object, action, before, after, prev_hash, hash) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
	"RETURNING id, hash) UPDATE audit_head SET id = a.id, hash = "
	"a.hash FROM a",
    [S_AUDIT_EACH] = "SELECT id, ts, user_name, role, acting_for, object, "
		     "action, before, after, prev_hash, hash FROM audit "
		     "WHERE $1::text IS NULL OR object = $1::text ORDER "
		     "BY id",
    [S_OUTBOX_ADD] = "INSERT INTO outbox(created, mto, mcc, mbcc, "
		     "subject, body, attachments, format, state, "
		     "next_attempt, object) VALUES ($1, $2, $3, $4, $5, "
		     "$6, $7, $8, 'queued', $9, $10) RETURNING id",
    [S_OUTBOX_LIST] = "SELECT " OUTBOX_COLS " FROM outbox WHERE "
		      "$1::text IS NULL OR state = $1::text ORDER BY id "
		      "DESC",
    [S_OUTBOX_CLAIM] =
	"WITH c AS (SELECT id AS cid FROM outbox WHERE state = "
	"'queued' AND next_attempt <= $2::bigint AND lease_until < "
	"$2::bigint ORDER BY id LIMIT $4::bigint FOR UPDATE SKIP "
	"LOCKED), u AS (UPDATE outbox SET lease_owner = $1::text, "
	"lease_until = $2::bigint + $3::bigint FROM c WHERE id = c.cid "
	"RETURNING " OUTBOX_COLS ") SELECT " OUTBOX_COLS " FROM u "
	"ORDER BY id",
    [S_OUTBOX_MARK] = "UPDATE outbox SET state = $1::text, attempts = $2, "
		      "next_attempt = $3, last_error = $4, sent_at = CASE "
		      "WHEN $1::text = 'sent' THEN $5::bigint ELSE "
		      "sent_at END, lease_until = 0 WHERE id = $6",
    [S_SETTING_GET] = "SELECT value FROM settings WHERE key = $1",
    [S_SETTING_PUT] = "INSERT INTO settings(key, value) VALUES ($1, $2) "
		      "ON CONFLICT (key) DO UPDATE SET value = "
		      "excluded.value",
    [S_MIGRATION_ADD] = "INSERT INTO schema_migrations(version, name, "
			"applied) VALUES ($1, $2, extract(epoch FROM "
			"now())::bigint)",
    [S_ULIST_IMPORT_ADD] = "INSERT INTO userlist_imports(resource, month, "
			   "review_id, scope, kind, filename, info, nrows, "
			   "imported, by_user) VALUES ($1, $2, $3, $4, $5, $6, "
			   "$7, $8, $9, $10) RETURNING id",
    [S_ULIST_ROW_ADD] = "INSERT INTO userlist_rows(import_id, n, line, "
			"sheet, uid, full_name, na, email, disabled, data) "
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    [S_ULIST_IMPORTS] = "SELECT id, resource, month, coalesce(review_id, "
			"0), scope, kind, filename, info, nrows, imported, "
			"by_user FROM userlist_imports WHERE ($1::text IS "
			"NULL OR resource = $1::text) AND ($2::text IS NULL "
			"OR month = $2::text) AND ($3::bigint = 0 OR "
			"review_id = $3::bigint) ORDER BY id",
    [S_ULIST_ROWS] = "SELECT n, line, sheet, uid, full_name, na, email, "
		     "disabled, data FROM userlist_rows WHERE import_id = "
		     "$1 ORDER BY n",
    [S_COUNTER_NEXT] = "INSERT INTO counters(name, value) VALUES ($1, 1) "
		       "ON CONFLICT (name) DO UPDATE SET value = "
		       "counters.value + 1 RETURNING value",
    [S_CATALOG_PUT] = "INSERT INTO catalog(kind, name, data, updated) "
		      "VALUES ($1, $2, $3, $4) ON CONFLICT (kind, name) DO "
		      "UPDATE SET data = excluded.data, updated = "
		      "excluded.updated",
    [S_CATALOG_GET] = "SELECT data FROM catalog WHERE kind = $1 AND "
		      "name = $2",
    [S_CATALOG_LIST] = "SELECT name, data, updated FROM catalog WHERE "
		       "kind = $1 ORDER BY name",
    [S_CATALOG_DELETE] = "DELETE FROM catalog WHERE kind = $1 AND "
			 "name = $2",
};

/*
 * The keys of step_keys whose role is one of $1 and scope one of $2 (the
 * caller keeps the exact pairs).  Not prepared: planned at each call with
 * the arrays' values in view, so the statistics tell a rare role (an
 * index probe per value) from the one role that holds most active steps
 * (read them all).  A prepared, generic plan cannot tell them apart and
 * reads them all for everyone; jsonb_to_recordset() would hide the values
 * from the planner as well.  One table, two conditions: cheap to plan.
 */
static const char sql_step_keys_of[] =
	"SELECT step_id, role, scope FROM step_keys WHERE role = "
	"ANY($1::text[]) AND scope = ANY($2::text[])";

struct pq {
	struct store base;
	PGconn *conn;
	char *url; /* without its password: for messages */
	int in_txn;
	unsigned char prepared[S_COUNT];
};

/* The text parameters of one statement. */
#define PQ_MAXPARAMS 12

struct params {
	const char *v[PQ_MAXPARAMS];
	char num[PQ_MAXPARAMS][24];
	char *json[PQ_MAXPARAMS]; /* owned texts */
	int n;
};

static void
p_text(struct params *p, const char *v)
{
	if (p->n >= PQ_MAXPARAMS)
		abort(); /* a statement of this file has too many parameters */
	p->v[p->n++] = v;
}

static void
p_int(struct params *p, int64_t v)
{
	if (p->n >= PQ_MAXPARAMS)
		abort();
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%" PRId64, v);
	p->v[p->n] = p->num[p->n];
	p->n++;
}

/* A JSON value as its compact text, as SQLite stores it; NULL is SQL NULL. */
static void
p_json(struct params *p, json_t *v)
{
	char *t;

	if (!v) {
		p_text(p, NULL);
		return;
	}
	t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	p->json[p->n] = t ? t : xstrdup("null");
	p_text(p, p->json[p->n]);
}

/* The roles (SCOPES 0) or the scopes (1) of K as a text[] literal, every
 * element quoted: {"a","b\\"c"}. */
static void
p_array(struct params *p, const struct access_keys *k, int scopes)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "{");
	for (size_t i = 0; i < k->n; i++) {
		const char *v = scopes ? k->v[i].scope : k->v[i].role;

		buf_adds(&b, i ? ",\"" : "\"");
		for (; *v; v++) {
			if (*v == '"' || *v == '\\')
				buf_adds(&b, "\\");
			buf_add(&b, v, 1);
		}
		buf_adds(&b, "\"");
	}
	buf_adds(&b, "}");
	if (p->n >= PQ_MAXPARAMS)
		abort();
	p->json[p->n] = buf_detach(&b, NULL);
	buf_release(&b);
	p_text(p, p->json[p->n]);
}

static void
params_release(struct params *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->json[i]);
	memset(p, 0, sizeof(*p));
}

static char *
c_text(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return xstrdup(PQgetvalue(res, row, col));
}

/* NULL reads as 0, as sqlite3_column_int64 does. */
static int64_t
c_int(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static json_t *
c_json(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return json_loads(PQgetvalue(res, row, col), JSON_DECODE_ANY, NULL);
}

/* Rows changed by the UPDATE or DELETE of RES. */
static long
changes(PGresult *res)
{
	return strtol(PQcmdTuples(res), NULL, 10);
}

/* The message of the last error of RES (or of the connection), on one
 * line. */
static void
error_text(struct pq *p, const PGresult *res, char *out, size_t n)
{
	const char *m =
	    res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char *w = out;

	xstrlcpy(out, m ? m : PQerrorMessage(p->conn), n);
	/* libpq's messages span lines ("...failed: ...\n\tIs the server
	 * running...?"): one line, single spaces. */
	for (const char *c = out; *c; c++) {
		int space = *c == '\n' || *c == '\r' || *c == '\t' || *c == ' ';
		if (!space)
			*w++ = *c;
		else if (w > out && w[-1] != ' ')
			*w++ = ' ';
	}
	if (w > out && w[-1] == ' ')
		w--;
	*w = '\0';
}

/*
 * The status of a failed RES: a broken constraint is SF_CONFLICT, as
 * SQLite's SQLITE_CONSTRAINT is in store_sqlite.c, and so is a
 * transaction that lost a race (SQLSTATE class 40); anything else SF_DB.
 */
static enum sf_status
pq_fail(struct pq *p, const PGresult *res, struct sf_error *err,
	const char *what)
{
	const char *state =
	    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char msg[400];

	error_text(p, res, msg, sizeof(msg));
	if (state && strncmp(state, "23", 2) == 0)
		return sf_fail(err, SF_CONFLICT, NULL, "already exists: %s",
			       msg);
	/* A deadlock or serialisation failure: another transaction touched
	 * the same rows at the same moment; this one was rolled back. */
	if (state && strncmp(state, "40", 2) == 0)
		return sf_fail(err, SF_CONFLICT, NULL,
			       "the object changed meanwhile; reload and retry "
			       "(%s)",
			       msg);
	return sf_fail(err, SF_DB, NULL, "postgresql %s: %s", what, msg);
}

/* What a failed pq_run() left in ERR. */
static enum sf_status
run_status(const struct sf_error *err)
{
	return err && err->status ? err->status : SF_DB;
}

static void
quiet_notices(void *arg, const char *message)
{
	/* "relation already exists, skipping" and the like: the store
	 * reports what matters through its return values. */
	(void)arg;
	(void)message;
}

/* Session settings of every (re)connection. */
static int
pq_session_init(struct pq *p)
{
	PGresult *res;
	int ok;

	PQsetNoticeProcessor(p->conn, quiet_notices, NULL);
	res = PQexec(p->conn, "SET TIME ZONE 'UTC'");
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok;
}

/*
 * A connection lost between transactions (the server restarted) is
 * opened again; one lost inside a transaction fails that transaction,
 * which the caller rolls back.
 */
static int
pq_alive(struct pq *p)
{
	if (PQstatus(p->conn) == CONNECTION_OK)
		return 1;
	if (p->in_txn)
		return 0;
	PQreset(p->conn);
	memset(p->prepared, 0, sizeof(p->prepared));
	return PQstatus(p->conn) == CONNECTION_OK && pq_session_init(p);
}

/*
 * Execute statement ID with the parameters of PRM (released here),
 * preparing it on first use.  Returns the result (the caller PQclear()s
 * it), or NULL with ERR filled (see run_status()).
 */
static PGresult *
pq_run(struct pq *p, enum stmt id, struct params *prm, const char *what,
       struct sf_error *err)
{
	char name[16];
	PGresult *res;
	ExecStatusType s;

	snprintf(name, sizeof(name), "sf%d", (int)id);
	if (!pq_alive(p)) {
		params_release(prm);
		pq_fail(p, NULL, err, what);
		return NULL;
	}
	if (!p->prepared[id]) {
		res = PQprepare(p->conn, name, stmts[id], 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			pq_fail(p, res, err, what);
			PQclear(res);
			params_release(prm);
			return NULL;
		}
		PQclear(res);
		p->prepared[id] = 1;
	}
	res = PQexecPrepared(p->conn, name, prm->n, prm->v, NULL, NULL, 0);
	params_release(prm);
	s = PQresultStatus(res);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return res;
	pq_fail(p, res, err, what);
	PQclear(res);
	return NULL;
}

/* Like pq_run, for SQL run without preparing it (see sql_tasks_for). */
static PGresult *
pq_run_sql(struct pq *p, const char *sql, struct params *prm,
	   const char *what, struct sf_error *err)
{
	PGresult *res;
	ExecStatusType s;

	if (!pq_alive(p)) {
		params_release(prm);
		pq_fail(p, NULL, err, what);
		return NULL;
	}
	res = PQexecParams(p->conn, sql, prm->n, NULL, prm->v, NULL, NULL, 0);
	params_release(prm);
	s = PQresultStatus(res);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
		return res;
	pq_fail(p, res, err, what);
	PQclear(res);
	return NULL;
}

/* Run a statement that returns no row. */
static enum sf_status
pq_exec(struct pq *p, enum stmt id, struct params *prm, const char *what,
	struct sf_error *err)
{
	PGresult *res = pq_run(p, id, prm, what, err);

	if (!res)
		return run_status(err);
	PQclear(res);
	return SF_OK;
}

/* Run an UPDATE or DELETE; *N gets how many rows it changed. */
static enum sf_status
pq_change(struct pq *p, enum stmt id, struct params *prm, const char *what,
	  long *n, struct sf_error *err)
{
	PGresult *res = pq_run(p, id, prm, what, err);

	if (!res)
		return run_status(err);
	*n = changes(res);
	PQclear(res);
	return SF_OK;
}

/* Run SQL without parameters (transaction control, migrations). */
static enum sf_status
pq_simple(struct pq *p, const char *sql, const char *what, struct sf_error *err)
{
	PGresult *res;
	enum sf_status r = SF_OK;

	if (!pq_alive(p))
		return pq_fail(p, NULL, err, what);
	res = PQexec(p->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		r = pq_fail(p, res, err, what);
	PQclear(res);
	return r;
}

/* URL without the password of its user part or of a password=
 * parameter: what error messages may show. */
static char *
url_redact(const char *url)
{
	const char *auth = strstr(url, "://");
	const char *end, *at = NULL, *colon = NULL, *q;
	struct buf b;
	char *out;

	if (!auth)
		return xstrdup(url);
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	for (const char *c = auth; c < end; c++)
		if (*c == '@')
			at = c;
	if (at)
		colon = memchr(auth, ':', (size_t)(at - auth));
	buf_init(&b, 0);
	if (colon) {
		buf_add(&b, url, (size_t)(colon - url));
		buf_add(&b, at, (size_t)(end - at));
	} else {
		buf_add(&b, url, (size_t)(end - url));
	}
	q = strchr(end, '?');
	buf_add(&b, end, (size_t)((q ? q : end + strlen(end)) - end));
	if (q) {
		const char *sep = "?";
		q++;
		while (*q) {
			size_t n = strcspn(q, "&");
			if (!(n >= 9 && strncmp(q, "password=", 9) == 0)) {
				buf_adds(&b, sep);
				buf_add(&b, q, n);
				sep = "&";
			}
			q += n;
			if (*q == '&')
				q++;
		}
	}
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}

static enum sf_status
pq_open(const char *url, struct store **out, struct sf_error *err)
{
	/* Given before the URL's own parameters, so the URL may override
	 * them. */
	static const char *const keys[] = {"application_name",
					   "client_encoding", "connect_timeout",
					   "dbname", NULL};
	const char *vals[] = {"secflow", "UTF8", "10", url, NULL};
	struct pq *p = xcalloc(1, sizeof(*p));
	char msg[400];

	p->base.ops = &store_pg_ops;
	p->url = url_redact(url);
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		if (p->conn)
			error_text(p, NULL, msg, sizeof(msg));
		else
			xstrlcpy(msg, "out of memory", sizeof(msg));
		sf_fail(err, SF_DB, "db", "cannot open database %s: %s", p->url,
			msg);
		goto fail;
	}
	if (!pq_session_init(p)) {
		error_text(p, NULL, msg, sizeof(msg));
		sf_fail(err, SF_DB, "db", "cannot use database %s: %s", p->url,
			msg);
		goto fail;
	}
	*out = &p->base;
	return SF_OK;
fail:
	PQfinish(p->conn);
	free(p->url);
	free(p);
	return SF_DB;
}

static void
pq_close(struct store *st)
{
	struct pq *p = (struct pq *)st;

	PQfinish(p->conn);
	free(p->url);
	free(p);
}

/* Transactions */

static enum sf_status
pq_start(struct pq *p, const char *sql, struct sf_error *err)
{
	enum sf_status r;

	/* As SQLite: no transaction inside a transaction. */
	if (p->in_txn || PQtransactionStatus(p->conn) == PQTRANS_INTRANS ||
	    PQtransactionStatus(p->conn) == PQTRANS_INERROR)
		return sf_fail(err, SF_DB, NULL,
			       "postgresql begin: a transaction is already "
			       "open");
	r = pq_simple(p, sql, "begin", err);
	if (r)
		return r;
	p->in_txn = 1;
	return SF_OK;
}

static enum sf_status
pq_begin(struct store *st, struct sf_error *err)
{
	return pq_start((struct pq *)st, "BEGIN", err);
}

/* One snapshot for every read of the transaction, as SQLite's read
 * transaction gives. */
static enum sf_status
pq_begin_read(struct store *st, struct sf_error *err)
{
	return pq_start((struct pq *)st,
			"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
}

static void
pq_rollback(struct store *st)
{
	struct pq *p = (struct pq *)st;
	PGresult *res;

	if (p->in_txn && PQstatus(p->conn) == CONNECTION_OK) {
		res = PQexec(p->conn, "ROLLBACK");
		PQclear(res);
	}
	p->in_txn = 0;
}

static enum sf_status
pq_commit(struct store *st, struct sf_error *err)
{
	struct pq *p = (struct pq *)st;
	PGresult *res;
	enum sf_status r = SF_OK;

	/* COMMIT of a failed transaction "succeeds" by rolling back. */
	if (PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
		pq_rollback(st);
		return sf_fail(err, SF_DB, NULL,
			       "postgresql commit: the transaction failed "
			       "earlier and was rolled back");
	}
	res = PQexec(p->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		r = pq_fail(p, res, err, "commit");
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
		r = sf_fail(err, SF_DB, NULL, "postgresql commit: rolled back");
	PQclear(res);
	if (r)
		pq_rollback(st);
	p->in_txn = 0;
	return r;
}

/* Migrations */

static enum sf_status
version_in_txn(struct pq *p, int *version, struct sf_error *err)
{
	PGresult *res;
	enum sf_status r = SF_OK;

	*version = 0;
	res = PQexec(p->conn, "SELECT CASE WHEN to_regclass("
			      "'schema_migrations') IS NULL THEN 0 ELSE 1 "
			      "END");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = pq_fail(p, res, err, "schema");
		PQclear(res);
		return r;
	}
	if (c_int(res, 0, 0) == 0) {
		PQclear(res);
		return SF_OK;
	}
	PQclear(res);
	res = PQexec(p->conn,
		     "SELECT coalesce(max(version), 0) FROM schema_migrations");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		r = pq_fail(p, res, err, "schema");
	else
		*version = (int)c_int(res, 0, 0);
	PQclear(res);
	return r;
}

static enum sf_status
pq_schema_version(struct store *st, int *version, struct sf_error *err)
{
	struct pq *p = (struct pq *)st;

	*version = 0;
	if (!pq_alive(p))
		return pq_fail(p, NULL, err, "schema");
	return version_in_txn(p, version, err);
}

/*
 * Each pending file in its own transaction, behind an advisory lock held
 * to the end of that transaction: a second node starting at the same
 * moment waits, then finds the file applied.
 */
static enum sf_status
pq_migrate(struct store *st, int *applied, struct sf_error *err)
{
	struct pq *p = (struct pq *)st;
	struct sf_error why = {0};
	enum sf_status r;
	int have;

	*applied = 0;
	for (const struct embedded_file *f = pg_migrations; f->name; f++) {
		struct params prm = {0};
		char *end;
		long v = strtol(f->name, &end, 10);

		if (end == f->name || *end != '_')
			return sf_fail(err, SF_INTERNAL, NULL,
				       "migration %s has no number", f->name);
		/* Every open comes here: look without the lock first, as
		 * store_sqlite.c does; checked again under the lock. */
		r = pq_schema_version(st, &have, err);
		if (r)
			return r;
		if (v <= have)
			continue;
		r = pq_begin(st, err);
		if (r)
			return r;
		r = pq_simple(
		    p, "SELECT pg_advisory_xact_lock(" PQ_MIGRATE_LOCK ")",
		    "migrate", err);
		if (!r)
			r = pq_simple(p,
				      "CREATE TABLE IF NOT EXISTS "
				      "schema_migrations (version INTEGER "
				      "PRIMARY KEY, name TEXT NOT NULL, "
				      "applied BIGINT NOT NULL)",
				      "migrate", err);
		if (!r)
			r = version_in_txn(p, &have, err);
		if (r)
			goto fail;
		if (v <= have) {
			pq_rollback(st);
			continue;
		}
		r = pq_simple(p, f->data, "migrate", &why);
		if (r) {
			sf_fail(err, SF_DB, NULL, "migration %s: %s", f->name,
				why.message);
			goto fail;
		}
		p_int(&prm, v);
		p_text(&prm, f->name);
		r = pq_exec(p, S_MIGRATION_ADD, &prm, "migrate", err);
		if (r)
			goto fail;
		r = pq_commit(st, err);
		if (r)
			return r;
		(*applied)++;
	}
	return SF_OK;
fail:
	pq_rollback(st);
	return r;
}

static enum sf_status
pq_backup(struct store *st, const char *path, struct sf_error *err)
{
	(void)st;
	(void)path;
	return sf_fail(err, SF_BAD_REQUEST, NULL,
		       "secflow backup writes SQLite files; for PostgreSQL use "
		       "pg_dump (see docs/operations.md)");
}

/* users, grants, delegations, sessions */

static enum sf_status
pq_user_add(struct store *st, const char *name, const char *email,
	    const char *pw_hash, sf_time now, int64_t *id, struct sf_error *err)
{
	struct pq *p = (struct pq *)st;
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, name);
	p_text(&prm, email);
	p_text(&prm, pw_hash);
	p_int(&prm, now);
	res = pq_run(p, S_USER_ADD, &prm, "user", err);
	if (!res) {
		if (run_status(err) == SF_CONFLICT)
			return sf_fail(err, SF_CONFLICT, "name",
				       "user \"%s\" already exists", name);
		return run_status(err);
	}
	*id = c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_user_get(struct store *st, const char *name, int64_t id, struct user *out,
	    struct sf_error *err)
{
	struct pq *p = (struct pq *)st;
	struct params prm = {0};
	PGresult *res;

	if (name)
		p_text(&prm, name);
	else
		p_int(&prm, id);
	res =
	    pq_run(p, name ? S_USER_BY_NAME : S_USER_BY_ID, &prm, "user", err);
	if (!res)
		return run_status(err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		if (name)
			return sf_fail(err, SF_NOT_FOUND, "user",
				       "no user \"%s\"", name);
		return sf_fail(err, SF_NOT_FOUND, "user", "no user %lld",
			       (long long)id);
	}
	memset(out, 0, sizeof(*out));
	out->id = c_int(res, 0, 0);
	out->name = c_text(res, 0, 1);
	out->email = c_text(res, 0, 2);
	out->pw_hash = c_text(res, 0, 3);
	out->failed_logins = (int)c_int(res, 0, 4);
	out->locked_until = c_int(res, 0, 5);
	out->disabled = (int)c_int(res, 0, 6);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_user_list(struct store *st, json_t **out, struct sf_error *err)
{
	struct pq *p = (struct pq *)st;
	struct params prm = {0};
	PGresult *res = pq_run(p, S_USER_LIST, &prm, "users", err);

	*out = NULL;
	if (!res)
		return run_status(err);
	*out = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(*out,
				      json_pack("{s:s, s:s, s:s}", "name",
						PQgetvalue(res, i, 0), "email",
						PQgetvalue(res, i, 1), "roles",
						PQgetvalue(res, i, 2)));
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_user_set_password(struct store *st, int64_t id, const char *pw_hash,
		     struct sf_error *err)
{
	struct params prm = {0};

	p_text(&prm, pw_hash);
	p_int(&prm, id);
	return pq_exec((struct pq *)st, S_USER_SET_PASSWORD, &prm, "user", err);
}

static enum sf_status
pq_user_set_login_state(struct store *st, int64_t id, int failed,
			sf_time locked_until, struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, failed);
	p_int(&prm, locked_until);
	p_int(&prm, id);
	return pq_exec((struct pq *)st, S_USER_SET_LOGIN, &prm, "user", err);
}

static enum sf_status
pq_grant_add(struct store *st, int64_t user_id, const char *role,
	     const char *scope, struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, user_id);
	p_text(&prm, role);
	p_text(&prm, scope ? scope : "");
	return pq_exec((struct pq *)st, S_GRANT_ADD, &prm, "grants", err);
}

static enum sf_status
pq_grant_remove(struct store *st, int64_t user_id, const char *role,
		const char *scope, struct sf_error *err)
{
	struct params prm = {0};
	enum sf_status r;
	long n = 0;

	p_int(&prm, user_id);
	p_text(&prm, role);
	p_text(&prm, scope ? scope : "");
	r = pq_change((struct pq *)st, S_GRANT_REMOVE, &prm, "grants", &n, err);
	if (r)
		return r;
	if (n == 0)
		return sf_fail(err, SF_NOT_FOUND, "role",
			       "the user does not hold role %s%s%s", role,
			       scope && *scope ? " for " : "",
			       scope ? scope : "");
	return SF_OK;
}

static enum sf_status
grant_rows(struct pq *p, enum stmt id, struct params *prm, int delegated,
	   struct grant_list *out, struct sf_error *err)
{
	PGresult *res = pq_run(p, id, prm, "grants", err);
	int n;

	memset(out, 0, sizeof(*out));
	if (!res)
		return run_status(err);
	n = PQntuples(res);
	if (n)
		out->v = xcalloc((size_t)n, sizeof(*out->v));
	for (int i = 0; i < n; i++) {
		struct grant *g = &out->v[i];

		g->id = c_int(res, i, 0);
		g->user_id = c_int(res, i, 1);
		g->role = c_text(res, i, 2);
		g->scope = c_text(res, i, 3);
		if (delegated) {
			g->from_user = c_int(res, i, 4);
			g->from_name = c_text(res, i, 5);
			g->until = c_text(res, i, 6);
		}
	}
	out->n = (size_t)n;
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_grants_of(struct store *st, int64_t user_id, struct grant_list *out,
	     struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, user_id);
	return grant_rows((struct pq *)st, S_GRANTS_OF, &prm, 0, out, err);
}

static enum sf_status
pq_delegation_add(struct store *st, int64_t from, int64_t to, const char *role,
		  const char *scope, const char *until, sf_time now,
		  struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, from);
	p_int(&prm, to);
	p_text(&prm, role);
	p_text(&prm, scope ? scope : "");
	p_text(&prm, until);
	p_int(&prm, now);
	return pq_exec((struct pq *)st, S_DELEGATION_ADD, &prm, "delegations",
		       err);
}

static enum sf_status
pq_delegations_to(struct store *st, int64_t user_id, const char *today,
		  struct grant_list *out, struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, user_id);
	p_text(&prm, today);
	return grant_rows((struct pq *)st, S_DELEGATIONS_TO, &prm, 1, out, err);
}

static enum sf_status
pq_users_with_role(struct store *st, const char *role, const char *scope,
		   const char *today, json_t **out, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, role);
	p_text(&prm, scope ? scope : "");
	p_text(&prm, today);
	*out = NULL;
	res = pq_run((struct pq *)st, S_USERS_WITH_ROLE, &prm, "users", err);
	if (!res)
		return run_status(err);
	*out = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(
		    *out, json_pack("{s:s, s:s}", "name", PQgetvalue(res, i, 0),
				    "email", PQgetvalue(res, i, 1)));
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_session_add(struct store *st, const char *hash, int64_t user_id,
	       const char *kind, sf_time now, sf_time expires,
	       struct sf_error *err)
{
	struct params prm = {0};

	p_text(&prm, hash);
	p_int(&prm, user_id);
	p_text(&prm, kind);
	p_int(&prm, now);
	p_int(&prm, expires);
	return pq_exec((struct pq *)st, S_SESSION_ADD, &prm, "session", err);
}

static enum sf_status
pq_session_get(struct store *st, const char *hash, sf_time now,
	       int64_t *user_id, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, hash);
	p_int(&prm, now);
	res = pq_run((struct pq *)st, S_SESSION_GET, &prm, "session", err);
	if (!res)
		return run_status(err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return sf_fail(err, SF_NOT_FOUND, NULL, "no such session");
	}
	*user_id = c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_session_delete(struct store *st, const char *hash, struct sf_error *err)
{
	struct params prm = {0};

	p_text(&prm, hash);
	return pq_exec((struct pq *)st, S_SESSION_DELETE, &prm, "session", err);
}

/* calendar */

static enum sf_status
pq_holiday_put(struct store *st, sf_date day, const char *name,
	       struct sf_error *err)
{
	struct params prm = {0};
	char d[16];

	date_format(day, d);
	p_text(&prm, d);
	p_text(&prm, name);
	return pq_exec((struct pq *)st, S_HOLIDAY_PUT, &prm, "holidays", err);
}

static enum sf_status
pq_holidays(struct store *st, json_t **out, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	*out = NULL;
	res = pq_run((struct pq *)st, S_HOLIDAYS, &prm, "holidays", err);
	if (!res)
		return run_status(err);
	*out = json_object();
	for (int i = 0; i < PQntuples(res); i++)
		json_object_set_new(*out, PQgetvalue(res, i, 0),
				    json_string(PQgetvalue(res, i, 1)));
	PQclear(res);
	return SF_OK;
}

/* process definitions */

/* The id of the definition with HASH into *ID; *FOUND 0 when none. */
static enum sf_status
procdef_id(struct pq *p, const char *hash, int64_t *id, int *found,
	   struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, hash);
	res = pq_run(p, S_PROCDEF_ID, &prm, "procdef", err);
	if (!res)
		return run_status(err);
	*found = PQntuples(res) > 0;
	if (*found)
		*id = c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

/*
 * Look first, insert only when absent: an INSERT ... ON CONFLICT would
 * spend a value of the id sequence at every start, and ids would then
 * grow where SQLite's do not.
 */
static enum sf_status
pq_procdef_put(struct store *st, const char *name, int version,
	       const char *hash, const char *source, sf_time now, int64_t *id,
	       struct sf_error *err)
{
	struct pq *p = (struct pq *)st;
	struct params prm = {0};
	PGresult *res;
	enum sf_status r;
	int found = 0;

	r = procdef_id(p, hash, id, &found, err);
	if (r || found)
		return r;
	p_text(&prm, name);
	p_int(&prm, version);
	p_text(&prm, hash);
	p_text(&prm, source);
	p_int(&prm, now);
	res = pq_run(p, S_PROCDEF_ADD, &prm, "procdef", err);
	if (!res)
		return run_status(err);
	found = PQntuples(res) > 0;
	if (found)
		*id = c_int(res, 0, 0);
	PQclear(res);
	if (found)
		return SF_OK;
	/* Another node stored the same version meanwhile. */
	r = procdef_id(p, hash, id, &found, err);
	if (!r && !found)
		r = sf_fail(err, SF_DB, NULL,
			    "postgresql procdef: version %s vanished", hash);
	return r;
}

static enum sf_status
pq_procdef_source(struct store *st, int64_t id, char **source,
		  struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_int(&prm, id);
	res = pq_run((struct pq *)st, S_PROCDEF_SOURCE, &prm, "procdef", err);
	if (!res)
		return run_status(err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return sf_fail(err, SF_NOT_FOUND, NULL,
			       "no process definition %lld", (long long)id);
	}
	*source = c_text(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

/* instances and steps */

static enum sf_status
pq_instance_add(struct store *st, int64_t procdef_id, const char *process,
		const char *object, json_t *data, const char *summary,
		sf_time now, int64_t *id, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_int(&prm, procdef_id);
	p_text(&prm, process);
	p_text(&prm, object);
	p_json(&prm, data);
	p_text(&prm, summary);
	p_int(&prm, now);
	res = pq_run((struct pq *)st, S_INSTANCE_ADD, &prm, "instance", err);
	if (!res)
		return run_status(err);
	*id = c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_instance_get(struct store *st, int64_t id, struct instance *out,
		struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_int(&prm, id);
	res = pq_run((struct pq *)st, S_INSTANCE_GET, &prm, "instance", err);
	if (!res)
		return run_status(err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return sf_fail(err, SF_NOT_FOUND, NULL, "no object %lld",
			       (long long)id);
	}
	memset(out, 0, sizeof(*out));
	out->id = c_int(res, 0, 0);
	out->procdef_id = c_int(res, 0, 1);
	out->process = c_text(res, 0, 2);
	out->object = c_text(res, 0, 3);
	out->state = c_text(res, 0, 4);
	out->data = c_json(res, 0, 5);
	if (!out->data)
		out->data = json_object();
	out->created = c_int(res, 0, 6);
	out->updated = c_int(res, 0, 7);
	out->rev = c_int(res, 0, 8);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_instance_update(struct store *st, int64_t id, const char *state,
		   json_t *data, const char *summary, int64_t expected_rev,
		   sf_time now, struct sf_error *err)
{
	struct params prm = {0};
	enum sf_status r;
	long n = 0;

	p_text(&prm, state);
	p_json(&prm, data);
	p_text(&prm, summary);
	p_int(&prm, now);
	p_int(&prm, id);
	p_int(&prm, expected_rev);
	r = pq_change((struct pq *)st, S_INSTANCE_UPDATE, &prm, "instance", &n,
		      err);
	if (r)
		return r;
	if (n != 1)
		return sf_fail(
		    err, SF_CONFLICT, NULL,
		    "the object changed meanwhile; reload and retry");
	return SF_OK;
}

static enum sf_status
pq_instance_summary_put(struct store *st, int64_t id, const char *summary,
			struct sf_error *err)
{
	struct params prm = {0};

	p_text(&prm, summary);
	p_int(&prm, id);
	return pq_exec((struct pq *)st, S_INSTANCE_SUMMARY_PUT, &prm,
		       "instance", err);
}

/* Rows of id, process, state, data, created, updated as instance_list's
 * JSON array. */
static json_t *
instance_rows_json(const PGresult *res)
{
	json_t *a = json_array();

	for (int i = 0; i < PQntuples(res); i++) {
		json_t *data = c_json(res, i, 3);
		json_array_append_new(
		    a, json_pack("{s:I, s:s, s:s, s:o, s:I, s:I}", "id",
				 (json_int_t)c_int(res, i, 0), "process",
				 PQgetvalue(res, i, 1), "state",
				 PQgetvalue(res, i, 2), "data",
				 data ? data : json_object(), "created",
				 (json_int_t)c_int(res, i, 4), "updated",
				 (json_int_t)c_int(res, i, 5)));
	}
	return a;
}

static enum sf_status
pq_instance_list(struct store *st, const char *object, int64_t before,
		 size_t limit, json_t **out, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, object);
	p_int(&prm, before);
	/* LIMIT NULL is no limit in PostgreSQL. */
	if (limit)
		p_int(&prm, (int64_t)limit);
	else
		p_text(&prm, NULL);
	*out = NULL;
	res = pq_run((struct pq *)st, S_INSTANCE_LIST, &prm, "instances", err);
	if (!res)
		return run_status(err);
	*out = instance_rows_json(res);
	PQclear(res);
	return SF_OK;
}

/* Run list statement FOR (with PAIRS) or ALL (without) for a page of
 * OBJECT below BEFORE, at most LIMIT rows (0: all); NULL on failure.
 * With pairs, the statement's generic plan is forced (see the comment at
 * S_INSTANCE_LIST_FOR), for this statement only: SET LOCAL, so the
 * transaction's end undoes it whatever happens. */
static PGresult *
pq_list_page(struct pq *p, enum stmt stmt_for, enum stmt stmt_all,
	     const char *object, const struct access_keys *pairs,
	     int64_t before, size_t limit, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;
	char *json = NULL;

	p_text(&prm, object);
	p_int(&prm, before > 0 ? before : INT64_MAX);
	/* LIMIT NULL is no limit in PostgreSQL. */
	if (limit)
		p_int(&prm, (int64_t)limit);
	else
		p_text(&prm, NULL);
	if (pairs) {
		json = access_keys_json(pairs);
		p_text(&prm, json);
	}
	if (pairs && p->in_txn &&
	    pq_simple(p, "SET LOCAL plan_cache_mode = force_generic_plan",
		      "instances", err)) {
		params_release(&prm);
		free(json);
		return NULL;
	}
	res = pq_run(p, pairs ? stmt_for : stmt_all, &prm, "instances", err);
	free(json);
	if (res && pairs && p->in_txn &&
	    pq_simple(p, "SET LOCAL plan_cache_mode = auto", "instances",
		      err)) {
		PQclear(res);
		res = NULL;
	}
	return res;
}

static enum sf_status
pq_instance_list_for(struct store *st, const char *object,
		     const struct access_keys *pairs, int64_t before,
		     size_t limit, json_t **out, struct sf_error *err)
{
	PGresult *res = pq_list_page((struct pq *)st, S_INSTANCE_LIST_FOR,
				     S_INSTANCE_LIST_ALL, object, pairs,
				     before, limit, err);

	*out = NULL;
	if (!res)
		return run_status(err);
	*out = instance_rows_json(res);
	PQclear(res);
	return SF_OK;
}

/* Like pq_instance_list_for, for a list page: struct summary_row. */
static enum sf_status
pq_instance_summaries_for(struct store *st, const char *object,
			  const struct access_keys *pairs, int64_t before,
			  size_t limit, struct summary_list *out,
			  struct sf_error *err)
{
	PGresult *res;

	memset(out, 0, sizeof(*out));
	res = pq_list_page((struct pq *)st, S_SUMMARIES_FOR, S_SUMMARIES_ALL,
			   object, pairs, before, limit, err);
	if (!res)
		return run_status(err);
	out->n = (size_t)PQntuples(res);
	out->v = xcalloc(out->n ? out->n : 1, sizeof(*out->v));
	for (size_t i = 0; i < out->n; i++) {
		struct summary_row *r = &out->v[i];
		int k = (int)i;

		r->id = c_int(res, k, 0);
		r->process = c_text(res, k, 1);
		r->state = c_text(res, k, 2);
		r->summary = c_text(res, k, 3);
		r->data = r->summary ? NULL : c_json(res, k, 4);
		if (!r->summary && !r->data)
			r->data = json_object();
		r->created = c_int(res, k, 5);
		r->updated = c_int(res, k, 6);
	}
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_step_add(struct store *st, const struct step_row *s, int64_t *id,
	    struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_int(&prm, s->instance_id);
	p_text(&prm, s->step);
	p_text(&prm, s->state);
	p_int(&prm, s->activated);
	p_text(&prm, s->due);
	if (s->completed)
		p_int(&prm, s->completed);
	else
		p_text(&prm, NULL);
	p_text(&prm, s->user_name);
	p_text(&prm, s->role);
	p_text(&prm, s->acting_for);
	p_json(&prm, s->input);
	p_text(&prm, s->roles ? s->roles : "");
	p_text(&prm, s->scope ? s->scope : "");
	res = pq_run((struct pq *)st, S_STEP_ADD, &prm, "step", err);
	if (!res)
		return run_status(err);
	*id = c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_step_close(struct store *st, int64_t id, const char *state, sf_time now,
	      const char *user_name, const char *role, const char *acting_for,
	      json_t *input, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;
	long n = 0;

	p_text(&prm, state);
	p_int(&prm, now);
	p_text(&prm, user_name);
	p_text(&prm, role);
	p_text(&prm, acting_for);
	p_json(&prm, input);
	p_int(&prm, id);
	res = pq_run((struct pq *)st, S_STEP_CLOSE, &prm, "step", err);
	if (!res)
		return run_status(err);
	n = (long)c_int(res, 0, 0);
	PQclear(res);
	if (n != 1)
		return sf_fail(err, SF_CONFLICT, "step",
			       "the step is not active any more");
	return SF_OK;
}

static enum sf_status
pq_step_set_overdue(struct store *st, int64_t id, struct sf_error *err)
{
	struct params prm = {0};
	enum sf_status r;
	long n = 0;

	p_int(&prm, id);
	r = pq_change((struct pq *)st, S_STEP_OVERDUE, &prm, "step", &n, err);
	if (r)
		return r;
	if (n != 1)
		return sf_fail(err, SF_CONFLICT, "step",
			       "the step is closed or already overdue");
	return SF_OK;
}

static void
step_from_row(const PGresult *res, int i, struct step_row *o)
{
	memset(o, 0, sizeof(*o));
	o->id = c_int(res, i, 0);
	o->instance_id = c_int(res, i, 1);
	o->step = c_text(res, i, 2);
	o->state = c_text(res, i, 3);
	o->activated = c_int(res, i, 4);
	o->due = c_text(res, i, 5);
	o->overdue = (int)c_int(res, i, 6);
	o->completed = c_int(res, i, 7);
	o->user_name = c_text(res, i, 8);
	o->role = c_text(res, i, 9);
	o->acting_for = c_text(res, i, 10);
	o->input = c_json(res, i, 11);
	o->roles = c_text(res, i, 12);
	o->scope = c_text(res, i, 13);
}

static enum sf_status
step_rows(struct pq *p, enum stmt id, struct params *prm, int with_process,
	  struct step_list *out, struct sf_error *err)
{
	PGresult *res = pq_run(p, id, prm, "steps", err);
	int n;

	memset(out, 0, sizeof(*out));
	if (!res)
		return run_status(err);
	n = PQntuples(res);
	if (n)
		out->v = xcalloc((size_t)n, sizeof(*out->v));
	for (int i = 0; i < n; i++) {
		step_from_row(res, i, &out->v[i]);
		if (with_process) {
			out->v[i].process = c_text(res, i, 14);
			out->v[i].object = c_text(res, i, 15);
		}
	}
	out->n = (size_t)n;
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_step_get(struct store *st, int64_t id, struct step_row *out,
	    struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_int(&prm, id);
	res = pq_run((struct pq *)st, S_STEP_GET, &prm, "step", err);
	if (!res)
		return run_status(err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return sf_fail(err, SF_NOT_FOUND, "step", "no step %lld",
			       (long long)id);
	}
	step_from_row(res, 0, out);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_steps_of(struct store *st, int64_t instance_id, int active_only,
	    struct step_list *out, struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, instance_id);
	return step_rows((struct pq *)st,
			 active_only ? S_STEPS_OF_ACTIVE : S_STEPS_OF, &prm, 0,
			 out, err);
}

static enum sf_status
pq_steps_active_all(struct store *st, struct step_list *out,
		    struct sf_error *err)
{
	struct params prm = {0};

	return step_rows((struct pq *)st, S_STEPS_ACTIVE_ALL, &prm, 1, out,
			 err);
}

static enum sf_status
pq_step_keys_put(struct store *st, int64_t step_id,
		 const struct access_keys *keys, struct sf_error *err)
{
	struct params prm = {0};
	char *json;
	enum sf_status r;

	if (!keys->n)
		return SF_OK;
	json = access_keys_json(keys);
	p_text(&prm, json);
	p_int(&prm, step_id);
	r = pq_exec((struct pq *)st, S_STEP_KEYS_PUT, &prm, "step keys", err);
	free(json);
	return r;
}

static enum sf_status
pq_instance_keys_put(struct store *st, int64_t id, const char *object,
		     const struct access_keys *keys, struct sf_error *err)
{
	struct params prm = {0};
	char *json = access_keys_json(keys);
	enum sf_status r;

	p_int(&prm, id);
	p_text(&prm, object);
	p_text(&prm, json);
	r = pq_exec((struct pq *)st, S_INSTANCE_KEYS_PUT, &prm,
		    "instance keys", err);
	free(json);
	return r;
}

static int
by_id(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

/* Does K hold ROLE with SCOPE? */
static int
keys_hold(const struct access_keys *k, const char *role, const char *scope)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i].role, role) == 0 &&
		    strcmp(k->v[i].scope, scope) == 0)
			return 1;
	return 0;
}

/* Two steps: the ids the pairs match (sql_step_keys_of, exact pairs
 * kept here), then those steps, sorted, by primary key. */
static enum sf_status
pq_tasks_for(struct store *st, const struct access_keys *pairs,
	     struct step_list *out, struct sf_error *err)
{
	struct pq *p = (struct pq *)st;
	struct params prm = {0};
	struct buf ids;
	PGresult *res;
	int64_t *v;
	size_t n = 0;
	enum sf_status r;

	if (!pairs)
		return step_rows(p, S_TASKS_ALL, &prm, 1, out, err);
	memset(out, 0, sizeof(*out));
	p_array(&prm, pairs, 0);
	p_array(&prm, pairs, 1);
	res = pq_run_sql(p, sql_step_keys_of, &prm, "step keys", err);
	if (!res)
		return run_status(err);
	v = xcalloc((size_t)PQntuples(res) + 1, sizeof(*v));
	for (int i = 0; i < PQntuples(res); i++)
		if (keys_hold(pairs, PQgetvalue(res, i, 1),
			      PQgetvalue(res, i, 2)))
			v[n++] = c_int(res, i, 0);
	PQclear(res);
	if (!n) {
		free(v);
		return SF_OK;
	}
	qsort(v, n, sizeof(*v), by_id);
	buf_init(&ids, 0);
	buf_adds(&ids, "{");
	for (size_t i = 0; i < n; i++)
		if (!i || v[i] != v[i - 1])
			buf_addf(&ids, "%s%" PRId64, i ? "," : "", v[i]);
	buf_adds(&ids, "}");
	free(v);
	p_text(&prm, ids.data);
	r = step_rows(p, S_TASKS_BY_ID, &prm, 1, out, err);
	buf_release(&ids);
	return r;
}

static enum sf_status
pq_join_arrive(struct store *st, int64_t instance_id, const char *join,
	       const char *from, struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, instance_id);
	p_text(&prm, join);
	p_text(&prm, from);
	return pq_exec((struct pq *)st, S_JOIN_ARRIVE, &prm, "join", err);
}

static enum sf_status
pq_join_count(struct store *st, int64_t instance_id, const char *join,
	      int *count, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_int(&prm, instance_id);
	p_text(&prm, join);
	res = pq_run((struct pq *)st, S_JOIN_COUNT, &prm, "join", err);
	if (!res)
		return run_status(err);
	*count = (int)c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_join_clear(struct store *st, int64_t instance_id, const char *join,
	      struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, instance_id);
	p_text(&prm, join);
	return pq_exec((struct pq *)st, S_JOIN_CLEAR, &prm, "join", err);
}

/* jobs */

static enum sf_status
pq_job_add(struct store *st, const char *kind, int64_t instance_id,
	   int64_t step_id, sf_time due_at, const char *payload,
	   struct sf_error *err)
{
	struct params prm = {0};

	p_text(&prm, kind);
	p_int(&prm, instance_id);
	p_int(&prm, step_id);
	p_int(&prm, due_at);
	p_text(&prm, payload ? payload : "");
	return pq_exec((struct pq *)st, S_JOB_ADD, &prm, "jobs", err);
}

/* Run a claim statement in a transaction of its own. */
static PGresult *
claim(struct pq *p, enum stmt id, sf_time now, const char *owner, int lease_s,
      size_t max, const char *what, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	if (pq_begin(&p->base, err))
		return NULL;
	p_text(&prm, owner);
	p_int(&prm, now);
	p_int(&prm, lease_s);
	p_int(&prm, (int64_t)max);
	res = pq_run(p, id, &prm, what, err);
	if (!res) {
		pq_rollback(&p->base);
		return NULL;
	}
	if (pq_commit(&p->base, err)) {
		PQclear(res);
		return NULL;
	}
	return res;
}

static enum sf_status
pq_jobs_claim(struct store *st, sf_time now, const char *owner, int lease_s,
	      size_t max, struct job_list *out, struct sf_error *err)
{
	PGresult *res;
	int n;

	memset(out, 0, sizeof(*out));
	res = claim((struct pq *)st, S_JOBS_CLAIM, now, owner, lease_s, max,
		    "jobs", err);
	if (!res)
		return run_status(err);
	n = PQntuples(res);
	if (n)
		out->v = xcalloc((size_t)n, sizeof(*out->v));
	for (int i = 0; i < n; i++) {
		struct job *j = &out->v[i];

		j->id = c_int(res, i, 0);
		j->kind = c_text(res, i, 1);
		j->instance_id = c_int(res, i, 2);
		j->step_id = c_int(res, i, 3);
		j->due_at = c_int(res, i, 4);
		j->payload = c_text(res, i, 5);
	}
	out->n = (size_t)n;
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_job_done(struct store *st, int64_t id, const char *owner, sf_time now,
	    struct sf_error *err)
{
	struct params prm = {0};
	enum sf_status r;
	long n = 0;

	p_int(&prm, now);
	p_int(&prm, id);
	p_text(&prm, owner);
	r = pq_change((struct pq *)st, S_JOB_DONE, &prm, "jobs", &n, err);
	if (r)
		return r;
	if (n != 1)
		return sf_fail(err, SF_CONFLICT, NULL,
			       "job %lld was taken by another node",
			       (long long)id);
	return SF_OK;
}

static enum sf_status
pq_jobs_cancel_step(struct store *st, int64_t step_id, sf_time now,
		    struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, now);
	p_int(&prm, step_id);
	return pq_exec((struct pq *)st, S_JOBS_CANCEL_STEP, &prm, "jobs", err);
}

/* audit */

/* The row lock on audit_head is held to the end of the transaction: a
 * second writer waits here and then reads the head the first one left. */
static enum sf_status
pq_audit_head(struct store *st, int64_t *id, char hash[65],
	      struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	*id = 0;
	hash[0] = '\0';
	res = pq_run((struct pq *)st, S_AUDIT_HEAD, &prm, "audit", err);
	if (!res)
		return run_status(err);
	if (PQntuples(res) > 0) {
		*id = c_int(res, 0, 0);
		xstrlcpy(hash, PQgetvalue(res, 0, 1), 65);
	}
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_audit_insert(struct store *st, const struct audit_rec *a,
		struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, a->id);
	p_int(&prm, a->ts);
	p_text(&prm, a->user_name ? a->user_name : "");
	p_text(&prm, a->role ? a->role : "");
	p_text(&prm, a->acting_for ? a->acting_for : "");
	p_text(&prm, a->object);
	p_text(&prm, a->action);
	p_text(&prm, a->before);
	p_text(&prm, a->after);
	p_text(&prm, a->prev_hash);
	p_text(&prm, a->hash);
	return pq_exec((struct pq *)st, S_AUDIT_INSERT, &prm, "audit", err);
}

static char *
c_ref(const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? NULL : PQgetvalue(res, 0, col);
}

/*
 * Rows come one at a time (single-row mode) so that verifying a long
 * chain never holds it all in memory.  FN must not use the store: the
 * connection is busy until the last row.
 */
static enum sf_status
pq_audit_each(struct store *st, const char *object, audit_fn fn, void *ctx,
	      struct sf_error *err)
{
	struct pq *p = (struct pq *)st;
	const char *v[1] = {object};
	char name[16];
	PGresult *res;
	enum sf_status r = SF_OK;
	int stop = 0;

	snprintf(name, sizeof(name), "sf%d", (int)S_AUDIT_EACH);
	if (!pq_alive(p))
		return pq_fail(p, NULL, err, "audit");
	if (!p->prepared[S_AUDIT_EACH]) {
		res = PQprepare(p->conn, name, stmts[S_AUDIT_EACH], 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			r = pq_fail(p, res, err, "audit");
			PQclear(res);
			return r;
		}
		PQclear(res);
		p->prepared[S_AUDIT_EACH] = 1;
	}
	if (!PQsendQueryPrepared(p->conn, name, 1, v, NULL, NULL, 0))
		return pq_fail(p, NULL, err, "audit");
	PQsetSingleRowMode(p->conn);
	while ((res = PQgetResult(p->conn)) != NULL) {
		ExecStatusType s = PQresultStatus(res);

		if (s == PGRES_SINGLE_TUPLE && !stop) {
			struct audit_rec a = {
			    .id = c_int(res, 0, 0),
			    .ts = c_int(res, 0, 1),
			    .user_name = c_ref(res, 2),
			    .role = c_ref(res, 3),
			    .acting_for = c_ref(res, 4),
			    .object = c_ref(res, 5),
			    .action = c_ref(res, 6),
			    .before = c_ref(res, 7),
			    .after = c_ref(res, 8),
			    .prev_hash = c_ref(res, 9),
			    .hash = c_ref(res, 10),
			};
			stop = fn(ctx, &a);
		} else if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK &&
			   !r) {
			r = pq_fail(p, res, err, "audit");
		}
		PQclear(res);
	}
	return r;
}

/* outbox */

static void
outbox_from_row(const PGresult *res, int i, struct outbox_row *m)
{
	memset(m, 0, sizeof(*m));
	m->id = c_int(res, i, 0);
	m->created = c_int(res, i, 1);
	m->to = c_json(res, i, 2);
	m->cc = c_json(res, i, 3);
	m->bcc = c_json(res, i, 4);
	m->subject = c_text(res, i, 5);
	m->body = c_text(res, i, 6);
	m->attachments = c_json(res, i, 7);
	m->format = c_text(res, i, 8);
	m->state = c_text(res, i, 9);
	m->attempts = (int)c_int(res, i, 10);
	m->next_attempt = c_int(res, i, 11);
	m->last_error = c_text(res, i, 12);
	m->sent_at = c_int(res, i, 13);
	m->object = c_text(res, i, 14);
}

/* The rows of RES (cleared here) into OUT. */
static void
outbox_rows(PGresult *res, struct outbox_list *out)
{
	int n = PQntuples(res);

	memset(out, 0, sizeof(*out));
	if (n)
		out->v = xcalloc((size_t)n, sizeof(*out->v));
	for (int i = 0; i < n; i++)
		outbox_from_row(res, i, &out->v[i]);
	out->n = (size_t)n;
	PQclear(res);
}

static enum sf_status
pq_outbox_add(struct store *st, const struct outbox_row *m, int64_t *id,
	      struct sf_error *err)
{
	struct params prm = {0};
	json_t *empty = json_array();
	PGresult *res;

	p_int(&prm, m->created);
	p_json(&prm, m->to ? m->to : empty);
	p_json(&prm, m->cc ? m->cc : empty);
	p_json(&prm, m->bcc ? m->bcc : empty);
	p_text(&prm, m->subject ? m->subject : "");
	p_text(&prm, m->body ? m->body : "");
	p_json(&prm, m->attachments ? m->attachments : empty);
	p_text(&prm, m->format ? m->format : "email");
	p_int(&prm, m->next_attempt ? m->next_attempt : m->created);
	p_text(&prm, m->object ? m->object : "");
	json_decref(empty);
	res = pq_run((struct pq *)st, S_OUTBOX_ADD, &prm, "outbox", err);
	if (!res)
		return run_status(err);
	if (id)
		*id = c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_outbox_list(struct store *st, const char *state, struct outbox_list *out,
	       struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	memset(out, 0, sizeof(*out));
	p_text(&prm, state);
	res = pq_run((struct pq *)st, S_OUTBOX_LIST, &prm, "outbox", err);
	if (!res)
		return run_status(err);
	outbox_rows(res, out);
	return SF_OK;
}

static enum sf_status
pq_outbox_claim(struct store *st, sf_time now, const char *owner, int lease_s,
		size_t max, struct outbox_list *out, struct sf_error *err)
{
	PGresult *res;

	memset(out, 0, sizeof(*out));
	res = claim((struct pq *)st, S_OUTBOX_CLAIM, now, owner, lease_s, max,
		    "outbox", err);
	if (!res)
		return run_status(err);
	outbox_rows(res, out);
	return SF_OK;
}

static enum sf_status
pq_outbox_mark(struct store *st, int64_t id, const char *state, int attempts,
	       sf_time next_attempt, const char *last_error, sf_time now,
	       struct sf_error *err)
{
	struct params prm = {0};

	p_text(&prm, state);
	p_int(&prm, attempts);
	p_int(&prm, next_attempt);
	p_text(&prm, last_error);
	p_int(&prm, now);
	p_int(&prm, id);
	return pq_exec((struct pq *)st, S_OUTBOX_MARK, &prm, "outbox", err);
}

/* settings */

static enum sf_status
pq_setting_get(struct store *st, const char *key, char **value,
	       struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	*value = NULL;
	p_text(&prm, key);
	res = pq_run((struct pq *)st, S_SETTING_GET, &prm, "settings", err);
	if (!res)
		return run_status(err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return sf_fail(err, SF_NOT_FOUND, key, "no setting %s", key);
	}
	*value = c_text(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_setting_put(struct store *st, const char *key, const char *value,
	       struct sf_error *err)
{
	struct params prm = {0};

	p_text(&prm, key);
	p_text(&prm, value);
	return pq_exec((struct pq *)st, S_SETTING_PUT, &prm, "settings", err);
}

/* PostgreSQL has no cheap stamp of "nothing committed since": answers
 * are never reused. */
static enum sf_status
pq_generation(struct store *st, uint64_t out[2], struct sf_error *err)
{
	(void)st;
	(void)err;
	out[0] = out[1] = 0;
	return SF_OK;
}

/* user lists */

static enum sf_status
pq_ulist_import_add(struct store *st, const struct ulist_import *imp,
		    int64_t *id, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, imp->resource);
	p_text(&prm, imp->month);
	if (imp->review_id)
		p_int(&prm, imp->review_id);
	else
		p_text(&prm, NULL);
	p_text(&prm, imp->scope ? imp->scope : "");
	p_text(&prm, imp->kind);
	p_text(&prm, imp->filename);
	p_json(&prm, imp->info);
	p_int(&prm, imp->nrows);
	p_int(&prm, imp->imported);
	p_text(&prm, imp->by);
	res = pq_run((struct pq *)st, S_ULIST_IMPORT_ADD, &prm, "userlists",
		     err);
	if (!res)
		return run_status(err);
	*id = c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_ulist_row_add(struct store *st, int64_t import_id,
		 const struct ulist_row *row, struct sf_error *err)
{
	struct params prm = {0};

	p_int(&prm, import_id);
	p_int(&prm, row->n);
	p_int(&prm, row->line);
	p_text(&prm, row->sheet);
	p_text(&prm, row->uid);
	p_text(&prm, row->full_name);
	p_text(&prm, row->na);
	p_text(&prm, row->email);
	p_int(&prm, row->disabled ? 1 : 0);
	p_json(&prm, row->data);
	return pq_exec((struct pq *)st, S_ULIST_ROW_ADD, &prm, "userlists",
		       err);
}

static enum sf_status
pq_ulist_imports(struct store *st, const char *resource, const char *month,
		 int64_t review_id, json_t **out, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, resource);
	p_text(&prm, month);
	p_int(&prm, review_id);
	res = pq_run((struct pq *)st, S_ULIST_IMPORTS, &prm, "userlists", err);
	if (!res)
		return run_status(err);
	*out = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *info = c_json(res, i, 7);
		json_array_append_new(
			*out,
			json_pack("{s:I, s:s, s:s?, s:I, s:s, s:s, s:s, s:o, "
				  "s:I, s:I, s:s}",
				  "id", (json_int_t)c_int(res, i, 0), "resource",
				  PQgetvalue(res, i, 1), "month",
				  PQgetisnull(res, i, 2) ? NULL
							 : PQgetvalue(res, i, 2),
				  "review_id", (json_int_t)c_int(res, i, 3),
				  "scope", PQgetvalue(res, i, 4), "kind",
				  PQgetvalue(res, i, 5), "filename",
				  PQgetvalue(res, i, 6), "info",
				  info ? info : json_null(), "nrows",
				  (json_int_t)c_int(res, i, 8), "imported",
				  (json_int_t)c_int(res, i, 9), "by",
				  PQgetvalue(res, i, 10)));
	}
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_ulist_rows_each(struct store *st, int64_t import_id, ulist_row_fn fn,
		   void *ctx, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_int(&prm, import_id);
	res = pq_run((struct pq *)st, S_ULIST_ROWS, &prm, "userlists", err);
	if (!res)
		return run_status(err);
	for (int i = 0; i < PQntuples(res); i++) {
#define PV(c) (PQgetisnull(res, i, c) ? NULL : PQgetvalue(res, i, c))
		struct ulist_row r = {
			.n = c_int(res, i, 0),
			.line = c_int(res, i, 1),
			.sheet = PV(2),
			.uid = PV(3),
			.full_name = PV(4),
			.na = PV(5),
			.email = PV(6),
			.disabled = (int)c_int(res, i, 7),
			.data = c_json(res, i, 8),
		};
#undef PV
		int stop = fn(ctx, &r);
		json_decref(r.data);
		if (stop)
			break;
	}
	PQclear(res);
	return SF_OK;
}

/* counters and catalogues */

static enum sf_status
pq_counter_next(struct store *st, const char *name, int64_t *value,
		struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, name);
	res = pq_run((struct pq *)st, S_COUNTER_NEXT, &prm, "counters", err);
	if (!res)
		return run_status(err);
	*value = c_int(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_catalog_put(struct store *st, const char *kind, const char *name,
	       json_t *data, sf_time now, struct sf_error *err)
{
	struct params prm = {0};

	p_text(&prm, kind);
	p_text(&prm, name);
	p_json(&prm, data);
	p_int(&prm, now);
	return pq_exec((struct pq *)st, S_CATALOG_PUT, &prm, "catalog", err);
}

static enum sf_status
pq_catalog_get(struct store *st, const char *kind, const char *name,
	       json_t **data, struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	*data = NULL;
	p_text(&prm, kind);
	p_text(&prm, name);
	res = pq_run((struct pq *)st, S_CATALOG_GET, &prm, "catalog", err);
	if (!res)
		return run_status(err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return sf_fail(err, SF_NOT_FOUND, "name", "no %s \"%s\"",
			       kind, name);
	}
	*data = c_json(res, 0, 0);
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_catalog_list(struct store *st, const char *kind, json_t **out,
		struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;

	p_text(&prm, kind);
	res = pq_run((struct pq *)st, S_CATALOG_LIST, &prm, "catalog", err);
	if (!res)
		return run_status(err);
	*out = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *d = c_json(res, i, 1);
		json_array_append_new(
			*out, json_pack("{s:s, s:o, s:I}", "name",
					PQgetvalue(res, i, 0),
					"data", d ? d : json_null(), "updated",
					(json_int_t)c_int(res, i, 2)));
	}
	PQclear(res);
	return SF_OK;
}

static enum sf_status
pq_catalog_delete(struct store *st, const char *kind, const char *name,
		  struct sf_error *err)
{
	struct params prm = {0};
	PGresult *res;
	long n;

	p_text(&prm, kind);
	p_text(&prm, name);
	res = pq_run((struct pq *)st, S_CATALOG_DELETE, &prm, "catalog", err);
	if (!res)
		return run_status(err);
	n = changes(res);
	PQclear(res);
	if (n == 0)
		return sf_fail(err, SF_NOT_FOUND, "name", "no %s \"%s\"",
			       kind, name);
	return SF_OK;
}

static const struct store_ops store_pg_ops = {
    .name = "postgresql",
    .open = pq_open,
    .close = pq_close,
    .migrate = pq_migrate,
    .schema_version = pq_schema_version,
    .backup = pq_backup,
    .begin = pq_begin,
    .begin_read = pq_begin_read,
    .commit = pq_commit,
    .rollback = pq_rollback,
    .user_add = pq_user_add,
    .user_get = pq_user_get,
    .user_list = pq_user_list,
    .user_set_password = pq_user_set_password,
    .user_set_login_state = pq_user_set_login_state,
    .grant_add = pq_grant_add,
    .grant_remove = pq_grant_remove,
    .grants_of = pq_grants_of,
    .delegation_add = pq_delegation_add,
    .delegations_to = pq_delegations_to,
    .users_with_role = pq_users_with_role,
    .session_add = pq_session_add,
    .session_get = pq_session_get,
    .session_delete = pq_session_delete,
    .holiday_put = pq_holiday_put,
    .holidays = pq_holidays,
    .procdef_put = pq_procdef_put,
    .procdef_source = pq_procdef_source,
    .instance_add = pq_instance_add,
    .instance_get = pq_instance_get,
    .instance_update = pq_instance_update,
    .instance_list = pq_instance_list,
    .step_add = pq_step_add,
    .step_close = pq_step_close,
    .step_set_overdue = pq_step_set_overdue,
    .step_get = pq_step_get,
    .steps_of = pq_steps_of,
    .steps_active_all = pq_steps_active_all,
    .step_keys_put = pq_step_keys_put,
    .instance_keys_put = pq_instance_keys_put,
    .tasks_for = pq_tasks_for,
    .instance_list_for = pq_instance_list_for,
    .instance_summaries_for = pq_instance_summaries_for,
    .instance_summary_put = pq_instance_summary_put,
    .join_arrive = pq_join_arrive,
    .join_count = pq_join_count,
    .join_clear = pq_join_clear,
    .job_add = pq_job_add,
    .jobs_claim = pq_jobs_claim,
    .job_done = pq_job_done,
    .jobs_cancel_step = pq_jobs_cancel_step,
    .audit_head = pq_audit_head,
    .audit_insert = pq_audit_insert,
    .audit_each = pq_audit_each,
    .outbox_add = pq_outbox_add,
    .outbox_list = pq_outbox_list,
    .outbox_claim = pq_outbox_claim,
    .outbox_mark = pq_outbox_mark,
    .setting_get = pq_setting_get,
    .setting_put = pq_setting_put,
    .generation = pq_generation,
    .ulist_import_add = pq_ulist_import_add,
    .ulist_row_add = pq_ulist_row_add,
    .ulist_imports = pq_ulist_imports,
    .ulist_rows_each = pq_ulist_rows_each,
    .counter_next = pq_counter_next,
    .catalog_put = pq_catalog_put,
    .catalog_get = pq_catalog_get,
    .catalog_list = pq_catalog_list,
    .catalog_delete = pq_catalog_delete,
};

/*
 * The PostgreSQL backend, for store_open() (store.c): "postgres://" and
 * "postgresql://" URLs, any form libpq accepts.
 */
const struct store_ops *
store_pg_ops_get(void)
{
	return &store_pg_ops;
}
