/*
 * rev_reconcile.c - SEC.5.2 and SEC.5.8 on the lists imported for a
 * campaign: disabled users out, duplicates (rev_similar.h), the NA of
 * each Webportal user (the NA column, else the organisation through the
 * catalogue "na_map"), staff accounts against the authorised list per
 * team, CCN rows per gateway, CIRCA leaders.
 *
 * The NA map may send an organisation to "-" (or "none"): a known
 * organisation that is no NA (the Commission, contractors); its users go
 * to the LISO.  An organisation the map does not know gives a user whose
 * NA cannot be found: listed in na_unknown (and sent to the LISO too),
 * never dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/jsonget.h"
#include "modules/reviews/rev_internal.h"
#include "modules/reviews/rev_similar.h"

struct collect {
	json_t *rows; /* array of records (data + source + line) */
	const char *file;
	int disabled_too;
	size_t disabled;
};

static int
collect_row(void *ctx, const struct ulist_row *row)
{
	struct collect *c = ctx;
	json_t *d;

	if (row->disabled && !c->disabled_too) {
		c->disabled++;
		return 0;
	}
	d = row->data ? json_deep_copy(row->data) : json_object();
	json_object_set_new(d, "source", json_string(c->file));
	json_object_set_new(d, "line", json_integer(row->line));
	json_array_append_new(c->rows, d);
	return 0;
}

/* How complete a Webportal account is: e-mail, rights, domains. */
static int
score_of(json_t *u)
{
	int s = *json_get_str(u, "email") ? 10 : 0;
	const char *t = json_get_str(u, "csrd_tst"),
		   *p = json_get_str(u, "csrd_prod");

	s += *t && strcmp(t, "No") != 0;
	s += *p && strcmp(p, "No") != 0;
	s += *json_get_str(u, "csmis_profile") != 0;
	s += (int)json_array_size(json_object_get(u, "csrd_domain"));
	s += (int)json_array_size(json_object_get(u, "csmis_domain"));
	return s;
}

static char *
setting_or(struct store *st, const char *key, const char *dflt)
{
	char *v = NULL;
	struct sf_error err;

	if (st->ops->setting_get(st, key, &v, &err) == SF_OK && v && *v)
		return v;
	free(v);
	return xstrdup(dflt);
}

/* The NA of organisation ORG through the map: a code, "-" for none,
 * NULL when the map does not know it.  CACHE keeps answers. */
static const char *
na_of_org(struct store *st, json_t *cache, const char *org)
{
	json_t *c = json_object_get(cache, org), *d = NULL;
	struct sf_error err;
	const char *na;

	if (c)
		return json_is_string(c) ? json_string_value(c) : NULL;
	if (*org && st->ops->catalog_get(st, "na_map", org, &d, &err) == SF_OK) {
		na = json_string_value(json_object_get(d, "na"));
		if (na && (strcasecmp(na, "none") == 0 || !*na))
			na = "-";
		json_object_set_new(cache, org, na ? json_string(na)
						   : json_null());
		json_decref(d);
	} else {
		json_object_set_new(cache, org, json_null());
	}
	c = json_object_get(cache, org);
	return json_is_string(c) ? json_string_value(c) : NULL;
}

static void
push(json_t *obj, const char *key, json_t *v)
{
	json_t *a = json_object_get(obj, key);

	if (!a) {
		a = json_array();
		json_object_set_new(obj, key, a);
	}
	json_array_append(a, v);
}

static json_t *
group_json(json_t *rows, const struct rev_dup *g)
{
	json_t *m = json_array();

	for (size_t k = 0; k < g->n; k++) {
		json_t *u = json_array_get(rows, g->members[k]);
		json_array_append_new(
		    m, json_pack("{s:s, s:s, s:s, s:s, s:O, s:b}", "uid",
				 json_get_str(u, "uid"), "full_name",
				 json_get_str(u, "full_name"), "organisation",
				 json_get_str(u, "organisation"), "source",
				 json_get_str(u, "source"), "line",
				 json_object_get(u, "line"), "kept",
				 g->kind != REV_DUP_UNCLEAR &&
				     g->keep == g->members[k]));
	}
	return json_pack("{s:s, s:f, s:b, s:o}", "kind",
			 rev_dup_kind_name(g->kind), "similarity",
			 g->similarity, "same_uid", g->same_uid, "accounts", m);
}

enum sf_status
rev_reconcile(struct store *st, int64_t review_id, json_t **out,
	      struct sf_error *err)
{
	json_t *imports = NULL, *imp, *wp = json_array(), *collab = json_array();
	json_t *auth = json_array(), *nas = json_object(), *liso = json_array();
	json_t *unknown = json_array(), *gws = json_object(), *igls = json_array();
	json_t *absent = json_object(), *resolved = json_array();
	json_t *unclear = json_array(), *disable = json_array();
	json_t *cache = json_object(), *staff = json_array(), *authset, *u;
	struct rev_person *p = NULL;
	struct rev_dup *dups = NULL;
	size_t ndups = 0, disabled = 0, ccn_rows = 0, i, nwp, nexact = 0;
	char *prefix = setting_or(st, "staff_prefix", "XXX.");
	unsigned char *drop = NULL;
	enum sf_status rc;

	rc = st->ops->ulist_imports(st, NULL, NULL, review_id, &imports, err);
	if (rc)
		goto out;
	json_array_foreach(imports, i, imp)
	{
		const char *res = json_get_str(imp, "resource");
		struct collect c = {0};
		if (strcmp(json_get_str(imp, "kind"), "list") != 0)
			continue;
		c.file = json_get_str(imp, "filename");
		if (strcmp(res, "webportal") == 0)
			c.rows = wp;
		else if (strcmp(res, "collab") == 0)
			c.rows = collab;
		else if (strcmp(res, "authorised") == 0)
			c.rows = auth;
		else if (strcmp(res, "ccn") == 0) {
			c.rows = json_array();
			c.disabled_too = 1;
		} else if (strcmp(res, "circa") == 0) {
			c.rows = json_array();
			c.disabled_too = 1;
		} else
			continue;
		rc = st->ops->ulist_rows_each(
			st, json_integer_value(json_object_get(imp, "id")),
			collect_row, &c, err);
		if (rc)
			goto out;
		if (strcmp(res, "webportal") == 0)
			disabled += c.disabled;
		if (strcmp(res, "ccn") == 0) {
			const char *gw = json_get_str(imp, "scope");
			json_t *x;
			size_t k;
			json_array_foreach(c.rows, k, x) push(gws, gw, x);
			if (!json_object_get(gws, gw))
				json_object_set_new(gws, gw, json_array());
			ccn_rows += json_array_size(c.rows);
			json_decref(c.rows);
		} else if (strcmp(res, "circa") == 0) {
			json_t *x;
			size_t k;
			json_array_foreach(c.rows, k, x)
			{
				const char *m = json_get_str(x, "email");
				int dup = 0;
				json_t *y;
				size_t j;
				json_array_foreach(igls, j, y) if (strcasecmp(
					json_string_value(y), m) == 0) dup = 1;
				if (*m && !dup)
					json_array_append_new(igls,
							      json_string(m));
			}
			json_decref(c.rows);
		}
	}

	/* Duplicates among the enabled Webportal accounts. */
	nwp = json_array_size(wp);
	p = xcalloc(nwp ? nwp : 1, sizeof(*p));
	drop = xcalloc(nwp ? nwp : 1, 1);
	json_array_foreach(wp, i, u)
	{
		p[i].uid = json_get_str(u, "uid");
		p[i].name = json_get_str(u, "full_name");
		p[i].block = *json_get_str(u, "na")
				 ? json_get_str(u, "na")
				 : json_get_str(u, "organisation");
		p[i].email = json_get_str(u, "email");
		p[i].score = score_of(u);
	}
	rev_duplicates(p, nwp, &dups, &ndups);
	for (size_t g = 0; g < ndups; g++) {
		json_t *gj = group_json(wp, &dups[g]);
		if (dups[g].kind == REV_DUP_UNCLEAR) {
			json_array_append_new(unclear, gj);
			continue;
		}
		json_array_append_new(resolved, gj);
		for (size_t k = 0; k < dups[g].n; k++) {
			size_t m = dups[g].members[k];
			if (m == dups[g].keep)
				continue;
			drop[m] = 1;
			nexact++;
			if (dups[g].kind == REV_DUP_CLEAR) {
				json_t *x = json_deep_copy(json_array_get(wp, m));
				json_object_set_new(x, "reason",
						    json_string("wrong duplicate"));
				json_array_append_new(disable, x);
			}
		}
	}

	/* NA, staff, LISO. */
	json_array_foreach(wp, i, u)
	{
		const char *uid = json_get_str(u, "uid");
		const char *na = json_get_str(u, "na");
		if (drop[i])
			continue;
		if (strncasecmp(uid, prefix, strlen(prefix)) == 0) {
			json_array_append(staff, u);
			continue;
		}
		if (*na) {
			json_object_set_new(u, "na_from", json_string("column"));
		} else {
			const char *m = na_of_org(
			    st, cache, json_get_str(u, "organisation"));
			if (m && strcmp(m, "-") != 0) {
				json_object_set_new(u, "na", json_string(m));
				json_object_set_new(u, "na_from",
						    json_string("map"));
				na = m;
			} else if (!m) {
				json_array_append(unknown, u);
			}
		}
		if (*na && strcmp(na, "-") != 0)
			push(nas, na, u);
		else
			json_array_append(liso, u);
	}
	json_array_foreach (collab, i, u)
		if (strcmp(json_get_str(u, "category"), "staff") == 0)
			json_array_append_new(
			    staff,
			    json_pack("{s:s, s:s, s:s, s:O}", "uid",
				      json_get_str(u, "userid"), "full_name",
				      json_get_str(u, "full_name"), "source",
				      json_get_str(u, "source"), "line",
				      json_object_get(u, "line")));

	/* Staff absent from the authorised list, per team. */
	authset = json_object();
	json_array_foreach(auth, i, u)
	{
		char key[256];
		snprintf(key, sizeof(key), "%s", json_get_str(u, "uid"));
		for (char *k = key; *k; k++)
			*k = (char)((*k >= 'A' && *k <= 'Z') ? *k + 32 : *k);
		json_object_set_new(authset, key,
				    json_string(json_get_str(u, "team")));
	}
	json_array_foreach(staff, i, u)
	{
		char key[256];
		const char *team = "";
		const char *org = json_get_str(u, "organisation");
		json_t *seen;
		snprintf(key, sizeof(key), "%s", json_get_str(u, "uid"));
		for (char *k = key; *k; k++)
			*k = (char)((*k >= 'A' && *k <= 'Z') ? *k + 32 : *k);
		if (json_object_get(authset, key))
			continue;
		/* The team: one of the authorised list's teams named in the
		 * organisation, else none (the project directors decide). */
		{
			json_t *a;
			size_t k;
			json_array_foreach(auth, k, a)
			{
				const char *t = json_get_str(a, "team");
				if (*t && *org && strcasestr(org, t)) {
					team = t;
					break;
				}
			}
		}
		seen = json_object_get(absent, team);
		{
			json_t *y;
			size_t k;
			int dup = 0;
			json_array_foreach(seen, k, y)
				if (strcasecmp(json_get_str(y, "uid"),
					       json_get_str(u, "uid")) == 0)
					dup = 1;
			if (dup)
				continue;
		}
		{
			json_t *a = json_pack(
			    "{s:s, s:s, s:s}", "uid", json_get_str(u, "uid"),
			    "full_name", json_get_str(u, "full_name"), "source",
			    json_get_str(u, "source"));
			push(absent, team, a);
			json_decref(a);
		}
	}
	json_decref(authset);
	{
		size_t na_users = 0, nabs = 0;
		const char *k;
		json_t *v;
		json_object_foreach(nas, k, v) na_users += json_array_size(v);
		json_object_foreach(absent, k, v) nabs += json_array_size(v);
		*out = json_pack(
			"{s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			" s:I, s:I, s:I, s:I},"
			" s:O, s:O, s:O, s:{s:O, s:O, s:O}, s:O, s:O, s:O}",
			"counts", "rows", (json_int_t)(nwp + disabled),
			"disabled", (json_int_t)disabled, "duplicates_resolved",
			(json_int_t)json_array_size(resolved),
			"duplicates_unclear", (json_int_t)json_array_size(unclear),
			"accounts_removed", (json_int_t)nexact,
			"wrong_duplicates", (json_int_t)json_array_size(disable),
			"na_users", (json_int_t)na_users, "nas",
			(json_int_t)json_object_size(nas), "na_unknown",
			(json_int_t)json_array_size(unknown), "liso",
			(json_int_t)json_array_size(liso), "staff",
			(json_int_t)json_array_size(staff), "absent_staff",
			(json_int_t)nabs, "gateways",
			(json_int_t)json_object_size(gws), "ccn_rows",
			(json_int_t)ccn_rows, "nas", nas, "na_unknown", unknown,
			"liso", liso, "duplicates", "resolved", resolved,
			"unclear", unclear, "disable", disable, "absent_staff",
			absent, "gateways", gws, "igls", igls);
	}
out:
	rev_dups_free(dups, ndups);
	free(p);
	free(drop);
	free(prefix);
	json_decref(imports);
	json_decref(wp);
	json_decref(collab);
	json_decref(auth);
	json_decref(nas);
	json_decref(liso);
	json_decref(unknown);
	json_decref(gws);
	json_decref(igls);
	json_decref(absent);
	json_decref(resolved);
	json_decref(unclear);
	json_decref(disable);
	json_decref(cache);
	json_decref(staff);
	return rc;
}
