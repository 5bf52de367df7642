/*
 * roles.h - the roles of secflow (SPEC section 2) and what their scope names.
 */
#ifndef SF_ROLES_H
#define SF_ROLES_H

#include <stddef.h>

struct role_info {
	const char *name;
	const char *scope; /* what the scope names ("dg", "company", "na",
			      ...) or NULL for an unscoped role */
	const char *title;
};

const struct role_info *role_find(const char *name);
const struct role_info *role_at(size_t i); /* NULL past the end */
size_t role_count(void);

#endif
