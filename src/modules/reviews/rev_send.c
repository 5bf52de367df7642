/*
 * rev_send.c - SEC.5.3, 5.12, 5.14: the e-mails of a campaign and their
 * reminders.
 *
 *   npm  per NA, to its NPMs (users with role npm scoped to the NA), the
 *        NA's workbook attached, the NA code at the end of the subject;
 *        and the copy for the SMT record, to the Service Desk, with the
 *        workbook removed (seed: "for confidentiality reasons").
 *   lsa  per CCN gateway, to its LSAs (role lsa scoped to the gateway),
 *        the gateway's workbook attached; the SMT copy likewise.
 *   igl  one e-mail to every interest group leader (the CIRCA list's
 *        leaders and the users with role igl) in BCC.
 *
 * Each part goes once and schedules two module jobs, "review_reminder"
 * 14 and 28 calendar days later (the seed's "after two weeks ... two
 * weeks later"); each reminds only those who have not answered and runs
 * once (the job lease, and the round noted in the campaign).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/jsonget.h"
#include "modules/reviews/rev_internal.h"

#define DAY 86400

static enum sf_status
schedule(struct rev *r, const char *part, struct sf_error *err)
{
	enum sf_status rc = SF_OK;

	for (int round = 1; round <= 2 && !rc; round++) {
		char *payload = xasprintf("{\"part\":\"%s\",\"round\":%d}",
					  part, round);
		rc = r->st->ops->job_add(r->st, "review_reminder", r->inst->id,
					 0, r->now + (sf_time)round * 14 * DAY,
					 payload, err);
		free(payload);
	}
	return rc;
}

static json_t *
snapshot_user(json_t *u)
{
	json_t *rd = json_object_get(u, "csrd_domain");
	json_t *md = json_object_get(u, "csmis_domain");

	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s}", "uid",
			 json_get_str(u, "uid"), "full_name",
			 json_get_str(u, "full_name"), "csrd_tst",
			 json_get_str(u, "csrd_tst"), "csrd_prod",
			 json_get_str(u, "csrd_prod"), "csrd_domain",
			 rd ? json_incref(rd) : json_array(), "csmis_profile",
			 json_get_str(u, "csmis_profile"), "csmis_domain",
			 md ? json_incref(md) : json_array(), "organisation",
			 json_get_str(u, "organisation"));
}

static enum sf_status
send_scoped(struct rev *r, int ccn, json_t *groups, json_t *report,
	    struct sf_error *err)
{
	json_t *sent = rev_obj(rev_obj(r->inst->data, "_sent"),
			       ccn ? "gateways" : "nas");
	json_t *list = json_array(), *rows, *sd = rev_service_desk(r->st, r->now);
	const char *scope;
	enum sf_status rc = SF_OK;

	json_object_foreach(groups, scope, rows)
	{
		char *bytes = NULL, *name, *subject, *body, *copy;
		size_t len = 0, i;
		json_t *to, *att, *snap = json_array(), *u;

		name = ccn ? rev_ccn_workbook_name(rev_quarter(r), scope)
			   : rev_na_workbook_name(rev_quarter(r), scope);
		rc = ccn ? rev_ccn_workbook(rev_quarter(r), scope, rows, r->now,
					    &bytes, &len, err)
			 : rev_na_workbook(rev_quarter(r), scope, rows, r->now,
					   &bytes, &len, err);
		if (rc) {
			free(name);
			json_decref(snap);
			break;
		}
		to = rev_addresses(r->st, ccn ? "lsa" : "npm", scope, r->now);
		json_array_foreach(rows, i, u)
			json_array_append_new(
			    snap,
			    ccn ? json_pack("{s:s, s:s}", "user",
					    json_get_str(u, "user"), "profile",
					    json_get_str(u, "profile"))
				: snapshot_user(u));
		json_object_set_new(sent, scope,
				    json_pack("{s:s, s:o, s:O, s:I}", "workbook",
					      name, "users", snap, "to", to,
					      "rows",
					      (json_int_t)json_array_size(rows)));
		json_array_append_new(list, json_string(scope));
		subject = ccn ? xasprintf("CCN bi-annual review of user "
					  "accesses %s - %s",
					  rev_quarter(r), scope)
			      : xasprintf("Bi-annual review of user accesses "
					  "%s - %s",
					  rev_quarter(r), scope);
		body = ccn ? xasprintf(
				     "Dear Local Security Administrator,\n\n"
				     "Please review the CCN users of gateway "
				     "%s in the attached workbook %s, remove "
				     "the profiles that are no longer needed, "
				     "fill in the column \"Change D/K\" (D = "
				     "disabled, K = kept) and send the "
				     "workbook back to the ITSM Service "
				     "Desk.  Then send the signed form "
				     "confirming the removals to ITSM "
				     "Security Management.\n\nITSM Service "
				     "Desk\n",
				     scope, name)
			   : xasprintf(
				     "Dear National Project Manager,\n\nPlease "
				     "review the ITSM Webportal users of your "
				     "National Administration (%s) in the "
				     "attached workbook %s: set Deleted to "
				     "TRUE for accounts to disable and edit "
				     "the rights to change, then send the "
				     "workbook back to the ITSM Service "
				     "Desk.\n\nITSM Service Desk\n",
				     scope, name);
		att = json_pack("[o]", rev_attachment(name,
						      "application/vnd."
						      "openxmlformats-"
						      "officedocument."
						      "spreadsheetml.sheet",
						      bytes, len));
		free(bytes);
		if (json_array_size(to))
			rc = rev_mail(r, ccn ? "lsa" : "npm", scope, to, NULL,
				      subject, body, att, err);
		else
			json_array_append_new(
				json_object_get(report, "no_recipient"),
				json_pack("{s:s, s:s}", "kind",
					  ccn ? "lsa" : "npm", "scope", scope));
		json_decref(att);
		if (!rc && json_array_size(sd)) {
			copy = xasprintf("SMT copy (workbook %s removed): %s",
					 name, subject);
			rc = rev_mail(r, "smt_copy", scope, sd, NULL, copy,
				      body, NULL, err);
			free(copy);
		}
		json_array_append_new(json_object_get(report,
						      ccn ? "lsa" : "npm"),
				      json_pack("{s:s, s:s, s:o}", "scope",
						scope, "workbook", name, "to",
						to));
		free(name);
		free(subject);
		free(body);
		if (rc)
			break;
	}
	json_decref(sd);
	if (!rc)
		json_object_set_new(r->inst->data, ccn ? "gateways" : "nas",
				    list);
	else
		json_decref(list);
	return rc;
}

static json_t *
igl_list(struct rev *r, json_t *rec)
{
	json_t *all = json_deep_copy(json_object_get(rec, "igls"));
	json_t *more = rev_addresses(r->st, "igl", "", r->now), *x, *y;
	size_t i, k;

	if (!all)
		all = json_array();
	json_array_foreach(more, i, x)
	{
		int dup = 0;
		json_array_foreach(all, k, y) if (strcasecmp(
			json_string_value(x), json_string_value(y)) == 0) dup = 1;
		if (!dup)
			json_array_append(all, x);
	}
	json_decref(more);
	return all;
}

static enum sf_status
send_igl(struct rev *r, json_t *rec, json_t *report, struct sf_error *err)
{
	json_t *bcc = igl_list(r, rec), *to = rev_service_desk(r->st, r->now);
	char *subject = xasprintf("CIRCA bi-annual review of user accesses %s",
				  rev_quarter(r));
	enum sf_status rc = SF_OK;

	json_object_set_new(rev_obj(r->inst->data, "_sent"), "igl",
			    json_pack("{s:O}", "bcc", bcc));
	if (json_array_size(bcc))
		rc = rev_mail(r, "igl", "", to, bcc, subject,
			      "Dear Interest Group Leader,\n\nPlease review "
			      "the members of your CIRCA interest group and "
			      "tell the ITSM Service Desk which accesses are "
			      "no longer needed.\n\nITSM Service Desk\n",
			      NULL, err);
	else
		json_array_append_new(json_object_get(report, "no_recipient"),
				      json_pack("{s:s, s:s}", "kind", "igl",
						"scope", ""));
	json_object_set_new(report, "igl", json_pack("{s:O}", "bcc", bcc));
	json_decref(bcc);
	json_decref(to);
	free(subject);
	return rc;
}

enum sf_status
rev_send_parts(struct rev *r, const char *part, json_t *report,
	       struct sf_error *err)
{
	static const char *const parts[] = {"npm", "lsa", "igl"};
	json_t *sent = rev_obj(r->inst->data, "sent"), *rec = NULL;
	char day[16];
	enum sf_status rc;

	rc = rev_reconcile(r->st, r->inst->id, &rec, err);
	if (rc)
		return rc;
	rev_today(r->now, day);
	json_object_set_new(report, "npm", json_array());
	json_object_set_new(report, "lsa", json_array());
	json_object_set_new(report, "no_recipient", json_array());
	json_object_set_new(report, "already_sent", json_array());
	for (size_t i = 0; i < 3 && !rc; i++) {
		if (strcmp(part, "all") != 0 && strcmp(part, parts[i]) != 0)
			continue;
		if (json_object_get(sent, parts[i])) {
			json_array_append_new(
				json_object_get(report, "already_sent"),
				json_string(parts[i]));
			continue;
		}
		if (i == 0)
			rc = send_scoped(r, 0, json_object_get(rec, "nas"),
					 report, err);
		else if (i == 1)
			rc = send_scoped(r, 1, json_object_get(rec, "gateways"),
					 report, err);
		else
			rc = send_igl(r, rec, report, err);
		if (!rc)
			rc = schedule(r, parts[i], err);
		if (!rc)
			json_object_set_new(sent, parts[i], json_string(day));
	}
	json_decref(rec);
	return rc;
}

enum sf_status
review_send(struct engine *e, const struct actor *who, int64_t id,
	    json_t **report, struct sf_error *err)
{
	static const char *const roles[] = {"security_manager", "service_desk",
					    NULL};
	struct rev r;
	json_t *rep = json_object();
	enum sf_status rc;

	rc = rev_open(e, who, id, roles, &r, err);
	if (rc) {
		json_decref(rep);
		return rc;
	}
	rc = rev_send_parts(&r, "all", rep, err);
	if (rc) {
		rev_abort(&r);
		json_decref(rep);
		return rc;
	}
	rc = rev_commit(&r, "review:send", rep, err);
	if (rc) {
		json_decref(rep);
		return rc;
	}
	*report = rep;
	return SF_OK;
}

/* Has SCOPE of PART answered? */
static int
answered(json_t *data, const char *part, const char *scope)
{
	if (strcmp(part, "npm") == 0)
		return json_object_get(json_object_get(data, "_answers"),
				       scope) != NULL;
	if (strcmp(part, "lsa") == 0)
		return json_object_get(json_object_get(data, "_ccn_answers"),
				       scope) != NULL ||
		       json_object_get(json_object_get(data,
						       "_lsa_confirmations"),
				       scope) != NULL;
	return json_object_get(json_object_get(data, "_igl"), scope) != NULL;
}

enum sf_status
rev_on_job(struct engine *e, const struct actor *sys, struct instance *inst,
	   const struct procdef *def, const char *kind, json_t *payload,
	   sf_time now, struct sf_error *err)
{
	struct rev r = {.e = e, .st = e->st, .who = sys, .inst = inst,
			.def = def, .now = now};
	const char *part = json_get_str(payload, "part");
	int round = (int)json_integer_value(json_object_get(payload, "round"));
	json_t *rem, *x, *to = json_array(), *after;
	size_t i;
	char day[16];
	enum sf_status rc = SF_OK;

	if (strcmp(kind, "review_reminder") != 0 || !*part) {
		json_decref(to);
		return SF_OK;
	}
	snprintf(r.object, sizeof(r.object), "reviews/%lld",
		 (long long)inst->id);
	rem = json_object_get(inst->data, "_reminders");
	if (!json_is_array(rem)) {
		rem = json_array();
		json_object_set_new(inst->data, "_reminders", rem);
	}
	json_array_foreach (rem, i, x)
		if (strcmp(json_get_str(x, "part"), part) == 0 &&
		    json_integer_value(json_object_get(x, "round")) == round) {
			json_decref(to);
			return SF_OK; /* done already */
		}
	rev_today(now, day);
	if (strcmp(part, "igl") == 0) {
		json_t *bcc = json_object_get(
			json_object_get(json_object_get(inst->data, "_sent"),
					"igl"),
			"bcc");
		json_t *left = json_array(), *sd = rev_service_desk(e->st, now);
		json_array_foreach(bcc, i, x) if (!answered(
			inst->data, "igl", json_string_value(x)))
			json_array_append(left, x);
		if (json_array_size(left)) {
			char *subject = xasprintf(
				"Reminder %d: CIRCA bi-annual review of user "
				"accesses %s",
				round, rev_quarter(&r));
			rc = rev_mail(&r, "reminder", "", sd, left, subject,
				      "Dear Interest Group Leader,\n\nWe have "
				      "not received your answer to the CIRCA "
				      "user access review yet.  Please send "
				      "it to the ITSM Service Desk.\n",
				      NULL, err);
			free(subject);
			json_array_append(to, left);
		}
		json_decref(left);
		json_decref(sd);
	} else {
		int ccn = strcmp(part, "lsa") == 0;
		json_t *sent = json_object_get(
			json_object_get(inst->data, "_sent"),
			ccn ? "gateways" : "nas");
		const char *scope;
		json_t *v;
		json_object_foreach(sent, scope, v)
		{
			json_t *addr;
			char *subject, *body;
			if (answered(inst->data, part, scope))
				continue;
			addr = rev_addresses(e->st, ccn ? "lsa" : "npm", scope,
					     now);
			if (!json_array_size(addr)) {
				json_decref(addr);
				continue;
			}
			subject = xasprintf(
				"Reminder %d: %sbi-annual review of user "
				"accesses %s - %s",
				round, ccn ? "CCN " : "", rev_quarter(&r), scope);
			body = xasprintf("We have not received the reviewed "
					 "workbook %s yet.  Please send it "
					 "back to the ITSM Service Desk.\n",
					 json_get_str(v, "workbook"));
			rc = rev_mail(&r, "reminder", scope, addr, NULL,
				      subject, body, NULL, err);
			free(subject);
			free(body);
			json_decref(addr);
			json_array_append_new(to, json_string(scope));
			if (rc)
				break;
		}
	}
	if (rc) {
		json_decref(to);
		return rc;
	}
	json_array_append_new(rem, json_pack("{s:s, s:i, s:s, s:O}", "part",
					     part, "round", round, "date", day,
					     "reminded", to));
	after = json_pack("{s:s, s:i, s:o}", "part", part, "round", round,
			  "reminded", to);
	rc = rev_write(&r, "review:reminder", after, err);
	json_decref(after);
	return rc;
}

enum sf_status
review_workbooks(struct engine *e, const struct actor *who, int64_t id,
		 const char *dir, json_t **files, struct sf_error *err)
{
	static const char *const roles[] = {"read:", "security_manager",
					    "service_desk", NULL};
	struct rev r;
	json_t *rec = NULL, *rows, *out = json_array();
	const char *scope;
	enum sf_status rc;

	rc = rev_open(e, who, id, roles, &r, err);
	if (rc) {
		json_decref(out);
		return rc;
	}
	rc = rev_reconcile(r.st, id, &rec, err);
	if (rc) {
		json_decref(out);
		rev_abort(&r);
		return rc;
	}
	for (int ccn = 0; ccn < 2 && !rc; ccn++)
		json_object_foreach(json_object_get(rec, ccn ? "gateways"
							      : "nas"),
				    scope, rows)
		{
			char *bytes = NULL, *name, *path;
			size_t len = 0;
			FILE *f;
			rc = ccn ? rev_ccn_workbook(rev_quarter(&r), scope,
						    rows, r.now, &bytes, &len,
						    err)
				 : rev_na_workbook(rev_quarter(&r), scope, rows,
						   r.now, &bytes, &len, err);
			if (rc)
				break;
			name = ccn ? rev_ccn_workbook_name(rev_quarter(&r), scope)
				   : rev_na_workbook_name(rev_quarter(&r), scope);
			path = xasprintf("%s/%s", dir, name);
			f = fopen(path, "wb");
			if (!f || fwrite(bytes, 1, len, f) != len)
				rc = sf_fail(err, SF_IO, "dir",
					     "cannot write %s", path);
			if (f && fclose(f) && !rc)
				rc = sf_fail(err, SF_IO, "dir",
					     "cannot write %s", path);
			json_array_append_new(out, json_string(path));
			free(bytes);
			free(name);
			free(path);
			if (rc)
				break;
		}
	json_decref(rec);
	rev_abort(&r);
	if (rc) {
		json_decref(out);
		return rc;
	}
	*files = out;
	return SF_OK;
}
