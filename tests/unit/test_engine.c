/*
 * test_engine.c - the process engine, walked through the sample process
 * (processes/sample.approval.yaml): parallel branches and their join, a
 * skipped conditional step, loops back to earlier steps, a wait step and
 * the end of an instance, SLAs and reminders over a weekend and a
 * holiday, version pinning, roles, delegation, task lists, and the audit
 * record of every step.
 *
 * The sample: submit -> review_ds || review_snet (skipped when hosting is
 * dg) -> join decide -> approve -> cool_off (wait 2 days) -> archive ->
 * end; request_changes loops through revise_ds / revise_snet; send_back
 * loops to submit.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/actor.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/setup.h"
#include "modules/people.h"
#include "store/store.h"

/* Thursday; Whit Monday 2026-05-25 is a holiday of data/holidays-ec.ics. */
#define T0_TEXT "2026-05-21T10:00:00Z"

struct fx {
	char *dir;
	char *db; /* tu_db_url */
	struct store *st;
	struct registry *reg;
	struct engine e;
	struct actor op;    /* the CLI operator: sees everything */
	struct actor req;   /* dg_requester for DIGIT */
	struct actor req2;  /* dg_requester for TAXUD */
	struct actor ds1;   /* ds */
	struct actor ds2;   /* ds */
	struct actor snet;  /* snet */
	struct actor sig;   /* ds_signatory */
	struct actor liso;  /* liso */
	struct actor deleg; /* no role; req lends it dg_requester DIGIT */
};

static void
set_now(const char *rfc3339)
{
	setenv("SECFLOW_NOW", rfc3339, 1);
}

static void
add_user(struct fx *f, const char *name, const char *role, const char *scope)
{
	struct sf_error err;
	char *mail = xasprintf("%s@example.org", name);

	sf_error_clear(&err);
	if (people_add(f->st, &f->op, name, mail, NULL, &err))
		fail_msg("people_add %s: %s", name, err.message);
	if (role && people_grant(f->st, &f->op, name, role, scope, &err))
		fail_msg("people_grant %s: %s", name, err.message);
	free(mail);
}

static void
load(struct fx *f, const char *name, struct actor *a)
{
	struct sf_error err;

	sf_error_clear(&err);
	if (actor_load(f->st, name, 0, date_of(clock_now()), a, &err))
		fail_msg("actor_load %s: %s", name, err.message);
}

/* Everything but the registry and the engine. */
static struct fx *
fx_base(void)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct sf_error err;

	set_now(T0_TEXT);
	f->dir = tu_tempdir();
	f->db = tu_db_url(f->dir);
	sf_error_clear(&err);
	assert_int_equal(store_open(f->db, &f->st, &err), SF_OK);
	assert_int_equal(setup_database(f->st, NULL, &err), SF_OK);
	actor_operator(&f->op, "test");
	add_user(f, "req", "dg_requester", "DIGIT");
	add_user(f, "req2", "dg_requester", "TAXUD");
	add_user(f, "ds1", "ds", NULL);
	add_user(f, "ds2", "ds", NULL);
	add_user(f, "snet", "snet", NULL);
	add_user(f, "sig", "ds_signatory", NULL);
	add_user(f, "liso", "liso", NULL);
	add_user(f, "deleg", NULL, NULL);
	assert_int_equal(people_delegate(f->st, &f->op, "req", "dg_requester",
					 "DIGIT", "deleg", "2026-12-31", &err),
			 SF_OK);
	load(f, "req", &f->req);
	load(f, "req2", &f->req2);
	load(f, "ds1", &f->ds1);
	load(f, "ds2", &f->ds2);
	load(f, "snet", &f->snet);
	load(f, "sig", &f->sig);
	load(f, "liso", &f->liso);
	load(f, "deleg", &f->deleg);
	return f;
}

static int
fx_setup(void **state)
{
	struct fx *f = fx_base();
	struct sf_error err;
	char *dir = tu_source_path("processes");

	sf_error_clear(&err);
	if (registry_load(dir, &f->reg, &err))
		fail_msg("registry_load: %s", err.message);
	free(dir);
	assert_int_equal(engine_init(&f->e, f->st, f->reg, &err), SF_OK);
	*state = f;
	return 0;
}

/* The store and the users only: the test loads its own registries. */
static int
fx_setup_bare(void **state)
{
	*state = fx_base();
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
	actor_release(&f->req2);
	actor_release(&f->ds1);
	actor_release(&f->ds2);
	actor_release(&f->snet);
	actor_release(&f->sig);
	actor_release(&f->liso);
	actor_release(&f->deleg);
	store_close(f->st);
	tu_db_drop(f->db);
	free(f->db);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* JSON from a literal (NULL stays NULL). */
static json_t *
js(const char *text)
{
	json_error_t je;
	json_t *v;

	if (!text)
		return NULL;
	v = json_loads(text, 0, &je);
	if (!v)
		fail_msg("bad JSON in test: %s: %s", text, je.text);
	return v;
}

static int64_t
start_on(struct engine *e, const struct actor *who, const char *dg,
	 const char *hosting)
{
	struct sf_error err;
	json_t *data = json_pack("{s:s, s:s, s:s}", "title", "A system", "dg",
				 dg, "hosting", hosting);
	int64_t id = 0;

	sf_error_clear(&err);
	if (engine_start(e, who, "sample.approval", data, &id, &err))
		fail_msg("engine_start: %s", err.message);
	json_decref(data);
	assert_true(id > 0);
	return id;
}

static int64_t
start(struct fx *f, const char *hosting)
{
	return start_on(&f->e, &f->req, "DIGIT", hosting);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The active steps of instance ID, sorted, comma-separated ("" for none);
 * valid until the next call. */
static const char *
active(struct fx *f, int64_t id)
{
	static char out[512];
	struct step_list l;
	struct sf_error err;
	const char *names[64];
	size_t n = 0, len = 0;

	assert_int_equal(f->st->ops->steps_of(f->st, id, 1, &l, &err), SF_OK);
	assert_true(l.n <= 64);
	for (size_t i = 0; i < l.n; i++)
		names[n++] = l.v[i].step;
	qsort(names, n, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
					i ? "," : "", names[i]);
	step_list_release(&l);
	return out;
}

static int64_t
audit_count(struct fx *f)
{
	struct sf_error err;
	int64_t bad = 0, n = 0;

	sf_error_clear(&err);
	if (audit_verify(f->st, &bad, &n, &err))
		fail_msg("audit chain broken at %lld: %s", (long long)bad,
			 err.message);
	return n;
}

static size_t
outbox_count(struct fx *f)
{
	struct outbox_list l;
	struct sf_error err;
	size_t n;

	assert_int_equal(f->st->ops->outbox_list(f->st, NULL, &l, &err), SF_OK);
	n = l.n;
	outbox_list_release(&l);
	return n;
}

/*
 * Perform STEP as WHO with INPUT (JSON text or NULL) on E; it must work
 * and write exactly one audit record, "step:STEP", naming WHO.
 */
static void
perform_on(struct fx *f, struct engine *e, const struct actor *who, int64_t id,
	   const char *step, const char *input)
{
	struct sf_error err;
	json_t *in = js(input), *all, *last;
	int64_t before = audit_count(f);
	char action[96], object[64];

	sf_error_clear(&err);
	if (engine_perform(e, who, "samples", id, step, in, &err))
		fail_msg("%s performing %s: %s", who->name, step, err.message);
	json_decref(in);
	assert_int_equal(audit_count(f), before + 1);
	assert_int_equal(audit_list(f->st, NULL, &all, &err), SF_OK);
	last = json_array_get(all, json_array_size(all) - 1);
	snprintf(action, sizeof(action), "step:%s", step);
	snprintf(object, sizeof(object), "samples/%lld", (long long)id);
	assert_string_equal(json_string_value(json_object_get(last, "action")),
			    action);
	assert_string_equal(json_string_value(json_object_get(last, "object")),
			    object);
	assert_string_equal(json_string_value(json_object_get(last, "user")),
			    who->name);
	json_decref(all);
}

static void
perform(struct fx *f, const struct actor *who, int64_t id, const char *step,
	const char *input)
{
	perform_on(f, &f->e, who, id, step, input);
}

/* What a failed call must leave exactly as it was. */
struct snap {
	int64_t rev;
	char *inst; /* state and data */
	char *steps;
	int64_t audit;
	size_t outbox;
};

static void
snap_take(struct fx *f, int64_t id, struct snap *s)
{
	struct sf_error err;
	struct instance in;
	struct step_list l;
	json_t *a = json_array();

	assert_int_equal(f->st->ops->instance_get(f->st, id, &in, &err), SF_OK);
	s->rev = in.rev;
	json_object_set_new(in.data, "__state", json_string(in.state));
	s->inst = json_dumps(in.data, JSON_SORT_KEYS | JSON_COMPACT);
	instance_release(&in);
	assert_int_equal(f->st->ops->steps_of(f->st, id, 0, &l, &err), SF_OK);
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(
		    a, json_pack("[I, s, s, s?, b]", (json_int_t)l.v[i].id,
				 l.v[i].step, l.v[i].state, l.v[i].user_name,
				 l.v[i].overdue));
	step_list_release(&l);
	s->steps = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	s->audit = audit_count(f);
	s->outbox = outbox_count(f);
}

static void
snap_release(struct snap *s)
{
	free(s->inst);
	free(s->steps);
}

/*
 * Perform STEP as WHO: it must fail with WANT, write no audit record and
 * change nothing.  ERR gets the error for further checks (may be NULL).
 */
static void
perform_fails(struct fx *f, const struct actor *who, const char *object,
	      int64_t id, const char *step, const char *input,
	      enum sf_status want, struct sf_error *err_out)
{
	struct sf_error err;
	struct snap a, b;
	json_t *in = js(input);
	enum sf_status got;

	snap_take(f, id, &a);
	sf_error_clear(&err);
	got = engine_perform(&f->e, who, object, id, step, in, &err);
	json_decref(in);
	if (got != want)
		fail_msg("%s performing %s: got %s (%s), want %s", who->name,
			 step, sf_status_code(got), err.message,
			 sf_status_code(want));
	assert_true(err.message[0] != '\0');
	snap_take(f, id, &b);
	assert_int_equal(a.rev, b.rev);
	assert_string_equal(a.inst, b.inst);
	assert_string_equal(a.steps, b.steps);
	assert_int_equal(a.audit, b.audit);
	assert_int_equal(a.outbox, b.outbox);
	snap_release(&a);
	snap_release(&b);
	if (err_out)
		*err_out = err;
}

/* Set the clock to WHEN and run the due jobs; returns how many ran. */
static int
tick_on(struct engine *e, const char *when)
{
	struct sf_error err;
	int ran = -1;

	set_now(when);
	sf_error_clear(&err);
	if (engine_tick(e, clock_now(), &ran, &err))
		fail_msg("engine_tick at %s: %s", when, err.message);
	return ran;
}

static int
tick(struct fx *f, const char *when)
{
	return tick_on(&f->e, when);
}

static json_t *
view(struct fx *f, const struct actor *who, int64_t id)
{
	struct sf_error err;
	json_t *v = NULL;

	sf_error_clear(&err);
	if (engine_view(&f->e, who, "samples", id, &v, &err))
		fail_msg("engine_view: %s", err.message);
	return v;
}

static const char *
sget(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The entry of STEP in ARR (active_steps or history), the last one when
 * there are several. */
static json_t *
entry(json_t *arr, const char *step)
{
	json_t *o, *found = NULL;
	size_t i;

	json_array_foreach(arr, i, o)
	{
		if (strcmp(sget(o, "step"), step) == 0)
			found = o;
	}
	return found;
}

static void
test_parallel_join(void **state)
{
	struct fx *f = *state;
	int64_t id = start(f, "digit_dc");

	assert_string_equal(active(f, id), "submit");
	perform(f, &f->req, id, "submit", "{\"summary\": \"please\"}");
	assert_string_equal(active(f, id), "review_ds,review_snet");

	perform(f, &f->ds1, id, "review_ds", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "review_snet");

	perform(f, &f->snet, id, "review_snet", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "decide");
}

/* The other order of arrival works the same. */
static void
test_join_other_order(void **state)
{
	struct fx *f = *state;
	int64_t id = start(f, "digit_dc");

	perform(f, &f->req, id, "submit", NULL);
	perform(f, &f->snet, id, "review_snet", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "review_ds");
	perform(f, &f->ds2, id, "review_ds", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "decide");
}

static void
test_condition_skips(void **state)
{
	struct fx *f = *state;
	int64_t id = start(f, "dg");
	json_t *v, *h;

	perform(f, &f->req, id, "submit", NULL);
	assert_string_equal(active(f, id), "review_ds");

	v = view(f, &f->op, id);
	h = entry(json_object_get(v, "history"), "review_snet");
	assert_non_null(h);
	assert_string_equal(sget(h, "state"), "skipped");
	assert_string_equal(sget(h, "user"), "system");
	assert_null(entry(json_object_get(v, "active_steps"), "review_snet"));
	json_decref(v);

	/* decide waits for review_ds only, through a loop as well. */
	perform(f, &f->ds1, id, "review_ds",
		"{\"decision\": \"request_changes\"}");
	assert_string_equal(active(f, id), "revise_ds");
	perform(f, &f->req, id, "revise_ds", "{\"changes\": \"more\"}");
	assert_string_equal(active(f, id), "review_ds");
	perform(f, &f->ds1, id, "review_ds", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "decide");

	/* Sent back: skipped again in the next round, and the join fires
	 * again on review_ds alone. */
	perform(f, &f->sig, id, "decide", "{\"decision\": \"send_back\"}");
	assert_string_equal(active(f, id), "submit");
	perform(f, &f->req, id, "submit", NULL);
	assert_string_equal(active(f, id), "review_ds");
	perform(f, &f->ds2, id, "review_ds", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "decide");
	v = view(f, &f->op, id);
	assert_int_equal(json_array_size(json_object_get(v, "history")), 9);
	json_decref(v);
}

static void
test_loops(void **state)
{
	struct fx *f = *state;
	int64_t id = start(f, "digit_dc");
	json_t *v;

	perform(f, &f->req, id, "submit", NULL);
	perform(f, &f->ds1, id, "review_ds",
		"{\"decision\": \"request_changes\", \"feedback\": \"more\"}");
	assert_string_equal(active(f, id), "review_snet,revise_ds");
	perform(f, &f->req, id, "revise_ds", "{\"changes\": \"added\"}");
	assert_string_equal(active(f, id), "review_ds,review_snet");

	/* One branch in: still waiting for the other. */
	perform(f, &f->snet, id, "review_snet", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "review_ds");
	perform(f, &f->ds1, id, "review_ds", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "decide");

	/* Back to the start: the join is armed afresh. */
	perform(f, &f->sig, id, "decide", "{\"decision\": \"send_back\"}");
	assert_string_equal(active(f, id), "submit");
	perform(f, &f->req, id, "submit", "{\"summary\": \"round two\"}");
	assert_string_equal(active(f, id), "review_ds,review_snet");

	perform(f, &f->snet, id, "review_snet",
		"{\"decision\": \"request_changes\"}");
	assert_string_equal(active(f, id), "review_ds,revise_snet");
	perform(f, &f->ds2, id, "review_ds", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "revise_snet");
	perform(f, &f->req, id, "revise_snet", "{\"changes\": \"fixed\"}");
	assert_string_equal(active(f, id), "review_snet");
	perform(f, &f->snet, id, "review_snet", "{\"decision\": \"accept\"}");
	assert_string_equal(active(f, id), "decide");
	perform(f, &f->sig, id, "decide", "{\"decision\": \"approve\"}");
	assert_string_equal(active(f, id), "cool_off");

	v = view(f, &f->op, id);
	assert_string_equal(sget(v, "state"), "running");
	/* Every step of both rounds is in the history, 6 each. */
	assert_int_equal(json_array_size(json_object_get(v, "history")), 12);
	assert_null(json_object_get(json_object_get(v, "data"), "_last"));
	json_decref(v);
}

static void
test_wait_and_end(void **state)
{
	struct fx *f = *state;
	int64_t id = start(f, "dg");
	json_t *v, *l;
	struct sf_error err;
	size_t i;
	static const char *actions[] = {"start",	  "step:submit",
					"step:review_ds", "step:decide",
					"step:cool_off",  "step:archive"};

	assert_int_equal(id, 1);
	perform(f, &f->req, id, "submit", NULL);
	perform(f, &f->ds1, id, "review_ds", "{\"decision\": \"accept\"}");
	perform(f, &f->sig, id, "decide", "{\"decision\": \"approve\"}");
	assert_string_equal(active(f, id), "cool_off");

	/* Nobody performs a wait step, and it is nobody's task. */
	perform_fails(f, &f->op, "samples", id, "cool_off", NULL, SF_FORBIDDEN,
		      NULL);

	/* Approved on Thursday the 21st: waits until the 23rd begins. */
	assert_int_equal(tick(f, "2026-05-21T10:00:00Z"), 0);
	assert_int_equal(tick(f, "2026-05-22T23:59:59Z"), 0);
	assert_string_equal(active(f, id), "cool_off");
	assert_int_equal(tick(f, "2026-05-23T00:00:00Z"), 1);
	assert_string_equal(active(f, id), "archive");
	assert_int_equal(tick(f, "2026-05-23T00:00:01Z"), 0);

	v = view(f, &f->ds1, id);
	assert_string_equal(
	    sget(entry(json_object_get(v, "history"), "cool_off"), "user"),
	    "system");
	json_decref(v);

	perform(f, &f->ds2, id, "archive", NULL);
	assert_string_equal(active(f, id), "");
	v = view(f, &f->op, id);
	assert_string_equal(sget(v, "state"), "done");
	assert_int_equal(json_array_size(json_object_get(v, "active_steps")),
			 0);
	json_decref(v);

	/* Over: nothing can be performed any more. */
	perform_fails(f, &f->ds1, "samples", id, "archive", NULL, SF_CONFLICT,
		      NULL);
	perform_fails(f, &f->ds1, "samples", id, "review_ds",
		      "{\"decision\": \"accept\"}", SF_CONFLICT, NULL);
	perform_fails(f, &f->req, "samples", id, "submit", NULL, SF_CONFLICT,
		      NULL);

	/* One record per call, in order. */
	assert_int_equal(audit_list(f->st, "samples/1", &l, &err), SF_OK);
	assert_int_equal(json_array_size(l), 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(sget(json_array_get(l, i), "action"),
				    actions[i]);
	assert_string_equal(sget(json_array_get(l, 4), "user"), "system");
	assert_string_equal(
	    sget(json_object_get(json_array_get(l, 5), "after"), "state"),
	    "done");
	json_decref(l);
}

/* The message queued last, into M. */
static void
newest_message(struct fx *f, struct outbox_row *m)
{
	struct outbox_list l;
	struct sf_error err;

	assert_int_equal(f->st->ops->outbox_list(f->st, NULL, &l, &err), SF_OK);
	assert_true(l.n > 0);
	*m = l.v[0];
	memset(&l.v[0], 0, sizeof(l.v[0]));
	outbox_list_release(&l);
}

static void
assert_to_ds(const struct outbox_row *m)
{
	assert_int_equal(json_array_size(m->to), 2);
	assert_string_equal(json_string_value(json_array_get(m->to, 0)),
			    "ds1@example.org");
	assert_string_equal(json_string_value(json_array_get(m->to, 1)),
			    "ds2@example.org");
}

static int
view_overdue(struct fx *f, int64_t id)
{
	json_t *v = view(f, &f->ds1, id);
	json_t *s = entry(json_object_get(v, "active_steps"), "review_ds");
	int o;

	assert_non_null(s);
	o = json_is_true(json_object_get(s, "overdue"));
	json_decref(v);
	return o;
}

static void
test_sla_weekend_holiday(void **state)
{
	struct fx *f = *state;
	int64_t id = start(f, "dg");
	struct outbox_row m;
	json_t *v;
	size_t n;

	perform(f, &f->req, id, "submit", NULL);

	/* Thursday + 3 working days, over the weekend and Whit Monday. */
	v = view(f, &f->ds1, id);
	assert_string_equal(
	    sget(entry(json_object_get(v, "active_steps"), "review_ds"), "due"),
	    "2026-05-27");
	json_decref(v);

	/* The DS users were told the step is waiting. */
	newest_message(f, &m);
	assert_to_ds(&m);
	assert_non_null(strstr(m.body, "2026-05-27"));
	outbox_row_release(&m);
	n = outbox_count(f);

	/* Reminder after 2 working days: Tuesday the 26th. */
	assert_int_equal(tick(f, "2026-05-25T23:00:00Z"), 0);
	assert_int_equal(outbox_count(f), n);
	assert_int_equal(tick(f, "2026-05-26T01:00:00Z"), 1);
	assert_int_equal(outbox_count(f), n + 1);
	newest_message(f, &m);
	assert_non_null(strstr(m.subject, "Reminder"));
	assert_non_null(strstr(m.subject, "samples/1"));
	assert_to_ds(&m);
	outbox_row_release(&m);
	assert_int_equal(tick(f, "2026-05-26T01:00:00Z"), 0);
	assert_int_equal(outbox_count(f), n + 1);

	/* Still in time on the last day. */
	assert_int_equal(tick(f, "2026-05-27T22:00:00Z"), 0);
	assert_false(view_overdue(f, id));
	assert_int_equal(outbox_count(f), n + 1);

	/* Overdue once the day after begins; told once. */
	assert_int_equal(tick(f, "2026-05-28T00:30:00Z"), 1);
	assert_true(view_overdue(f, id));
	assert_int_equal(outbox_count(f), n + 2);
	newest_message(f, &m);
	assert_non_null(strstr(m.subject, "OVERDUE"));
	assert_to_ds(&m);
	assert_non_null(strstr(m.body, "2026-05-27"));
	outbox_row_release(&m);
	assert_int_equal(tick(f, "2026-05-28T00:31:00Z"), 0);
	assert_int_equal(tick(f, "2026-06-10T00:00:00Z"), 0);
	assert_int_equal(outbox_count(f), n + 2);
	assert_true(view_overdue(f, id));
}

/* Performing a step drops its timers: no reminder, no overdue notice. */
static void
test_sla_cancelled(void **state)
{
	struct fx *f = *state;
	int64_t id = start(f, "dg");
	size_t n;

	perform(f, &f->req, id, "submit", NULL);
	perform(f, &f->ds1, id, "review_ds", "{\"decision\": \"accept\"}");
	n = outbox_count(f);
	assert_int_equal(tick(f, "2026-05-28T00:30:00Z"), 0);
	assert_int_equal(outbox_count(f), n);
}

static char *
replace_once(const char *text, const char *old, const char *new)
{
	const char *p = strstr(text, old);
	struct buf b;
	char *out;

	assert_non_null(p);
	assert_null(strstr(p + 1, old));
	buf_init(&b, 0);
	buf_add(&b, text, (size_t)(p - text));
	buf_adds(&b, new);
	buf_adds(&b, p + strlen(old));
	out = buf_detach(&b, NULL);
	buf_release(&b); /* detach re-inits B */
	return out;
}

/* Walk instance ID of E from submit to its wait step (hosting dg). */
static void
walk_to_wait(struct fx *f, struct engine *e, int64_t id)
{
	perform_on(f, e, &f->req, id, "submit", NULL);
	perform_on(f, e, &f->ds1, id, "review_ds",
		   "{\"decision\": \"accept\"}");
	perform_on(f, e, &f->sig, id, "decide", "{\"decision\": \"approve\"}");
	assert_string_equal(active(f, id), "cool_off");
}

static void
test_version_pinning(void **state)
{
	struct fx *f = *state;
	struct registry *reg1 = NULL, *reg2 = NULL;
	struct engine e1, e2;
	struct sf_error err;
	char *src = tu_source_path("processes/sample.approval.yaml");
	char *pdir = xasprintf("%s/processes", f->dir);
	char *file = xasprintf("%s/sample.approval.yaml", pdir);
	char *v1 = tu_read_file(src, NULL), *v2, *tmp;
	json_t *v;
	int64_t a, b;

	assert_non_null(v1);
	assert_int_equal(mkdir(pdir, 0700), 0);
	assert_int_equal(tu_write_file(file, v1), 0);
	assert_int_equal(registry_load(pdir, &reg1, &err), SF_OK);
	assert_int_equal(engine_init(&e1, f->st, reg1, &err), SF_OK);
	a = start_on(&e1, &f->req, "DIGIT", "dg");

	/* Version 2: archive hands over to the LISO. */
	tmp = replace_once(v1, "\nversion: 1\n", "\nversion: 2\n");
	v2 = replace_once(tmp, "    roles: [ds]\n    next: [end]\n",
			  "    roles: [ds]\n    next: [notify_liso]\n\n"
			  "  - id: notify_liso\n"
			  "    title: Tell the LISO\n"
			  "    roles: [liso]\n"
			  "    next: [end]\n");
	free(tmp);
	assert_int_equal(tu_write_file(file, v2), 0);
	assert_int_equal(registry_load(pdir, &reg2, &err), SF_OK);
	assert_int_equal(engine_init(&e2, f->st, reg2, &err), SF_OK);
	b = start_on(&e2, &f->req, "DIGIT", "dg");

	/* Both walked by the engine holding only version 2. */
	walk_to_wait(f, &e2, a);
	walk_to_wait(f, &e2, b);
	assert_int_equal(tick_on(&e2, "2026-05-23T00:00:00Z"), 2);
	assert_string_equal(active(f, a), "archive");
	assert_string_equal(active(f, b), "archive");
	perform_on(f, &e2, &f->ds1, a, "archive", NULL);
	perform_on(f, &e2, &f->ds1, b, "archive", NULL);
	assert_string_equal(active(f, a), "");
	assert_string_equal(active(f, b), "notify_liso");

	assert_int_equal(engine_view(&e2, &f->op, "samples", a, &v, &err),
			 SF_OK);
	assert_int_equal(json_integer_value(json_object_get(v, "version")), 1);
	assert_string_equal(sget(v, "state"), "done");
	json_decref(v);
	assert_int_equal(engine_view(&e2, &f->op, "samples", b, &v, &err),
			 SF_OK);
	assert_int_equal(json_integer_value(json_object_get(v, "version")), 2);
	assert_string_equal(sget(v, "state"), "running");
	json_decref(v);

	perform_on(f, &e2, &f->liso, b, "notify_liso", NULL);
	assert_string_equal(active(f, b), "");

	engine_release(&e1);
	engine_release(&e2);
	registry_free(reg1);
	registry_free(reg2);
	free(v1);
	free(v2);
	free(file);
	free(pdir);
	free(src);
}

static void
test_roles_and_errors(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	json_t *v = NULL, *data;
	int64_t id, other = 0, records = audit_count(f);

	/* Starting needs dg_requester in the DG the data names. */
	data = json_pack("{s:s, s:s, s:s}", "title", "x", "dg", "DIGIT",
			 "hosting", "dg");
	assert_int_equal(
	    engine_start(&f->e, &f->ds1, "sample.approval", data, &other, &err),
	    SF_FORBIDDEN);
	assert_int_equal(engine_start(&f->e, &f->req2, "sample.approval", data,
				      &other, &err),
			 SF_FORBIDDEN);
	assert_int_equal(
	    engine_start(&f->e, &f->req, "no.such.process", data, &other, &err),
	    SF_NOT_FOUND);
	json_decref(data);
	data = json_pack("{s:s, s:s, s:s}", "title", "x", "dg", "DIGIT",
			 "hosting", "cloud");
	sf_error_clear(&err);
	assert_int_equal(
	    engine_start(&f->e, &f->req, "sample.approval", data, &other, &err),
	    SF_INVALID);
	assert_string_equal(err.field, "hosting");
	json_decref(data);
	assert_int_equal(other, 0);
	assert_int_equal(audit_count(f), records); /* no start recorded */

	id = start(f, "digit_dc");

	/* Wrong role for an active step. */
	perform_fails(f, &f->ds1, "samples", id, "submit", NULL, SF_FORBIDDEN,
		      &err);
	assert_non_null(strstr(err.message, "ds1"));

	/* Someone of another DG does not even see it. */
	sf_error_clear(&err);
	assert_int_equal(engine_view(&f->e, &f->req2, "samples", id, &v, &err),
			 SF_NOT_FOUND);
	assert_null(v);
	perform_fails(f, &f->req2, "samples", id, "submit", NULL, SF_NOT_FOUND,
		      NULL);
	/* Nor does a user without any role. */
	perform_fails(f, &f->liso, "samples", id, "submit", NULL, SF_NOT_FOUND,
		      NULL);
	/* Absent, or not of that kind of object. */
	perform_fails(f, &f->req, "others", id, "submit", NULL, SF_NOT_FOUND,
		      NULL);
	sf_error_clear(&err);
	assert_int_equal(engine_perform(&f->e, &f->req, "samples", id + 100,
					"submit", NULL, &err),
			 SF_NOT_FOUND);

	/* A step of the process that is not active now. */
	perform_fails(f, &f->ds1, "samples", id, "review_ds",
		      "{\"decision\": \"accept\"}", SF_CONFLICT, &err);
	assert_string_equal(err.field, "step");
	assert_non_null(strstr(err.message, "submit"));
	/* A step the process does not have. */
	perform_fails(f, &f->req, "samples", id, "no_such_step", NULL,
		      SF_NOT_FOUND, &err);
	assert_string_equal(err.field, "step");

	/* Bad input, naming the field. */
	perform_fails(f, &f->req, "samples", id, "submit", "{\"bogus\": 1}",
		      SF_INVALID, &err);
	assert_string_equal(err.field, "bogus");
	perform(f, &f->req, id, "submit", NULL);
	perform_fails(f, &f->ds1, "samples", id, "review_ds",
		      "{\"decision\": \"maybe\"}", SF_INVALID, &err);
	assert_string_equal(err.field, "decision");
	perform_fails(f, &f->ds1, "samples", id, "review_ds", "{}", SF_INVALID,
		      &err);
	assert_string_equal(err.field, "decision");
	perform_fails(f, &f->ds1, "samples", id, "review_ds",
		      "{\"decision\": 3}", SF_INVALID, &err);
	assert_string_equal(err.field, "decision");

	/* The requester may not review; the DS may not do SNET's part. */
	perform_fails(f, &f->req, "samples", id, "review_ds",
		      "{\"decision\": \"accept\"}", SF_FORBIDDEN, NULL);
	perform_fails(f, &f->ds1, "samples", id, "review_snet",
		      "{\"decision\": \"accept\"}", SF_FORBIDDEN, NULL);
	perform(f, &f->ds1, id, "review_ds", "{\"decision\": \"accept\"}");
	perform(f, &f->snet, id, "review_snet", "{\"decision\": \"accept\"}");
	perform_fails(f, &f->ds1, "samples", id, "decide",
		      "{\"decision\": \"approve\"}", SF_FORBIDDEN, NULL);
	perform(f, &f->sig, id, "decide", "{\"decision\": \"approve\"}");
}

static void
test_delegation(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	struct actor later;
	json_t *v, *h, *l, *last;
	int64_t id = start(f, "dg");

	/* The delegate sees it and performs submit for req. */
	v = view(f, &f->deleg, id);
	h = entry(json_object_get(v, "active_steps"), "submit");
	assert_true(json_is_true(json_object_get(h, "can_perform")));
	json_decref(v);
	perform(f, &f->deleg, id, "submit",
		"{\"summary\": \"on req's behalf\"}");

	v = view(f, &f->op, id);
	h = entry(json_object_get(v, "history"), "submit");
	assert_non_null(h);
	assert_string_equal(sget(h, "state"), "done");
	assert_string_equal(sget(h, "user"), "deleg");
	assert_string_equal(sget(h, "role"), "dg_requester");
	assert_string_equal(sget(h, "acting_for"), "req");
	json_decref(v);

	assert_int_equal(audit_list(f->st, "samples/1", &l, &err), SF_OK);
	last = json_array_get(l, json_array_size(l) - 1);
	assert_string_equal(sget(last, "acting_for"), "req");
	assert_string_equal(sget(last, "role"), "dg_requester");
	json_decref(l);

	/* A direct grant leaves acting_for out. */
	perform(f, &f->ds1, id, "review_ds",
		"{\"decision\": \"request_changes\"}");
	perform(f, &f->req, id, "revise_ds", "{\"changes\": \"x\"}");
	v = view(f, &f->op, id);
	h = entry(json_object_get(v, "history"), "revise_ds");
	assert_string_equal(sget(h, "user"), "req");
	assert_null(json_object_get(h, "acting_for"));
	json_decref(v);

	/* After the last day the delegation is gone. */
	set_now("2027-01-01T09:00:00Z");
	load(f, "deleg", &later);
	assert_int_equal(later.delegated.n, 0);
	sf_error_clear(&err);
	v = NULL;
	assert_int_equal(engine_view(&f->e, &later, "samples", id, &v, &err),
			 SF_NOT_FOUND);
	actor_release(&later);
}

/* The tasks of WHO as "step@id due" lines, in order; caller frees. */
static char *
tasks(struct fx *f, const struct actor *who)
{
	struct sf_error err;
	struct buf b;
	json_t *t = NULL, *o;
	char *out;
	size_t i;

	sf_error_clear(&err);
	if (engine_tasks(&f->e, who, &t, &err))
		fail_msg("engine_tasks: %s", err.message);
	buf_init(&b, 0);
	json_array_foreach(t, i, o)
	{
		json_t *due = json_object_get(o, "due");

		assert_string_equal(sget(o, "object"), "samples");
		assert_string_equal(sget(o, "process"), "sample.approval");
		buf_addf(
		    &b, "%s@%lld %s%s\n", sget(o, "step"),
		    (long long)json_integer_value(json_object_get(o, "id")),
		    json_is_string(due) ? json_string_value(due) : "-",
		    json_is_true(json_object_get(o, "overdue")) ? " overdue"
								: "");
	}
	json_decref(t);
	out = buf_detach(&b, NULL);
	buf_release(&b); /* detach re-inits B */
	return out;
}

static void
assert_tasks(struct fx *f, const struct actor *who, const char *want)
{
	char *got = tasks(f, who);

	assert_string_equal(got, want);
	free(got);
}

static void
test_tasks(void **state)
{
	struct fx *f = *state;
	int64_t a = start(f, "digit_dc");
	int64_t b = start_on(&f->e, &f->req2, "TAXUD", "dg");

	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_tasks(f, &f->req, "submit@1 -\n");
	assert_tasks(f, &f->deleg, "submit@1 -\n");
	assert_tasks(f, &f->req2, "submit@2 -\n");
	assert_tasks(f, &f->ds1, "");
	assert_tasks(f, &f->sig, "");

	perform(f, &f->req, a, "submit", NULL);
	perform(f, &f->req2, b, "submit", NULL);
	assert_tasks(f, &f->req, "");
	assert_tasks(f, &f->req2, "");
	assert_tasks(f, &f->ds1,
		     "review_ds@1 2026-05-27\n"
		     "review_ds@2 2026-05-27\n");
	assert_tasks(f, &f->ds2,
		     "review_ds@1 2026-05-27\n"
		     "review_ds@2 2026-05-27\n");
	assert_tasks(f, &f->snet, "review_snet@1 2026-05-27\n");
	assert_tasks(f, &f->liso, "");

	perform(f, &f->ds1, a, "review_ds", "{\"decision\": \"accept\"}");
	perform(f, &f->ds1, b, "review_ds",
		"{\"decision\": \"request_changes\"}");
	assert_tasks(f, &f->ds1, "");
	assert_tasks(f, &f->req2, "revise_ds@2 -\n");
	assert_tasks(f, &f->req, "");
	assert_tasks(f, &f->sig, "");
	perform(f, &f->snet, a, "review_snet", "{\"decision\": \"accept\"}");
	assert_tasks(f, &f->sig, "decide@1 -\n");

	/* A review started on Monday the 1st of June is due on Thursday,
	 * and overdue once that day is past. */
	set_now("2026-06-01T08:00:00Z");
	perform(f, &f->req2, b, "revise_ds", "{\"changes\": \"x\"}");
	assert_tasks(f, &f->ds1, "review_ds@2 2026-06-04\n");
	set_now("2026-06-05T08:00:00Z");
	assert_tasks(f, &f->ds1, "review_ds@2 2026-06-04 overdue\n");

	/* Wait steps are nobody's task. */
	perform(f, &f->sig, a, "decide", "{\"decision\": \"approve\"}");
	assert_tasks(f, &f->sig, "");
	assert_tasks(f, &f->ds1, "review_ds@2 2026-06-04 overdue\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_parallel_join, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_join_other_order, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_condition_skips, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_loops, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_wait_and_end, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_sla_weekend_holiday, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_sla_cancelled, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_version_pinning, fx_setup_bare,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_roles_and_errors, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_delegation, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_tasks, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
