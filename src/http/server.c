/*
 * server.c - the HTTP server on libmicrohttpd.
 *
 * One internal polling thread per worker (epoll where available), a pool
 * of cfg->threads workers.  Each request gets a struct request_state in
 * MHD's per-request pointer on the first call of the access handler; the
 * body is collected there, the handler runs once on the last call, and the
 * completion callback records the metrics and frees the state.
 *
 * Two measured traps (docs: BASELINES.md, HTTP):
 *  - libmicrohttpd 0.9.75 answers "Connection: close" to a response queued
 *    on the first call of the access handler, which costs about 4x in
 *    throughput, so responses are queued on a later call.  The one
 *    exception is a Content-Length far over the limit, where closing is
 *    what we want (see access()).
 *  - a signal can land on one of MHD's threads, so SIGTERM and SIGINT are
 *    blocked before the daemon starts (its threads inherit the mask) and
 *    taken with sigtimedwait in the calling thread.
 */
#include "http/server.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "http/metrics.h"

#define DEFAULT_MAX_BODY (1024 * 1024)
#define DEFAULT_TIMEOUT_S 30
#define CONNECTION_LIMIT 1024
/*
 * Bytes past max_body that we still read and drop, so that the client
 * gets its 413 on a connection that stays usable instead of a reset.
 * Beyond that we answer at once and let the connection close.
 */
#define DRAIN_MAX (1024 * 1024)
/* How long a stop waits for the requests in flight. */
#define DRAIN_SECONDS 10

static const char json_type[] = "application/json; charset=utf-8";

struct server {
	size_t max_body;
	http_handler handler;
	void *app;
	atomic_int inflight; /* requests between first call and completion */
};

struct request_state {
	struct timespec start;
	struct buf body;
	unsigned long long seen; /* body bytes received, kept or dropped */
	int too_large;
	int status; /* status queued, 0 while none */
};

static double
elapsed_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Return the value of request header NAME (case-insensitive), or NULL.
 * The string belongs to the connection and lives as long as the request.
 */
const char *
http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/*
 * Return the decoded value of query argument NAME, or NULL.  An argument
 * given without "=" yields NULL too.  Same lifetime as http_header.
 */
const char *
http_query(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

static int
header_text_ok(const char *s)
{
	return s && *s && strpbrk(s, "\r\n") == NULL;
}

/*
 * Add header NAME: VALUE to RESP (both copied, freed by the server after
 * sending).  A header past HTTP_MAX_HEADERS, or one with CR or LF in it,
 * is dropped with a line on stderr: it is a bug in the caller, and
 * sending it could split the response.
 */
void
http_response_header(struct http_response *resp, const char *name,
		     const char *value)
{
	if (!header_text_ok(name) || !value || strpbrk(value, "\r\n")) {
		fprintf(stderr, "secflow: http: invalid header '%s' dropped\n",
			name ? name : "");
		return;
	}
	if (resp->nheaders >= HTTP_MAX_HEADERS) {
		fprintf(stderr,
			"secflow: http: header '%s' dropped: over %d headers\n",
			name, HTTP_MAX_HEADERS);
		return;
	}
	resp->header_names[resp->nheaders] = xstrdup(name);
	resp->header_values[resp->nheaders] = xstrdup(value);
	resp->nheaders++;
}

static void
response_init(struct http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	buf_init(&resp->body, 0);
}

static void
response_release(struct http_response *resp)
{
	for (int i = 0; i < resp->nheaders; i++) {
		free(resp->header_names[i]);
		free(resp->header_values[i]);
	}
	resp->nheaders = 0;
	buf_release(&resp->body);
}

/*
 * Queue RESP on CONN and note its status in RS.  The body buffer is
 * handed to MHD, which frees it after the last byte is sent; the caller
 * still releases RESP.
 */
static enum MHD_Result
send_response(struct MHD_Connection *conn, struct request_state *rs,
	      struct http_response *resp)
{
	struct MHD_Response *r;
	const char *ctype;
	enum MHD_Result ret;
	size_t len;
	char *data;
	int status = resp->status;

	if (status < 100 || status > 599)
		status = 500;
	ctype = resp->content_type ? resp->content_type : json_type;
	data = buf_detach(&resp->body, &len);
	r = MHD_create_response_from_buffer_with_free_callback(len, data, free);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (strncmp(ctype, "application/json", 16) == 0)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
					"no-store");
	for (int i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->header_names[i],
					resp->header_values[i]);
	ret = MHD_queue_response(conn, (unsigned int)status, r);
	MHD_destroy_response(r);
	if (ret == MHD_YES)
		rs->status = status;
	return ret;
}

static enum MHD_Result
send_too_large(struct server *srv, struct MHD_Connection *conn,
	       struct request_state *rs)
{
	struct http_response resp;
	enum MHD_Result ret;

	response_init(&resp);
	resp.status = 413;
	buf_addf(&resp.body,
		 "{\"error\":{\"code\":\"too_large\",\"message\":"
		 "\"request body over %zu bytes\",\"field\":\"\"}}",
		 srv->max_body);
	ret = send_response(conn, rs, &resp);
	response_release(&resp);
	return ret;
}

int
http_peer_is_local(const struct http_request *req)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0,
						 0, 0, 0, 0, 0xff, 0xff};
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	ci = MHD_get_connection_info(req->conn,
				     MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !(sa = ci->client_addr))
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const void *)sa;
		return ntohl(v4->sin_addr.s_addr) == INADDR_LOOPBACK;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const void *)sa;
		const unsigned char *a = v6->sin6_addr.s6_addr;
		return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr) ||
		       (memcmp(a, mapped, 12) == 0 && a[12] == 127 &&
			a[13] == 0 && a[14] == 0 && a[15] == 1);
	}
	return 0;
}

/* The whole request is in: run the handler once and queue its answer. */
static enum MHD_Result
dispatch(struct server *srv, struct MHD_Connection *conn,
	 struct request_state *rs, const char *url, const char *method)
{
	struct http_request req;
	struct http_response resp;
	enum MHD_Result ret;

	req.method = method;
	req.path = url;
	req.content_type = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	req.body = rs->body.data;
	req.body_len = rs->body.len;
	req.conn = conn;

	response_init(&resp);
	srv->handler(srv->app, &req, &resp);
	ret = send_response(conn, rs, &resp);
	response_release(&resp);
	return ret;
}

/* Declared Content-Length, or 0 when absent or unreadable (MHD itself
 * rejects a malformed one). */
static unsigned long long
declared_length(struct MHD_Connection *conn)
{
	const char *v;
	char *end;
	unsigned long long n;

	v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return 0;
	return n;
}

static int
expects_continue(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_EXPECT);

	return v && strcasecmp(v, "100-continue") == 0;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
	  const char *method, const char *version, const char *upload_data,
	  size_t *upload_data_size, void **req_cls)
{
	struct server *srv = cls;
	struct request_state *rs = *req_cls;
	unsigned long long declared;

	(void)version;
	if (!rs) {
		/* First call: headers only.  Queueing here would cost the
		 * keep-alive (see the top of this file). */
		rs = xcalloc(1, sizeof(*rs));
		clock_gettime(CLOCK_MONOTONIC, &rs->start);
		buf_init(&rs->body, srv->max_body);
		*req_cls = rs;
		atomic_fetch_add(&srv->inflight, 1);

		declared = declared_length(conn);
		if (declared > srv->max_body) {
			rs->too_large = 1;
			/* Answer now when the body is far too large or not
			 * sent yet (Expect: 100-continue): MHD then sends no
			 * "100 Continue", reads none of the body and closes
			 * the connection.  Otherwise the body is read and
			 * dropped and the 413 keeps the connection. */
			if (declared - srv->max_body > DRAIN_MAX ||
			    expects_continue(conn))
				return send_too_large(srv, conn, rs);
		}
		return MHD_YES;
	}
	if (rs->status) {
		/* Answered early; drop whatever still arrives. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		rs->seen += n;
		if (!rs->too_large && buf_add(&rs->body, upload_data, n)) {
			rs->too_large = 1;
			buf_release(&rs->body);
			buf_init(&rs->body, srv->max_body);
		}
		if (rs->too_large && rs->seen > srv->max_body + DRAIN_MAX)
			return send_too_large(srv, conn, rs);
		return MHD_YES;
	}
	if (rs->too_large)
		return send_too_large(srv, conn, rs);
	return dispatch(srv, conn, rs, url, method);
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **req_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request_state *rs = *req_cls;

	(void)conn;
	(void)toe;
	if (!rs)
		return;
	/* A request abandoned before any answer was queued has no status
	 * to count. */
	if (rs->status)
		metrics_request(rs->status, elapsed_since(&rs->start));
	buf_release(&rs->body);
	free(rs);
	*req_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

/* MHD's messages, one line each; only with SECFLOW_HTTP_DEBUG set. */
static void
log_cb(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "secflow: http: %s\n", line);
}

/*
 * Split "HOST:PORT" or "[V6]:PORT" and resolve it into SS.  Returns 0, or
 * -1 with REASON set to a static message.
 */
static int
resolve_listen(const char *listen, struct sockaddr_storage *ss,
	       socklen_t *sslen, const char **reason)
{
	char host[256], port[8];
	const char *colon, *h, *p;
	struct addrinfo hints, *res;
	size_t hlen;
	char *end;
	unsigned long pn;
	int rc;

	*reason = "expected HOST:PORT or [IPV6]:PORT";
	if (!listen)
		return -1;
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':')
			return -1;
		h = listen + 1;
		hlen = (size_t)(close - h);
		p = close + 2;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || memchr(listen, ':', (size_t)(colon - listen)))
			return -1;
		h = listen;
		hlen = (size_t)(colon - listen);
		p = colon + 1;
	}
	if (hlen >= sizeof(host) || !*p || strlen(p) >= sizeof(port) ||
	    strspn(p, "0123456789") != strlen(p))
		return -1;
	pn = strtoul(p, &end, 10);
	if (pn > 65535) {
		*reason = "port out of range";
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	xstrlcpy(port, p, sizeof(port));

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(hlen ? host : NULL, port, &hints, &res);
	if (rc) {
		*reason = gai_strerror(rc);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void
wait_in_flight(struct server *srv)
{
	struct timespec t0, pause = {0, 10 * 1000 * 1000};

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&srv->inflight) > 0 &&
	       elapsed_since(&t0) < DRAIN_SECONDS)
		nanosleep(&pause, NULL);
}

static void
timespec_add_sec(struct timespec *t, time_t s)
{
	t->tv_sec += s;
}

static int
timespec_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * Take SIGTERM or SIGINT from SET, calling cfg->tick once a second
 * meanwhile.
 */
static void
wait_for_stop(const struct http_config *cfg, void *app, const sigset_t *set)
{
	struct timespec next, now, left;
	int sig;

	clock_gettime(CLOCK_MONOTONIC, &next);
	timespec_add_sec(&next, 1);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!timespec_before(&now, &next)) {
			if (cfg->tick)
				cfg->tick(app);
			timespec_add_sec(&next, 1);
			/* A tick that ran long skips the missed seconds. */
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!timespec_before(&now, &next)) {
				next = now;
				timespec_add_sec(&next, 1);
			}
			continue;
		}
		left.tv_sec = next.tv_sec - now.tv_sec;
		left.tv_nsec = next.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		sig = sigtimedwait(set, NULL, &left);
		if (sig == SIGTERM || sig == SIGINT)
			return;
		/* EAGAIN: the second is up; EINTR: another signal. */
	}
}

/*
 * Serve CFG->listen with HANDLER (called with APP) until SIGTERM or SIGINT
 * reaches this thread or the process.  Blocks both signals in the calling
 * thread for the duration and ignores SIGPIPE for the process.  On a stop,
 * stops accepting, waits up to DRAIN_SECONDS for the requests in flight,
 * and returns 0.  Returns -1 with one line on stderr when the address
 * cannot be resolved or bound.  Prints "listening on HOST:PORT" on stdout
 * once serving (PORT is the bound one when 0 was asked).
 */
int
http_server_run(const struct http_config *cfg, http_handler handler, void *app)
{
	struct server srv;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct sigaction sa;
	sigset_t set, oldset;
	const union MHD_DaemonInfo *di;
	struct MHD_Daemon *d;
	const char *reason;
	char host[NI_MAXHOST];
	unsigned int flags, threads;
	MHD_socket lsock;
	long ncpu;
	int err, rc = -1;

	if (resolve_listen(cfg->listen, &ss, &sslen, &reason)) {
		fprintf(stderr, "secflow: cannot listen on %s: %s\n",
			cfg->listen ? cfg->listen : "(null)", reason);
		return -1;
	}

	memset(&srv, 0, sizeof(srv));
	srv.max_body = cfg->max_body ? cfg->max_body : DEFAULT_MAX_BODY;
	srv.handler = handler;
	srv.app = app;
	atomic_init(&srv.inflight, 0);

	threads = cfg->threads;
	if (!threads) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned int)ncpu : 1;
	}

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
	flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) ? MHD_USE_EPOLL
							     : MHD_USE_AUTO;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (getenv("SECFLOW_HTTP_DEBUG"))
		flags |= MHD_USE_ERROR_LOG;

	/* Before the daemon exists, so that its threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, &oldset);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);

	errno = 0;
	d = MHD_start_daemon(
	    flags, 0, NULL, NULL, access_cb, &srv, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)(cfg->timeout_s ? cfg->timeout_s : DEFAULT_TIMEOUT_S),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTION_LIMIT,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, &srv,
	    MHD_OPTION_EXTERNAL_LOGGER, log_cb, NULL, MHD_OPTION_END);
	if (!d) {
		err = errno;
		fprintf(stderr, "secflow: cannot listen on %s: %s\n",
			cfg->listen,
			err ? strerror(err) : "cannot start server");
		goto out;
	}

	if (getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof(host), NULL,
			0, NI_NUMERICHOST))
		xstrlcpy(host, "?", sizeof(host));
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf(ss.ss_family == AF_INET6 ? "listening on [%s]:%u\n"
					: "listening on %s:%u\n",
	       host, di ? (unsigned int)di->port : 0U);
	fflush(stdout);

	wait_for_stop(cfg, app, &set);

	lsock = MHD_quiesce_daemon(d);
	wait_in_flight(&srv);
	MHD_stop_daemon(d);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	rc = 0;
out:
	pthread_sigmask(SIG_SETMASK, &oldset, NULL);
	return rc;
}
