/*
 * bench_steps.c - durable step rate against raw SQLite transactions.
 *
 * Both sides run on the same disk (the folder given, default /tmp) with the
 * same settings (WAL, synchronous=FULL, one fsync per commit):
 *   baseline: one transaction = INSERT of a ~300-byte row + UPDATE of
 *             another row, through the sqlite3 C API;
 *   secflow:  one engine_perform() of a self-looping step: its own
 *             transaction closing the step, activating the next, updating
 *             the instance and appending the hash-chained audit record.
 * Prints both rates and their ratio (target: secflow >= 0.60).  The
 * durable SQLite figures come from 5 rounds of baseline then steps, each
 * round's ratio against the mean of the baselines around it, and the
 * median round is printed: fsync times on a shared virtual disk drift by
 * a factor of several within a minute, and a single pair measures the
 * drift more than the code.
 *
 * With a postgresql:// URL (an empty database) instead of a folder, the
 * same on PostgreSQL: the baseline is the same transaction through libpq
 * (prepared statements, same server, same database), the steps are
 * engine_perform() on a secflow store opened on that URL.
 *
 * usage: bench_steps [DIR | postgresql://URL] [N] [postgresql://URL2]
 * (on PostgreSQL, URL2: a second empty database for the same-size
 * baseline, whose schema it drops and makes again each run)
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/actor.h"
#include "core/alloc.h"
#include "engine/engine.h"
#include "engine/setup.h"
#include "modules/people.h"

static const char loop_yaml[] =
	"process: bench.loop\n"
	"version: 1\n"
	"title: Benchmark loop\n"
	"object: loops\n"
	"fields:\n"
	"  - {name: title, type: string, required: true}\n"
	"start: [work]\n"
	"steps:\n"
	"  - id: work\n"
	"    roles: [ds]\n"
	"    sla: 3 working days\n"
	"    fields:\n"
	"      - {name: note, type: string}\n"
	"    next: [work]\n";

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sync_full = 1;

static double
raw_rate(const char *dir, int n)
{
	char *path = xasprintf("%s/bench-raw.db", dir);
	sqlite3 *db;
	sqlite3_stmt *ins, *upd;
	char payload[301];
	double t0, t;

	unlink(path);
	sqlite3_open(path, &db);
	sqlite3_exec(db, sync_full ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		     : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
		     NULL, NULL, NULL);
	sqlite3_exec(db,
		     "CREATE TABLE log(id INTEGER PRIMARY KEY, body TEXT);"
		     "CREATE TABLE head(id INTEGER PRIMARY KEY, n INTEGER);"
		     "INSERT INTO head VALUES (1, 0);",
		     NULL, NULL, NULL);
	memset(payload, 'x', 300);
	payload[300] = '\0';
	sqlite3_prepare_v2(db, "INSERT INTO log(body) VALUES (?)", -1, &ins,
			   NULL);
	sqlite3_prepare_v2(db, "UPDATE head SET n = n + 1 WHERE id = 1", -1,
			   &upd, NULL);
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_bind_text(ins, 1, payload, 300, SQLITE_STATIC);
		sqlite3_step(ins);
		sqlite3_reset(ins);
		sqlite3_step(upd);
		sqlite3_reset(upd);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	t = now_s() - t0;
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_close(db);
	unlink(path);
	free(path);
	return n / t;
}

/*
 * The same transaction as a step, written raw: a secflow schema made by
 * secflow's own migrations (same tables, indexes and pragmas), and per
 * transaction exactly the rows a step of bench.loop writes, with the same
 * byte sizes, through prepared statements: close the active step and drop
 * its access key, clear its jobs, insert the next step and its key, update
 * the instance, append an audit record with a 64-hex hash.  What it leaves
 * out is what the engine adds: reading the instance and its steps, the
 * definition, JSON, the access check and the SHA-256 of the audit chain.
 */
static double
raw_step_rate(const char *dir, int n)
{
	enum { INSTANCES = 100 };
	static const char *const sql[] = {
		"UPDATE steps SET state = 'done', completed = ?2, user_name = "
		"'bench.ds', role = 'ds', acting_for = NULL, input = "
		"'{\"note\":\"a step of the benchmark\"}' WHERE id = ?1 AND "
		"state = 'active'",
		"DELETE FROM step_keys WHERE step_id = ?1",
		"UPDATE jobs SET done_at = ?2 WHERE step_id = ?1 AND done_at IS "
		"NULL",
		"INSERT INTO steps(instance_id, step, state, activated, due, "
		"completed, user_name, role, acting_for, input, roles, scope) "
		"VALUES (?1, 'work', 'active', ?2, '2026-12-02', NULL, NULL, "
		"NULL, NULL, NULL, ',ds,', ';')",
		"INSERT OR IGNORE INTO step_keys(role, scope, step_id) VALUES "
		"('ds', '', ?1)",
		"UPDATE instances SET state = 'running', data = "
		"'{\"title\":\"bench\",\"_last\":{\"note\":\"a step of the "
		"benchmark\"}}', summary = '{\"title\":\"bench\"}', updated = "
		"?2, rev = rev + 1 WHERE id = ?1",
		"INSERT INTO audit(ts, user_name, role, acting_for, object, "
		"action, before, after, prev_hash, hash) VALUES (?2, "
		"'bench.ds', 'ds', '', 'loops/' || ?1, 'step:work', "
		"'{\"active\":[\"work\"],\"state\":\"running\"}', "
		"'{\"active\":[\"work\"],\"input\":{\"note\":\"a step of the "
		"benchmark\"},\"state\":\"running\"}', ?3, ?3)",
	};
	enum { NSQL = sizeof sql / sizeof sql[0] };
	char *path = xasprintf("%s/bench-raw-step.db", dir);
	struct sf_error err = {0};
	struct store *st;
	sqlite3 *db;
	sqlite3_stmt *q[NSQL], *ins_inst, *ins_step;
	int64_t active[INSTANCES];
	char hash[65];
	double t0, t;

	unlink(path);
	if (store_open(path, &st, &err) || setup_database(st, NULL, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		exit(1);
	}
	store_close(st);
	sqlite3_open(path, &db);
	sqlite3_exec(db, sync_full ? "PRAGMA journal_mode=WAL; PRAGMA "
				     "synchronous=FULL; PRAGMA foreign_keys=ON;"
				   : "PRAGMA journal_mode=WAL; PRAGMA "
				     "synchronous=NORMAL; PRAGMA foreign_keys=ON;",
		     NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA wal_autocheckpoint=8000;"
			 "INSERT INTO procdefs(id, name, version, hash, source, "
			 "loaded) VALUES (1, 'bench.loop', 1, 'h', 's', 0)",
		     NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO instances(procdef_id, process, "
			       "object, state, data, summary, created, updated) "
			       "VALUES (1, 'bench.loop', 'loops', 'running', "
			       "'{\"title\":\"bench\"}', '{\"title\":\"bench\"}', "
			       "0, 0)",
			   -1, &ins_inst, NULL);
	sqlite3_prepare_v2(db, sql[3], -1, &ins_step, NULL);
	for (int i = 0; i < NSQL; i++)
		if (sqlite3_prepare_v2(db, sql[i], -1, &q[i], NULL) != SQLITE_OK) {
			fprintf(stderr, "bench: %s\n", sqlite3_errmsg(db));
			exit(1);
		}
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (int i = 0; i < INSTANCES; i++) {
		sqlite3_step(ins_inst);
		sqlite3_reset(ins_inst);
		sqlite3_bind_int64(ins_step, 1, sqlite3_last_insert_rowid(db));
		sqlite3_bind_int64(ins_step, 2, 0);
		sqlite3_step(ins_step);
		sqlite3_reset(ins_step);
		active[i] = sqlite3_last_insert_rowid(db);
		sqlite3_bind_int64(q[4], 1, active[i]);
		sqlite3_step(q[4]);
		sqlite3_reset(q[4]);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	memset(hash, 'a', 64);
	hash[64] = '\0';
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		int k = i % INSTANCES;
		int64_t now = 1795960419 + i;

		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		for (int j = 0; j < NSQL; j++) {
			/* steps 0-2 name the closed step, 3 and 5 the
			 * instance, 4 the new step, 6 the instance */
			int64_t id = j <= 2 ? active[k] : (int64_t)k + 1;
			if (j == 4)
				id = sqlite3_last_insert_rowid(db);
			sqlite3_bind_int64(q[j], 1, id);
			if (j != 1 && j != 4)
				sqlite3_bind_int64(q[j], 2, now);
			if (j == 6)
				sqlite3_bind_text(q[j], 3, hash, 64,
						  SQLITE_STATIC);
			if (sqlite3_step(q[j]) != SQLITE_DONE) {
				fprintf(stderr, "bench: %s\n",
					sqlite3_errmsg(db));
				exit(1);
			}
			sqlite3_reset(q[j]);
			if (j == 3)
				active[k] = sqlite3_last_insert_rowid(db);
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	t = now_s() - t0;
	{ /* the baseline did write what a step writes */
		sqlite3_stmt *c;
		sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM steps), "
				       "(SELECT count(*) FROM steps WHERE state = "
				       "'active'), (SELECT count(*) FROM step_keys), "
				       "(SELECT count(*) FROM audit WHERE action = 'step:work')",
				   -1, &c, NULL);
		if (sqlite3_step(c) != SQLITE_ROW ||
		    sqlite3_column_int(c, 0) != INSTANCES + n ||
		    sqlite3_column_int(c, 1) != INSTANCES ||
		    sqlite3_column_int(c, 2) != INSTANCES ||
		    sqlite3_column_int(c, 3) != n) {
			fprintf(stderr, "bench: the raw baseline wrote the "
					"wrong rows\n");
			exit(1);
		}
		sqlite3_finalize(c);
	}
	for (int i = 0; i < NSQL; i++)
		sqlite3_finalize(q[i]);
	sqlite3_finalize(ins_inst);
	sqlite3_finalize(ins_step);
	sqlite3_close(db);
	unlink(path);
	free(path);
	return n / t;
}

static void
pg_ok(PGconn *c, PGresult *r, const char *what)
{
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		fprintf(stderr, "bench: %s: %s", what, PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);
}

static double
pg_raw_rate(const char *url, int n)
{
	PGconn *c = PQconnectdb(url);
	char payload[301];
	const char *params[1] = {payload};
	double t0, t;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench: %s", PQerrorMessage(c));
		exit(1);
	}
	memset(payload, 'x', 300);
	payload[300] = '\0';
	pg_ok(c, PQexec(c, "SET client_min_messages = warning;"
			   "DROP TABLE IF EXISTS bench_log, bench_head;"
			   "CREATE TABLE bench_log(id BIGSERIAL PRIMARY KEY, "
			   "body TEXT);"
			   "CREATE TABLE bench_head(id BIGINT PRIMARY KEY, "
			   "n BIGINT);"
			   "INSERT INTO bench_head VALUES (1, 0);"),
	      "create");
	pg_ok(c, PQprepare(c, "ins", "INSERT INTO bench_log(body) VALUES ($1)",
			   1, NULL),
	      "prepare");
	pg_ok(c, PQprepare(c, "upd",
			   "UPDATE bench_head SET n = n + 1 WHERE id = 1", 0,
			   NULL),
	      "prepare");
	pg_ok(c, PQprepare(c, "begin", "BEGIN", 0, NULL), "prepare");
	pg_ok(c, PQprepare(c, "commit", "COMMIT", 0, NULL), "prepare");
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		pg_ok(c, PQexecPrepared(c, "begin", 0, NULL, NULL, NULL, 0),
		      "begin");
		pg_ok(c, PQexecPrepared(c, "ins", 1, params, NULL, NULL, 0),
		      "insert");
		pg_ok(c, PQexecPrepared(c, "upd", 0, NULL, NULL, NULL, 0),
		      "update");
		pg_ok(c, PQexecPrepared(c, "commit", 0, NULL, NULL, NULL, 0),
		      "commit");
	}
	t = now_s() - t0;
	pg_ok(c, PQexec(c, "DROP TABLE bench_log, bench_head"), "drop");
	PQfinish(c);
	return n / t;
}

/* The same transaction as a step on PostgreSQL, raw: the statements
 * store_pg.c sends for a step of bench.loop (close the step and drop its
 * keys, clear its jobs, add the next step and its key, update the
 * instance, lock the audit head and append the record), as prepared
 * statements through libpq on a schema made by secflow's migrations in
 * the database at URL, which must be empty. */
static double
pg_raw_step_rate(const char *url, int n)
{
	enum { INSTANCES = 100 };
	static const char *const sql[] = {
		"WITH u AS (UPDATE steps SET state = 'done', completed = $2, "
		"user_name = 'bench.ds', role = 'ds', acting_for = NULL, input "
		"= '{\"note\":\"a step of the benchmark\"}' WHERE id = $1 AND "
		"state = 'active' RETURNING id), d AS (DELETE FROM step_keys "
		"WHERE step_id IN (SELECT id FROM u)) SELECT count(*) FROM u",
		"UPDATE jobs SET done_at = $2 WHERE step_id = $1 AND done_at "
		"IS NULL",
		"INSERT INTO steps(instance_id, step, state, activated, due, "
		"completed, user_name, role, acting_for, input, roles, scope) "
		"VALUES ($1, 'work', 'active', $2, '2026-12-02', NULL, NULL, "
		"NULL, NULL, NULL, ',ds,', ';') RETURNING id",
		"INSERT INTO step_keys(role, scope, step_id) SELECT DISTINCT "
		"p.role, p.scope, $1::bigint FROM jsonb_to_recordset("
		"'[{\"role\":\"ds\",\"scope\":\"\"}]'::jsonb) AS p(role text, "
		"scope text) ON CONFLICT DO NOTHING",
		"UPDATE instances SET state = 'running', data = "
		"'{\"title\":\"bench\",\"_last\":{\"note\":\"a step of the "
		"benchmark\"}}', summary = '{\"title\":\"bench\"}', updated = "
		"$2, rev = rev + 1 WHERE id = $1",
		"SELECT id, hash FROM audit_head FOR UPDATE",
		"WITH a AS (INSERT INTO audit(id, ts, user_name, role, "
		"acting_for, object, action, before, after, prev_hash, hash) "
		"VALUES ($1, $2, 'bench.ds', 'ds', '', 'loops/' || $3, "
		"'step:work', '{\"active\":[\"work\"],\"state\":\"running\"}', "
		"'{\"active\":[\"work\"],\"input\":{\"note\":\"a step of the "
		"benchmark\"},\"state\":\"running\"}', $4, $4) RETURNING id, "
		"hash) UPDATE audit_head SET id = a.id, hash = a.hash FROM a",
	};
	enum { NSQL = sizeof sql / sizeof sql[0] };
	struct sf_error err = {0};
	struct store *st;
	PGconn *c;
	PGresult *r;
	long long active[INSTANCES];
	char hash[65], name[8], a[32], b[32], d[32];
	double t0, t;

	c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench: %s", PQerrorMessage(c));
		exit(1);
	}
	/* a fresh schema each run: the database is the baseline's own */
	pg_ok(c, PQexec(c, "SET client_min_messages = warning;"
			   "DROP SCHEMA public CASCADE; CREATE SCHEMA public"),
	      "reset");
	if (store_open(url, &st, &err) || setup_database(st, NULL, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		exit(1);
	}
	store_close(st);
	pg_ok(c, PQexec(c, "INSERT INTO procdefs(id, name, version, hash, "
			   "source, loaded) VALUES (1, 'bench.loop', 1, 'h', "
			   "'s', 0)"),
	      "procdef");
	for (int i = 0; i < NSQL; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		pg_ok(c, PQprepare(c, name, sql[i], 0, NULL), "prepare");
	}
	for (int i = 0; i < INSTANCES; i++) {
		const char *p[2] = {a, "0"};
		r = PQexec(c, "INSERT INTO instances(procdef_id, process, "
			      "object, state, data, summary, created, updated) "
			      "VALUES (1, 'bench.loop', 'loops', 'running', "
			      "'{\"title\":\"bench\"}', '{\"title\":\"bench\"}', "
			      "0, 0) RETURNING id");
		snprintf(a, sizeof(a), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		r = PQexecPrepared(c, "s2", 2, p, NULL, NULL, 0);
		active[i] = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		snprintf(a, sizeof(a), "%lld", active[i]);
		pg_ok(c, PQexecPrepared(c, "s3", 1, p, NULL, NULL, 0), "key");
	}
	memset(hash, 'a', 64);
	hash[64] = '\0';
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		int k = i % INSTANCES;
		const char *p[4] = {a, b, d, hash};
		long long head;

		snprintf(b, sizeof(b), "%lld", 1795960419LL + i);
		pg_ok(c, PQexec(c, "BEGIN"), "begin");
		snprintf(a, sizeof(a), "%lld", active[k]);
		pg_ok(c, PQexecPrepared(c, "s0", 2, p, NULL, NULL, 0), "close");
		pg_ok(c, PQexecPrepared(c, "s1", 2, p, NULL, NULL, 0), "jobs");
		snprintf(a, sizeof(a), "%d", k + 1);
		r = PQexecPrepared(c, "s2", 2, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "bench: %s", PQerrorMessage(c));
			exit(1);
		}
		active[k] = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		snprintf(a, sizeof(a), "%lld", active[k]);
		pg_ok(c, PQexecPrepared(c, "s3", 1, p, NULL, NULL, 0), "key");
		snprintf(a, sizeof(a), "%d", k + 1);
		pg_ok(c, PQexecPrepared(c, "s4", 2, p, NULL, NULL, 0), "inst");
		r = PQexecPrepared(c, "s5", 0, NULL, NULL, NULL, 0);
		head = PQntuples(r) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
				    : 0;
		PQclear(r);
		snprintf(d, sizeof(d), "%d", k + 1);
		snprintf(a, sizeof(a), "%lld", head + 1);
		pg_ok(c, PQexecPrepared(c, "s6", 4, p, NULL, NULL, 0), "audit");
		pg_ok(c, PQexec(c, "COMMIT"), "commit");
	}
	t = now_s() - t0;
	r = PQexec(c, "SELECT (SELECT count(*) FROM steps WHERE state = "
		      "'active'), (SELECT count(*) FROM step_keys), (SELECT "
		      "count(*) FROM audit WHERE action = 'step:work')");
	if (PQntuples(r) != 1 || atoi(PQgetvalue(r, 0, 0)) != INSTANCES ||
	    atoi(PQgetvalue(r, 0, 1)) != INSTANCES ||
	    atoi(PQgetvalue(r, 0, 2)) != n) {
		fprintf(stderr, "bench: the raw baseline wrote the wrong "
				"rows\n");
		exit(1);
	}
	PQclear(r);
	PQfinish(c);
	return n / t;
}

/* DB: a store URL (a SQLite file or a postgresql:// URL of an empty
 * database); DIR: a scratch folder for the process definition. */
static double
step_rate(const char *dbarg, const char *dir, int n)
{
	char *db = xstrdup(dbarg);
	char *pdir = xasprintf("%s/bench-processes", dir);
	char *pfile = xasprintf("%s/loop.yaml", pdir);
	struct sf_error err = {0};
	struct store *st;
	struct registry *reg;
	struct engine e;
	struct actor op, ds;
	json_t *data, *in;
	int64_t id;
	double t0, t;
	FILE *f;

	if (strncmp(db, "postgres", 8) != 0)
		unlink(db);
	mkdir(pdir, 0700);
	f = fopen(pfile, "w");
	fputs(loop_yaml, f);
	fclose(f);
	if (store_open(db, &st, &err) || setup_database(st, NULL, &err) ||
	    registry_load(pdir, &reg, &err) ||
	    engine_init(&e, st, reg, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		exit(1);
	}
	actor_operator(&op, "bench");
	if (people_add(st, &op, "bench.ds", "ds@example.org", NULL, &err) ||
	    people_grant(st, &op, "bench.ds", "ds", NULL, &err) ||
	    actor_load(st, "bench.ds", 0, date_of(clock_now()), &ds, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		exit(1);
	}
	/* Steps spread over 100 instances, as on a living system. */
	data = json_pack("{s:s}", "title", "bench");
	for (int i = 0; i < 100; i++) {
		if (engine_start(&e, &ds, "bench.loop", data, &id, &err)) {
			fprintf(stderr, "bench: %s\n", err.message);
			exit(1);
		}
	}
	in = json_pack("{s:s}", "note", "a step of the benchmark");
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		if (engine_perform(&e, &ds, "loops", 1 + i % 100, "work", in,
				   &err)) {
			fprintf(stderr, "bench: %s\n", err.message);
			exit(1);
		}
	}
	t = now_s() - t0;
	json_decref(in);
	json_decref(data);
	actor_release(&ds);
	actor_release(&op);
	engine_release(&e);
	registry_free(reg);
	store_close(st);
	if (strncmp(db, "postgres", 8) != 0)
		unlink(db);
	unlink(pfile);
	rmdir(pdir);
	free(db);
	free(pdir);
	free(pfile);
	return n / t;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 2000;
	const char *rawurl = argc > 3 ? argv[3] : NULL;
	double raw, steps, two_row;
	char *db;

	if (strncmp(dir, "postgres", 8) == 0) {
		char tmp[] = "/tmp/bench-steps-XXXXXX";
		if (!rawurl) {
			fprintf(stderr, "usage: bench_steps postgresql://URL "
					"N postgresql://BASELINE_URL\n");
			return 2;
		}
		if (!mkdtemp(tmp)) {
			perror("mkdtemp");
			return 1;
		}
		/* baselines before and after, against drift on a busy box */
		raw = pg_raw_step_rate(rawurl, n) / 2;
		two_row = pg_raw_rate(dir, n) / 2;
		steps = step_rate(dir, tmp, n);
		raw += pg_raw_step_rate(rawurl, n) / 2;
		two_row += pg_raw_rate(dir, n) / 2;
		rmdir(tmp);
		printf("postgresql: durable steps %.0f steps/s; raw libpq "
		       "transactions of the same size %.0f txn/s; ratio %.2f "
		       "(target >= 0.60)\n",
		       steps, raw, steps / raw);
		printf("postgresql: for reference, raw two-row transactions "
		       "%.0f txn/s; steps at %.2f of them\n",
		       two_row, steps / two_row);
		return 0;
	}
	db = xasprintf("%s/bench-steps.db", dir);
	if (getenv("BENCH_NORMAL_ONLY"))
		goto normal;
	{
		/* Each round: both baselines, then the steps, then both
		 * again; the round's ratios are against the means around
		 * it, and the median round is printed. */
		enum { ROUNDS = 5 };
		double same[ROUNDS + 1], small[ROUNDS + 1], st[ROUNDS];
		double ratio[ROUNDS];
		int order[ROUNDS], m;

		same[0] = raw_step_rate(dir, n);
		small[0] = raw_rate(dir, n);
		for (int k = 0; k < ROUNDS; k++) {
			st[k] = step_rate(db, dir, n);
			same[k + 1] = raw_step_rate(dir, n);
			small[k + 1] = raw_rate(dir, n);
			ratio[k] = st[k] / ((same[k] + same[k + 1]) / 2);
			order[k] = k;
		}
		for (int a = 0; a < ROUNDS; a++) /* sort by ratio */
			for (int b = a + 1; b < ROUNDS; b++)
				if (ratio[order[b]] < ratio[order[a]]) {
					int t = order[a];
					order[a] = order[b];
					order[b] = t;
				}
		m = order[ROUNDS / 2];
		steps = st[m];
		raw = (same[m] + same[m + 1]) / 2;
		printf("sqlite: durable steps (synchronous=FULL) %.0f steps/s; "
		       "raw SQLite transactions of the same size %.0f txn/s; "
		       "ratio %.2f (target >= 0.60; median of %d rounds, lowest "
		       "%.2f, highest %.2f)\n",
		       steps, raw, steps / raw, ROUNDS, ratio[order[0]],
		       ratio[order[ROUNDS - 1]]);
		raw = (small[m] + small[m + 1]) / 2;
		printf("sqlite: for reference, raw two-row transactions %.0f "
		       "txn/s; steps at %.2f of them\n",
		       raw, steps / raw);
	}
normal:
	/* The same without the fsync: what the engine itself costs. */
	sync_full = 0;
	setenv("SECFLOW_SQLITE_SYNCHRONOUS", "NORMAL", 1);
	raw = raw_step_rate(dir, n * 10);
	steps = step_rate(db, dir, n * 10);
	printf("sqlite: steps without fsync (synchronous=NORMAL) %.0f steps/s; "
	       "raw transactions of the same size %.0f txn/s; ratio %.2f\n",
	       steps, raw, steps / raw);
	free(db);
	return 0;
}
