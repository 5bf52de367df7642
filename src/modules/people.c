/* people.c - user administration, checked and audited. */
#include "people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/roles.h"
#include "core/alloc.h"
#include "engine/audit.h"

static enum sf_status
need_admin(const struct actor *who, struct sf_error *err)
{
	if (actor_is_admin(who))
		return SF_OK;
	return sf_fail(err, SF_FORBIDDEN, NULL,
		       "only an admin may manage users");
}

/* Check that NAME is a sane user name: letters, digits, . _ - @. */
static enum sf_status
check_name(const char *name, const char *field, struct sf_error *err)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64)
		return sf_fail(err, SF_INVALID, field,
			       "a user name has 1 to 64 characters");
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-@", *p)))
			return sf_fail(err, SF_INVALID, field,
				       "user name \"%s\" may hold only "
				       "letters, digits and . _ - @",
				       name);
	return SF_OK;
}

static enum sf_status
check_role(const char *role, const char *scope, struct sf_error *err)
{
	const struct role_info *ri = role_find(role);

	if (!ri)
		return sf_fail(err, SF_INVALID, "role", "unknown role \"%s\"",
			       role);
	if (ri->scope && (!scope || !*scope))
		return sf_fail(err, SF_INVALID, "scope",
			       "role %s is scoped by %s: give --scope", role,
			       ri->scope);
	if (!ri->scope && scope && *scope)
		return sf_fail(err, SF_INVALID, "scope",
			       "role %s takes no scope", role);
	if (scope && strlen(scope) > 100)
		return sf_fail(err, SF_INVALID, "scope", "scope too long");
	return SF_OK;
}

enum sf_status
people_auth_changed(struct store *st, struct sf_error *err)
{
	/* A fresh random value, not a counter: two concurrent changes that
	 * both read n must not both write n + 1 and leave a cache valid. */
	char token[64], hash[65];

	token_new(token, hash);
	return st->ops->setting_put(st, "auth_epoch", token, err);
}

/* Finish a change begun with begin(): on success bump the auth epoch and
 * write the audit record, then commit; on failure roll back. */
static enum sf_status
audited(struct store *st, const struct actor *who, const char *object,
	const char *action, json_t *after, enum sf_status r,
	struct sf_error *err)
{
	if (!r)
		r = people_auth_changed(st, err);
	if (!r)
		r = audit_append(st, who, who->operator ? "operator" : "admin",
				 NULL, object, action, NULL, after,
				 clock_now(), err);
	json_decref(after);
	if (r) {
		st->ops->rollback(st);
		return r;
	}
	return st->ops->commit(st, err);
}

enum sf_status
people_add(struct store *st, const struct actor *who, const char *name,
	   const char *email, const char *password, struct sf_error *err)
{
	char *hash = NULL;
	char object[128];
	int64_t id;
	enum sf_status r;

	if ((r = need_admin(who, err)) || (r = check_name(name, "name", err)))
		return r;
	if (email && (!strchr(email, '@') || strchr(email, ' ') ||
		      strlen(email) > 200))
		return sf_fail(err, SF_INVALID, "email",
			       "\"%s\" is not an e-mail address", email);
	if (password && (r = password_hash(password, &hash, err)))
		return r;
	r = st->ops->begin(st, err);
	if (r)
		goto out;
	r = st->ops->user_add(st, name, email, hash, clock_now(), &id, err);
	snprintf(object, sizeof(object), "users/%s", name);
	r = audited(st, who, object, "user:add",
		    json_pack("{s:s, s:s?, s:b}", "name", name, "email", email,
			      "password", hash != NULL),
		    r, err);
out:
	if (hash)
		xfree_secret(hash, strlen(hash));
	return r;
}

enum sf_status
people_passwd(struct store *st, const struct actor *who, const char *name,
	      const char *password, struct sf_error *err)
{
	struct user u;
	char *hash = NULL;
	char object[128];
	enum sf_status r;

	if (!actor_is_admin(who) && (!who->name || strcmp(who->name, name)))
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only an admin or the user may set a password");
	r = password_hash(password, &hash, err);
	if (r)
		return r;
	r = st->ops->begin(st, err);
	if (r)
		goto out;
	r = st->ops->user_get(st, name, 0, &u, err);
	if (!r) {
		r = st->ops->user_set_password(st, u.id, hash, err);
		user_release(&u);
	}
	snprintf(object, sizeof(object), "users/%s", name);
	r = audited(st, who, object, "user:passwd", json_object(), r, err);
out:
	xfree_secret(hash, strlen(hash));
	return r;
}

static enum sf_status
grant_or_revoke(struct store *st, const struct actor *who, const char *name,
		const char *role, const char *scope, int grant,
		struct sf_error *err)
{
	struct user u;
	char object[128];
	enum sf_status r;

	if ((r = need_admin(who, err)) || (r = check_role(role, scope, err)))
		return r;
	r = st->ops->begin(st, err);
	if (r)
		return r;
	r = st->ops->user_get(st, name, 0, &u, err);
	if (!r) {
		r = grant ? st->ops->grant_add(st, u.id, role, scope, err)
			  : st->ops->grant_remove(st, u.id, role, scope, err);
		user_release(&u);
	}
	snprintf(object, sizeof(object), "users/%s", name);
	return audited(st, who, object, grant ? "user:grant" : "user:revoke",
		       json_pack("{s:s, s:s}", "role", role, "scope",
				 scope ? scope : ""),
		       r, err);
}

enum sf_status
people_grant(struct store *st, const struct actor *who, const char *name,
	     const char *role, const char *scope, struct sf_error *err)
{
	return grant_or_revoke(st, who, name, role, scope, 1, err);
}

enum sf_status
people_revoke(struct store *st, const struct actor *who, const char *name,
	      const char *role, const char *scope, struct sf_error *err)
{
	return grant_or_revoke(st, who, name, role, scope, 0, err);
}

enum sf_status
people_delegate(struct store *st, const struct actor *who, const char *from,
		const char *role, const char *scope, const char *to,
		const char *until, struct sf_error *err)
{
	struct user uf = {0}, ut = {0};
	struct grant_list g = {0};
	sf_date d;
	char object[128];
	int holds = 0;
	enum sf_status r;

	if (!actor_is_admin(who) && (!who->name || strcmp(who->name, from)))
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only %s or an admin may delegate %s's roles",
			       from, from);
	/* Both come straight from a request body, which may omit them. */
	if (!role || !*role)
		return sf_fail(err, SF_INVALID, "role", "give the role");
	if (!to || !*to)
		return sf_fail(err, SF_INVALID, "to",
			       "give the user to delegate to");
	if ((r = check_role(role, scope, err)))
		return r;
	if (!until || date_parse(until, &d))
		return sf_fail(err, SF_INVALID, "until",
			       "expected the last day as YYYY-MM-DD");
	if (d < date_of(clock_now()))
		return sf_fail(err, SF_INVALID, "until",
			       "the delegation would end in the past");
	if (strcmp(from, to) == 0)
		return sf_fail(err, SF_INVALID, "to",
			       "a user cannot delegate to themself");
	r = st->ops->begin(st, err);
	if (r)
		return r;
	r = st->ops->user_get(st, from, 0, &uf, err);
	if (!r) {
		r = st->ops->user_get(st, to, 0, &ut, err);
		/* An unknown TO is bad input, not a missing resource. */
		if (r == SF_NOT_FOUND)
			r = sf_fail(err, SF_INVALID, "to", "no user \"%s\"",
				    to);
	}
	if (!r)
		r = st->ops->grants_of(st, uf.id, &g, err);
	for (size_t i = 0; !r && i < g.n; i++)
		if (strcmp(g.v[i].role, role) == 0 &&
		    strcmp(g.v[i].scope, scope ? scope : "") == 0)
			holds = 1;
	if (!r && !holds)
		r = sf_fail(err, SF_INVALID, "role",
			    "%s does not hold %s%s%s and cannot delegate it",
			    from, role, scope && *scope ? " for " : "",
			    scope ? scope : "");
	if (!r)
		r = st->ops->delegation_add(st, uf.id, ut.id, role, scope,
					    until, clock_now(), err);
	grant_list_release(&g);
	user_release(&uf);
	user_release(&ut);
	snprintf(object, sizeof(object), "users/%s", from);
	return audited(st, who, object, "user:delegate",
		       json_pack("{s:s, s:s, s:s, s:s}", "role", role, "scope",
				 scope ? scope : "", "to", to, "until", until),
		       r, err);
}

json_t *
people_actor_json(const struct actor *a)
{
	json_t *roles = json_array(), *dels = json_array();

	for (size_t i = 0; i < a->grants.n; i++)
		json_array_append_new(
			roles, json_pack("{s:s, s:s?}", "role",
					 a->grants.v[i].role, "scope",
					 *a->grants.v[i].scope
						 ? a->grants.v[i].scope
						 : NULL));
	for (size_t i = 0; i < a->delegated.n; i++)
		json_array_append_new(
			dels,
			json_pack("{s:s, s:s?, s:s, s:s}", "role",
				  a->delegated.v[i].role, "scope",
				  *a->delegated.v[i].scope
					  ? a->delegated.v[i].scope
					  : NULL,
				  "from", a->delegated.v[i].from_name, "until",
				  a->delegated.v[i].until));
	return json_pack("{s:s, s:s?, s:o, s:o}", "name", a->name, "email",
			 a->email, "roles", roles, "delegations", dels);
}
