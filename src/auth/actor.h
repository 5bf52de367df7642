/*
 * actor.h - who is acting: a user with the roles they hold today, directly
 * or by delegation, and the checks every request makes against them.
 */
#ifndef SF_ACTOR_H
#define SF_ACTOR_H

#include <stdint.h>

#include "core/clock.h"
#include "store/store.h"

struct actor {
	int64_t user_id;   /* 0 for the system (timers) */
	char *name;	   /* "system" for timers */
	char *email;
	struct grant_list grants;    /* direct */
	struct grant_list delegated; /* delegations holding today */
	/* The local operator of the CLI run without --as: whoever can run
	 * the binary on the database already holds all of it, so the checks
	 * pass and the audit names "cli:<os user>" and the role "operator". */
	int operator;
};

/* Load user NAME (or ID when NAME is NULL) and the roles held on TODAY. */
enum sf_status actor_load(struct store *st, const char *name, int64_t id,
			  sf_date today, struct actor *out,
			  struct sf_error *err);
/* The system actor used by timer jobs. */
void actor_system(struct actor *out);
void actor_release(struct actor *a);
/* The CLI operator (see struct actor). */
void actor_operator(struct actor *out, const char *os_user);

/*
 * Does A hold ROLE for SCOPE?  SCOPE NULL or "" means any scope of that
 * role is enough (unscoped roles, or a list of everything the user may
 * see).  On success *ACTING_FOR (may be NULL) is the name of the user who
 * delegated the role, or NULL for a direct grant.
 */
int actor_holds(const struct actor *a, const char *role, const char *scope,
		const char **acting_for);
/* Any grant of ROLE at all, whatever its scope. */
int actor_has_role(const struct actor *a, const char *role);
int actor_is_admin(const struct actor *a);

#endif
