/*
 * test_reviews.c - the reviews module's pure parts: name normal forms,
 * Jaro-Winkler against known values, the thresholds on typical typos,
 * the duplicate classification (exact, clear, unclear, blocks), and an
 * NA workbook read back with tabular_read (B2 holds the date).
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "modules/reviews/rev_internal.h"
#include "modules/reviews/rev_similar.h"
#include "modules/userlists/tabular.h"

static void
test_normalise(void **state)
{
	char out[64];

	(void)state;
	rev_name_normalise("Dupont, Jean", out, sizeof(out));
	assert_string_equal(out, "dupont jean");
	rev_name_normalise("JEAN  DUPONT", out, sizeof(out));
	assert_string_equal(out, "dupont jean");
	rev_name_normalise("Dup\xc3\xb6nt Jean", out, sizeof(out));
	assert_string_equal(out, "dupont jean");
	rev_name_normalise("Stra\xc3\x9f" "e, \xc5\x81ukasz", out, sizeof(out));
	assert_string_equal(out, "lukasz strasse");
	rev_name_normalise("", out, sizeof(out));
	assert_string_equal(out, "");
	rev_name_normalise("a very long name indeed", out, 8);
	assert_int_equal(strlen(out), 7);
}

static void
test_jaro_winkler(void **state)
{
	(void)state;
	/* The textbook values. */
	assert_true(fabs(rev_jaro_winkler("martha", "marhta") - 0.9611) < 1e-3);
	assert_true(fabs(rev_jaro_winkler("dwayne", "duane") - 0.84) < 1e-3);
	assert_true(fabs(rev_jaro_winkler("dixon", "dicksonx") - 0.8133) < 1e-3);
	assert_true(rev_jaro_winkler("abc", "abc") == 1.0);
	assert_true(rev_jaro_winkler("abc", "xyz") == 0.0);
	assert_true(rev_jaro_winkler("", "") == 1.0);
	assert_true(rev_jaro_winkler("a", "") == 0.0);
}

static void
test_thresholds(void **state)
{
	(void)state;
	assert_true(rev_name_similarity("Dupont, Jean", "Dupont, Jaen") >=
		    REV_SIM_SAME);
	assert_true(rev_name_similarity("M\xc3\xbcller, Anna",
					"Mueller, Anna") >= REV_SIM_SAME);
	assert_true(rev_name_similarity("Jean Dupont", "DUPONT, Jean") == 1.0);
	assert_true(rev_name_similarity("Dupont, Jean", "Martin, Paul") <
		    REV_SIM_MAYBE);
	assert_true(rev_name_similarity("Rossi, Paolo", "Nowak, Piotr") <
		    REV_SIM_MAYBE);
}

static void
test_duplicates(void **state)
{
	struct rev_person p[] = {
		/* 0,1: the same account twice: exact */
		{"u1", "Martin, Anna", "BE", "a@x.be", 14},
		{"U1", "MARTIN Anna", "BE", "A@x.be", 14},
		/* 2,3: a typo, 2 is complete: clear, keep 2 */
		{"u2", "Dupont, Jean", "BE", "j@x.be", 15},
		{"u3", "Dupont, Jaen", "BE", "", 1},
		/* 4,5: a typo, equally complete: unclear */
		{"u4", "Rossi, Paolo", "IT", "p@x.it", 12},
		{"u5", "Rossi, Paola", "IT", "q@x.it", 12},
		/* 6: same name in another NA: not a duplicate of 2 */
		{"u6", "Dupont, Jean", "FR", "j@x.fr", 15},
		/* 7,8: same UID, names far apart: unclear */
		{"u7", "Weber, Hans", "DE", "h@x.de", 12},
		{"u7", "Klein, Petra", "DE", "k@x.de", 11},
		/* 9: alone */
		{"u9", "Nowak, Piotr", "PL", "", 0},
	};
	struct rev_dup *d = NULL;
	size_t n = 0;

	(void)state;
	rev_duplicates(p, sizeof(p) / sizeof(p[0]), &d, &n);
	assert_int_equal(n, 4);
	assert_int_equal(d[0].kind, REV_DUP_EXACT);
	assert_int_equal(d[0].n, 2);
	assert_int_equal(d[0].members[0], 0);
	assert_int_equal(d[0].keep, 0);
	assert_true(d[0].same_uid);
	assert_int_equal(d[1].kind, REV_DUP_CLEAR);
	assert_int_equal(d[1].keep, 2);
	assert_int_equal(d[1].members[1], 3);
	assert_false(d[1].same_uid);
	assert_int_equal(d[2].kind, REV_DUP_UNCLEAR);
	assert_int_equal(d[2].members[0], 4);
	assert_int_equal(d[3].kind, REV_DUP_UNCLEAR);
	assert_int_equal(d[3].members[0], 7);
	assert_true(d[3].same_uid);
	assert_true(d[3].similarity < REV_SIM_MAYBE);
	assert_string_equal(rev_dup_kind_name(d[1].kind), "clear");
	rev_dups_free(d, n);
	rev_duplicates(p, 0, &d, &n);
	assert_int_equal(n, 0);
	rev_dups_free(d, n);
}

static void
test_na_workbook(void **state)
{
	json_t *users = json_loads(
		"[{\"full_name\":\"Dupont, Jean\",\"uid\":\"u1\","
		"\"organisation\":\"BE customs\",\"na\":\"BE\","
		"\"csrd_domain\":[\"NCTS\",\"ECS\"],\"csrd_tst\":\"Read\","
		"\"csrd_prod\":\"Write\",\"csmis_domain\":[\"ECS\",\"NCTS\"],"
		"\"csmis_profile\":\"ND User\",\"email\":\"j@x.be\"}]",
		0, NULL);
	struct tabular t = {0};
	struct sf_error err = {0};
	char *data = NULL, *name;
	size_t len = 0;
	sf_time now;

	(void)state;
	clock_parse("2026-12-01T09:00:00Z", &now);
	assert_int_equal(rev_na_workbook("2026Q4", "BE", users, now, &data,
					 &len, &err),
			 SF_OK);
	assert_int_equal(tabular_read("book.xlsx", data, len, &t, &err), SF_OK);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.sheets[0].name, "UAM BE");
	assert_string_equal(trow_cell(&t.sheets[0].rows[1], 0), "Date");
	assert_string_equal(trow_cell(&t.sheets[0].rows[1], 1), "2026-12-01");
	assert_string_equal(trow_cell(&t.sheets[0].rows[3], 6), "CS/RD PROD");
	assert_string_equal(trow_cell(&t.sheets[0].rows[4], 1), "u1");
	assert_string_equal(trow_cell(&t.sheets[0].rows[4], 4), "NCTS, ECS");
	assert_string_equal(trow_cell(&t.sheets[0].rows[4], 7), "EN");
	assert_string_equal(trow_cell(&t.sheets[0].rows[4], 10), "FALSE");
	tabular_release(&t);
	free(data);
	name = rev_na_workbook_name("2026Q4", "BE");
	assert_string_equal(name, "TAXUD-ITSM-Portal-UAM-2026Q4-BE.xlsx");
	free(name);
	json_decref(users);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_jaro_winkler),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_na_workbook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
