/*
 * access.c - access keys: what may_perform() and engine_can_see() decide,
 * as rows the store indexes (see access.h).
 */
#include "engine/access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/notify.h"

const char *
access_scalar(json_t *v, char *buf, size_t n)
{
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "true";
	if (json_is_false(v))
		return "false";
	if (json_is_integer(v)) {
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, n, "%g", json_real_value(v));
		return buf;
	}
	return "";
}

char *
access_roles_csv(const struct step_def *sd)
{
	struct buf b;
	char *csv;

	buf_init(&b, 0);
	buf_adds(&b, ",");
	for (size_t i = 0; i < sd->nroles; i++) {
		buf_adds(&b, sd->roles[i]);
		buf_adds(&b, ",");
	}
	csv = buf_detach(&b, NULL);
	buf_release(&b); /* detach re-inits B */
	return csv;
}

char *
access_scopes_of(const struct procdef *def, const struct step_def *sd,
		 json_t *data)
{
	struct buf b;
	char *scopes;

	buf_init(&b, 0);
	buf_adds(&b, ";");
	for (size_t i = 0; i < sd->nroles; i++) {
		const char *f = procdef_scope_field(def, sd->roles[i]);
		char tmp[64];
		const char *v;

		if (!f)
			continue;
		if (json_is_array(json_object_get(data, f))) {
			/* A list of scopes (an incident's NAs): any of them,
			 * written "A|B". */
			json_t *x;
			size_t k;
			buf_addf(&b, "%s=", sd->roles[i]);
			json_array_foreach(json_object_get(data, f), k, x)
			{
				v = access_scalar(x, tmp, sizeof(tmp));
				buf_addf(&b, "%s%s", k ? "|" : "", v ? v : "");
			}
			buf_adds(&b, ";");
			continue;
		}
		v = access_scalar(json_object_get(data, f), tmp, sizeof(tmp));
		buf_addf(&b, "%s=%s;", sd->roles[i], v ? v : "");
	}
	scopes = buf_detach(&b, NULL);
	buf_release(&b); /* detach re-inits B */
	return scopes;
}

int
access_role_next(const char **p, char *name, size_t n)
{
	const char *end;

	while (*p && **p == ',')
		(*p)++;
	if (!*p || !**p)
		return 0;
	end = strchr(*p, ',');
	if (!end)
		end = *p + strlen(*p);
	snprintf(name, n, "%.*s", (int)(end - *p), *p);
	*p = end;
	return 1;
}

void
access_step_keys(const char *roles, const char *scopes, struct access_keys *out)
{
	const char *p = roles;
	char name[64];

	/* The walk of may_perform(), keeping every role instead of asking
	 * about one actor. */
	while (access_role_next(&p, name, sizeof(name))) {
		char *scope = scope_for(scopes, name);

		/* A scoped role whose scope field is empty matches nobody;
		 * a list "A|B" gives a key for each. */
		if (!scope) {
			access_keys_add(out, name, "");
		} else {
			char *q = scope, *bar;
			while (q && *q) {
				bar = strchr(q, '|');
				if (bar)
					*bar = '\0';
				if (*q)
					access_keys_add(out, name, q);
				q = bar ? bar + 1 : NULL;
			}
		}
		free(scope);
	}
}

void
access_instance_keys(const struct procdef *def, json_t *data,
		     struct access_keys *out)
{
	/* admin sees every instance: through the same index as everyone,
	 * so its first page is one short range, not a walk of the
	 * instances of every other kind. */
	access_keys_add(out, "admin", "");
	for (size_t i = 0; i < def->nreaders; i++) {
		const char *f = procdef_scope_field(def, def->readers[i]);
		char tmp[64];
		const char *v;

		if (!f) {
			access_keys_add(out, def->readers[i], "");
			continue;
		}
		if (json_is_array(json_object_get(data, f))) {
			json_t *x;
			size_t k;
			json_array_foreach(json_object_get(data, f), k, x)
			{
				v = access_scalar(x, tmp, sizeof(tmp));
				if (v && *v)
					access_keys_add(out, def->readers[i], v);
			}
			continue;
		}
		v = access_scalar(json_object_get(data, f), tmp, sizeof(tmp));
		if (v && *v)
			access_keys_add(out, def->readers[i], v);
	}
	for (size_t i = 0; i < def->nsteps; i++) {
		char *roles = access_roles_csv(&def->steps[i]);
		char *scopes = access_scopes_of(def, &def->steps[i], data);

		access_step_keys(roles, scopes, out);
		free(roles);
		free(scopes);
	}
}

static void
grant_pairs(const struct grant_list *l, struct access_keys *out)
{
	for (size_t i = 0; i < l->n; i++) {
		access_keys_add(out, l->v[i].role, "");
		if (l->v[i].scope && *l->v[i].scope)
			access_keys_add(out, l->v[i].role, l->v[i].scope);
	}
}

void
access_actor_pairs(const struct actor *who, struct access_keys *out)
{
	if (actor_is_admin(who)) /* admins and the CLI's operator */
		access_keys_add(out, "admin", "");
	grant_pairs(&who->grants, out);
	grant_pairs(&who->delegated, out);
}

int
access_keys_equal(const struct access_keys *a, const struct access_keys *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].role, b->v[i].role) != 0 ||
		    strcmp(a->v[i].scope, b->v[i].scope) != 0)
			return 0;
	return 1;
}

/* Parsed definition versions, by procdefs id, for one rebuild. */
struct pins {
	struct store *st;
	int64_t *id;
	struct procdef **def;
	size_t n;
};

static enum sf_status
pinned(struct store *st, struct pins *p, int64_t id, const struct procdef **out,
       struct sf_error *err)
{
	struct procdef *def;
	char *source = NULL, *file;
	enum sf_status r;

	for (size_t i = 0; i < p->n; i++) {
		if (p->id[i] == id) {
			*out = p->def[i];
			return SF_OK;
		}
	}
	r = st->ops->procdef_source(st, id, &source, err);
	if (r)
		return r;
	file = xasprintf("stored-version-%lld", (long long)id);
	r = procdef_parse(source, strlen(source), file, &def, err);
	free(file);
	free(source);
	if (r)
		return r;
	p->id = xrealloc(p->id, (p->n + 1) * sizeof(*p->id));
	p->def = xrealloc(p->def, (p->n + 1) * sizeof(*p->def));
	p->id[p->n] = id;
	p->def[p->n] = def;
	p->n++;
	*out = def;
	return SF_OK;
}

/* Whether the setting instance_keys asks for a rebuild. */
static enum sf_status
wanted(struct store *st, int *want, struct sf_error *err)
{
	char *v = NULL;
	enum sf_status r;

	*want = 0;
	r = st->ops->setting_get(st, "instance_keys", &v, err);
	if (r == SF_NOT_FOUND)
		return SF_OK;
	if (r)
		return r;
	*want = strcmp(v, "rebuild") == 0;
	free(v);
	return SF_OK;
}

/* Write one instance's keys, under the definition it is pinned to
 * (store_each_instance; CTX: the pins). */
static enum sf_status
rebuild_one(void *ctx, json_t *o, struct sf_error *err)
{
	struct instance inst;
	const struct procdef *def;
	struct access_keys keys = {0};
	struct store *st = ((struct pins *)ctx)->st;
	int64_t id = json_integer_value(json_object_get(o, "id"));
	enum sf_status r;

	r = st->ops->instance_get(st, id, &inst, err);
	if (r)
		return r;
	r = pinned(st, ctx, inst.procdef_id, &def, err);
	if (!r) {
		access_instance_keys(def, inst.data, &keys);
		r = st->ops->instance_keys_put(st, inst.id, inst.object, &keys,
					       err);
	}
	access_keys_release(&keys);
	instance_release(&inst);
	return r;
}

enum sf_status
access_rebuild_if_needed(struct store *st, struct sf_error *err)
{
	struct pins pins = {.st = st};
	enum sf_status r;
	int want;

	/* Look without the write lock first: every open comes here. */
	r = wanted(st, &want, err);
	if (r || !want)
		return r;
	r = st->ops->begin(st, err);
	if (r)
		return r;
	r = wanted(st, &want, err);
	if (r || !want)
		goto out;
	r = store_each_instance(st, rebuild_one, &pins, err);
	if (r)
		goto out;
	r = st->ops->setting_put(st, "instance_keys", "built", err);
out:
	for (size_t i = 0; i < pins.n; i++)
		procdef_free(pins.def[i]);
	free(pins.id);
	free(pins.def);
	if (r || !want) { /* failed, or another process was first */
		st->ops->rollback(st);
		return r;
	}
	return st->ops->commit(st, err);
}
