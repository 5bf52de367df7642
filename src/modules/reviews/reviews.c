/*
 * reviews.c - review.campaign: starting a campaign, the imports, the
 * step hooks (reconciliation summary, leavers per team, LISO, LSA
 * confirmations, consolidation), the campaign view with its NPM filter,
 * and the helpers the other files of the module share.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/access.h"
#include "engine/audit.h"
#include "modules/reviews/rev_internal.h"
#include "modules/reviews/reviews.h"
#include "modules/userlists/ulimport.h"

int
review_quarter_ok(const char *q)
{
	if (!q || strlen(q) != 6)
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)q[i]))
			return -1;
	return q[4] == 'Q' && q[5] >= '1' && q[5] <= '4' ? 0 : -1;
}

void
rev_today(sf_time now, char out[16])
{
	date_format(date_of(now), out);
}

json_t *
rev_obj(json_t *data, const char *key)
{
	json_t *o = json_object_get(data, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(data, key, o);
	}
	return o;
}

const char *
rev_quarter(const struct rev *r)
{
	const char *q =
		json_string_value(json_object_get(r->inst->data, "quarter"));
	return q ? q : "";
}

json_t *
rev_addresses(struct store *st, const char *role, const char *scope,
	      sf_time now)
{
	json_t *users = NULL, *out = json_array(), *u;
	struct sf_error err;
	char today[16];
	size_t i;

	rev_today(now, today);
	if (st->ops->users_with_role(st, role, scope ? scope : "", today,
				     &users, &err))
		return out;
	json_array_foreach(users, i, u)
	{
		const char *m = json_string_value(json_object_get(u, "email"));
		int dup = 0;
		size_t k;
		json_t *x;
		if (!m || !*m)
			continue;
		json_array_foreach(out, k, x) if (strcmp(json_string_value(x),
							  m) == 0) dup = 1;
		if (!dup)
			json_array_append_new(out, json_string(m));
	}
	json_decref(users);
	return out;
}

json_t *
rev_service_desk(struct store *st, sf_time now)
{
	char *v = NULL;
	struct sf_error err;

	if (st->ops->setting_get(st, "service_desk_email", &v, &err) == SF_OK &&
	    v && *v) {
		json_t *a = json_pack("[s]", v);
		free(v);
		return a;
	}
	free(v);
	return rev_addresses(st, "service_desk", "", now);
}

json_t *
rev_attachment(const char *filename, const char *ctype, const void *data,
	       size_t len)
{
	size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *s = xmalloc(n);
	json_t *o;

	sodium_bin2base64(s, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	o = json_pack("{s:s, s:s, s:s}", "filename", filename, "content_type",
		      ctype, "data_b64", s);
	free(s);
	return o;
}

enum sf_status
rev_mail(struct rev *r, const char *kind, const char *scope, json_t *to,
	 json_t *bcc, const char *subject, const char *body,
	 json_t *attachments, struct sf_error *err)
{
	int64_t mid = 0;
	json_t *mails, *names = json_array(), *a;
	size_t i;
	char day[16];
	enum sf_status rc;

	rc = outbox_queue(r->st, to, NULL, bcc, subject, body, attachments,
			  "email", r->object, r->now, &mid, err);
	if (rc) {
		json_decref(names);
		return rc;
	}
	json_array_foreach(attachments, i, a)
		json_array_append(names, json_object_get(a, "filename"));
	mails = json_object_get(r->inst->data, "_mails");
	if (!json_is_array(mails)) {
		mails = json_array();
		json_object_set_new(r->inst->data, "_mails", mails);
	}
	rev_today(r->now, day);
	json_array_append_new(
		mails, json_pack("{s:I, s:s, s:s, s:O, s:O, s:s, s:o, s:s}",
				 "id", (json_int_t)mid, "kind", kind, "scope",
				 scope ? scope : "", "to", to ? to : json_null(),
				 "bcc", bcc ? bcc : json_null(), "subject",
				 subject, "attachments", names, "date", day));
	return SF_OK;
}

static int
holds_any(const struct actor *who, const char *const *roles)
{
	if (!who || who->operator || actor_is_admin(who))
		return 1;
	for (size_t i = 0; roles && roles[i]; i++)
		if (actor_has_role(who, roles[i]))
			return 1;
	return roles == NULL;
}

enum sf_status
rev_open(struct engine *e, const struct actor *who, int64_t id,
	 const char *const *roles, struct rev *r, struct sf_error *err)
{
	enum sf_status rc;

	memset(r, 0, sizeof(*r));
	r->e = e;
	r->st = e->st;
	r->who = who;
	r->now = clock_now();
	r->inst = &r->own;
	/* A read-only use (roles "read:"...) runs in the caller's snapshot
	 * (the API's read transaction of a GET) or none. */
	r->txn = !(roles && roles[0] && strncmp(roles[0], "read:", 5) == 0);
	if (r->txn) {
		rc = r->st->ops->begin(r->st, err);
		if (rc)
			return rc;
	} else {
		roles++;
	}
	rc = r->st->ops->instance_get(r->st, id, &r->own, err);
	if (!rc && strcmp(r->own.process, "review.campaign") != 0)
		rc = SF_NOT_FOUND;
	if (!rc)
		rc = registry_pinned(e->reg, r->st, r->own.procdef_id, &r->def,
				     err);
	if (rc == SF_NOT_FOUND ||
	    (!rc && who && !engine_can_see(r->def, who, r->own.data))) {
		rev_abort(r);
		return sf_fail(err, SF_NOT_FOUND, NULL, "no review %lld",
			       (long long)id);
	}
	if (rc) {
		rev_abort(r);
		return rc;
	}
	if (!holds_any(who, roles)) {
		rev_abort(r);
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "this needs the role %s", roles[0]);
	}
	snprintf(r->object, sizeof(r->object), "reviews/%lld", (long long)id);
	return SF_OK;
}

void
rev_abort(struct rev *r)
{
	if (r->txn)
		r->st->ops->rollback(r->st);
	instance_release(&r->own);
}

enum sf_status
rev_write(struct rev *r, const char *action, json_t *after,
	  struct sf_error *err)
{
	struct access_keys keys = {0};
	enum sf_status rc;

	char *sum = engine_summary(r->e, r->inst->process, r->inst->data);

	rc = r->st->ops->instance_update(r->st, r->inst->id, r->inst->state,
					 r->inst->data, sum, r->inst->rev,
					 r->now, err);
	free(sum);
	if (!rc) {
		r->inst->rev++;
		access_instance_keys(r->def, r->inst->data, &keys);
		rc = r->st->ops->instance_keys_put(r->st, r->inst->id,
						   r->inst->object, &keys, err);
		access_keys_release(&keys);
	}
	if (!rc)
		rc = audit_append(r->st, r->who, NULL, NULL, r->object, action,
				  NULL, after, r->now, err);
	return rc;
}

enum sf_status
rev_commit(struct rev *r, const char *action, json_t *after,
	   struct sf_error *err)
{
	enum sf_status rc = rev_write(r, action, after, err);

	if (!rc)
		rc = r->st->ops->commit(r->st, err);
	if (rc)
		r->st->ops->rollback(r->st);
	instance_release(&r->own);
	return rc;
}

enum sf_status
review_start(struct engine *e, const struct actor *who, const char *quarter,
	     int64_t *id, struct sf_error *err)
{
	json_t *data;
	enum sf_status rc;

	/* The starter's role is checked first, the quarter by on_start. */
	data = json_pack("{s:s?}", "quarter", quarter);
	rc = engine_start(e, who, "review.campaign", data, id, err);
	json_decref(data);
	return rc;
}

static const char *const importers[] = {"security_manager", "service_desk",
					NULL};

/* "dir/GW-BE.csv" → "GW-BE" */
static char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	const char *dot;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	return dot && dot != b ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

enum sf_status
review_import(struct engine *e, const struct actor *who, int64_t id,
	      const char *resource, const char *scope, const char *filename,
	      const void *data, size_t len, bool skip_bad_rows,
	      json_t **report, struct sf_error *err)
{
	struct rev r;
	struct ulimport_opts o = {0};
	char *gw = NULL;
	int64_t imp = 0;
	enum sf_status rc;

	/* Check the campaign and the caller, then import in a transaction
	 * of ulimport_file's own. */
	rc = rev_open(e, who, id, importers, &r, err);
	if (rc)
		return rc;
	rev_abort(&r);
	o.resource = resource;
	o.review_id = id;
	o.kind = "list";
	o.skip_bad_rows = skip_bad_rows;
	if (resource && strcmp(resource, "ccn") == 0)
		o.scope = scope && *scope ? scope : (gw = base_name(filename));
	else
		o.scope = scope;
	rc = ulimport_file(e->st, who, &o, filename, data, len, &imp, report,
			   err);
	free(gw);
	return rc;
}

enum sf_status
review_reconcile(struct engine *e, const struct actor *who, int64_t id,
		 json_t **out, struct sf_error *err)
{
	static const char *const roles[] = {"read:", "security_manager", NULL};
	struct rev r;
	enum sf_status rc;

	rc = rev_open(e, who, id, roles, &r, err);
	if (rc)
		return rc;
	rc = rev_reconcile(e->st, id, out, err);
	rev_abort(&r);
	return rc;
}

/* ---- step hooks ---- */

static json_t *
uid_set(json_t *list)
{
	json_t *s = json_object(), *x;
	size_t i;

	json_array_foreach(list, i, x) if (json_is_string(x))
		json_object_set_new(s, json_string_value(x), json_true());
	return s;
}

/* SEC.5.8: the staff accounts absent from the authorised list, per
 * team; each team's list to its ILSOs. */
static enum sf_status
compare_authorised(struct rev *r, struct sf_error *err)
{
	json_t *rec = NULL, *teams, *leavers, *pending = json_array(), *t;
	const char *team;
	enum sf_status rc;

	rc = rev_reconcile(r->st, r->inst->id, &rec, err);
	if (rc) {
		json_decref(pending);
		return rc;
	}
	teams = json_object_get(rec, "absent_staff");
	leavers = json_object();
	json_object_foreach(teams, team, t)
	{
		struct buf b;
		json_t *u, *to;
		size_t i;
		char *subject;

		json_object_set_new(leavers, team,
				    json_pack("{s:O, s:b}", "users", t,
					      "confirmed", 0));
		if (!*team) /* no team: straight to the project directors */
			continue;
		json_array_append_new(pending, json_string(team));
		buf_init(&b, 0);
		buf_addf(&b,
			 "These staff accounts of team %s are in a user list "
			 "of the %s review but not in the authorised user "
			 "list.  Please confirm which of them no longer work "
			 "on ITSM (secflow: step confirm_leavers of %s).\n\n",
			 team, rev_quarter(r), r->object);
		json_array_foreach(t, i, u)
			buf_addf(&b, "  %s  %s  (%s)\n",
				 json_string_value(json_object_get(u, "uid")),
				 json_string_value(
					 json_object_get(u, "full_name")),
				 json_string_value(
					 json_object_get(u, "source")));
		to = rev_addresses(r->st, "ilso", team, r->now);
		subject = xasprintf("User access review %s: staff accounts "
				    "to confirm - %s",
				    rev_quarter(r), team);
		if (json_array_size(to))
			rc = rev_mail(r, "ilso", team, to, NULL, subject,
				      b.data, NULL, err);
		json_decref(to);
		free(subject);
		buf_release(&b);
		if (rc)
			break;
	}
	json_object_set_new(r->inst->data, "_leavers", leavers);
	json_object_set_new(r->inst->data, "ilso_teams", pending);
	json_object_set_new(r->inst->data, "leavers_pending",
			    json_boolean(json_array_size(pending) > 0));
	json_object_set_new(r->inst->data, "unconfirmed_left",
			    json_boolean(json_object_get(teams, "") != NULL));
	json_decref(rec);
	return rc;
}

/* Users of LIST not in LEFT nor STILL. */
static json_t *
unconfirmed_of(json_t *users, json_t *left, json_t *still)
{
	json_t *l = uid_set(left), *s = uid_set(still), *out = json_array(), *u;
	size_t i;

	json_array_foreach(users, i, u)
	{
		const char *uid = json_string_value(json_object_get(u, "uid"));
		if (uid && !json_object_get(l, uid) && !json_object_get(s, uid))
			json_array_append(out, u);
	}
	json_decref(l);
	json_decref(s);
	return out;
}

static int
may_act_for(const struct actor *who, const char *role, const char *scope)
{
	return !who || who->operator || actor_is_admin(who) ||
	       actor_has_role(who, "security_manager") ||
	       actor_holds(who, role, scope, NULL);
}

static void
recompute_unconfirmed(json_t *data)
{
	json_t *leavers = json_object_get(data, "_leavers"), *t;
	const char *team;
	int any = 0;

	json_object_foreach(leavers, team, t)
	{
		json_t *un = json_object_get(t, "unconfirmed");
		if (!json_is_true(json_object_get(t, "confirmed")) ||
		    json_array_size(un))
			any = 1;
	}
	json_object_set_new(data, "unconfirmed_left", json_boolean(any));
}

static enum sf_status
confirm_leavers(struct hook_ctx *c, struct sf_error *err)
{
	json_t *data = c->inst->data;
	const char *team = json_string_value(json_object_get(c->input, "team"));
	json_t *pending = json_object_get(data, "ilso_teams");
	json_t *entry = json_object_get(json_object_get(data, "_leavers"),
					team ? team : "");
	json_t *np = json_array(), *x;
	size_t i;
	char day[16];
	int found = 0;

	json_array_foreach(pending, i, x)
	{
		if (strcmp(json_string_value(x), team) == 0)
			found = 1;
		else
			json_array_append(np, x);
	}
	if (!found || !entry) {
		json_decref(np);
		return sf_fail(err, SF_INVALID, "team",
			       "team \"%s\" has no list waiting for its ILSO",
			       team);
	}
	if (!may_act_for(c->who, "ilso", team)) {
		json_decref(np);
		return sf_fail(err, SF_FORBIDDEN, "team",
			       "only an ILSO of team %s confirms its list",
			       team);
	}
	rev_today(c->now, day);
	json_object_set_new(entry, "confirmed", json_true());
	{
		json_t *left = json_object_get(c->input, "left");
		json_object_set_new(entry, "left",
				    left ? json_incref(left) : json_array());
	}
	json_object_set_new(entry, "by", json_string(c->who->name));
	json_object_set_new(entry, "date", json_string(day));
	json_object_set_new(entry, "unconfirmed",
			    unconfirmed_of(json_object_get(entry, "users"),
					   json_object_get(c->input, "left"),
					   json_object_get(c->input,
							   "still_working")));
	json_object_set_new(data, "ilso_teams", np);
	json_object_set_new(data, "leavers_pending",
			    json_boolean(json_array_size(np) > 0));
	recompute_unconfirmed(data);
	return SF_OK;
}

static enum sf_status
confirm_directors(struct hook_ctx *c, struct sf_error *err)
{
	json_t *leavers = json_object_get(c->inst->data, "_leavers"), *t;
	json_t *left = json_object_get(c->input, "left");
	json_t *still = json_object_get(c->input, "still_working");
	const char *team;
	char day[16];

	(void)err;
	rev_today(c->now, day);
	json_object_foreach(leavers, team, t)
	{
		json_t *un = json_object_get(t, "unconfirmed");
		json_t *users = un ? un : json_object_get(t, "users");
		json_t *rest = unconfirmed_of(users, left, still);
		json_t *l = uid_set(left), *u;
		json_t *dl = json_array();
		size_t i;

		json_array_foreach(users, i, u)
		{
			const char *uid =
				json_string_value(json_object_get(u, "uid"));
			if (uid && json_object_get(l, uid))
				json_array_append_new(dl, json_string(uid));
		}
		json_decref(l);
		json_object_set_new(t, "directors_left", dl);
		json_object_set_new(t, "unconfirmed", rest);
		json_object_set_new(t, "directors_date", json_string(day));
	}
	return SF_OK;
}

static enum sf_status
lsa_confirmation(struct hook_ctx *c, struct sf_error *err)
{
	json_t *data = c->inst->data;
	const char *gw =
		json_string_value(json_object_get(c->input, "gateway"));
	json_t *gws = json_object_get(data, "gateways"), *x;
	json_t *conf = rev_obj(data, "_lsa_confirmations");
	json_t *form = json_object_get(c->input, "form");
	json_t *ref = json_object_get(c->input, "reference");
	size_t i;
	int found = 0, pending = 0;
	char day[16];

	json_array_foreach(gws, i, x) if (strcmp(json_string_value(x), gw) == 0)
		found = 1;
	if (!found)
		return sf_fail(err, SF_INVALID, "gateway",
			       "gateway \"%s\" got no workbook in this review",
			       gw);
	if (!may_act_for(c->who, "lsa", gw))
		return sf_fail(err, SF_FORBIDDEN, "gateway",
			       "only an LSA of gateway %s confirms for it", gw);
	rev_today(c->now, day);
	json_object_set_new(
		conf, gw,
		json_pack("{s:s, s:s, s:O, s:O}", "by", c->who->name, "date",
			  day, "reference", ref ? ref : json_null(), "form",
			  form ? json_object_get(form, "filename")
			       : json_null()));
	json_array_foreach(gws, i, x) if (!json_object_get(
		conf, json_string_value(x))) pending = 1;
	json_object_set_new(data, "lsa_pending", json_boolean(pending));
	return SF_OK;
}

/* Runs a send part from a step, in the engine's transaction. */
static enum sf_status
step_send(struct hook_ctx *c, const char *part, struct sf_error *err)
{
	struct rev r = {0};
	json_t *rep = json_object();
	enum sf_status rc;

	r.e = c->e;
	r.st = c->e->st;
	r.who = c->who;
	r.inst = c->inst;
	r.def = c->def;
	r.now = c->now;
	snprintf(r.object, sizeof(r.object), "%s", c->object);
	rc = rev_send_parts(&r, part, rep, err);
	json_decref(rep);
	if (!rc && strcmp(part, "lsa") == 0) {
		json_t *conf =
			json_object_get(c->inst->data, "_lsa_confirmations");
		json_t *gws = json_object_get(c->inst->data, "gateways"), *x;
		size_t i;
		int pending = 0;
		json_array_foreach(gws, i, x) if (!json_object_get(
			conf, json_string_value(x))) pending = 1;
		json_object_set_new(c->inst->data, "lsa_pending",
				    json_boolean(pending));
	}
	return rc;
}

static enum sf_status
rev_before(struct hook_ctx *c, struct sf_error *err)
{
	const char *id = c->step->id;
	json_t *data = c->inst->data;

	if (strcmp(id, "process_webportal") == 0) {
		json_t *rec = NULL;
		enum sf_status rc = rev_reconcile(c->e->st, c->inst->id, &rec,
						  err);
		if (rc)
			return rc;
		if (json_integer_value(json_object_get(
			    json_object_get(rec, "counts"), "rows")) == 0) {
			json_decref(rec);
			return sf_fail(err, SF_CONFLICT, "step",
				       "no Webportal user list is imported "
				       "for this review yet");
		}
		json_object_set(data, "reconciliation",
				json_object_get(rec, "counts"));
		json_decref(rec);
		return SF_OK;
	}
	if (strcmp(id, "send_npm") == 0)
		return step_send(c, "npm", err);
	if (strcmp(id, "send_lsa") == 0)
		return step_send(c, "lsa", err);
	if (strcmp(id, "send_igl") == 0)
		return step_send(c, "igl", err);
	if (strcmp(id, "compare_authorised") == 0) {
		struct rev r = {.e = c->e, .st = c->e->st, .who = c->who,
				.inst = c->inst, .def = c->def, .now = c->now};
		snprintf(r.object, sizeof(r.object), "%s", c->object);
		return compare_authorised(&r, err);
	}
	if (strcmp(id, "confirm_leavers") == 0)
		return confirm_leavers(c, err);
	if (strcmp(id, "confirm_directors") == 0)
		return confirm_directors(c, err);
	if (strcmp(id, "liso_check") == 0) {
		json_t *d = json_object_get(c->input, "disable");
		char day[16];
		rev_today(c->now, day);
		json_object_set_new(data, "_liso",
				    json_pack("{s:o, s:s, s:s}", "disable",
					      d ? json_incref(d) : json_array(),
					      "by",
					      c->who->name, "date", day));
		return SF_OK;
	}
	if (strcmp(id, "lsa_confirmation") == 0)
		return lsa_confirmation(c, err);
	if (strcmp(id, "consolidate") == 0) {
		struct rev r = {.e = c->e, .st = c->e->st, .who = c->who,
				.inst = c->inst, .def = c->def, .now = c->now};
		snprintf(r.object, sizeof(r.object), "%s", c->object);
		return rev_consolidate(&r, err);
	}
	if (strcmp(id, "submit_result") == 0) {
		char day[16];
		rev_today(c->now, day);
		json_object_set_new(data, "result_submitted", json_string(day));
	}
	return SF_OK;
}

static enum sf_status
rev_on_start(struct hook_ctx *c, struct sf_error *err)
{
	const char *q =
		json_string_value(json_object_get(c->inst->data, "quarter"));

	if (review_quarter_ok(q))
		return sf_fail(err, SF_INVALID, "quarter",
			       "the quarter is written yyyyQq, such as "
			       "2026Q4, not \"%s\"",
			       q ? q : "");
	/* What secflow sets, never the starter. */
	json_object_set_new(c->inst->data, "nas", json_array());
	json_object_set_new(c->inst->data, "gateways", json_array());
	json_object_set_new(c->inst->data, "ilso_teams", json_array());
	json_object_set_new(c->inst->data, "leavers_pending", json_false());
	json_object_set_new(c->inst->data, "unconfirmed_left", json_false());
	json_object_set_new(c->inst->data, "lsa_pending", json_false());
	return SF_OK;
}

/* ---- the view ---- */

static const struct {
	const char *resource, *provider, *authority;
} table3[] = {
	{"webportal", "ITSM Service Desk", "NPMs"},
	{"ccn", "CCN/TC (one CSV per gateway)", "NPMs (through the LSAs)"},
	{"circa", "none: no user list is provided to ITSM", "IGLs"},
	{"collab", "ITSM Infrastructure Management",
	 "ITSM Security Management with the ILSOs and project directors"},
	{"vpn", "ITSM Infrastructure Management",
	 "ITSM Security Management with the ILSOs and project directors"},
	{"smt", "ITSM Service Desk",
	 "ITSM Security Management with the ILSOs and project directors"},
	{"mailboxes", "ITSM Security Management",
	 "ITSM Security Management with the ILSOs and project directors"},
	{"authorised", "ITSM teams (Annex 4 of the MPR)",
	 "ITSM Security Management"},
};

/* Whom WHO sees everything of: not an NPM/LSA-only reader. */
static int
sees_all(const struct actor *who)
{
	static const char *const all[] = {"security_manager", "service_desk",
					  "liso", "project_director", "ilso",
					  NULL};
	if (!who || who->operator || actor_is_admin(who))
		return 1;
	for (size_t i = 0; all[i]; i++)
		if (actor_has_role(who, all[i]))
			return 1;
	return 0;
}

/* May a restricted WHO see an item of SCOPE? */
static int
sees_scope(const struct actor *who, const char *scope)
{
	return sees_all(who) ||
	       (scope && *scope &&
		(actor_holds(who, "npm", scope, NULL) ||
		 actor_holds(who, "lsa", scope, NULL)));
}

/* OBJ {scope: ...} filtered to what WHO sees (new). */
static json_t *
filter_obj(const struct actor *who, json_t *obj)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach(obj, k, v) if (sees_scope(who, k))
		json_object_set(out, k, v);
	return out;
}

static enum sf_status
rev_view(struct engine *e, const struct actor *who, struct instance *inst,
	 json_t *out, struct sf_error *err)
{
	json_t *data = inst->data, *imports = NULL, *res = json_array();
	json_t *mails = json_array(), *m, *x, *d;
	size_t i;
	int all = sees_all(who);
	enum sf_status rc;

	json_object_set(out, "quarter", json_object_get(data, "quarter"));
	for (size_t k = 0; k < sizeof(table3) / sizeof(table3[0]); k++)
		json_array_append_new(
			res, json_pack("{s:s, s:s, s:s}", "resource",
				       table3[k].resource, "provider",
				       table3[k].provider,
				       "authoritative_source",
				       table3[k].authority));
	json_object_set_new(out, "resources", res);
	rc = e->st->ops->ulist_imports(e->st, NULL, NULL, inst->id, &imports,
				       err);
	if (rc)
		return rc;
	{
		json_t *vis = json_array();
		json_array_foreach(imports, i, x)
		{
			const char *sc =
				json_string_value(json_object_get(x, "scope"));
			const char *kind =
				json_string_value(json_object_get(x, "kind"));
			if (all || (kind && strcmp(kind, "answer") == 0 &&
				    sees_scope(who, sc))) {
				json_t *info = json_object_get(x, "info");
				json_object_set(x, "row_errors",
						json_object_get(info, "skipped"));
				json_array_append(vis, x);
			}
		}
		json_decref(imports);
		json_object_set_new(out, "imports", vis);
	}
	json_array_foreach(json_object_get(data, "_mails"), i, m)
	{
		const char *sc = json_string_value(json_object_get(m, "scope"));
		if (all || (sc && *sc && sees_scope(who, sc)))
			json_array_append(mails, m);
	}
	json_object_set_new(out, "emails", mails);
	d = json_object_get(data, "_sent");
	{
		json_t *wb = json_array(), *v;
		const char *k;
		json_object_foreach(json_object_get(d, "nas"), k, v) if (
			sees_scope(who, k)) json_array_append_new(
			wb, json_pack("{s:s, s:s, s:O, s:I}", "kind", "na",
				      "scope", k, "filename",
				      json_object_get(v, "workbook"), "users",
				      (json_int_t)json_array_size(
					      json_object_get(v, "users"))));
		json_object_foreach(json_object_get(d, "gateways"), k, v) if (
			sees_scope(who, k)) json_array_append_new(
			wb, json_pack("{s:s, s:s, s:O, s:O}", "kind", "ccn",
				      "scope", k, "filename",
				      json_object_get(v, "workbook"), "rows",
				      json_object_get(v, "rows")));
		json_object_set_new(out, "workbooks", wb);
	}
	json_object_set_new(out, "answers",
			    filter_obj(who, rev_obj(data, "_answers")));
	{
		json_t *f = json_array(), *a;
		const char *k;
		json_object_foreach(json_object_get(data, "_answers"), k, a)
		{
			json_t *fx;
			size_t j;
			if (!sees_scope(who, k))
				continue;
			json_array_foreach(json_object_get(a, "findings"), j,
					   fx) json_array_append(f, fx);
		}
		json_object_set_new(out, "findings", f);
	}
	json_object_set_new(out, "lsa_confirmations",
			    filter_obj(who, rev_obj(data,
						    "_lsa_confirmations")));
	if (all) {
		json_object_set(out, "leavers", rev_obj(data, "_leavers"));
		json_object_set(out, "liso", rev_obj(data, "_liso"));
		json_t *rem = json_object_get(data, "_reminders");
		json_object_set_new(out, "reminders",
				    rem ? json_incref(rem) : json_array());
		json_object_set(out, "changes", rev_obj(data, "_changes"));
		json_object_set(out, "igl_answers", rev_obj(data, "_igl"));
	} else {
		/* An NPM sees its NA's items only. */
		json_t *dd = json_object_get(out, "data");
		json_t *nas = json_array();
		json_array_foreach(json_object_get(data, "nas"), i, x)
			if (sees_scope(who, json_string_value(x)))
				json_array_append(nas, x);
		json_object_set_new(dd, "nas", nas);
		json_object_del(dd, "reconciliation");
		json_object_del(dd, "ilso_teams");
	}
	return SF_OK;
}

const struct module_hooks reviews_hooks = {
	.process = "review.campaign",
	.on_start = rev_on_start,
	.before_step = rev_before,
	.on_job = rev_on_job,
	.view = rev_view,
};
