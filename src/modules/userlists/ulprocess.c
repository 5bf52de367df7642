/*
 * ulprocess.c - hooks of userlist.monthly (see ulprocess.h).
 */
#include <string.h>

#include "core/buf.h"
#include "modules/userlists/monthly.h"
#include "modules/userlists/ulprocess.h"

sf_date
ulprocess_due(const struct calendar *cal, const char *month)
{
	char next[8];
	sf_date first;

	monthly_month_add(month, 1, next);
	first = date_from_ymd((next[0] - '0') * 1000 + (next[1] - '0') * 100 +
				      (next[2] - '0') * 10 + (next[3] - '0'),
			      (next[5] - '0') * 10 + (next[6] - '0'), 1);
	/* the first working day after the month's last day */
	return calendar_add_working_days(cal, first - 1, 1);
}

static enum sf_status
ulp_start(struct hook_ctx *c, struct sf_error *err)
{
	json_t *d = c->inst->data;
	const char *month = json_string_value(json_object_get(d, "month"));
	char s[16];
	sf_date due;

	if (monthly_month_ok(month))
		return sf_fail(err, SF_INVALID, "month",
			       "month \"%s\" is not YYYY-MM",
			       month ? month : "");
	due = ulprocess_due(c->e->cal, month);
	date_format(due, s);
	json_object_set_new(d, "due", json_string(s));
	/* the wait ends once WAKE has passed: the day before DUE */
	date_format(due - 2, s);
	json_object_set_new(d, "wake", json_string(s));
	json_object_set_new(d, "averages", json_false());
	return SF_OK;
}

static enum sf_status
ulp_before(struct hook_ctx *c, struct sf_error *err)
{
	const char *month =
		json_string_value(json_object_get(c->inst->data, "month"));
	struct monthly_counts m;
	enum sf_status rc;

	if (!c->step || monthly_month_ok(month))
		return SF_OK;
	if (strcmp(c->step->id, "collect") == 0) {
		struct buf b;
		rc = monthly_count(c->e->st, month, &m, err);
		if (rc || m.complete)
			return rc;
		buf_init(&b, 512);
		for (size_t i = 0; i < MONTHLY_NLISTS; i++)
			if (!m.import_id[i])
				buf_addf(&b, "%s%s", b.len ? ", " : "",
					 columns_resource_name(
						 monthly_list(i)));
		rc = sf_fail(err, SF_CONFLICT, NULL,
			     "the lists of %s are not all imported: %s missing",
			     month, b.data);
		buf_release(&b);
		return rc;
	}
	if (strcmp(c->step->id, "report") == 0) {
		json_t *rep = NULL;
		rc = monthly_report(c->e->st, month, &rep, err);
		if (rc)
			return rc;
		json_object_set_new(
			c->inst->data, "averages",
			json_boolean(json_is_object(
				json_object_get(rep, "averages"))));
		json_decref(rep);
	}
	return SF_OK;
}

const struct module_hooks userlist_monthly_hooks = {
	.process = "userlist.monthly",
	.on_start = ulp_start,
	.before_step = ulp_before,
};
