/*
 * web.c - serves the web UI (web/, embedded as web_files) at "/".
 *
 * The UI is plain files: index.html loads app.js as an ES module, which
 * talks to /api/v1 only.  There is no build step and no file outside the
 * binary, so a bare `secflow serve` has its UI.  Client routes are real
 * paths (/conventions/4); any path without an extension that is not an
 * API route gets index.html.
 */
#include "http/web.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/embedded.h"

/* No inline script or style anywhere in web/: the policy can say so. */
static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; "
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
	"form-action 'self'";

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".json", "application/json; charset=utf-8"},
	{".txt", "text/plain; charset=utf-8"},
};

const char *
web_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static const struct embedded_file *
web_find(const char *name)
{
	for (const struct embedded_file *f = web_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* A strong validator: FNV-1a of the bytes, as a quoted hex string. */
static void
web_etag(const struct embedded_file *f, char out[24])
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < f->len; i++) {
		h ^= (unsigned char)f->data[i];
		h *= 1099511628211ULL;
	}
	snprintf(out, 24, "\"%016llx\"", (unsigned long long)h);
}

static int
web_is_ours(const char *path)
{
	/* The API, its plain routes, and nothing that tries to climb. */
	if (strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	    strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0)
		return 0;
	return path[0] == '/';
}

int
web_serve(const struct http_request *req, struct http_response *resp)
{
	const struct embedded_file *f = NULL;
	const char *path = req->path, *last, *inm;
	int head = strcmp(req->method, "HEAD") == 0;
	char etag[24];

	if (!web_is_ours(path))
		return 0;
	if (strcmp(req->method, "GET") != 0 && !head)
		return 0; /* the API's 404 answers, in JSON */
	last = strrchr(path, '/') + 1;
	/* Only top-level file names: web/ is flat, and "/x/app.js" is not
	 * a file of ours. */
	if (*last && strchr(last, '.')) {
		if (last == path + 1)
			f = web_find(last);
		if (!f)
			return 0;
	} else {
		f = web_find("index.html");
		if (!f)
			return 0;
	}
	http_response_header(resp, "Content-Security-Policy", csp);
	http_response_header(resp, "Referrer-Policy", "no-referrer");
	http_response_header(resp, "X-Frame-Options", "DENY");
	/* Files change with the binary, not with a version in their name:
	 * the browser keeps them but asks each time (304 when unchanged). */
	http_response_header(resp, "Cache-Control", "no-cache");
	web_etag(f, etag);
	http_response_header(resp, "ETag", etag);
	resp->content_type = web_content_type(f->name);
	inm = http_header(req, "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		resp->status = 304;
		return 1;
	}
	resp->status = 200;
	/* For HEAD too: the server sends the length and drops the body. */
	buf_add(&resp->body, f->data, f->len);
	return 1;
}
