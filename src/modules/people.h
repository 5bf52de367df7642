/*
 * people.h - user administration: add, password, grant, revoke, delegate.
 * Each checks who may do it, runs in one transaction and writes its audit
 * record there.  Used by the CLI and the HTTP API alike.
 */
#ifndef SF_PEOPLE_H
#define SF_PEOPLE_H

#include <jansson.h>

#include "auth/actor.h"
#include "store/store.h"

/* admin (or the CLI operator) only.  PASSWORD may be NULL (no login until
 * one is set). */
enum sf_status people_add(struct store *st, const struct actor *who,
			  const char *name, const char *email,
			  const char *password, struct sf_error *err);
/* admin, or the user themself. */
enum sf_status people_passwd(struct store *st, const struct actor *who,
			     const char *name, const char *password,
			     struct sf_error *err);
/* admin only.  A scoped role needs a scope; an unscoped one takes none. */
enum sf_status people_grant(struct store *st, const struct actor *who,
			    const char *name, const char *role,
			    const char *scope, struct sf_error *err);
enum sf_status people_revoke(struct store *st, const struct actor *who,
			     const char *name, const char *role,
			     const char *scope, struct sf_error *err);
/* FROM (who must hold ROLE in SCOPE) lends it to TO until UNTIL
 * (YYYY-MM-DD, inclusive).  WHO must be FROM or an admin. */
enum sf_status people_delegate(struct store *st, const struct actor *who,
			       const char *from, const char *role,
			       const char *scope, const char *to,
			       const char *until, struct sf_error *err);
/* Record (in the caller's transaction) that who-holds-what changed: every
 * node's cached view of tokens and roles is dropped on its next request. */
enum sf_status people_auth_changed(struct store *st, struct sf_error *err);

/* {"name","email","roles":[{"role","scope"}],"delegations":[{"role",
 * "scope","from","until"}]} of USER as loaded in A. */
json_t *people_actor_json(const struct actor *a);

#endif
