/*
 * api_users.c - user administration (admin): GET/POST /api/v1/users,
 * POST /users/{name}/grants {role, scope}, DELETE
 * /users/{name}/grants/{role}[?scope=S].
 */
#include <string.h>

#include "http/api.h"
#include "modules/people.h"

int
api_users(struct api_call *c)
{
	struct sf_error err = {0};
	json_t *b, *l;
	enum sf_status r;

	if (c->nseg < 1 || strcmp(c->seg[0], "users") != 0)
		return 0;
	if (!api_need_user(c))
		return 1;
	if (!actor_is_admin(&c->who)) {
		api_fail(c, SF_FORBIDDEN, NULL, "only an admin manages users");
		return 1;
	}
	if (c->nseg == 1 && strcmp(c->req->method, "GET") == 0) {
		if (c->st->ops->user_list(c->st, &l, &err))
			api_error(c, &err);
		else
			api_json(c, 200, l);
		return 1;
	}
	if (c->nseg == 1 && strcmp(c->req->method, "POST") == 0) {
		const char *name;
		if (!(b = api_body(c)))
			return 1;
		name = json_string_value(json_object_get(b, "name"));
		if (!name) {
			api_fail(c, SF_INVALID, "name", "give the user name");
			return 1;
		}
		r = people_add(c->st, &c->who, name,
			       json_string_value(json_object_get(b, "email")),
			       json_string_value(json_object_get(b, "password")),
			       &err);
		if (r)
			api_error(c, &err);
		else
			api_json(c, 201, json_pack("{s:s}", "name", name));
		return 1;
	}
	if (c->nseg == 3 && strcmp(c->seg[2], "grants") == 0 &&
	    strcmp(c->req->method, "POST") == 0) {
		const char *role;
		if (!(b = api_body(c)))
			return 1;
		role = json_string_value(json_object_get(b, "role"));
		if (!role) {
			api_fail(c, SF_INVALID, "role", "give the role");
			return 1;
		}
		r = people_grant(c->st, &c->who, c->seg[1], role,
				 json_string_value(json_object_get(b, "scope")),
				 &err);
		if (r)
			api_error(c, &err);
		else
			api_json(c, 201, json_pack("{s:b}", "ok", 1));
		return 1;
	}
	if (c->nseg == 4 && strcmp(c->seg[2], "grants") == 0 &&
	    strcmp(c->req->method, "DELETE") == 0) {
		r = people_revoke(c->st, &c->who, c->seg[1], c->seg[3],
				  http_query(c->req, "scope"), &err);
		if (r)
			api_error(c, &err);
		else
			api_json(c, 200, json_pack("{s:b}", "ok", 1));
		return 1;
	}
	api_fail(c, SF_NOT_FOUND, NULL, "no route %s %s", c->req->method,
		 c->req->path);
	return 1;
}
