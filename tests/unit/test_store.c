/*
 * test_store.c - a backend of store.h (SQLite, or PostgreSQL with
 * SECFLOW_TEST_BACKEND=pg): migrations (fresh and on an older database),
 * users, grants, delegations, sessions, optimistic instance updates, job
 * and outbox leases, two connections writing at once, and backup (or its
 * refusal on PostgreSQL).
 *
 * This test includes sqlite3.h: it plays the backup reader that the store
 * itself never exposes.  The older database is made through testutil's
 * backend-neutral tu_db_exec.
 */
#include "testutil.h"

#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/actor.h"
#include "core/alloc.h"
#include "engine/audit.h"
#include "engine/setup.h"
#include "modules/people.h"
#include "store/store.h"

#define T0 1779357600 /* 2026-05-21T10:00:00Z */

struct fx {
	char *dir;
	char *path; /* the database: tu_db_url */
	struct store *st;
};

static int
fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct sf_error err;

	setenv("SECFLOW_NOW", "2026-05-21T10:00:00Z", 1);
	f->dir = tu_tempdir();
	f->path = tu_db_url(f->dir);
	sf_error_clear(&err);
	assert_int_equal(store_open(f->path, &f->st, &err), SF_OK);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	tu_db_drop(f->path);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* Run SQL on the database PATH with a connection of our own. */
static void
raw_exec(const char *path, const char *sql)
{
	tu_db_exec(path, sql);
}

/* The integer the first column of SQL gives on PATH. */
static int64_t
raw_int(const char *path, const char *sql)
{
	return tu_db_int(path, sql);
}

/* Whether the index of 002_due_index.sql exists in the database PATH. */
static int
steps_due_exists(const char *path)
{
	return raw_int(path, tu_db_is_pg()
				 ? "SELECT count(*) FROM pg_indexes WHERE "
				   "indexname = 'steps_due'"
				 : "SELECT count(*) FROM sqlite_master WHERE "
				   "type = 'index' AND name = 'steps_due'") > 0;
}

/* PRAGMA integrity_check on PATH says "ok". */
static void
raw_integrity_ok(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* How many migration files the source tree holds. */
static int
migration_files(void)
{
	char *dir =
	    tu_source_path(tu_db_is_pg() ? "src/store/migrations/pg"
					 : "src/store/migrations/sqlite");
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".sql") == 0)
			n++;
	}
	closedir(d);
	free(dir);
	return n;
}

static void
migrate_fresh(struct fx *f)
{
	struct sf_error err;
	int applied = -1;

	sf_error_clear(&err);
	assert_int_equal(setup_database(f->st, &applied, &err), SF_OK);
	assert_int_equal(applied, migration_files());
}

static void
test_migrate_empty(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int version = -1, applied = -1, files = migration_files();

	assert_true(files >= 1);
	assert_int_equal(f->st->ops->schema_version(f->st, &version, &err),
			 SF_OK);
	assert_int_equal(version, 0);
	assert_int_equal(setup_database(f->st, &applied, &err), SF_OK);
	assert_int_equal(applied, files);
	assert_int_equal(f->st->ops->schema_version(f->st, &version, &err),
			 SF_OK);
	assert_int_equal(version, files);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM "
					  "schema_migrations"),
			 files);

	/* Nothing left to do the second time. */
	assert_int_equal(setup_database(f->st, &applied, &err), SF_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(f->st->ops->schema_version(f->st, &version, &err),
			 SF_OK);
	assert_int_equal(version, files);
}

/* A database left at version 1 gets exactly the newer migrations, and
 * keeps its data.  Version 1 is made by undoing 002_due_index.sql,
 * 003_catalog.sql, 004_access_keys.sql, 005_userlists.sql and
 * 007_summaries.sql by hand (006 only asks for a rebuild): a later
 * migration must be undone here too. */
static void
test_migrate_existing(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct actor op;
	struct user u;
	int version = -1, applied = -1;

	migrate_fresh(f);
	actor_operator(&op, "test");
	assert_int_equal(
	    people_add(f->st, &op, "alice", "alice@example.org", NULL, &err),
	    SF_OK);
	actor_release(&op);
	store_close(f->st);
	f->st = NULL; /* for fx_teardown, should a check below fail */

	raw_exec(f->path, "DELETE FROM schema_migrations WHERE version >= 2;"
			  "DROP INDEX steps_due; DROP TABLE counters;"
			  "DROP TABLE catalog;"
			  "DROP TABLE step_keys; DROP TABLE instance_keys;"
			  "DROP TABLE userlist_rows; DROP TABLE userlist_imports;"
			  "DELETE FROM settings WHERE key = 'instance_keys';"
			  "ALTER TABLE instances DROP COLUMN summary;");
	assert_false(steps_due_exists(f->path));

	assert_int_equal(store_open(f->path, &f->st, &err), SF_OK);
	assert_int_equal(f->st->ops->schema_version(f->st, &version, &err),
			 SF_OK);
	assert_int_equal(version, 1);
	assert_int_equal(setup_database(f->st, &applied, &err), SF_OK);
	assert_int_equal(applied, migration_files() - 1);
	assert_int_equal(applied, 6);
	assert_int_equal(f->st->ops->schema_version(f->st, &version, &err),
			 SF_OK);
	assert_int_equal(version, migration_files());
	assert_true(steps_due_exists(f->path));

	assert_int_equal(f->st->ops->user_get(f->st, "alice", 0, &u, &err),
			 SF_OK);
	assert_string_equal(u.email, "alice@example.org");
	user_release(&u);
}

static void
test_users(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct user u;
	struct actor op;
	int64_t id = 0, id2 = 0;

	migrate_fresh(f);
	assert_int_equal(f->st->ops->user_add(f->st, "bob", "bob@example.org",
					      NULL, T0, &id, &err),
			 SF_OK);
	assert_true(id > 0);

	assert_int_equal(f->st->ops->user_get(f->st, "bob", 0, &u, &err),
			 SF_OK);
	assert_int_equal(u.id, id);
	assert_string_equal(u.name, "bob");
	assert_string_equal(u.email, "bob@example.org");
	assert_null(u.pw_hash);
	assert_int_equal(u.failed_logins, 0);
	assert_int_equal(u.disabled, 0);
	user_release(&u);

	assert_int_equal(f->st->ops->user_get(f->st, NULL, id, &u, &err),
			 SF_OK);
	assert_string_equal(u.name, "bob");
	user_release(&u);

	sf_error_clear(&err);
	assert_int_equal(f->st->ops->user_get(f->st, "nobody", 0, &u, &err),
			 SF_NOT_FOUND);
	assert_non_null(strstr(err.message, "nobody"));

	sf_error_clear(&err);
	assert_int_equal(f->st->ops->user_add(f->st, "bob", "other@example.org",
					      NULL, T0, &id2, &err),
			 SF_CONFLICT);
	assert_string_equal(err.field, "name");
	assert_non_null(strstr(err.message, "bob"));

	/* The same through people_add: refused, nothing audited. */
	actor_operator(&op, "test");
	sf_error_clear(&err);
	assert_int_equal(people_add(f->st, &op, "bob", NULL, NULL, &err),
			 SF_CONFLICT);
	actor_release(&op);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM users"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE "
					  "object = 'users/bob'"),
			 0);
}

static int
has_grant(const struct grant_list *l, const char *role, const char *scope)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].role, role) == 0 &&
		    strcmp(l->v[i].scope, scope) == 0)
			return 1;
	return 0;
}

static void
test_grants_delegations(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct grant_list g;
	json_t *users;
	int64_t a, b;

	migrate_fresh(f);
	assert_int_equal(f->st->ops->user_add(f->st, "ann", "ann@example.org",
					      NULL, T0, &a, &err),
			 SF_OK);
	assert_int_equal(f->st->ops->user_add(f->st, "ben", "ben@example.org",
					      NULL, T0, &b, &err),
			 SF_OK);
	assert_int_equal(f->st->ops->grant_add(f->st, a, "ds", "", &err),
			 SF_OK);
	assert_int_equal(
	    f->st->ops->grant_add(f->st, a, "dg_requester", "DIGIT", &err),
	    SF_OK);
	/* Granting twice is harmless. */
	assert_int_equal(f->st->ops->grant_add(f->st, a, "ds", "", &err),
			 SF_OK);
	assert_int_equal(f->st->ops->grants_of(f->st, a, &g, &err), SF_OK);
	assert_int_equal(g.n, 2);
	assert_true(has_grant(&g, "ds", ""));
	assert_true(has_grant(&g, "dg_requester", "DIGIT"));
	assert_int_equal(g.v[0].from_user, 0);
	grant_list_release(&g);

	/* ann lends ds to ben until 2026-05-31 inclusive. */
	assert_int_equal(f->st->ops->delegation_add(f->st, a, b, "ds", "",
						    "2026-05-31", T0, &err),
			 SF_OK);
	assert_int_equal(
	    f->st->ops->delegations_to(f->st, b, "2026-05-21", &g, &err),
	    SF_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.v[0].role, "ds");
	assert_string_equal(g.v[0].scope, "");
	assert_int_equal(g.v[0].from_user, a);
	assert_string_equal(g.v[0].from_name, "ann");
	assert_string_equal(g.v[0].until, "2026-05-31");
	grant_list_release(&g);

	assert_int_equal(
	    f->st->ops->delegations_to(f->st, b, "2026-05-31", &g, &err),
	    SF_OK);
	assert_int_equal(g.n, 1);
	grant_list_release(&g);
	assert_int_equal(
	    f->st->ops->delegations_to(f->st, b, "2026-06-01", &g, &err),
	    SF_OK);
	assert_int_equal(g.n, 0);
	grant_list_release(&g);
	/* Delegations go to the receiver only. */
	assert_int_equal(
	    f->st->ops->delegations_to(f->st, a, "2026-05-21", &g, &err),
	    SF_OK);
	assert_int_equal(g.n, 0);
	grant_list_release(&g);

	/* Holders of ds today: ann directly and ben by delegation. */
	assert_int_equal(f->st->ops->users_with_role(
			     f->st, "ds", "", "2026-05-21", &users, &err),
			 SF_OK);
	assert_int_equal(json_array_size(users), 2);
	json_decref(users);
	assert_int_equal(f->st->ops->users_with_role(
			     f->st, "ds", "", "2026-06-01", &users, &err),
			 SF_OK);
	assert_int_equal(json_array_size(users), 1);
	json_decref(users);

	/* The giver loses the role: the delegation stops holding. */
	assert_int_equal(f->st->ops->grant_remove(f->st, a, "ds", "", &err),
			 SF_OK);
	assert_int_equal(
	    f->st->ops->delegations_to(f->st, b, "2026-05-21", &g, &err),
	    SF_OK);
	assert_int_equal(g.n, 0);
	grant_list_release(&g);
	assert_int_equal(f->st->ops->users_with_role(
			     f->st, "ds", "", "2026-05-21", &users, &err),
			 SF_OK);
	assert_int_equal(json_array_size(users), 0);
	json_decref(users);

	sf_error_clear(&err);
	assert_int_equal(f->st->ops->grant_remove(f->st, a, "ds", "", &err),
			 SF_NOT_FOUND);
	assert_string_equal(err.field, "role");
}

static void
test_sessions(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int64_t a, uid = 0;
	char hash[65];

	migrate_fresh(f);
	memset(hash, 'a', 64);
	hash[64] = '\0';
	assert_int_equal(
	    f->st->ops->user_add(f->st, "ann", NULL, NULL, T0, &a, &err),
	    SF_OK);
	assert_int_equal(f->st->ops->session_add(f->st, hash, a, "session", T0,
						 T0 + 3600, &err),
			 SF_OK);
	assert_int_equal(f->st->ops->session_get(f->st, hash, T0, &uid, &err),
			 SF_OK);
	assert_int_equal(uid, a);
	assert_int_equal(
	    f->st->ops->session_get(f->st, hash, T0 + 3599, &uid, &err), SF_OK);
	/* Expired from the second it reaches its end. */
	assert_int_equal(
	    f->st->ops->session_get(f->st, hash, T0 + 3600, &uid, &err),
	    SF_NOT_FOUND);
	assert_int_equal(
	    f->st->ops->session_get(f->st, "unknown", T0, &uid, &err),
	    SF_NOT_FOUND);
	assert_int_equal(f->st->ops->session_delete(f->st, hash, &err), SF_OK);
	assert_int_equal(f->st->ops->session_get(f->st, hash, T0, &uid, &err),
			 SF_NOT_FOUND);
}

/* Counters hand out 1, 2, 3... per name; catalogue entries are put,
 * replaced, listed by name and deleted. */
static void
test_counters_catalog(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int64_t v = 0;
	json_t *d = NULL, *l = NULL;
	json_t *one = json_pack("{s:i}", "v", 1), *two = json_pack("{s:i}", "v", 2);
	json_t *empty = json_object();

	migrate_fresh(f);
	assert_int_equal(f->st->ops->begin(f->st, &err), SF_OK);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(
		    f->st->ops->counter_next(f->st, "serial.TAXUD", &v, &err),
		    SF_OK);
		assert_int_equal(v, i);
	}
	assert_int_equal(f->st->ops->counter_next(f->st, "serial.AGRI", &v,
						  &err),
			 SF_OK);
	assert_int_equal(v, 1);
	assert_int_equal(f->st->ops->catalog_put(f->st, "company", "ACME",
						 one,
						 T0, &err),
			 SF_OK);
	assert_int_equal(f->st->ops->catalog_put(f->st, "company", "ACME",
						 two,
						 T0, &err),
			 SF_OK);
	assert_int_equal(f->st->ops->catalog_put(f->st, "company", "Beta",
						 empty, T0, &err),
			 SF_OK);
	json_decref(one);
	json_decref(two);
	json_decref(empty);
	assert_int_equal(f->st->ops->commit(f->st, &err), SF_OK);
	assert_int_equal(
	    f->st->ops->catalog_get(f->st, "company", "ACME", &d, &err), SF_OK);
	assert_int_equal(json_integer_value(json_object_get(d, "v")), 2);
	json_decref(d);
	assert_int_equal(
	    f->st->ops->catalog_get(f->st, "system", "ACME", &d, &err),
	    SF_NOT_FOUND);
	assert_int_equal(f->st->ops->catalog_list(f->st, "company", &l, &err),
			 SF_OK);
	assert_int_equal(json_array_size(l), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(l, 1), "name")),
	    "Beta");
	json_decref(l);
	assert_int_equal(
	    f->st->ops->catalog_delete(f->st, "company", "Beta", &err), SF_OK);
	assert_int_equal(
	    f->st->ops->catalog_delete(f->st, "company", "Beta", &err),
	    SF_NOT_FOUND);
}

static int
count_row(void *ctx, const struct ulist_row *r)
{
	int *n = ctx;
	(*n)++;
	assert_int_equal(r->n, *n);
	if (*n == 2) {
		assert_null(r->uid);
		assert_int_equal(r->disabled, 1);
		assert_int_equal(json_integer_value(json_object_get(r->data, "x")),
				 2);
	}
	return 0;
}

/* An import and its rows come back in order, found by resource, month
 * and review. */
static void
test_userlists(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct ulist_import imp = {.resource = "webportal", .month = "2026-11",
				   .kind = "list", .filename = "wp.csv",
				   .nrows = 2, .imported = T0, .by = "ann"};
	int64_t id = 0;
	json_t *l = NULL, *d1 = json_pack("{s:i}", "x", 1),
	       *d2 = json_pack("{s:i}", "x", 2);
	struct ulist_row r1 = {.n = 1, .line = 2, .uid = "XXX.ann",
			       .full_name = "Ann", .na = "BE", .data = d1};
	struct ulist_row r2 = {.n = 2, .line = 3, .disabled = 1, .data = d2};
	int n = 0;

	migrate_fresh(f);
	assert_int_equal(f->st->ops->begin(f->st, &err), SF_OK);
	assert_int_equal(f->st->ops->ulist_import_add(f->st, &imp, &id, &err),
			 SF_OK);
	assert_int_equal(f->st->ops->ulist_row_add(f->st, id, &r1, &err), SF_OK);
	assert_int_equal(f->st->ops->ulist_row_add(f->st, id, &r2, &err), SF_OK);
	assert_int_equal(f->st->ops->commit(f->st, &err), SF_OK);
	json_decref(d1);
	json_decref(d2);
	assert_int_equal(f->st->ops->ulist_imports(f->st, "webportal", "2026-11",
						   0, &l, &err),
			 SF_OK);
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(l, 0), "filename")),
			    "wp.csv");
	json_decref(l);
	assert_int_equal(f->st->ops->ulist_imports(f->st, "vpn", NULL, 0, &l,
						   &err),
			 SF_OK);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	assert_int_equal(f->st->ops->ulist_rows_each(f->st, id, count_row, &n,
						     &err),
			 SF_OK);
	assert_int_equal(n, 2);
}

static void
test_instance_rev(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct instance in;
	json_t *data = json_pack("{s:s}", "title", "first");
	int64_t pd, id;

	migrate_fresh(f);
	assert_int_equal(
	    f->st->ops->procdef_put(f->st, "p", 1, "h1", "src", T0, &pd, &err),
	    SF_OK);
	assert_int_equal(f->st->ops->instance_add(f->st, pd, "p", "samples",
						  data, NULL, T0, &id, &err),
			 SF_OK);
	json_decref(data);
	assert_int_equal(f->st->ops->instance_get(f->st, id, &in, &err), SF_OK);
	assert_int_equal(in.rev, 0);
	assert_string_equal(in.state, "running");
	instance_release(&in);

	data = json_pack("{s:s}", "title", "second");
	assert_int_equal(f->st->ops->instance_update(f->st, id, "running", data,
						     NULL, 0, T0 + 1, &err),
			 SF_OK);
	json_decref(data);

	/* A writer that read rev 0 lost the race. */
	data = json_pack("{s:s}", "title", "stale");
	sf_error_clear(&err);
	assert_int_equal(f->st->ops->instance_update(f->st, id, "done", data,
						     NULL, 0, T0 + 2, &err),
			 SF_CONFLICT);
	json_decref(data);

	assert_int_equal(f->st->ops->instance_get(f->st, id, &in, &err), SF_OK);
	assert_int_equal(in.rev, 1);
	assert_string_equal(in.state, "running");
	assert_string_equal(
	    json_string_value(json_object_get(in.data, "title")), "second");
	assert_int_equal(in.updated, T0 + 1);
	instance_release(&in);

	assert_int_equal(f->st->ops->instance_get(f->st, id + 100, &in, &err),
			 SF_NOT_FOUND);
}

static void
test_job_leases(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct job_list l;
	int64_t jid;

	migrate_fresh(f);
	assert_int_equal(
	    f->st->ops->job_add(f->st, "sla", 1, 1, T0 + 100, "", &err), SF_OK);

	/* Not due yet. */
	assert_int_equal(
	    f->st->ops->jobs_claim(f->st, T0, "a", 60, 10, &l, &err), SF_OK);
	assert_int_equal(l.n, 0);
	job_list_release(&l);

	assert_int_equal(
	    f->st->ops->jobs_claim(f->st, T0 + 100, "a", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].kind, "sla");
	assert_int_equal(l.v[0].due_at, T0 + 100);
	jid = l.v[0].id;
	job_list_release(&l);

	/* Leased to a until T0 + 160: nobody else gets it before. */
	assert_int_equal(
	    f->st->ops->jobs_claim(f->st, T0 + 100, "b", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 0);
	job_list_release(&l);
	assert_int_equal(
	    f->st->ops->jobs_claim(f->st, T0 + 160, "b", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 0);
	job_list_release(&l);

	/* a died: its lease ran out, b takes the job over. */
	assert_int_equal(
	    f->st->ops->jobs_claim(f->st, T0 + 161, "b", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, jid);
	job_list_release(&l);

	sf_error_clear(&err);
	assert_int_equal(f->st->ops->job_done(f->st, jid, "a", T0 + 162, &err),
			 SF_CONFLICT);
	assert_int_equal(f->st->ops->job_done(f->st, jid, "b", T0 + 162, &err),
			 SF_OK);
	assert_int_equal(f->st->ops->job_done(f->st, jid, "b", T0 + 163, &err),
			 SF_CONFLICT);

	/* Done jobs are never claimed again. */
	assert_int_equal(
	    f->st->ops->jobs_claim(f->st, T0 + 10000, "c", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 0);
	job_list_release(&l);

	/* Cancelled with their step. */
	assert_int_equal(
	    f->st->ops->job_add(f->st, "reminder", 1, 2, T0, "1", &err), SF_OK);
	assert_int_equal(f->st->ops->jobs_cancel_step(f->st, 2, T0, &err),
			 SF_OK);
	assert_int_equal(
	    f->st->ops->jobs_claim(f->st, T0 + 10000, "c", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 0);
	job_list_release(&l);
}

static void
test_outbox_leases(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct outbox_row m = {0};
	struct outbox_list l;
	json_t *to = json_pack("[s]", "ann@example.org");
	int64_t id;

	migrate_fresh(f);
	m.created = T0;
	m.next_attempt = T0;
	m.to = to;
	m.subject = "s";
	m.body = "b";
	assert_int_equal(f->st->ops->outbox_add(f->st, &m, &id, &err), SF_OK);
	json_decref(to);

	assert_int_equal(
	    f->st->ops->outbox_claim(f->st, T0 - 1, "a", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 0);
	outbox_list_release(&l);

	assert_int_equal(
	    f->st->ops->outbox_claim(f->st, T0, "a", 60, 10, &l, &err), SF_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, id);
	assert_string_equal(l.v[0].state, "queued");
	assert_string_equal(json_string_value(json_array_get(l.v[0].to, 0)),
			    "ann@example.org");
	outbox_list_release(&l);

	assert_int_equal(
	    f->st->ops->outbox_claim(f->st, T0 + 60, "b", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 0);
	outbox_list_release(&l);
	assert_int_equal(
	    f->st->ops->outbox_claim(f->st, T0 + 61, "b", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 1);
	outbox_list_release(&l);

	/* Sent: never claimed again. */
	assert_int_equal(f->st->ops->outbox_mark(f->st, id, "sent", 1, T0 + 62,
						 NULL, T0 + 62, &err),
			 SF_OK);
	assert_int_equal(
	    f->st->ops->outbox_claim(f->st, T0 + 10000, "c", 60, 10, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 0);
	outbox_list_release(&l);
	assert_int_equal(f->st->ops->outbox_list(f->st, "sent", &l, &err),
			 SF_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].sent_at, T0 + 62);
	assert_int_equal(l.v[0].attempts, 1);
	outbox_list_release(&l);
}

static void
test_backup(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct store *b = NULL;
	struct actor op;
	struct user u;
	json_t *users;
	char *path = xasprintf("%s/backup.db", f->dir);
	int version = 0;

	migrate_fresh(f);
	actor_operator(&op, "test");
	assert_int_equal(
	    people_add(f->st, &op, "ann", "ann@example.org", NULL, &err),
	    SF_OK);
	assert_int_equal(people_add(f->st, &op, "ben", NULL, NULL, &err),
			 SF_OK);
	assert_int_equal(people_grant(f->st, &op, "ann", "ds", NULL, &err),
			 SF_OK);
	actor_release(&op);

	sf_error_clear(&err);
	if (tu_db_is_pg()) {
		/* Not possible in-process: a clear refusal, no file. */
		assert_int_equal(f->st->ops->backup(f->st, path, &err),
				 SF_BAD_REQUEST);
		assert_non_null(strstr(err.message, "pg_dump"));
		assert_int_equal(access(path, F_OK), -1);
		free(path);
		return;
	}
	assert_int_equal(f->st->ops->backup(f->st, path, &err), SF_OK);
	raw_integrity_ok(path);

	assert_int_equal(store_open(path, &b, &err), SF_OK);
	assert_int_equal(b->ops->schema_version(b, &version, &err), SF_OK);
	assert_int_equal(version, migration_files());
	assert_int_equal(b->ops->user_list(b, &users, &err), SF_OK);
	assert_int_equal(json_array_size(users), 2);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(users, 0), "name")),
			    "ann");
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(users, 0), "roles")),
			    "ds");
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(users, 1), "name")),
			    "ben");
	json_decref(users);
	assert_int_equal(b->ops->user_get(b, "ann", 0, &u, &err), SF_OK);
	assert_string_equal(u.email, "ann@example.org");
	user_release(&u);
	store_close(b);
	free(path);
}

/* Two connections at once: what several server threads or nodes do. */
#define WRITERS 2
#define PER_WRITER 15

struct writer {
	const char *url;
	int n;
	enum sf_status r;
	char msg[512];
	struct job_list jobs;
};

static void *
migrator(void *p)
{
	struct writer *w = p;
	struct sf_error err;
	struct store *st = NULL;

	sf_error_clear(&err);
	w->r = store_open(w->url, &st, &err);
	if (!w->r)
		w->r = setup_database(st, &w->n, &err);
	if (w->r)
		xstrlcpy(w->msg, err.message, sizeof(w->msg));
	store_close(st);
	return NULL;
}

/* Two nodes start together on an empty database: the migrations are
 * applied once, by one of them, and both start. */
static void
test_concurrent_migrate(void **state)
{
	struct fx *f = *state;
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	int applied = 0;

	memset(w, 0, sizeof(w));
	for (int i = 0; i < WRITERS; i++) {
		w[i].url = f->path;
		assert_int_equal(pthread_create(&t[i], NULL, migrator, &w[i]),
				 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < WRITERS; i++) {
		if (w[i].r)
			fail_msg("node %d: %s", i, w[i].msg);
		applied += w[i].n;
	}
	assert_int_equal(applied, migration_files());
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM "
					  "schema_migrations"),
			 migration_files());
}

static void *
audit_writer(void *p)
{
	struct writer *w = p;
	struct sf_error err;
	struct store *st = NULL;
	struct actor op;

	sf_error_clear(&err);
	w->r = store_open(w->url, &st, &err);
	actor_operator(&op, "test");
	for (int i = 0; !w->r && i < PER_WRITER; i++) {
		char object[32], head[65];
		int64_t last;

		snprintf(object, sizeof(object), "writers/%d", w->n);
		w->r = st->ops->begin(st, &err);
		if (w->r)
			break;
		/* Hold the head a moment: the other writer must wait. */
		w->r = st->ops->audit_head(st, &last, head, &err);
		if (!w->r) {
			usleep(2000);
			w->r = audit_append(st, &op, NULL, NULL, object,
					    "write", NULL, NULL, T0, &err);
		}
		if (!w->r)
			w->r = st->ops->commit(st, &err);
		else
			st->ops->rollback(st);
	}
	if (w->r)
		xstrlcpy(w->msg, err.message, sizeof(w->msg));
	actor_release(&op);
	store_close(st);
	return NULL;
}

/*
 * Writers on two connections append to the audit chain at the same time:
 * each append reads the head and writes after it, so audit_head must lock
 * it to the end of the transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL:
 * the audit_head row), or two records would follow the same one.
 */
static void
test_concurrent_audit(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	int64_t bad = -1, count = 0;

	migrate_fresh(f);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < WRITERS; i++) {
		w[i].url = f->path;
		w[i].n = i;
		assert_int_equal(
		    pthread_create(&t[i], NULL, audit_writer, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < WRITERS; i++) {
		if (w[i].r)
			fail_msg("writer %d: %s", i, w[i].msg);
	}
	sf_error_clear(&err);
	assert_int_equal(audit_verify(f->st, &bad, &count, &err), SF_OK);
	assert_int_equal(bad, 0);
	/* The calendar import of setup_database, then every append. */
	assert_int_equal(count, 1 + WRITERS * PER_WRITER);
}

static void *
job_claimer(void *p)
{
	struct writer *w = p;
	struct sf_error err;
	struct store *st = NULL;
	char owner[16];

	snprintf(owner, sizeof(owner), "node%d", w->n);
	sf_error_clear(&err);
	w->r = store_open(w->url, &st, &err);
	/* Small batches, so that both claimers are at it together. */
	while (!w->r) {
		struct job_list l;

		w->r = st->ops->jobs_claim(st, T0, owner, 60, 3, &l, &err);
		if (w->r || l.n == 0) {
			job_list_release(&l);
			break;
		}
		w->jobs.v =
		    xrealloc(w->jobs.v, (w->jobs.n + l.n) * sizeof(*w->jobs.v));
		for (size_t i = 0; i < l.n; i++) {
			w->jobs.v[w->jobs.n++] = l.v[i];
			memset(&l.v[i], 0, sizeof(l.v[i]));
		}
		job_list_release(&l);
	}
	if (w->r)
		xstrlcpy(w->msg, err.message, sizeof(w->msg));
	store_close(st);
	return NULL;
}

/* Two nodes claim the same due jobs at once: each job goes to exactly
 * one of them. */
static void
test_concurrent_claims(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	enum { NJOBS = 40 };
	int seen[NJOBS + 1] = {0};
	size_t total = 0;

	migrate_fresh(f);
	for (int i = 0; i < NJOBS; i++)
		assert_int_equal(f->st->ops->job_add(f->st, "reminder", 1,
						     i + 1, T0 - i, "", &err),
				 SF_OK);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < WRITERS; i++) {
		w[i].url = f->path;
		w[i].n = i;
		assert_int_equal(
		    pthread_create(&t[i], NULL, job_claimer, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < WRITERS; i++) {
		if (w[i].r)
			fail_msg("claimer %d: %s", i, w[i].msg);
		for (size_t j = 0; j < w[i].jobs.n; j++) {
			int64_t step = w[i].jobs.v[j].step_id;
			assert_true(step >= 1 && step <= NJOBS);
			seen[step]++;
		}
		total += w[i].jobs.n;
		job_list_release(&w[i].jobs);
	}
	assert_int_equal(total, NJOBS);
	for (int i = 1; i <= NJOBS; i++)
		assert_int_equal(seen[i], 1);
}

/* A PostgreSQL URL that cannot be opened: the error names the URL, never
 * its passwords.  No server needed: nothing listens on that socket. */
static void
test_pg_open_error(void **state)
{
	struct sf_error err;
	struct store *st = NULL;
	const char *url = "postgresql://bob:s3cret@/nosuch?host=/nonexistent"
			  "&port=1&password=pa55&connect_timeout=2";

	(void)state;
	sf_error_clear(&err);
	assert_int_equal(store_open(url, &st, &err), SF_DB);
	assert_null(st);
	assert_non_null(strstr(err.message, "postgresql://bob@/nosuch"));
	assert_non_null(strstr(err.message, "host=/nonexistent"));
	assert_null(strstr(err.message, "s3cret"));
	assert_null(strstr(err.message, "pa55"));
	assert_null(strchr(err.message, '\n'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_migrate_empty, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_existing, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_users, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_grants_delegations, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_sessions, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_counters_catalog, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_userlists, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_instance_rev, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_job_leases, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_outbox_leases, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_migrate, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_audit, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_claims, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_backup, fx_setup, fx_teardown),
	    cmocka_unit_test(test_pg_open_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
