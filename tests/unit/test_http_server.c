/* test_http_server.c - the HTTP server on loopback, with libcurl and raw
 * sockets. */
#include "testutil.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "http/metrics.h"
#include "http/server.h"

#define MAX_BODY 1024

struct server_thread {
	pthread_t tid;
	struct http_config cfg;
	char listen[64];
	int port;
	int rc;
};

static atomic_int ticks;
static atomic_int slow_entered;
static struct server_thread main_srv;

static uint32_t
fnv1a(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

/* Echo the request as JSON; /slow takes half a second. */
static void
echo_handler(void *app, const struct http_request *req,
	     struct http_response *resp)
{
	const char *q = http_query(req, "a");
	const char *h = http_header(req, "X-Test");

	(void)app;
	if (strcmp(req->path, "/slow") == 0) {
		struct timespec t = {0, 500 * 1000 * 1000};

		atomic_store(&slow_entered, 1);
		nanosleep(&t, NULL);
	}
	if (strcmp(req->path, "/hdr") == 0)
		http_response_header(resp, "X-Echo", "yes");
	buf_addf(&resp->body,
		 "{\"method\":\"%s\",\"path\":\"%s\",\"a\":\"%s\",\"h\":\"%s\","
		 "\"len\":%zu,\"fnv\":%u,\"local\":%d}",
		 req->method, req->path, q ? q : "", h ? h : "", req->body_len,
		 (unsigned)fnv1a(req->body, req->body_len),
		 http_peer_is_local(req));
	if (strcmp(req->path, "/created") == 0)
		resp->status = 201;
}

static void
tick(void *app)
{
	(void)app;
	atomic_fetch_add(&ticks, 1);
}

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		abort();
	close(fd);
	return ntohs(sa.sin_port);
}

static int
connect_port(int port)
{
	struct sockaddr_in sa;
	struct timeval tv = {3, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void *
server_main(void *arg)
{
	struct server_thread *st = arg;

	st->rc = http_server_run(&st->cfg, echo_handler, NULL);
	return NULL;
}

static void
server_start(struct server_thread *st, void (*tickfn)(void *))
{
	struct timespec t = {0, 10 * 1000 * 1000};
	int fd = -1;

	memset(st, 0, sizeof(*st));
	st->port = free_port();
	snprintf(st->listen, sizeof(st->listen), "127.0.0.1:%d", st->port);
	st->cfg.listen = st->listen;
	st->cfg.threads = 2;
	st->cfg.max_body = MAX_BODY;
	st->cfg.timeout_s = 5;
	st->cfg.tick = tickfn;
	st->rc = -2;
	if (pthread_create(&st->tid, NULL, server_main, st))
		abort();
	for (int i = 0; i < 300 && fd < 0; i++) {
		fd = connect_port(st->port);
		if (fd < 0)
			nanosleep(&t, NULL);
	}
	if (fd < 0)
		abort();
	close(fd);
}

/* Stop ST with SIGTERM; returns the seconds until its thread ended, or a
 * negative number when it did not end within 5 s. */
static double
server_stop(struct server_thread *st)
{
	struct timespec t0, t1, deadline;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_kill(st->tid, SIGTERM);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 5;
	if (pthread_timedjoin_np(st->tid, NULL, &deadline))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static int
group_setup(void **state)
{
	sigset_t set;

	(void)state;
	/* Before any thread exists: every thread inherits the mask, so the
	 * signals only ever reach the server's sigtimedwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	server_start(&main_srv, tick);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (server_stop(&main_srv) < 0)
		return -1;
	curl_global_cleanup();
	return main_srv.rc;
}

static size_t
collect(char *p, size_t size, size_t n, void *ud)
{
	buf_add(ud, p, size * n);
	return size * n;
}

struct reply {
	long code;
	long connects;
	struct buf body;
	struct buf headers;
};

static void
reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 0);
	buf_init(&r->headers, 0);
}

static void
reply_release(struct reply *r)
{
	buf_release(&r->body);
	buf_release(&r->headers);
}

/* One request on handle C (reused across calls); BODY NULL for GET. */
static void
do_request(CURL *c, int port, const char *path, const char *body,
	   size_t body_len, struct reply *r)
{
	struct curl_slist *hdrs = NULL;
	char url[256];
	CURLcode rc;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	buf_reset(&r->body);
	buf_reset(&r->headers);
	hdrs = curl_slist_append(hdrs, "X-Test: hello");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	rc = curl_easy_perform(c);
	curl_slist_free_all(hdrs);
	assert_int_equal(rc, CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r->connects);
}

static int
has_header(const struct reply *r, const char *line)
{
	return strcasestr(r->headers.data, line) != NULL;
}

static void
test_get(void **state)
{
	CURL *c = curl_easy_init();
	struct reply r;

	(void)state;
	reply_init(&r);
	do_request(c, main_srv.port, "/things/x?a=b%20c&z=1", NULL, 0, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(r.body.data, "\"method\":\"GET\""));
	assert_non_null(strstr(r.body.data, "\"path\":\"/things/x\""));
	assert_non_null(strstr(r.body.data, "\"a\":\"b c\""));
	assert_non_null(strstr(r.body.data, "\"h\":\"hello\""));
	assert_non_null(strstr(r.body.data, "\"len\":0"));
	assert_non_null(strstr(r.body.data, "\"local\":1"));
	assert_true(has_header(&r, "\r\nContent-Type: application/json; "
				   "charset=utf-8\r\n"));
	assert_true(has_header(&r, "\r\nX-Content-Type-Options: nosniff\r\n"));
	assert_true(has_header(&r, "\r\nCache-Control: no-store\r\n"));

	do_request(c, main_srv.port, "/hdr", NULL, 0, &r);
	assert_true(has_header(&r, "\r\nX-Echo: yes\r\n"));
	do_request(c, main_srv.port, "/created", NULL, 0, &r);
	assert_int_equal(r.code, 201);
	reply_release(&r);
	curl_easy_cleanup(c);
}

static void
test_keep_alive(void **state)
{
	CURL *c = curl_easy_init();
	struct reply r;

	(void)state;
	reply_init(&r);
	do_request(c, main_srv.port, "/one", NULL, 0, &r);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.connects, 1);
	assert_false(has_header(&r, "Connection: close"));
	do_request(c, main_srv.port, "/two", NULL, 0, &r);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.connects, 0);
	assert_false(has_header(&r, "Connection: close"));
	/* A POST keeps the connection too. */
	do_request(c, main_srv.port, "/three", "{}", 2, &r);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.connects, 0);
	reply_release(&r);
	curl_easy_cleanup(c);
}

static void
test_post_body(void **state)
{
	static const char body[] = "{\"a\":1}\0tail after NUL";
	size_t n = sizeof(body) - 1;
	CURL *c = curl_easy_init();
	struct reply r;
	char want[64];

	(void)state;
	reply_init(&r);
	do_request(c, main_srv.port, "/post", body, n, &r);
	assert_int_equal(r.code, 200);
	assert_non_null(strstr(r.body.data, "\"method\":\"POST\""));
	snprintf(want, sizeof(want), "\"len\":%zu,\"fnv\":%u", n,
		 (unsigned)fnv1a(body, n));
	assert_non_null(strstr(r.body.data, want));

	/* Exactly at the limit is fine. */
	char *big = xmalloc(MAX_BODY);
	memset(big, 'x', MAX_BODY);
	do_request(c, main_srv.port, "/post", big, MAX_BODY, &r);
	assert_int_equal(r.code, 200);
	snprintf(want, sizeof(want), "\"len\":%d,", MAX_BODY);
	assert_non_null(strstr(r.body.data, want));
	free(big);
	reply_release(&r);
	curl_easy_cleanup(c);
}

static const char too_large_json[] =
    "{\"error\":{\"code\":\"too_large\",\"message\":\"request body over "
    "1024 bytes\",\"field\":\"\"}}";

static void
test_body_too_large(void **state)
{
	CURL *c = curl_easy_init();
	size_t n = 4 * MAX_BODY;
	char *big = xmalloc(n);
	struct reply r;

	(void)state;
	memset(big, 'y', n);
	reply_init(&r);
	do_request(c, main_srv.port, "/post", big, n, &r);
	assert_int_equal(r.code, 413);
	assert_string_equal(r.body.data, too_large_json);
	assert_true(has_header(&r, "application/json"));
	/* The server is fine, and the connection was kept (body drained). */
	do_request(c, main_srv.port, "/after", NULL, 0, &r);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.connects, 0);
	free(big);
	reply_release(&r);
	curl_easy_cleanup(c);
}

/* Send REQ on a fresh connection and read until EOF or until a whole
 * response with Content-Length is in. */
static void
raw_exchange(int port, const char *req, size_t len, struct buf *out)
{
	int fd = connect_port(port);
	char tmp[4096];
	ssize_t n;

	assert_true(fd >= 0);
	assert_int_equal(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	for (;;) {
		const char *end, *cl;

		n = recv(fd, tmp, sizeof(tmp), 0);
		if (n <= 0)
			break;
		buf_add(out, tmp, (size_t)n);
		end = strstr(out->data, "\r\n\r\n");
		cl = strcasestr(out->data, "\r\nContent-Length: ");
		if (end && cl && cl < end &&
		    out->len >= (size_t)(end + 4 - out->data) +
				    strtoul(cl + 18, NULL, 10))
			break;
	}
	close(fd);
}

static void
test_content_length_too_large(void **state)
{
	static const char req[] = "POST /up HTTP/1.1\r\n"
				  "Host: x\r\n"
				  "Content-Type: application/json\r\n"
				  "Content-Length: 100000000\r\n"
				  "\r\n";
	CURL *c = curl_easy_init();
	struct reply r;
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	raw_exchange(main_srv.port, req, sizeof(req) - 1, &out);
	assert_true(strncmp(out.data, "HTTP/1.1 413 ", 13) == 0);
	assert_non_null(strstr(out.data, too_large_json));

	/* Over the limit by less than the drain allowance, with the body. */
	buf_reset(&out);
	{
		struct buf req2;

		buf_init(&req2, 0);
		buf_addf(&req2,
			 "POST /up HTTP/1.1\r\nHost: x\r\n"
			 "Content-Length: %d\r\n\r\n",
			 2 * MAX_BODY);
		for (int i = 0; i < 2 * MAX_BODY; i++)
			buf_add(&req2, "z", 1);
		raw_exchange(main_srv.port, req2.data, req2.len, &out);
		buf_release(&req2);
	}
	assert_true(strncmp(out.data, "HTTP/1.1 413 ", 13) == 0);
	assert_non_null(strstr(out.data, too_large_json));

	reply_init(&r);
	do_request(c, main_srv.port, "/after", NULL, 0, &r);
	assert_int_equal(r.code, 200);
	reply_release(&r);
	curl_easy_cleanup(c);
	buf_release(&out);
}

static void
test_chunked_too_large(void **state)
{
	struct buf req, out;

	(void)state;
	buf_init(&req, 0);
	buf_init(&out, 0);
	buf_adds(&req, "POST /chunked HTTP/1.1\r\nHost: x\r\n"
		       "Transfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 3; i++) {
		buf_addf(&req, "%x\r\n", 1000);
		for (int j = 0; j < 1000; j++)
			buf_add(&req, "c", 1);
		buf_adds(&req, "\r\n");
	}
	buf_adds(&req, "0\r\n\r\n");
	raw_exchange(main_srv.port, req.data, req.len, &out);
	assert_true(strncmp(out.data, "HTTP/1.1 413 ", 13) == 0);
	assert_non_null(strstr(out.data, too_large_json));

	/* Under the limit, chunked works. */
	buf_reset(&req);
	buf_reset(&out);
	buf_adds(&req, "POST /chunked HTTP/1.1\r\nHost: x\r\n"
		       "Transfer-Encoding: chunked\r\n\r\n"
		       "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
	raw_exchange(main_srv.port, req.data, req.len, &out);
	assert_true(strncmp(out.data, "HTTP/1.1 200 ", 13) == 0);
	assert_non_null(strstr(out.data, "\"len\":11,"));
	buf_release(&req);
	buf_release(&out);
}

static void
test_tick(void **state)
{
	struct timespec t = {0, 50 * 1000 * 1000};

	(void)state;
	for (int i = 0; i < 60 && atomic_load(&ticks) < 1; i++)
		nanosleep(&t, NULL);
	assert_true(atomic_load(&ticks) >= 1);
}

static void
test_bind_failure(void **state)
{
	struct http_config cfg;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char listen_addr[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%d",
		 ntohs(sa.sin_port));
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = listen_addr;
	cfg.threads = 1;
	assert_int_equal(http_server_run(&cfg, echo_handler, NULL), -1);

	cfg.listen = "no-port-here";
	assert_int_equal(http_server_run(&cfg, echo_handler, NULL), -1);
	cfg.listen = "127.0.0.1:99999";
	assert_int_equal(http_server_run(&cfg, echo_handler, NULL), -1);
	close(fd);
}

struct slow_client {
	int port;
	long code;
	struct buf body;
};

static void *
slow_client_main(void *arg)
{
	struct slow_client *sc = arg;
	CURL *c = curl_easy_init();
	char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", sc->port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sc->body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &sc->code);
	curl_easy_cleanup(c);
	return NULL;
}

static void
test_sigterm_in_flight(void **state)
{
	struct server_thread st;
	struct slow_client sc;
	struct timespec t = {0, 5 * 1000 * 1000};
	pthread_t client;
	double secs;

	(void)state;
	server_start(&st, NULL);
	memset(&sc, 0, sizeof(sc));
	sc.port = st.port;
	buf_init(&sc.body, 0);
	atomic_store(&slow_entered, 0);
	assert_int_equal(pthread_create(&client, NULL, slow_client_main, &sc),
			 0);
	for (int i = 0; i < 400 && !atomic_load(&slow_entered); i++)
		nanosleep(&t, NULL);
	assert_true(atomic_load(&slow_entered));

	secs = server_stop(&st);
	assert_true(secs >= 0);
	assert_true(secs < 2.0);
	assert_int_equal(st.rc, 0);
	pthread_join(client, NULL);
	/* The request in flight was finished, not cut. */
	assert_int_equal(sc.code, 200);
	assert_non_null(strstr(sc.body.data, "\"path\":\"/slow\""));
	buf_release(&sc.body);

	/* The port is free again. */
	server_start(&st, NULL);
	assert_true(server_stop(&st) >= 0);
	assert_int_equal(st.rc, 0);
}

static unsigned long long
metric_value(const char *text, const char *series)
{
	const char *p = strstr(text, series);

	if (!p)
		return 0;
	return strtoull(p + strlen(series), NULL, 10);
}

static void
test_metrics(void **state)
{
	static const char ok[] =
	    "secflow_http_requests_total{node=\"local\",code=\"200\"} ";
	static const char big[] =
	    "secflow_http_requests_total{node=\"local\",code=\"413\"} ";
	static const char inf[] = "secflow_http_request_duration_seconds_"
				  "bucket{node=\"local\",le=\"+Inf\"} ";
	static const char cnt[] = "secflow_http_request_duration_seconds_"
				  "count{node=\"local\"} ";
	struct timespec t = {0, 20 * 1000 * 1000};
	unsigned long long before;
	CURL *c = curl_easy_init();
	struct reply r;
	struct buf m;

	(void)state;
	buf_init(&m, 0);
	metrics_render(&m);
	before = metric_value(m.data, ok);
	assert_true(before >= 5); /* from the tests before */
	assert_true(metric_value(m.data, big) >= 3);

	reply_init(&r);
	for (int i = 0; i < 3; i++)
		do_request(c, main_srv.port, "/m", NULL, 0, &r);
	/* Counted on completion, which may trail the client a little. */
	for (int i = 0; i < 50; i++) {
		buf_reset(&m);
		metrics_render(&m);
		if (metric_value(m.data, ok) >= before + 3)
			break;
		nanosleep(&t, NULL);
	}
	assert_true(metric_value(m.data, ok) >= before + 3);
	assert_non_null(strstr(m.data, "# TYPE secflow_http_requests_total "
				       "counter\n"));
	assert_non_null(strstr(m.data, "# TYPE secflow_http_request_duration_"
				       "seconds histogram\n"));
	assert_non_null(strstr(m.data,
			       "secflow_http_request_duration_seconds"
			       "_bucket{node=\"local\",le=\"0.0005\"} "));
	assert_true(metric_value(m.data, inf) >= before + 3);
	assert_int_equal(metric_value(m.data, inf), metric_value(m.data, cnt));
	assert_non_null(strstr(m.data, "secflow_http_request_duration_seconds"
				       "_sum{node=\"local\"} "));
	assert_non_null(strstr(m.data, "secflow_up{node=\"local\"} 1\n"));
	reply_release(&r);
	buf_release(&m);
	curl_easy_cleanup(c);
}

static void
test_metrics_labels(void **state)
{
	struct buf m;

	(void)state;
	metrics_set_node("eu\"1\\\n");
	metrics_step();
	metrics_job("sla");
	metrics_job("no-such-kind");
	metrics_job(NULL);
	metrics_request(418, 0.003);
	metrics_request(999, 7.0);
	buf_init(&m, 0);
	metrics_render(&m);
	assert_non_null(
	    strstr(m.data, "secflow_steps_total{node=\"eu\\\"1\\\\\\n\"} "));
	assert_true(metric_value(m.data, "kind=\"sla\"} ") >= 1);
	assert_true(metric_value(m.data, "kind=\"other\"} ") >= 2);
	assert_true(metric_value(m.data, "code=\"4xx\"} ") >= 1);
	assert_true(metric_value(m.data, "code=\"other\"} ") >= 1);
	assert_non_null(strstr(m.data, "# HELP secflow_jobs_total "));
	assert_non_null(strstr(m.data, "# TYPE secflow_up gauge\n"));
	metrics_set_node(NULL);
	buf_reset(&m);
	metrics_render(&m);
	assert_non_null(strstr(m.data, "secflow_up{node=\"local\"} 1\n"));
	buf_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get),
	    cmocka_unit_test(test_keep_alive),
	    cmocka_unit_test(test_post_body),
	    cmocka_unit_test(test_body_too_large),
	    cmocka_unit_test(test_content_length_too_large),
	    cmocka_unit_test(test_chunked_too_large),
	    cmocka_unit_test(test_tick),
	    cmocka_unit_test(test_bind_failure),
	    cmocka_unit_test(test_sigterm_in_flight),
	    cmocka_unit_test(test_metrics),
	    cmocka_unit_test(test_metrics_labels),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
