/*
 * inc_correlate.c - correlation (seed 002 SEC.4.1): the incidents
 * related to this one, each with why (shared systems, shared IP
 * addresses or host names found in the texts, the same matched keywords,
 * registered within the time window) and the actions already taken on
 * it, by whom, when and with what outcome.  The Security Manager confirms
 * the links at the correlate step.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "modules/incidents/inc_internal.h"

#define WINDOW_DAYS 30 /* how far apart two related incidents may be */
#define MAX_INDICATORS 200

static int
host_char(int c)
{
	return isalnum(c) || c == '-' || c == '.';
}

static void
add_once(json_t *set, const char *v, size_t n)
{
	json_t *x;
	size_t i;

	if (json_array_size(set) >= MAX_INDICATORS)
		return;
	json_array_foreach(set, i, x)
		if (strlen(json_string_value(x)) == n &&
		    strncmp(json_string_value(x), v, n) == 0)
			return;
	json_array_append_new(set, json_stringn(v, n));
}

/* A dotted quad with each part 0-255. */
static int
is_ipv4(const char *s, size_t n)
{
	int parts = 0, val = -1, digits = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (val < 0 || val > 255 || digits > 3)
				return 0;
			parts++;
			val = -1;
			digits = 0;
		} else if (isdigit((unsigned char)s[i])) {
			val = (val < 0 ? 0 : val * 10) + (s[i] - '0');
			digits++;
		} else {
			return 0;
		}
	}
	return parts == 4;
}

/* Labels of letters, digits and hyphens, at least two, the last one
 * letters only (a TLD): "srv1.itsm.example.eu". */
static int
is_host(const char *s, size_t n)
{
	size_t last = 0;
	int dots = 0;

	if (n < 4 || s[0] == '.' || s[n - 1] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.') {
			if (i + 1 < n && s[i + 1] == '.')
				return 0;
			dots++;
			last = i + 1;
		}
	if (!dots || n - last < 2)
		return 0;
	for (size_t i = last; i < n; i++)
		if (!isalpha((unsigned char)s[i]))
			return 0;
	return 1;
}

void
inc_indicators(const char *text, size_t len, json_t *set)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		while (j < len && host_char((unsigned char)text[j]))
			j++;
		if (j > i) {
			size_t n = j - i;
			/* A sentence's full stop is not part of a name. */
			while (n && text[i + n - 1] == '.')
				n--;
			if (n && n <= 253 &&
			    (is_ipv4(text + i, n) || is_host(text + i, n))) {
				char low[254];
				for (size_t k = 0; k < n; k++)
					low[k] = (char)tolower(
						(unsigned char)text[i + k]);
				add_once(set, low, n);
			}
			i = j;
		} else {
			i++;
		}
	}
}

/* The strings both arrays hold, as a new array. */
static json_t *
common(json_t *a, json_t *b, const char *key)
{
	json_t *out = json_array(), *x, *y;
	size_t i, j;

	json_array_foreach(a, i, x)
	{
		const char *v = key ? json_string_value(json_object_get(x, key))
				    : json_string_value(x);
		if (!v)
			continue;
		json_array_foreach(b, j, y)
		{
			const char *w = key ? json_string_value(
						      json_object_get(y, key))
					    : json_string_value(y);
			if (w && strcmp(v, w) == 0) {
				add_once(out, v, strlen(v));
				break;
			}
		}
	}
	return out;
}

/* What two incidents may share, each a reason of its kind: the values
 * of FIELD in both (of their member KEY, for a list of objects). */
static const struct {
	const char *field, *key, *kind;
} shared[] = {
	{"systems", NULL, "system"},
	{"indicators", NULL, "address"},
	{"matches", "keyword", "keyword"},
};

/* Add listed incident O to OUT when related to INST.  1 when O is older
 * than the window (and so is every one after it in the list). */
static int
consider(struct instance *inst, json_t *o, json_t *out)
{
	json_t *d = json_object_get(o, "data");
	int64_t id = json_integer_value(json_object_get(o, "id"));
	json_t *reasons, *x, *acts, *root, *p;
	sf_time t = json_integer_value(json_object_get(o, "created"));
	int64_t dt = t - inst->created, win = (int64_t)WINDOW_DAYS * 86400;

	if (-dt > win)
		return 1;
	if (id == inst->id || dt > win)
		return 0;
	reasons = json_array();
	for (size_t k = 0; k < sizeof(shared) / sizeof(shared[0]); k++) {
		x = common(json_object_get(inst->data, shared[k].field),
			   json_object_get(d, shared[k].field), shared[k].key);
		if (json_array_size(x))
			json_array_append_new(
				reasons, json_pack("{s:s, s:O}", "kind",
						   shared[k].kind, "values", x));
		json_decref(x);
	}
	if (!json_array_size(reasons)) {
		json_decref(reasons);
		return 0;
	}
	/* What was done about it: its actions, by whom, when, with what
	 * outcome; and the root cause found. */
	acts = json_object_get(d, "actions");
	root = json_object_get(json_object_get(d, "correlation"), "root_cause");
	p = json_pack("{s:I, s:O, s:o}", "incident", (json_int_t)id,
		      "reference", json_object_get(d, "reference"), "reasons",
		      reasons);
	json_object_set_new(p, "actions", acts ? json_incref(acts) : json_array());
	json_object_set_new(p, "root_cause", root ? json_incref(root) : json_null());
	json_array_append_new(out, p);
	return 0;
}

json_t *
inc_correlations(struct engine *e, const struct actor *who,
		 struct instance *inst)
{
	json_t *out = json_array(), *page, *o;
	struct sf_error err;
	int64_t before = 0, next;
	int stop = 0;
	size_t i;

	/* Pages newest first; ids grow with time, so the walk ends at the
	 * first incident older than the window instead of reading all. */
	while (!stop) {
		if (engine_list(e, who, "incidents", before, 200, &page, &next,
				&err))
			break;
		json_array_foreach(page, i, o)
			if ((stop = consider(inst, o, out)))
				break;
		json_decref(page);
		if (!next)
			break;
		before = next;
	}
	return out;
}
