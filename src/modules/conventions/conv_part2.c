/*
 * conv_part2.c - Part 2 of a convention: the rules between the fields of
 * an access (which the field types alone cannot say), versions, ids, and
 * the ISHS change that ends impacted accesses and adds new ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "modules/conventions/conv_internal.h"

enum sf_status
conv_part2_check(json_t *accesses, const char *expires, struct sf_error *err)
{
	size_t i;
	json_t *a;

	json_array_foreach(accesses, i, a)
	{
		const char *start =
			json_string_value(json_object_get(a, "start"));
		const char *end = json_string_value(json_object_get(a, "end"));
		char field[48];

		if (start && end && strcmp(end, start) < 0) {
			snprintf(field, sizeof(field), "accesses[%zu].end", i);
			return sf_fail(err, SF_INVALID, field,
				       "%s: the access ends (%s) before it "
				       "starts (%s)",
				       field, end, start);
		}
		if (end && expires && strcmp(end, expires) > 0) {
			snprintf(field, sizeof(field), "accesses[%zu].end", i);
			return sf_fail(err, SF_INVALID, field,
				       "%s: %s is after the convention's "
				       "expiry date %s",
				       field, end, expires);
		}
	}
	return SF_OK;
}

/* The largest access id in A. */
static int64_t
max_id(json_t *a)
{
	int64_t m = 0;
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
	{
		int64_t v = json_integer_value(json_object_get(x, "id"));
		if (v > m)
			m = v;
	}
	return m;
}

/* Keep version N of Part 2 (the fields and the list) in the history. */
static void
add_version(json_t *data, json_t *part2, json_t *accesses,
	    struct hook_ctx *c)
{
	json_t *hist = json_object_get(data, "part2_versions");
	json_t *v;
	char t[32];

	if (!json_is_array(hist)) {
		hist = json_array();
		json_object_set_new(data, "part2_versions", hist);
	}
	clock_format(c->now, t);
	v = json_deep_copy(part2);
	json_object_set_new(v, "version",
			    json_integer((json_int_t)json_array_size(hist) + 1));
	json_object_set_new(v, "date", json_string(t));
	json_object_set_new(v, "by", json_string(c->who->name));
	json_object_set_new(v, "step", json_string(c->step->id));
	json_object_set(v, "accesses", accesses);
	json_object_set_new(part2, "version",
			    json_integer((json_int_t)json_array_size(hist) + 1));
	json_array_append_new(hist, v);
}

void
conv_part2_apply(json_t *data, json_t *input, json_t *accesses,
		 struct hook_ctx *c)
{
	static const char *const keep[] = {"application", "rfc", "client_os",
					   "connection", "support_contact",
					   NULL};
	json_t *part2 = json_object();
	json_t *list = json_array();
	json_t *old = json_object_get(data, "accesses");
	int64_t next = max_id(old) + 1;
	size_t i;
	json_t *a;

	for (size_t k = 0; keep[k]; k++) {
		json_t *v = json_object_get(input, keep[k]);
		if (v)
			json_object_set(part2, keep[k], v);
	}
	/* An access that is the same as before keeps its id, so
	 * references (impacted accesses, removals) survive revisions. */
	json_array_foreach(accesses, i, a)
	{
		json_t *copy = json_deep_copy(a);
		json_t *o;
		size_t j;
		int64_t id = 0;

		json_array_foreach(old, j, o)
		{
			json_t *tmp = json_deep_copy(o);
			json_object_del(tmp, "id");
			json_object_del(tmp, "state");
			if (json_equal(tmp, a))
				id = json_integer_value(json_object_get(o, "id"));
			json_decref(tmp);
			if (id)
				break;
		}
		json_object_set_new(copy, "id", json_integer(id ? id : next++));
		json_object_set_new(copy, "state", json_string("requested"));
		json_array_append_new(list, copy);
	}
	add_version(data, part2, list, c);
	json_object_set_new(data, "part2", part2);
	json_object_set_new(data, "accesses", list);
}

enum sf_status
conv_part2_ishs(json_t *data, json_t *parent_acc, json_t *input,
		struct hook_ctx *c, struct sf_error *err)
{
	const char *mig =
		json_string_value(json_object_get(input, "migration_date"));
	int months = (int)json_integer_value(json_object_get(input, "months"));
	const char *expires =
		json_string_value(json_object_get(data, "expires"));
	json_t *impacted = json_object_get(input, "impacted");
	json_t *list = json_deep_copy(parent_acc);
	json_t *fresh = json_object_get(input, "accesses");
	int64_t next = max_id(list) + 1;
	sf_date d;
	char old_end[16], field[48];
	size_t i;
	json_t *x;

	date_parse(mig, &d);
	date_format(date_add_months(d, months), old_end);
	if (expires && strcmp(old_end, expires) > 0)
		xstrlcpy(old_end, expires, sizeof(old_end));
	json_array_foreach(impacted, i, x)
	{
		int64_t want = json_integer_value(x);
		json_t *a;
		size_t j;
		int found = 0;

		json_array_foreach(list, j, a)
		{
			if (json_integer_value(json_object_get(a, "id")) !=
			    want)
				continue;
			found = 1;
			json_object_set_new(a, "end", json_string(old_end));
			json_object_set_new(a, "state",
					    json_string("ending"));
		}
		if (!found) {
			json_decref(list);
			snprintf(field, sizeof(field), "impacted[%zu]", i);
			return sf_fail(err, SF_INVALID, field,
				       "%s: the convention has no access %lld",
				       field, (long long)want);
		}
	}
	json_array_foreach(fresh, i, x)
	{
		json_t *a = json_deep_copy(x);
		const char *start =
			json_string_value(json_object_get(a, "start"));

		if (start && expires && strcmp(start, expires) > 0) {
			json_decref(a);
			json_decref(list);
			snprintf(field, sizeof(field), "accesses[%zu].start",
				 i);
			return sf_fail(err, SF_INVALID, field,
				       "%s: %s is after the convention's "
				       "expiry date %s",
				       field, start, expires);
		}
		json_object_set_new(a, "end", json_string(expires));
		json_object_set_new(a, "id", json_integer(next++));
		json_object_set_new(a, "state", json_string("requested"));
		json_array_append_new(list, a);
	}
	json_object_set_new(data, "obsolete_after", json_string(old_end));
	{
		json_t *p2 = json_object_get(data, "part2");
		if (!json_is_object(p2)) {
			p2 = json_object();
			json_object_set_new(data, "part2", p2);
		}
		add_version(data, p2, list, c);
	}
	json_object_set_new(data, "accesses", list);
	return SF_OK;
}

enum sf_status
conv_part2_take(struct hook_ctx *c, json_t *data, struct sf_error *err)
{
	json_t *acc = json_object_get(c->input, "accesses");
	enum sf_status rc = conv_part2_check(
		acc, json_string_value(json_object_get(data, "expires")), err);

	if (!rc)
		conv_part2_apply(data, c->input, acc, c);
	return rc;
}
