/*
 * rev_answer.c - SEC.5.4 and 5.13: answers and their quality check, and
 * the change list for the Service Desk.
 *
 * An NA's answer is its workbook sent back.  It is imported as a
 * Webportal list (kind "answer", scope the NA), so bad values are
 * refused with file, sheet, line and column, then compared with what was
 * sent.  Findings:
 *   inconsistencies - a user that was not sent (unknown_user), a user
 *     twice (duplicate_row), a user left out (missing_user), another NA
 *     in the NA column (wrong_na), rights on CS/RD without any CS/RD
 *     domain (rights_without_domain);
 *   forbidden requests - write access (Write or Full) to CS/RD PROD for
 *     more kept users of one NA than the setting review_max_prod_writers
 *     (default 3; seed: "write access in CS/RD Production for more than
 *     3 users") (prod_writers).
 * With findings the answer is "query": a new query goes to the NPMs.
 * Without, it is "accepted" and its decisions count: Deleted TRUE =
 * disable, changed rights = change, else keep.  A later answer replaces
 * an earlier one.
 *
 * A gateway's answer is its CCN workbook back: "Change D/K" read per
 * user (D, K or empty; anything else is a finding).  An IGL's answer is
 * only noted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonget.h"
#include "modules/reviews/rev_internal.h"
#include "modules/reviews/reviews.h"
#include "modules/userlists/tabular.h"
#include "modules/userlists/ulimport.h"

static int
collect(void *ctx, const struct ulist_row *row)
{
	json_t *d = row->data ? json_deep_copy(row->data) : json_object();

	json_object_set_new(d, "line", json_integer(row->line));
	json_array_append_new(ctx, d);
	return 0;
}

static void
finding(json_t *f, const char *scope, const char *kind, const char *uid,
	json_int_t line, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
finding(json_t *f, const char *scope, const char *kind, const char *uid,
	json_int_t line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(f, json_pack("{s:s, s:s, s:s, s:I, s:s}", "scope",
					   scope, "kind", kind, "uid", uid,
					   "line", line, "message", msg));
}

static int
writes_prod(json_t *u)
{
	const char *p = json_get_str(u, "csrd_prod");
	return strcmp(p, "Write") == 0 || strcmp(p, "Full") == 0;
}

static long
max_writers(struct store *st)
{
	char *v = NULL, *end;
	struct sf_error err;
	long n = 3;

	if (st->ops->setting_get(st, "review_max_prod_writers", &v, &err) ==
		    SF_OK &&
	    v) {
		long x = strtol(v, &end, 10);
		if (*v && !*end && x >= 0)
			n = x;
	}
	free(v);
	return n;
}

/* Compare the answer ROWS of NA with the snapshot SENT. */
static void
check_na(struct store *st, const char *na, json_t *sent, json_t *rows,
	 json_t *findings, json_t *decisions)
{
	json_t *by_uid = json_object(), *seen = json_object(), *u, *s;
	size_t i;
	long writers = 0, max = max_writers(st);

	json_array_foreach(json_object_get(sent, "users"), i, s)
		json_object_set(by_uid, json_get_str(s, "uid"), s);
	json_array_foreach(rows, i, u)
	{
		const char *uid = json_get_str(u, "uid");
		json_int_t line = json_integer_value(json_object_get(u, "line"));
		json_t *was = json_object_get(by_uid, uid);
		int deleted = json_is_true(json_object_get(u, "deleted"));

		if (json_object_get(seen, uid)) {
			finding(findings, na, "duplicate_row", uid, line,
				"user %s is in the answer twice", uid);
			continue;
		}
		json_object_set_new(seen, uid, json_true());
		if (!was) {
			finding(findings, na, "unknown_user", uid, line,
				"user %s was not in the workbook sent to %s",
				uid, na);
			continue;
		}
		if (*json_get_str(u, "na") &&
		    strcmp(json_get_str(u, "na"), na) != 0)
			finding(findings, na, "wrong_na", uid, line,
				"user %s is of NA %s, not %s", uid,
				json_get_str(u, "na"), na);
		if (!deleted &&
		    json_array_size(json_object_get(u, "csrd_domain")) == 0 &&
		    ((*json_get_str(u, "csrd_prod") &&
		      strcmp(json_get_str(u, "csrd_prod"), "No") != 0) ||
		     (*json_get_str(u, "csrd_tst") &&
		      strcmp(json_get_str(u, "csrd_tst"), "No") != 0)))
			finding(findings, na, "rights_without_domain", uid,
				line,
				"user %s gets CS/RD rights without any CS/RD "
				"domain",
				uid);
		if (!deleted && writes_prod(u))
			writers++;
		if (deleted) {
			json_array_append_new(
			    decisions, json_pack("{s:s, s:s, s:s, s:s}", "na",
						 na, "uid", uid, "full_name",
						 json_get_str(u, "full_name"),
						 "action", "disable"));
		} else if (strcmp(json_get_str(u, "csrd_tst"),
				  json_get_str(was, "csrd_tst")) ||
			   strcmp(json_get_str(u, "csrd_prod"),
				  json_get_str(was, "csrd_prod")) ||
			   strcmp(json_get_str(u, "csmis_profile"),
				  json_get_str(was, "csmis_profile")) ||
			   !json_equal(json_object_get(u, "csmis_domain"),
				       json_object_get(was, "csmis_domain"))) {
			char *det = xasprintf(
			    "CS/RD TST %s -> %s; CS/RD PROD %s -> %s; "
			    "CS/MIS %s -> %s",
			    *json_get_str(was, "csrd_tst")
				? json_get_str(was, "csrd_tst")
				: "(empty)",
			    *json_get_str(u, "csrd_tst")
				? json_get_str(u, "csrd_tst")
				: "(empty)",
			    *json_get_str(was, "csrd_prod")
				? json_get_str(was, "csrd_prod")
				: "(empty)",
			    *json_get_str(u, "csrd_prod")
				? json_get_str(u, "csrd_prod")
				: "(empty)",
			    *json_get_str(was, "csmis_profile")
				? json_get_str(was, "csmis_profile")
				: "(empty)",
			    *json_get_str(u, "csmis_profile")
				? json_get_str(u, "csmis_profile")
				: "(empty)");
			json_array_append_new(
			    decisions,
			    json_pack("{s:s, s:s, s:s, s:s, s:s}", "na", na,
				      "uid", uid, "full_name",
				      json_get_str(u, "full_name"), "action",
				      "change", "details", det));
			free(det);
		} else {
			json_array_append_new(
			    decisions, json_pack("{s:s, s:s, s:s, s:s}", "na",
						 na, "uid", uid, "full_name",
						 json_get_str(u, "full_name"),
						 "action", "keep"));
		}
	}
	json_array_foreach(json_object_get(sent, "users"), i, s)
		if (!json_object_get(seen, json_get_str(s, "uid")))
			finding(findings, na, "missing_user",
				json_get_str(s, "uid"), 0,
				"user %s of the workbook is missing from the "
				"answer",
				json_get_str(s, "uid"));
	if (writers > max)
		finding(findings, na, "prod_writers", "", 0,
			"write access to CS/RD PROD is asked for %ld users of "
			"%s; at most %ld are allowed per NA",
			writers, na, max);
	json_decref(by_uid);
	json_decref(seen);
}

/* The "Change D/K" column of a returned CCN workbook. */
static enum sf_status
check_ccn(const struct review_answer_in *in, json_t *findings,
	  json_t *decisions, struct sf_error *err)
{
	struct tabular t = {0};
	enum sf_status rc = tabular_read(in->filename, in->data, in->len, &t,
					 err);

	for (size_t s = 0; !rc && s < t.n; s++) {
		struct sheet *sh = &t.sheets[s];
		long cu = -1, cdk = -1;
		for (size_t r = 0; r < sh->nrows; r++) {
			struct trow *row = &sh->rows[r];
			if (cdk < 0) {
				for (size_t c = 0; c < row->ncells; c++) {
					if (strcasecmp(row->cells[c],
						       "Change D/K") == 0)
						cdk = (long)c;
					if (strcasecmp(row->cells[c], "User") ==
					    0)
						cu = (long)c;
				}
				continue;
			}
			{
				const char *u = trow_cell(row, (size_t)cu);
				const char *v = trow_cell(row, (size_t)cdk);
				if (!*u)
					continue;
				if (strcasecmp(v, "D") == 0 ||
				    strcasecmp(v, "K") == 0)
					json_array_append_new(
						decisions,
						json_pack("{s:s, s:s, s:s}",
							  "gateway", in->gateway,
							  "user", u, "action",
							  strcasecmp(v, "D") == 0
								  ? "disabled"
								  : "kept"));
				else
					finding(findings, in->gateway,
						"bad_change_dk", u,
						(json_int_t)row->line,
						"sheet \"%s\" line %zu: Change "
						"D/K is \"%s\", not D or K",
						sh->name, row->line, v);
			}
		}
		if (cdk < 0)
			finding(findings, in->gateway, "no_change_dk", "", 0,
				"sheet \"%s\" has no column \"Change D/K\"",
				sh->name);
	}
	tabular_release(&t);
	return rc;
}

enum sf_status
review_answer(struct engine *e, const struct actor *who, int64_t id,
	      const struct review_answer_in *in, json_t **report,
	      struct sf_error *err)
{
	struct rev r;
	struct ulimport_opts o = {0};
	json_t *findings = json_array(), *decisions = json_array();
	json_t *rows = json_array(), *entry, *sent;
	const char *scope = in->na ? in->na : in->gateway ? in->gateway : in->igl;
	int64_t imp = 0;
	char day[16];
	enum sf_status rc;

	if (!scope || !*scope || (!in->igl && !in->data)) {
		rc = sf_fail(err, SF_INVALID, "na",
			     "name the NA (--na) or gateway (--gateway) with "
			     "the returned workbook, or the IGL (--igl)");
		goto fail;
	}
	/* NPMs and LSAs may hand in their own answer. */
	rc = rev_open(e, who, id, NULL, &r, err);
	if (rc)
		goto fail;
	if (who && !who->operator && !actor_is_admin(who) &&
	    !actor_has_role(who, "security_manager") &&
	    !actor_has_role(who, "service_desk") &&
	    !(in->na && actor_holds(who, "npm", in->na, NULL)) &&
	    !(in->gateway && actor_holds(who, "lsa", in->gateway, NULL))) {
		rev_abort(&r);
		rc = sf_fail(err, SF_FORBIDDEN, NULL,
			     "only the Security Manager, the Service Desk or "
			     "the NPM/LSA of %s hands in this answer",
			     scope);
		goto fail;
	}
	rev_today(r.now, day);
	if (in->igl) {
		json_object_set_new(rev_obj(r.inst->data, "_igl"), in->igl,
				    json_pack("{s:s, s:s}", "date", day, "by",
					      who ? who->name : "system"));
		*report = json_pack("{s:s, s:s}", "igl", in->igl, "status",
				    "answered");
		rc = rev_commit(&r, "review:answer", *report, err);
		goto done;
	}
	sent = json_object_get(json_object_get(json_object_get(r.inst->data,
							       "_sent"),
					       in->na ? "nas" : "gateways"),
			       scope);
	if (!sent) {
		rev_abort(&r);
		rc = sf_fail(err, SF_INVALID, in->na ? "na" : "gateway",
			     "%s got no workbook in this review", scope);
		goto fail;
	}
	/* ulimport_file commits the answer itself (a bad file changes
	 * nothing); the check is recorded in a second transaction. */
	rev_abort(&r);
	o.resource = in->na ? "webportal" : "ccn";
	o.review_id = id;
	o.scope = scope;
	o.kind = "answer";
	o.review_columns = in->na != NULL;
	rc = ulimport_file(e->st, who, &o, in->filename, in->data, in->len,
			   &imp, NULL, err);
	if (rc)
		goto fail;
	rc = rev_open(e, who, id, NULL, &r, err);
	if (rc)
		goto fail;
	sent = json_object_get(json_object_get(json_object_get(r.inst->data,
							       "_sent"),
					       in->na ? "nas" : "gateways"),
			       scope);
	if (in->na) {
		rc = e->st->ops->ulist_rows_each(e->st, imp, collect, rows, err);
		if (!rc)
			check_na(e->st, in->na, sent, rows, findings, decisions);
	} else {
		rc = check_ccn(in, findings, decisions, err);
	}
	if (rc) {
		rev_abort(&r);
		goto fail;
	}
	{
		const char *status = json_array_size(findings) ? "query"
							       : "accepted";
		json_t *answers = rev_obj(r.inst->data,
					  in->na ? "_answers" : "_ccn_answers");
		json_t *old = json_object_get(answers, scope);
		int round = old ? (int)json_integer_value(
					  json_object_get(old, "round")) + 1
				: 1;
		entry = json_pack("{s:s, s:s, s:I, s:s, s:i, s:O, s:O, s:s}",
				  "scope", scope, "file", in->filename, "import",
				  (json_int_t)imp, "date", day, "round", round,
				  "findings", findings, "decisions", decisions,
				  "status", status);
		json_object_set_new(answers, scope, entry);
		if (in->na && json_array_size(findings)) {
			/* A new query to the NPM. */
			json_t *to = rev_addresses(e->st, "npm", in->na, r.now);
			struct buf b;
			json_t *f;
			size_t i;
			char *subject = xasprintf(
				"Query on your answer: bi-annual review of "
				"user accesses %s - %s",
				rev_quarter(&r), in->na);
			buf_init(&b, 0);
			buf_addf(&b,
				 "Dear National Project Manager,\n\nThe "
				 "quality check of your answer %s found:\n\n",
				 in->filename);
			json_array_foreach(findings, i, f)
				buf_addf(&b, "  - %s\n",
					 json_get_str(f, "message"));
			buf_adds(&b, "\nPlease correct the workbook and send "
				     "it back to the ITSM Service Desk.\n");
			if (json_array_size(to))
				rc = rev_mail(&r, "query", in->na, to, NULL,
					      subject, b.data, NULL, err);
			buf_release(&b);
			free(subject);
			json_decref(to);
		}
		*report = json_pack("{s:s, s:s, s:I, s:O, s:O}", "scope", scope,
				    "status", status, "import", (json_int_t)imp,
				    "findings", findings, "decisions",
				    decisions);
	}
	if (rc) {
		rev_abort(&r);
		json_decref(*report);
		*report = NULL;
		goto fail;
	}
	{
		json_t *after = json_pack("{s:s, s:O, s:I}", "scope", scope,
					  "status",
					  json_object_get(*report, "status"),
					  "findings",
					  (json_int_t)json_array_size(findings));
		rc = rev_commit(&r, "review:answer", after, err);
		json_decref(after);
	}
done:
	if (rc) {
		json_decref(*report);
		*report = NULL;
	}
fail:
	json_decref(findings);
	json_decref(decisions);
	json_decref(rows);
	return rc;
}

/* Append CSV field S (quoted when needed) to B. */
static void
csv(struct buf *b, const char *s, int last)
{
	if (strpbrk(s, ",\"\n\r;")) {
		buf_adds(b, "\"");
		for (; *s; s++) {
			if (*s == '"')
				buf_adds(b, "\"");
			buf_add(b, s, 1);
		}
		buf_adds(b, "\"");
	} else {
		buf_adds(b, s);
	}
	buf_adds(b, last ? "\r\n" : ",");
}

static void
change(struct buf *b, json_t *list, const char *source, const char *na,
       const char *uid, const char *name, const char *action,
       const char *details)
{
	csv(b, source, 0);
	csv(b, na, 0);
	csv(b, uid, 0);
	csv(b, name, 0);
	csv(b, action, 0);
	csv(b, details, 1);
	json_array_append_new(list,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
					"source", source, "na", na, "uid", uid,
					"full_name", name, "action", action,
					"details", details));
}

enum sf_status
rev_consolidate(struct rev *r, struct sf_error *err)
{
	json_t *data = r->inst->data, *list = json_array(), *rec = NULL;
	json_t *a, *d, *t, *informed = json_array();
	const char *k;
	size_t i;
	struct buf b;
	char day[16], *name, *subject;
	enum sf_status rc;

	rc = rev_reconcile(r->st, r->inst->id, &rec, err);
	if (rc) {
		json_decref(list);
		json_decref(informed);
		return rc;
	}
	buf_init(&b, 0);
	buf_adds(&b, "Source,NA,UID,Full name,Action,Details\r\n");
	json_object_foreach(json_object_get(data, "_answers"), k, a)
	{
		if (strcmp(json_get_str(a, "status"), "accepted") != 0)
			continue;
		json_array_append_new(informed, json_string(k));
		json_array_foreach(json_object_get(a, "decisions"), i, d)
			if (strcmp(json_get_str(d, "action"), "keep") != 0)
				change(&b, list, "NPM answer", k,
				       json_get_str(d, "uid"),
				       json_get_str(d, "full_name"),
				       json_get_str(d, "action"),
				       json_get_str(d, "details"));
	}
	json_object_foreach(json_object_get(data, "_leavers"), k, t)
	{
		json_array_foreach(json_object_get(t, "left"), i, d)
			change(&b, list, "ILSO", k, json_string_value(d), "",
			       "disable", "no longer works on ITSM");
		json_array_foreach(json_object_get(t, "directors_left"), i, d)
			change(&b, list, "project director", k,
			       json_string_value(d), "", "disable",
			       "no longer works on ITSM");
	}
	json_array_foreach(json_object_get(json_object_get(data, "_liso"),
					   "disable"),
			   i, d)
		change(&b, list, "LISO", "", json_string_value(d), "", "disable",
		       "account no longer required");
	json_array_foreach(json_object_get(json_object_get(rec, "duplicates"),
					   "disable"),
			   i, d)
		change(&b, list, "duplicate", json_get_str(d, "na"),
		       json_get_str(d, "uid"), json_get_str(d, "full_name"),
		       "disable", "wrong duplicate");
	rev_today(r->now, day);
	name = xasprintf("TAXUD-ITSM-UAM-%s-changes.csv", rev_quarter(r));
	subject = xasprintf("User access review %s: changes to make (%zu)",
			    rev_quarter(r), json_array_size(list));
	{
		json_t *sd = rev_service_desk(r->st, r->now);
		json_t *att = json_pack("[o]", rev_attachment(name, "text/csv",
							      b.data, b.len));
		if (json_array_size(sd))
			rc = rev_mail(r, "changes", "", sd, NULL, subject,
				      "Please update the users as listed in "
				      "the attached change list, then inform "
				      "the NPMs that the changes are done.\n",
				      att, err);
		json_decref(att);
		json_decref(sd);
	}
	json_array_foreach(informed, i, d)
	{
		json_t *to;
		char *s2;
		if (rc)
			break;
		to = rev_addresses(r->st, "npm", json_string_value(d), r->now);
		s2 = xasprintf("Your answer was accepted: bi-annual review of "
			       "user accesses %s - %s",
			       rev_quarter(r), json_string_value(d));
		if (json_array_size(to))
			rc = rev_mail(r, "informed", json_string_value(d), to,
				      NULL, s2,
				      "Your answer passed the quality check; "
				      "the ITSM Service Desk has been asked to "
				      "make the changes.\n",
				      NULL, err);
		free(s2);
		json_decref(to);
	}
	json_object_set_new(data, "_changes",
			    json_pack("{s:s, s:s, s:o, s:O}", "date", day,
				      "file", name, "changes", list,
				      "informed", informed));
	free(name);
	free(subject);
	buf_release(&b);
	json_decref(informed);
	json_decref(rec);
	return rc;
}
