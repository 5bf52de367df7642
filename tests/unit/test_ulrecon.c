/*
 * test_ulrecon.c - `userlist reconcile`'s counting (ulrecon.h) on small
 * hand-made lists whose counts are worked out by hand, its refusal of bad
 * rows with the importer's words, --skip-bad-rows, and a workbook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/userlists/ulrecon.h"
#include "testutil.h"

#define HDR                                                              \
	"Full name;New UID;Organisation;NA;CS/RD Domain;CS/RD TST;CS/RD " \
	"PROD;CS/MIS Domain;CS/MIS;E-mail;Deleted\n"

/* AT: u1 twice (an exact duplicate), u2, u3 disabled, " u4 " (trimmed);
 * BE: u1 (the same UID in another NA counts there too), u5; no NA: u6.
 * Authorised: u1, u4, x9. */
static const char wp[] =
	HDR "\"Dupont, Jean\";u1;AT customs;AT;NCTS;Read;;E;;j@at.example;"
	    "FALSE\n"
	    "\"Dupont, Jean\";u1;AT customs;AT;NCTS;Read;;E;;j@at.example;"
	    "false\n"
	    "\"Martin, Paul\";u2;AT customs;AT;;;;;;p@at.example;N\n"
	    "\"Rossi, Ana\";u3;AT customs;AT;;;;;;a@at.example;TRUE\n"
	    "\n"
	    "\"Nowak, Ewa\"; u4 ;AT customs; AT ;;;;;;e@at.example;0\n"
	    "\"Silva, Ines\";u1;BE customs;BE;;;;;;i@be.example;FALSE\n"
	    "\"Jensen, Sven\";u5;BE customs;BE;;Write;Full;B;Oper;s@be.example;"
	    "FALSE\n"
	    "\"Horvath, Kostas\";u6;DG TAXUD;;;;;;;k@ec.example;FALSE\n";
static const char auth[] = "Team,UID,Full name\nXXX.ops,u1,\n"
			   "XXX.dev,u4,\"Nowak, Ewa\"\nlot.2,x9,\n";

static void
check_na(const struct ulrecon *r, size_t i, const char *na, size_t users,
	 size_t distinct, size_t notauth)
{
	assert_string_equal(r->nas[i].na, na);
	assert_int_equal(r->nas[i].users, users);
	assert_int_equal(r->nas[i].distinct, distinct);
	assert_int_equal(r->nas[i].not_authorised, notauth);
}

static void
test_counts(void **state)
{
	struct ulrecon r;
	struct sf_error err = {0};

	(void)state;
	for (int one = 0; one < 2; one++) {
		struct ulrecon_opts o = {.one_thread = one};

		assert_int_equal(ulrecon_run("wp.csv", wp, strlen(wp),
					     "auth.csv", auth, strlen(auth),
					     &o, &r, &err),
				 SF_OK);
		assert_int_equal(r.nnas, 3);
		check_na(&r, 0, "", 1, 1, 1);
		check_na(&r, 1, "AT", 4, 3, 1);	/* u2 */
		check_na(&r, 2, "BE", 2, 2, 1); /* u5 */
		assert_int_equal(r.rows, 8);
		assert_int_equal(r.disabled, 1);
		assert_int_equal(r.users, 7);
		assert_int_equal(r.distinct, 6);
		assert_int_equal(r.not_authorised, 3);
		assert_int_equal(r.auth_rows, 3);
		assert_int_equal(r.auth_uids, 3);
		assert_int_equal(r.bad_rows, 0);
		ulrecon_release(&r);
	}
}

static const char bad[] =
	HDR "\"Dupont, Jean\";u1;AT customs;AT;;Wirte;;;;j@at.example;FALSE\n"
	    "\"Martin, Paul\";u2;AT customs;AT;;;;;;p@at.example;FALSE\n"
	    "\"Rossi, Ana\";;AT customs;AT;;;;;;a@at.example;FALSE\n"
	    "\"Nowak, Ewa\";u4;AT customs;AT;;;;;;e@at.example;maybe\n";

static void
test_bad_rows(void **state)
{
	struct ulrecon r;
	struct ulrecon_opts o = {.skip_bad_rows = true};
	struct sf_error err = {0};

	(void)state;
	assert_int_equal(ulrecon_run("wp.csv", bad, strlen(bad), "auth.csv",
				     auth, strlen(auth), NULL, &r, &err),
			 SF_INVALID);
	assert_string_equal(err.message,
			    "wp.csv:2: column \"CS/RD TST\": \"Wirte\" is not "
			    "one of empty, Full, No, Read, Write (3 bad rows; "
			    "nothing counted)");
	assert_int_equal(r.nnas, 0);
	ulrecon_release(&r);

	assert_int_equal(ulrecon_run("wp.csv", bad, strlen(bad), "auth.csv",
				     auth, strlen(auth), &o, &r, &err),
			 SF_OK);
	assert_int_equal(r.bad_rows, 3);
	assert_int_equal(r.nissues, 3);
	assert_string_equal(r.issues[1],
			    "wp.csv:4: column \"New UID\": empty");
	assert_string_equal(r.issues[2],
			    "wp.csv:5: column \"Deleted\": \"maybe\" is not "
			    "one of TRUE, FALSE");
	assert_int_equal(r.nnas, 1);
	check_na(&r, 0, "AT", 1, 1, 1);
	ulrecon_release(&r);
}

static void
test_bad_files(void **state)
{
	struct ulrecon r;
	struct sf_error err = {0};
	static const char nouid[] = "Full name;Organisation\nA;B\n";
	static const char open[] = HDR "\"Dupont, Jean;u1\n";

	(void)state;
	assert_int_equal(ulrecon_run("wp.csv", nouid, strlen(nouid),
				     "auth.csv", auth, strlen(auth), NULL, &r,
				     &err),
			 SF_INVALID);
	assert_non_null(strstr(err.message, "wp.csv: missing column"));
	assert_non_null(strstr(err.message, "\"UID\""));
	ulrecon_release(&r);
	assert_int_equal(ulrecon_run("wp.csv", wp, strlen(wp), "auth.csv",
				     nouid, strlen(nouid), NULL, &r, &err),
			 SF_INVALID);
	assert_non_null(strstr(err.message, "auth.csv: "));
	ulrecon_release(&r);
	assert_int_equal(ulrecon_run("wp.csv", open, strlen(open),
				     "auth.csv", auth, strlen(auth), NULL, &r,
				     &err),
			 SF_INVALID);
	assert_string_equal(err.message, "wp.csv:2: quoted field not closed "
					 "at the end of the file");
	ulrecon_release(&r);
	assert_int_equal(ulrecon_files("/nonexistent/wp.csv", "auth.csv",
				       NULL, &r, &err),
			 SF_IO);
	ulrecon_release(&r);
}

/* A workbook (the corpus's generated one): its bad rows are named by
 * sheet and cell. */
static void
test_workbook(void **state)
{
	struct ulrecon r;
	struct sf_error err = {0};
	char *p = tu_source_path("tests/fuzz/corpus/xlsx/gen_webportal.xlsx");
	char *a = tu_source_path("tests/fuzz/corpus/csv/authorised.csv");
	struct ulrecon_opts o = {.skip_bad_rows = true};

	(void)state;
	assert_int_equal(ulrecon_files(p, a, NULL, &r, &err), SF_INVALID);
	assert_non_null(strstr(err.message, "sheet \"Users\" cell F6: column "
					    "\"CS/RD TST\": \"Wirte\""));
	ulrecon_release(&r);
	assert_int_equal(ulrecon_files(p, a, &o, &r, &err), SF_OK);
	assert_int_equal(r.nnas, 1);
	check_na(&r, 0, "AT", 1, 1, 0);
	ulrecon_release(&r);
	free(p);
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_workbook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
