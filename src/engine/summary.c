/*
 * summary.c - list summaries (summary.h): the projection of an instance's
 * data on its process's list fields, and the rewrite of the stored ones
 * when the loaded definitions' lists change.
 */
#include "engine/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

json_t *
summary_json(const struct procdef *def, json_t *data)
{
	json_t *o = json_object(), *v;

	for (size_t i = 0; i < def->nlist; i++)
		if ((v = json_object_get(data, def->list[i])))
			json_object_set(o, def->list[i], v);
	return o;
}

char *
summary_text(const struct procdef *def, json_t *data)
{
	json_t *o = summary_json(def, data);
	char *t = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return t ? t : xstrdup("{}");
}

char *
summary_for(const struct registry *reg, const char *process, json_t *data)
{
	const struct procdef *def = registry_find(reg, process);

	return def ? summary_text(def, data) : NULL;
}

void
summary_json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	buf_add(b, "\"", 1);
	for (; *p; p++) {
		const unsigned char *q = p;
		char e[6] = {'\\', 'u', '0', '0', 0, 0};

		while (*q >= 0x20 && *q != '"' && *q != '\\')
			q++;
		if (q > p) {
			buf_add(b, p, (size_t)(q - p));
			p = q;
			if (!*p)
				break;
		}
		if (*p == '"' || *p == '\\') {
			e[1] = (char)*p;
			buf_add(b, e, 2);
		} else {
			e[4] = hex[*p >> 4];
			e[5] = hex[*p & 15];
			buf_add(b, e, 6);
		}
	}
	buf_add(b, "\"", 1);
}

/* "process:field,field;..." for every definition of REG: what the
 * stored summaries were made from.  The caller frees it. */
static char *
signature(const struct registry *reg)
{
	struct buf b;
	char *sig;

	buf_init(&b, 0);
	for (size_t i = 0; i < registry_count(reg); i++) {
		const struct procdef *def = registry_at(reg, i);

		buf_addf(&b, "%s%s:", i ? ";" : "", def->name);
		for (size_t k = 0; k < def->nlist; k++)
			buf_addf(&b, "%s%s", k ? "," : "", def->list[k]);
	}
	sig = buf_detach(&b, NULL);
	buf_release(&b); /* buf_detach left it a new empty buffer */
	return sig;
}

/* Whether the setting list_fields differs from SIG. */
static enum sf_status
stale(struct store *st, const char *sig, int *out, struct sf_error *err)
{
	char *v = NULL;
	enum sf_status r = st->ops->setting_get(st, "list_fields", &v, err);

	*out = 1;
	if (r == SF_NOT_FOUND)
		return SF_OK;
	if (r)
		return r;
	*out = strcmp(v, sig) != 0;
	free(v);
	return SF_OK;
}

struct refresh {
	struct store *st;
	const struct registry *reg;
};

/* Rewrite one instance's summary (store_each_instance). */
static enum sf_status
refresh_one(void *ctx, json_t *inst, struct sf_error *err)
{
	struct refresh *rc = ctx;
	char *t = summary_for(rc->reg,
			      json_string_value(json_object_get(inst, "process")),
			      json_object_get(inst, "data"));
	enum sf_status r = rc->st->ops->instance_summary_put(
		rc->st, json_integer_value(json_object_get(inst, "id")), t, err);

	free(t);
	return r;
}

enum sf_status
summary_refresh(struct store *st, const struct registry *reg,
		struct sf_error *err)
{
	char *sig = signature(reg);
	struct refresh rc = {st, reg};
	enum sf_status r;
	int want;

	/* Look without the write lock first: every start comes here. */
	r = stale(st, sig, &want, err);
	if (r || !want)
		goto done;
	r = st->ops->begin(st, err);
	if (r)
		goto done;
	r = stale(st, sig, &want, err);
	if (r || !want)
		goto out;
	r = store_each_instance(st, refresh_one, &rc, err);
	if (r)
		goto out;
	r = st->ops->setting_put(st, "list_fields", sig, err);
out:
	if (r || !want) { /* failed, or another process was first */
		st->ops->rollback(st);
	} else {
		r = st->ops->commit(st, err);
	}
done:
	free(sig);
	return r;
}
