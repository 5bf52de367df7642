/*
 * notify.h - notifications of the engine: one message to every holder of
 * some roles, in the scope the step names.  Internal to engine/.
 *
 * SCOPES is the step row's scope string ";role=value;...": a scoped role
 * listed there is matched only in that scope.
 */
#ifndef SF_NOTIFY_H
#define SF_NOTIFY_H

#include "engine/engine.h"

/* The scope ROLE must hold according to SCOPES (a new string), or NULL
 * when the role is not scoped there. */
char *scope_for(const char *scopes, const char *role);

/* Queue one e-mail (in the caller's transaction) to the addresses of every
 * user holding one of ROLES, directly or by a delegation in force at NOW.
 * Nobody with an address: nothing is queued (the task lists still show
 * the step). */
enum sf_status engine_notify(struct engine *e, char *const *roles, size_t n,
			     const char *scopes, const char *subject,
			     const char *body, const char *object, sf_time now,
			     struct sf_error *err);

#endif
