/*
 * monthly.c - the SEC.6.6 figures of a month from the stored lists, their
 * three-month averages, and the JSON report (see monthly.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/jsonget.h"
#include "modules/userlists/monthly.h"

/* Seed order: SEC.6.1 (collab, vpn, joiners/leavers), SEC.6.2 (webportal,
 * smt), SEC.6.3 (business apps), SEC.6.4 (mailboxes). */
static const enum ul_resource lists[MONTHLY_NLISTS] = {
	UL_COLLAB, UL_VPN,	     UL_JOINERS_LEAVERS, UL_WEBPORTAL,
	UL_SMT,	   UL_BUSINESS_APPS, UL_MAILBOXES,
};

enum {
	K_APPS,
	K_WP_TOTAL,
	K_WP_CSRD_DOM_WITH,
	K_WP_CSRD_DOM_WITHOUT,
	K_WP_TST_WITH,
	K_WP_TST_WITHOUT,
	K_WP_PROD_WITH,
	K_WP_PROD_WITHOUT,
	K_WP_CSMIS_DOM_WITH,
	K_WP_CSMIS_DOM_WITHOUT,
	K_WP_PROFILE_WITH,
	K_WP_PROFILE_WITHOUT,
	K_SMT_TOTAL,
	K_SMT_ITSM,
	K_SMT_NON_ITSM,
	K_MB_TOTAL,
	K_MB_NOMINATIVE,
	K_MB_NON_NOMINATIVE,
	K_COLLAB_NOMINATIVE,
	K_COLLAB_NON_NOMINATIVE,
	K_VPN_TOTAL,
};

static const struct {
	const char *key;
	enum ul_resource list;
	const char *label;
} keys[MONTHLY_NKEYS] = {
	{"business_apps.users", UL_BUSINESS_APPS,
	 "Managed users in business applications"},
	{"webportal.total", UL_WEBPORTAL, "Webportal: managed users"},
	{"webportal.csrd_domain.with", UL_WEBPORTAL,
	 "Webportal: users with access to NCTS, ECS, ICS"},
	{"webportal.csrd_domain.without", UL_WEBPORTAL,
	 "Webportal: users without access to NCTS, ECS, ICS"},
	{"webportal.csrd_tst.with", UL_WEBPORTAL,
	 "Webportal: users with rights to CS/RD TST"},
	{"webportal.csrd_tst.without", UL_WEBPORTAL,
	 "Webportal: users without rights to CS/RD TST"},
	{"webportal.csrd_prod.with", UL_WEBPORTAL,
	 "Webportal: users with rights to CS/RD PROD"},
	{"webportal.csrd_prod.without", UL_WEBPORTAL,
	 "Webportal: users without rights to CS/RD PROD"},
	{"webportal.csmis_domain.with", UL_WEBPORTAL,
	 "Webportal: users with access to a CS/MIS domain"},
	{"webportal.csmis_domain.without", UL_WEBPORTAL,
	 "Webportal: users without access to a CS/MIS domain"},
	{"webportal.csmis_profile.with", UL_WEBPORTAL,
	 "Webportal: users with a CS/MIS profile"},
	{"webportal.csmis_profile.without", UL_WEBPORTAL,
	 "Webportal: users without a CS/MIS profile"},
	{"smt.total", UL_SMT, "SMT: managed users"},
	{"smt.itsm", UL_SMT, "SMT: ITSM users"},
	{"smt.non_itsm", UL_SMT, "SMT: non-ITSM users"},
	{"mailboxes.total", UL_MAILBOXES, "itsmtaxud mailboxes: total"},
	{"mailboxes.nominative", UL_MAILBOXES,
	 "itsmtaxud mailboxes: nominative"},
	{"mailboxes.non_nominative", UL_MAILBOXES,
	 "itsmtaxud mailboxes: non-nominative"},
	{"collab.nominative", UL_COLLAB,
	 "Collaborative tool: nominative accounts"},
	{"collab.non_nominative", UL_COLLAB,
	 "Collaborative tool: non-nominative accounts"},
	{"vpn.total", UL_VPN, "VPN: managed (active) users"},
};

enum ul_resource
monthly_list(size_t i)
{
	return lists[i];
}

const char *
monthly_key(size_t i)
{
	return keys[i].key;
}

enum ul_resource
monthly_key_list(size_t i)
{
	return keys[i].list;
}

const char *
monthly_key_label(size_t i)
{
	return keys[i].label;
}

void
monthly_tally_init(struct monthly_tally *t, enum ul_resource r)
{
	memset(t, 0, sizeof(*t));
	t->r = r;
}

static int
is_true(json_t *data, const char *k)
{
	return json_is_true(json_object_get(data, k));
}

/* An array of domain names (ulimport's JSON) holds one of NCTS, ECS,
 * ICS. */
static int
has_customs_domain(json_t *a)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
	{
		const char *s = json_string_value(x);
		if (s && (strcmp(s, "NCTS") == 0 || strcmp(s, "ECS") == 0 ||
			  strcmp(s, "ICS") == 0))
			return 1;
	}
	return 0;
}

static int
has_rights(const char *r)
{
	return strcmp(r, "Full") == 0 || strcmp(r, "Read") == 0 ||
	       strcmp(r, "Write") == 0;
}

static void
pair(struct monthly_tally *t, int with, int k_with)
{
	t->v[with ? k_with : k_with + 1]++;
}

static void
add_webportal(struct monthly_tally *t, json_t *d)
{
	if (is_true(d, "deleted"))
		return;
	t->v[K_WP_TOTAL]++;
	pair(t, has_customs_domain(json_object_get(d, "csrd_domain")),
	     K_WP_CSRD_DOM_WITH);
	pair(t, has_rights(json_get_str(d, "csrd_tst")), K_WP_TST_WITH);
	pair(t, has_rights(json_get_str(d, "csrd_prod")), K_WP_PROD_WITH);
	pair(t, json_array_size(json_object_get(d, "csmis_domain")) > 0,
	     K_WP_CSMIS_DOM_WITH);
	pair(t, json_get_str(d, "csmis_profile")[0] != '\0', K_WP_PROFILE_WITH);
}

static void
add_smt(struct monthly_tally *t, const struct ulist_row *row, json_t *d)
{
	const char *email =
	    row->email && *row->email ? row->email : json_get_str(d, "email");
	char *low;

	if (row->disabled || is_true(d, "disabled") || !*email)
		return;
	low = xstrdup(email);
	for (char *p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (t->nemails == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->emails = xrealloc(t->emails, t->cap * sizeof(char *));
		t->staff = xrealloc(t->staff, t->cap);
	}
	t->emails[t->nemails] = low;
	t->staff[t->nemails] = (unsigned char)is_true(d, "staff");
	t->nemails++;
}

void
monthly_tally_add(struct monthly_tally *t, const struct ulist_row *row)
{
	json_t *d = row->data;

	switch (t->r) {
	case UL_BUSINESS_APPS: {
		json_int_t n = json_integer_value(json_object_get(d, "users"));
		if (n > 0)
			t->v[K_APPS] += (long long)n;
		break;
	}
	case UL_WEBPORTAL:
		add_webportal(t, d);
		break;
	case UL_SMT:
		add_smt(t, row, d);
		break;
	case UL_MAILBOXES:
		t->v[K_MB_TOTAL]++;
		t->v[is_true(d, "nominative") ? K_MB_NOMINATIVE
					      : K_MB_NON_NOMINATIVE]++;
		break;
	case UL_COLLAB: {
		const char *c = json_get_str(d, "category");
		int person = strcmp(c, "staff") == 0 ||
			     strcmp(c, "dgtaxud") == 0 ||
			     strcmp(c, "contractor") == 0;
		t->v[person ? K_COLLAB_NOMINATIVE : K_COLLAB_NON_NOMINATIVE]++;
		break;
	}
	case UL_VPN:
		if (is_true(d, "active"))
			t->v[K_VPN_TOTAL]++;
		break;
	default:
		break;
	}
}

/* Sort e-mails (and their staff flags) for de-duplication. */
struct email_ix {
	const char *email;
	unsigned char staff;
};

static int
email_cmp(const void *a, const void *b)
{
	return strcmp(((const struct email_ix *)a)->email,
		      ((const struct email_ix *)b)->email);
}

void
monthly_tally_end(struct monthly_tally *t, long long v[MONTHLY_NKEYS])
{
	if (t->r == UL_SMT && t->nemails) {
		struct email_ix *ix = xcalloc(t->nemails, sizeof(*ix));
		for (size_t i = 0; i < t->nemails; i++) {
			ix[i].email = t->emails[i];
			ix[i].staff = t->staff[i];
		}
		qsort(ix, t->nemails, sizeof(*ix), email_cmp);
		for (size_t i = 0; i < t->nemails; i++) {
			if (i && strcmp(ix[i].email, ix[i - 1].email) == 0)
				continue;
			t->v[K_SMT_TOTAL]++;
			t->v[ix[i].staff ? K_SMT_ITSM : K_SMT_NON_ITSM]++;
		}
		free(ix);
	}
	for (size_t k = 0; k < MONTHLY_NKEYS; k++)
		if (keys[k].list == t->r)
			v[k] = t->v[k];
	for (size_t i = 0; i < t->nemails; i++)
		free(t->emails[i]);
	free(t->emails);
	free(t->staff);
	monthly_tally_init(t, t->r);
}

long long
monthly_round_mean(const long long *v, size_t n)
{
	long long s = 0, d = (long long)n;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	/* s/n + 1/2 truncated toward zero, mirrored for negatives */
	if (s >= 0)
		return (2 * s + d) / (2 * d);
	return -((-2 * s + d) / (2 * d));
}

int
monthly_month_ok(const char *m)
{
	int y, mo;

	if (!m || strlen(m) != 7 || m[4] != '-')
		return -1;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (m[i] < '0' || m[i] > '9'))
			return -1;
	y = (m[0] - '0') * 1000 + (m[1] - '0') * 100 + (m[2] - '0') * 10 +
	    (m[3] - '0');
	mo = (m[5] - '0') * 10 + (m[6] - '0');
	return y >= 1900 && mo >= 1 && mo <= 12 ? 0 : -1;
}

void
monthly_month_add(const char *m, int delta, char out[8])
{
	int y = (m[0] - '0') * 1000 + (m[1] - '0') * 100 + (m[2] - '0') * 10 +
		(m[3] - '0');
	int mo = (m[5] - '0') * 10 + (m[6] - '0');
	int idx = y * 12 + (mo - 1) + delta;
	unsigned yy = (unsigned)(idx / 12) % 10000u, mm = (unsigned)(idx % 12) + 1;

	out[0] = (char)('0' + yy / 1000);
	out[1] = (char)('0' + yy / 100 % 10);
	out[2] = (char)('0' + yy / 10 % 10);
	out[3] = (char)('0' + yy % 10);
	out[4] = '-';
	out[5] = (char)('0' + mm / 10);
	out[6] = (char)('0' + mm % 10);
	out[7] = '\0';
}

void
monthly_previous_month(sf_time now, char out[8])
{
	int y, m, d;
	char cur[8] = "1970-01";

	date_to_ymd(date_of(now), &y, &m, &d);
	/* "1970-01" moved by the months since then */
	monthly_month_add(cur, (y - 1970) * 12 + (m - 1) - 1, out);
}

static int
count_row(void *ctx, const struct ulist_row *row)
{
	monthly_tally_add(ctx, row);
	return 0;
}

/* The id of the latest list import of resource R for MONTH, or 0. */
static enum sf_status
latest_import(struct store *st, enum ul_resource r, const char *month,
	      int64_t *id, struct sf_error *err)
{
	json_t *all = NULL, *x;
	size_t i;
	enum sf_status rc = st->ops->ulist_imports(
		st, columns_resource_name(r), month, 0, &all, err);

	*id = 0;
	if (rc)
		return rc;
	json_array_foreach(all, i, x)
	{
		const char *kind = json_string_value(json_object_get(x, "kind"));
		if (kind && strcmp(kind, "list") != 0)
			continue;
		*id = json_integer_value(json_object_get(x, "id"));
	}
	json_decref(all);
	return SF_OK;
}

enum sf_status
monthly_count(struct store *st, const char *month, struct monthly_counts *out,
	      struct sf_error *err)
{
	enum sf_status rc = SF_OK;

	memset(out, 0, sizeof(*out));
	if (monthly_month_ok(month))
		return sf_fail(err, SF_INVALID, "month",
			       "month \"%s\" is not YYYY-MM",
			       month ? month : "");
	xstrlcpy(out->month, month, sizeof(out->month));
	for (size_t k = 0; k < MONTHLY_NKEYS; k++)
		out->v[k] = -1;
	out->complete = 1;
	for (size_t i = 0; i < MONTHLY_NLISTS && !rc; i++) {
		struct monthly_tally t;

		rc = latest_import(st, lists[i], month, &out->import_id[i],
				   err);
		if (rc)
			break;
		if (!out->import_id[i]) {
			out->complete = 0;
			continue;
		}
		monthly_tally_init(&t, lists[i]);
		rc = st->ops->ulist_rows_each(st, out->import_id[i], count_row,
					      &t, err);
		monthly_tally_end(&t, out->v);
	}
	return rc;
}

static json_t *
import_json(struct store *st, enum ul_resource r, int64_t id,
	    struct sf_error *err)
{
	json_t *all = NULL, *x, *o = json_null();
	size_t i;

	if (st->ops->ulist_imports(st, columns_resource_name(r), NULL, 0, &all,
				   err))
		return NULL;
	json_array_foreach(all, i, x)
	{
		if (json_integer_value(json_object_get(x, "id")) != id)
			continue;
		o = json_pack("{s:I, s:O, s:O, s:O}", "import", (json_int_t)id,
			      "file", json_object_get(x, "filename"), "rows",
			      json_object_get(x, "nrows"), "imported",
			      json_object_get(x, "imported"));
		break;
	}
	json_decref(all);
	return o;
}

enum sf_status
monthly_report(struct store *st, const char *month, json_t **out,
	       struct sf_error *err)
{
	struct monthly_counts m[3];
	json_t *counts, *avg = NULL, *listj, *missing;
	enum sf_status rc;
	int history = 1;

	*out = NULL;
	rc = monthly_count(st, month, &m[0], err);
	for (int i = 1; i < 3 && !rc; i++) {
		char prev[8];
		monthly_month_add(month, -i, prev);
		rc = monthly_count(st, prev, &m[i], err);
	}
	if (rc)
		return rc;
	for (int i = 0; i < 3; i++)
		history = history && m[i].complete;
	counts = json_object();
	if (history)
		avg = json_object();
	for (size_t k = 0; k < MONTHLY_NKEYS; k++) {
		json_object_set_new(counts, keys[k].key,
				    m[0].v[k] < 0 ? json_null()
						  : json_integer(m[0].v[k]));
		if (avg) {
			long long three[3] = {m[0].v[k], m[1].v[k], m[2].v[k]};
			json_object_set_new(
				avg, keys[k].key,
				json_integer(monthly_round_mean(three, 3)));
		}
	}
	listj = json_object();
	missing = json_array();
	for (size_t i = 0; i < MONTHLY_NLISTS; i++) {
		const char *name = columns_resource_name(lists[i]);
		json_t *o = json_null();
		if (!m[0].import_id[i])
			json_array_append_new(missing, json_string(name));
		else if (!(o = import_json(st, lists[i], m[0].import_id[i],
					   err)))
			rc = SF_DB;
		json_object_set_new(listj, name, o ? o : json_null());
	}
	*out = json_pack("{s:s, s:o, s:o, s:o, s:o}", "month", month, "counts",
			 counts, "averages", avg ? avg : json_null(), "lists",
			 listj, "missing", missing);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
