/*
 * api_openapi.c - GET /api/v1/openapi.json, generated: for every process
 * its object routes with one operation per step whose request schema
 * comes from the step's fields, and the fixed routes from the table below
 * (added last, so a module's own route replaces the generic one of its
 * process: POST /api/v1/incidents).
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/fields.h"
#include "http/api.h"

struct route {
	const char *path;
	const char *method;
	const char *summary;
	int auth;
	const char *request; /* the requestBody object as JSON text, or NULL */
};

/* The request bodies of the incidents module's own routes (SPEC 4.2). */
#define INCIDENT_BODY                                                         \
	"{\"required\": true, \"content\": {"                                     \
	"\"application/json\": {\"schema\": {\"type\": \"object\", "            \
	"\"properties\": {\"reference\": {\"type\": \"string\"}, "              \
	"\"title\": {\"type\": \"string\"}, "                                   \
	"\"description\": {\"type\": \"string\"}, "                             \
	"\"na\": {\"type\": \"string\"}, "                                      \
	"\"systems\": {\"type\": \"array\", "                                 \
	"\"items\": {\"type\": \"string\"}}, "                                   \
	"\"reporter\": {\"type\": \"string\"}}, "                               \
	"\"required\": [\"reference\"], \"additionalProperties\": false}}, "      \
	"\"message/rfc822\": {\"schema\": {\"type\": \"string\", "              \
	"\"format\": \"binary\"}}}}"
#define NAME_BODY(extra, req)                                                 \
	"{\"required\": true, \"content\": {\"application/json\": {"            \
	"\"schema\": {\"type\": \"object\", \"properties\": {"                  \
	"\"name\": {\"type\": \"string\"}" extra "}, \"required\": " req "}}}}"
#define SYSTEM_BODY                                                           \
	NAME_BODY(", \"classification\": {\"type\": \"string\", \"enum\": "      \
		  "[\"critical\", \"strategic\", \"other\"]}",                     \
		  "[\"name\", \"classification\"]")
#define ROUTINE_BODY NAME_BODY("", "[\"name\"]")

static const struct route routes[] = {
	{"/healthz", "get", "Liveness", 0, NULL},
	{"/metrics", "get", "Prometheus metrics", 0, NULL},
	{"/api/v1/openapi.json", "get", "This description", 0, NULL},
	{"/api/v1/session", "post", "Log in: {user, password} -> {token, csrf}",
	 0, NULL},
	{"/api/v1/session", "delete", "Log out", 1, NULL},
	{"/api/v1/me", "get", "The caller, roles and delegations", 1, NULL},
	{"/api/v1/me/delegations", "post",
	 "Delegate a role: {role, scope, to, until}", 1, NULL},
	{"/api/v1/me/password", "post",
	 "Change password: {password, new_password}", 1, NULL},
	{"/api/v1/tasks", "get", "The caller's open steps, soonest due first",
	 1, NULL},
	{"/api/v1/processes", "get", "Process definitions", 1, NULL},
	{"/api/v1/processes/{name}", "get",
	 "One definition (JSON; ?format=dot for Graphviz)", 1, NULL},
	{"/api/v1/audit", "get", "Audit trail (?object=PLURAL/ID)", 1, NULL},
	{"/api/v1/outbox", "get", "Queued and sent messages (admin)", 1, NULL},
	{"/api/v1/users", "get", "Users (admin)", 1, NULL},
	{"/api/v1/users", "post", "Add a user: {name, email, password} (admin)",
	 1, NULL},
	{"/api/v1/users/{name}/grants", "post",
	 "Grant a role: {role, scope} (admin)", 1, NULL},
	{"/api/v1/users/{name}/grants/{role}", "delete",
	 "Revoke a role (?scope=S) (admin)", 1, NULL},
	/* The conventions module's own routes (api_conventions.c). */
	{"/api/v1/companies", "get",
	 "Registered companies the caller may see", 1, NULL},
	{"/api/v1/companies", "post",
	 "Register an external company: {name} (ds, admin)", 1, NULL},
	{"/api/v1/conventions/{id}/amendments", "post",
	 "Start an amendment of an implemented convention: {kind: dg|ishs}; "
	 "its steps are then performed on the convention's steps route",
	 1, NULL},
	{"/api/v1/conventions/{id}/part1", "get",
	 "Part 1, decrypted (?version=N, default the latest); the company "
	 "and DS only; every read is audited",
	 1, NULL},
	{"/api/v1/conventions/{id}/progress", "get",
	 "Progress report: each phase and step with dates and SMT tickets "
	 "(?format=md for Markdown)",
	 1, NULL},
	{"/api/v1/conventions/{id}/call", "post",
	 "Connectivity incident call text: {token (or tokens: [...]), "
	 "problem}",
	 1, NULL},
	/* The incidents module's own routes (api_incidents.c). */
	{"/api/v1/incidents", "post",
	 "Register an incident (201) or modify the one of that reference "
	 "(200): JSON {reference, title, description, na, systems, "
	 "reporter} or an e-mail (message/rfc822) (service_desk, "
	 "security_manager)",
	 1, INCIDENT_BODY},
	{"/api/v1/incidents/{id}/report", "get",
	 "The Security Incident Report (?format=md|html|pdf, default md); "
	 "409 before start_report",
	 1, NULL},
	{"/api/v1/systems", "get", "Systems and their classification", 1, NULL},
	{"/api/v1/systems", "post",
	 "Classify a system: {name, classification: "
	 "critical|strategic|other} (admin)",
	 1, SYSTEM_BODY},
	{"/api/v1/routine_types", "get", "Routine incident types", 1, NULL},
	{"/api/v1/routine_types", "post", "Add a routine type: {name} (admin)",
	 1, ROUTINE_BODY},
	{"/api/v1/routine_types", "delete",
	 "Remove a routine type: {name} (admin)", 1, ROUTINE_BODY},
};

/* A JSON Schema for one field declaration (from fields_describe). */
static json_t *
schema_of(json_t *f)
{
	const char *type = json_string_value(json_object_get(f, "type"));
	json_t *s = json_object();

	if (!type)
		type = "string";
	if (!strcmp(type, "integer")) {
		json_object_set_new(s, "type", json_string("integer"));
	} else if (!strcmp(type, "number")) {
		json_object_set_new(s, "type", json_string("number"));
	} else if (!strcmp(type, "boolean")) {
		json_object_set_new(s, "type", json_string("boolean"));
	} else if (!strcmp(type, "date")) {
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("date"));
	} else if (!strcmp(type, "datetime")) {
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("date-time"));
	} else if (!strcmp(type, "email")) {
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "format", json_string("email"));
	} else if (!strcmp(type, "enum")) {
		json_object_set_new(s, "type", json_string("string"));
		json_object_set(s, "enum", json_object_get(f, "values"));
	} else if (!strcmp(type, "list")) {
		json_t *fields = json_object_get(f, "fields");
		json_object_set_new(s, "type", json_string("array"));
		if (fields) {
			json_t *props = json_object(), *x;
			size_t i;
			json_array_foreach(fields, i, x)
				json_object_set_new(
					props,
					json_string_value(
						json_object_get(x, "name")),
					schema_of(x));
			json_object_set_new(s, "items",
					    json_pack("{s:s, s:o}", "type",
						      "object", "properties",
						      props));
		} else {
			json_object_set_new(s, "items",
					    json_pack("{s:s}", "type",
						      "string"));
		}
	} else if (!strcmp(type, "object") || !strcmp(type, "file")) {
		json_object_set_new(s, "type", json_string("object"));
	} else {
		json_object_set_new(s, "type", json_string("string"));
	}
	if (json_object_get(f, "help"))
		json_object_set(s, "description", json_object_get(f, "help"));
	return s;
}

/* The request body schema for FIELDS (from fields_describe), which it
 * takes. */
static json_t *
body_schema(json_t *fields)
{
	json_t *props = json_object(), *req = json_array(), *x;
	size_t i;

	json_array_foreach(fields, i, x)
	{
		const char *n = json_string_value(json_object_get(x, "name"));
		json_object_set_new(props, n, schema_of(x));
		if (json_is_true(json_object_get(x, "required")))
			json_array_append_new(req, json_string(n));
	}
	json_decref(fields);
	json_object_set_new(props, "comment",
			    json_pack("{s:s}", "type", "string"));
	return json_pack("{s:{s:{s:{s:s, s:o, s:o}}}}", "content",
			 "application/json", "schema", "type", "object",
			 "properties", props, "required", req);
}

static json_t *
op(const char *summary, int auth)
{
	json_t *o = json_pack("{s:s, s:{s:{s:s}}}", "summary", summary,
			      "responses", "default", "description",
			      "JSON, or {\"error\": {code, message, field}}");
	if (auth)
		json_object_set_new(o, "security",
				    json_pack("[{s:[]}, {s:[]}]", "bearer",
					      "cookie"));
	return o;
}

static void
add(json_t *paths, const char *path, const char *method, json_t *o)
{
	json_t *p = json_object_get(paths, path);
	if (!p) {
		p = json_object();
		json_object_set_new(paths, path, p);
	}
	json_object_set_new(p, method, o);
}

int
api_openapi(struct api_call *c)
{
	json_t *paths, *doc;

	if (c->nseg != 1 || strcmp(c->seg[0], "openapi.json") != 0)
		return 0;
	paths = json_object();
	for (size_t i = 0; i < registry_count(c->api->reg); i++) {
		const struct procdef *d = registry_at(c->api->reg, i);
		char *base = xasprintf("/api/v1/%s", d->object);
		char *one = xasprintf("%s/{id}", base);
		char *diag = xasprintf("%s/{id}/diagram", base);
		char *s;
		json_t *start = op("Start the process", 1);

		s = xasprintf("List %s the caller may see, newest first "
			      "(?limit= 1-1000, default 100; the next page "
			      "from ?before= the X-Next-Before header)",
			      d->object);
		add(paths, base, "get", op(s, 1));
		free(s);
		json_object_set_new(start, "requestBody",
				    body_schema(fields_describe(d->fields,
							       d->nfields)));
		add(paths, base, "post", start);
		add(paths, one, "get",
		    op("The object: state, data, active steps, history", 1));
		add(paths, diag, "get",
		    op("The process as Graphviz DOT", 1));
		for (size_t k = 0; k < d->nsteps; k++) {
			const struct step_def *sd = &d->steps[k];
			char *p;
			json_t *o;
			if (sd->kind != STEP_TASK)
				continue;
			p = xasprintf("%s/{id}/steps/%s", base, sd->id);
			s = xasprintf("%s (%s)", sd->title ? sd->title : sd->id,
				      d->name);
			o = op(s, 1);
			json_object_set_new(
				o, "requestBody",
				body_schema(fields_describe(sd->fields,
							    sd->nfields)));
			add(paths, p, "post", o);
			free(p);
			free(s);
		}
		free(base);
		free(one);
		free(diag);
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		json_t *o = op(routes[i].summary, routes[i].auth);
		/* The table's text is ours: NULL only if it is broken. */
		json_t *rb = routes[i].request
				     ? json_loads(routes[i].request, 0, NULL)
				     : NULL;
		if (rb)
			json_object_set_new(o, "requestBody", rb);
		add(paths, routes[i].path, routes[i].method, o);
	}
	doc = json_pack(
		"{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:{s:s, s:s}, s:{s:s, "
		"s:s, s:s}}}}",
		"openapi", "3.0.3", "info", "title", "secflow API", "version",
		"1", "description",
		"Security-management workflows. Errors: {\"error\": {\"code\", "
		"\"message\", \"field\"}}; 401 not logged in, 403 wrong role, "
		"404 not found or not visible, 409 step not available now, 422 "
		"invalid field.",
		"paths", paths, "components", "securitySchemes", "bearer",
		"type", "http", "scheme", "bearer", "cookie", "type", "apiKey",
		"in", "cookie", "name", "secflow_session");
	api_json(c, 200, doc);
	return 1;
}
