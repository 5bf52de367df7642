/*
 * conventions.c - the hooks of convention.create and the step logic the
 * amendments share: numbering, reviews, signatures, implementation
 * tickets, the phase shown in lists, the expiry rule, and the view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/roles.h"
#include "core/alloc.h"
#include "engine/audit.h"
#include "modules/conventions/conv_internal.h"
#include "modules/conventions/conventions.h"

void
conv_day(sf_time now, char out[16])
{
	date_format(date_of(now), out);
}

int
conv_expired(json_t *data, sf_time now)
{
	const char *exp = json_string_value(json_object_get(data, "expires"));
	char today[16];

	conv_day(now, today);
	return exp && strcmp(today, exp) > 0;
}

/* Steps after which the company can reach more of the network, or holds
 * a working token: none may happen once the convention has expired. */
static const char *const granting[] = {
	"submit_implementation", "snet_implement", "uaa_implement",
	"notify_implemented",	 "order_token",	   "activate_token",
	"ship_token",		 "release_pin",	   "first_connection",
	"prolong_token",	 NULL,
};

enum sf_status
conv_refuse_expired(struct hook_ctx *c, json_t *data, struct sf_error *err)
{
	if (!conv_grants_access(c->step->id) || !conv_expired(data, c->now))
		return SF_OK;
	return sf_fail(err, SF_CONFLICT, "step",
		       "convention %s expired on %s: %s would grant access and "
		       "is refused",
		       json_string_value(json_object_get(data, "number")),
		       json_string_value(json_object_get(data, "expires")),
		       c->step->id);
}

int
conv_grants_access(const char *step)
{
	for (size_t i = 0; granting[i]; i++)
		if (strcmp(granting[i], step) == 0)
			return 1;
	return 0;
}

static const struct {
	const char *step, *phase;
} phases[] = {
	{"request_number", "preparation"},
	{"assign_number", "preparation"},
	{"send_part1", "preparation"},
	{"fill_part2", "preparation"},
	{"submit_part2", "preparation"},
	{"submit_part1", "preparation"},
	{"modify_part2", "preparation"},
	{"request_latest_part2", "preparation"},
	{"inform_dg", "preparation"},
	{"ishs_validate", "validation"},
	{"snet_validate", "validation"},
	{"ds_review_part1", "validation"},
	{"revise_part1", "validation"},
	{"revise_part2", "validation"},
	{"sign_part1_ds", "signature"},
	{"sign_part2_ds", "signature"},
	{"sign_part2_digit", "signature"},
	{"sign_part2_dg", "signature"},
	{"sign_company", "signature"},
	{"distribute", "signature"},
	{"submit_implementation", "implementation"},
	{"snet_implement", "implementation"},
	{"uaa_implement", "implementation"},
	{"notify_implemented", "implementation"},
	{"order_token", "tokens"},
	{"activate_token", "tokens"},
	{"ship_token", "tokens"},
	{"acknowledge_token", "tokens"},
	{"release_pin", "tokens"},
	{"first_connection", "tokens"},
	{"prolong_token", "tokens"},
	{"await_removal", "removal"},
	{"remove_obsolete", "removal"},
};

const char *
conv_phase_of(const char *step)
{
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		if (strcmp(phases[i].step, step) == 0)
			return phases[i].phase;
	return "other";
}

static int
phase_rank(const char *phase)
{
	static const char *const order[] = {"preparation", "validation",
					    "signature",   "implementation",
					    "tokens",	   "removal"};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(order[i], phase) == 0)
			return (int)i;
	return 99;
}

void
conv_record(json_t *data, const char *key, struct hook_ctx *c, json_t *extra)
{
	json_t *a = json_object_get(data, key);
	char t[32];
	json_t *o;

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(data, key, a);
	}
	clock_format(c->now, t);
	o = json_pack("{s:s, s:s, s:s, s:s}", "step", c->step->id, "by",
		      c->who->name, "role", c->role ? c->role : "", "date", t);
	if (extra)
		json_object_update(o, extra);
	json_decref(extra);
	json_array_append_new(a, o);
}

/* Who signs for which party: the step names it. */
static void
record_signature(struct hook_ctx *c, json_t *data)
{
	const char *id = c->step->id;
	const char *party = strstr(id, "_ds")	     ? "ds"
			    : strstr(id, "_digit")   ? "digit"
			    : strstr(id, "_dg")	     ? "dg"
			    : strcmp(id, "sign_company") == 0 ? "company"
							      : "?";
	const char *part = strncmp(id, "sign_part1", 10) == 0 ? "part1"
			   : strncmp(id, "sign_part2", 10) == 0 ? "part2"
			   : json_object_get(data, "convention")
				   ? "part2"
				   : "part1+part2";
	json_t *signer = json_object_get(c->input, "signer");
	json_t *x = json_pack("{s:s, s:s, s:s}", "party", party, "part", part,
			      "signer",
			      json_is_string(signer) ? json_string_value(signer)
						     : c->who->name);
	json_t *ares = json_object_get(c->input, "ares_ref");

	if (ares)
		json_object_set(x, "ares_ref", ares);
	conv_record(data, "signatures", c, x);
}

/* Which team a ticket goes to next (seed 000 steps 12-14). */
static const char *
assignee_after(const char *step)
{
	if (strcmp(step, "submit_implementation") == 0)
		return "snet";
	if (strcmp(step, "snet_implement") == 0)
		return "uaa";
	if (strcmp(step, "uaa_implement") == 0)
		return "ds";
	if (strcmp(step, "submit_part2") == 0)
		return "ds";
	if (strcmp(step, "request_latest_part2") == 0)
		return "ds";
	return NULL;
}

/*
 * What the creation and both amendments do alike on their own data:
 * reviews, signatures, tickets, the submission channel, Part 1.
 * *HANDLED says whether the step was one of these.
 */
enum sf_status
conv_common_step(struct hook_ctx *c, json_t *data, int *handled,
	    struct sf_error *err)
{
	const char *id = c->step->id;
	json_t *smt = json_object_get(c->input, "smt_ref");
	enum sf_status rc;

	*handled = 1;
	rc = conv_refuse_expired(c, data, err);
	if (rc)
		return rc;
	if (strcmp(id, "ishs_validate") == 0 ||
	    strcmp(id, "snet_validate") == 0 ||
	    strcmp(id, "ds_review_part1") == 0) {
		json_t *x = json_pack("{s:O}", "decision",
				      json_object_get(c->input, "decision"));
		json_t *fb = json_object_get(c->input, "feedback");
		if (fb)
			json_object_set(x, "feedback", fb);
		conv_record(data, "reviews", c, x);
		return SF_OK;
	}
	if (strncmp(id, "sign_", 5) == 0) {
		record_signature(c, data);
		return SF_OK;
	}
	if (strcmp(id, "submit_part1") == 0 ||
	    strcmp(id, "revise_part1") == 0)
		return conv_part1_store(c, err);
	if (strcmp(id, "distribute") == 0) {
		json_t *ares = json_object_get(c->input, "ares_ref");
		conv_record(data, "distributions", c,
			    ares ? json_pack("{s:O}", "ares_ref", ares) : NULL);
		return SF_OK;
	}
	*handled = 0;
	if (json_is_string(smt)) {
		const char *next = assignee_after(id);
		json_t *x = json_pack("{s:O}", "smt_ref", smt);
		if (next)
			json_object_set_new(x, "assigned_to",
					    json_string(next));
		conv_record(data, "tickets", c, x);
	}
	if (strcmp(id, "submit_part2") == 0) {
		json_t *p2 = json_object_get(data, "part2");
		if (json_is_object(p2))
			json_object_set(p2, "channel",
					json_object_get(c->input, "channel"));
	}
	return SF_OK;
}

/* The number <DG>.<serial>.T1, the serial counted per DG. */
static enum sf_status
assign_number(struct hook_ctx *c, struct sf_error *err)
{
	const char *dg = json_string_value(json_object_get(c->inst->data, "dg"));
	char *key;
	int64_t serial;
	enum sf_status rc;

	if (json_object_get(c->inst->data, "number"))
		return SF_OK;
	key = xasprintf("convention.%s", dg);
	rc = c->e->st->ops->counter_next(c->e->st, key, &serial, err);
	free(key);
	if (rc)
		return rc;
	json_object_set_new(c->inst->data, "number",
			    json_sprintf("%s.%lld.T1", dg, (long long)serial));
	return SF_OK;
}

static enum sf_status
create_before(struct hook_ctx *c, struct sf_error *err)
{
	json_t *data = c->inst->data;
	const char *id = c->step->id;
	int handled;
	enum sf_status rc;

	rc = conv_common_step(c, data, &handled, err);
	if (rc || handled)
		return rc;
	if (strcmp(id, "assign_number") == 0)
		return assign_number(c, err);
	if (strcmp(id, "fill_part2") == 0 || strcmp(id, "revise_part2") == 0)
		return conv_part2_take(c, data, err);
	if (strcmp(id, "notify_implemented") == 0) {
		json_t *acc = json_object_get(data, "accesses");
		json_t *a;
		size_t i;
		char day[16];

		conv_day(c->now, day);
		json_object_set_new(data, "implemented", json_string(day));
		json_array_foreach(acc, i, a)
			json_object_set_new(a, "state",
					    json_string("implemented"));
		return SF_OK;
	}
	if (strcmp(id, "first_connection") == 0) {
		char day[16];
		conv_day(c->now, day);
		json_object_set_new(data, "first_connection", json_string(day));
		return SF_OK;
	}
	return conv_token_step(c, data, err);
}

/* The phase in lists: the earliest phase among the active steps. */
static enum sf_status
set_phase(struct engine *e, struct instance *inst, json_t *data,
	  struct sf_error *err)
{
	struct step_list act;
	const char *best = NULL;
	enum sf_status rc;

	rc = e->st->ops->steps_of(e->st, inst->id, 1, &act, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < act.n; i++) {
		const char *p = conv_phase_of(act.v[i].step);
		if (!best || phase_rank(p) < phase_rank(best))
			best = p;
	}
	json_object_set_new(data, "phase",
			    json_string(best ? best
					: json_object_get(data, "first_connection")
						? "active"
						: "closed"));
	step_list_release(&act);
	return SF_OK;
}

static enum sf_status
create_after(struct hook_ctx *c, struct sf_error *err)
{
	return set_phase(c->e, c->inst, c->inst->data, err);
}

static enum sf_status
create_start(struct hook_ctx *c, struct sf_error *err)
{
	json_t *data = c->inst->data;
	const char *company =
		json_string_value(json_object_get(data, "company"));
	const char *expires =
		json_string_value(json_object_get(data, "expires"));
	json_t *entry = NULL;
	char today[16];
	enum sf_status rc;

	rc = c->e->st->ops->catalog_get(c->e->st, "company", company, &entry,
					err);
	json_decref(entry);
	if (rc == SF_NOT_FOUND)
		return sf_fail(err, SF_INVALID, "company",
			       "no company \"%s\" is registered (DS registers "
			       "companies: POST /api/v1/companies)",
			       company);
	if (rc)
		return rc;
	conv_day(c->now, today);
	if (strcmp(expires, today) <= 0)
		return sf_fail(err, SF_INVALID, "expires",
			       "the expiry date %s is not after today (%s)",
			       expires, today);
	json_object_del(data, "more_tokens"); /* secflow's own */
	json_object_set_new(data, "phase", json_string("preparation"));
	json_object_set_new(data, "accesses", json_array());
	json_object_set_new(data, "tokens", json_array());
	rc = conv_schedule_warnings(c, c->inst->id, NULL, expires, err);
	if (!rc) {
		/* The day after the expiry: the accesses go. */
		sf_date d;
		char *payload;
		date_parse(expires, &d);
		payload = xasprintf("{\"expires\":\"%s\"}", expires);
		rc = c->e->st->ops->job_add(c->e->st, "convention_expired",
					    c->inst->id, 0, date_start(d + 1),
					    payload, err);
		free(payload);
	}
	return rc;
}

int
conv_may_read_part1(const struct actor *who, json_t *data)
{
	const char *company =
		json_string_value(json_object_get(data, "company"));

	return who->operator || actor_has_role(who, "ds") ||
	       (company && actor_holds(who, "company", company, NULL));
}

/* Add the running children's (amendments') active steps to OUT's. */
static void
view_children(struct engine *e, const struct actor *who,
	      struct instance *inst, json_t *out)
{
	json_t *kids = json_object_get(inst->data, "_children");
	json_t *active = json_object_get(out, "active_steps");
	json_t *list = json_array();
	size_t i;
	json_t *k;

	json_array_foreach(kids, i, k)
	{
		struct instance ki;
		struct sf_error err;
		json_t *v = NULL, *s;
		size_t j;

		if (e->st->ops->instance_get(e->st, json_integer_value(k), &ki,
					     &err))
			continue;
		if (engine_view(e, who, ki.object, ki.id, &v, &err) == SF_OK) {
			json_array_append_new(
				list,
				json_pack("{s:I, s:s, s:s, s:s}", "id",
					  (json_int_t)ki.id, "object",
					  ki.object, "process", ki.process,
					  "state", ki.state));
			json_array_foreach(json_object_get(v, "active_steps"),
					   j, s)
			{
				json_object_set_new(s, "amendment",
						    json_integer(ki.id));
				json_array_append(active, s);
			}
			json_decref(v);
		}
		instance_release(&ki);
	}
	json_object_set_new(out, "amendments", list);
}

void
conv_view_parts(json_t *data, json_t *out)
{
	static const char *const top[] = {
		"number",	"dg",	      "company",    "hosting",
		"contract",	"expires",    "accesses",   "tokens",
		"part2",	"signatures", "reviews",    "tickets",
		"implemented",	"part2_versions", "distributions",
		"token_order",	"first_connection", "convention",
		"removed_accesses", NULL};

	for (size_t k = 0; top[k]; k++) {
		json_t *v = json_object_get(data, top[k]);
		if (v)
			json_object_set(out, top[k], v);
	}
}

static enum sf_status
create_view(struct engine *e, const struct actor *who, struct instance *inst,
	    json_t *out, struct sf_error *err)
{
	json_t *data = inst->data;
	json_t *active;
	size_t i;
	json_t *s;

	(void)err;
	conv_view_parts(data, out);
	if (!json_object_get(out, "number"))
		json_object_set_new(out, "number", json_null());
	json_object_set_new(out, "instance_state",
			    json_string(inst->state));
	{
		/* Expired by the clock, or marked by the expiry job. */
		const char *ph =
			json_string_value(json_object_get(data, "phase"));
		int expired = conv_expired(data, clock_now()) ||
			      (ph && strcmp(ph, "expired") == 0);
		json_object_set_new(out, "state",
				    json_string(expired ? "expired"
						: ph	    ? ph
							    : "preparation"));
		json_object_set_new(out, "expired", json_boolean(expired));
		if (expired)
			json_object_set(out, "to_remove",
					json_object_get(data, "accesses"));
	}
	if (who && conv_may_read_part1(who, data)) {
		json_t *p1 = json_object_get(data, "_part1");
		json_object_set_new(out, "part1",
				    p1 ? json_incref(p1) : json_array());
	}
	active = json_object_get(out, "active_steps");
	json_array_foreach(active, i, s)
		json_object_set_new(s, "phase",
				    json_string(conv_phase_of(json_string_value(
					    json_object_get(s, "step")))));
	view_children(e, who, inst, out);
	return SF_OK;
}

const struct module_hooks conventions_create_hooks = {
	.process = "convention.create",
	.on_start = create_start,
	.before_step = create_before,
	.after_step = create_after,
	.on_job = conv_on_job,
	.view = create_view,
};
