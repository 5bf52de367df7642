/*
 * test_audit.c - the hash-chained audit trail: a clean chain verifies,
 * and each way of tampering with the table directly (an altered field, a
 * deleted record, a changed hash, a forged record with a recomputed hash)
 * is reported at the right record.  Listing by object.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/actor.h"
#include "auth/password.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "engine/audit.h"
#include "engine/setup.h"
#include "modules/people.h"
#include "store/store.h"

/* setup_database's calendar import, then the five people operations of
 * fx_setup. */
#define N_RECORDS 6

struct fx {
	char *dir;
	char *path; /* the database: tu_db_url */
	struct store *st;
};

static int
fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct sf_error err;
	struct actor op;

	setenv("SECFLOW_NOW", "2026-05-21T10:00:00Z", 1);
	f->dir = tu_tempdir();
	f->path = tu_db_url(f->dir);
	sf_error_clear(&err);
	assert_int_equal(store_open(f->path, &f->st, &err), SF_OK);
	assert_int_equal(setup_database(f->st, NULL, &err), SF_OK);
	actor_operator(&op, "test");
	assert_int_equal(
	    people_add(f->st, &op, "ann", "ann@example.org", NULL, &err),
	    SF_OK);
	assert_int_equal(
	    people_add(f->st, &op, "ben", "ben@example.org", NULL, &err),
	    SF_OK);
	assert_int_equal(people_grant(f->st, &op, "ann", "ds", NULL, &err),
			 SF_OK);
	assert_int_equal(people_grant(f->st, &op, "ben", "snet", NULL, &err),
			 SF_OK);
	assert_int_equal(people_revoke(f->st, &op, "ben", "snet", NULL, &err),
			 SF_OK);
	actor_release(&op);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	tu_db_drop(f->path);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* Tamper with the table behind the store's back: one record. */
static void
raw_exec(const char *path, const char *sql)
{
	tu_db_exec(path, sql);
	assert_int_equal(tu_db_changes(), 1);
}

static void
test_verify_ok(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int64_t bad = -1, count = 0;
	json_t *all, *r;

	sf_error_clear(&err);
	assert_int_equal(audit_verify(f->st, &bad, &count, &err), SF_OK);
	assert_int_equal(bad, 0);
	assert_int_equal(count, N_RECORDS);

	assert_int_equal(audit_list(f->st, NULL, &all, &err), SF_OK);
	assert_int_equal(json_array_size(all), N_RECORDS);
	r = json_array_get(all, 0);
	assert_string_equal(json_string_value(json_object_get(r, "object")),
			    "calendar");
	assert_string_equal(json_string_value(json_object_get(r, "action")),
			    "import");
	r = json_array_get(all, 1);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	assert_string_equal(json_string_value(json_object_get(r, "user")),
			    "cli:test");
	assert_string_equal(json_string_value(json_object_get(r, "role")),
			    "operator");
	assert_string_equal(json_string_value(json_object_get(r, "action")),
			    "user:add");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(r, "after"), "email")),
			    "ann@example.org");
	assert_string_equal(json_string_value(json_object_get(r, "at")),
			    "2026-05-21T10:00:00Z");
	json_decref(all);

	/* Appending keeps the chain whole. */
	{
		struct actor op;
		actor_operator(&op, "test");
		assert_int_equal(
		    people_add(f->st, &op, "cid", NULL, NULL, &err), SF_OK);
		actor_release(&op);
	}
	assert_int_equal(audit_verify(f->st, &bad, &count, &err), SF_OK);
	assert_int_equal(count, N_RECORDS + 1);
}

static void
test_altered_field(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int64_t bad = 0, count = 0;

	raw_exec(f->path, "UPDATE audit SET after = "
			  "'{\"email\":\"evil@example.org\",\"name\":\"ann\","
			  "\"password\":false}' WHERE id = 2");
	sf_error_clear(&err);
	assert_int_equal(audit_verify(f->st, &bad, &count, &err), SF_INVALID);
	assert_int_equal(bad, 2);
	assert_string_equal(err.field, "audit");
	assert_non_null(strstr(err.message, "record 2"));
	assert_non_null(strstr(err.message, "altered"));
}

static void
test_altered_user(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int64_t bad = 0;

	raw_exec(f->path, "UPDATE audit SET user_name = 'someone' WHERE id = "
			  "4");
	sf_error_clear(&err);
	assert_int_equal(audit_verify(f->st, &bad, NULL, &err), SF_INVALID);
	assert_int_equal(bad, 4);
	assert_non_null(strstr(err.message, "altered"));
}

static void
test_deleted_record(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int64_t bad = 0;

	raw_exec(f->path, "DELETE FROM audit WHERE id = 3");
	sf_error_clear(&err);
	assert_int_equal(audit_verify(f->st, &bad, NULL, &err), SF_INVALID);
	assert_int_equal(bad, 4);
	assert_non_null(strstr(err.message, "record 4"));
	assert_non_null(strstr(err.message, "missing"));
}

/* A changed hash no longer matches its own record's content: that record
 * is the first broken one. */
static void
test_changed_hash(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	int64_t bad = 0;

	raw_exec(f->path, "UPDATE audit SET hash = "
			  "'0000000000000000000000000000000000000000000000000"
			  "000000000000000' WHERE id = 3");
	sf_error_clear(&err);
	assert_int_equal(audit_verify(f->st, &bad, NULL, &err), SF_INVALID);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(err.message, "altered"));
}

static void
field(struct buf *b, const char *s)
{
	buf_addf(b, "%zu:", strlen(s));
	buf_adds(b, s);
}

/*
 * A forger who knows the algorithm rewrites record 4 (ann's grant) and
 * gives it a hash that matches its new content: record 4 checks out on
 * its own, and the
 * next record, which still holds the old hash, is where the chain breaks.
 */
static void
test_forged_record(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	/* The order and "<length>:<bytes>" form of audit.c's hash. */
	static const char *const cols[] = {
	    "prev_hash",  "id",	    "ts",     "user_name",	     "role",
	    "acting_for", "object", "action", "coalesce(before, '')"};
	struct buf b;
	char h[65];
	int64_t bad = 0;
	const char *after = "{\"role\":\"admin\",\"scope\":\"\"}";
	const char *params[2];

	buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		char *sql =
		    xasprintf("SELECT %s FROM audit WHERE id = 4", cols[i]);
		char *v = tu_db_text(f->path, sql);

		assert_non_null(v);
		field(&b, v);
		free(v);
		free(sql);
	}
	field(&b, after);
	sha256_hex(b.data, b.len, h);
	buf_release(&b);

	params[0] = after;
	params[1] = h;
	tu_db_exec_params(f->path,
			  "UPDATE audit SET after = $1, hash = $2 WHERE id = 4",
			  2, params);
	assert_int_equal(tu_db_changes(), 1);

	sf_error_clear(&err);
	assert_int_equal(audit_verify(f->st, &bad, NULL, &err), SF_INVALID);
	assert_int_equal(bad, 5);
	assert_non_null(strstr(err.message, "record 5"));
	assert_non_null(strstr(err.message, "previous record's hash"));
}

static void
test_list_object(void **state)
{
	struct fx *f = *state;
	struct sf_error err;
	json_t *l, *r;
	size_t i;
	json_int_t last = 0;
	static const char *ben[] = {"user:add", "user:grant", "user:revoke"};

	assert_int_equal(audit_list(f->st, "users/ben", &l, &err), SF_OK);
	assert_int_equal(json_array_size(l), 3);
	json_array_foreach(l, i, r)
	{
		json_int_t id = json_integer_value(json_object_get(r, "id"));

		assert_true(id > last);
		last = id;
		assert_string_equal(
		    json_string_value(json_object_get(r, "object")),
		    "users/ben");
		assert_string_equal(
		    json_string_value(json_object_get(r, "action")), ben[i]);
	}
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_array_get(l, 1), "after"), "role")),
	    "snet");
	json_decref(l);

	assert_int_equal(audit_list(f->st, "users/ann", &l, &err), SF_OK);
	assert_int_equal(json_array_size(l), 2);
	json_decref(l);

	assert_int_equal(audit_list(f->st, "users/nobody", &l, &err), SF_OK);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_verify_ok, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_altered_field, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_altered_user, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_deleted_record, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_changed_hash, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_forged_record, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_list_object, fx_setup,
					    fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
