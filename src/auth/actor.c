/* actor.c - the acting user and role/scope checks. */
#include "actor.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

enum sf_status
actor_load(struct store *st, const char *name, int64_t id, sf_date today,
	   struct actor *out, struct sf_error *err)
{
	struct user u;
	char day[16];
	enum sf_status r;

	memset(out, 0, sizeof(*out));
	r = st->ops->user_get(st, name, id, &u, err);
	if (r)
		return r;
	if (u.disabled) {
		user_release(&u);
		return sf_fail(err, SF_UNAUTHORIZED, "user",
			       "user \"%s\" is disabled", name ? name : "");
	}
	out->user_id = u.id;
	out->name = xstrdup(u.name);
	out->email = xstrdup(u.email);
	user_release(&u);
	r = st->ops->grants_of(st, out->user_id, &out->grants, err);
	if (r)
		goto fail;
	date_format(today, day);
	r = st->ops->delegations_to(st, out->user_id, day, &out->delegated,
				    err);
	if (r)
		goto fail;
	return SF_OK;
fail:
	actor_release(out);
	return r;
}

void
actor_system(struct actor *out)
{
	memset(out, 0, sizeof(*out));
	out->name = xstrdup("system");
}

void
actor_operator(struct actor *out, const char *os_user)
{
	memset(out, 0, sizeof(*out));
	out->name = xasprintf("cli:%s", os_user ? os_user : "unknown");
	out->operator = 1;
}

void
actor_release(struct actor *a)
{
	free(a->name);
	free(a->email);
	grant_list_release(&a->grants);
	grant_list_release(&a->delegated);
	memset(a, 0, sizeof(*a));
}

static int
scope_ok(const struct grant *g, const char *scope)
{
	return !scope || !*scope || strcmp(g->scope, scope) == 0;
}

int
actor_holds(const struct actor *a, const char *role, const char *scope,
	    const char **acting_for)
{
	for (size_t i = 0; i < a->grants.n; i++) {
		if (strcmp(a->grants.v[i].role, role) == 0 &&
		    scope_ok(&a->grants.v[i], scope)) {
			if (acting_for)
				*acting_for = NULL;
			return 1;
		}
	}
	for (size_t i = 0; i < a->delegated.n; i++) {
		if (strcmp(a->delegated.v[i].role, role) == 0 &&
		    scope_ok(&a->delegated.v[i], scope)) {
			if (acting_for)
				*acting_for = a->delegated.v[i].from_name;
			return 1;
		}
	}
	return 0;
}

int
actor_has_role(const struct actor *a, const char *role)
{
	return actor_holds(a, role, NULL, NULL);
}

int
actor_is_admin(const struct actor *a)
{
	return a->operator || actor_has_role(a, "admin");
}
