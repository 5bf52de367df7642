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
 * Prints both rates and their ratio (target: secflow >= 0.60).
 *
 * usage: bench_steps [DIR] [N]
 */
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

static double
step_rate(const char *dir, int n)
{
	char *db = xasprintf("%s/bench-steps.db", dir);
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
	double raw, steps;

	if (getenv("BENCH_NORMAL_ONLY"))
		goto normal;
	raw = raw_rate(dir, n);
	steps = step_rate(dir, n);
	printf("durable steps (synchronous=FULL): %.0f steps/s; raw SQLite "
	       "transactions: %.0f txn/s; ratio %.2f (target >= 0.60)\n",
	       steps, raw, steps / raw);
normal:
	/* The same without the fsync: what the engine itself costs. */
	sync_full = 0;
	setenv("SECFLOW_SQLITE_SYNCHRONOUS", "NORMAL", 1);
	raw = raw_rate(dir, n * 10);
	steps = step_rate(dir, n * 10);
	printf("steps without fsync (synchronous=NORMAL): %.0f steps/s; raw "
	       "SQLite transactions: %.0f txn/s; ratio %.2f\n",
	       steps, raw, steps / raw);
	return 0;
}
