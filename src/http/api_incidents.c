/*
 * api_incidents.c - the routes the incidents module adds to the generic
 * object routes (api_objects.c):
 *   POST /api/v1/incidents  JSON {"reference", "title", "description",
 *        "na", "systems", "reporter"} or a message/rfc822 body: register
 *        (201) or modify (200) the incident of that reference
 *   GET  /api/v1/incidents/{id}/report?format=md|html|pdf
 *   GET/POST/DELETE /api/v1/routine_types (admin edits)
 *   GET/POST /api/v1/systems {"name", "classification"} (admin sets)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/api.h"
#include "modules/incidents/impact.h"
#include "modules/incidents/incidents.h"


static int
is_rfc822(const char *ct)
{
	return ct && strncasecmp(ct, "message/rfc822", 14) == 0;
}

static int
intake(struct api_call *c)
{
	struct sf_error err = {0};
	json_t *b = NULL, *out = NULL;
	int64_t id = 0;
	int created = 0;
	enum sf_status r;

	if (!api_need_user(c))
		return 1;
	if (is_rfc822(c->req->content_type)) {
		r = incident_intake(c->eng, &c->who, NULL, c->req->body,
				    c->req->body_len, &id, &created, &err);
	} else {
		if (!(b = api_body(c)))
			return 1;
		r = incident_intake(c->eng, &c->who, b, NULL, 0, &id, &created,
				    &err);
	}
	if (!r)
		r = engine_view(c->eng, &c->who, "incidents", id, &out, &err);
	api_reply(c, r, created ? 201 : 200, out, &err);
	return 1;
}

static int
catalogs(struct api_call *c)
{
	struct sf_error err = {0};
	json_t *b, *out = NULL;
	enum sf_status r;
	int systems = strcmp(c->seg[0], "systems") == 0;
	const char *m = c->req->method;

	if (!api_need_user(c))
		return 1;
	if (strcmp(m, "GET") == 0) {
		r = systems ? system_list(c->st, &out, &err)
			    : routine_types(c->st, &out, &err);
		api_reply(c, r, 200, out, &err);
		return 1;
	}
	if (strcmp(m, "POST") != 0 && (systems || strcmp(m, "DELETE") != 0))
		return 0;
	if (!(b = api_body(c)))
		return 1;
	if (systems)
		r = system_set(c->st, &c->who,
			       json_string_value(json_object_get(b, "name")),
			       json_string_value(
				       json_object_get(b, "classification")),
			       &err);
	else if (strcmp(m, "POST") == 0)
		r = routine_type_add(c->st, &c->who,
				     json_string_value(json_object_get(b, "name")),
				     &err);
	else
		r = routine_type_remove(
			c->st, &c->who,
			json_string_value(json_object_get(b, "name")), &err);
	if (r) {
		api_error(c, &err);
		return 1;
	}
	r = systems ? system_list(c->st, &out, &err)
		    : routine_types(c->st, &out, &err);
	api_reply(c, r, strcmp(m, "POST") == 0 ? 201 : 200, out, &err);
	return 1;
}

int
api_incidents(struct api_call *c)
{
	struct sf_error err = {0};
	int64_t id;

	if (c->nseg == 1 && (strcmp(c->seg[0], "systems") == 0 ||
			     strcmp(c->seg[0], "routine_types") == 0))
		return catalogs(c);
	if (c->nseg < 1 || strcmp(c->seg[0], "incidents") != 0)
		return 0;
	if (c->nseg == 1 && strcmp(c->req->method, "POST") == 0)
		return intake(c);
	if (c->nseg == 3 && strcmp(c->seg[2], "report") == 0 &&
	    strcmp(c->req->method, "GET") == 0 && !api_parse_id(c->seg[1], &id)) {
		char *data = NULL;
		size_t len = 0;
		const char *ctype = NULL;
		enum sf_status r;

		if (!api_need_user(c))
			return 1;
		r = incident_report(c->eng, &c->who, id,
				    http_query(c->req, "format"), &data, &len,
				    &ctype, &err);
		if (r) {
			api_error(c, &err);
			return 1;
		}
		if (strcmp(ctype, "application/pdf") == 0)
			http_response_header(c->resp, "Content-Disposition",
					     "attachment; filename=\"security-"
					     "incident-report.pdf\"");
		api_bytes(c, ctype, data, len);
		return 1;
	}
	return 0;
}
