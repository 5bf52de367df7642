/*
 * inc_steps.c - what the steps of incident.handle record and check:
 * screening (false positive asks the Service Desk to remove the flag;
 * routine types from the catalogue), correlation links, evidence
 * requests and answers (files kept as evidence in the catalogue),
 * emergency actions by system, impact and urgency with their reports and
 * rounds, the computed high impact, the ILSOs' contributions and the
 * delivery of the report on paper.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/audit.h"
#include "engine/notify.h"
#include "engine/outbox.h"
#include "modules/incidents/impact.h"
#include "modules/incidents/inc_internal.h"
#include "modules/incidents/incidents.h"
#include "modules/incidents/report.h"

static json_t *
list_of(json_t *data, const char *key)
{
	json_t *a = json_object_get(data, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(data, key, a);
	}
	return a;
}

static void
add_scope(json_t *data, const char *key, const char *v)
{
	json_t *a = list_of(data, key), *x;
	size_t i;

	json_array_foreach(a, i, x)
		if (strcmp(json_string_value(x), v) == 0)
			return;
	json_array_append_new(a, json_string(v));
}

/* {by, role, date} and EXTRA (stolen) appended to DATA[KEY]. */
static json_t *
record(struct hook_ctx *c, const char *key, json_t *extra)
{
	char t[32];
	json_t *o;

	clock_format(c->now, t);
	o = json_pack("{s:s, s:s, s:s}", "by", c->who->name, "role",
		      c->role ? c->role : "", "date", t);
	if (extra)
		json_object_update(o, extra);
	json_decref(extra);
	json_array_append_new(list_of(c->inst->data, key), o);
	return o;
}

static enum sf_status
screen(struct hook_ctx *c, struct sf_error *err)
{
	const char *out = json_string_value(json_object_get(c->input, "outcome"));
	const char *rt =
		json_string_value(json_object_get(c->input, "routine_type"));
	json_t *scr;
	char t[32];

	if (strcmp(out, "routine") == 0) {
		json_t *types = NULL, *x;
		size_t i;
		int found = 0;
		enum sf_status rc;

		if (!rt)
			return sf_fail(err, SF_INVALID, "routine_type",
				       "a routine incident needs its type");
		rc = routine_types(c->e->st, &types, err);
		if (rc)
			return rc;
		json_array_foreach(types, i, x)
			if (strcmp(json_string_value(x), rt) == 0)
				found = 1;
		json_decref(types);
		if (!found)
			return sf_fail(err, SF_INVALID, "routine_type",
				       "\"%s\" is not a routine incident type "
				       "(secflow routine list)",
				       rt);
	}
	clock_format(c->now, t);
	scr = json_pack("{s:s, s:s, s:s}", "outcome", out, "by", c->who->name,
			"date", t);
	if (rt)
		json_object_set_new(scr, "routine_type", json_string(rt));
	if (json_object_get(c->input, "caused_by_staff"))
		json_object_set(scr, "caused_by_staff",
				json_object_get(c->input, "caused_by_staff"));
	json_object_set_new(c->inst->data, "screening", scr);
	if (strcmp(out, "false_positive") == 0) {
		/* SEC.4.1: ask the Service Desk to remove the flag. */
		char *roles[1] = {"service_desk"};
		char *subject = xasprintf("[secflow] Please remove the "
					  "\"security\" flag of %s",
					  json_string_value(json_object_get(
						  c->inst->data, "reference")));
		char *body = xasprintf(
			"The ITSM Security Manager screened incident %s: it "
			"is not a security incident.  Please remove its "
			"\"security\" flag.\n",
			json_string_value(json_object_get(c->inst->data,
							  "reference")));
		enum sf_status rc = engine_notify(c->e, roles, 1, ";", subject,
						  body, c->object, c->now, err);
		free(subject);
		free(body);
		return rc;
	}
	return SF_OK;
}

static enum sf_status
correlate(struct hook_ctx *c, struct sf_error *err)
{
	json_t *links = json_object_get(c->input, "links"), *x, *out;
	size_t i;

	out = json_array();
	json_array_foreach(links, i, x)
	{
		struct instance other;
		int64_t id = json_integer_value(x);
		char field[32];

		snprintf(field, sizeof(field), "links[%zu]", i);
		if (id == c->inst->id ||
		    c->e->st->ops->instance_get(c->e->st, id, &other, err)) {
			json_decref(out);
			return sf_fail(err, SF_INVALID, field,
				       "%s: no other incident %lld", field,
				       (long long)id);
		}
		if (strcmp(other.process, "incident.handle") != 0) {
			instance_release(&other);
			json_decref(out);
			return sf_fail(err, SF_INVALID, field,
				       "%s: %lld is not an incident", field,
				       (long long)id);
		}
		json_array_append_new(
			out, json_pack("{s:I, s:O}", "incident", (json_int_t)id,
				       "reference",
				       json_object_get(other.data, "reference")));
		instance_release(&other);
	}
	json_object_set_new(c->inst->data, "correlation",
			    json_pack("{s:o, s:O}", "links", out, "root_cause",
				      json_object_get(c->input, "root_cause")
					      ? json_object_get(c->input,
								"root_cause")
					      : json_null()));
	return SF_OK;
}

static enum sf_status
request_evidence(struct hook_ctx *c, struct sf_error *err)
{
	json_t *from = json_object_get(c->input, "from"), *x;
	size_t i;
	enum sf_status rc = SF_OK;

	if (!json_array_size(from) && !json_object_get(c->input, "smt_ref"))
		return sf_fail(err, SF_INVALID, "from",
			       "ask an ILSO or a NISO, or give the DIGIT SMT "
			       "ticket");
	json_array_foreach(from, i, x)
	{
		const char *role = json_string_value(json_object_get(x, "role"));
		const char *scope =
			json_string_value(json_object_get(x, "scope"));
		char *scopes, *subject, *roles[1];

		if (strchr(scope, '|') || strchr(scope, ';'))
			return sf_fail(err, SF_INVALID, "from",
				       "a scope holds no | or ;");
		add_scope(c->inst->data,
			  strcmp(role, "ilso") == 0 ? "ilso_teams" : "nisos",
			  scope);
		roles[0] = (char *)role;
		scopes = xasprintf(";%s=%s;", role, scope);
		subject = xasprintf("[secflow] Evidence requested for security "
				    "incident %s",
				    json_string_value(json_object_get(
					    c->inst->data, "reference")));
		rc = engine_notify(
			c->e, roles, 1, scopes, subject,
			json_string_value(json_object_get(c->input, "question"))
				? json_string_value(
					  json_object_get(c->input, "question"))
				: "Please provide the information and evidence "
				  "you hold on this incident.\n",
			c->object, c->now, err);
		free(scopes);
		free(subject);
		if (rc)
			return rc;
	}
	record(c, "evidence_requests", json_deep_copy(c->input));
	return SF_OK;
}

/* Keep uploaded files as evidence (catalogue "incident_file"), never
 * scanned; the step history keeps their name, size and SHA-256. */
static enum sf_status
provide_evidence(struct hook_ctx *c, struct sf_error *err)
{
	json_t *files = json_object_get(c->input, "files"), *f, *meta;
	size_t i;
	enum sf_status rc;

	meta = json_array();
	json_array_foreach(files, i, f)
	{
		const char *b64 =
			json_string_value(json_object_get(f, "content_b64"));
		size_t n = strlen(b64), len = 0;
		unsigned char *bin = xmalloc(n + 1), h[32];
		char hex[65], name[96];
		json_t *entry, *m;
		int64_t seq;

		if (sodium_base642bin(bin, n + 1, b64, n, " \r\n", &len, NULL,
				      sodium_base64_VARIANT_ORIGINAL)) {
			free(bin);
			json_decref(meta);
			return sf_fail(err, SF_INVALID, "files",
				       "files[%zu].content_b64 is not base64",
				       i);
		}
		crypto_hash_sha256(h, bin, len);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		free(bin);
		rc = c->e->st->ops->counter_next(c->e->st, "incident_file",
						 &seq, err);
		if (rc) {
			json_decref(meta);
			return rc;
		}
		snprintf(name, sizeof(name), "%lld/%lld",
			 (long long)c->inst->id, (long long)seq);
		m = json_pack("{s:s, s:O, s:I, s:s}", "file", name, "filename",
			      json_object_get(f, "filename"), "size",
			      (json_int_t)len, "sha256", hex);
		entry = json_pack("{s:O, s:O}", "meta", m, "content_b64",
				  json_object_get(f, "content_b64"));
		rc = c->e->st->ops->catalog_put(c->e->st, "incident_file", name,
						entry, c->now, err);
		json_decref(entry);
		if (rc) {
			json_decref(m);
			json_decref(meta);
			return rc;
		}
		json_array_append_new(meta, m);
	}
	json_object_set(c->input, "files", meta);
	record(c, "evidence",
	       json_pack("{s:O, s:o}", "text",
			 json_object_get(c->input, "text")
				 ? json_object_get(c->input, "text")
				 : json_string(""),
			 "files", meta));
	return SF_OK;
}

static int
actions_open(json_t *data)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(data, "actions"), i, a)
		if (strcmp(json_string_value(json_object_get(a, "state")),
			   "requested") == 0)
			return 1;
	return 0;
}

static json_t *
action_find(json_t *data, int64_t id)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(data, "actions"), i, a)
		if (json_integer_value(json_object_get(a, "id")) == id)
			return a;
	return NULL;
}

static enum sf_status
request_actions(struct hook_ctx *c, struct sf_error *err)
{
	json_t *acts = json_object_get(c->input, "actions"), *x;
	json_t *all = list_of(c->inst->data, "actions");
	size_t i;
	char t[32];

	clock_format(c->now, t);
	json_array_foreach(acts, i, x)
	{
		const char *who = json_string_value(json_object_get(x, "assignee"));
		struct user u;
		struct grant_list g;
		char field[48];
		json_t *a;
		enum sf_status rc;

		snprintf(field, sizeof(field), "actions[%zu].assignee", i);
		if (c->e->st->ops->user_get(c->e->st, who, 0, &u, err))
			return sf_fail(err, SF_INVALID, field,
				       "%s: no user \"%s\"", field, who);
		/* The assignee's ILSO team or NA joins the incident, so
		 * the assignee can see it and report. */
		rc = c->e->st->ops->grants_of(c->e->st, u.id, &g, err);
		if (rc) {
			user_release(&u);
			return rc;
		}
		for (size_t k = 0; k < g.n; k++) {
			if (strcmp(g.v[k].role, "ilso") == 0 && *g.v[k].scope)
				add_scope(c->inst->data, "ilso_teams",
					  g.v[k].scope);
			if (strcmp(g.v[k].role, "niso") == 0 && *g.v[k].scope)
				add_scope(c->inst->data, "nisos", g.v[k].scope);
		}
		grant_list_release(&g);
		a = json_deep_copy(x);
		json_object_set_new(a, "id", json_integer((json_int_t)
							    json_array_size(all) +
						    1));
		json_object_set_new(a, "state", json_string("requested"));
		json_object_set_new(a, "requested", json_string(t));
		json_object_set_new(a, "requested_by",
				    json_string(c->who->name));
		json_array_append_new(all, a);
		if (u.email && *u.email) {
			json_t *to = json_pack("[s]", u.email);
			char *subject = xasprintf(
				"[secflow] Emergency action on %s for security "
				"incident %s (urgency %s)",
				json_string_value(json_object_get(x, "system")),
				json_string_value(json_object_get(c->inst->data,
								  "reference")),
				json_string_value(json_object_get(x, "urgency")));
			char *body = xasprintf(
				"System: %s\nImpact: %s\nUrgency: %s\n\n%s\n\n"
				"Report success or failure and what you "
				"observed (step report_action of %s).\n",
				json_string_value(json_object_get(x, "system")),
				json_string_value(json_object_get(x, "impact")),
				json_string_value(json_object_get(x, "urgency")),
				json_string_value(json_object_get(x, "description"))
					? json_string_value(
						  json_object_get(x, "description"))
					: "",
				c->object);
			rc = outbox_queue(c->e->st, to, NULL, NULL, subject, body,
					  NULL, "email", c->object, c->now, NULL,
					  err);
			json_decref(to);
			free(subject);
			free(body);
		}
		user_release(&u);
		if (rc)
			return rc;
	}
	json_object_set_new(c->inst->data, "actions_open",
			    json_boolean(actions_open(c->inst->data)));
	return SF_OK;
}

static enum sf_status
report_action(struct hook_ctx *c, struct sf_error *err)
{
	int64_t id = json_integer_value(json_object_get(c->input, "action"));
	json_t *a = action_find(c->inst->data, id);
	char t[32];

	if (!a)
		return sf_fail(err, SF_INVALID, "action",
			       "the incident has no action %lld", (long long)id);
	if (strcmp(json_string_value(json_object_get(a, "state")),
		   "requested") != 0)
		return sf_fail(err, SF_CONFLICT, "action",
			       "action %lld is %s, not waiting for a report",
			       (long long)id,
			       json_string_value(json_object_get(a, "state")));
	if (!c->who->operator && !actor_has_role(c->who, "security_manager") &&
	    strcmp(json_string_value(json_object_get(a, "assignee")),
		   c->who->name) != 0)
		return sf_fail(err, SF_FORBIDDEN, "action",
			       "action %lld is %s's to report",
			       (long long)id,
			       json_string_value(json_object_get(a, "assignee")));
	clock_format(c->now, t);
	json_object_set(a, "result", json_object_get(c->input, "result"));
	json_object_set_new(a, "state", json_string("reported"));
	if (json_object_get(c->input, "observed"))
		json_object_set(a, "observed",
				json_object_get(c->input, "observed"));
	json_object_set_new(a, "reported", json_string(t));
	json_object_set_new(a, "reported_by", json_string(c->who->name));
	json_object_set_new(c->inst->data, "actions_open",
			    json_boolean(actions_open(c->inst->data)));
	return SF_OK;
}

static int
in_list(json_t *list, int64_t id)
{
	json_t *x;
	size_t i;

	json_array_foreach(list, i, x)
		if (json_integer_value(x) == id)
			return 1;
	return 0;
}

static enum sf_status
close_actions(struct hook_ctx *c, struct sf_error *err)
{
	json_t *retry = json_object_get(c->input, "retry");
	json_t *waive = json_object_get(c->input, "waive"), *a, *x;
	size_t i;

	json_array_foreach(retry, i, x)
		if (!action_find(c->inst->data, json_integer_value(x)))
			return sf_fail(err, SF_INVALID, "retry",
				       "retry[%zu]: no action %lld", i,
				       (long long)json_integer_value(x));
	json_array_foreach(waive, i, x)
		if (!action_find(c->inst->data, json_integer_value(x)))
			return sf_fail(err, SF_INVALID, "waive",
				       "waive[%zu]: no action %lld", i,
				       (long long)json_integer_value(x));
	json_array_foreach(json_object_get(c->inst->data, "actions"), i, a)
	{
		int64_t id = json_integer_value(json_object_get(a, "id"));
		const char *res = json_string_value(json_object_get(a, "result"));
		if (strcmp(json_string_value(json_object_get(a, "state")),
			   "reported") != 0 ||
		    !res || strcmp(res, "failure") != 0)
			continue;
		if (in_list(retry, id)) {
			json_object_set_new(a, "state",
					    json_string("requested"));
			json_object_set_new(a, "retried",
					    json_integer(json_integer_value(
							 json_object_get(
								 a, "retried")) +
						 1));
			json_object_del(a, "result");
		} else if (in_list(waive, id)) {
			json_object_set_new(a, "state", json_string("waived"));
		} else {
			return sf_fail(err, SF_CONFLICT, "retry",
				       "action %lld failed: retry or waive it "
				       "before the round is closed",
				       (long long)id);
		}
	}
	json_object_set_new(c->inst->data, "actions_open",
			    json_boolean(actions_open(c->inst->data)));
	record(c, "action_rounds", json_pack("{s:O, s:O}", "retry",
					     retry ? retry : json_null(),
					     "waive", waive ? waive
							    : json_null()));
	return SF_OK;
}

static enum sf_status
assess(struct hook_ctx *c, struct sf_error *err)
{
	json_t *reasons = NULL, *a, *x;
	size_t i;
	int high = 0;
	char t[32];
	enum sf_status rc;

	rc = impact_assess(c->e->st, c->input, &high, &reasons, err);
	if (rc)
		return rc;
	a = json_deep_copy(c->input);
	json_object_del(a, "comment");
	/* Keep each system's classification with the assessment. */
	json_array_foreach(json_object_get(a, "systems"), i, x)
	{
		json_t *e = NULL;
		if (c->e->st->ops->catalog_get(
			    c->e->st, "system",
			    json_string_value(json_object_get(x, "name")), &e,
			    err) == SF_OK)
			json_object_set(x, "classification",
					json_object_get(e, "classification"));
		json_decref(e);
	}
	clock_format(c->now, t);
	json_object_set_new(a, "high_impact", json_boolean(high));
	json_object_set_new(a, "reasons", reasons);
	json_object_set_new(a, "date", json_string(t));
	json_object_set_new(a, "by", json_string(c->who->name));
	json_object_set_new(c->inst->data, "assessment", a);
	json_object_set_new(c->inst->data, "high_impact", json_boolean(high));
	json_object_set_new(
		c->inst->data, "report_ready",
		json_boolean(json_is_true(json_object_get(c->input,
							  "under_control")) &&
			     json_is_true(json_object_get(c->input,
							  "service_restored"))));
	return SF_OK;
}

static enum sf_status
contribute(struct hook_ctx *c, struct sf_error *err)
{
	const char *team = "";
	json_t *x = json_deep_copy(c->input);

	(void)err;
	for (size_t i = 0; i < c->who->grants.n; i++)
		if (strcmp(c->who->grants.v[i].role, "ilso") == 0)
			team = c->who->grants.v[i].scope;
	json_object_del(x, "comment");
	json_object_set_new(x, "team", json_string(team));
	record(c, "contributions", x);
	return SF_OK;
}

/* SEC.4.7 / seed 001 §6.2: to the LISO, A4/PSU, the NISOs and the
 * impacted NAs, on paper (seed 002 interface table); the PDF travels
 * with the outbox record. */
static enum sf_status
deliver(struct hook_ctx *c, struct sf_error *err)
{
	json_t *to = json_array(), *users = NULL, *u, *att, *audit = NULL;
	json_t *view;
	char today[16], *psu = NULL, *md, *subject, *b64;
	unsigned char *pdf = NULL;
	size_t len = 0, i, j;
	enum sf_status rc;
	const char *ref =
		json_string_value(json_object_get(c->inst->data, "reference"));

	date_format(date_of(c->now), today);
	rc = c->e->st->ops->users_with_role(c->e->st, "liso", "", today,
					    &users, err);
	json_array_foreach(users, i, u)
		json_array_append(to, json_object_get(u, "email"));
	json_decref(users);
	if (c->e->st->ops->setting_get(c->e->st, "psu_address", &psu, err))
		psu = xstrdup("taxud-a4-psu@ec.europa.eu");
	json_array_append_new(to, json_string(psu));
	free(psu);
	json_array_foreach(json_object_get(c->inst->data, "nisos"), j, u)
	{
		users = NULL;
		if (!rc)
			rc = c->e->st->ops->users_with_role(
				c->e->st, "niso", json_string_value(u), today,
				&users, err);
		json_array_foreach(users, i, u)
			json_array_append(to, json_object_get(u, "email"));
		json_decref(users);
	}
	if (rc) {
		json_decref(to);
		return rc;
	}
	rc = audit_list(c->e->st, c->object, &audit, err);
	if (rc) {
		json_decref(to);
		return rc;
	}
	view = json_pack("{s:O, s:s}", "data", c->inst->data, "created", "");
	{
		char t[32];
		clock_format(c->inst->created, t);
		json_object_set_new(view, "created", json_string(t));
	}
	md = incident_report_md(view, audit);
	json_decref(view);
	json_decref(audit);
	rc = incident_report_pdf(md, ref, &pdf, &len, err);
	free(md);
	if (rc) {
		json_decref(to);
		return rc;
	}
	b64 = xmalloc(sodium_base64_encoded_len(len,
						sodium_base64_VARIANT_ORIGINAL));
	sodium_bin2base64(b64,
			  sodium_base64_encoded_len(len,
						    sodium_base64_VARIANT_ORIGINAL),
			  pdf, len, sodium_base64_VARIANT_ORIGINAL);
	free(pdf);
	{
		char *fn = xasprintf("security-incident-report-%s.pdf", ref);
		att = json_pack("[{s:s, s:s, s:s}]", "filename", fn,
				"content_type", "application/pdf", "data_b64",
				b64);
		free(fn);
	}
	free(b64);
	subject = xasprintf("Security Incident Report %s", ref);
	rc = outbox_queue(c->e->st, to, NULL, NULL, subject,
			  "The final Security Incident Report is delivered "
			  "on paper; the PDF is its printable form.\n",
			  att, "paper", c->object, c->now, NULL, err);
	free(subject);
	json_decref(att);
	json_decref(to);
	return rc;
}

enum sf_status
inc_step(struct hook_ctx *c, struct sf_error *err)
{
	const char *id = c->step->id;
	char t[32];

	clock_format(c->now, t);
	if (strcmp(id, "screen") == 0)
		return screen(c, err);
	if (strcmp(id, "correlate") == 0)
		return correlate(c, err);
	if (strcmp(id, "request_evidence") == 0)
		return request_evidence(c, err);
	if (strcmp(id, "provide_evidence") == 0)
		return provide_evidence(c, err);
	if (strcmp(id, "analyse_evidence") == 0) {
		record(c, "evidence_checks",
		       json_pack("{s:O}", "complete",
				 json_object_get(c->input, "complete")));
		return SF_OK;
	}
	if (strcmp(id, "request_emergency_actions") == 0)
		return request_actions(c, err);
	if (strcmp(id, "report_action") == 0)
		return report_action(c, err);
	if (strcmp(id, "close_actions") == 0)
		return close_actions(c, err);
	if (strcmp(id, "assess_impact") == 0)
		return assess(c, err);
	if (strcmp(id, "contribute") == 0)
		return contribute(c, err);
	if (strcmp(id, "deliver_report") == 0) {
		enum sf_status rc = deliver(c, err);
		if (rc)
			return rc;
	}
	if (strcmp(id, "start_report") == 0 ||
	    strcmp(id, "review_report") == 0 ||
	    strcmp(id, "finalise_report") == 0 ||
	    strcmp(id, "deliver_report") == 0) {
		json_t *r = json_object_get(c->inst->data, "report");
		if (!json_is_object(r)) {
			r = json_object();
			json_object_set_new(c->inst->data, "report", r);
		}
		json_object_set_new(r, id, json_pack("{s:s, s:s}", "date", t,
						     "by", c->who->name));
	}
	return SF_OK;
}
