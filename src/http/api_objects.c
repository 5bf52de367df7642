/*
 * api_objects.c - the generic routes every process's objects get:
 * GET/POST /api/v1/{plural}, GET /{plural}/{id},
 * POST /{plural}/{id}/steps/{step}, GET /{plural}/{id}/diagram.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/metrics.h"


int
api_objects(struct api_call *c)
{
	struct sf_error err = {0};
	const struct procdef *def;
	json_t *b, *out = NULL;
	int64_t id = 0;
	enum sf_status r;

	def = registry_by_object(c->api->reg, c->seg[0]);
	if (!def)
		return 0;
	if (!api_need_user(c))
		return 1;
	if (c->nseg >= 2 && api_parse_id(c->seg[1], &id)) {
		api_fail(c, SF_NOT_FOUND, NULL, "no %s \"%s\"", def->object,
			 c->seg[1]);
		return 1;
	}
	if (c->nseg == 1 && strcmp(c->req->method, "GET") == 0) {
		/* Pages of ?limit= (default 100, at most 1000) newest first;
		 * the next page starts at ?before= the X-Next-Before header. */
		const char *ls = http_query(c->req, "limit");
		const char *bs = http_query(c->req, "before");
		int64_t limit = 100, before = 0, next = 0;
		char hdr[32];

		if (ls && (api_parse_id(ls, &limit) || limit > 1000)) {
			api_fail(c, SF_INVALID, "limit",
				 "limit is a number from 1 to 1000");
			return 1;
		}
		if (bs && api_parse_id(bs, &before)) {
			api_fail(c, SF_INVALID, "before",
				 "before is the id where the page starts");
			return 1;
		}
		/* Each item's data is its list summary, written as text
		 * by the engine: no instance's whole data is read. */
		buf_reset(&c->resp->body);
		r = engine_list_summaries(c->eng, &c->who, def->object, before,
					  (size_t)limit, &c->resp->body, &next,
					  &err);
		if (r) {
			api_error(c, &err);
			return 1;
		}
		if (next) {
			snprintf(hdr, sizeof(hdr), "%lld", (long long)next);
			http_response_header(c->resp, "X-Next-Before", hdr);
		}
		c->resp->status = 200;
		return 1;
	}
	if (c->nseg == 1 && strcmp(c->req->method, "POST") == 0) {
		if (!(b = api_body(c)))
			return 1;
		r = engine_start(c->eng, &c->who, def->name, b, &id, &err);
		if (!r)
			r = engine_view(c->eng, &c->who, def->object, id, &out,
					&err);
		api_reply(c, r, 201, out, &err);
		return 1;
	}
	if (c->nseg == 2 && strcmp(c->req->method, "GET") == 0) {
		r = engine_view(c->eng, &c->who, def->object, id, &out, &err);
		api_reply(c, r, 200, out, &err);
		return 1;
	}
	if (c->nseg == 3 && strcmp(c->seg[2], "diagram") == 0 &&
	    strcmp(c->req->method, "GET") == 0) {
		const struct procdef *pinned = def;
		struct instance inst;
		r = engine_view(c->eng, &c->who, def->object, id, &out, &err);
		if (!r)
			r = c->st->ops->instance_get(c->st, id, &inst, &err);
		if (!r) {
			r = registry_pinned(c->api->reg, c->st,
					    inst.procdef_id, &pinned, &err);
			instance_release(&inst);
		}
		json_decref(out);
		if (r) {
			api_error(c, &err);
		} else {
			api_text(c, "text/vnd.graphviz; charset=utf-8",
				 engine_dot(pinned));
		}
		return 1;
	}
	if (c->nseg == 4 && strcmp(c->seg[2], "steps") == 0 &&
	    strcmp(c->req->method, "POST") == 0) {
		if (!(b = api_body(c)))
			return 1;
		r = engine_perform(c->eng, &c->who, def->object, id, c->seg[3],
				   b, &err);
		if (!r)
			metrics_step();
		if (!r)
			r = engine_view(c->eng, &c->who, def->object, id, &out,
					&err);
		api_reply(c, r, 200, out, &err);
		return 1;
	}
	api_fail(c, SF_NOT_FOUND, NULL, "no route %s %s", c->req->method,
		 c->req->path);
	return 1;
}
