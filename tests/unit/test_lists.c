/*
 * test_lists.c - list pages (engine_list_summaries): an item's data is
 * its process's "list:" fields and nothing else; a step that changes a
 * listed field changes the summary in the same transaction; the view of
 * one instance still has all its data; a row without a summary (an old
 * database, a writer that did not know it) is listed from its data and
 * summary_refresh() fills it; "list:" is checked when a definition loads.
 *
 * The process is a small one of its own (things), written to a folder.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/actor.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "engine/engine.h"
#include "engine/setup.h"
#include "engine/summary.h"
#include "modules/people.h"
#include "store/store.h"

static const char things[] =
	"process: t.things\n"
	"version: 1\n"
	"object: things\n"
	"fields:\n"
	"  - {name: title, type: string, required: true}\n"
	"  - {name: dg, type: string, required: true}\n"
	"  - {name: body, type: text}\n"
	"scopes:\n"
	"  dg_requester: dg\n"
	"readers: [ds]\n"
	"starters: [dg_requester]\n"
	"start: [edit]\n"
	"list: [title, dg, note, phase]\n"
	"steps:\n"
	"  - id: edit\n"
	"    roles: [ds]\n"
	"    fields:\n"
	"      - {name: title, type: string}\n"
	"      - {name: note, type: string}\n"
	"      - {name: secret, type: string}\n"
	"    next: [close]\n"
	"  - id: close\n"
	"    roles: [ds]\n"
	"    next: [end]\n";

struct fx {
	char *dir;
	char *db;
	struct store *st;
	struct registry *reg;
	struct engine e;
	struct actor op, req, ds;
};

static void
add_user(struct fx *f, const char *name, const char *role, const char *scope,
	 struct actor *a)
{
	struct sf_error err;
	char *mail = xasprintf("%s@example.org", name);

	sf_error_clear(&err);
	if (people_add(f->st, &f->op, name, mail, NULL, &err) ||
	    people_grant(f->st, &f->op, name, role, scope, &err) ||
	    actor_load(f->st, name, 0, date_of(clock_now()), a, &err))
		fail_msg("user %s: %s", name, err.message);
	free(mail);
}

static int
fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct sf_error err;
	char *pdir, *file;

	setenv("SECFLOW_NOW", "2026-05-21T10:00:00Z", 1);
	sf_error_clear(&err);
	f->dir = tu_tempdir();
	f->db = tu_db_url(f->dir);
	pdir = xasprintf("%s/processes", f->dir);
	file = xasprintf("%s/t.things.yaml", pdir);
	assert_int_equal(mkdir(pdir, 0700), 0);
	assert_int_equal(tu_write_file(file, things), 0);
	if (store_open(f->db, &f->st, &err) ||
	    setup_database(f->st, NULL, &err) ||
	    registry_load(pdir, &f->reg, &err) ||
	    engine_init(&f->e, f->st, f->reg, &err))
		fail_msg("setup: %s", err.message);
	free(pdir);
	free(file);
	actor_operator(&f->op, "test");
	add_user(f, "req", "dg_requester", "TAXUD", &f->req);
	add_user(f, "ds", "ds", NULL, &f->ds);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	engine_release(&f->e);
	registry_free(f->reg);
	actor_release(&f->op);
	actor_release(&f->req);
	actor_release(&f->ds);
	store_close(f->st);
	tu_db_drop(f->db);
	tu_rmtree(f->dir);
	free(f->db);
	free(f->dir);
	free(f);
	return 0;
}

/* The list page of WHO as JSON (fails the test when it is not JSON). */
static json_t *
page(struct fx *f, const struct actor *who, int64_t before, size_t limit,
     int64_t *next)
{
	struct sf_error err;
	struct buf b;
	json_error_t je;
	json_t *v;

	sf_error_clear(&err);
	buf_init(&b, 0);
	if (engine_list_summaries(&f->e, who, "things", before, limit, &b,
				  next, &err))
		fail_msg("list: %s", err.message);
	v = json_loads(b.data, 0, &je);
	if (!v)
		fail_msg("list is not JSON (%s): %s", je.text, b.data);
	buf_release(&b);
	return v;
}

static int64_t
start(struct fx *f, const char *title, const char *body)
{
	struct sf_error err;
	json_t *in = json_pack("{s:s, s:s, s:s}", "title", title, "dg",
			       "TAXUD", "body", body);
	int64_t id;

	sf_error_clear(&err);
	if (engine_start(&f->e, &f->req, "t.things", in, &id, &err))
		fail_msg("start: %s", err.message);
	json_decref(in);
	return id;
}

/* Every item has the list shape, and its data only listed keys. */
static void
check_shape(json_t *items)
{
	json_t *o, *v;
	const char *k;
	size_t i;

	assert_true(json_is_array(items));
	json_array_foreach(items, i, o)
	{
		assert_true(json_is_integer(json_object_get(o, "id")));
		assert_string_equal(
			json_string_value(json_object_get(o, "process")),
			"t.things");
		assert_non_null(json_string_value(json_object_get(o, "state")));
		assert_true(json_is_integer(json_object_get(o, "created")));
		assert_true(json_is_integer(json_object_get(o, "updated")));
		assert_int_equal(json_object_size(o), 6);
		json_object_foreach(json_object_get(o, "data"), k, v)
		{
			(void)v;
			if (strcmp(k, "title") && strcmp(k, "dg") &&
			    strcmp(k, "note") && strcmp(k, "phase"))
				fail_msg("list item has data field \"%s\", "
					 "not in the list",
					 k);
		}
	}
}

static const char *
sget(json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(o, a), b));
}

static void
test_summary_only(void **state)
{
	struct fx *f = *state;
	json_t *v;
	int64_t a, b, next = -1;

	a = start(f, "first \"one\" \\ \u00e9", "a long body, never listed");
	b = start(f, "second", "another body");
	v = page(f, &f->ds, 0, 0, &next);
	check_shape(v);
	assert_int_equal(json_array_size(v), 2);
	assert_int_equal(next, 0);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(v, 0), "id")),
			 b);
	assert_string_equal(sget(json_array_get(v, 1), "data", "title"),
			    "first \"one\" \\ \u00e9");
	assert_string_equal(sget(json_array_get(v, 1), "data", "dg"), "TAXUD");
	assert_null(json_object_get(
		json_object_get(json_array_get(v, 1), "data"), "body"));
	json_decref(v);

	/* Pages: one item, then the next from X-Next-Before. */
	v = page(f, &f->ds, 0, 1, &next);
	assert_int_equal(json_array_size(v), 1);
	assert_int_equal(next, b);
	json_decref(v);
	v = page(f, &f->ds, next, 1, &next);
	assert_int_equal(json_array_size(v), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(v, 0), "id")),
			 a);
	assert_int_equal(next, 0);
	json_decref(v);
}

static void
test_step_updates_summary(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	json_t *v, *in;
	int64_t a = start(f, "before", "body");

	sf_error_clear(&err);
	in = json_pack("{s:s, s:s, s:s}", "title", "after", "note", "noted",
		       "secret", "not listed");
	if (engine_perform(&f->e, &f->ds, "things", a, "edit", in, &err))
		fail_msg("perform: %s", err.message);
	json_decref(in);
	v = page(f, &f->ds, 0, 0, NULL);
	check_shape(v);
	assert_string_equal(sget(json_array_get(v, 0), "data", "title"),
			    "after");
	/* A step field that is no instance field stays in data._last,
	 * which no list shows. */
	assert_null(sget(json_array_get(v, 0), "data", "note"));
	json_decref(v);

	/* The view still has everything. */
	assert_int_equal(engine_view(&f->e, &f->ds, "things", a, &v, &err),
			 SF_OK);
	assert_string_equal(sget(v, "data", "body"), "body");
	assert_string_equal(sget(v, "data", "title"), "after");
	json_decref(v);
}

static void
test_missing_summary(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	json_t *v;
	char *t;
	int64_t a = start(f, "old row", "body");

	/* As a database from before migration 007 has them. */
	tu_db_exec(f->db, "UPDATE instances SET summary = NULL; DELETE FROM "
			  "settings WHERE key = 'list_fields'");
	v = page(f, &f->ds, 0, 0, NULL);
	check_shape(v);
	assert_string_equal(sget(json_array_get(v, 0), "data", "title"),
			    "old row");
	json_decref(v);

	sf_error_clear(&err);
	assert_int_equal(summary_refresh(f->st, f->reg, &err), SF_OK);
	t = tu_db_text(f->db, "SELECT summary FROM instances");
	assert_non_null(t);
	assert_string_equal(t, "{\"title\":\"old row\",\"dg\":\"TAXUD\"}");
	free(t);
	/* Done once: a second refresh finds nothing to do. */
	tu_db_exec(f->db, "UPDATE instances SET summary = NULL");
	assert_int_equal(summary_refresh(f->st, f->reg, &err), SF_OK);
	assert_null(tu_db_text(f->db, "SELECT summary FROM instances"));
	(void)a;
}

/* Parse TEXT; the error message when it fails (caller frees), or NULL. */
static char *
parse_error(const char *text)
{
	struct procdef *def = NULL;
	struct sf_error err;
	char *msg = NULL;

	sf_error_clear(&err);
	if (procdef_parse(text, strlen(text), "t.yaml", &def, &err))
		msg = xstrdup(err.message);
	procdef_free(def);
	return msg;
}

static char *
with_list(const char *list)
{
	const char *at = strstr(things, "list: [title, dg, note, phase]\n");
	size_t n = strlen("list: [title, dg, note, phase]\n");

	return xasprintf("%.*s%s%s", (int)(at - things), things, list,
			 at + n);
}

static void
test_list_validation(void **state)
{
	struct procdef *def = NULL;
	struct sf_error err;
	char *t, *m;

	(void)state;
	t = with_list("list: [title, colour]\n");
	m = parse_error(t);
	assert_non_null(m);
	assert_non_null(strstr(m, "t.yaml:13:"));
	assert_non_null(strstr(m, "unknown field \"colour\""));
	free(m);
	free(t);

	t = with_list("list: [_last]\n");
	m = parse_error(t);
	assert_non_null(m);
	assert_non_null(strstr(m, "private field \"_last\""));
	free(m);
	free(t);

	t = with_list("list: [title, title]\n");
	m = parse_error(t);
	assert_non_null(m);
	assert_non_null(strstr(m, "twice"));
	free(m);
	free(t);

	/* Absent: the process's own fields. */
	t = with_list("");
	sf_error_clear(&err);
	assert_int_equal(procdef_parse(t, strlen(t), "t.yaml", &def, &err),
			 SF_OK);
	assert_int_equal(def->nlist, 3);
	assert_string_equal(def->list[0], "title");
	assert_string_equal(def->list[2], "body");
	procdef_free(def);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_summary_only, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_step_updates_summary,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_missing_summary, fx_setup,
					    fx_teardown),
	    cmocka_unit_test(test_list_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
