/*
 * conv_amend.c - amendments of an implemented convention (seed 000 §3):
 * convention.amend_dg and convention.amend_ishs run as child instances of
 * the convention (data "_children" of the parent, so their steps are
 * performed on the convention's own route).  The amendment holds the
 * proposed Part 2 until it is implemented; then the convention's Part 2
 * and accesses become the amendment's.  At most one amendment is open
 * (before its implementation) per convention.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/audit.h"
#include "engine/registry.h"
#include "modules/conventions/conv_internal.h"
#include "modules/conventions/conventions.h"

enum sf_status
conv_parent_load(struct hook_ctx *c, struct instance *parent,
		 struct sf_error *err)
{
	int64_t id = json_integer_value(json_object_get(c->inst->data,
							"convention"));
	enum sf_status rc;

	rc = c->e->st->ops->instance_get(c->e->st, id, parent, err);
	if (rc == SF_NOT_FOUND || (!rc && strcmp(parent->process,
						 "convention.create") != 0)) {
		if (!rc)
			instance_release(parent);
		return sf_fail(err, SF_NOT_FOUND, "convention",
			       "no convention %lld", (long long)id);
	}
	return rc;
}

enum sf_status
conv_parent_save(struct hook_ctx *c, struct instance *parent,
		 const char *action, json_t *before, json_t *after,
		 struct sf_error *err)
{
	char object[64];
	enum sf_status rc;

	char *sum = engine_summary(c->e, parent->process, parent->data);

	rc = c->e->st->ops->instance_update(c->e->st, parent->id,
					    parent->state, parent->data, sum,
					    parent->rev, c->now, err);
	free(sum);
	if (rc)
		return rc;
	snprintf(object, sizeof(object), "conventions/%lld",
		 (long long)parent->id);
	return audit_append(c->e->st, c->who, c->role, NULL, object, action,
			    before, after, c->now, err);
}

static enum sf_status
amend_start(struct hook_ctx *c, struct sf_error *err)
{
	static const char *const same[] = {"dg", "company", "hosting",
					   "expires", NULL};
	struct instance parent;
	const struct procdef *pdef;
	json_t *pd, *open, *after;
	enum sf_status rc;

	rc = conv_parent_load(c, &parent, err);
	if (rc)
		return rc;
	pd = parent.data;
	/* Started on POST /dg_amendments directly, the caller names the
	 * convention: one it may not see does not exist for it (404), and
	 * the checks below must not tell it the convention's DG. */
	pdef = registry_find(c->e->reg, parent.process);
	if (!pdef || !engine_can_see(pdef, c->who, pd)) {
		rc = sf_fail(err, SF_NOT_FOUND, "convention",
			     "no convention %lld", (long long)parent.id);
		goto out;
	}
	for (size_t i = 0; same[i]; i++)
		if (!json_equal(json_object_get(pd, same[i]),
				json_object_get(c->inst->data, same[i]))) {
			rc = sf_fail(err, SF_INVALID, same[i],
				     "%s is not the convention's (%s)", same[i],
				     json_string_value(
					     json_object_get(pd, same[i])));
			goto out;
		}
	if (!json_object_get(pd, "implemented")) {
		rc = sf_fail(err, SF_CONFLICT, "convention",
			     "convention %s has not reached notify_implemented "
			     "(seed 000 step 15): only an established "
			     "convention can be amended",
			     json_string_value(json_object_get(pd, "number")));
		goto out;
	}
	if (conv_expired(pd, c->now)) {
		rc = sf_fail(err, SF_CONFLICT, "convention",
			     "convention %s has expired",
			     json_string_value(json_object_get(pd, "number")));
		goto out;
	}
	open = json_object_get(pd, "_open_amendment");
	if (json_integer_value(open)) {
		rc = sf_fail(err, SF_CONFLICT, "convention",
			     "convention %s has an open amendment (%lld)",
			     json_string_value(json_object_get(pd, "number")),
			     (long long)json_integer_value(open));
		goto out;
	}
	/* The amendment starts from the convention's current Part 2. */
	json_object_set(c->inst->data, "number", json_object_get(pd, "number"));
	json_object_set_new(c->inst->data, "part2",
			    json_deep_copy(json_object_get(pd, "part2")));
	json_object_set_new(c->inst->data, "accesses",
			    json_deep_copy(json_object_get(pd, "accesses")));
	json_object_del(c->inst->data, "obsolete_after");
	if (!json_is_array(json_object_get(pd, "_children")))
		json_object_set_new(pd, "_children", json_array());
	json_array_append_new(json_object_get(pd, "_children"),
			      json_integer(c->inst->id));
	json_object_set_new(pd, "_open_amendment", json_integer(c->inst->id));
	after = json_pack("{s:I, s:s}", "amendment", (json_int_t)c->inst->id,
			  "process", c->def->name);
	rc = conv_parent_save(c, &parent, "amendment:start", NULL, after, err);
	json_decref(after);
out:
	instance_release(&parent);
	return rc;
}

/* The amendment is implemented: its Part 2 becomes the convention's. */
static enum sf_status
apply_to_parent(struct hook_ctx *c, struct instance *parent,
		struct sf_error *err)
{
	json_t *pd = parent->data, *acc, *a, *hist, *v, *after;
	size_t i;
	char day[16], t[32];
	enum sf_status rc;

	conv_day(c->now, day);
	clock_format(c->now, t);
	acc = json_deep_copy(json_object_get(c->inst->data, "accesses"));
	json_array_foreach(acc, i, a)
		if (strcmp(json_string_value(json_object_get(a, "state")),
			   "ending") != 0)
			json_object_set_new(a, "state",
					    json_string("implemented"));
	hist = json_object_get(pd, "part2_versions");
	if (!json_is_array(hist)) {
		hist = json_array();
		json_object_set_new(pd, "part2_versions", hist);
	}
	v = json_deep_copy(json_object_get(c->inst->data, "part2"));
	if (!json_is_object(v))
		v = json_object();
	json_object_set_new(v, "version",
			    json_integer((json_int_t)json_array_size(hist) + 1));
	json_object_set_new(v, "date", json_string(t));
	json_object_set_new(v, "by", json_string(c->who->name));
	json_object_set_new(v, "amendment", json_integer(c->inst->id));
	json_object_set(v, "accesses", acc);
	json_object_set_new(pd, "part2", json_deep_copy(v));
	json_object_del(json_object_get(pd, "part2"), "accesses");
	json_array_append_new(hist, v);
	json_object_set_new(pd, "accesses", acc);
	json_object_set_new(pd, "amended", json_string(day));
	json_object_del(pd, "_open_amendment");
	after = json_pack("{s:I, s:O}", "amendment", (json_int_t)c->inst->id,
			  "accesses", acc);
	rc = conv_parent_save(c, parent, "amendment:implemented", NULL, after,
			      err);
	json_decref(after);
	return rc;
}

/* Prolong the named tokens (default: every token not expired). */
static enum sf_status
prolong(struct hook_ctx *c, struct instance *parent, struct sf_error *err)
{
	json_t *serials = json_object_get(c->input, "serials");
	const char *until =
		json_string_value(json_object_get(c->input, "expires"));
	json_t *tokens = json_object_get(parent->data, "tokens");
	json_t *done = json_array(), *after, *t, *s;
	size_t i, j;
	char day[16];
	enum sf_status rc = SF_OK;

	conv_day(c->now, day);
	json_array_foreach(serials, i, s)
	{
		int found = 0;
		json_array_foreach(tokens, j, t)
			if (json_equal(json_object_get(t, "serial"), s))
				found = 1;
		if (!found) {
			char field[32];
			snprintf(field, sizeof(field), "serials[%zu]", i);
			json_decref(done);
			return sf_fail(err, SF_INVALID, field,
				       "token %s is not a token of this "
				       "convention",
				       json_string_value(s));
		}
	}
	json_array_foreach(tokens, j, t)
	{
		const char *exp =
			json_string_value(json_object_get(t, "expires"));
		int want = 0;
		char next[16];
		sf_date d;

		json_array_foreach(serials, i, s)
			if (json_equal(json_object_get(t, "serial"), s))
				want = 1;
		if (!json_array_size(serials))
			want = exp && strcmp(exp, day) >= 0;
		if (!want)
			continue;
		if (until) {
			xstrlcpy(next, until, sizeof(next));
		} else {
			if (!exp || date_parse(exp, &d) || d < date_of(c->now))
				d = date_of(c->now);
			date_format(date_add_months(d, 12), next);
		}
		if (strcmp(next, day) <= 0) {
			json_decref(done);
			return sf_fail(err, SF_INVALID, "expires",
				       "the new expiry %s is not after today",
				       next);
		}
		if (!json_is_array(json_object_get(t, "renewed")))
			json_object_set_new(t, "renewed", json_array());
		json_array_append_new(json_object_get(t, "renewed"),
				      json_pack("{s:s, s:s, s:s}", "date", day,
						"from", exp ? exp : "",
						"until", next));
		json_object_set_new(t, "expires", json_string(next));
		json_array_append_new(done,
				      json_pack("{s:O, s:s}", "serial",
						json_object_get(t, "serial"),
						"expires", next));
		rc = conv_schedule_warnings(c, parent->id,
					    json_string_value(json_object_get(
						    t, "serial")),
					    next, err);
		if (rc)
			break;
	}
	if (!rc) {
		after = json_pack("{s:O}", "prolonged", done);
		rc = conv_parent_save(c, parent, "tokens:prolonged", NULL,
				      after, err);
		json_decref(after);
		json_object_set(c->input, "prolonged", done);
	}
	json_decref(done);
	return rc;
}

/* SNET removed the accesses that ended with the ISHS change. */
static enum sf_status
remove_obsolete(struct hook_ctx *c, struct instance *parent,
		struct sf_error *err)
{
	json_t *acc = json_object_get(parent->data, "accesses");
	json_t *keep = json_array(), *gone, *a, *after;
	size_t i;
	char day[16];
	enum sf_status rc;

	conv_day(c->now, day);
	gone = json_object_get(parent->data, "removed_accesses");
	if (!json_is_array(gone)) {
		gone = json_array();
		json_object_set_new(parent->data, "removed_accesses", gone);
	}
	after = json_array();
	json_array_foreach(acc, i, a)
	{
		if (strcmp(json_string_value(json_object_get(a, "state")),
			   "ending") == 0) {
			json_t *r = json_deep_copy(a);
			json_object_set_new(r, "state", json_string("removed"));
			json_object_set_new(r, "removed", json_string(day));
			json_array_append(gone, r);
			json_array_append_new(after, r);
		} else {
			json_array_append(keep, a);
		}
	}
	json_object_set_new(parent->data, "accesses", keep);
	{
		json_t *rec = json_pack("{s:o}", "removed", after);
		rc = conv_parent_save(c, parent, "accesses:removed", NULL, rec,
				      err);
		json_decref(rec);
	}
	return rc;
}

/* The steps that work on the parent convention. */
static enum sf_status
amend_parent_step(struct hook_ctx *c, struct sf_error *err)
{
	const char *id = c->step->id;
	struct instance parent;
	enum sf_status rc;

	if (strcmp(id, "notify_implemented") != 0 &&
	    strcmp(id, "prolong_token") != 0 &&
	    strcmp(id, "remove_obsolete") != 0 &&
	    strcmp(id, "modify_part2") != 0)
		return SF_OK;
	rc = conv_parent_load(c, &parent, err);
	if (rc)
		return rc;
	if (strcmp(id, "modify_part2") == 0) /* ISHS: from the parent's list */
		rc = conv_part2_ishs(c->inst->data,
				     json_object_get(parent.data, "accesses"),
				     c->input, c, err);
	else if (strcmp(id, "notify_implemented") == 0)
		rc = apply_to_parent(c, &parent, err);
	else if (strcmp(id, "prolong_token") == 0)
		rc = prolong(c, &parent, err);
	else
		rc = remove_obsolete(c, &parent, err);
	instance_release(&parent);
	return rc;
}

/* The DG's amendment: a new Part 2 written whole, like the creation's. */
static enum sf_status
amend_dg_before(struct hook_ctx *c, struct sf_error *err)
{
	int handled;
	enum sf_status rc = conv_common_step(c, c->inst->data, &handled, err);

	if (rc || handled)
		return rc;
	if (strcmp(c->step->id, "modify_part2") == 0)
		return conv_part2_take(c, c->inst->data, err);
	return amend_parent_step(c, err);
}

/* ISHS's amendment: Part 2 derived from the parent's accesses. */
static enum sf_status
amend_ishs_before(struct hook_ctx *c, struct sf_error *err)
{
	int handled;
	enum sf_status rc = conv_common_step(c, c->inst->data, &handled, err);

	if (rc || handled)
		return rc;
	return amend_parent_step(c, err);
}

static enum sf_status
amend_view(struct engine *e, const struct actor *who, struct instance *inst,
	   json_t *out, struct sf_error *err)
{
	(void)e;
	(void)who;
	(void)err;
	conv_view_parts(inst->data, out);
	return SF_OK;
}

const struct module_hooks conventions_amend_dg_hooks = {
	.process = "convention.amend_dg",
	.on_start = amend_start,
	.before_step = amend_dg_before,
	.on_job = conv_on_job,
	.view = amend_view,
};

const struct module_hooks conventions_amend_ishs_hooks = {
	.process = "convention.amend_ishs",
	.on_start = amend_start,
	.before_step = amend_ishs_before,
	.on_job = conv_on_job,
	.view = amend_view,
};

enum sf_status
convention_amend(struct engine *e, const struct actor *who, int64_t id,
		 const char *kind, int64_t *aid, struct sf_error *err)
{
	struct instance inst = {0};
	json_t *view, *data;
	const char *process;
	enum sf_status rc;

	if (!kind || (strcmp(kind, "dg") && strcmp(kind, "ishs")))
		return sf_fail(err, SF_INVALID, "kind",
			       "kind is \"dg\" or \"ishs\"");
	process = strcmp(kind, "dg") == 0 ? "convention.amend_dg"
					  : "convention.amend_ishs";
	rc = engine_load(e, who, "conventions", id, &inst, err);
	if (rc)
		return rc;
	view = inst.data;
	data = json_pack("{s:I, s:O, s:O, s:O, s:O}", "convention",
			 (json_int_t)id, "dg", json_object_get(view, "dg"),
			 "company", json_object_get(view, "company"), "hosting",
			 json_object_get(view, "hosting"), "expires",
			 json_object_get(view, "expires"));
	instance_release(&inst);
	rc = engine_start(e, who, process, data, aid, err);
	json_decref(data);
	return rc;
}
