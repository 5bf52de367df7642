/*
 * engine.c - performing steps and routing between them.
 *
 * Model: every active step is a row in `steps`.  Performing one closes its
 * row and follows the first outcome whose conditions hold; each step named
 * by that outcome is activated (several = parallel branches).  A join step
 * activates only once every step it lists has routed to it (arrivals are
 * rows in `join_arrivals`, cleared when the join fires, so loops work).  A
 * step whose `when` does not hold is recorded as skipped and follows its
 * default outcome.  `end` closes every active step and ends the instance.
 *
 * Instance data holds the fields given at start; a step field with the same
 * name updates it; every step field's latest value is also kept under
 * data._last so later conditions can test it.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/access.h"
#include "engine/audit.h"
#include "auth/roles.h"
#include "engine/fields.h"
#include "engine/notify.h"
#include "engine/summary.h"

#define MAX_ROUTE_DEPTH 64

struct run {
	struct engine *e;
	const struct procdef *def;
	struct instance *inst;
	const struct actor *who;
	sf_time now;
	int depth;
	int ended;
	json_t *activated; /* step ids activated by this call */
	json_t *active;	   /* names of the instance's active steps, kept
			      up to date in memory (saves re-reading) */
	char object[96];
	/* The instance's visibility keys as stored (when KEYS_KNOWN): finish
	 * writes them again only when the data changed them. */
	struct access_keys keys;
	int keys_known;
};

/* Start R for a call on INST (of DEF) by WHO at NOW; ACTIVE: the names
 * of its active steps (owned by R from now on). */
static void
run_init(struct run *r, struct engine *e, const struct procdef *def,
	 struct instance *inst, const struct actor *who, sf_time now,
	 json_t *active)
{
	r->e = e;
	r->def = def;
	r->inst = inst;
	r->who = who;
	r->now = now;
	r->activated = json_array();
	r->active = active;
	snprintf(r->object, sizeof(r->object), "%s/%lld", inst->object,
		 (long long)inst->id);
}

/* Release what R holds (a zeroed R holds nothing). */
static void
run_release(struct run *r)
{
	access_keys_release(&r->keys);
	json_decref(r->activated);
	json_decref(r->active);
}

/* Remember the keys the instance has now (its data as loaded). */
static void
keys_known(struct run *r)
{
	access_instance_keys(r->def, r->inst->data, &r->keys);
	r->keys_known = 1;
}

/* Look FIELD up in INPUT, then the instance data, then data._last. */
static json_t *
lookup(json_t *input, json_t *data, const char *field)
{
	json_t *v;

	if (input && (v = json_object_get(input, field)))
		return v;
	if ((v = json_object_get(data, field)))
		return v;
	return json_object_get(json_object_get(data, "_last"), field);
}

static int
cond_holds(const struct cond *c, size_t n, json_t *input, json_t *data)
{
	for (size_t i = 0; i < n; i++) {
		char b[64];
		const char *s = access_scalar(lookup(input, data, c[i].field), b,
					   sizeof(b));
		int in = 0;

		for (size_t k = 0; s && k < c[i].nvalues; k++)
			if (strcmp(s, c[i].values[k]) == 0)
				in = 1;
		switch (c[i].op) {
		case COND_EQ:
		case COND_IN:
			if (!in)
				return 0;
			break;
		case COND_NE:
			if (in)
				return 0;
			break;
		case COND_SET:
			if (!s || !*s)
				return 0;
			break;
		case COND_UNSET:
			if (s && *s)
				return 0;
			break;
		}
	}
	return 1;
}

/* Does WHO hold ROLE in one of the scopes LIST ("A" or "A|B"; "" is
 * none)? */
static int
holds_any_scope(const struct actor *who, const char *role, const char *list,
		const char **acting_for)
{
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, '|');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char one[128];

		if (n && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (actor_holds(who, role, one, acting_for))
				return 1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/*
 * May WHO perform a step with ROLES (",a,b,") and SCOPES?  *ROLE and
 * *ACTING_FOR tell which grant allowed it.
 */
static int
may_perform(const struct actor *who, const char *roles, const char *scopes,
	    const char **role, const char **acting_for)
{
	const char *p = roles;
	char name[64];

	if (who->operator) {
		if (role)
			*role = "operator";
		if (acting_for)
			*acting_for = NULL;
		return 1;
	}
	while (access_role_next(&p, name, sizeof(name))) {
		char *scope = scope_for(scopes, name);
		const char *af = NULL;
		/* A scoped role whose scope field is empty matches nobody:
		 * never "any scope" by accident. */
		int ok = scope ? holds_any_scope(who, name, scope, &af)
			       : actor_holds(who, name, NULL, &af);

		free(scope);
		if (ok) {
			if (role) {
				const struct role_info *ri = role_find(name);
				*role = ri ? ri->name : "";
			}
			if (acting_for)
				*acting_for = af;
			return 1;
		}
	}
	return 0;
}

void
engine_hide_private(json_t *data)
{
	const char *k;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(data, tmp, k, v)
	{
		if (k[0] == '_')
			json_object_del(data, k);
	}
}

int
engine_can_see(const struct procdef *def, const struct actor *who,
	       json_t *data)
{
	if (!who || actor_is_admin(who)) /* NULL: no check (the CLI's own) */
		return 1;
	for (size_t i = 0; i < def->nreaders; i++) {
		/* A reader role the process scopes reads only the objects
		 * of its own scope (a company only its own), as a step role
		 * does; an empty scope field matches nobody. */
		const char *f = procdef_scope_field(def, def->readers[i]);
		json_t *fv = f ? json_object_get(data, f) : NULL;
		char tmp[64];
		const char *v;

		if (json_is_array(fv)) { /* a list of scopes: any of them */
			json_t *x;
			size_t k;
			json_array_foreach(fv, k, x)
			{
				v = access_scalar(x, tmp, sizeof(tmp));
				if (v && *v &&
				    actor_holds(who, def->readers[i], v, NULL))
					return 1;
			}
			continue;
		}
		v = f ? access_scalar(fv, tmp, sizeof(tmp)) : NULL;
		if (f ? v && *v && actor_holds(who, def->readers[i], v, NULL)
		      : actor_has_role(who, def->readers[i]))
			return 1;
	}
	for (size_t i = 0; i < def->nsteps; i++) {
		const struct step_def *sd = &def->steps[i];
		char *roles = access_roles_csv(sd);
		char *scopes = access_scopes_of(def, sd, data);
		int ok = may_perform(who, roles, scopes, NULL, NULL);
		free(roles);
		free(scopes);
		if (ok)
			return 1;
	}
	return 0;
}

static sf_date
add_duration(const struct calendar *cal, sf_date from,
	     const struct duration *d)
{
	switch (d->unit) {
	case DUR_WORKING_DAYS:
		return calendar_add_working_days(cal, from, d->amount);
	case DUR_DAYS:
		return from + d->amount;
	case DUR_WEEKS:
		return from + 7 * d->amount;
	case DUR_MONTHS:
		return date_add_months(from, d->amount);
	}
	return from;
}

/* Queue one message to every holder of ROLES (see notify.h). */
static enum sf_status
notify(struct run *r, char *const *roles, size_t nroles, const char *scopes,
       const char *subject, const char *body, struct sf_error *err)
{
	return engine_notify(r->e, roles, nroles, scopes, subject, body,
			     r->object, r->now, err);
}

static enum sf_status route(struct run *r, const struct step_def *from,
			    json_t *input, int skipped, struct sf_error *err);

const struct module_hooks *
engine_hooks_for(const struct engine *e, const char *process)
{
	for (size_t i = 0; e->hooks && e->hooks[i]; i++) {
		const char *p = e->hooks[i]->process;
		size_t n = strlen(p);
		if (strcmp(p, process) == 0 ||
		    (n && p[n - 1] == '.' && strncmp(p, process, n) == 0))
			return e->hooks[i];
	}
	return NULL;
}

static enum sf_status
end_instance(struct run *r, struct sf_error *err)
{
	struct step_list act;
	enum sf_status rc;

	rc = r->e->st->ops->steps_of(r->e->st, r->inst->id, 1, &act, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < act.n && !rc; i++) {
		rc = r->e->st->ops->step_close(r->e->st, act.v[i].id,
					       "cancelled", r->now, NULL, NULL,
					       NULL, NULL, err);
		if (!rc)
			rc = r->e->st->ops->jobs_cancel_step(
				r->e->st, act.v[i].id, r->now, err);
	}
	step_list_release(&act);
	json_array_clear(r->active);
	free(r->inst->state);
	r->inst->state = xstrdup("done");
	r->ended = 1;
	return rc;
}

static enum sf_status
schedule(struct run *r, const struct step_def *sd, int64_t step_id,
	 sf_date today, struct sf_error *err)
{
	struct store *st = r->e->st;
	enum sf_status rc = SF_OK;

	if (sd->kind == STEP_WAIT) {
		sf_time at;
		if (sd->wait_until) {
			sf_date d;
			const char *v = json_string_value(
				lookup(NULL, r->inst->data, sd->wait_until));
			if (!v || date_parse(v, &d))
				return sf_fail(err, SF_INVALID, sd->wait_until,
					       "step %s waits until field %s, "
					       "which holds no date",
					       sd->id, sd->wait_until);
			/* until: once that day has passed */
			at = date_start(d + 1);
		} else {
			at = date_start(add_duration(r->e->cal, today,
						     &sd->wait));
		}
		return st->ops->job_add(st, "wait", r->inst->id, step_id, at,
					"", err);
	}
	/* SLAs need no job: engine_tick finds active steps past their due
	 * date through the steps table itself. */
	for (size_t i = 0; !rc && i < sd->nreminders; i++) {
		char payload[24];
		snprintf(payload, sizeof(payload), "%zu", i + 1);
		rc = st->ops->job_add(
			st, "reminder", r->inst->id, step_id,
			date_start(add_duration(r->e->cal, today,
						&sd->reminders[i])),
			payload, err);
	}
	return rc;
}

static enum sf_status
activate(struct run *r, const char *target, const char *from,
	 struct sf_error *err)
{
	struct store *st = r->e->st;
	const struct step_def *sd;
	struct step_row row = {0};
	sf_date today = date_of(r->now), due = 0;
	int64_t step_id;
	enum sf_status rc;
	char dues[16];

	if (r->ended)
		return SF_OK;
	if (strcmp(target, "end") == 0)
		return end_instance(r, err);
	if (++r->depth > MAX_ROUTE_DEPTH)
		return sf_fail(err, SF_INTERNAL, NULL,
			       "process %s loops through skipped steps at %s",
			       r->def->name, target);
	sd = procdef_step(r->def, target);
	if (!sd)
		return sf_fail(err, SF_INTERNAL, NULL,
			       "process %s has no step %s", r->def->name,
			       target);
	if (sd->njoin) {
		int n;
		rc = st->ops->join_arrive(st, r->inst->id, target, from, err);
		if (!rc)
			rc = st->ops->join_count(st, r->inst->id, target, &n,
						 err);
		if (rc)
			return rc;
		if ((size_t)n < sd->njoin)
			return SF_OK;
		rc = st->ops->join_clear(st, r->inst->id, target, err);
		if (rc)
			return rc;
	}
	if (sd->nwhen && !cond_holds(sd->when, sd->nwhen, NULL, r->inst->data)) {
		row.instance_id = r->inst->id;
		row.step = sd->id;
		row.state = "skipped";
		row.activated = r->now;
		row.completed = r->now;
		row.user_name = "system";
		rc = st->ops->step_add(st, &row, &step_id, err);
		if (rc)
			return rc;
		rc = route(r, sd, NULL, 1, err);
		r->depth--;
		return rc;
	}
	/* Already waiting for it (two branches meeting without a join). */
	{
		size_t i;
		json_t *x;
		json_array_foreach(r->active, i, x)
		{
			if (strcmp(json_string_value(x), target) == 0) {
				r->depth--;
				return SF_OK;
			}
		}
	}

	row.instance_id = r->inst->id;
	row.step = sd->id;
	row.state = "active";
	row.activated = r->now;
	if (sd->has_sla) {
		due = add_duration(r->e->cal, today, &sd->sla);
		date_format(due, dues);
		row.due = dues;
	}
	row.roles = access_roles_csv(sd);
	row.scope = access_scopes_of(r->def, sd, r->inst->data);
	rc = st->ops->step_add(st, &row, &step_id, err);
	if (!rc) {
		struct access_keys keys = {0};
		access_step_keys(row.roles, row.scope, &keys);
		rc = st->ops->step_keys_put(st, step_id, &keys, err);
		access_keys_release(&keys);
	}
	if (!rc)
		rc = schedule(r, sd, step_id, today, err);
	if (!rc && sd->nnotify) {
		char *subject = xasprintf("[secflow] %s %s: %s",
					  r->def->title ? r->def->title
							: r->def->name,
					  r->object, sd->title ? sd->title
							       : sd->id);
		char *body = xasprintf(
			"The step \"%s\" of %s %s is now waiting%s%s.\n",
			sd->title ? sd->title : sd->id, r->def->name, r->object,
			row.due ? " and is due on " : "",
			row.due ? row.due : "");
		rc = notify(r, sd->notify, sd->nnotify, row.scope, subject,
			    body, err);
		free(subject);
		free(body);
	}
	free(row.roles);
	free(row.scope);
	if (!rc) {
		json_array_append_new(r->activated, json_string(sd->id));
		json_array_append_new(r->active, json_string(sd->id));
	}
	r->depth--;
	return rc;
}

static enum sf_status
route(struct run *r, const struct step_def *from, json_t *input, int skipped,
      struct sf_error *err)
{
	const struct outcome *o = NULL;
	enum sf_status rc = SF_OK;

	for (size_t i = 0; i < from->noutcomes; i++) {
		const struct outcome *c = &from->outcomes[i];
		if (skipped ? c->nwhen == 0
			    : cond_holds(c->when, c->nwhen, input,
					 r->inst->data)) {
			o = c;
			break;
		}
	}
	if (!o && skipped && from->noutcomes)
		o = &from->outcomes[0];
	if (!o)
		return sf_fail(err, SF_INVALID,
			       from->noutcomes && from->outcomes[0].nwhen
				       ? from->outcomes[0].when[0].field
				       : NULL,
			       "no outcome of step %s matches the input",
			       from->id);
	if (o->end)
		return end_instance(r, err);
	for (size_t i = 0; i < o->nnext && !rc; i++)
		rc = activate(r, o->next[i], from->id, err);
	return rc;
}

enum sf_status
engine_init(struct engine *e, struct store *st, struct registry *reg,
	    struct sf_error *err)
{
	memset(e, 0, sizeof(*e));
	e->st = st;
	e->reg = reg;
	e->node = "local";
	e->mail.node = "local";
	return engine_reload_calendar(e, err);
}

void
engine_release(struct engine *e)
{
	calendar_free(e->cal);
	e->cal = NULL;
}

enum sf_status
engine_reload_calendar(struct engine *e, struct sf_error *err)
{
	json_t *h, *v;
	const char *k;
	enum sf_status rc;
	struct calendar *cal;

	rc = e->st->ops->holidays(e->st, &h, err);
	if (rc)
		return rc;
	cal = calendar_new();
	json_object_foreach(h, k, v)
	{
		sf_date d;
		if (date_parse(k, &d) == 0)
			calendar_add(cal, d, json_string_value(v));
	}
	json_decref(h);
	calendar_free(e->cal);
	e->cal = cal;
	return SF_OK;
}

/* The step names of a list of rows, as a JSON array. */
static json_t *
names_of(const struct step_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i].step));
	return a;
}

static enum sf_status
finish(struct run *r, const char *action, const char *role,
       const char *acting_for, json_t *before, json_t *after,
       struct sf_error *err)
{
	struct store *st = r->e->st;
	enum sf_status rc;

	/* Nothing left to do and nothing waiting: the instance is over. */
	if (!r->ended && strcmp(r->inst->state, "running") == 0 &&
	    json_array_size(r->active) == 0) {
		free(r->inst->state);
		r->inst->state = xstrdup("done");
	}
	{
		char *sum = summary_for(r->e->reg, r->inst->process,
					r->inst->data);
		rc = st->ops->instance_update(st, r->inst->id, r->inst->state,
					      r->inst->data, sum, r->inst->rev,
					      r->now, err);
		free(sum);
	}
	if (rc)
		return rc;
	{
		struct access_keys keys = {0};
		access_instance_keys(r->def, r->inst->data, &keys);
		if (!r->keys_known || !access_keys_equal(&keys, &r->keys))
			rc = st->ops->instance_keys_put(st, r->inst->id,
							r->inst->object, &keys,
							err);
		access_keys_release(&keys);
		if (rc)
			return rc;
	}
	json_object_set_new(after, "state", json_string(r->inst->state));
	json_object_set(after, "active", r->active);
	return audit_append(st, r->who, role, acting_for, r->object, action,
			    before, after, r->now, err);
}

/* May WHO start DEF with DATA: a starter role, or else a role of a start
 * step, in the scope the data names. */
static int
may_start(const struct procdef *def, const struct actor *who, json_t *data,
	  const char **role, const char **acting_for)
{
	if (def->nstarters) {
		struct step_def as = {0};
		char *roles, *scopes;
		int ok;

		as.roles = def->starters;
		as.nroles = def->nstarters;
		roles = access_roles_csv(&as);
		scopes = access_scopes_of(def, &as, data);
		ok = may_perform(who, roles, scopes, role, acting_for);
		free(roles);
		free(scopes);
		return ok;
	}
	for (size_t i = 0; i < def->nstart; i++) {
		const struct step_def *sd = procdef_step(def, def->start[i]);
		char *roles, *scopes;
		int ok;

		if (!sd)
			continue;
		roles = access_roles_csv(sd);
		scopes = access_scopes_of(def, sd, data);
		ok = may_perform(who, roles, scopes, role, acting_for);
		free(roles);
		free(scopes);
		if (ok)
			return 1;
	}
	return 0;
}

enum sf_status
engine_start(struct engine *e, const struct actor *who, const char *process,
	     json_t *data, int64_t *id, struct sf_error *err)
{
	const struct procdef *def = registry_find(e->reg, process);
	struct instance inst = {0};
	struct run r = {0};
	json_t *clean = NULL, *after;
	const char *role = NULL, *acting_for = NULL;
	int64_t vid;
	enum sf_status rc;

	if (!def)
		return sf_fail(err, SF_NOT_FOUND, "process",
			       "no process \"%s\"", process);
	rc = fields_validate(def->fields, def->nfields, data, &clean, err);
	if (rc)
		return rc;
	json_object_del(clean, "comment");
	if (!may_start(def, who, clean, &role, &acting_for)) {
		json_decref(clean);
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "%s may not start %s%s", who->name, def->name,
			       def->nstarters
				       ? " (a starter role is needed)"
				       : " (a role of its first step is needed, "
					 "in the scope the data names)");
	}
	rc = e->st->ops->begin(e->st, err);
	if (rc) {
		json_decref(clean);
		return rc;
	}
	rc = registry_version_id(e->reg, e->st, def, &vid, err);
	if (!rc) {
		char *sum = summary_for(e->reg, def->name, clean);
		rc = e->st->ops->instance_add(e->st, vid, def->name,
					      def->object, clean, sum,
					      clock_now(), id, err);
		free(sum);
	}
	if (rc)
		goto fail;
	rc = e->st->ops->instance_get(e->st, *id, &inst, err);
	if (rc)
		goto fail;
	run_init(&r, e, def, &inst, who, clock_now(), json_array());
	{
		const struct module_hooks *h = engine_hooks_for(e, def->name);
		if (h && h->on_start) {
			struct hook_ctx hc = {e, who, role, &inst, def, NULL,
					      clean, r.now, r.object};
			rc = h->on_start(&hc, err);
		}
	}
	for (size_t i = 0; i < def->nstart && !rc; i++)
		rc = activate(&r, def->start[i], "start", err);
	if (!rc) {
		after = json_pack("{s:s, s:i, s:O}", "process", def->name,
				  "version", def->version, "data", clean);
		rc = finish(&r, "start", role, acting_for, NULL, after, err);
		json_decref(after);
	}
	run_release(&r);
	instance_release(&inst);
	if (rc)
		goto fail;
	json_decref(clean);
	return e->st->ops->commit(e->st, err);
fail:
	json_decref(clean);
	e->st->ops->rollback(e->st);
	return rc;
}

enum sf_status
engine_reopen(struct engine *e, const struct actor *who, struct instance *inst,
	      const char *step, const char *action, json_t *after_extra,
	      sf_time now, struct sf_error *err)
{
	const struct procdef *def;
	struct step_list act;
	struct run r = {0};
	json_t *before, *after;
	enum sf_status rc;

	rc = registry_pinned(e->reg, e->st, inst->procdef_id, &def, err);
	if (rc)
		return rc;
	if (!procdef_step(def, step))
		return sf_fail(err, SF_INTERNAL, "step",
			       "process %s has no step %s", def->name, step);
	rc = e->st->ops->steps_of(e->st, inst->id, 1, &act, err);
	if (rc)
		return rc;
	run_init(&r, e, def, inst, who, now, names_of(&act));
	step_list_release(&act);
	before = json_pack("{s:s, s:O}", "state", inst->state, "active",
			   r.active);
	free(inst->state);
	inst->state = xstrdup("running");
	rc = activate(&r, step, "reopen", err);
	after = after_extra ? json_deep_copy(after_extra) : json_object();
	if (!rc)
		rc = finish(&r, action, NULL, NULL, before, after, err);
	json_decref(before);
	json_decref(after);
	run_release(&r);
	return rc;
}

/* Load instance ID of OBJECT and its pinned definition, checking that WHO
 * may see it (SF_NOT_FOUND otherwise: existence is not leaked). */
static enum sf_status
load_visible(struct engine *e, const struct actor *who, const char *object,
	     int64_t id, struct instance *inst, const struct procdef **def,
	     struct sf_error *err)
{
	enum sf_status rc;

	rc = e->st->ops->instance_get(e->st, id, inst, err);
	if (rc)
		return rc == SF_NOT_FOUND
			       ? sf_fail(err, SF_NOT_FOUND, NULL,
					 "no %s %lld", object, (long long)id)
			       : rc;
	if (object && strcmp(inst->object, object) != 0) {
		instance_release(inst);
		return sf_fail(err, SF_NOT_FOUND, NULL, "no %s %lld", object,
			       (long long)id);
	}
	rc = registry_pinned(e->reg, e->st, inst->procdef_id, def, err);
	if (rc) {
		instance_release(inst);
		return rc;
	}
	if (who && !engine_can_see(*def, who, inst->data)) {
		instance_release(inst);
		return sf_fail(err, SF_NOT_FOUND, NULL, "no %s %lld", object,
			       (long long)id);
	}
	return SF_OK;
}

/*
 * When STEP is not active on INST but is on one of its running children
 * (data._children, newest first), *CHILD and *OBJECT (new string) name
 * that child; else *CHILD stays 0.
 */
static enum sf_status
child_with_step(struct engine *e, const struct instance *inst,
		const char *step, int64_t *child, char **object,
		struct sf_error *err)
{
	json_t *kids = json_object_get(inst->data, "_children");
	struct step_list act;
	enum sf_status rc;

	if (!json_array_size(kids))
		return SF_OK;
	rc = e->st->ops->steps_of(e->st, inst->id, 1, &act, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < act.n; i++)
		if (strcmp(act.v[i].step, step) == 0) {
			step_list_release(&act);
			return SF_OK;
		}
	step_list_release(&act);
	for (size_t i = json_array_size(kids); i-- > 0 && !*child;) {
		int64_t kid = json_integer_value(json_array_get(kids, i));
		struct instance k = {0};

		if (e->st->ops->instance_get(e->st, kid, &k, err))
			continue;
		if (strcmp(k.state, "running") == 0) {
			rc = e->st->ops->steps_of(e->st, kid, 1, &act, err);
			if (rc) {
				instance_release(&k);
				return rc;
			}
			for (size_t j = 0; j < act.n; j++)
				if (strcmp(act.v[j].step, step) == 0) {
					*child = kid;
					*object = xstrdup(k.object);
				}
			step_list_release(&act);
		}
		instance_release(&k);
	}
	return SF_OK;
}

enum sf_status
engine_load(struct engine *e, const struct actor *who, const char *object,
	    int64_t id, struct instance *out, struct sf_error *err)
{
	const struct procdef *def;

	return load_visible(e, who, object, id, out, &def, err);
}

enum sf_status
engine_perform(struct engine *e, const struct actor *who, const char *object,
	       int64_t id, const char *step, json_t *input,
	       struct sf_error *err)
{
	struct instance inst = {0};
	const struct procdef *def;
	const struct step_def *sd;
	struct step_list act = {0};
	struct step_row *row = NULL;
	struct run r = {0};
	json_t *clean = NULL, *before = NULL, *after = NULL, *last, *v;
	const char *role = NULL, *acting_for = NULL, *k;
	const struct module_hooks *hooks;
	struct hook_ctx hc;
	char action[96];
	enum sf_status rc;

	rc = e->st->ops->begin(e->st, err);
	if (rc)
		return rc;
	rc = load_visible(e, who, object, id, &inst, &def, err);
	if (rc)
		goto out_rollback;
	{
		/* A step the instance has not active now may be one of a
		 * running child's (a convention's amendment): perform it
		 * there, on the child's own object. */
		char *child_obj = NULL;
		int64_t child = 0;
		rc = child_with_step(e, &inst, step, &child, &child_obj, err);
		if (rc)
			goto out;
		if (child) {
			e->st->ops->rollback(e->st);
			instance_release(&inst);
			rc = engine_perform(e, who, child_obj, child, step,
					    input, err);
			free(child_obj);
			return rc;
		}
	}
	sd = procdef_step(def, step);
	if (!sd) {
		rc = sf_fail(err, SF_NOT_FOUND, "step",
			     "process %s has no step \"%s\"", def->name, step);
		goto out;
	}
	rc = e->st->ops->steps_of(e->st, id, 1, &act, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < act.n; i++)
		if (strcmp(act.v[i].step, step) == 0)
			row = &act.v[i];
	if (!row || strcmp(inst.state, "running") != 0) {
		struct buf b;
		buf_init(&b, 400);
		for (size_t i = 0; i < act.n; i++)
			buf_addf(&b, "%s%s", i ? ", " : "", act.v[i].step);
		rc = sf_fail(err, SF_CONFLICT, "step",
			     "step %s is not available now (%s %s: %s)", step,
			     object, strcmp(inst.state, "running") ? "is"
								    : "waits for",
			     strcmp(inst.state, "running")
				     ? inst.state
				     : (b.len ? b.data : "nothing"));
		buf_release(&b);
		goto out;
	}
	if (sd->kind == STEP_WAIT ||
	    !may_perform(who, row->roles, row->scope, &role, &acting_for)) {
		char *roles = xstrdup(row->roles);
		size_t n = strlen(roles);
		/* ",ds,snet," reads "ds, snet" in the message */
		for (size_t i = 0; i < n; i++)
			if (roles[i] == ',')
				roles[i] = ' ';
		rc = sf_fail(err, SF_FORBIDDEN, "step",
			     "%s may not perform %s (it needs one of the "
			     "roles:%.*s)",
			     who->name, step, n > 1 ? (int)n - 1 : 0, roles);
		free(roles);
		goto out;
	}
	rc = fields_validate(sd->fields, sd->nfields, input, &clean, err);
	if (rc)
		goto out;

	run_init(&r, e, def, &inst, who, clock_now(), json_array());
	keys_known(&r);
	for (size_t i = 0; i < act.n; i++)
		if (&act.v[i] != row)
			json_array_append_new(r.active,
					      json_string(act.v[i].step));
	before = json_pack("{s:s, s:o}", "state", inst.state, "active",
			   names_of(&act));
	hooks = engine_hooks_for(e, def->name);
	hc = (struct hook_ctx){e, who, role, &inst, def, sd, clean, r.now,
			       r.object};
	if (hooks && hooks->before_step) {
		rc = hooks->before_step(&hc, err);
		if (rc)
			goto out;
	}
	rc = e->st->ops->step_close(e->st, row->id, "done", r.now, who->name,
				    role, acting_for, clean, err);
	if (!rc)
		rc = e->st->ops->jobs_cancel_step(e->st, row->id, r.now, err);
	if (rc)
		goto out;
	/* Step fields update same-named instance fields; all are kept as
	 * the latest value for later conditions. */
	last = json_object_get(inst.data, "_last");
	if (!json_is_object(last)) {
		last = json_object();
		json_object_set_new(inst.data, "_last", last);
	}
	json_object_foreach(clean, k, v)
	{
		if (strcmp(k, "comment") == 0)
			continue;
		json_object_set(last, k, v);
		for (size_t i = 0; i < def->nfields; i++) {
			if (strcmp(def->fields[i].name, k) == 0) {
				json_t *old = json_object_get(inst.data, k);
				json_t *changed = json_object_get(before,
								  "changed");
				if (!changed) {
					changed = json_object();
					json_object_set_new(before, "changed",
							    changed);
				}
				json_object_set(changed, k,
						old ? old : json_null());
				json_object_set(inst.data, k, v);
			}
		}
	}
	rc = route(&r, sd, clean, 0, err);
	if (!rc && hooks && hooks->after_step)
		rc = hooks->after_step(&hc, err);
	if (rc)
		goto out;
	after = json_pack("{s:O}", "input", clean);
	snprintf(action, sizeof(action), "step:%s", step);
	rc = finish(&r, action, role, acting_for, before, after, err);
	if (rc)
		goto out;
	rc = e->st->ops->commit(e->st, err);
	goto out_free;
out:
	e->st->ops->rollback(e->st);
out_free:
	run_release(&r);
	json_decref(before);
	json_decref(after);
	json_decref(clean);
	step_list_release(&act);
	instance_release(&inst);
	return rc;
out_rollback:
	e->st->ops->rollback(e->st);
	return rc;
}

static json_t *
step_json(const struct step_row *s)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)s->id,
			      "step", s->step, "state", s->state);
	char t[32];

	clock_format(s->activated, t);
	json_object_set_new(o, "activated", json_string(t));
	if (s->due)
		json_object_set_new(o, "due", json_string(s->due));
	json_object_set_new(o, "overdue", json_boolean(s->overdue));
	if (s->completed) {
		clock_format(s->completed, t);
		json_object_set_new(o, "completed", json_string(t));
	}
	if (s->user_name)
		json_object_set_new(o, "user", json_string(s->user_name));
	if (s->role && *s->role)
		json_object_set_new(o, "role", json_string(s->role));
	if (s->acting_for && *s->acting_for)
		json_object_set_new(o, "acting_for",
				    json_string(s->acting_for));
	if (s->input)
		json_object_set(o, "input", s->input);
	return o;
}

/* The roles of a step row as a JSON array. */
static json_t *
roles_json(const char *csv)
{
	json_t *a = json_array();
	const char *p = csv;

	while (p && *p) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (end > p)
			json_array_append_new(a,
					      json_stringn(p, (size_t)(end - p)));
		p = *end ? end + 1 : end;
	}
	return a;
}

enum sf_status
engine_view(struct engine *e, const struct actor *who, const char *object,
	    int64_t id, json_t **out, struct sf_error *err)
{
	struct instance inst = {0};
	const struct procdef *def;
	struct step_list all;
	json_t *active, *history, *data;
	enum sf_status rc;
	char t[32];

	rc = load_visible(e, who, object, id, &inst, &def, err);
	if (rc)
		return rc;
	rc = e->st->ops->steps_of(e->st, id, 0, &all, err);
	if (rc) {
		instance_release(&inst);
		return rc;
	}
	active = json_array();
	history = json_array();
	for (size_t i = 0; i < all.n; i++) {
		struct step_row *s = &all.v[i];
		json_t *o = step_json(s);

		if (strcmp(s->state, "active") == 0) {
			const struct step_def *sd = procdef_step(def, s->step);
			int can = sd && sd->kind == STEP_TASK && who &&
				  may_perform(who, s->roles, s->scope, NULL,
					      NULL);
			json_object_set_new(o, "roles", roles_json(s->roles));
			if (sd && sd->title)
				json_object_set_new(o, "title",
						    json_string(sd->title));
			json_object_set_new(o, "can_perform",
					    json_boolean(can));
			if (can)
				json_object_set_new(
					o, "fields",
					fields_describe(sd->fields,
							sd->nfields));
			json_array_append_new(active, o);
		} else {
			json_array_append_new(history, o);
		}
	}
	step_list_release(&all);
	data = json_deep_copy(inst.data);
	engine_hide_private(data);
	*out = json_pack("{s:I, s:s, s:s, s:i, s:s, s:o, s:o, s:o}", "id",
			 (json_int_t)inst.id, "object", inst.object, "process",
			 inst.process, "version", def->version, "state",
			 inst.state, "data", data, "active_steps", active,
			 "history", history);
	clock_format(inst.created, t);
	json_object_set_new(*out, "created", json_string(t));
	clock_format(inst.updated, t);
	json_object_set_new(*out, "updated", json_string(t));
	{
		const struct module_hooks *h = engine_hooks_for(e, inst.process);
		if (h && h->view) {
			rc = h->view(e, who, &inst, *out, err);
			if (rc) {
				json_decref(*out);
				*out = NULL;
			}
		}
	}
	instance_release(&inst);
	return rc;
}

enum sf_status
engine_list(struct engine *e, const struct actor *who, const char *object,
	    int64_t before, size_t limit, json_t **out, int64_t *next,
	    struct sf_error *err)
{
	struct access_keys pairs = {0};
	const struct access_keys *as = NULL;
	json_t *batch = NULL, *o;
	size_t i, want = limit ? limit + 1 : 0;
	enum sf_status rc = SF_OK;

	*out = json_array();
	if (next)
		*next = 0;
	/* Who sees what is the instance_keys index's business (access.h);
	 * an admin holds the key every instance has; the CLI's own reads
	 * (WHO NULL) see everything. */
	if (who) {
		access_actor_pairs(who, &pairs);
		as = &pairs;
	}
	/* One more than the page tells whether there is a next page.  An
	 * instance of a process no longer loaded is not listed, so a page
	 * may take a second read. */
	for (;;) {
		size_t got;

		rc = e->st->ops->instance_list_for(e->st, object, as, before,
						   want, &batch, err);
		if (rc)
			goto out;
		got = json_array_size(batch);
		json_array_foreach(batch, i, o)
		{
			json_t *pid = json_object_get(o, "process");

			before = json_integer_value(json_object_get(o, "id"));
			if (!registry_find(e->reg, json_string_value(pid)))
				continue;
			if (limit && json_array_size(*out) == limit) {
				if (next)
					*next = json_integer_value(json_object_get(
						json_array_get(
							*out, limit - 1),
						"id"));
				goto out;
			}
			engine_hide_private(json_object_get(o, "data"));
			json_array_append(*out, o);
		}
		json_decref(batch);
		batch = NULL;
		if (!want || got < want)
			break;
	}
out:
	json_decref(batch);
	access_keys_release(&pairs);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

char *
engine_summary(const struct engine *e, const char *process, json_t *data)
{
	return summary_for(e->reg, process, data);
}

/* Append V in decimal to OUT (buf_addf's printf machinery was a fifth
 * of a list page's time). */
static void
add_int(struct buf *out, int64_t v)
{
	char t[24], *p = t + sizeof(t);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_add(out, p, (size_t)(t + sizeof(t) - p));
}

/* Append ROW to OUT as a list item: {"id","process","state","data",
 * "created","updated"}, the data being the summary (made now from the
 * whole data when the row has none). */
static void
list_item(struct buf *out, const struct procdef *def,
	  const struct summary_row *row)
{
	char *made = NULL;

	buf_adds(out, "{\"id\":");
	add_int(out, row->id);
	buf_adds(out, ",\"process\":");
	summary_json_string(out, row->process);
	buf_adds(out, ",\"state\":");
	summary_json_string(out, row->state);
	buf_adds(out, ",\"data\":");
	if (!row->summary)
		made = summary_text(def, row->data);
	buf_adds(out, row->summary ? row->summary : made);
	buf_adds(out, ",\"created\":");
	add_int(out, row->created);
	buf_adds(out, ",\"updated\":");
	add_int(out, row->updated);
	buf_adds(out, "}");
	free(made);
}

enum sf_status
engine_list_summaries(struct engine *e, const struct actor *who,
		      const char *object, int64_t before, size_t limit,
		      struct buf *out, int64_t *next, struct sf_error *err)
{
	struct access_keys pairs = {0};
	const struct access_keys *as = NULL;
	struct summary_list batch = {0};
	size_t want = limit ? limit + 1 : 0, kept = 0;
	int64_t last = 0;
	enum sf_status rc = SF_OK;

	if (next)
		*next = 0;
	/* As engine_list: access is the instance_keys index's business,
	 * one more than the page tells whether there is a next one, and an
	 * instance of a process no longer loaded is not listed. */
	if (who) {
		access_actor_pairs(who, &pairs);
		as = &pairs;
	}
	buf_adds(out, "[");
	for (;;) {
		size_t got;

		rc = e->st->ops->instance_summaries_for(e->st, object, as,
							before, want, &batch,
							err);
		if (rc)
			goto out;
		got = batch.n;
		for (size_t i = 0; i < batch.n; i++) {
			const struct summary_row *row = &batch.v[i];
			const struct procdef *def =
				registry_find(e->reg, row->process);

			before = row->id;
			if (!def)
				continue;
			if (limit && kept == limit) {
				if (next)
					*next = last;
				goto out;
			}
			if (kept++)
				buf_adds(out, ",");
			list_item(out, def, row);
			last = row->id;
		}
		summary_list_release(&batch);
		if (!want || got < want)
			break;
	}
out:
	summary_list_release(&batch);
	access_keys_release(&pairs);
	buf_adds(out, "]");
	return rc;
}

enum sf_status
engine_tasks(struct engine *e, const struct actor *who, json_t **out,
	     struct sf_error *err)
{
	struct access_keys pairs = {0};
	struct step_list l;
	enum sf_status rc;
	sf_date today = date_of(clock_now());
	char todays[16];

	date_format(today, todays);
	/* The store finds the steps WHO's grants match (step_keys) and
	 * sorts them; the CLI operator may perform any. */
	access_actor_pairs(who, &pairs);
	rc = e->st->ops->tasks_for(e->st, who->operator ? NULL : &pairs, &l,
				   err);
	access_keys_release(&pairs);
	if (rc)
		return rc;
	*out = json_array();
	for (size_t i = 0; i < l.n; i++) {
		struct step_row *s = &l.v[i];
		const struct procdef *def;
		const struct step_def *sd;
		json_t *o;

		def = registry_find(e->reg, s->process);
		sd = def ? procdef_step(def, s->step) : NULL;
		if (sd && sd->kind == STEP_WAIT)
			continue;
		o = json_pack("{s:s, s:I, s:s, s:s, s:o}", "object", s->object,
			      "id", (json_int_t)s->instance_id, "process",
			      s->process, "step", s->step, "roles",
			      roles_json(s->roles));
		if (sd && sd->title)
			json_object_set_new(o, "title", json_string(sd->title));
		json_object_set_new(o, "due",
				    s->due ? json_string(s->due) : json_null());
		json_object_set_new(
			o, "overdue",
			json_boolean(s->overdue ||
				     (s->due && strcmp(s->due, todays) < 0)));
		json_array_append_new(*out, o);
	}
	step_list_release(&l);
	return SF_OK;
}

/* A wait step's time is up: complete it as the system and route on. */
enum sf_status engine_job_wait(struct engine *e, const struct actor *sys,
			       struct instance *inst,
			       const struct procdef *def,
			       const struct step_def *sd, sf_time now,
			       struct sf_error *err);

enum sf_status
engine_job_wait(struct engine *e, const struct actor *sys,
		struct instance *inst, const struct procdef *def,
		const struct step_def *sd, sf_time now, struct sf_error *err)
{
	struct step_list act;
	struct run r = {0};
	json_t *before, *after;
	char action[96];
	enum sf_status rc;
	int64_t row = 0;

	rc = e->st->ops->steps_of(e->st, inst->id, 1, &act, err);
	if (rc)
		return rc;
	r.active = json_array();
	for (size_t i = 0; i < act.n; i++) {
		if (strcmp(act.v[i].step, sd->id) == 0)
			row = act.v[i].id;
		else
			json_array_append_new(r.active,
					      json_string(act.v[i].step));
	}
	before = json_pack("{s:s, s:o}", "state", inst->state, "active",
			   names_of(&act));
	step_list_release(&act);
	if (!row) {
		json_decref(r.active);
		json_decref(before);
		return SF_OK;
	}
	run_init(&r, e, def, inst, sys, now, r.active);
	keys_known(&r);
	after = json_object();
	rc = e->st->ops->step_close(e->st, row, "done", now, "system", NULL,
				    NULL, NULL, err);
	if (!rc)
		rc = route(&r, sd, NULL, 0, err);
	snprintf(action, sizeof(action), "step:%s", sd->id);
	if (!rc)
		rc = finish(&r, action, NULL, NULL, before, after, err);
	json_decref(before);
	json_decref(after);
	run_release(&r);
	return rc;
}
