/*
 * conv_report.c - what DS hands the DG on request (seed 000 step 15):
 * the progress report, "indicating the date each phase in workflow took
 * place" with the SMT references, plus who did each step and the time
 * taken against each SLA; and the connectivity incident call of seed
 * 000 §1.4, with the convention number and its token serials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "modules/conventions/conv_internal.h"
#include "modules/conventions/conventions.h"

/* The SLA of STEP in working days (from the definition), or 0. */
static int
sla_days(const struct procdef *def, const char *step)
{
	const struct step_def *sd = def ? procdef_step(def, step) : NULL;

	if (!sd || !sd->has_sla || sd->sla.unit != DUR_WORKING_DAYS)
		return 0;
	return sd->sla.amount;
}

/* Phases and steps of one instance (the convention or an amendment). */
static enum sf_status
instance_phases(struct engine *e, int64_t id, json_t **out,
		struct sf_error *err)
{
	struct instance inst = {0};
	const struct procdef *def = NULL;
	struct step_list all;
	json_t *phases = json_array();
	enum sf_status rc;

	rc = e->st->ops->instance_get(e->st, id, &inst, err);
	if (!rc)
		rc = registry_pinned(e->reg, e->st, inst.procdef_id, &def, err);
	if (!rc)
		rc = e->st->ops->steps_of(e->st, id, 0, &all, err);
	if (rc) {
		instance_release(&inst);
		json_decref(phases);
		return rc;
	}
	for (size_t i = 0; i < all.n; i++) {
		struct step_row *s = &all.v[i];
		const char *ph = conv_phase_of(s->step);
		json_t *p = NULL, *x, *steps;
		size_t j;
		char t[32];
		int sla = sla_days(def, s->step);

		if (strcmp(s->state, "skipped") == 0 ||
		    strcmp(s->state, "cancelled") == 0)
			continue;
		json_array_foreach(phases, j, x)
			if (strcmp(json_string_value(json_object_get(x, "phase")),
				   ph) == 0)
				p = x;
		if (!p) {
			clock_format(s->activated, t);
			p = json_pack("{s:s, s:s, s:[]}", "phase", ph, "started",
				      t, "steps");
			json_array_append_new(phases, p);
		}
		steps = json_object_get(p, "steps");
		clock_format(s->activated, t);
		x = json_pack("{s:s, s:s, s:s}", "step", s->step, "state",
			      s->state, "activated", t);
		if (s->completed) {
			clock_format(s->completed, t);
			json_object_set_new(x, "completed", json_string(t));
			json_object_set_new(p, "completed", json_string(t));
		}
		if (s->user_name)
			json_object_set_new(x, "by", json_string(s->user_name));
		if (s->role && *s->role)
			json_object_set_new(x, "role", json_string(s->role));
		if (s->acting_for && *s->acting_for)
			json_object_set_new(x, "acting_for",
					    json_string(s->acting_for));
		if (s->input && json_object_get(s->input, "smt_ref"))
			json_object_set(x, "smt_ref",
					json_object_get(s->input, "smt_ref"));
		if (s->input && json_object_get(s->input, "ares_ref"))
			json_object_set(x, "ares_ref",
					json_object_get(s->input, "ares_ref"));
		if (sla) {
			sf_date a = date_of(s->activated);
			sf_date b = date_of(s->completed ? s->completed
							 : clock_now());
			json_object_set_new(x, "sla_working_days",
					    json_integer(sla));
			json_object_set_new(
				x, "working_days_taken",
				json_integer(calendar_working_days_between(
					e->cal, a, b)));
			if (s->due)
				json_object_set_new(x, "due",
						    json_string(s->due));
			json_object_set_new(x, "overdue",
					    json_boolean(s->overdue));
		}
		json_array_append_new(steps, x);
		if (strcmp(s->state, "active") == 0)
			json_object_del(p, "completed");
	}
	step_list_release(&all);
	*out = json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)id,
			 "process", inst.process, "state", inst.state, "phases",
			 phases);
	instance_release(&inst);
	return SF_OK;
}

enum sf_status
convention_progress(struct engine *e, const struct actor *who, int64_t id,
		    json_t **out, struct sf_error *err)
{
	json_t *view = NULL, *main = NULL, *am = json_array(), *k;
	size_t i;
	enum sf_status rc;

	rc = engine_view(e, who, "conventions", id, &view, err);
	if (!rc)
		rc = instance_phases(e, id, &main, err);
	json_array_foreach(json_object_get(view, "amendments"), i, k)
	{
		json_t *p = NULL;
		if (rc)
			break;
		rc = instance_phases(e,
				     json_integer_value(json_object_get(k, "id")),
				     &p, err);
		if (!rc)
			json_array_append_new(am, p);
	}
	if (rc) {
		json_decref(view);
		json_decref(main);
		json_decref(am);
		return rc;
	}
	*out = json_pack("{s:I, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O, s:o}",
			 "id", (json_int_t)id, "number",
			 json_object_get(view, "number"), "dg",
			 json_object_get(view, "dg"), "company",
			 json_object_get(view, "company"), "hosting",
			 json_object_get(view, "hosting"), "expires",
			 json_object_get(view, "expires"), "state",
			 json_object_get(view, "state"), "phases",
			 json_incref(json_object_get(main, "phases")),
			 "tickets",
			 json_object_get(view, "tickets")
				 ? json_object_get(view, "tickets")
				 : json_null(),
			 "amendments", am);
	json_decref(main);
	json_decref(view);
	return SF_OK;
}

static void
md_phases(struct buf *b, json_t *phases)
{
	size_t i, j;
	json_t *p, *s;

	json_array_foreach(phases, i, p)
	{
		json_t *done = json_object_get(p, "completed");
		buf_addf(b, "\n### %s: %s to %s\n\n",
			 json_string_value(json_object_get(p, "phase")),
			 json_string_value(json_object_get(p, "started")),
			 done ? json_string_value(done) : "(under way)");
		buf_adds(b, "| step | done | by | SMT | SLA |\n"
			    "|---|---|---|---|---|\n");
		json_array_foreach(json_object_get(p, "steps"), j, s)
		{
			json_t *c = json_object_get(s, "completed");
			json_t *by = json_object_get(s, "by");
			json_t *smt = json_object_get(s, "smt_ref");
			json_t *sla = json_object_get(s, "sla_working_days");
			char slatext[64] = "";
			if (sla)
				snprintf(slatext, sizeof(slatext),
					 "%lld of %lld working days%s",
					 (long long)json_integer_value(json_object_get(
						 s, "working_days_taken")),
					 (long long)json_integer_value(sla),
					 json_is_true(json_object_get(s, "overdue"))
						 ? ", OVERDUE"
						 : "");
			buf_addf(b, "| %s | %s | %s | %s | %s |\n",
				 json_string_value(json_object_get(s, "step")),
				 c ? json_string_value(c) : "waiting",
				 by ? json_string_value(by) : "",
				 smt ? json_string_value(smt) : "", slatext);
		}
	}
}

char *
convention_progress_md(json_t *r)
{
	struct buf b;
	size_t i;
	json_t *a;
	char *md;
	const char *num = json_string_value(json_object_get(r, "number"));

	buf_init(&b, 1 << 22);
	buf_addf(&b, "# Progress report: security convention %s\n\n",
		 num ? num : "(no number yet)");
	buf_addf(&b, "- DG: %s\n- Company: %s\n- Hosting: %s\n- Expires: "
		     "%s\n- State: %s\n",
		 json_string_value(json_object_get(r, "dg")),
		 json_string_value(json_object_get(r, "company")),
		 json_string_value(json_object_get(r, "hosting")),
		 json_string_value(json_object_get(r, "expires")),
		 json_string_value(json_object_get(r, "state")));
	buf_adds(&b, "\n## Creation\n");
	md_phases(&b, json_object_get(r, "phases"));
	json_array_foreach(json_object_get(r, "amendments"), i, a)
	{
		buf_addf(&b, "\n## Amendment %lld (%s, %s)\n",
			 (long long)json_integer_value(json_object_get(a, "id")),
			 json_string_value(json_object_get(a, "process")),
			 json_string_value(json_object_get(a, "state")));
		md_phases(&b, json_object_get(a, "phases"));
	}
	md = buf_detach(&b, NULL);
	buf_release(&b); /* buf_detach leaves B inited */
	return md;
}

enum sf_status
convention_call(struct engine *e, const struct actor *who, int64_t id,
		json_t *serials, const char *problem, json_t **out,
		struct sf_error *err)
{
	struct instance inst = {0};
	json_t *view, *s, *t;
	const char *num;
	size_t i, j;
	struct buf b;
	enum sf_status rc;

	if (!problem || !*problem)
		return sf_fail(err, SF_INVALID, "problem",
			       "say what the connectivity problem is");
	if (!json_array_size(serials))
		return sf_fail(err, SF_INVALID, "token",
			       "name at least one token serial");
	rc = engine_load(e, who, "conventions", id, &inst, err);
	if (rc)
		return rc;
	view = inst.data;
	num = json_string_value(json_object_get(view, "number"));
	if (!num)
		num = "(no number yet)";
	json_array_foreach(serials, i, s)
	{
		int found = 0;
		json_array_foreach(json_object_get(view, "tokens"), j, t)
			if (json_equal(json_object_get(t, "serial"), s))
				found = 1;
		if (!found || !json_is_string(s)) {
			rc = sf_fail(err, SF_INVALID, "token",
				     "token %s is not a token of convention %s",
				     json_is_string(s) ? json_string_value(s)
						       : "?",
				     num);
			instance_release(&inst);
			return rc;
		}
	}
	buf_init(&b, 1 << 20);
	buf_addf(&b,
		 "To: Commission help desk (CHD), for DIGIT\n"
		 "Subject: Remote access for companies - connectivity "
		 "problem - security convention %s\n\n"
		 "Security convention: %s\n"
		 "Requesting DG: %s\nExternal company: %s\nToken(s):",
		 num, num,
		 json_string_value(json_object_get(view, "dg")),
		 json_string_value(json_object_get(view, "company")));
	json_array_foreach(serials, i, s)
		buf_addf(&b, "%s %s", i ? "," : "", json_string_value(s));
	buf_addf(&b, "\n\nProblem statement:\n%s\n\n"
		     "The requested network accesses are implemented (see "
		     "the convention's Part 2); please follow the DIGIT "
		     "Service Catalogue for the incident type and "
		     "configuration item.\n",
		 problem);
	*out = json_pack("{s:s, s:O, s:s}", "number", num, "tokens", serials,
			 "text", b.data);
	buf_release(&b);
	instance_release(&inst);
	return SF_OK;
}
