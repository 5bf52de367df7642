/*
 * api.h - the JSON API under /api/v1 and the plain routes (/healthz,
 * /metrics).  api.c authenticates, routes and turns statuses into the
 * error body of SPEC section 2; one file per resource does the work.
 */
#ifndef SF_API_H
#define SF_API_H

#include <jansson.h>

#include "auth/actor.h"
#include "engine/engine.h"
#include "http/server.h"

struct api_config {
	const char *db;		  /* store URL */
	const char *processes;	  /* NULL: built in */
	const char *node;	  /* --node-name */
	const char *auth_header;  /* trusted SSO header, or NULL */
	struct outbox_config mail;
	int tick_interval;	  /* seconds between job runs; 0 = never */
};

struct api {
	struct api_config cfg;
	struct registry *reg; /* shared, read-only after load */
	long last_tick;	      /* monotonic seconds */
};

/* Load the registry and check the store opens; SF_OK or an error. */
enum sf_status api_init(struct api *api, const struct api_config *cfg,
			struct sf_error *err);
void api_release(struct api *api);
/* http_handler */
void api_handle(void *app, const struct http_request *req,
		struct http_response *resp);
/* http_config.tick */
void api_tick(void *app);

/* What a resource handler gets. */
struct api_call {
	struct api *api;
	const struct http_request *req;
	struct http_response *resp;
	struct engine *eng; /* this thread's engine and store */
	struct store *st;
	struct actor who;   /* the authenticated user */
	int authenticated;
	int who_borrowed; /* WHO belongs to the thread's auth cache */
	int via_cookie;
	char *seg[8]; /* path segments after /api/v1 */
	int nseg;
	json_t *body; /* parsed JSON body of POST/PUT, or NULL */
	int in_read;  /* a GET's read snapshot is open */
};

/* A GET whose handling writes (a Part 1 read is audited): end the
 * request's read snapshot so the handler's own write transaction can
 * open. */
void api_need_write(struct api_call *c);
/* Answer with JSON (stolen) and a status. */
void api_json(struct api_call *c, int status, json_t *j);
/* Answer with an error body built from ERR. */
void api_error(struct api_call *c, const struct sf_error *err);
/* A 200 answer of LEN bytes DATA (taken and freed) of CONTENT_TYPE (a
 * static string); api_text for a NUL-terminated TEXT. */
void api_bytes(struct api_call *c, const char *content_type, char *data,
	       size_t len);
void api_text(struct api_call *c, const char *content_type, char *text);
/* The answer to a call that returned R: OUT (taken) with STATUS when R is
 * SF_OK, else ERR (a failed call gives no OUT). */
void api_reply(struct api_call *c, enum sf_status r, int status, json_t *out,
	       const struct sf_error *err);
void api_fail(struct api_call *c, enum sf_status s, const char *field,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The request body as a JSON object (400 answered when not). */
json_t *api_body(struct api_call *c);
/* Require a logged-in user (401 answered when not). */
int api_need_user(struct api_call *c);

/* A positive decimal id (a path segment); -1 when S is not one. */
int api_parse_id(const char *s, int64_t *id);

/* Resource handlers: return 1 when the route was theirs. */
int api_session(struct api_call *c);
int api_me(struct api_call *c);
int api_tasks(struct api_call *c);
int api_processes(struct api_call *c);
int api_audit(struct api_call *c);
int api_outbox(struct api_call *c);
int api_users(struct api_call *c);
int api_conventions(struct api_call *c);
int api_incidents(struct api_call *c);
int api_userlists(struct api_call *c);
int api_reviews(struct api_call *c);
int api_objects(struct api_call *c);
int api_openapi(struct api_call *c);

#endif
