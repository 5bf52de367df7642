/*
 * api_audit.c - GET /api/v1/audit?object=PLURAL/ID: the history of an
 * object for whoever may see it; the whole trail for admins only.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "http/api.h"

int
api_audit(struct api_call *c)
{
	struct sf_error err = {0};
	const char *object;
	json_t *l;

	if (c->nseg != 1 || strcmp(c->seg[0], "audit") != 0)
		return 0;
	if (!api_need_user(c))
		return 1;
	object = http_query(c->req, "object");
	if (!actor_is_admin(&c->who)) {
		const char *slash = object ? strchr(object, '/') : NULL;
		char plural[64];
		char *end;
		long long id;
		json_t *view = NULL;

		if (!slash || slash - object >= (long)sizeof(plural)) {
			api_fail(c, SF_FORBIDDEN, "object",
				 "only an admin may read the whole trail: "
				 "name an object");
			return 1;
		}
		memcpy(plural, object, (size_t)(slash - object));
		plural[slash - object] = '\0';
		id = strtoll(slash + 1, &end, 10);
		if (*end || id <= 0 ||
		    engine_view(c->eng, &c->who, plural, id, &view, &err)) {
			api_fail(c, SF_NOT_FOUND, "object", "no object %s",
				 object);
			return 1;
		}
		json_decref(view);
	}
	if (audit_list(c->st, object, &l, &err))
		api_error(c, &err);
	else
		api_json(c, 200, l);
	return 1;
}
