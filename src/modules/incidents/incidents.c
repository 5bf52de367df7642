/*
 * incidents.c - the hooks of incident.handle, intake (JSON from the
 * Service Desk's tool, or an e-mail file), the report, and the catalogue
 * of routine incident types.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/audit.h"
#include "modules/incidents/inc_internal.h"
#include "modules/incidents/incidents.h"
#include "modules/incidents/report.h"

__thread const struct inc_pending *inc_pending;

/* The routine types of seed 002 SEC.4.1; an admin may add others. */
static const char *const seed_routine[] = {
	"application down or slow",
	"disk space low",
	"unscheduled NA unavailability",
	NULL,
};

enum sf_status
routine_types(struct store *st, json_t **out, struct sf_error *err)
{
	json_t *all = NULL, *x;
	size_t i;
	enum sf_status rc = st->ops->catalog_list(st, "routine_type", &all, err);

	if (rc)
		return rc;
	*out = json_array();
	for (size_t k = 0; seed_routine[k]; k++) {
		json_t *e = NULL;
		/* A seed type an admin removed is kept as {"removed":true}. */
		if (st->ops->catalog_get(st, "routine_type", seed_routine[k], &e,
					 err) == SF_OK &&
		    json_is_true(json_object_get(e, "removed"))) {
			json_decref(e);
			continue;
		}
		json_decref(e);
		json_array_append_new(*out, json_string(seed_routine[k]));
	}
	json_array_foreach(all, i, x)
	{
		const char *n = json_string_value(json_object_get(x, "name"));
		int seed = 0;
		for (size_t k = 0; seed_routine[k]; k++)
			if (strcmp(seed_routine[k], n) == 0)
				seed = 1;
		if (!seed && !json_is_true(json_object_get(
				     json_object_get(x, "data"), "removed")))
			json_array_append_new(*out, json_string(n));
	}
	json_decref(all);
	return SF_OK;
}

static enum sf_status
routine_put(struct store *st, const struct actor *who, const char *name,
	    int removed, struct sf_error *err)
{
	json_t *data, *after;
	char object[160];
	enum sf_status rc;
	size_t n = name ? strlen(name) : 0;

	if (!actor_is_admin(who))
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only an admin edits the routine types");
	if (n == 0 || n > 100)
		return sf_fail(err, SF_INVALID, "name",
			       "a routine type is 1 to 100 characters");
	rc = st->ops->begin(st, err);
	if (rc)
		return rc;
	data = json_pack("{s:b}", "removed", removed);
	rc = st->ops->catalog_put(st, "routine_type", name, data, clock_now(),
				  err);
	json_decref(data);
	snprintf(object, sizeof(object), "routine_types/%s", name);
	after = json_pack("{s:s}", "name", name);
	if (!rc)
		rc = audit_append(st, who, "admin", NULL, object,
				  removed ? "routine:remove" : "routine:add",
				  NULL, after, clock_now(), err);
	json_decref(after);
	if (rc) {
		st->ops->rollback(st);
		return rc;
	}
	return st->ops->commit(st, err);
}

enum sf_status
routine_type_add(struct store *st, const struct actor *who, const char *name,
		 struct sf_error *err)
{
	return routine_put(st, who, name, 0, err);
}

enum sf_status
routine_type_remove(struct store *st, const struct actor *who,
		    const char *name, struct sf_error *err)
{
	json_t *types = NULL, *x;
	size_t i;
	int found = 0;
	enum sf_status rc;

	/* The role first: a wrong role is 403 whether the type exists or
	 * not (routine_put checks it again). */
	if (!actor_is_admin(who))
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only an admin edits the routine types");
	rc = routine_types(st, &types, err);
	if (rc)
		return rc;
	json_array_foreach(types, i, x)
		if (name && strcmp(json_string_value(x), name) == 0)
			found = 1;
	json_decref(types);
	if (!found)
		return sf_fail(err, SF_NOT_FOUND, "name",
			       "no routine type \"%s\"", name ? name : "");
	return routine_put(st, who, name, 1, err);
}

/* The e-mail's facts kept with the incident, and its attachments kept
 * as evidence (never scanned). */
static enum sf_status
keep_mail(struct hook_ctx *c, const struct inc_pending *p,
	  struct sf_error *err)
{
	const struct email_msg *m = p->mail;
	json_t *mail = json_object(), *to = json_array(), *files = json_array();
	enum sf_status rc = SF_OK;

	if (m->nfrom)
		json_object_set_new(mail, "from", json_string(m->from[0].addr));
	for (size_t i = 0; i < m->nto; i++)
		json_array_append_new(to, json_string(m->to[i].addr));
	json_object_set_new(mail, "to", to);
	if (m->subject)
		json_object_set_new(mail, "subject", json_string(m->subject));
	if (m->date)
		json_object_set_new(mail, "date", json_string(m->date));
	if (m->message_id)
		json_object_set_new(mail, "message_id",
				    json_string(m->message_id));
	for (size_t i = 0; i < m->nattachments && !rc; i++) {
		const struct email_attachment *a = &m->attachments[i];
		size_t blen = sodium_base64_encoded_len(
			a->len, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = xmalloc(blen), name[96], hex[65];
		unsigned char h[32];
		json_t *meta, *entry;
		int64_t seq;

		sodium_bin2base64(b64, blen, a->data, a->len,
				  sodium_base64_VARIANT_ORIGINAL);
		crypto_hash_sha256(h, a->data, a->len);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		rc = c->e->st->ops->counter_next(c->e->st, "incident_file", &seq,
						 err);
		if (!rc) {
			snprintf(name, sizeof(name), "%lld/%lld",
				 (long long)c->inst->id, (long long)seq);
			meta = json_pack("{s:s, s:s, s:s, s:I, s:s}", "file", name,
					 "filename",
					 a->filename ? a->filename : "attachment",
					 "content_type", a->content_type, "size",
					 (json_int_t)a->len, "sha256", hex);
			entry = json_pack("{s:O, s:s}", "meta", meta,
					  "content_b64", b64);
			rc = c->e->st->ops->catalog_put(c->e->st,
							"incident_file", name,
							entry, c->now, err);
			json_decref(entry);
			json_array_append_new(files, meta);
		}
		free(b64);
	}
	json_object_set_new(mail, "attachments", files);
	json_object_set_new(c->inst->data, "email", mail);
	return rc;
}

static enum sf_status
inc_start(struct hook_ctx *c, struct sf_error *err)
{
	json_t *d = c->inst->data;
	const struct inc_pending *p = inc_pending;
	const char *na = json_string_value(json_object_get(d, "na"));
	const char *ref = json_string_value(json_object_get(d, "reference"));
	json_t *have = NULL, *idx;
	int newly = 0;
	enum sf_status rc;

	rc = c->e->st->ops->catalog_get(c->e->st, "incident_ref", ref, &have,
					err);
	json_decref(have);
	if (rc == SF_OK)
		return sf_fail(err, SF_CONFLICT, "reference",
			       "incident %s is registered already", ref);
	if (rc != SF_NOT_FOUND)
		return rc;
	/* secflow's own fields: whatever the caller said, they start so. */
	json_object_set_new(d, "flagged", json_false());
	json_object_set_new(d, "ilso_teams", json_array());
	json_object_set_new(d, "nisos",
			    na && *na ? json_pack("[s]", na) : json_array());
	json_object_set_new(d, "actions_open", json_false());
	json_object_set_new(d, "high_impact", json_false());
	json_object_set_new(d, "report_ready", json_false());
	json_object_set_new(d, "source",
			    json_string(p && p->mail ? "email" : "api"));
	if (na && (strchr(na, '|') || strchr(na, ';')))
		return sf_fail(err, SF_INVALID, "na", "an NA code holds no | or ;");
	rc = inc_scan(c->e->st, d, p ? p->mail : NULL, &newly, err);
	if (!rc && p && p->mail)
		rc = keep_mail(c, p, err);
	idx = json_pack("{s:I}", "id", (json_int_t)c->inst->id);
	if (!rc)
		rc = c->e->st->ops->catalog_put(c->e->st, "incident_ref", ref, idx,
						c->now, err);
	json_decref(idx);
	if (!rc && newly)
		rc = inc_notify_flagged(c->e, d, c->object, c->now, err);
	return rc;
}

static enum sf_status
inc_before(struct hook_ctx *c, struct sf_error *err)
{
	return inc_step(c, err);
}

static enum sf_status
inc_view(struct engine *e, const struct actor *who, struct instance *inst,
	 json_t *out, struct sf_error *err)
{
	static const char *const top[] = {
		"reference", "title",	   "description", "na",
		"systems",   "reporter",   "flagged",	  "matches",
		"source",    "email",	   "screening",	  "correlation",
		"evidence_requests", "evidence", "actions", "assessment",
		"contributions", "report", "ilso_teams", "nisos", NULL};
	json_t *d = inst->data;

	(void)err;
	for (size_t k = 0; top[k]; k++) {
		json_t *v = json_object_get(d, top[k]);
		if (v)
			json_object_set(out, top[k], v);
	}
	if (!json_object_get(out, "matches"))
		json_object_set_new(out, "matches", json_array());
	if (!json_object_get(out, "actions"))
		json_object_set_new(out, "actions", json_array());
	json_object_set_new(out, "high_impact",
			    json_boolean(json_is_true(
				    json_object_get(d, "high_impact"))));
	json_object_set_new(out, "correlations",
			    inc_correlations(e, who, inst));
	return SF_OK;
}

const struct module_hooks incidents_hooks = {
	.process = "incident.handle",
	.on_start = inc_start,
	.before_step = inc_before,
	.view = inc_view,
};

/* A reference for an e-mail without one: from its Message-ID, else from
 * the whole message, so the same message ingested twice is the same
 * incident; nothing is written before the incident is. */
static char *
mail_reference(const struct email_msg *m, const char *raw, size_t len)
{
	unsigned char h[32];
	char hex[65];

	if (m->message_id && *m->message_id)
		crypto_hash_sha256(h, (const unsigned char *)m->message_id,
				   strlen(m->message_id));
	else
		crypto_hash_sha256(h, (const unsigned char *)raw, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	hex[12] = '\0';
	return xasprintf("MAIL-%s", hex);
}

/* Modify the incident ID with FIELDS (and MAIL): rescan, audit, tell the
 * security mailbox when it is newly flagged. */
static enum sf_status
modify(struct engine *e, const struct actor *who, int64_t id, json_t *fields,
       const struct email_msg *mail, struct sf_error *err)
{
	static const char *const editable[] = {"title", "description", "na",
					       "systems", "reporter", NULL};
	struct store *st = e->st;
	struct instance inst = {0};
	json_t *before = json_object(), *after = json_object();
	char object[64];
	int newly = 0;
	enum sf_status rc;

	if (!actor_is_admin(who) && !actor_has_role(who, "service_desk") &&
	    !actor_has_role(who, "security_manager")) {
		json_decref(before);
		json_decref(after);
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only the Service Desk or the Security Manager "
			       "modify incidents");
	}
	rc = st->ops->begin(st, err);
	if (!rc)
		rc = st->ops->instance_get(st, id, &inst, err);
	if (rc)
		goto out;
	for (size_t k = 0; editable[k]; k++) {
		json_t *v = json_object_get(fields, editable[k]);
		json_t *old = json_object_get(inst.data, editable[k]);
		if (!v || json_equal(v, old))
			continue;
		json_object_set(before, editable[k], old ? old : json_null());
		json_object_set(after, editable[k], v);
		json_object_set(inst.data, editable[k], v);
		if (strcmp(editable[k], "na") == 0 && json_is_string(v)) {
			json_t *n = json_object_get(inst.data, "nisos");
			if (!json_is_array(n)) {
				n = json_array();
				json_object_set_new(inst.data, "nisos", n);
			}
			json_array_append(n, v);
		}
	}
	rc = inc_scan(st, inst.data, mail, &newly, err);
	if (rc)
		goto out;
	json_object_set(after, "flagged", json_object_get(inst.data, "flagged"));
	json_object_set_new(after, "matches",
			    json_integer((json_int_t)json_array_size(
				    json_object_get(inst.data, "matches"))));
	snprintf(object, sizeof(object), "incidents/%lld", (long long)id);
	if (newly && strcmp(inst.state, "running") != 0 &&
	    !json_object_get(inst.data, "screening")) {
		/* Never screened (it was not flagged): now it is, so the
		 * Security Manager screens it. */
		rc = engine_reopen(e, who, &inst, "screen", "modify", after,
				   clock_now(), err);
	} else {
		char *sum = engine_summary(e, inst.process, inst.data);
		rc = st->ops->instance_update(st, id, inst.state, inst.data,
					      sum, inst.rev, clock_now(), err);
		free(sum);
		if (!rc)
			rc = audit_append(st, who, NULL, NULL, object, "modify",
					  before, after, clock_now(), err);
	}
	if (!rc && newly)
		rc = inc_notify_flagged(e, inst.data, object, clock_now(), err);
	if (!rc) {
		rc = st->ops->commit(st, err);
		goto done;
	}
out:
	st->ops->rollback(st);
done:
	json_decref(before);
	json_decref(after);
	instance_release(&inst);
	return rc;
}

enum sf_status
incident_intake(struct engine *e, const struct actor *who, json_t *fields,
		const char *raw, size_t len, int64_t *id, int *created,
		struct sf_error *err)
{
	struct email_msg m = {0};
	struct inc_pending p = {0};
	json_t *data = json_object(), *have = NULL;
	const char *ref;
	enum sf_status rc = SF_OK;

	static const char *const allowed[] = {"reference", "title",
					      "description", "na",
					      "systems",   "reporter", NULL};
	*created = 0;
	if (fields) {
		const char *k;
		json_t *v;
		json_object_foreach(fields, k, v)
		{
			int ok = 0;
			for (size_t i = 0; allowed[i]; i++)
				if (strcmp(allowed[i], k) == 0)
					ok = 1;
			if (!ok) {
				json_decref(data);
				return sf_fail(err, SF_INVALID, k,
					       "unknown field \"%s\" (an "
					       "incident takes reference, "
					       "title, description, na, "
					       "systems, reporter)",
					       k);
			}
			json_object_set(data, k, v);
		}
	}
	if (raw) {
		rc = email_parse(raw, len, &m, err);
		if (rc) {
			json_decref(data);
			return rc;
		}
		p.mail = &m;
		p.raw = raw;
		p.rawlen = len;
		if (!json_object_get(data, "reference")) {
			char *r = mail_reference(&m, raw, len);
			json_object_set_new(data, "reference", json_string(r));
			free(r);
		}
		if (!json_object_get(data, "title") && m.subject)
			json_object_set_new(data, "title",
					    json_string(m.subject));
		if (!json_object_get(data, "reporter") && m.nfrom)
			json_object_set_new(data, "reporter",
					    json_string(m.from[0].addr));
		if (!json_object_get(data, "description"))
			for (size_t i = 0; i < m.ntexts; i++)
				if (!m.texts[i].html) {
					json_object_set_new(
						data, "description",
						json_stringn(m.texts[i].text,
							     m.texts[i].len));
					break;
				}
	}
	ref = json_string_value(json_object_get(data, "reference"));
	if (ref && e->st->ops->catalog_get(e->st, "incident_ref", ref, &have,
					   err) == SF_OK) {
		*id = json_integer_value(json_object_get(have, "id"));
		json_decref(have);
		rc = modify(e, who, *id, data, p.mail, err);
	} else {
		inc_pending = &p;
		rc = engine_start(e, who, "incident.handle", data, id, err);
		inc_pending = NULL;
		if (!rc)
			*created = 1;
	}
	json_decref(data);
	email_msg_release(&m);
	return rc;
}

enum sf_status
incident_report(struct engine *e, const struct actor *who, int64_t id,
		const char *format, char **data, size_t *len,
		const char **ctype, struct sf_error *err)
{
	json_t *view = NULL, *audit = NULL;
	char object[64], *md, title[160];
	enum sf_status rc;

	*data = NULL;
	if (!format)
		format = "md";
	if (strcmp(format, "md") && strcmp(format, "html") &&
	    strcmp(format, "pdf"))
		return sf_fail(err, SF_INVALID, "format",
			       "format is md, html or pdf");
	rc = engine_view(e, who, "incidents", id, &view, err);
	if (rc)
		return rc;
	if (!json_is_true(json_object_get(view, "high_impact")) ||
	    !json_object_get(json_object_get(view, "data"), "report")) {
		json_decref(view);
		return sf_fail(err, SF_CONFLICT, NULL,
			       "incident %lld has no Security Incident Report: "
			       "only a flagged, specific, high-impact incident "
			       "gets one, from start_report on",
			       (long long)id);
	}
	snprintf(object, sizeof(object), "incidents/%lld", (long long)id);
	rc = audit_list(e->st, object, &audit, err);
	if (rc) {
		json_decref(view);
		return rc;
	}
	md = incident_report_md(view, audit);
	snprintf(title, sizeof(title), "Security Incident Report %s",
		 json_string_value(json_object_get(view, "reference")));
	json_decref(view);
	json_decref(audit);
	if (strcmp(format, "md") == 0) {
		*data = md;
		*len = strlen(md);
		*ctype = "text/markdown; charset=utf-8";
		return SF_OK;
	}
	if (strcmp(format, "html") == 0) {
		*data = incident_report_html(md, title);
		*len = strlen(*data);
		*ctype = "text/html; charset=utf-8";
		free(md);
		return SF_OK;
	}
	rc = incident_report_pdf(md, title, (unsigned char **)data, len, err);
	free(md);
	*ctype = "application/pdf";
	return rc;
}
