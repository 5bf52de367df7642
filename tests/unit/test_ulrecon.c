/*
 * test_ulrecon.c - `userlist reconcile`'s counting (ulrecon.h) on small
 * hand-made lists whose counts are worked out by hand, its refusal of bad
 * rows with the importer's words, --skip-bad-rows, and a workbook; and a
 * list read in two parts by two threads counting exactly what it counts
 * read whole (the cut forced on small lists), or read whole when it cannot
 * be cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
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

/* A Webportal list of N rows: each UID twice, half a list apart (so the
 * parts share them); LT only in the second half; every 7th row disabled;
 * with BAD, rows 10 and N-10 have an unknown access value; with TITLE a
 * title line before the header; with LATIN1 one name in Windows-1252. */
static char *
gen_wp(size_t n, int bad, int title, int latin1)
{
	struct buf b;

	buf_init(&b, 0);
	if (title)
		buf_adds(&b, "Webportal users, export of 2026-11-01\n");
	buf_adds(&b, HDR);
	for (size_t i = 0; i < n; i++) {
		const char *na = i < n / 2 ? (i % 3 ? "AT" : "BE")
					   : (i % 5 ? "AT" : "LT");
		buf_addf(&b, "\"%s %zu\";u%zu;ORG;%s;;%s;;;;m%zu@x.example;%s\n",
			 latin1 && i == n - 3 ? "Ren\xe9" : "Name", i,
			 i % (n / 2), na,
			 bad && (i == 10 || i == n - 10) ? "Wirte" : "Read", i,
			 i % 7 ? "FALSE" : "TRUE");
	}
	{
		char *text = buf_detach(&b, NULL);

		buf_release(&b); /* detach leaves it ready for more */
		return text;
	}
}

static char *
gen_auth(size_t n)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "Team,UID,Full name\n");
	for (size_t i = 0; i < n; i += 2)
		buf_addf(&b, "T,u%zu,\n", i);
	{
		char *text = buf_detach(&b, NULL);

		buf_release(&b); /* detach leaves it ready for more */
		return text;
	}
}

/* Reconcile WP whole and with the cut forced: the same answer or the same
 * failure; returns the parts the forced reading used. */
static int
same_whole_and_split(const char *wpt, const char *autht, bool skip)
{
	struct ulrecon r1, r2;
	struct sf_error e1 = {0}, e2 = {0};
	struct ulrecon_opts whole = {.one_thread = true, .skip_bad_rows = skip};
	struct ulrecon_opts split = {.split_min = 64, .skip_bad_rows = skip};
	enum sf_status s1, s2;
	int parts;

	s1 = ulrecon_run("wp.csv", wpt, strlen(wpt), "auth.csv", autht,
			 strlen(autht), &whole, &r1, &e1);
	s2 = ulrecon_run("wp.csv", wpt, strlen(wpt), "auth.csv", autht,
			 strlen(autht), &split, &r2, &e2);
	assert_int_equal(s1, s2);
	assert_int_equal(r1.wp_parts, 1);
	parts = r2.wp_parts;
	if (s1) {
		assert_string_equal(e1.message, e2.message);
	} else {
		assert_int_equal(r1.nnas, r2.nnas);
		for (size_t i = 0; i < r1.nnas; i++)
			check_na(&r2, i, r1.nas[i].na, r1.nas[i].users,
				 r1.nas[i].distinct, r1.nas[i].not_authorised);
		assert_int_equal(r1.rows, r2.rows);
		assert_int_equal(r1.disabled, r2.disabled);
		assert_int_equal(r1.bad_rows, r2.bad_rows);
		assert_int_equal(r1.users, r2.users);
		assert_int_equal(r1.distinct, r2.distinct);
		assert_int_equal(r1.not_authorised, r2.not_authorised);
		assert_int_equal(r1.nissues, r2.nissues);
		for (size_t i = 0; i < r1.nissues; i++)
			assert_string_equal(r1.issues[i], r2.issues[i]);
	}
	ulrecon_release(&r1);
	ulrecon_release(&r2);
	return parts;
}

static void
test_split(void **state)
{
	char *a = gen_auth(600), *w;

	(void)state;
	/* cut: counts, NAs only in one part, UIDs in both */
	w = gen_wp(600, 0, 0, 0);
	assert_int_equal(same_whole_and_split(w, a, false), 2);
	free(w);
	/* bad rows in both parts: the first one's words and line, and the
	 * skipped ones in file order */
	w = gen_wp(600, 1, 0, 0);
	assert_int_equal(same_whole_and_split(w, a, false), 2);
	assert_int_equal(same_whole_and_split(w, a, true), 2);
	free(w);
	/* names with a line break inside their quotes, all through the list:
	 * the cut still falls between records, the lines still count */
	w = gen_wp(600, 1, 0, 0);
	for (char *p = w; (p = strstr(p, "\"Name ")); p += 6)
		p[5] = '\n';
	assert_int_equal(same_whole_and_split(w, a, true), 2);
	free(w);
	/* a stray quote in an unquoted field before the middle misleads the
	 * quote count: cut elsewhere or read whole, never counted wrong */
	w = gen_wp(600, 1, 0, 0);
	memcpy(strstr(w, "\"Name 100\""), "Na\"me 100 ", 10);
	same_whole_and_split(w, a, true);
	same_whole_and_split(w, a, false);
	free(w);
	/* ... and with line breaks inside quotes after it, the cut lands
	 * inside a record: seen after the reading, which starts again whole */
	w = gen_wp(600, 1, 0, 0);
	memcpy(strstr(w, "\"Name 100\""), "Na\"me 100 ", 10);
	for (char *p = w; (p = strstr(p, "\"Name ")); p += 6)
		p[5] = '\n';
	assert_int_equal(same_whole_and_split(w, a, true), 1);
	free(w);
	/* not cut: a title line before the header, a Windows-1252 byte */
	w = gen_wp(600, 1, 1, 0);
	assert_int_equal(same_whole_and_split(w, a, true), 1);
	free(w);
	w = gen_wp(600, 0, 0, 1);
	assert_int_equal(same_whole_and_split(w, a, false), 1);
	free(w);
	/* the default threshold leaves a small list whole */
	{
		struct ulrecon r;
		struct sf_error err = {0};

		w = gen_wp(600, 0, 0, 0);
		assert_int_equal(ulrecon_run("wp.csv", w, strlen(w), "auth.csv",
					     a, strlen(a), NULL, &r, &err),
				 SF_OK);
		assert_int_equal(r.wp_parts, 1);
		ulrecon_release(&r);
		free(w);
	}
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
		cmocka_unit_test(test_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
