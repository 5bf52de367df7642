/*
 * store_sqlite.c - the SQLite backend of store.h.
 *
 * One connection per struct store, WAL mode, synchronous=FULL so a
 * committed step survives a power cut as well as a crash; write
 * transactions start with BEGIN IMMEDIATE so two writers never deadlock
 * on a lock upgrade, and busy_timeout lets them queue.  Statements are
 * prepared once per connection and cached by their SQL text's address.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/embedded.h"
#include "store.h"
#include "store/walstamp.h"

#define SQ_CACHE 96

struct sq {
	struct store base;
	sqlite3 *db;
	char *path;
	int in_txn;
	/* begin_read was asked for; BEGIN runs before the first statement,
	 * so a request answered from a cache never takes the lock */
	int read_pending;
	struct walstamp stamp; /* the -shm header, for generation() */
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[SQ_CACHE];
};

static enum sf_status
sq_err(struct sq *s, struct sf_error *err, const char *what)
{
	return sf_fail(err, SF_DB, NULL, "sqlite %s: %s", what,
		       sqlite3_errmsg(s->db));
}

/* The cached statement for SQL (a string literal), reset and unbound. */
static int sq_txn(struct sq *s, const char *sql);
static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_begin_read[] = "BEGIN DEFERRED";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

static sqlite3_stmt *
sq_stmt(struct sq *s, const char *sql, struct sf_error *err)
{
	int i;

	if (s->read_pending) {
		s->read_pending = 0;
		if (sq_txn(s, sql_begin_read) != SQLITE_OK) {
			s->in_txn = 0;
			sq_err(s, err, "begin");
			return NULL;
		}
	}

	for (i = 0; i < SQ_CACHE && s->cache[i].sql; i++) {
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].stmt);
			sqlite3_clear_bindings(s->cache[i].stmt);
			return s->cache[i].stmt;
		}
	}
	if (i == SQ_CACHE) {
		sf_fail(err, SF_INTERNAL, NULL, "statement cache full");
		return NULL;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &s->cache[i].stmt, NULL) != SQLITE_OK) {
		sq_err(s, err, "prepare");
		return NULL;
	}
	s->cache[i].sql = sql;
	return s->cache[i].stmt;
}

static void
b_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void
b_int(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

/* Bind a JSON value as its compact text; NULL binds SQL NULL. */
static void
b_json(sqlite3_stmt *st, int i, json_t *v)
{
	char *t;

	if (!v) {
		sqlite3_bind_null(st, i);
		return;
	}
	t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	sqlite3_bind_text(st, i, t ? t : "null", -1, SQLITE_TRANSIENT);
	free(t);
}

static char *
c_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static json_t *
c_json(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	return json_loads((const char *)t, JSON_DECODE_ANY, NULL);
}

/* Run a statement that returns no row. */
static enum sf_status
sq_exec(struct sq *s, sqlite3_stmt *st, struct sf_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_CONSTRAINT) {
		sqlite3_reset(st);
		return sf_fail(err, SF_CONFLICT, NULL, "already exists: %s",
			       sqlite3_errmsg(s->db));
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		enum sf_status r = sq_err(s, err, "step");
		sqlite3_reset(st);
		return r;
	}
	sqlite3_reset(st);
	return SF_OK;
}

/*
 * Wait for the write lock in steps of 1 ms, for 10 s at most.  SQLite's
 * own busy_timeout sleeps longer and longer (up to 100 ms a try) and so
 * keeps missing the short gaps a busy writer leaves; short steps let
 * writers take turns.
 */
static int
sq_busy(void *ctx, int count)
{
	(void)ctx;
	if (count >= 10000)
		return 0;
	sqlite3_sleep(1);
	return 1;
}

/* Once per process, before the first connection: SQLite's memory
 * statistics take a global mutex on every allocation, which the server's
 * threads would otherwise fight over. */
static void
sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static enum sf_status
sq_open(const char *url, struct store **out, struct sf_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq *s = xcalloc(1, sizeof(*s));
	const char *path = url;
	const char *sync;
	const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			      "PRAGMA foreign_keys=ON;";
	/* Index pages near the end of the tables are rewritten by every
	 * step: checkpointing less often writes each of them back once per
	 * checkpoint instead of once per few dozen steps. */
	static const char tuning[] = "PRAGMA wal_autocheckpoint=8000;";

	pthread_once(&once, sq_configure);
	if (strncmp(path, "sqlite:", 7) == 0)
		path += 7;
	s->base.ops = &store_sqlite_ops;
	s->path = xstrdup(path);
	walstamp_init(&s->stamp);
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		sf_fail(err, SF_DB, "db", "cannot open database %s: %s", path,
			s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		free(s->path);
		free(s);
		return SF_DB;
	}
	sqlite3_busy_handler(s->db, sq_busy, NULL);
	/* FULL: a commit survives a power cut.  NORMAL survives a crash of
	 * the process only; allowed for benchmarks and throwaway servers. */
	sync = getenv("SECFLOW_SQLITE_SYNCHRONOUS");
	if (sync && strcmp(sync, "NORMAL") == 0)
		pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			  "PRAGMA foreign_keys=ON;";
	if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, tuning, NULL, NULL, NULL) != SQLITE_OK) {
		sf_fail(err, SF_DB, "db", "cannot use database %s: %s", path,
			sqlite3_errmsg(s->db));
		sqlite3_close(s->db);
		free(s->path);
		free(s);
		return SF_DB;
	}
	*out = &s->base;
	return SF_OK;
}

static void
sq_close(struct store *st)
{
	struct sq *s = (struct sq *)st;

	for (int i = 0; i < SQ_CACHE && s->cache[i].sql; i++)
		sqlite3_finalize(s->cache[i].stmt);
	walstamp_release(&s->stamp);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* Run one of the transaction statements, prepared once per connection. */
static int
sq_txn(struct sq *s, const char *sql)
{
	struct sf_error ignored;
	sqlite3_stmt *q = sq_stmt(s, sql, &ignored);
	int rc;

	if (!q)
		return SQLITE_ERROR;
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}


static enum sf_status
sq_begin(struct store *st, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;

	if (sq_txn(s, sql_begin) != SQLITE_OK)
		return sq_err(s, err, "begin");
	s->in_txn = 1;
	return SF_OK;
}

static enum sf_status
sq_begin_read(struct store *st, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;

	if (s->in_txn)
		return sf_fail(err, SF_INTERNAL, NULL,
			       "a transaction is already open");
	s->in_txn = 1;
	s->read_pending = 1; /* sq_stmt begins it */
	return SF_OK;
}

static enum sf_status
sq_commit(struct store *st, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;

	if (s->read_pending) {
		s->read_pending = 0;
		s->in_txn = 0;
		return SF_OK;
	}
	if (sq_txn(s, sql_commit) != SQLITE_OK) {
		enum sf_status r = sq_err(s, err, "commit");
		sq_txn(s, sql_rollback);
		s->in_txn = 0;
		return r;
	}
	s->in_txn = 0;
	return SF_OK;
}

static void
sq_rollback(struct store *st)
{
	struct sq *s = (struct sq *)st;

	if (s->in_txn && !s->read_pending)
		sq_txn(s, sql_rollback);
	s->in_txn = 0;
	s->read_pending = 0;
}

static enum sf_status
sq_schema_version(struct store *st, int *version, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	sqlite3_stmt *q;
	int rc;

	*version = 0;
	rc = sqlite3_prepare_v2(
		s->db,
		"SELECT count(*) FROM sqlite_master WHERE name = "
		"'schema_migrations'",
		-1, &q, NULL);
	if (rc != SQLITE_OK)
		return sq_err(s, err, "schema");
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW || sqlite3_column_int(q, 0) == 0) {
		sqlite3_finalize(q);
		return SF_OK;
	}
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT coalesce(max(version), 0) FROM "
			       "schema_migrations",
			       -1, &q, NULL) != SQLITE_OK)
		return sq_err(s, err, "schema");
	if (sqlite3_step(q) == SQLITE_ROW)
		*version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return SF_OK;
}

static enum sf_status
sq_migrate(struct store *st, int *applied, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	enum sf_status r;
	int have;

	*applied = 0;
	if (sqlite3_exec(s->db,
			 "CREATE TABLE IF NOT EXISTS schema_migrations ("
			 "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
			 "applied INTEGER NOT NULL)",
			 NULL, NULL, NULL) != SQLITE_OK)
		return sq_err(s, err, "migrate");
	for (const struct embedded_file *f = sqlite_migrations; f->name;
	     f++) {
		char *end;
		long v = strtol(f->name, &end, 10);
		char *msg = NULL;
		sqlite3_stmt *q;

		if (end == f->name || *end != '_')
			return sf_fail(err, SF_INTERNAL, NULL,
				       "migration %s has no number", f->name);
		/* Every open comes here: look without the write lock first,
		 * or each CLI verb queues behind a busy server or tick (and
		 * fails after busy_timeout).  Checked again under the lock. */
		r = sq_schema_version(st, &have, err);
		if (r)
			return r;
		if (v <= have)
			continue;
		r = sq_begin(st, err);
		if (r)
			return r;
		r = sq_schema_version(st, &have, err);
		if (r) {
			sq_rollback(st);
			return r;
		}
		if (v <= have) {
			sq_rollback(st);
			continue;
		}
		if (sqlite3_exec(s->db, f->data, NULL, NULL, &msg) !=
		    SQLITE_OK) {
			sf_fail(err, SF_DB, NULL, "migration %s: %s", f->name,
				msg ? msg : "failed");
			sqlite3_free(msg);
			sq_rollback(st);
			return SF_DB;
		}
		if (sqlite3_prepare_v2(s->db,
				       "INSERT INTO schema_migrations"
				       "(version, name, applied) VALUES "
				       "(?, ?, strftime('%s','now'))",
				       -1, &q, NULL) != SQLITE_OK) {
			sq_rollback(st);
			return sq_err(s, err, "migrate");
		}
		b_int(q, 1, v);
		b_text(q, 2, f->name);
		if (sqlite3_step(q) != SQLITE_DONE) {
			sqlite3_finalize(q);
			sq_rollback(st);
			return sq_err(s, err, "migrate");
		}
		sqlite3_finalize(q);
		r = sq_commit(st, err);
		if (r)
			return r;
		(*applied)++;
	}
	return SF_OK;
}

static enum sf_status
sq_backup(struct store *st, const char *path, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	sqlite3 *dst;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open(path, &dst) != SQLITE_OK) {
		sf_fail(err, SF_IO, "file", "cannot create backup %s: %s", path,
			sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return SF_IO;
	}
	b = sqlite3_backup_init(dst, "main", s->db, "main");
	if (!b) {
		sf_fail(err, SF_IO, "file", "backup to %s: %s", path,
			sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return SF_IO;
	}
	/* Copy in slices so writers are not blocked for the whole copy. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		sf_fail(err, SF_IO, "file", "backup to %s: %s", path,
			sqlite3_errstr(rc));
		sqlite3_close(dst);
		return SF_IO;
	}
	sqlite3_close(dst);
	return SF_OK;
}

/* users, grants, delegations, sessions */

static enum sf_status
sq_user_add(struct store *st, const char *name, const char *email,
	    const char *pw_hash, sf_time now, int64_t *id, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT INTO users(name, email, pw_hash, "
				  "created) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_text(q, 1, name);
	b_text(q, 2, email);
	b_text(q, 3, pw_hash);
	b_int(q, 4, now);
	r = sq_exec(s, q, err);
	if (r == SF_CONFLICT)
		return sf_fail(err, SF_CONFLICT, "name",
			       "user \"%s\" already exists", name);
	if (r)
		return r;
	*id = sqlite3_last_insert_rowid(s->db);
	return SF_OK;
}

static enum sf_status
sq_user_get(struct store *st, const char *name, int64_t id, struct user *out,
	    struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char by_name[] =
		"SELECT id, name, email, pw_hash, failed_logins, "
		"locked_until, disabled FROM users WHERE name = ?";
	static const char by_id[] =
		"SELECT id, name, email, pw_hash, failed_logins, "
		"locked_until, disabled FROM users WHERE id = ?";
	sqlite3_stmt *q = sq_stmt(s, name ? by_name : by_id, err);
	int rc;

	if (!q)
		return SF_DB;
	if (name)
		b_text(q, 1, name);
	else
		b_int(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(q);
		if (name)
			return sf_fail(err, SF_NOT_FOUND, "user",
				       "no user \"%s\"", name);
		return sf_fail(err, SF_NOT_FOUND, "user", "no user %lld",
			       (long long)id);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return sq_err(s, err, "user");
	}
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(q, 0);
	out->name = c_text(q, 1);
	out->email = c_text(q, 2);
	out->pw_hash = c_text(q, 3);
	out->failed_logins = sqlite3_column_int(q, 4);
	out->locked_until = sqlite3_column_int64(q, 5);
	out->disabled = sqlite3_column_int(q, 6);
	sqlite3_reset(q);
	return SF_OK;
}

static enum sf_status
sq_user_list(struct store *st, json_t **out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"SELECT u.name, coalesce(u.email, ''), "
		"(SELECT group_concat(g.role || CASE g.scope WHEN '' THEN '' "
		"ELSE ':' || g.scope END, ' ') FROM grants g "
		"WHERE g.user_id = u.id) FROM users u ORDER BY u.name";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	*out = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *roles = (const char *)sqlite3_column_text(q, 2);
		json_array_append_new(
			*out,
			json_pack("{s:s, s:s, s:s}", "name",
				  (const char *)sqlite3_column_text(q, 0),
				  "email",
				  (const char *)sqlite3_column_text(q, 1),
				  "roles", roles ? roles : ""));
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return sq_err(s, err, "users");
	}
	return SF_OK;
}

static enum sf_status
sq_user_set_password(struct store *st, int64_t id, const char *pw_hash,
		     struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "UPDATE users SET pw_hash = ?, "
				  "failed_logins = 0, locked_until = 0 "
				  "WHERE id = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, pw_hash);
	b_int(q, 2, id);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_user_set_login_state(struct store *st, int64_t id, int failed,
			sf_time locked_until, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "UPDATE users SET failed_logins = ?, "
				  "locked_until = ? WHERE id = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, failed);
	b_int(q, 2, locked_until);
	b_int(q, 3, id);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_grant_add(struct store *st, int64_t user_id, const char *role,
	     const char *scope, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT OR IGNORE INTO grants(user_id, "
				  "role, scope) VALUES (?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, user_id);
	b_text(q, 2, role);
	b_text(q, 3, scope ? scope : "");
	return sq_exec(s, q, err);
}

static enum sf_status
sq_grant_remove(struct store *st, int64_t user_id, const char *role,
		const char *scope, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "DELETE FROM grants WHERE user_id = ? AND "
				  "role = ? AND scope = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_int(q, 1, user_id);
	b_text(q, 2, role);
	b_text(q, 3, scope ? scope : "");
	r = sq_exec(s, q, err);
	if (r)
		return r;
	if (sqlite3_changes(s->db) == 0)
		return sf_fail(err, SF_NOT_FOUND, "role",
			       "the user does not hold role %s%s%s", role,
			       scope && *scope ? " for " : "",
			       scope ? scope : "");
	return SF_OK;
}

static enum sf_status
grant_rows(struct sq *s, sqlite3_stmt *q, int delegated, struct grant_list *out,
	   struct sf_error *err)
{
	int rc;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct grant *g;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		g = &out->v[out->n++];
		memset(g, 0, sizeof(*g));
		g->id = sqlite3_column_int64(q, 0);
		g->user_id = sqlite3_column_int64(q, 1);
		g->role = c_text(q, 2);
		g->scope = c_text(q, 3);
		if (delegated) {
			g->from_user = sqlite3_column_int64(q, 4);
			g->from_name = c_text(q, 5);
			g->until = c_text(q, 6);
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		grant_list_release(out);
		return sq_err(s, err, "grants");
	}
	return SF_OK;
}

static enum sf_status
sq_grants_of(struct store *st, int64_t user_id, struct grant_list *out,
	     struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT id, user_id, role, scope FROM "
				  "grants WHERE user_id = ? ORDER BY role, "
				  "scope";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, user_id);
	return grant_rows(s, q, 0, out, err);
}

static enum sf_status
sq_delegation_add(struct store *st, int64_t from, int64_t to, const char *role,
		  const char *scope, const char *until, sf_time now,
		  struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT INTO delegations(from_user, "
				  "to_user, role, scope, until, created) "
				  "VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, from);
	b_int(q, 2, to);
	b_text(q, 3, role);
	b_text(q, 4, scope ? scope : "");
	b_text(q, 5, until);
	b_int(q, 6, now);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_delegations_to(struct store *st, int64_t user_id, const char *today,
		  struct grant_list *out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	/* A delegation holds only while its giver still holds the role. */
	static const char sql[] =
		"SELECT d.id, d.to_user, d.role, d.scope, d.from_user, u.name, "
		"d.until FROM delegations d JOIN users u ON u.id = d.from_user "
		"WHERE d.to_user = ? AND d.until >= ? AND EXISTS (SELECT 1 "
		"FROM grants g WHERE g.user_id = d.from_user AND g.role = "
		"d.role AND g.scope = d.scope) ORDER BY d.role, d.scope";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, user_id);
	b_text(q, 2, today);
	return grant_rows(s, q, 1, out, err);
}

static enum sf_status
sq_users_with_role(struct store *st, const char *role, const char *scope,
		   const char *today, json_t **out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"SELECT DISTINCT u.name, coalesce(u.email, '') FROM users u "
		"WHERE u.disabled = 0 AND (EXISTS (SELECT 1 FROM grants g "
		"WHERE g.user_id = u.id AND g.role = ?1 AND (?2 = '' OR "
		"g.scope = ?2)) OR EXISTS (SELECT 1 FROM delegations d JOIN "
		"grants g ON g.user_id = d.from_user AND g.role = d.role AND "
		"g.scope = d.scope WHERE d.to_user = u.id AND d.role = ?1 AND "
		"(?2 = '' OR d.scope = ?2) AND d.until >= ?3)) ORDER BY u.name";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_text(q, 1, role);
	b_text(q, 2, scope ? scope : "");
	b_text(q, 3, today);
	*out = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(
			*out, json_pack("{s:s, s:s}", "name",
					(const char *)sqlite3_column_text(q, 0),
					"email",
					(const char *)sqlite3_column_text(q, 1)));
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return sq_err(s, err, "users");
	}
	return SF_OK;
}

static enum sf_status
sq_session_add(struct store *st, const char *hash, int64_t user_id,
	       const char *kind, sf_time now, sf_time expires,
	       struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT INTO sessions(token_hash, user_id, "
				  "kind, created, expires) VALUES "
				  "(?, ?, ?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, hash);
	b_int(q, 2, user_id);
	b_text(q, 3, kind);
	b_int(q, 4, now);
	b_int(q, 5, expires);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_session_get(struct store *st, const char *hash, sf_time now,
	       int64_t *user_id, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT user_id FROM sessions WHERE "
				  "token_hash = ? AND expires > ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_text(q, 1, hash);
	b_int(q, 2, now);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		return SF_OK;
	}
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return sf_fail(err, SF_NOT_FOUND, NULL, "no such session");
	return sq_err(s, err, "session");
}

static enum sf_status
sq_session_delete(struct store *st, const char *hash, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "DELETE FROM sessions WHERE token_hash = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, hash);
	return sq_exec(s, q, err);
}

/* calendar */

static enum sf_status
sq_holiday_put(struct store *st, sf_date day, const char *name,
	       struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT INTO holidays(day, name) VALUES "
				  "(?, ?) ON CONFLICT(day) DO UPDATE SET "
				  "name = excluded.name";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	char d[16];

	if (!q)
		return SF_DB;
	date_format(day, d);
	b_text(q, 1, d);
	b_text(q, 2, name);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_holidays(struct store *st, json_t **out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT day, name FROM holidays ORDER BY day";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	*out = json_object();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_object_set_new(
			*out, (const char *)sqlite3_column_text(q, 0),
			json_string((const char *)sqlite3_column_text(q, 1)));
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return sq_err(s, err, "holidays");
	}
	return SF_OK;
}

/* process definitions */

static enum sf_status
sq_procdef_put(struct store *st, const char *name, int version,
	       const char *hash, const char *source, sf_time now, int64_t *id,
	       struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char ins[] = "INSERT OR IGNORE INTO procdefs(name, "
				  "version, hash, source, loaded) VALUES "
				  "(?, ?, ?, ?, ?)";
	static const char sel[] = "SELECT id FROM procdefs WHERE hash = ?";
	sqlite3_stmt *q = sq_stmt(s, ins, err);
	enum sf_status r;
	int rc;

	if (!q)
		return SF_DB;
	b_text(q, 1, name);
	b_int(q, 2, version);
	b_text(q, 3, hash);
	b_text(q, 4, source);
	b_int(q, 5, now);
	r = sq_exec(s, q, err);
	if (r)
		return r;
	q = sq_stmt(s, sel, err);
	if (!q)
		return SF_DB;
	b_text(q, 1, hash);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return sq_err(s, err, "procdef");
	}
	*id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return SF_OK;
}

static enum sf_status
sq_procdef_source(struct store *st, int64_t id, char **source,
		  struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT source FROM procdefs WHERE id = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_int(q, 1, id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return sf_fail(err, SF_NOT_FOUND, NULL,
			       "no process definition %lld", (long long)id);
	}
	*source = c_text(q, 0);
	sqlite3_reset(q);
	return SF_OK;
}

/* instances and steps */

static enum sf_status
sq_instance_add(struct store *st, int64_t procdef_id, const char *process,
		const char *object, json_t *data, const char *summary,
		sf_time now, int64_t *id, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT INTO instances(procdef_id, process, "
				  "object, state, data, summary, created, "
				  "updated) VALUES (?, ?, ?, 'running', ?, ?, "
				  "?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_int(q, 1, procdef_id);
	b_text(q, 2, process);
	b_text(q, 3, object);
	b_json(q, 4, data);
	b_text(q, 5, summary);
	b_int(q, 6, now);
	b_int(q, 7, now);
	r = sq_exec(s, q, err);
	if (r)
		return r;
	*id = sqlite3_last_insert_rowid(s->db);
	return SF_OK;
}

static enum sf_status
sq_instance_get(struct store *st, int64_t id, struct instance *out,
		struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT id, procdef_id, process, object, "
				  "state, data, created, updated, rev FROM "
				  "instances WHERE id = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_int(q, 1, id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		if (rc == SQLITE_DONE)
			return sf_fail(err, SF_NOT_FOUND, NULL,
				       "no object %lld", (long long)id);
		return sq_err(s, err, "instance");
	}
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(q, 0);
	out->procdef_id = sqlite3_column_int64(q, 1);
	out->process = c_text(q, 2);
	out->object = c_text(q, 3);
	out->state = c_text(q, 4);
	out->data = c_json(q, 5);
	if (!out->data)
		out->data = json_object();
	out->created = sqlite3_column_int64(q, 6);
	out->updated = sqlite3_column_int64(q, 7);
	out->rev = sqlite3_column_int64(q, 8);
	sqlite3_reset(q);
	return SF_OK;
}

static enum sf_status
sq_instance_update(struct store *st, int64_t id, const char *state,
		   json_t *data, const char *summary, int64_t expected_rev,
		   sf_time now, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "UPDATE instances SET state = ?, data = ?, "
				  "summary = ?, updated = ?, rev = rev + 1 "
				  "WHERE id = ? AND rev = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_text(q, 1, state);
	b_json(q, 2, data);
	b_text(q, 3, summary);
	b_int(q, 4, now);
	b_int(q, 5, id);
	b_int(q, 6, expected_rev);
	r = sq_exec(s, q, err);
	if (r)
		return r;
	if (sqlite3_changes(s->db) != 1)
		return sf_fail(err, SF_CONFLICT, NULL,
			       "the object changed meanwhile; reload and retry");
	return SF_OK;
}

static enum sf_status
sq_instance_summary_put(struct store *st, int64_t id, const char *summary,
			struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "UPDATE instances SET summary = ? WHERE "
				  "id = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, summary);
	b_int(q, 2, id);
	return sq_exec(s, q, err);
}

/* A row of id, process, state, data, created, updated as the JSON object
 * instance_list gives. */
static json_t *
instance_row_json(sqlite3_stmt *q)
{
	json_t *data = c_json(q, 3);

	return json_pack("{s:I, s:s, s:s, s:o, s:I, s:I}", "id",
			 (json_int_t)sqlite3_column_int64(q, 0), "process",
			 (const char *)sqlite3_column_text(q, 1), "state",
			 (const char *)sqlite3_column_text(q, 2), "data",
			 data ? data : json_object(), "created",
			 (json_int_t)sqlite3_column_int64(q, 4), "updated",
			 (json_int_t)sqlite3_column_int64(q, 5));
}

static enum sf_status
sq_instance_list(struct store *st, const char *object, int64_t before,
		 size_t limit, json_t **out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	/* One statement per shape, so the one for an object uses the
	 * instances_object index (an OR on the parameter would not). */
	static const char all[] = "SELECT id, process, state, data, created, "
				  "updated FROM instances WHERE id < ?2 ORDER "
				  "BY id DESC LIMIT ?3";
	static const char one[] = "SELECT id, process, state, data, created, "
				  "updated FROM instances WHERE object = ?1 AND "
				  "id < ?2 ORDER BY id DESC LIMIT ?3";
	sqlite3_stmt *q = sq_stmt(s, object ? one : all, err);
	int rc;

	if (!q)
		return SF_DB;
	if (object)
		b_text(q, 1, object);
	b_int(q, 2, before > 0 ? before : INT64_MAX);
	b_int(q, 3, limit ? (int64_t)limit : -1);
	*out = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(*out, instance_row_json(q));
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return sq_err(s, err, "instances");
	}
	return SF_OK;
}

static enum sf_status
sq_step_add(struct store *st, const struct step_row *r, int64_t *id,
	    struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"INSERT INTO steps(instance_id, step, state, activated, due, "
		"completed, user_name, role, acting_for, input, roles, scope) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status rc;

	if (!q)
		return SF_DB;
	b_int(q, 1, r->instance_id);
	b_text(q, 2, r->step);
	b_text(q, 3, r->state);
	b_int(q, 4, r->activated);
	b_text(q, 5, r->due);
	if (r->completed)
		b_int(q, 6, r->completed);
	b_text(q, 7, r->user_name);
	b_text(q, 8, r->role);
	b_text(q, 9, r->acting_for);
	b_json(q, 10, r->input);
	b_text(q, 11, r->roles ? r->roles : "");
	b_text(q, 12, r->scope ? r->scope : "");
	rc = sq_exec(s, q, err);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(s->db);
	return SF_OK;
}

static const char sql_keys_drop[] = "DELETE FROM step_keys WHERE step_id = ?";

static enum sf_status
sq_step_close(struct store *st, int64_t id, const char *state, sf_time now,
	      const char *user_name, const char *role, const char *acting_for,
	      json_t *input, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"UPDATE steps SET state = ?, completed = ?, user_name = ?, "
		"role = ?, acting_for = ?, input = ? WHERE id = ? AND "
		"state = 'active'";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_text(q, 1, state);
	b_int(q, 2, now);
	b_text(q, 3, user_name);
	b_text(q, 4, role);
	b_text(q, 5, acting_for);
	b_json(q, 6, input);
	b_int(q, 7, id);
	r = sq_exec(s, q, err);
	if (r)
		return r;
	if (sqlite3_changes(s->db) != 1)
		return sf_fail(err, SF_CONFLICT, "step",
			       "the step is not active any more");
	/* Only active steps have task keys. */
	q = sq_stmt(s, sql_keys_drop, err);
	if (!q)
		return SF_DB;
	b_int(q, 1, id);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_step_set_overdue(struct store *st, int64_t id, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "UPDATE steps SET overdue = 1 WHERE id = ? "
				  "AND overdue = 0 AND state = 'active'";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_int(q, 1, id);
	r = sq_exec(s, q, err);
	if (r)
		return r;
	if (sqlite3_changes(s->db) != 1)
		return sf_fail(err, SF_CONFLICT, "step",
			       "the step is closed or already overdue");
	return SF_OK;
}

#define STEP_COLS                                                             \
	"s.id, s.instance_id, s.step, s.state, s.activated, s.due, "          \
	"s.overdue, s.completed, s.user_name, s.role, s.acting_for, "         \
	"s.input, s.roles, s.scope"

static void
step_from_row(sqlite3_stmt *q, struct step_row *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(q, 0);
	o->instance_id = sqlite3_column_int64(q, 1);
	o->step = c_text(q, 2);
	o->state = c_text(q, 3);
	o->activated = sqlite3_column_int64(q, 4);
	o->due = c_text(q, 5);
	o->overdue = sqlite3_column_int(q, 6);
	o->completed = sqlite3_column_int64(q, 7);
	o->user_name = c_text(q, 8);
	o->role = c_text(q, 9);
	o->acting_for = c_text(q, 10);
	o->input = c_json(q, 11);
	o->roles = c_text(q, 12);
	o->scope = c_text(q, 13);
}

static enum sf_status
step_rows(struct sq *s, sqlite3_stmt *q, int with_process,
	  struct step_list *out, struct sf_error *err)
{
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		step_from_row(q, &out->v[out->n]);
		if (with_process) {
			out->v[out->n].process = c_text(q, 14);
			out->v[out->n].object = c_text(q, 15);
		}
		out->n++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		step_list_release(out);
		return sq_err(s, err, "steps");
	}
	return SF_OK;
}

static enum sf_status
sq_step_get(struct store *st, int64_t id, struct step_row *out,
	    struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT " STEP_COLS
				  " FROM steps s WHERE s.id = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_int(q, 1, id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return sf_fail(err, SF_NOT_FOUND, "step", "no step %lld",
			       (long long)id);
	}
	step_from_row(q, out);
	sqlite3_reset(q);
	return SF_OK;
}

static enum sf_status
sq_steps_of(struct store *st, int64_t instance_id, int active_only,
	    struct step_list *out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char all[] = "SELECT " STEP_COLS " FROM steps s WHERE "
				  "s.instance_id = ? ORDER BY s.id";
	static const char active[] = "SELECT " STEP_COLS
				     " FROM steps s WHERE s.instance_id = ? "
				     "AND s.state = 'active' ORDER BY s.id";
	sqlite3_stmt *q = sq_stmt(s, active_only ? active : all, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, instance_id);
	return step_rows(s, q, 0, out, err);
}

static enum sf_status
sq_steps_active_all(struct store *st, struct step_list *out,
		    struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT " STEP_COLS
				  ", i.process, i.object FROM steps s JOIN "
				  "instances i ON i.id = s.instance_id WHERE "
				  "s.state = 'active'";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	return step_rows(s, q, 1, out, err);
}

static enum sf_status
sq_step_keys_put(struct store *st, int64_t step_id,
		 const struct access_keys *keys, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT OR IGNORE INTO step_keys(role, "
				  "scope, step_id) VALUES (?, ?, ?)";
	enum sf_status r = SF_OK;

	for (size_t i = 0; i < keys->n && !r; i++) {
		sqlite3_stmt *q = sq_stmt(s, sql, err);
		if (!q)
			return SF_DB;
		b_text(q, 1, keys->v[i].role);
		b_text(q, 2, keys->v[i].scope);
		b_int(q, 3, step_id);
		r = sq_exec(s, q, err);
	}
	return r;
}

static enum sf_status
sq_instance_keys_put(struct store *st, int64_t id, const char *object,
		     const struct access_keys *keys, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char del[] = "DELETE FROM instance_keys WHERE "
				  "instance_id = ?";
	static const char add[] = "INSERT OR IGNORE INTO instance_keys(role, "
				  "scope, object, instance_id) VALUES (?, ?, "
				  "?, ?)";
	sqlite3_stmt *q = sq_stmt(s, del, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_int(q, 1, id);
	r = sq_exec(s, q, err);
	for (size_t i = 0; i < keys->n && !r; i++) {
		q = sq_stmt(s, add, err);
		if (!q)
			return SF_DB;
		b_text(q, 1, keys->v[i].role);
		b_text(q, 2, keys->v[i].scope);
		b_text(q, 3, object);
		b_int(q, 4, id);
		r = sq_exec(s, q, err);
	}
	return r;
}

/* The columns of STEP_COLS without the input (task lists show none). */
#define TASK_COLS                                                             \
	"s.id, s.instance_id, s.step, s.state, s.activated, s.due, "          \
	"s.overdue, s.completed, s.user_name, s.role, s.acting_for, "         \
	"NULL, s.roles, s.scope, i.process, i.object"

static enum sf_status
sq_tasks_for(struct store *st, const struct access_keys *pairs,
	     struct step_list *out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char all[] =
		"SELECT " TASK_COLS " FROM steps s JOIN instances i ON i.id = "
		"s.instance_id WHERE s.state = 'active' ORDER BY s.due IS "
		"NULL, s.due, s.id";
	/* One probe of step_keys' primary key per pair: CROSS JOIN keeps
	 * the pairs outside, whatever ANALYZE says about the keys (when
	 * one role holds them all, it would rather scan them). */
	static const char some[] =
		"SELECT " TASK_COLS " FROM steps s JOIN instances i ON i.id = "
		"s.instance_id WHERE s.state = 'active' AND s.id IN (SELECT "
		"k.step_id FROM json_each(?1) p CROSS JOIN step_keys k ON "
		"k.role = "
		"json_extract(p.value, '$.role') AND k.scope = "
		"json_extract(p.value, '$.scope')) ORDER BY s.due IS NULL, "
		"s.due, s.id";
	sqlite3_stmt *q = sq_stmt(s, pairs ? some : all, err);
	char *json;

	if (!q)
		return SF_DB;
	if (pairs) {
		json = access_keys_json(pairs);
		b_text(q, 1, json);
		free(json);
	}
	return step_rows(s, q, 1, out, err);
}

static int
by_id_desc(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? 1 : a > b ? -1 : 0;
}

/*
 * The ids of OBJECT's instances any of PAIRS may see, below BEFORE (0: no
 * bound), newest first, at most LIMIT (0: all) and each once, in *V (the
 * caller frees) and *N.  Each pair's newest LIMIT ids come from one range
 * of instance_keys' primary key, read backwards and stopped at LIMIT; the
 * page is the newest LIMIT of their union.  One statement per pair reads
 * no more than it keeps, where one join over all the pairs would sort
 * every match first (a reader role sees every instance).
 */
static enum sf_status
sq_visible_ids(struct sq *s, const char *object,
	       const struct access_keys *pairs, int64_t before, size_t limit,
	       int64_t **out, size_t *nout, struct sf_error *err)
{
	static const char ids[] =
		"SELECT instance_id FROM instance_keys WHERE role = ?1 AND "
		"scope = ?2 AND object = ?3 AND instance_id < ?4 ORDER BY "
		"instance_id DESC LIMIT ?5";
	int64_t *v = NULL;
	size_t n = 0, cap = 0, kept = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < pairs->n; i++) {
		sqlite3_stmt *q = sq_stmt(s, ids, err);
		if (!q) {
			free(v);
			return SF_DB;
		}
		b_text(q, 1, pairs->v[i].role);
		b_text(q, 2, pairs->v[i].scope);
		b_text(q, 3, object);
		b_int(q, 4, before > 0 ? before : INT64_MAX);
		b_int(q, 5, limit ? (int64_t)limit : -1);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = sqlite3_column_int64(q, 0);
		}
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			free(v);
			return sq_err(s, err, "instance keys");
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), by_id_desc);
	for (size_t i = 0; i < n && (!limit || kept < limit); i++)
		if (!i || v[i] != v[i - 1])
			v[kept++] = v[i];
	*out = v;
	*nout = kept;
	return SF_OK;
}

/* The newest LIMIT instances of OBJECT that PAIRS may see, whole. */
static enum sf_status
sq_instance_list_for(struct store *st, const char *object,
		     const struct access_keys *pairs, int64_t before,
		     size_t limit, json_t **out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char one[] = "SELECT id, process, state, data, created, "
				  "updated FROM instances WHERE id = ?";
	int64_t *v;
	size_t n;
	enum sf_status r;
	int rc;

	if (!pairs)
		return sq_instance_list(st, object, before, limit, out, err);
	*out = NULL;
	if ((r = sq_visible_ids(s, object, pairs, before, limit, &v, &n, err)))
		return r;
	*out = json_array();
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *q = sq_stmt(s, one, err);

		if (!q) {
			r = SF_DB;
			break;
		}
		b_int(q, 1, v[i]);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			json_array_append_new(*out, instance_row_json(q));
		sqlite3_reset(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			r = sq_err(s, err, "instances");
			break;
		}
	}
	free(v);
	if (r) {
		json_decref(*out);
		*out = NULL;
	}
	return r;
}

/* The columns of a list page's row (struct summary_row): the data only
 * when the summary is missing. */
#define SUMMARY_COLS                                                       \
	"id, process, state, summary, CASE WHEN summary IS NULL THEN data " \
	"END, created, updated"

static void
summary_row_add(sqlite3_stmt *q, struct summary_list *out, size_t *cap)
{
	struct summary_row *r;

	if (out->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		out->v = xrealloc(out->v, *cap * sizeof(*out->v));
	}
	r = &out->v[out->n++];
	r->id = sqlite3_column_int64(q, 0);
	r->process = c_text(q, 1);
	r->state = c_text(q, 2);
	r->summary = c_text(q, 3);
	r->data = r->summary ? NULL : c_json(q, 4);
	if (!r->summary && !r->data)
		r->data = json_object();
	r->created = sqlite3_column_int64(q, 5);
	r->updated = sqlite3_column_int64(q, 6);
}

/*
 * A list page: the visible ids (sq_visible_ids), read by their primary
 * key in one statement.  Reading a row's summary reads no more of its
 * data than SQLite needs to step over it.
 */
static enum sf_status
sq_instance_summaries_for(struct store *st, const char *object,
			  const struct access_keys *pairs, int64_t before,
			  size_t limit, struct summary_list *out,
			  struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char some[] = "SELECT " SUMMARY_COLS " FROM instances "
				   "WHERE id IN (SELECT value FROM "
				   "json_each(?1)) ORDER BY id DESC";
	static const char all[] = "SELECT " SUMMARY_COLS " FROM instances "
				  "WHERE object = ?1 AND id < ?2 ORDER BY id "
				  "DESC LIMIT ?3";
	int64_t *v = NULL;
	size_t n = 0, ocap = 0;
	enum sf_status r = SF_OK;
	sqlite3_stmt *q;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!pairs) {
		if (!(q = sq_stmt(s, all, err)))
			return SF_DB;
		b_text(q, 1, object);
		b_int(q, 2, before > 0 ? before : INT64_MAX);
		b_int(q, 3, limit ? (int64_t)limit : -1);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW)
			summary_row_add(q, out, &ocap);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			r = sq_err(s, err, "instances");
		goto out;
	}
	if ((r = sq_visible_ids(s, object, pairs, before, limit, &v, &n, err)))
		goto out;
	/* The page's ids, newest first, in one statement (fifty point
	 * queries cost more in statement resets than in reading). */
	{
		struct buf b;

		buf_init(&b, 0);
		buf_adds(&b, "[");
		for (size_t i = 0; i < n; i++)
			buf_addf(&b, "%s%lld", i ? "," : "", (long long)v[i]);
		buf_adds(&b, "]");
		if (!(q = sq_stmt(s, some, err))) {
			buf_release(&b);
			r = SF_DB;
			goto out;
		}
		sqlite3_bind_text(q, 1, b.data, (int)b.len, SQLITE_TRANSIENT);
		buf_release(&b);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW)
			summary_row_add(q, out, &ocap);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			r = sq_err(s, err, "instances");
	}
out:
	free(v);
	if (r)
		summary_list_release(out);
	return r;
}

static enum sf_status
sq_join_arrive(struct store *st, int64_t instance_id, const char *join,
	       const char *from, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT OR IGNORE INTO join_arrivals("
				  "instance_id, join_step, from_step) VALUES "
				  "(?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, instance_id);
	b_text(q, 2, join);
	b_text(q, 3, from);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_join_count(struct store *st, int64_t instance_id, const char *join,
	      int *count, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT count(*) FROM join_arrivals WHERE "
				  "instance_id = ? AND join_step = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, instance_id);
	b_text(q, 2, join);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return sq_err(s, err, "join");
	}
	*count = sqlite3_column_int(q, 0);
	sqlite3_reset(q);
	return SF_OK;
}

static enum sf_status
sq_join_clear(struct store *st, int64_t instance_id, const char *join,
	      struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "DELETE FROM join_arrivals WHERE "
				  "instance_id = ? AND join_step = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, instance_id);
	b_text(q, 2, join);
	return sq_exec(s, q, err);
}

/* jobs */

static enum sf_status
sq_job_add(struct store *st, const char *kind, int64_t instance_id,
	   int64_t step_id, sf_time due_at, const char *payload,
	   struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT INTO jobs(kind, "
				  "instance_id, step_id, due_at, payload) "
				  "VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, kind);
	b_int(q, 2, instance_id);
	b_int(q, 3, step_id);
	b_int(q, 4, due_at);
	b_text(q, 5, payload ? payload : "");
	return sq_exec(s, q, err);
}

static enum sf_status
sq_jobs_claim(struct store *st, sf_time now, const char *owner, int lease_s,
	      size_t max, struct job_list *out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"UPDATE jobs SET lease_owner = ?1, lease_until = ?2 + ?3 "
		"WHERE id IN (SELECT id FROM jobs WHERE done_at IS NULL AND "
		"due_at <= ?2 AND lease_until < ?2 ORDER BY due_at, id "
		"LIMIT ?4) RETURNING id, kind, instance_id, step_id, due_at, "
		"payload";
	sqlite3_stmt *q;
	size_t cap = 0;
	int rc;
	enum sf_status r;

	memset(out, 0, sizeof(*out));
	r = sq_begin(st, err);
	if (r)
		return r;
	q = sq_stmt(s, sql, err);
	if (!q) {
		sq_rollback(st);
		return SF_DB;
	}
	b_text(q, 1, owner);
	b_int(q, 2, now);
	b_int(q, 3, lease_s);
	b_int(q, 4, (int64_t)max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct job *j;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		j = &out->v[out->n++];
		j->id = sqlite3_column_int64(q, 0);
		j->kind = c_text(q, 1);
		j->instance_id = sqlite3_column_int64(q, 2);
		j->step_id = sqlite3_column_int64(q, 3);
		j->due_at = sqlite3_column_int64(q, 4);
		j->payload = c_text(q, 5);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		r = sq_err(s, err, "jobs");
		sq_rollback(st);
		job_list_release(out);
		return r;
	}
	r = sq_commit(st, err);
	if (r)
		job_list_release(out);
	return r;
}

static enum sf_status
sq_job_done(struct store *st, int64_t id, const char *owner, sf_time now,
	    struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "UPDATE jobs SET done_at = ? WHERE id = ? "
				  "AND lease_owner = ? AND done_at IS NULL";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_int(q, 1, now);
	b_int(q, 2, id);
	b_text(q, 3, owner);
	r = sq_exec(s, q, err);
	if (r)
		return r;
	if (sqlite3_changes(s->db) != 1)
		return sf_fail(err, SF_CONFLICT, NULL,
			       "job %lld was taken by another node",
			       (long long)id);
	return SF_OK;
}

static enum sf_status
sq_jobs_cancel_step(struct store *st, int64_t step_id, sf_time now,
		    struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "UPDATE jobs SET done_at = ? WHERE "
				  "step_id = ? AND done_at IS NULL";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, now);
	b_int(q, 2, step_id);
	return sq_exec(s, q, err);
}

/* audit */

static enum sf_status
sq_audit_head(struct store *st, int64_t *id, char hash[65],
	      struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	/* The write transaction (BEGIN IMMEDIATE) already serialises the
	 * chain on SQLite: no explicit lock needed. */
	static const char sql[] = "SELECT id, hash FROM audit ORDER BY id "
				  "DESC LIMIT 1";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	rc = sqlite3_step(q);
	*id = 0;
	hash[0] = '\0';
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		xstrlcpy(hash, (const char *)sqlite3_column_text(q, 1), 65);
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(q);
		return sq_err(s, err, "audit");
	}
	sqlite3_reset(q);
	return SF_OK;
}

static enum sf_status
sq_audit_insert(struct store *st, const struct audit_rec *a,
		struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"INSERT INTO audit(id, ts, user_name, role, acting_for, object, "
		"action, before, after, prev_hash, hash) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, a->id);
	b_int(q, 2, a->ts);
	b_text(q, 3, a->user_name ? a->user_name : "");
	b_text(q, 4, a->role ? a->role : "");
	b_text(q, 5, a->acting_for ? a->acting_for : "");
	b_text(q, 6, a->object);
	b_text(q, 7, a->action);
	b_text(q, 8, a->before);
	b_text(q, 9, a->after);
	b_text(q, 10, a->prev_hash);
	b_text(q, 11, a->hash);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_audit_each(struct store *st, const char *object, audit_fn fn, void *ctx,
	      struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	/* Two statements, not "?1 IS NULL OR object = ?1": with the OR
	 * SQLite cannot use audit_object and reads the whole trail. */
	static const char all[] =
		"SELECT id, ts, user_name, role, acting_for, object, action, "
		"before, after, prev_hash, hash FROM audit ORDER BY id";
	static const char one[] =
		"SELECT id, ts, user_name, role, acting_for, object, action, "
		"before, after, prev_hash, hash FROM audit WHERE object = ?1 "
		"ORDER BY id";
	sqlite3_stmt *q = sq_stmt(s, object ? one : all, err);
	int rc;

	if (!q)
		return SF_DB;
	if (object)
		b_text(q, 1, object);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct audit_rec a = {
			.id = sqlite3_column_int64(q, 0),
			.ts = sqlite3_column_int64(q, 1),
			.user_name = (char *)sqlite3_column_text(q, 2),
			.role = (char *)sqlite3_column_text(q, 3),
			.acting_for = (char *)sqlite3_column_text(q, 4),
			.object = (char *)sqlite3_column_text(q, 5),
			.action = (char *)sqlite3_column_text(q, 6),
			.before = (char *)sqlite3_column_text(q, 7),
			.after = (char *)sqlite3_column_text(q, 8),
			.prev_hash = (char *)sqlite3_column_text(q, 9),
			.hash = (char *)sqlite3_column_text(q, 10),
		};
		if (fn(ctx, &a))
			break;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_err(s, err, "audit");
	return SF_OK;
}

/* outbox */

#define OUTBOX_COLS                                                           \
	"id, created, mto, mcc, mbcc, subject, body, attachments, format, "   \
	"state, attempts, next_attempt, last_error, sent_at, object"

static void
outbox_from_row(sqlite3_stmt *q, struct outbox_row *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(q, 0);
	m->created = sqlite3_column_int64(q, 1);
	m->to = c_json(q, 2);
	m->cc = c_json(q, 3);
	m->bcc = c_json(q, 4);
	m->subject = c_text(q, 5);
	m->body = c_text(q, 6);
	m->attachments = c_json(q, 7);
	m->format = c_text(q, 8);
	m->state = c_text(q, 9);
	m->attempts = sqlite3_column_int(q, 10);
	m->next_attempt = sqlite3_column_int64(q, 11);
	m->last_error = c_text(q, 12);
	m->sent_at = sqlite3_column_int64(q, 13);
	m->object = c_text(q, 14);
}

static enum sf_status
outbox_rows(struct sq *s, sqlite3_stmt *q, struct outbox_list *out,
	    struct sf_error *err)
{
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		outbox_from_row(q, &out->v[out->n++]);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		outbox_list_release(out);
		return sq_err(s, err, "outbox");
	}
	return SF_OK;
}

static enum sf_status
sq_outbox_add(struct store *st, const struct outbox_row *m, int64_t *id,
	      struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"INSERT INTO outbox(created, mto, mcc, mbcc, subject, body, "
		"attachments, format, state, next_attempt, object) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	json_t *empty = json_array();
	enum sf_status r;

	if (!q) {
		json_decref(empty);
		return SF_DB;
	}
	b_int(q, 1, m->created);
	b_json(q, 2, m->to ? m->to : empty);
	b_json(q, 3, m->cc ? m->cc : empty);
	b_json(q, 4, m->bcc ? m->bcc : empty);
	b_text(q, 5, m->subject ? m->subject : "");
	b_text(q, 6, m->body ? m->body : "");
	b_json(q, 7, m->attachments ? m->attachments : empty);
	b_text(q, 8, m->format ? m->format : "email");
	b_int(q, 9, m->next_attempt ? m->next_attempt : m->created);
	b_text(q, 10, m->object ? m->object : "");
	json_decref(empty);
	r = sq_exec(s, q, err);
	if (r)
		return r;
	if (id)
		*id = sqlite3_last_insert_rowid(s->db);
	return SF_OK;
}

static enum sf_status
sq_outbox_list(struct store *st, const char *state, struct outbox_list *out,
	       struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT " OUTBOX_COLS " FROM outbox WHERE "
				  "?1 IS NULL OR state = ?1 ORDER BY id DESC";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, state);
	return outbox_rows(s, q, out, err);
}

static enum sf_status
sq_outbox_claim(struct store *st, sf_time now, const char *owner, int lease_s,
		size_t max, struct outbox_list *out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"UPDATE outbox SET lease_owner = ?1, lease_until = ?2 + ?3 "
		"WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' AND "
		"next_attempt <= ?2 AND lease_until < ?2 ORDER BY id LIMIT ?4) "
		"RETURNING " OUTBOX_COLS;
	sqlite3_stmt *q;
	enum sf_status r;

	r = sq_begin(st, err);
	if (r)
		return r;
	q = sq_stmt(s, sql, err);
	if (!q) {
		sq_rollback(st);
		return SF_DB;
	}
	b_text(q, 1, owner);
	b_int(q, 2, now);
	b_int(q, 3, lease_s);
	b_int(q, 4, (int64_t)max);
	r = outbox_rows(s, q, out, err);
	if (r) {
		sq_rollback(st);
		return r;
	}
	r = sq_commit(st, err);
	if (r)
		outbox_list_release(out);
	return r;
}

static enum sf_status
sq_outbox_mark(struct store *st, int64_t id, const char *state, int attempts,
	       sf_time next_attempt, const char *last_error, sf_time now,
	       struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?, "
		"last_error = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE "
		"sent_at END, lease_until = 0 WHERE id = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, state);
	b_int(q, 2, attempts);
	b_int(q, 3, next_attempt);
	b_text(q, 4, last_error);
	b_text(q, 5, state);
	b_int(q, 6, now);
	b_int(q, 7, id);
	return sq_exec(s, q, err);
}

/* settings */

static enum sf_status
sq_setting_get(struct store *st, const char *key, char **value,
	       struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT value FROM settings WHERE key = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_text(q, 1, key);
	rc = sqlite3_step(q);
	*value = rc == SQLITE_ROW ? c_text(q, 0) : NULL;
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return sf_fail(err, SF_NOT_FOUND, key, "no setting %s", key);
	if (rc != SQLITE_ROW)
		return sq_err(s, err, "settings");
	return SF_OK;
}

static enum sf_status
sq_setting_put(struct store *st, const char *key, const char *value,
	       struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "INSERT INTO settings(key, value) VALUES "
				  "(?, ?) ON CONFLICT(key) DO UPDATE SET "
				  "value = excluded.value";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, key);
	b_text(q, 2, value);
	return sq_exec(s, q, err);
}

/* generation: PRAGMA data_version (commits of other connections, as
 * the read snapshot sees them: a table read opens the snapshot first) and
 * the total changes of this connection (its own commits). */
static enum sf_status
sq_generation(struct store *st, uint64_t out[2], struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	sqlite3_stmt *open;

	/* Outside a snapshot the -shm header tells, without a lock.  Inside
	 * one it must be the snapshot's own version: a stamp newer than the
	 * data read would let a cache keep an answer older than its stamp. */
	if (!(s->in_txn && !s->read_pending) && walstamp_read(&s->stamp, out) == 0)
		return SF_OK;
	open = sq_stmt(s, "SELECT count(*) FROM schema_migrations", err);
	sqlite3_stmt *q = open ? sq_stmt(s, "PRAGMA data_version", err) : NULL;
	int rc;

	out[0] = out[1] = 0;
	if (!q)
		return SF_DB;
	rc = sqlite3_step(open);
	sqlite3_reset(open);
	if (rc != SQLITE_ROW)
		return sq_err(s, err, "generation");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		out[0] = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return sq_err(s, err, "generation");
	out[1] = (uint64_t)sqlite3_total_changes64(s->db) + 1;
	/* This connection has read, so it holds the -shm file open. */
	walstamp_attach(&s->stamp, s->path);
	return SF_OK;
}

/* user lists */

static enum sf_status
sq_ulist_import_add(struct store *st, const struct ulist_import *imp,
		    int64_t *id, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"INSERT INTO userlist_imports(resource, month, review_id, "
		"scope, kind, filename, info, nrows, imported, by_user) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_text(q, 1, imp->resource);
	b_text(q, 2, imp->month);
	if (imp->review_id)
		b_int(q, 3, imp->review_id);
	else
		sqlite3_bind_null(q, 3);
	b_text(q, 4, imp->scope ? imp->scope : "");
	b_text(q, 5, imp->kind);
	b_text(q, 6, imp->filename);
	b_json(q, 7, imp->info);
	b_int(q, 8, imp->nrows);
	b_int(q, 9, imp->imported);
	b_text(q, 10, imp->by);
	r = sq_exec(s, q, err);
	if (!r)
		*id = sqlite3_last_insert_rowid(s->db);
	return r;
}

static enum sf_status
sq_ulist_row_add(struct store *st, int64_t import_id,
		 const struct ulist_row *row, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"INSERT INTO userlist_rows(import_id, n, line, sheet, uid, "
		"full_name, na, email, disabled, data) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_int(q, 1, import_id);
	b_int(q, 2, row->n);
	b_int(q, 3, row->line);
	b_text(q, 4, row->sheet);
	b_text(q, 5, row->uid);
	b_text(q, 6, row->full_name);
	b_text(q, 7, row->na);
	b_text(q, 8, row->email);
	b_int(q, 9, row->disabled ? 1 : 0);
	b_json(q, 10, row->data);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_ulist_imports(struct store *st, const char *resource, const char *month,
		 int64_t review_id, json_t **out, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"SELECT id, resource, month, review_id, scope, kind, filename, "
		"info, nrows, imported, by_user FROM userlist_imports WHERE "
		"(?1 IS NULL OR resource = ?1) AND (?2 IS NULL OR month = ?2) "
		"AND (?3 = 0 OR review_id = ?3) ORDER BY id";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_text(q, 1, resource);
	b_text(q, 2, month);
	b_int(q, 3, review_id);
	*out = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		json_t *info = c_json(q, 7);
		json_t *o = json_pack(
			"{s:I, s:s, s:s?, s:I, s:s, s:s, s:s, s:o, s:I, s:I, s:s}",
			"id", (json_int_t)sqlite3_column_int64(q, 0), "resource",
			(const char *)sqlite3_column_text(q, 1), "month",
			(const char *)sqlite3_column_text(q, 2), "review_id",
			(json_int_t)sqlite3_column_int64(q, 3), "scope",
			(const char *)sqlite3_column_text(q, 4), "kind",
			(const char *)sqlite3_column_text(q, 5), "filename",
			(const char *)sqlite3_column_text(q, 6), "info",
			info ? info : json_null(), "nrows",
			(json_int_t)sqlite3_column_int64(q, 8), "imported",
			(json_int_t)sqlite3_column_int64(q, 9), "by",
			(const char *)sqlite3_column_text(q, 10));
		json_array_append_new(*out, o);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return sq_err(s, err, "userlists");
	}
	return SF_OK;
}

static enum sf_status
sq_ulist_rows_each(struct store *st, int64_t import_id, ulist_row_fn fn,
		   void *ctx, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"SELECT n, line, sheet, uid, full_name, na, email, disabled, "
		"data FROM userlist_rows WHERE import_id = ? ORDER BY n";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_int(q, 1, import_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct ulist_row r = {
			.n = sqlite3_column_int64(q, 0),
			.line = sqlite3_column_int64(q, 1),
			.sheet = (const char *)sqlite3_column_text(q, 2),
			.uid = (const char *)sqlite3_column_text(q, 3),
			.full_name = (const char *)sqlite3_column_text(q, 4),
			.na = (const char *)sqlite3_column_text(q, 5),
			.email = (const char *)sqlite3_column_text(q, 6),
			.disabled = sqlite3_column_int(q, 7),
			.data = c_json(q, 8),
		};
		int stop = fn(ctx, &r);
		json_decref(r.data);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_err(s, err, "userlists");
	return SF_OK;
}

/* counters and catalogues */

static enum sf_status
sq_counter_next(struct store *st, const char *name, int64_t *value,
		struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"INSERT INTO counters(name, value) VALUES (?, 1) "
		"ON CONFLICT(name) DO UPDATE SET value = counters.value + 1 "
		"RETURNING value";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_text(q, 1, name);
	rc = sqlite3_step(q);
	*value = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	/* Step to the end: RETURNING rows are written when the statement
	 * finishes. */
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE || !*value)
		return sq_err(s, err, "counters");
	return SF_OK;
}

static enum sf_status
sq_catalog_put(struct store *st, const char *kind, const char *name,
	       json_t *data, sf_time now, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"INSERT INTO catalog(kind, name, data, updated) VALUES "
		"(?, ?, ?, ?) ON CONFLICT(kind, name) DO UPDATE SET "
		"data = excluded.data, updated = excluded.updated";
	sqlite3_stmt *q = sq_stmt(s, sql, err);

	if (!q)
		return SF_DB;
	b_text(q, 1, kind);
	b_text(q, 2, name);
	b_json(q, 3, data);
	b_int(q, 4, now);
	return sq_exec(s, q, err);
}

static enum sf_status
sq_catalog_get(struct store *st, const char *kind, const char *name,
	       json_t **data, struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"SELECT data FROM catalog WHERE kind = ? AND name = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	*data = NULL;
	if (!q)
		return SF_DB;
	b_text(q, 1, kind);
	b_text(q, 2, name);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*data = c_json(q, 0);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return sf_fail(err, SF_NOT_FOUND, "name", "no %s \"%s\"",
			       kind, name);
	if (rc != SQLITE_ROW)
		return sq_err(s, err, "catalog");
	return SF_OK;
}

static enum sf_status
sq_catalog_list(struct store *st, const char *kind, json_t **out,
		struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] = "SELECT name, data, updated FROM catalog "
				  "WHERE kind = ? ORDER BY name";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	int rc;

	if (!q)
		return SF_DB;
	b_text(q, 1, kind);
	*out = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		json_t *d = c_json(q, 1);
		json_array_append_new(
			*out, json_pack("{s:s, s:o, s:I}", "name",
					(const char *)sqlite3_column_text(q, 0),
					"data", d ? d : json_null(), "updated",
					(json_int_t)sqlite3_column_int64(q, 2)));
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return sq_err(s, err, "catalog");
	}
	return SF_OK;
}

static enum sf_status
sq_catalog_delete(struct store *st, const char *kind, const char *name,
		  struct sf_error *err)
{
	struct sq *s = (struct sq *)st;
	static const char sql[] =
		"DELETE FROM catalog WHERE kind = ? AND name = ?";
	sqlite3_stmt *q = sq_stmt(s, sql, err);
	enum sf_status r;

	if (!q)
		return SF_DB;
	b_text(q, 1, kind);
	b_text(q, 2, name);
	r = sq_exec(s, q, err);
	if (!r && sqlite3_changes(s->db) == 0)
		return sf_fail(err, SF_NOT_FOUND, "name", "no %s \"%s\"",
			       kind, name);
	return r;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
	.schema_version = sq_schema_version,
	.backup = sq_backup,
	.begin = sq_begin,
	.begin_read = sq_begin_read,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.user_add = sq_user_add,
	.user_get = sq_user_get,
	.user_list = sq_user_list,
	.user_set_password = sq_user_set_password,
	.user_set_login_state = sq_user_set_login_state,
	.grant_add = sq_grant_add,
	.grant_remove = sq_grant_remove,
	.grants_of = sq_grants_of,
	.delegation_add = sq_delegation_add,
	.delegations_to = sq_delegations_to,
	.users_with_role = sq_users_with_role,
	.session_add = sq_session_add,
	.session_get = sq_session_get,
	.session_delete = sq_session_delete,
	.holiday_put = sq_holiday_put,
	.holidays = sq_holidays,
	.procdef_put = sq_procdef_put,
	.procdef_source = sq_procdef_source,
	.instance_add = sq_instance_add,
	.instance_get = sq_instance_get,
	.instance_update = sq_instance_update,
	.instance_list = sq_instance_list,
	.step_add = sq_step_add,
	.step_close = sq_step_close,
	.step_set_overdue = sq_step_set_overdue,
	.step_get = sq_step_get,
	.steps_of = sq_steps_of,
	.steps_active_all = sq_steps_active_all,
	.step_keys_put = sq_step_keys_put,
	.instance_keys_put = sq_instance_keys_put,
	.tasks_for = sq_tasks_for,
	.instance_list_for = sq_instance_list_for,
	.instance_summaries_for = sq_instance_summaries_for,
	.instance_summary_put = sq_instance_summary_put,
	.join_arrive = sq_join_arrive,
	.join_count = sq_join_count,
	.join_clear = sq_join_clear,
	.job_add = sq_job_add,
	.jobs_claim = sq_jobs_claim,
	.job_done = sq_job_done,
	.jobs_cancel_step = sq_jobs_cancel_step,
	.audit_head = sq_audit_head,
	.audit_insert = sq_audit_insert,
	.audit_each = sq_audit_each,
	.outbox_add = sq_outbox_add,
	.outbox_list = sq_outbox_list,
	.outbox_claim = sq_outbox_claim,
	.outbox_mark = sq_outbox_mark,
	.setting_get = sq_setting_get,
	.setting_put = sq_setting_put,
	.generation = sq_generation,
	.ulist_import_add = sq_ulist_import_add,
	.ulist_row_add = sq_ulist_row_add,
	.ulist_imports = sq_ulist_imports,
	.ulist_rows_each = sq_ulist_rows_each,
	.counter_next = sq_counter_next,
	.catalog_put = sq_catalog_put,
	.catalog_get = sq_catalog_get,
	.catalog_list = sq_catalog_list,
	.catalog_delete = sq_catalog_delete,
};
