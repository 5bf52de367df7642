/*
 * ulimport.c - one user-list file into userlist_imports/userlist_rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/audit.h"
#include "modules/userlists/columns.h"
#include "modules/userlists/tabular.h"
#include "modules/userlists/ulimport.h"

static const char *const rights[] = {"", "Full", "No", "Read", "Write"};
static const char *const profiles[] = {"", "Admin", "ND Admin", "ND User",
				       "Oper"};
static const char *const categories[] = {"staff", "dgtaxud", "contractor",
					 "other"};

static json_t *
csrd_json(unsigned bits)
{
	json_t *a = json_array();
	if (bits & UL_CSRD_NCTS)
		json_array_append_new(a, json_string("NCTS"));
	if (bits & UL_CSRD_ECS)
		json_array_append_new(a, json_string("ECS"));
	if (bits & UL_CSRD_ICS)
		json_array_append_new(a, json_string("ICS"));
	if (bits & UL_CSRD_EO)
		json_array_append_new(a, json_string("EO"));
	return a;
}

static json_t *
csmis_json(unsigned bits)
{
	json_t *a = json_array();
	if (bits & UL_CSMIS_E)
		json_array_append_new(a, json_string("ECS"));
	if (bits & UL_CSMIS_I)
		json_array_append_new(a, json_string("ICS"));
	if (bits & UL_CSMIS_N)
		json_array_append_new(a, json_string("NCTS"));
	return a;
}

json_t *
ulimport_record_json(int res, const void *record)
{
	const struct ul_record *r = record;

	switch ((enum ul_resource)res) {
	case UL_WEBPORTAL: {
		const struct ul_webportal *w = &r->u.webportal;
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, "
				 "s:o, s:s, s:b}",
				 "full_name", w->full_name, "uid", w->uid,
				 "organisation", w->organisation, "na", w->na,
				 "email", w->email, "csrd_domain",
				 csrd_json(w->csrd_domain), "csrd_tst",
				 rights[w->csrd_tst], "csrd_prod",
				 rights[w->csrd_prod], "csmis_domain",
				 csmis_json(w->csmis_domain), "csmis_profile",
				 profiles[w->csmis_profile], "deleted",
				 w->deleted);
	}
	case UL_CCN:
		return json_pack("{s:s, s:s, s:s, s:s}", "user", r->u.ccn.user,
				 "profile", r->u.ccn.profile, "info",
				 r->u.ccn.info, "aging", r->u.ccn.aging);
	case UL_CIRCA:
		return json_pack("{s:s, s:s, s:s}", "interest_group",
				 r->u.circa.interest_group, "leader",
				 r->u.circa.leader, "email", r->u.circa.email);
	case UL_COLLAB:
		return json_pack("{s:s, s:s, s:s}", "full_name",
				 r->u.collab.full_name, "userid",
				 r->u.collab.userid, "category",
				 categories[r->u.collab.category]);
	case UL_VPN:
		return json_pack("{s:s, s:b}", "full_name", r->u.vpn.full_name,
				 "active", r->u.vpn.active);
	case UL_JOINERS_LEAVERS:
		return json_pack("{s:s, s:s, s:s}", "full_name",
				 r->u.joiner.full_name, "rights",
				 r->u.joiner.rights, "status",
				 r->u.joiner.status == UL_JL_CREATED ? "created"
								     : "disabled");
	case UL_SMT:
		return json_pack("{s:s, s:s, s:b, s:b}", "full_name",
				 r->u.smt.full_name, "email", r->u.smt.email,
				 "disabled", r->u.smt.disabled, "staff",
				 r->u.smt.staff);
	case UL_BUSINESS_APPS:
		return json_pack("{s:s, s:I}", "application",
				 r->u.app.application, "users",
				 (json_int_t)r->u.app.users);
	case UL_MAILBOXES:
		return json_pack("{s:s, s:s, s:b}", "full_name",
				 r->u.mailbox.full_name, "email",
				 r->u.mailbox.email, "nominative",
				 r->u.mailbox.nominative);
	case UL_AUTHORISED:
		return json_pack("{s:s, s:s, s:s}", "team",
				 r->u.authorised.team, "uid",
				 r->u.authorised.uid, "full_name",
				 r->u.authorised.full_name);
	default:
		return json_object();
	}
}

/* The columns reconciliation reads, out of record R. */
static void
row_of(enum ul_resource res, const struct ul_record *r, struct ulist_row *o)
{
	switch (res) {
	case UL_WEBPORTAL:
		o->uid = r->u.webportal.uid;
		o->full_name = r->u.webportal.full_name;
		o->na = r->u.webportal.na;
		o->email = r->u.webportal.email;
		o->disabled = r->u.webportal.deleted;
		break;
	case UL_CCN:
		o->uid = r->u.ccn.user;
		break;
	case UL_CIRCA:
		o->email = r->u.circa.email;
		o->full_name = r->u.circa.leader;
		break;
	case UL_COLLAB:
		o->uid = r->u.collab.userid;
		o->full_name = r->u.collab.full_name;
		break;
	case UL_VPN:
		o->full_name = r->u.vpn.full_name;
		o->disabled = !r->u.vpn.active;
		break;
	case UL_JOINERS_LEAVERS:
		o->full_name = r->u.joiner.full_name;
		o->disabled = r->u.joiner.status == UL_JL_DISABLED;
		break;
	case UL_SMT:
		o->full_name = r->u.smt.full_name;
		o->email = r->u.smt.email;
		o->disabled = r->u.smt.disabled;
		break;
	case UL_MAILBOXES:
		o->full_name = r->u.mailbox.full_name;
		o->email = r->u.mailbox.email;
		break;
	case UL_AUTHORISED:
		o->uid = r->u.authorised.uid;
		o->full_name = r->u.authorised.full_name;
		o->na = r->u.authorised.team; /* the team, for per-team joins */
		break;
	default:
		break;
	}
}

/* SMT staff domains: setting "smt_staff_domains", comma-separated. */
static char **
staff_domains(struct store *st)
{
	char *v = NULL, *p, *save = NULL;
	struct sf_error err;
	char **out = xcalloc(33, sizeof(char *));
	size_t n = 0;

	if (st->ops->setting_get(st, "smt_staff_domains", &v, &err) || !v)
		return out;
	for (p = v; *p && n < 32;) {
		char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ')) {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len)
			out[n++] = xstrndup(p, len);
		p = end ? end + 1 : p + strlen(p);
	}
	(void)save;
	free(v);
	return out;
}

enum sf_status
ulimport_file(struct store *st, const struct actor *who,
	      const struct ulimport_opts *o, const char *filename,
	      const void *data, size_t len, int64_t *import_id,
	      json_t **report, struct sf_error *err)
{
	struct tabular t = {0};
	struct ul_list l = {0};
	struct columns_opts co = {0};
	enum ul_resource res;
	struct ulist_import imp = {0};
	json_t *skipped = json_array(), *ignored = json_array(), *info,
	       *after;
	char **domains = NULL;
	enum sf_status rc;
	char object[64];

	if (report)
		*report = NULL;
	if (!o->resource || columns_resource(o->resource, &res) < 0) {
		json_decref(skipped);
		json_decref(ignored);
		return sf_fail(err, SF_INVALID, "resource",
			       "unknown resource \"%s\" (webportal, ccn, circa, "
			       "collab, vpn, joiners_leavers, smt, "
			       "business_apps, mailboxes, authorised)",
			       o->resource ? o->resource : "");
	}
	domains = staff_domains(st);
	co.sheet = o->sheet;
	co.review = o->review_columns;
	co.skip_bad_rows = o->skip_bad_rows;
	co.staff_domains = (const char *const *)domains;
	rc = tabular_read(filename, data, len, &t, err);
	if (!rc)
		rc = columns_import(&t, res, &co, &l, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < l.nissues; i++)
		json_array_append_new(
			skipped,
			json_pack("{s:s, s:I, s:s}", "sheet",
				  t.sheets[l.issues[i].sheet].name, "line",
				  (json_int_t)l.issues[i].line, "message",
				  l.issues[i].message));
	for (size_t i = 0; i < l.nignored; i++)
		json_array_append_new(ignored, json_string(l.ignored[i]));
	info = json_pack("{s:O, s:O, s:I}", "skipped", skipped, "ignored",
			 ignored, "more_skipped", (json_int_t)l.more_issues);
	imp.resource = o->resource;
	imp.month = o->month;
	imp.review_id = o->review_id;
	imp.scope = o->scope ? o->scope : "";
	imp.kind = o->kind ? o->kind : "list";
	imp.filename = filename;
	imp.info = info;
	imp.nrows = (int64_t)l.n;
	imp.imported = clock_now();
	imp.by = who->name;
	rc = st->ops->begin(st, err);
	if (!rc)
		rc = st->ops->ulist_import_add(st, &imp, import_id, err);
	for (size_t i = 0; i < l.n && !rc; i++) {
		struct ulist_row row = {0};
		row.n = (int64_t)i + 1;
		row.line = (int64_t)l.recs[i].line;
		row.sheet = t.sheets[l.recs[i].sheet].name;
		row_of(res, &l.recs[i], &row);
		row.data = ulimport_record_json(res, &l.recs[i]);
		rc = st->ops->ulist_row_add(st, *import_id, &row, err);
		json_decref(row.data);
	}
	snprintf(object, sizeof(object), "userlists/%lld",
		 (long long)*import_id);
	after = json_pack("{s:s, s:s, s:I, s:I}", "resource", o->resource,
			  "file", filename, "rows", (json_int_t)l.n,
			  "skipped", (json_int_t)l.bad_rows);
	if (o->month)
		json_object_set_new(after, "month", json_string(o->month));
	if (o->review_id)
		json_object_set_new(after, "review",
				    json_integer(o->review_id));
	if (!rc)
		rc = audit_append(st, who, NULL, NULL, object, "userlist:import",
				  NULL, after, clock_now(), err);
	json_decref(after);
	if (rc) {
		st->ops->rollback(st);
		json_decref(info);
		goto out;
	}
	rc = st->ops->commit(st, err);
	if (!rc && report)
		*report = json_pack("{s:I, s:s, s:s, s:I, s:O, s:O}", "import",
				    (json_int_t)*import_id, "resource",
				    o->resource, "file", filename, "rows",
				    (json_int_t)l.n, "skipped", skipped,
				    "ignored", ignored);
	json_decref(info);
out:
	for (size_t i = 0; domains && domains[i]; i++)
		free(domains[i]);
	free(domains);
	json_decref(skipped);
	json_decref(ignored);
	ul_list_release(&l);
	tabular_release(&t);
	return rc;
}
