/* api_me.c - GET /api/v1/me; POST /me/delegations; POST /me/password. */
#include <string.h>

#include "auth/password.h"
#include "http/api.h"
#include "modules/people.h"

int
api_me(struct api_call *c)
{
	struct sf_error err = {0};
	json_t *b;
	enum sf_status r;

	if (c->nseg < 1 || strcmp(c->seg[0], "me") != 0)
		return 0;
	if (!api_need_user(c))
		return 1;
	if (c->nseg == 1 && strcmp(c->req->method, "GET") == 0) {
		api_json(c, 200, people_actor_json(&c->who));
		return 1;
	}
	if (c->nseg == 2 && strcmp(c->seg[1], "delegations") == 0 &&
	    strcmp(c->req->method, "POST") == 0) {
		if (!(b = api_body(c)))
			return 1;
		r = people_delegate(
			c->st, &c->who, c->who.name,
			json_string_value(json_object_get(b, "role")),
			json_string_value(json_object_get(b, "scope")),
			json_string_value(json_object_get(b, "to")),
			json_string_value(json_object_get(b, "until")), &err);
		if (r)
			api_error(c, &err);
		else
			api_json(c, 201, json_pack("{s:b}", "ok", 1));
		return 1;
	}
	if (c->nseg == 2 && strcmp(c->seg[1], "password") == 0 &&
	    strcmp(c->req->method, "POST") == 0) {
		const char *old, *nw;
		int64_t uid;
		if (!(b = api_body(c)))
			return 1;
		old = json_string_value(json_object_get(b, "password"));
		nw = json_string_value(json_object_get(b, "new_password"));
		if (!old || !nw) {
			api_fail(c, SF_INVALID, old ? "new_password" : "password",
				 "give the current and the new password");
			return 1;
		}
		r = password_login(c->st, c->who.name, old, clock_now(), &uid,
				   &err);
		if (!r)
			r = people_passwd(c->st, &c->who, c->who.name, nw, &err);
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
