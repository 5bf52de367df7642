/*
 * test_outbox.c - queueing and delivering outbound messages: spool files,
 * SMTP failure with back-off (the message stays queued), then delivery
 * once a server answers, the fake SMTP server of testutil.c.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "engine/outbox.h"
#include "engine/setup.h"
#include "store/store.h"

/* Every wait in this file is bounded: the fake server's own timeouts
 * (testutil.c), curl's own timeouts, and this alarm for the whole run. */
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

static void
test_smtp_retry(void **state)
{
	struct fx *f = *state;
	struct outbox_config cfg = {0};
	struct outbox_row m;
	struct tu_smtp srv;
	struct sf_error err;
	sf_time t0 = clock_now(), next;
	char *url, when[32];
	int port, sent = -1, failed = -1;
	int64_t id = queue_one(f->st, "Retried message");

	/* Bound but not listening yet: the port refuses, and stays ours. */
	tu_smtp_bind(&srv, &port);
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
	tu_smtp_start(&srv, 0);
	clock_format(next + 1, when);
	set_now(when);
	assert_int_equal(
	    outbox_deliver(f->st, &cfg, clock_now(), &sent, &failed, &err),
	    SF_OK);
	tu_smtp_stop(&srv);
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

	tu_smtp_release(&srv);
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
