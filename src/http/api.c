/*
 * api.c - authentication, routing and errors for every request.
 *
 * Each server thread keeps its own store connection and engine (created
 * on its first request, closed when the thread ends): SQLite connections
 * must not be shared between threads, and PostgreSQL ones are cheaper
 * kept.  The registry of definitions is shared and read-only.
 */
#include "api.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/password.h"
#include "core/alloc.h"
#include "core/parse.h"
#include "http/metrics.h"
#include "http/web.h"
#include "modules/modules.h"

/*
 * Who a token stands for, kept per thread so a request costs one query for
 * authentication instead of four.  An entry holds while the database's
 * auth epoch (bumped in the transaction of every change to users, roles,
 * delegations and sessions) and the day are unchanged, and at most
 * AUTH_CACHE_SECONDS, which also bounds how long an expired session can
 * outlive its expiry.  While the store's generation stamp is the one the
 * entry was last checked at, nothing was committed, so the epoch is not
 * even read (a cached GET then takes no database lock at all).
 */
#define AUTH_CACHE 32
#define AUTH_CACHE_SECONDS 60

struct auth_entry {
	/* The token's keyed hash finds the entry; the token itself, zero-
	 * padded and compared in constant time, confirms it. */
	unsigned char tag[crypto_shorthash_BYTES];
	char token[128];
	char hash[65];
	char *epoch;
	uint64_t gen[2]; /* the generation the epoch was last read at */
	sf_date day;
	long loaded; /* monotonic seconds */
	struct actor who;
};

struct thread_ctx {
	struct store *st;
	struct engine eng;
	struct auth_entry cache[AUTH_CACHE];
	unsigned next; /* round-robin replacement */
};

static long mono_seconds(void);

static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static unsigned char tag_key[crypto_shorthash_KEYBYTES]; /* per process */

static void
ctx_free(void *p)
{
	struct thread_ctx *t = p;

	for (int i = 0; i < AUTH_CACHE; i++) {
		if (t->cache[i].hash[0])
			actor_release(&t->cache[i].who);
		free(t->cache[i].epoch);
	}
	engine_release(&t->eng);
	store_close(t->st);
	free(t);
}

static void
ctx_key_make(void)
{
	pthread_key_create(&ctx_key, ctx_free);
	randombytes_buf(tag_key, sizeof(tag_key));
}

static void
count_job(const char *kind)
{
	metrics_job(kind);
}

/* This thread's store and engine, opened on first use. */
static struct thread_ctx *
thread_ctx(struct api *api, struct sf_error *err)
{
	struct thread_ctx *t;

	pthread_once(&ctx_once, ctx_key_make);
	t = pthread_getspecific(ctx_key);
	if (t)
		return t;
	t = xcalloc(1, sizeof(*t));
	if (store_open(api->cfg.db, &t->st, err)) {
		free(t);
		return NULL;
	}
	if (engine_init(&t->eng, t->st, api->reg, err)) {
		store_close(t->st);
		free(t);
		return NULL;
	}
	t->eng.mail = api->cfg.mail;
	t->eng.node = api->cfg.node;
	t->eng.on_job = count_job;
	t->eng.hooks = modules_hooks();
	pthread_setspecific(ctx_key, t);
	return t;
}

enum sf_status
api_init(struct api *api, const struct api_config *cfg, struct sf_error *err)
{
	memset(api, 0, sizeof(*api));
	api->cfg = *cfg;
	if (!api->cfg.node)
		api->cfg.node = "local";
	api->cfg.mail.node = api->cfg.node;
	metrics_set_node(api->cfg.node);
	return registry_load(cfg->processes, &api->reg, err);
}

void
api_release(struct api *api)
{
	/* The calling thread's context (tick thread) goes now; the worker
	 * threads' went with them. */
	struct thread_ctx *t;

	pthread_once(&ctx_once, ctx_key_make);
	t = pthread_getspecific(ctx_key);
	if (t) {
		ctx_free(t);
		pthread_setspecific(ctx_key, NULL);
	}
	registry_free(api->reg);
	api->reg = NULL;
}

void
api_need_write(struct api_call *c)
{
	if (c->in_read) {
		c->st->ops->rollback(c->st);
		c->in_read = 0;
	}
}

void
api_json(struct api_call *c, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	c->resp->status = status;
	buf_reset(&c->resp->body);
	buf_adds(&c->resp->body, s ? s : "null");
	free(s);
	json_decref(j);
}

void
api_error(struct api_call *c, const struct sf_error *err)
{
	enum sf_status s = err->status ? err->status : SF_INTERNAL;

	api_json(c, sf_status_http(s),
		 json_pack("{s:{s:s, s:s, s:s}}", "error", "code",
			   sf_status_code(s), "message",
			   err->message[0] ? err->message : sf_status_code(s),
			   "field", err->field));
}

void
api_bytes(struct api_call *c, const char *content_type, char *data,
	  size_t len)
{
	c->resp->status = 200;
	c->resp->content_type = content_type;
	buf_reset(&c->resp->body);
	buf_add(&c->resp->body, data, len);
	free(data);
}

void
api_text(struct api_call *c, const char *content_type, char *text)
{
	api_bytes(c, content_type, text, text ? strlen(text) : 0);
}

void
api_reply(struct api_call *c, enum sf_status r, int status, json_t *out,
	  const struct sf_error *err)
{
	if (r)
		api_error(c, err);
	else
		api_json(c, status, out);
}

void
api_fail(struct api_call *c, enum sf_status s, const char *field,
	 const char *fmt, ...)
{
	struct sf_error err = {0};
	va_list ap;

	err.status = s;
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	snprintf(err.field, sizeof(err.field), "%s", field ? field : "");
	api_error(c, &err);
}

json_t *
api_body(struct api_call *c)
{
	json_error_t je;
	const char *ct = c->req->content_type;

	if (c->body)
		return c->body;
	if (c->req->body_len == 0) {
		c->body = json_object();
		return c->body;
	}
	/* Clients that forget the Content-Type (curl -d sends a form type)
	 * still mean JSON; only a multipart body is plainly something else. */
	if (ct && strncmp(ct, "multipart/", 10) == 0) {
		api_fail(c, SF_BAD_REQUEST, "body",
			 "expected a JSON body, not %s", ct);
		return NULL;
	}
	c->body = json_loadb(c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES,
			     &je);
	if (!c->body) {
		api_fail(c, SF_BAD_REQUEST, "body",
			 "malformed JSON at line %d column %d: %s", je.line,
			 je.column, je.text);
		return NULL;
	}
	if (!json_is_object(c->body)) {
		api_fail(c, SF_BAD_REQUEST, "body",
			 "the body must be a JSON object");
		json_decref(c->body);
		c->body = NULL;
		return NULL;
	}
	return c->body;
}

int
api_need_user(struct api_call *c)
{
	if (c->authenticated)
		return 1;
	api_fail(c, SF_UNAUTHORIZED, NULL,
		 "log in first (POST /api/v1/session) or send a bearer token");
	return 0;
}

/* The value of cookie NAME in the Cookie header, copied into OUT. */
static int
cookie_value(const char *cookies, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	const char *p = cookies;

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t len = strcspn(v, ";");
			if (len >= n)
				return -1;
			memcpy(out, v, len);
			out[len] = '\0';
			return 0;
		}
		p = strchr(p, ';');
	}
	return -1;
}

/* The CSRF token that goes with a session token. */
void api_csrf_of(const char *token, char out[65]);

void
api_csrf_of(const char *token, char out[65])
{
	char *s = xasprintf("csrf:%s", token);
	sha256_hex(s, strlen(s), out);
	free(s);
}

static enum sf_status
authenticate(struct api_call *c, struct sf_error *err)
{
	const char *auth = http_header(c->req, "Authorization");
	const char *cookies = http_header(c->req, "Cookie");
	char token[128], hash[65];
	int64_t uid;
	enum sf_status r;
	sf_time now = clock_now();

	if (c->api->cfg.auth_header) {
		const char *u = http_header(c->req, c->api->cfg.auth_header);
		/* The header proves nothing unless it was set by the proxy
		 * in front of us: only a peer on this machine may send it. */
		int local = http_peer_is_local(c->req);
		if (u && *u && !local)
			return sf_fail(err, SF_UNAUTHORIZED, NULL,
				       "the single sign-on header is accepted "
				       "only from the local reverse proxy");
		if (u && *u) {
			r = actor_load(c->st, u, 0, date_of(now), &c->who,
				       err);
			if (r)
				return sf_fail(err, SF_UNAUTHORIZED, NULL,
					       "unknown single sign-on user");
			c->authenticated = 1;
			return SF_OK;
		}
	}
	memset(token, 0, sizeof(token)); /* compared whole (auth_entry) */
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		if (strlen(auth + 7) >= sizeof(token))
			return sf_fail(err, SF_UNAUTHORIZED, NULL,
				       "the session or token is unknown or "
				       "expired");
		xstrlcpy(token, auth + 7, sizeof(token));
	} else if (cookies &&
		   cookie_value(cookies, "secflow_session", token,
				sizeof(token)) == 0) {
		c->via_cookie = 1;
	} else {
		return SF_OK; /* anonymous */
	}
	if (c->via_cookie && strcmp(c->req->method, "GET") != 0 &&
	    strcmp(c->req->method, "HEAD") != 0) {
		/* Cookies ride along on forged requests; a header does not. */
		const char *csrf = http_header(c->req, "X-CSRF-Token");
		char want[65];
		api_csrf_of(token, want);
		if (!csrf || strcmp(csrf, want) != 0)
			return sf_fail(err, SF_FORBIDDEN, "X-CSRF-Token",
				       "a cookie session needs the "
				       "X-CSRF-Token header given at login");
	}
	{
		struct thread_ctx *t = pthread_getspecific(ctx_key);
		struct sf_error e2;
		struct auth_entry *slot;
		char *epoch = NULL;
		sf_date today = date_of(now);
		long mono = mono_seconds();
		uint64_t gen[2] = {0, 0};
		unsigned char tag[crypto_shorthash_BYTES];
		size_t tlen = strlen(token);

		crypto_shorthash(tag, (const unsigned char *)token, tlen,
				 tag_key);
		if (c->st->ops->generation &&
		    c->st->ops->generation(c->st, gen, &e2) != SF_OK)
			gen[0] = gen[1] = 0;
		for (int i = 0; i < AUTH_CACHE; i++) {
			struct auth_entry *a = &t->cache[i];
			if (!a->hash[0] || memcmp(a->tag, tag, sizeof(tag)) ||
			    sodium_memcmp(a->token, token, tlen + 1) != 0 ||
			    a->day != today ||
			    mono - a->loaded >= AUTH_CACHE_SECONDS)
				continue;
			if (!gen[1] || a->gen[0] != gen[0] ||
			    a->gen[1] != gen[1]) {
				if (!epoch &&
				    c->st->ops->setting_get(c->st, "auth_epoch",
							    &epoch, &e2))
					epoch = xstrdup("0");
				if (strcmp(a->epoch, epoch) != 0)
					break; /* stale: load it again */
				a->gen[0] = gen[0];
				a->gen[1] = gen[1];
			}
			free(epoch);
			c->who = a->who;
			c->who_borrowed = 1;
			c->authenticated = 1;
			return SF_OK;
		}
		if (!epoch && c->st->ops->setting_get(c->st, "auth_epoch",
						      &epoch, &e2))
			epoch = xstrdup("0");
		token_hash(token, hash);
		r = c->st->ops->session_get(c->st, hash, now, &uid, err);
		if (r == SF_NOT_FOUND)
			r = sf_fail(err, SF_UNAUTHORIZED, NULL,
				    "the session or token is unknown or "
				    "expired");
		if (!r && actor_load(c->st, NULL, uid, today, &c->who, err))
			r = sf_fail(err, SF_UNAUTHORIZED, NULL,
				    "the session's user is gone or disabled");
		if (r) {
			free(epoch);
			return r;
		}
		/* Keep it: the cache owns the actor from now on. */
		slot = &t->cache[t->next++ % AUTH_CACHE];
		for (int i = 0; i < AUTH_CACHE; i++) {
			if (strcmp(t->cache[i].hash, hash) == 0) {
				slot = &t->cache[i]; /* stale copy */
				break;
			}
		}
		if (slot->hash[0])
			actor_release(&slot->who);
		free(slot->epoch);
		memcpy(slot->tag, tag, sizeof(slot->tag));
		memcpy(slot->token, token, sizeof(slot->token));
		xstrlcpy(slot->hash, hash, sizeof(slot->hash));
		slot->epoch = epoch;
		slot->gen[0] = gen[0];
		slot->gen[1] = gen[1];
		slot->day = today;
		slot->loaded = mono;
		slot->who = c->who;
		c->who_borrowed = 1;
		c->authenticated = 1;
		return SF_OK;
	}
}

/* Split PATH after PREFIX into segments (in C->seg, owned). */
static int
split_path(struct api_call *c, const char *path)
{
	const char *p = path;

	while (*p) {
		const char *end;
		if (*p == '/') {
			p++;
			continue;
		}
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		if (c->nseg == 8)
			return -1;
		c->seg[c->nseg++] = xstrndup(p, (size_t)(end - p));
		p = end;
	}
	return 0;
}

void
api_handle(void *app, const struct http_request *req,
	   struct http_response *resp)
{
	struct api *api = app;
	struct api_call c = {0};
	struct sf_error err = {0};
	struct thread_ctx *t;
	int handled = 0, read_only = 0;

	c.api = api;
	c.req = req;
	c.resp = resp;
	if (strcmp(req->path, "/healthz") == 0) {
		api_json(&c, 200, json_pack("{s:s}", "status", "ok"));
		return;
	}
	if (strcmp(req->path, "/metrics") == 0) {
		resp->status = 200;
		resp->content_type = "text/plain; version=0.0.4";
		metrics_render(&resp->body);
		return;
	}
	if (strncmp(req->path, "/api/v1/", 8) != 0 &&
	    strcmp(req->path, "/api/v1") != 0) {
		if (web_serve(req, resp))
			return;
		api_fail(&c, SF_NOT_FOUND, NULL, "no route %s", req->path);
		return;
	}
	if (split_path(&c, req->path + 7)) {
		api_fail(&c, SF_NOT_FOUND, NULL, "no route %s", req->path);
		goto out;
	}
	t = thread_ctx(api, &err);
	if (!t) {
		api_error(&c, &err);
		goto out;
	}
	c.st = t->st;
	c.eng = &t->eng;
	/* A GET reads one snapshot under one lock; writes open their own
	 * transactions. */
	read_only = strcmp(req->method, "GET") == 0 ||
		    strcmp(req->method, "HEAD") == 0;
	if (read_only && c.st->ops->begin_read(c.st, &err)) {
		api_error(&c, &err);
		goto out;
	}
	c.in_read = read_only;
	if (clock_check(&err) || authenticate(&c, &err)) {
		api_error(&c, &err);
		goto out_txn;
	}
	handled = c.nseg > 0 &&
		  (api_session(&c) || api_me(&c) || api_tasks(&c) ||
		   api_processes(&c) || api_audit(&c) || api_outbox(&c) ||
		   api_users(&c) || api_openapi(&c) || api_conventions(&c) ||
		   api_incidents(&c) || api_userlists(&c) || api_reviews(&c) ||
		   api_objects(&c));
	if (!handled)
		api_fail(&c, SF_NOT_FOUND, NULL, "no route %s %s", req->method,
			 req->path);
out_txn:
	if (c.in_read)
		c.st->ops->rollback(c.st);
out:
	for (int i = 0; i < c.nseg; i++)
		free(c.seg[i]);
	json_decref(c.body);
	if (c.authenticated && !c.who_borrowed)
		actor_release(&c.who);
}

static long
mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

void
api_tick(void *app)
{
	struct api *api = app;
	struct sf_error err = {0};
	struct thread_ctx *t;
	long now = mono_seconds();
	sf_time at;
	int ran = 0;

	if (api->cfg.tick_interval <= 0 ||
	    now - api->last_tick < api->cfg.tick_interval)
		return;
	api->last_tick = now;
	t = thread_ctx(api, &err);
	if (!t) {
		fprintf(stderr, "secflow serve: jobs: %s\n", err.message);
		return;
	}
	at = clock_now();
	if (engine_tick(&t->eng, at, &ran, &err) ||
	    outbox_deliver(t->st, &api->cfg.mail, at, NULL, NULL, &err))
		fprintf(stderr, "secflow serve: jobs: %s\n", err.message);
	metrics_job("outbox");
}

int
api_parse_id(const char *s, int64_t *id)
{
	return sf_parse_id(s, id);
}
