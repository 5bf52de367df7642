/*
 * test_walstamp.c - the store's generation stamp and its lazy read
 * snapshot: a stamp read without a lock (the -shm header, walstamp.h)
 * changes with every commit from any connection and with nothing else;
 * inside an open snapshot the stamp is the snapshot's own; a snapshot
 * asked for but never used costs nothing and ends cleanly.  SQLite only:
 * on PostgreSQL the stamp is {0, 0} (checked too).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "engine/setup.h"
#include "store/store.h"
#include "store/walstamp.h"

struct fx {
	char *dir;
	char *url;
	struct store *a, *b; /* two connections, as two server threads */
};

static int
fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct sf_error err = {0};

	f->dir = tu_tempdir();
	f->url = tu_db_url(f->dir);
	if (store_open(f->url, &f->a, &err) ||
	    setup_database(f->a, NULL, &err) ||
	    store_open(f->url, &f->b, &err))
		fail_msg("%s", err.message);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->a);
	store_close(f->b);
	tu_db_drop(f->url);
	tu_rmtree(f->dir);
	free(f->url);
	free(f->dir);
	free(f);
	return 0;
}

static void
gen(struct store *st, uint64_t out[2])
{
	struct sf_error err = {0};

	if (st->ops->generation(st, out, &err))
		fail_msg("%s", err.message);
}

static void
put(struct store *st, const char *key, const char *value)
{
	struct sf_error err = {0};

	if (st->ops->begin(st, &err) ||
	    st->ops->setting_put(st, key, value, &err) ||
	    st->ops->commit(st, &err))
		fail_msg("%s", err.message);
}

static char *
get(struct store *st, const char *key)
{
	struct sf_error err = {0};
	char *v = NULL;

	if (st->ops->setting_get(st, key, &v, &err))
		fail_msg("%s", err.message);
	return v;
}

static int
same(const uint64_t x[2], const uint64_t y[2])
{
	return x[0] == y[0] && x[1] == y[1];
}

static void
test_stamp_follows_commits(void **state)
{
	struct fx *f = *state;
	struct sf_error err = {0};
	uint64_t g1[2], g2[2], g3[2];
	char *v;

	if (tu_db_is_pg()) {
		gen(f->a, g1);
		assert_true(g1[0] == 0 && g1[1] == 0);
		return;
	}
	put(f->a, "t", "1");
	gen(f->a, g1); /* the first one asks SQLite, then maps the header */
	gen(f->a, g1);
	assert_true(g1[1] >> 63); /* from the -shm header */
	gen(f->a, g2);
	assert_true(same(g1, g2));

	/* reads, on either connection, change nothing */
	free(get(f->b, "t"));
	assert_int_equal(f->b->ops->begin_read(f->b, &err), SF_OK);
	free(get(f->b, "t"));
	f->b->ops->rollback(f->b);
	gen(f->a, g2);
	assert_true(same(g1, g2));

	/* a commit on the other connection changes it, on both */
	put(f->b, "t", "2");
	gen(f->a, g2);
	assert_false(same(g1, g2));
	gen(f->b, g3);
	gen(f->b, g3);
	assert_true(same(g2, g3));
	/* and so does one of its own */
	put(f->a, "t", "3");
	gen(f->a, g3);
	assert_false(same(g2, g3));

	/* inside a snapshot, the snapshot's stamp: a later commit elsewhere
	 * leaves it alone (the answer read in it is still the old one) */
	assert_int_equal(f->a->ops->begin_read(f->a, &err), SF_OK);
	v = get(f->a, "t");
	assert_string_equal(v, "3");
	free(v);
	gen(f->a, g1);
	assert_false(g1[1] >> 63);
	put(f->b, "t", "4");
	gen(f->a, g2);
	assert_true(same(g1, g2));
	v = get(f->a, "t");
	assert_string_equal(v, "3");
	free(v);
	f->a->ops->rollback(f->a);
	gen(f->a, g2);
	assert_false(same(g2, g3));
}

static void
test_lazy_snapshot(void **state)
{
	struct fx *f = *state;
	struct sf_error err = {0};
	char *v;

	put(f->a, "t", "1");
	/* asked for, never used: both endings are clean, a write follows */
	assert_int_equal(f->a->ops->begin_read(f->a, &err), SF_OK);
	f->a->ops->rollback(f->a);
	assert_int_equal(f->a->ops->begin_read(f->a, &err), SF_OK);
	assert_int_equal(f->a->ops->commit(f->a, &err), SF_OK);
	put(f->a, "t", "2");
	/* two snapshots at once are refused */
	assert_int_equal(f->a->ops->begin_read(f->a, &err), SF_OK);
	if (!tu_db_is_pg())
		assert_int_equal(f->a->ops->begin_read(f->a, &err),
				 SF_INTERNAL);
	f->a->ops->rollback(f->a);
	/* the snapshot is taken at the first read and holds after it */
	assert_int_equal(f->a->ops->begin_read(f->a, &err), SF_OK);
	put(f->b, "t", "3");
	v = get(f->a, "t");
	assert_string_equal(v, "3");
	free(v);
	put(f->b, "t", "4");
	v = get(f->a, "t");
	assert_string_equal(v, "3");
	free(v);
	f->a->ops->rollback(f->a);
	v = get(f->a, "t");
	assert_string_equal(v, "4");
	free(v);
}

static void
test_walstamp_unmapped(void **state)
{
	struct walstamp w;
	uint64_t out[2];
	char *dir = tu_tempdir();
	char *db = xasprintf("%s/none.db", dir);
	char *shm = xasprintf("%s/short.db-shm", dir);
	char *shortdb = xasprintf("%s/short.db", dir);

	(void)state;
	walstamp_init(&w);
	assert_int_equal(walstamp_read(&w, out), -1);
	walstamp_attach(&w, db); /* no -shm file */
	assert_int_equal(walstamp_read(&w, out), -1);
	assert_int_equal(tu_write_file(shm, "short"), 0);
	walstamp_attach(&w, shortdb); /* too short to hold the header */
	assert_int_equal(walstamp_read(&w, out), -1);
	walstamp_release(&w);
	tu_rmtree(dir);
	free(db);
	free(shm);
	free(shortdb);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stamp_follows_commits,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_lazy_snapshot, fx_setup,
					    fx_teardown),
	    cmocka_unit_test(test_walstamp_unmapped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
