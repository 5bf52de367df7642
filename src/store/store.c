/* store.c - backend selection and the release functions of store.h. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

const struct store_ops *store_pg_ops_get(void); /* store_pg.c, optional */

enum sf_status
store_open(const char *url, struct store **out, struct sf_error *err)
{
	if (strncmp(url, "postgres://", 11) == 0 ||
	    strncmp(url, "postgresql://", 13) == 0) {
		const struct store_ops *pg = store_pg_ops_get();
		if (!pg)
			return sf_fail(err, SF_BAD_REQUEST, "db",
				       "PostgreSQL support is not built in");
		return pg->open(url, out, err);
	}
	return store_sqlite_ops.open(url, out, err);
}

void
store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

void
user_release(struct user *u)
{
	free(u->name);
	free(u->email);
	if (u->pw_hash)
		xfree_secret(u->pw_hash, strlen(u->pw_hash));
	memset(u, 0, sizeof(*u));
}

void
grant_list_release(struct grant_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].role);
		free(l->v[i].scope);
		free(l->v[i].from_name);
		free(l->v[i].until);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
instance_release(struct instance *i)
{
	free(i->process);
	free(i->object);
	free(i->state);
	json_decref(i->data);
	memset(i, 0, sizeof(*i));
}

void
step_row_release(struct step_row *s)
{
	free(s->step);
	free(s->state);
	free(s->due);
	free(s->user_name);
	free(s->role);
	free(s->acting_for);
	json_decref(s->input);
	free(s->roles);
	free(s->scope);
	free(s->process);
	free(s->object);
	memset(s, 0, sizeof(*s));
}

void
step_list_release(struct step_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		step_row_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
summary_list_release(struct summary_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].process);
		free(l->v[i].state);
		free(l->v[i].summary);
		json_decref(l->v[i].data);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
job_list_release(struct job_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].kind);
		free(l->v[i].payload);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
outbox_row_release(struct outbox_row *m)
{
	json_decref(m->to);
	json_decref(m->cc);
	json_decref(m->bcc);
	json_decref(m->attachments);
	free(m->subject);
	free(m->body);
	free(m->format);
	free(m->state);
	free(m->last_error);
	free(m->object);
	memset(m, 0, sizeof(*m));
}

void
outbox_list_release(struct outbox_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		outbox_row_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
access_keys_add(struct access_keys *k, const char *role, const char *scope)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i].role, role) == 0 &&
		    strcmp(k->v[i].scope, scope) == 0)
			return;
	/* Grow by powers of two: N is a power of two when full. */
	if ((k->n & (k->n - 1)) == 0)
		k->v = xrealloc(k->v, (k->n ? 2 * k->n : 4) * sizeof(*k->v));
	k->v[k->n].role = xstrdup(role);
	k->v[k->n].scope = xstrdup(scope);
	k->n++;
}

void
access_keys_release(struct access_keys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].role);
		free(k->v[i].scope);
	}
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

char *
access_keys_json(const struct access_keys *k)
{
	json_t *a = json_array();
	char *t;

	for (size_t i = 0; i < k->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "role",
						   k->v[i].role, "scope",
						   k->v[i].scope));
	t = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return t ? t : xstrdup("[]");
}

enum sf_status
store_each_instance(struct store *st,
		    enum sf_status (*fn)(void *ctx, json_t *inst,
					 struct sf_error *err),
		    void *ctx, struct sf_error *err)
{
	enum { BATCH = 500 };
	int64_t before = 0;
	enum sf_status r = SF_OK;

	for (;;) {
		json_t *batch, *o;
		size_t i, got;

		r = st->ops->instance_list(st, NULL, before, BATCH, &batch, err);
		if (r)
			return r;
		got = json_array_size(batch);
		json_array_foreach(batch, i, o)
		{
			before = json_integer_value(json_object_get(o, "id"));
			if ((r = fn(ctx, o, err)))
				break;
		}
		json_decref(batch);
		if (r || got < BATCH)
			return r;
	}
}
