/*
 * test_access.c - access keys (engine/access.c, migration 003): the task
 * list and the list pages, answered from the step_keys and instance_keys
 * indexes, must say exactly what the row-by-row checks say (engine_view's
 * can_perform, engine_can_see) for every kind of actor: the CLI operator,
 * an admin, readers, scoped requesters of several DGs, an unscoped grant
 * of a scoped role, a delegation, and a user with no role.  Also: keys
 * follow a step that moves an instance to another scope, pages cut the
 * same list, and the rebuild migration 004 asks for gives the same keys.
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
#include "modules/people.h"
#include "store/store.h"

/* A process whose step moves the instance to another DG. */
static const char move_yaml[] =
    "process: scope.move\n"
    "version: 1\n"
    "title: Scope move\n"
    "object: moves\n"
    "fields:\n"
    "  - {name: title, type: string, required: true, label: Title, "
    "max: 200}\n"
    "  - {name: dg, type: string, label: DG, max: 32}\n"
    "scopes:\n"
    "  dg_requester: dg\n"
    "readers: [liso]\n"
    "start: [hand_over]\n"
    "steps:\n"
    "  - id: hand_over\n"
    "    title: Hand over\n"
    "    roles: [dg_requester]\n"
    "    fields:\n"
    "      - {name: dg, type: string, required: true, label: New DG, "
    "max: 32}\n"
    "    next: [take]\n"
    "  - id: take\n"
    "    title: Take\n"
    "    roles: [dg_requester, snet]\n"
    "    next: [end]\n";

#define NACTORS 10

struct fx {
	char *dir;
	char *db;
	struct store *st;
	struct registry *reg;
	struct engine e;
	struct actor a[NACTORS]; /* a[0] is the CLI operator */
};

static const char *const names[NACTORS] = {
    "(operator)", "adm", "req",	 "req2",  "ds1",
    "snet",	  "sig", "liso", "deleg", "nobody",
};

static void
add_user(struct fx *f, const char *name, const char *role, const char *scope)
{
	struct sf_error err;
	char *mail = xasprintf("%s@example.org", name);

	sf_error_clear(&err);
	if (people_add(f->st, &f->a[0], name, mail, NULL, &err))
		fail_msg("people_add %s: %s", name, err.message);
	if (role && people_grant(f->st, &f->a[0], name, role, scope, &err))
		fail_msg("people_grant %s: %s", name, err.message);
	free(mail);
}

static int
fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct sf_error err;
	struct user u;
	char *src = tu_source_path("processes/sample.approval.yaml");
	char *text = tu_read_file(src, NULL);
	char *pdir, *file;

	setenv("SECFLOW_NOW", "2026-05-21T10:00:00Z", 1);
	sf_error_clear(&err);
	f->dir = tu_tempdir();
	f->db = tu_db_url(f->dir);
	assert_int_equal(store_open(f->db, &f->st, &err), SF_OK);
	assert_int_equal(setup_database(f->st, NULL, &err), SF_OK);
	actor_operator(&f->a[0], "test");
	add_user(f, "adm", "admin", NULL);
	add_user(f, "req", "dg_requester", "DIGIT");
	add_user(f, "req2", "dg_requester", "TAXUD");
	add_user(f, "ds1", "ds", NULL);
	add_user(f, "snet", "snet", NULL);
	add_user(f, "sig", "ds_signatory", NULL);
	add_user(f, "liso", "liso", NULL);
	add_user(f, "deleg", NULL, NULL);
	add_user(f, "nobody", NULL, NULL);
	/* An unscoped grant of a scoped role (the store allows it; people
	 * does not): it must match no scoped step. */
	assert_int_equal(f->st->ops->user_get(f->st, "nobody", 0, &u, &err),
			 SF_OK);
	assert_int_equal(
	    f->st->ops->grant_add(f->st, u.id, "dg_requester", "", &err),
	    SF_OK);
	user_release(&u);
	assert_int_equal(people_delegate(f->st, &f->a[0], "req", "dg_requester",
					 "DIGIT", "deleg", "2026-12-31", &err),
			 SF_OK);
	for (int i = 1; i < NACTORS; i++)
		if (actor_load(f->st, names[i], 0, date_of(clock_now()),
			       &f->a[i], &err))
			fail_msg("actor_load %s: %s", names[i], err.message);

	assert_non_null(text);
	pdir = xasprintf("%s/processes", f->dir);
	assert_int_equal(mkdir(pdir, 0700), 0);
	file = xasprintf("%s/sample.approval.yaml", pdir);
	assert_int_equal(tu_write_file(file, text), 0);
	free(file);
	file = xasprintf("%s/scope.move.yaml", pdir);
	assert_int_equal(tu_write_file(file, move_yaml), 0);
	free(file);
	if (registry_load(pdir, &f->reg, &err))
		fail_msg("registry_load: %s", err.message);
	assert_int_equal(engine_init(&f->e, f->st, f->reg, &err), SF_OK);
	free(pdir);
	free(text);
	free(src);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	engine_release(&f->e);
	registry_free(f->reg);
	for (int i = 0; i < NACTORS; i++)
		actor_release(&f->a[i]);
	store_close(f->st);
	tu_db_drop(f->db);
	free(f->db);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static json_t *
js(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);

	if (!v)
		fail_msg("bad JSON in test: %s", je.text);
	return v;
}

static int64_t
start(struct fx *f, const char *process, const char *data)
{
	struct sf_error err;
	json_t *d = js(data);
	int64_t id = 0;

	sf_error_clear(&err);
	if (engine_start(&f->e, &f->a[0], process, d, &id, &err))
		fail_msg("start %s %s: %s", process, data, err.message);
	json_decref(d);
	return id;
}

static void
perform(struct fx *f, struct actor *who, const char *object, int64_t id,
	const char *step, const char *input)
{
	struct sf_error err;
	json_t *in = js(input);

	sf_error_clear(&err);
	if (engine_perform(&f->e, who, object, id, step, in, &err))
		fail_msg("perform %s/%lld %s: %s", object, (long long)id, step,
			 err.message);
	json_decref(in);
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted lines of a JSON array of strings, as one string (caller frees). */
static char *
lines(json_t *a)
{
	size_t n = json_array_size(a);
	char **v = xcalloc(n + 1, sizeof(*v));
	struct buf b;
	char *out;

	for (size_t i = 0; i < n; i++)
		v[i] = (char *)json_string_value(json_array_get(a, i));
	qsort(v, n, sizeof(*v), by_str);
	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s\n", v[i]);
	free(v);
	json_decref(a);
	out = buf_detach(&b, NULL);
	buf_release(&b); /* detach re-inits B */
	return out;
}

/* The ids of OBJECT WHO may see, by engine_can_see over every instance. */
static char *
seen_by_rows(struct fx *f, const struct actor *who, const char *object)
{
	struct sf_error err;
	json_t *all, *o, *out = json_array();
	size_t i;

	sf_error_clear(&err);
	assert_int_equal(
	    f->st->ops->instance_list(f->st, object, 0, 0, &all, &err), SF_OK);
	json_array_foreach(all, i, o)
	{
		int64_t id = json_integer_value(json_object_get(o, "id"));
		struct instance inst;
		const struct procdef *def;

		assert_int_equal(
		    f->st->ops->instance_get(f->st, id, &inst, &err), SF_OK);
		assert_int_equal(
		    registry_pinned(f->reg, f->st, inst.procdef_id, &def, &err),
		    SF_OK);
		if (engine_can_see(def, who, inst.data))
			json_array_append_new(
			    out, json_sprintf("%lld", (long long)id));
		instance_release(&inst);
	}
	json_decref(all);
	return lines(out);
}

/* The same from engine_list, page by page (PAGE 0: one page). */
static char *
seen_by_list(struct fx *f, const struct actor *who, const char *object,
	     size_t page)
{
	struct sf_error err;
	json_t *out = json_array(), *l, *o;
	int64_t before = 0, next;
	size_t i;

	sf_error_clear(&err);
	do {
		assert_int_equal(engine_list(&f->e, who, object, before, page,
					     &l, &next, &err),
				 SF_OK);
		if (page)
			assert_true(json_array_size(l) <= page);
		json_array_foreach(l, i, o)
		{
			int64_t id =
			    json_integer_value(json_object_get(o, "id"));
			/* newest first, across pages too */
			assert_true(!before || id < before);
			before = id;
			assert_null(json_object_get(json_object_get(o, "data"),
						    "_last"));
			json_array_append_new(
			    out, json_sprintf("%lld", (long long)id));
		}
		json_decref(l);
		before = next;
	} while (next);
	return lines(out);
}

/* "object/id step" of every active step WHO may perform, by engine_view
 * of every instance (those WHO cannot see have none WHO may perform). */
static char *
tasks_by_rows(struct fx *f, const struct actor *who)
{
	static const char *const objects[] = {"samples", "moves"};
	json_t *out = json_array();

	for (size_t k = 0; k < 2; k++) {
		struct sf_error err;
		json_t *all, *o;
		size_t i;

		sf_error_clear(&err);
		assert_int_equal(f->st->ops->instance_list(f->st, objects[k], 0,
							   0, &all, &err),
				 SF_OK);
		json_array_foreach(all, i, o)
		{
			int64_t id =
			    json_integer_value(json_object_get(o, "id"));
			json_t *view, *s;
			size_t j;
			enum sf_status r = engine_view(&f->e, who, objects[k],
						       id, &view, &err);

			if (r == SF_NOT_FOUND)
				continue;
			assert_int_equal(r, SF_OK);
			json_array_foreach(
			    json_object_get(view, "active_steps"), j, s)
			{
				if (json_is_true(
					json_object_get(s, "can_perform")))
					json_array_append_new(
					    out, json_sprintf(
						     "%s/%lld %s", objects[k],
						     (long long)id,
						     json_string_value(
							 json_object_get(
							     s, "step"))));
			}
			json_decref(view);
		}
		json_decref(all);
	}
	return lines(out);
}

/* The same from engine_tasks, checking its order on the way. */
static char *
tasks_by_list(struct fx *f, const struct actor *who)
{
	struct sf_error err;
	json_t *l, *t, *out = json_array();
	const char *last_due = NULL;
	int seen_undated = 0;
	size_t i;

	sf_error_clear(&err);
	assert_int_equal(engine_tasks(&f->e, who, &l, &err), SF_OK);
	json_array_foreach(l, i, t)
	{
		const char *due = json_string_value(json_object_get(t, "due"));

		/* soonest due first, undated last */
		if (due) {
			assert_false(seen_undated);
			assert_true(!last_due || strcmp(last_due, due) <= 0);
			last_due = due;
		} else {
			seen_undated = 1;
		}
		json_array_append_new(
		    out,
		    json_sprintf(
			"%s/%lld %s",
			json_string_value(json_object_get(t, "object")),
			(long long)json_integer_value(json_object_get(t, "id")),
			json_string_value(json_object_get(t, "step"))));
	}
	json_decref(l);
	return lines(out);
}

/* Every actor: lists (whole and in pages of 2) and tasks agree. */
static void
check_all(struct fx *f)
{
	for (int i = 0; i < NACTORS; i++) {
		static const char *const objects[] = {"samples", "moves"};
		char *want, *got;

		for (size_t k = 0; k < 2; k++) {
			want = seen_by_rows(f, &f->a[i], objects[k]);
			got = seen_by_list(f, &f->a[i], objects[k], 0);
			if (strcmp(want, got) != 0)
				fail_msg("%s sees %s:\n%s\nbut lists:\n%s",
					 names[i], objects[k], want, got);
			free(got);
			got = seen_by_list(f, &f->a[i], objects[k], 2);
			if (strcmp(want, got) != 0)
				fail_msg("%s sees %s:\n%s\nbut pages:\n%s",
					 names[i], objects[k], want, got);
			free(got);
			free(want);
		}
		want = tasks_by_rows(f, &f->a[i]);
		got = tasks_by_list(f, &f->a[i]);
		if (strcmp(want, got) != 0)
			fail_msg("%s may perform:\n%s\nbut the tasks are:\n%s",
				 names[i], want, got);
		free(got);
		free(want);
	}
}

/* Instances in many states and scopes. */
static void
populate(struct fx *f)
{
	static const char *const dgs[] = {"DIGIT", "TAXUD", "EMPL"};
	struct actor *op = &f->a[0];
	int64_t id;

	for (int i = 0; i < 3; i++) {
		char *d = xasprintf("{\"title\":\"t\",\"dg\":\"%s\","
				    "\"hosting\":\"%s\"}",
				    dgs[i], "dg");
		char *d2 = xasprintf("{\"title\":\"t\",\"dg\":\"%s\","
				     "\"hosting\":\"%s\"}",
				     dgs[i], "digit_dc");
		start(f, "sample.approval", d); /* submit waits */
		id = start(f, "sample.approval", d2);
		perform(f, op, "samples", id, "submit", "{}");
		free(d);
		free(d2);
	}
	/* DIGIT, through review_ds asking for changes: revise_ds */
	id = start(f, "sample.approval",
		   "{\"title\":\"t\",\"dg\":\"DIGIT\",\"hosting\":\"dg\"}");
	perform(f, &f->a[2], "samples", id, "submit", "{}");
	perform(f, &f->a[4], "samples", id, "review_ds",
		"{\"decision\":\"request_changes\"}");
	/* TAXUD, approved: the wait step is nobody's task */
	id = start(f, "sample.approval",
		   "{\"title\":\"t\",\"dg\":\"TAXUD\",\"hosting\":\"dg\"}");
	perform(f, &f->a[3], "samples", id, "submit", "{}");
	perform(f, &f->a[4], "samples", id, "review_ds",
		"{\"decision\":\"accept\"}");
	perform(f, &f->a[6], "samples", id, "decide",
		"{\"decision\":\"approve\"}");
	/* DIGIT moved to TAXUD by its step: the delegate of req hands over */
	id = start(f, "scope.move", "{\"title\":\"m\",\"dg\":\"DIGIT\"}");
	perform(f, &f->a[8], "moves", id, "hand_over", "{\"dg\":\"TAXUD\"}");
	start(f, "scope.move", "{\"title\":\"m\",\"dg\":\"EMPL\"}");
	/* No DG at all: the scoped role matches nobody, not everybody. */
	start(f, "scope.move", "{\"title\":\"m\"}");
	start(f, "scope.move", "{\"title\":\"m\",\"dg\":\"\"}");
}

static void
test_keys_agree(void **state)
{
	struct fx *f = *state;

	populate(f);
	check_all(f);
}

/* After the move, the old DG neither sees nor performs; the new one does. */
static void
test_keys_follow_data(void **state)
{
	struct fx *f = *state;
	char *got;
	int64_t id;

	id = start(f, "scope.move", "{\"title\":\"m\",\"dg\":\"DIGIT\"}");
	got = tasks_by_list(f, &f->a[2]);
	assert_string_equal(got, "moves/1 hand_over\n");
	free(got);
	perform(f, &f->a[2], "moves", id, "hand_over", "{\"dg\":\"TAXUD\"}");
	got = seen_by_list(f, &f->a[2], "moves", 0);
	assert_string_equal(got, "");
	free(got);
	got = tasks_by_list(f, &f->a[2]);
	assert_string_equal(got, "");
	free(got);
	got = seen_by_list(f, &f->a[3], "moves", 0);
	assert_string_equal(got, "1\n");
	free(got);
	got = tasks_by_list(f, &f->a[3]);
	assert_string_equal(got, "moves/1 take\n");
	free(got);
	check_all(f);
}

/* What migration 004 leaves to the engine: the keys built again from the
 * pinned definitions are the keys the engine wrote. */
static void
test_rebuild(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int64_t n, n2;
	char *v = NULL;

	populate(f);
	n = tu_db_int(f->db, "SELECT count(*) FROM instance_keys");
	assert_true(n > 0);
	tu_db_exec(f->db, "CREATE TABLE keys_before AS SELECT * FROM "
			  "instance_keys");
	tu_db_exec(f->db, "DELETE FROM instance_keys; UPDATE settings SET "
			  "value = 'rebuild' WHERE key = 'instance_keys'");
	sf_error_clear(&err);
	assert_int_equal(setup_database(f->st, NULL, &err), SF_OK);
	assert_int_equal(
	    f->st->ops->setting_get(f->st, "instance_keys", &v, &err), SF_OK);
	assert_string_equal(v, "built");
	free(v);
	n2 = tu_db_int(f->db, "SELECT count(*) FROM instance_keys");
	assert_int_equal(n2, n);
	assert_int_equal(tu_db_int(f->db, "SELECT count(*) FROM (SELECT * FROM "
					  "keys_before EXCEPT SELECT * FROM "
					  "instance_keys) x"),
			 0);
	/* Nothing to do the second time. */
	assert_int_equal(setup_database(f->st, NULL, &err), SF_OK);
	assert_int_equal(tu_db_int(f->db, "SELECT count(*) FROM instance_keys"),
			 n);
	check_all(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_keys_agree, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_keys_follow_data, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild, fx_setup,
					    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
