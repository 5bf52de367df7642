/* api_session.c - POST /api/v1/session (log in), DELETE (log out). */
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "http/api.h"
#include "modules/people.h"

void api_csrf_of(const char *token, char out[65]);

int
api_session(struct api_call *c)
{
	struct sf_error err = {0};
	json_t *b;
	const char *user, *pw;
	char token[64], hash[65], csrf[65], cookie[256];
	int64_t uid;
	sf_time now = clock_now();
	enum sf_status r;

	if (c->nseg != 1 || strcmp(c->seg[0], "session") != 0)
		return 0;
	if (strcmp(c->req->method, "DELETE") == 0) {
		const char *auth = http_header(c->req, "Authorization");
		if (!api_need_user(c))
			return 1;
		/* Log out the bearer token used, or the cookie session. */
		if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
			token_hash(auth + 7, hash);
			c->st->ops->session_delete(c->st, hash, &err);
		} else {
			const char *ck = http_header(c->req, "Cookie");
			const char *p = ck ? strstr(ck, "secflow_session=") : NULL;
			if (p) {
				char t[128];
				size_t len = strcspn(p + 16, ";");
				snprintf(t, sizeof(t), "%.*s", (int)len, p + 16);
				token_hash(t, hash);
				c->st->ops->session_delete(c->st, hash, &err);
			}
		}
		people_auth_changed(c->st, &err);
		http_response_header(c->resp, "Set-Cookie",
				     "secflow_session=; Path=/; Max-Age=0; "
				     "HttpOnly; SameSite=Strict");
		api_json(c, 200, json_pack("{s:b}", "ok", 1));
		return 1;
	}
	if (strcmp(c->req->method, "POST") != 0) {
		api_fail(c, SF_NOT_FOUND, NULL, "use POST or DELETE");
		return 1;
	}
	b = api_body(c);
	if (!b)
		return 1;
	user = json_string_value(json_object_get(b, "user"));
	pw = json_string_value(json_object_get(b, "password"));
	if (!user || !*user) {
		api_fail(c, SF_INVALID, "user", "give the user name");
		return 1;
	}
	if (!pw) {
		api_fail(c, SF_INVALID, "password", "give the password");
		return 1;
	}
	r = password_login(c->st, user, pw, now, &uid, &err);
	if (r) {
		api_error(c, &err);
		return 1;
	}
	token_new(token, hash);
	r = c->st->ops->session_add(c->st, hash, uid, "session", now,
				    now + SESSION_SECONDS, &err);
	if (r) {
		api_error(c, &err);
		return 1;
	}
	api_csrf_of(token, csrf);
	snprintf(cookie, sizeof(cookie),
		 "secflow_session=%s; Path=/; Max-Age=%d; HttpOnly; "
		 "SameSite=Strict",
		 token, SESSION_SECONDS);
	http_response_header(c->resp, "Set-Cookie", cookie);
	api_json(c, 200,
		 json_pack("{s:s, s:s, s:i}", "token", token, "csrf", csrf,
			   "expires_in", SESSION_SECONDS));
	return 1;
}
