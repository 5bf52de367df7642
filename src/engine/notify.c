/* notify.c - messages to the holders of roles, and step scopes. */
#include "engine/notify.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

/* The scope ROLE must hold according to SCOPES (";role=scope;"), or NULL
 * when the role is not scoped here. */
char *
scope_for(const char *scopes, const char *role)
{
	size_t rl = strlen(role);
	const char *p = scopes;

	while (p && (p = strchr(p, ';'))) {
		p++;
		if (strncmp(p, role, rl) == 0 && p[rl] == '=') {
			const char *v = p + rl + 1;
			const char *end = strchr(v, ';');
			return xstrndup(v, end ? (size_t)(end - v) : strlen(v));
		}
	}
	return NULL;
}

enum sf_status
engine_notify(struct engine *e, char *const *roles, size_t n,
	      const char *scopes, const char *subject, const char *body,
	      const char *object, sf_time now, struct sf_error *err)
{
	json_t *to = json_array();
	char today[16];
	enum sf_status rc = SF_OK;

	date_format(date_of(now), today);
	for (size_t i = 0; i < n && !rc; i++) {
		char *scope = scope_for(scopes, roles[i]);
		json_t *users = NULL, *u;
		size_t k;

		/* A scoped role with no scope value tells nobody (never
		 * every holder); a list "A|B" tells the holders of each. */
		if (scope && (!*scope || strchr(scope, '|'))) {
			char *p = scope, *bar;
			users = json_array();
			while (!rc && p && *p) {
				json_t *some = NULL;
				bar = strchr(p, '|');
				if (bar)
					*bar = '\0';
				if (*p)
					rc = e->st->ops->users_with_role(
						e->st, roles[i], p, today, &some,
						err);
				if (some)
					json_array_extend(users, some);
				json_decref(some);
				p = bar ? bar + 1 : NULL;
			}
		} else {
			rc = e->st->ops->users_with_role(e->st, roles[i],
							 scope ? scope : "",
							 today, &users, err);
		}
		free(scope);
		json_array_foreach(users, k, u)
		{
			const char *mail =
				json_string_value(json_object_get(u, "email"));
			int dup = 0;
			size_t j;
			json_t *x;

			if (!mail || !*mail)
				continue;
			json_array_foreach(to, j, x)
			{
				if (strcmp(json_string_value(x), mail) == 0)
					dup = 1;
			}
			if (!dup)
				json_array_append_new(to, json_string(mail));
		}
		json_decref(users);
	}
	if (!rc && json_array_size(to))
		rc = outbox_queue(e->st, to, NULL, NULL, subject, body, NULL,
				  "email", object, now, NULL, err);
	json_decref(to);
	return rc;
}
