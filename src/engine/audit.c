/* audit.c - append, verify and list the hash-chained audit trail. */
#include "audit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "core/alloc.h"
#include "core/buf.h"

static void
field(struct buf *b, const char *s)
{
	if (!s)
		s = "";
	buf_addf(b, "%zu:", strlen(s));
	buf_adds(b, s);
}

/* The record's hash, over its prev_hash and every field. */
static void
audit_hash(const struct audit_rec *a, char out[65])
{
	struct buf b;
	char num[32];

	buf_init(&b, 0);
	field(&b, a->prev_hash);
	snprintf(num, sizeof(num), "%" PRId64, a->id);
	field(&b, num);
	snprintf(num, sizeof(num), "%" PRId64, a->ts);
	field(&b, num);
	field(&b, a->user_name);
	field(&b, a->role);
	field(&b, a->acting_for);
	field(&b, a->object);
	field(&b, a->action);
	field(&b, a->before);
	field(&b, a->after);
	sha256_hex(b.data, b.len, out);
	buf_release(&b);
}

enum sf_status
audit_append(struct store *st, const struct actor *who, const char *role,
	     const char *acting_for, const char *object, const char *action,
	     json_t *before, json_t *after, sf_time now, struct sf_error *err)
{
	struct audit_rec a = {0};
	char prev[65], hash[65];
	int64_t last;
	enum sf_status r;

	r = st->ops->audit_head(st, &last, prev, err);
	if (r)
		return r;
	a.id = last + 1;
	a.ts = now;
	a.user_name = who ? who->name : "system";
	a.role = (char *)(role ? role : "");
	a.acting_for = (char *)(acting_for ? acting_for : "");
	a.object = (char *)object;
	a.action = (char *)action;
	a.before = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS |
						       JSON_ENCODE_ANY)
			  : NULL;
	a.after = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS |
						    JSON_ENCODE_ANY)
			: NULL;
	a.prev_hash = prev;
	audit_hash(&a, hash);
	a.hash = hash;
	r = st->ops->audit_insert(st, &a, err);
	free(a.before);
	free(a.after);
	return r;
}

struct verify_ctx {
	char prev[65];
	int64_t last_id;
	int64_t count;
	int64_t bad;
	char why[200];
};

static int
verify_one(void *p, const struct audit_rec *a)
{
	struct verify_ctx *v = p;
	char h[65];

	v->count++;
	if (a->id != v->last_id + 1) {
		v->bad = a->id;
		snprintf(v->why, sizeof(v->why),
			 "record %lld follows %lld: records are missing",
			 (long long)a->id, (long long)v->last_id);
		return 1;
	}
	if (strcmp(a->prev_hash ? a->prev_hash : "", v->prev) != 0) {
		v->bad = a->id;
		snprintf(v->why, sizeof(v->why),
			 "record %lld does not hold the previous record's hash",
			 (long long)a->id);
		return 1;
	}
	audit_hash(a, h);
	if (strcmp(h, a->hash ? a->hash : "") != 0) {
		v->bad = a->id;
		snprintf(v->why, sizeof(v->why),
			 "record %lld was altered: its hash does not match its "
			 "content",
			 (long long)a->id);
		return 1;
	}
	xstrlcpy(v->prev, a->hash, sizeof(v->prev));
	v->last_id = a->id;
	return 0;
}

enum sf_status
audit_verify(struct store *st, int64_t *bad_id, int64_t *count,
	     struct sf_error *err)
{
	struct verify_ctx v = {0};
	enum sf_status r;

	r = st->ops->audit_each(st, NULL, verify_one, &v, err);
	if (r)
		return r;
	if (count)
		*count = v.count;
	if (bad_id)
		*bad_id = v.bad;
	if (v.bad)
		return sf_fail(err, SF_INVALID, "audit", "%s", v.why);
	return SF_OK;
}

static int
list_one(void *p, const struct audit_rec *a)
{
	json_t *arr = p;
	char ts[32];
	json_t *o;

	clock_format(a->ts, ts);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		      (json_int_t)a->id, "at", ts, "user", a->user_name, "role",
		      a->role, "acting_for", a->acting_for, "object", a->object,
		      "action", a->action, "hash", a->hash);
	json_object_set_new(o, "before",
			    a->before ? json_loads(a->before, JSON_DECODE_ANY,
						   NULL)
				      : json_null());
	json_object_set_new(o, "after",
			    a->after ? json_loads(a->after, JSON_DECODE_ANY,
						  NULL)
				     : json_null());
	json_array_append_new(arr, o);
	return 0;
}

enum sf_status
audit_list(struct store *st, const char *object, json_t **out,
	   struct sf_error *err)
{
	enum sf_status r;

	*out = json_array();
	r = st->ops->audit_each(st, object, list_one, *out, err);
	if (r) {
		json_decref(*out);
		*out = NULL;
	}
	return r;
}
