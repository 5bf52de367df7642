/*
 * server.h - the HTTP server: libmicrohttpd behind a small request /
 * response pair, so nothing above http/ includes microhttpd.h.
 */
#ifndef SF_HTTP_SERVER_H
#define SF_HTTP_SERVER_H

#include <stddef.h>

#include "core/buf.h"

struct http_request {
	const char *method;	  /* "GET", ... */
	const char *path;	  /* decoded path, no query */
	const char *content_type; /* or NULL */
	const char *body;	  /* NUL-terminated; may hold NULs */
	size_t body_len;
	void *conn;		  /* private: for the lookups below */
};

/* A request header or query argument, or NULL. */
const char *http_header(const struct http_request *req, const char *name);
const char *http_query(const struct http_request *req, const char *name);
/* 1 when the peer is this machine's loopback address (127.0.0.1, ::1 or
 * ::ffff:127.0.0.1), else 0. */
int http_peer_is_local(const struct http_request *req);

#define HTTP_MAX_HEADERS 8

struct http_response {
	int status;
	const char *content_type; /* static string; default JSON */
	struct buf body;
	int nheaders;
	char *header_names[HTTP_MAX_HEADERS];  /* owned */
	char *header_values[HTTP_MAX_HEADERS]; /* owned */
};

void http_response_header(struct http_response *resp, const char *name,
			  const char *value);

/* Called once per complete request; fills RESP (body already inited). */
typedef void (*http_handler)(void *app, const struct http_request *req,
			     struct http_response *resp);

struct http_config {
	const char *listen;	 /* "127.0.0.1:8080", "[::1]:8080" */
	unsigned threads;	 /* worker threads (0: number of cores) */
	size_t max_body;	 /* bytes; larger bodies get 413 */
	unsigned timeout_s;	 /* idle connection timeout */
	/* Called every second on a timer thread (background jobs); may be
	 * NULL. */
	void (*tick)(void *app);
};

/*
 * Serve until SIGTERM or SIGINT, then stop accepting, finish the requests
 * in flight and return 0.  Returns -1 with a message on stderr when the
 * address cannot be bound.
 */
int http_server_run(const struct http_config *cfg, http_handler handler,
		    void *app);

#endif
