/*
 * test_outbox.c - queueing and delivering outbound messages: spool files,
 * SMTP failure with back-off (the message stays queued), then delivery
 * once a server answers.  The fake SMTP server is the one of test_mail.c.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/outbox.h"
#include "engine/setup.h"
#include "store/store.h"

/* Every wait in this file is bounded: poll timeouts in the fake server,
 * curl's own timeouts, and this alarm for the whole run. */
#define IO_TIMEOUT_MS 10000
#define RUN_TIMEOUT_S 120

#define T0_TEXT "2026-05-21T10:00:00Z"

struct fx {
	char *dir;
	char *db; /* tu_db_url */
	struct store *st;
};

static int
fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct sf_error err;

	setenv("SECFLOW_NOW", T0_TEXT, 1);
	f->dir = tu_tempdir();
	f->db = tu_db_url(f->dir);
	sf_error_clear(&err);
	assert_int_equal(store_open(f->db, &f->st, &err), SF_OK);
	assert_int_equal(setup_database(f->st, NULL, &err), SF_OK);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	tu_db_drop(f->db);
	free(f->db);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void
set_now(const char *rfc3339)
{
	setenv("SECFLOW_NOW", rfc3339, 1);
}

/* The one message of the outbox (asserted to be alone) into M. */
static void
only_message(struct store *st, struct outbox_row *m)
{
	struct outbox_list l;
	struct sf_error err;

	assert_int_equal(st->ops->outbox_list(st, NULL, &l, &err), SF_OK);
	assert_int_equal(l.n, 1);
	*m = l.v[0];
	memset(&l.v[0], 0, sizeof(l.v[0]));
	outbox_list_release(&l);
}

static int64_t
queue_one(struct store *st, const char *subject)
{
	struct sf_error err;
	json_t *to = json_pack("[s]", "ann@example.org");
	json_t *cc = json_pack("[s]", "ben@example.org");
	int64_t id = 0;

	sf_error_clear(&err);
	assert_int_equal(outbox_queue(st, to, cc, NULL, subject, "The body.\n",
				      NULL, "email", "samples/1", clock_now(),
				      &id, &err),
			 SF_OK);
	json_decref(to);
	json_decref(cc);
	assert_true(id > 0);
	return id;
}

static void
test_spool(void **state)
{
	struct fx *f = *state;
	struct outbox_config cfg = {0};
	struct outbox_row m;
	struct sf_error err;
	char *spool = xasprintf("%s/spool", f->dir);
	char *file, *data;
	int sent = -1, failed = -1;
	int64_t id = queue_one(f->st, "Spooled message");

	only_message(f->st, &m);
	assert_string_equal(m.state, "queued");
	assert_int_equal(m.attempts, 0);
	assert_string_equal(m.object, "samples/1");
	outbox_row_release(&m);

	cfg.spool_dir = spool;
	cfg.mail_from = "secflow@example.org";
	cfg.node = "test";
	sf_error_clear(&err);
	assert_int_equal(
	    outbox_deliver(f->st, &cfg, clock_now(), &sent, &failed, &err),
	    SF_OK);
	assert_int_equal(sent, 1);
	assert_int_equal(failed, 0);

	/* The first message of a fresh database: 00000001.eml. */
	assert_int_equal(id, 1);
	file = xasprintf("%s/00000001.eml", spool);
	data = tu_read_file(file, NULL);
	assert_non_null(data);
	assert_non_null(strstr(data, "Subject: Spooled message\r\n"));
	assert_non_null(strstr(data, "ann@example.org"));
	assert_non_null(strstr(data, "The body."));
	free(data);

	only_message(f->st, &m);
	assert_string_equal(m.state, "sent");
	assert_int_equal(m.attempts, 1);
	assert_int_equal(m.sent_at, clock_now());
	assert_null(m.last_error);
	outbox_row_release(&m);

	/* Sent is sent: nothing more to do, later either. */
	set_now("2026-05-22T10:00:00Z");
	assert_int_equal(
	    outbox_deliver(f->st, &cfg, clock_now(), &sent, &failed, &err),
	    SF_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 0);

	free(file);
	free(spool);
}

/*
 * A fake SMTP server: one connection on 127.0.0.1, just enough SMTP for
 * libcurl.  Every read is bounded by IO_TIMEOUT_MS.
 */
struct fake_smtp {
	int lsock;
	pthread_t thread;
	struct buf rcpts; /* one "<addr>\n" per RCPT */
	struct buf data;  /* DATA payload, without ".\r\n" */
	int got_data_end;
	int error;
};

static int
fake_send(int fd, const char *s)
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

static int
fake_fill(struct fake_smtp *f, int fd, struct buf *in)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char chunk[4096];
	ssize_t r;

	if (poll(&p, 1, IO_TIMEOUT_MS) <= 0) {
		f->error = 1;
		return -1;
	}
	r = recv(fd, chunk, sizeof(chunk), 0);
	if (r <= 0)
		return -1;
	buf_add(in, chunk, (size_t)r);
	return 0;
}

static void
fake_consume(struct buf *in, size_t n)
{
	memmove(in->data, in->data + n, in->len - n);
	in->len -= n;
	in->data[in->len] = '\0';
}

static void *
fake_run(void *arg)
{
	struct fake_smtp *f = arg;
	struct pollfd p = {.fd = f->lsock, .events = POLLIN};
	struct buf in;
	char *eol, *line = NULL;
	int fd = -1, in_data = 0;

	buf_init(&in, 0);
	if (poll(&p, 1, IO_TIMEOUT_MS) <= 0) {
		f->error = 1;
		goto out;
	}
	fd = accept(f->lsock, NULL, NULL);
	if (fd < 0 || fake_send(fd, "220 fake.test ESMTP\r\n")) {
		f->error = 1;
		goto out;
	}
	for (;;) {
		if (in_data) {
			char *end = strstr(in.data, "\r\n.\r\n");

			if (!end) {
				if (fake_fill(f, fd, &in))
					goto out;
				continue;
			}
			buf_add(&f->data, in.data, (size_t)(end - in.data) + 2);
			fake_consume(&in, (size_t)(end - in.data) + 5);
			in_data = 0;
			f->got_data_end = 1;
			if (fake_send(fd, "250 2.0.0 queued\r\n"))
				goto out;
			continue;
		}
		eol = strstr(in.data, "\r\n");
		if (!eol) {
			if (fake_fill(f, fd, &in))
				goto out;
			continue;
		}
		line = xstrndup(in.data, (size_t)(eol - in.data));
		fake_consume(&in, (size_t)(eol - in.data) + 2);
		if (!strncasecmp(line, "EHLO", 4) ||
		    !strncasecmp(line, "HELO", 4)) {
			fake_send(fd, "250-fake.test\r\n250 8BITMIME\r\n");
		} else if (!strncasecmp(line, "MAIL FROM:", 10)) {
			fake_send(fd, "250 2.1.0 ok\r\n");
		} else if (!strncasecmp(line, "RCPT TO:", 8)) {
			buf_addf(&f->rcpts, "%s\n", line + 8);
			fake_send(fd, "250 2.1.5 ok\r\n");
		} else if (!strcasecmp(line, "DATA")) {
			fake_send(fd, "354 go ahead\r\n");
			in_data = 1;
		} else if (!strcasecmp(line, "QUIT")) {
			fake_send(fd, "221 2.0.0 bye\r\n");
			goto out;
		} else if (!strcasecmp(line, "RSET") ||
			   !strcasecmp(line, "NOOP")) {
			fake_send(fd, "250 ok\r\n");
		} else {
			fake_send(fd, "502 5.5.2 unknown command\r\n");
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

/* Bind 127.0.0.1 on a free port without listening: a connection to the
 * port is refused, and the port stays ours for the server started later
 * on the same socket. */
static int
loopback_socket(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return s;
}

static void
test_smtp_retry(void **state)
{
	struct fx *f = *state;
	struct outbox_config cfg = {0};
	struct outbox_row m;
	struct fake_smtp srv;
	struct sf_error err;
	sf_time t0 = clock_now(), next;
	char *url, when[32];
	int port, sock, sent = -1, failed = -1;
	int64_t id = queue_one(f->st, "Retried message");

	sock = loopback_socket(&port);
	url = xasprintf("smtp://127.0.0.1:%d", port);
	cfg.smtp_url = url;
	cfg.mail_from = "secflow@example.org";
	cfg.node = "test";

	/* Nobody listens: the message stays queued for later. */
	sf_error_clear(&err);
	assert_int_equal(
	    outbox_deliver(f->st, &cfg, clock_now(), &sent, &failed, &err),
	    SF_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 1);
	only_message(f->st, &m);
	assert_int_equal(m.id, id);
	assert_string_equal(m.state, "queued");
	assert_int_equal(m.attempts, 1);
	assert_non_null(m.last_error);
	assert_non_null(strstr(m.last_error, "smtp delivery"));
	assert_true(m.next_attempt > t0);
	assert_int_equal(m.sent_at, 0);
	next = m.next_attempt;
	outbox_row_release(&m);

	/* Before next_attempt: not even tried. */
	clock_format(next - 1, when);
	set_now(when);
	assert_int_equal(
	    outbox_deliver(f->st, &cfg, clock_now(), &sent, &failed, &err),
	    SF_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 0);
	only_message(f->st, &m);
	assert_int_equal(m.attempts, 1);
	assert_string_equal(m.state, "queued");
	outbox_row_release(&m);

	/* The server comes up on that port; time passes the back-off. */
	memset(&srv, 0, sizeof(srv));
	buf_init(&srv.rcpts, 0);
	buf_init(&srv.data, 0);
	srv.lsock = sock;
	assert_int_equal(listen(sock, 4), 0);
	assert_int_equal(pthread_create(&srv.thread, NULL, fake_run, &srv), 0);
	clock_format(next + 1, when);
	set_now(when);
	assert_int_equal(
	    outbox_deliver(f->st, &cfg, clock_now(), &sent, &failed, &err),
	    SF_OK);
	pthread_join(srv.thread, NULL);
	close(sock);
	assert_false(srv.error);
	assert_int_equal(sent, 1);
	assert_int_equal(failed, 0);
	assert_true(srv.got_data_end);
	assert_string_equal(srv.rcpts.data, "<ann@example.org>\n"
					    "<ben@example.org>\n");
	assert_non_null(strstr(srv.data.data, "Subject: Retried message\r\n"));
	assert_non_null(strstr(srv.data.data, "The body."));

	only_message(f->st, &m);
	assert_int_equal(m.id, id);
	assert_string_equal(m.state, "sent");
	assert_int_equal(m.attempts, 2);
	assert_int_equal(m.sent_at, clock_now());
	outbox_row_release(&m);

	buf_release(&srv.rcpts);
	buf_release(&srv.data);
	free(url);
}

static void
test_no_recipient(void **state)
{
	struct fx *f = *state;
	struct outbox_list l;
	struct sf_error err;
	json_t *empty = json_array();
	int64_t id = 0;

	sf_error_clear(&err);
	assert_int_equal(outbox_queue(f->st, NULL, NULL, NULL, "s", "b", NULL,
				      "email", "samples/1", clock_now(), &id,
				      &err),
			 SF_INVALID);
	assert_string_equal(err.field, "to");
	sf_error_clear(&err);
	assert_int_equal(outbox_queue(f->st, empty, empty, empty, "s", "b",
				      NULL, "email", "samples/1", clock_now(),
				      &id, &err),
			 SF_INVALID);
	assert_string_equal(err.field, "to");
	assert_int_equal(id, 0);
	json_decref(empty);

	assert_int_equal(f->st->ops->outbox_list(f->st, NULL, &l, &err), SF_OK);
	assert_int_equal(l.n, 0);
	outbox_list_release(&l);

	/* Bcc only is enough. */
	empty = json_pack("[s]", "audit@example.org");
	assert_int_equal(outbox_queue(f->st, NULL, NULL, empty, "s", "b", NULL,
				      NULL, NULL, clock_now(), &id, &err),
			 SF_OK);
	json_decref(empty);
	assert_int_equal(f->st->ops->outbox_list(f->st, "queued", &l, &err),
			 SF_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].format, "email");
	outbox_list_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_spool, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_smtp_retry, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_no_recipient, fx_setup,
					    fx_teardown),
	};

	/* A hung socket must fail the run, never block it. */
	alarm(RUN_TIMEOUT_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
