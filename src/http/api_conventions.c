/*
 * api_conventions.c - the routes the conventions module adds to the
 * generic object routes (api_objects.c): companies, amendments, Part 1,
 * the progress report and the connectivity incident call.
 *   POST/GET /api/v1/companies
 *   POST /api/v1/conventions/{id}/amendments {"kind": "dg"|"ishs"}
 *   GET  /api/v1/conventions/{id}/part1[?version=N]
 *   GET  /api/v1/conventions/{id}/progress[?format=md]
 *   POST /api/v1/conventions/{id}/call {"token": S | "tokens": [S], "problem"}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "http/api.h"
#include "modules/conventions/conventions.h"


static int
companies(struct api_call *c)
{
	struct sf_error err = {0};
	json_t *out = NULL, *b;
	enum sf_status r;

	if (c->nseg != 1)
		return 0;
	if (!api_need_user(c))
		return 1;
	if (strcmp(c->req->method, "GET") == 0) {
		r = company_list(c->eng, &c->who, &out, &err);
		api_reply(c, r, 200, out, &err);
		return 1;
	}
	if (strcmp(c->req->method, "POST") != 0)
		return 0;
	if (!(b = api_body(c)))
		return 1;
	r = company_add(c->eng, &c->who,
			json_string_value(json_object_get(b, "name")), &out,
			&err);
	api_reply(c, r, 201, out, &err);
	return 1;
}

int
api_conventions(struct api_call *c)
{
	struct sf_error err = {0};
	json_t *out = NULL, *b;
	int64_t id, aid;
	enum sf_status r;
	const char *m = c->req->method;

	if (c->nseg >= 1 && strcmp(c->seg[0], "companies") == 0)
		return companies(c);
	if (c->nseg != 3 || strcmp(c->seg[0], "conventions") != 0 ||
	    api_parse_id(c->seg[1], &id))
		return 0;
	if (strcmp(c->seg[2], "amendments") == 0 && strcmp(m, "POST") == 0) {
		if (!api_need_user(c) || !(b = api_body(c)))
			return 1;
		r = convention_amend(c->eng, &c->who, id,
				     json_string_value(json_object_get(b, "kind")),
				     &aid, &err);
		if (!r)
			r = engine_view(c->eng, &c->who, "conventions", id,
					&out, &err);
		if (r) {
			api_error(c, &err);
			return 1;
		}
		json_object_set_new(out, "amendment", json_integer(aid));
		api_json(c, 201, out);
		return 1;
	}
	if (strcmp(c->seg[2], "part1") == 0 && strcmp(m, "GET") == 0) {
		const char *vs = http_query(c->req, "version");
		unsigned char *doc = NULL;
		size_t len = 0;
		char *name = NULL, *disp;
		int64_t v = 0;

		if (!api_need_user(c))
			return 1;
		api_need_write(c); /* every read is audited */
		if (vs && api_parse_id(vs, &v)) {
			api_fail(c, SF_INVALID, "version",
				 "version is a positive number");
			return 1;
		}
		r = convention_part1(c->eng, &c->who, id, (int)v, &doc, &len,
				     &name, &err);
		if (r) {
			api_error(c, &err);
			return 1;
		}
		c->resp->status = 200;
		c->resp->content_type = "application/octet-stream";
		disp = xasprintf("attachment; filename=\"%s\"", name);
		for (char *p = disp + 22; *p; p++)
			if (*p == '"' && p[1])
				*p = '_';
		http_response_header(c->resp, "Content-Disposition", disp);
		http_response_header(c->resp, "Cache-Control", "no-store");
		buf_add(&c->resp->body, doc, len);
		xfree_secret(doc, len + 1);
		free(name);
		free(disp);
		return 1;
	}
	if (strcmp(c->seg[2], "progress") == 0 && strcmp(m, "GET") == 0) {
		const char *fmt = http_query(c->req, "format");
		if (!api_need_user(c))
			return 1;
		r = convention_progress(c->eng, &c->who, id, &out, &err);
		if (r) {
			api_error(c, &err);
			return 1;
		}
		if (fmt && strcmp(fmt, "md") == 0) {
			char *md = convention_progress_md(out);
			api_text(c, "text/markdown; charset=utf-8", md);
			json_decref(out);
			return 1;
		}
		api_json(c, 200, out);
		return 1;
	}
	if (strcmp(c->seg[2], "call") == 0 && strcmp(m, "POST") == 0) {
		json_t *serials;
		if (!api_need_user(c) || !(b = api_body(c)))
			return 1;
		serials = json_object_get(b, "tokens");
		if (serials)
			json_incref(serials);
		else if (json_is_string(json_object_get(b, "token")))
			serials = json_pack("[O]", json_object_get(b, "token"));
		else
			serials = json_array();
		r = convention_call(c->eng, &c->who, id, serials,
				    json_string_value(json_object_get(b, "problem")),
				    &out, &err);
		json_decref(serials);
		api_reply(c, r, 200, out, &err);
		return 1;
	}
	return 0;
}
