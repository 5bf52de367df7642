/*
 * rev_result.c - SEC.5.13/5.15: the consolidated result of a campaign
 * for the monthly progress report, as Markdown or XLSX, from the
 * campaign's data and its reconciliation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonget.h"
#include "modules/reviews/rev_internal.h"
#include "modules/reviews/reviews.h"

static json_int_t
count_action(json_t *decisions, const char *action)
{
	json_t *d;
	size_t i;
	json_int_t n = 0;

	json_array_foreach (decisions, i, d)
		n += strcmp(json_get_str(d, "action"), action) == 0;
	return n;
}

static int
reminders_of(json_t *data, const char *scope)
{
	json_t *r, *x;
	size_t i, k;
	int n = 0;

	json_array_foreach(json_object_get(data, "_reminders"), i, r)
		json_array_foreach(json_object_get(r, "reminded"), k, x)
			if (json_is_string(x) &&
			    strcmp(json_string_value(x), scope) == 0)
				n++;
	return n;
}

/* The result as tables: {"Summary": rows, "NAs": rows, ...}. */
static json_t *
tables(json_t *data, json_t *rec)
{
	json_t *sum = json_array(), *nas = json_array(), *gws = json_array();
	json_t *teams = json_array(), *chg = json_array();
	json_t *counts = json_object_get(rec, "counts"), *v, *a, *d;
	const char *k;
	size_t i;

	json_array_append_new(sum, json_pack("[s, s]", "Item", "Value"));
	json_array_append_new(
	    sum, json_pack("[s, s]", "Quarter", json_get_str(data, "quarter")));
	json_object_foreach(counts, k, v)
		json_array_append_new(sum, json_pack("[s, O]", k, v));
	json_array_append_new(nas, json_pack("[s, s, s, s, s, s, s, s, s]",
					     "NA", "Users", "Answer",
					     "Disable", "Change", "Keep",
					     "Findings", "Reminders",
					     "Workbook"));
	json_object_foreach(json_object_get(json_object_get(data, "_sent"),
					    "nas"),
			    k, v)
	{
		a = json_object_get(json_object_get(data, "_answers"), k);
		d = json_object_get(a, "decisions");
		json_array_append_new(
		    nas, json_pack("[s, I, s, I, I, I, I, i, s]", k,
				   (json_int_t)json_array_size(
				       json_object_get(v, "users")),
				   a ? json_get_str(a, "status") : "none",
				   count_action(d, "disable"),
				   count_action(d, "change"),
				   count_action(d, "keep"),
				   (json_int_t)json_array_size(
				       json_object_get(a, "findings")),
				   reminders_of(data, k),
				   json_get_str(v, "workbook")));
	}
	json_array_append_new(gws, json_pack("[s, s, s, s, s, s]", "Gateway",
					     "Rows", "Answer", "Disabled",
					     "Signed confirmation",
					     "Reminders"));
	json_object_foreach(json_object_get(json_object_get(data, "_sent"),
					    "gateways"),
			    k, v)
	{
		json_t *c = json_object_get(
			json_object_get(data, "_lsa_confirmations"), k);
		a = json_object_get(json_object_get(data, "_ccn_answers"), k);
		json_array_append_new(
		    gws, json_pack("[s, O, s, I, s, i]", k,
				   json_object_get(v, "rows"),
				   a ? json_get_str(a, "status") : "none",
				   count_action(json_object_get(a, "decisions"),
						"disabled"),
				   c ? json_get_str(c, "date") : "no",
				   reminders_of(data, k)));
	}
	json_array_append_new(teams, json_pack("[s, s, s, s]", "Team",
					       "Absent from the authorised "
					       "list",
					       "Left (confirmed)",
					       "Unconfirmed"));
	json_object_foreach(json_object_get(data, "_leavers"), k, v)
		json_array_append_new(
			teams,
			json_pack("[s, I, I, I]", *k ? k : "(no team)",
				  (json_int_t)json_array_size(
					  json_object_get(v, "users")),
				  (json_int_t)(json_array_size(
						       json_object_get(v, "left")) +
					       json_array_size(json_object_get(
						       v, "directors_left"))),
				  (json_int_t)json_array_size(
					  json_object_get(v, "unconfirmed"))));
	json_array_append_new(chg, json_pack("[s, s, s, s, s, s]", "Source",
					     "NA", "UID", "Full name", "Action",
					     "Details"));
	json_array_foreach(json_object_get(json_object_get(data, "_changes"),
					   "changes"),
			   i, d)
		json_array_append_new(
		    chg,
		    json_pack("[s, s, s, s, s, s]", json_get_str(d, "source"),
			      json_get_str(d, "na"), json_get_str(d, "uid"),
			      json_get_str(d, "full_name"),
			      json_get_str(d, "action"),
			      json_get_str(d, "details")));
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "Summary", sum, "NAs",
			 nas, "Gateways", gws, "Staff", teams, "Changes", chg);
}

static void
md_table(struct buf *b, const char *title, json_t *rows)
{
	json_t *row, *c;
	size_t i, k;

	buf_addf(b, "\n## %s\n\n", title);
	json_array_foreach(rows, i, row)
	{
		json_array_foreach(row, k, c)
		{
			buf_adds(b, "| ");
			if (json_is_string(c)) {
				for (const char *s = json_string_value(c); *s;
				     s++)
					if (*s == '|')
						buf_adds(b, "\\|");
					else if (*s != '\n')
						buf_add(b, s, 1);
			} else {
				buf_addf(b, "%lld",
					 (long long)json_integer_value(c));
			}
			buf_adds(b, " ");
		}
		buf_adds(b, "|\n");
		if (i == 0) {
			buf_adds(b, "|");
			for (k = 0; k < json_array_size(row); k++)
				buf_adds(b, "---|");
			buf_adds(b, "\n");
		}
	}
	if (json_array_size(rows) <= 1)
		buf_adds(b, "\n(none)\n");
}

enum sf_status
review_result(struct engine *e, const struct actor *who, int64_t id,
	      const char *format, char **data, size_t *len, const char **ctype,
	      struct sf_error *err)
{
	static const char *const roles[] = {"read:", "security_manager",
					    "service_desk", "liso", NULL};
	struct rev r;
	json_t *rec = NULL, *t;
	enum sf_status rc;

	if (!format)
		format = "md";
	if (strcmp(format, "md") != 0 && strcmp(format, "xlsx") != 0)
		return sf_fail(err, SF_INVALID, "format",
			       "format is md or xlsx, not \"%s\"", format);
	rc = rev_open(e, who, id, roles, &r, err);
	if (rc)
		return rc;
	rc = rev_reconcile(r.st, id, &rec, err);
	if (rc) {
		rev_abort(&r);
		return rc;
	}
	t = tables(r.inst->data, rec);
	if (strcmp(format, "xlsx") == 0) {
		rc = rev_table_workbook(t, data, len, err);
		*ctype = "application/vnd.openxmlformats-officedocument."
			 "spreadsheetml.sheet";
	} else {
		struct buf b;
		buf_init(&b, 0);
		buf_addf(&b,
			 "# User access review %s - consolidated result\n\n"
			 "Campaign reviews/%lld, state %s%s%s.  For the "
			 "monthly progress report (WP.8.2.1).\n",
			 rev_quarter(&r), (long long)id, r.inst->state,
			 json_object_get(r.inst->data, "result_submitted")
			     ? ", submitted on "
			     : "",
			 json_get_str(r.inst->data, "result_submitted"));
		md_table(&b, "Summary", json_object_get(t, "Summary"));
		md_table(&b, "National Administrations (Webportal)",
			 json_object_get(t, "NAs"));
		md_table(&b, "CCN gateways", json_object_get(t, "Gateways"));
		md_table(&b, "Staff accounts absent from the authorised list",
			 json_object_get(t, "Staff"));
		md_table(&b, "Changes sent to the Service Desk",
			 json_object_get(t, "Changes"));
		*data = buf_detach(&b, len);
		buf_release(&b); /* detach leaves it fresh */
		*ctype = "text/markdown; charset=utf-8";
	}
	json_decref(t);
	json_decref(rec);
	rev_abort(&r);
	return rc;
}
