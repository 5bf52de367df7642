/*
 * access.h - who may perform a step and who may see an instance, as
 * access keys (store.h) the store can index: the engine writes the keys
 * of each active step and each instance in the transaction that changes
 * them, and asks the store with the pairs an actor's grants give.
 *
 * The keys say exactly what may_perform() and engine_can_see() (engine.c)
 * decide row by row: a role the process does not scope matches any grant
 * of it (scope ""); a scoped role matches a grant of that role with the
 * scope the instance data names, and nobody when the data names none.
 */
#ifndef SF_ACCESS_H
#define SF_ACCESS_H

#include <jansson.h>

#include "auth/actor.h"
#include "engine/procdef.h"
#include "store/store.h"

/* The string form of a JSON scalar (numbers into BUF of N bytes), ""
 * for an array or object, NULL when V is absent or null. */
const char *access_scalar(json_t *v, char *buf, size_t n);
/* ",ds,snet,": the roles of SD as steps.roles keeps them.  Caller frees. */
char *access_roles_csv(const struct step_def *sd);
/* ";role=scope;" for each role of SD that DEF scopes, its value taken from
 * DATA (steps.scope).  Caller frees. */
char *access_scopes_of(const struct procdef *def, const struct step_def *sd,
		       json_t *data);

/* The next role of a list ",ds,snet," (steps.roles) into NAME (N bytes)
 * from *P, which moves past it; 0 when there is none left. */
int access_role_next(const char **p, char *name, size_t n);
/* Add to OUT the keys of a step with ROLES and SCOPES (as above). */
void access_step_keys(const char *roles, const char *scopes,
		      struct access_keys *out);
/* Add to OUT the keys of an instance of DEF with DATA: its readers and
 * the roles of every step of DEF. */
void access_instance_keys(const struct procdef *def, json_t *data,
			  struct access_keys *out);
/* Add to OUT the pairs WHO asks with: (role, "") for every grant it
 * holds today, direct or delegated, and (role, scope) for a scoped one.
 * (Who sees or performs everything is the caller's business: admins see
 * every instance, the CLI operator may do anything.) */
void access_actor_pairs(const struct actor *who, struct access_keys *out);
/* Do A and B hold the same keys in the same order? */
int access_keys_equal(const struct access_keys *a, const struct access_keys *b);

/*
 * Build the keys of every instance when migration 004 asked for it (the
 * setting instance_keys is "rebuild"), each by the definition version the
 * instance is pinned to, in one transaction; then set it to "built".
 * Cheap when there is nothing to do: one read, no lock.
 */
enum sf_status access_rebuild_if_needed(struct store *st, struct sf_error *err);

#endif
