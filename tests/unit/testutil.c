/* testutil.c - helpers for the unit tests. */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"

char *
tu_tempdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p = xasprintf("%s/secflow-test-XXXXXX", t ? t : "/tmp");

	if (!mkdtemp(p)) {
		perror("mkdtemp");
		abort();
	}
	return p;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
tu_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = xmalloc((size_t)n + 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(p);
		return NULL;
	}
	p[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return p;
}

int
tu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

char *
tu_source_path(const char *rel)
{
	const char *src = getenv("SECFLOW_SOURCE_DIR");

	return xasprintf("%s/%s", src ? src : "..", rel);
}

int
tu_db_is_pg(void)
{
	const char *b = getenv("SECFLOW_TEST_BACKEND");

	return b && strcmp(b, "pg") == 0;
}

static int
url_is_pg(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 ||
	       strncmp(url, "postgresql://", 13) == 0;
}

/* BASE with its database name replaced by NAME; caller frees. */
static char *
url_with_db(const char *base, const char *name)
{
	const char *auth = strstr(base, "://");
	const char *slash, *rest;
	struct buf b;
	char *out;

	auth = auth ? auth + 3 : base;
	slash = auth + strcspn(auth, "/?");
	buf_init(&b, 0);
	buf_add(&b, base, (size_t)(slash - base));
	rest = *slash == '/' ? slash + 1 + strcspn(slash + 1, "?") : slash;
	buf_addf(&b, "/%s%s", name, rest);
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}

static PGconn *
pg_connect(const char *url)
{
	PGconn *c = PQconnectdb(url);

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect to %s: %s", url, PQerrorMessage(c));
	return c;
}

static const char *
pg_base(void)
{
	const char *base = getenv("SECFLOW_TEST_PG");

	if (!base || !*base) {
		fprintf(stderr,
			"SECFLOW_TEST_BACKEND=pg needs SECFLOW_TEST_PG, "
			"the URL of a PostgreSQL server to create test "
			"databases on (scripts/pg-test-cluster.sh start "
			"DIR prints one)\n");
		abort();
	}
	return base;
}

char *
tu_db_url(const char *dir)
{
	static unsigned counter;
	const char *base;
	char name[64], sql[128];
	PGconn *c;
	PGresult *res;

	if (!tu_db_is_pg())
		return xasprintf("%s/secflow.db", dir);
	base = pg_base();
	snprintf(name, sizeof(name), "t_%ld_%u", (long)getpid(), ++counter);
	/* An identifier cannot be a parameter; NAME is digits and _. */
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	c = pg_connect(base);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s on %s: %s\n", sql, base,
			PQresultErrorMessage(res));
		abort();
	}
	PQclear(res);
	PQfinish(c);
	return url_with_db(base, name);
}

void
tu_db_drop(const char *url)
{
	const char *slash, *auth;
	char sql[160];
	PGconn *c;
	PGresult *res;
	size_t n;

	if (!url_is_pg(url))
		return;
	auth = strstr(url, "://") + 3;
	slash = strchr(auth, '/');
	if (!slash)
		return;
	n = strcspn(slash + 1, "?");
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %.*s WITH (FORCE)",
		 (int)n, slash + 1);
	c = pg_connect(pg_base());
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(c);
}

static long last_changes;

long
tu_db_changes(void)
{
	return last_changes;
}

void
tu_db_exec_params(const char *url, const char *sql, int n,
		  const char *const *params)
{
	if (url_is_pg(url)) {
		PGconn *c = pg_connect(url);
		PGresult *res =
		    PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQresultErrorMessage(res));
		last_changes = strtol(PQcmdTuples(res), NULL, 10);
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *q = NULL;

		assert_int_equal(sqlite3_open(url, &db), SQLITE_OK);
		if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
			fail_msg("%s: %s", sql, sqlite3_errmsg(db));
		for (int i = 0; i < n; i++) {
			char name[16];
			snprintf(name, sizeof(name), "$%d", i + 1);
			sqlite3_bind_text(q,
					  sqlite3_bind_parameter_index(q, name),
					  params[i], -1, SQLITE_TRANSIENT);
		}
		if (sqlite3_step(q) == SQLITE_ERROR)
			fail_msg("%s: %s", sql, sqlite3_errmsg(db));
		sqlite3_finalize(q);
		last_changes = sqlite3_changes(db);
		sqlite3_close(db);
	}
}

void
tu_db_exec(const char *url, const char *sql)
{
	if (url_is_pg(url)) {
		/* The simple protocol: several statements in one string. */
		PGconn *c = pg_connect(url);
		PGresult *res = PQexec(c, sql);

		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQresultErrorMessage(res));
		last_changes = strtol(PQcmdTuples(res), NULL, 10);
		PQclear(res);
		PQfinish(c);
		return;
	}
	/* Several statements: SQLite's exec, not one prepared statement. */
	{
		sqlite3 *db = NULL;
		char *msg = NULL;

		assert_int_equal(sqlite3_open(url, &db), SQLITE_OK);
		if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
			fail_msg("%s: %s", sql, msg ? msg : "?");
		last_changes = sqlite3_changes(db);
		sqlite3_close(db);
	}
}

char *
tu_db_text(const char *url, const char *sql)
{
	char *v = NULL;

	if (url_is_pg(url)) {
		PGconn *c = pg_connect(url);
		PGresult *res = PQexec(c, sql);

		if (PQresultStatus(res) != PGRES_TUPLES_OK ||
		    PQntuples(res) < 1)
			fail_msg("%s: %s", sql, PQresultErrorMessage(res));
		if (!PQgetisnull(res, 0, 0))
			v = xstrdup(PQgetvalue(res, 0, 0));
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *q = NULL;

		assert_int_equal(sqlite3_open(url, &db), SQLITE_OK);
		if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
			fail_msg("%s: %s", sql, sqlite3_errmsg(db));
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		v = xstrdup((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		sqlite3_close(db);
	}
	return v;
}

int64_t
tu_db_int(const char *url, const char *sql)
{
	char *t = tu_db_text(url, sql);
	int64_t v = t ? strtoll(t, NULL, 10) : 0;

	free(t);
	return v;
}

static int
smtp_send(int fd, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0) {
		w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read more bytes into IN; 0 on data, -1 on EOF, error or timeout. */
static int
smtp_fill(struct tu_smtp *s, int fd, struct buf *in)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char chunk[4096];
	ssize_t r;

	if (poll(&p, 1, TU_SMTP_TIMEOUT_MS) <= 0) {
		s->error = 1;
		return -1;
	}
	r = recv(fd, chunk, sizeof(chunk), 0);
	if (r <= 0)
		return -1;
	buf_add(in, chunk, (size_t)r);
	return 0;
}

static void
smtp_consume(struct buf *in, size_t n)
{
	memmove(in->data, in->data + n, in->len - n);
	in->len -= n;
	in->data[in->len] = '\0';
}

static void *
smtp_run(void *arg)
{
	struct tu_smtp *s = arg;
	struct pollfd p = {.fd = s->lsock, .events = POLLIN};
	struct buf in;
	char *eol, *line = NULL;
	int fd = -1, in_data = 0;

	buf_init(&in, 0);
	if (poll(&p, 1, TU_SMTP_TIMEOUT_MS) <= 0) {
		s->error = 1;
		goto out;
	}
	fd = accept(s->lsock, NULL, NULL);
	if (fd < 0 || smtp_send(fd, "220 fake.test ESMTP\r\n")) {
		s->error = 1;
		goto out;
	}
	for (;;) {
		if (in_data) {
			/* The terminator "\r\n.\r\n": the data always starts
			 * with headers, so it is never at offset 0. */
			char *end = strstr(in.data, "\r\n.\r\n");

			if (!end) {
				if (smtp_fill(s, fd, &in))
					goto out;
				continue;
			}
			buf_add(&s->data, in.data, (size_t)(end - in.data) + 2);
			smtp_consume(&in, (size_t)(end - in.data) + 5);
			in_data = 0;
			s->got_data_end = 1;
			if (smtp_send(fd, "250 2.0.0 queued\r\n"))
				goto out;
			continue;
		}
		eol = strstr(in.data, "\r\n");
		if (!eol) {
			if (smtp_fill(s, fd, &in))
				goto out;
			continue;
		}
		line = xstrndup(in.data, (size_t)(eol - in.data));
		smtp_consume(&in, (size_t)(eol - in.data) + 2);
		if (!strncasecmp(line, "EHLO", 4) ||
		    !strncasecmp(line, "HELO", 4)) {
			smtp_send(fd, "250-fake.test\r\n250 8BITMIME\r\n");
		} else if (!strncasecmp(line, "MAIL FROM:", 10)) {
			buf_adds(&s->mail_from, line + 10);
			smtp_send(fd, "250 2.1.0 ok\r\n");
		} else if (!strncasecmp(line, "RCPT TO:", 8)) {
			buf_addf(&s->rcpts, "%s\n", line + 8);
			smtp_send(fd, "250 2.1.5 ok\r\n");
		} else if (!strcasecmp(line, "DATA")) {
			if (s->fail_data) {
				smtp_send(fd, "451 4.3.0 try again later\r\n");
			} else {
				smtp_send(fd, "354 go ahead\r\n");
				in_data = 1;
			}
		} else if (!strcasecmp(line, "QUIT")) {
			s->got_quit = 1;
			smtp_send(fd, "221 2.0.0 bye\r\n");
			goto out;
		} else if (!strcasecmp(line, "RSET") ||
			   !strcasecmp(line, "NOOP")) {
			smtp_send(fd, "250 ok\r\n");
		} else {
			smtp_send(fd, "502 5.5.2 unknown command\r\n");
		}
		free(line);
		line = NULL;
	}
out:
	free(line);
	if (fd >= 0)
		close(fd);
	buf_release(&in);
	return NULL;
}

void
tu_smtp_bind(struct tu_smtp *s, int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	memset(s, 0, sizeof(*s));
	buf_init(&s->mail_from, 0);
	buf_init(&s->rcpts, 0);
	buf_init(&s->data, 0);
	s->lsock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lsock >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	assert_int_equal(bind(s->lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s->lsock, (struct sockaddr *)&sa, &sl), 0);
	s->port = ntohs(sa.sin_port);
	if (port)
		*port = s->port;
}

void
tu_smtp_start(struct tu_smtp *s, int fail_data)
{
	assert_true(s->lsock >= 0);
	assert_false(s->started);
	s->fail_data = fail_data;
	assert_int_equal(listen(s->lsock, 4), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, smtp_run, s), 0);
	s->started = 1;
}

void
tu_smtp_stop(struct tu_smtp *s)
{
	if (s->started) {
		pthread_join(s->thread, NULL);
		s->started = 0;
	}
	if (s->lsock >= 0) {
		close(s->lsock);
		s->lsock = -1;
	}
}

void
tu_smtp_release(struct tu_smtp *s)
{
	tu_smtp_stop(s);
	buf_release(&s->mail_from);
	buf_release(&s->rcpts);
	buf_release(&s->data);
}
