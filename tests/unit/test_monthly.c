/*
 * test_monthly.c - the SEC.6.6 counting functions of the monthly user
 * lists: each list typed from CSV text by the real reader (tabular,
 * columns, ulimport's JSON), then counted; rounding of the averages;
 * month arithmetic; the due day of userlist.monthly.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/calendar.h"
#include "modules/userlists/columns.h"
#include "modules/userlists/monthly.h"
#include "modules/userlists/ulimport.h"
#include "modules/userlists/ulprocess.h"

static const char *const staff_domains[] = {"itsm.example", NULL};

/* Count CSV TEXT as resource R into V (every figure -1 first). */
static void
count_csv(const char *text, enum ul_resource r, long long v[MONTHLY_NKEYS])
{
	struct tabular t;
	struct ul_list l = {0};
	struct columns_opts o = {0};
	struct sf_error err = {0};
	struct monthly_tally tally;

	o.staff_domains = staff_domains;
	for (size_t k = 0; k < MONTHLY_NKEYS; k++)
		v[k] = -1;
	if (tabular_read("list.csv", text, strlen(text), &t, &err))
		fail_msg("tabular_read: %s", err.message);
	if (columns_import(&t, r, &o, &l, &err))
		fail_msg("columns_import: %s", err.message);
	monthly_tally_init(&tally, r);
	for (size_t i = 0; i < l.n; i++) {
		struct ulist_row row = {0};
		row.n = (int64_t)i + 1;
		row.line = (int64_t)l.recs[i].line;
		row.data = ulimport_record_json((int)r, &l.recs[i]);
		monthly_tally_add(&tally, &row);
		json_decref(row.data);
	}
	monthly_tally_end(&tally, v);
	ul_list_release(&l);
	tabular_release(&t);
}

static long long
fig(const long long v[MONTHLY_NKEYS], const char *key)
{
	for (size_t k = 0; k < MONTHLY_NKEYS; k++)
		if (strcmp(monthly_key(k), key) == 0)
			return v[k];
	fail_msg("no key %s", key);
	return -2;
}

static void
test_keys(void **state)
{
	(void)state;
	/* the keys of SPEC 4.2, in order, each once */
	static const char *const want[] = {
		"business_apps.users", "webportal.total",
		"webportal.csrd_domain.with", "webportal.csrd_domain.without",
		"webportal.csrd_tst.with", "webportal.csrd_tst.without",
		"webportal.csrd_prod.with", "webportal.csrd_prod.without",
		"webportal.csmis_domain.with", "webportal.csmis_domain.without",
		"webportal.csmis_profile.with",
		"webportal.csmis_profile.without", "smt.total", "smt.itsm",
		"smt.non_itsm", "mailboxes.total", "mailboxes.nominative",
		"mailboxes.non_nominative", "collab.nominative",
		"collab.non_nominative", "vpn.total"};
	assert_int_equal(sizeof(want) / sizeof(want[0]), MONTHLY_NKEYS);
	for (size_t k = 0; k < MONTHLY_NKEYS; k++)
		assert_string_equal(monthly_key(k), want[k]);
	assert_int_equal(monthly_list(0), UL_COLLAB);
	assert_int_equal(monthly_list(MONTHLY_NLISTS - 1), UL_MAILBOXES);
}

static void
test_webportal(void **state)
{
	long long v[MONTHLY_NKEYS];
	(void)state;
	count_csv("Full name;Organisation;CS/RD Domain;CS/RD TST;CS/RD PROD;"
		  "CS/MIS Domain;CS/MIS;Deleted\n"
		  /* with everything */
		  "\"A, a\";BE;NCTS;Full;Read;EIN;Admin;FALSE\n"
		  /* EO only is without; No and empty are without */
		  "\"B, b\";BE;EO;No;;;;FALSE\n"
		  /* ECS + EO is with; Write; N; no profile */
		  "\"C, c\";FR;ECS EO;Write;No;N;;FALSE\n"
		  /* nothing at all */
		  "\"D, d\";FR;;;;;;FALSE\n"
		  /* deleted: never counted even with rights */
		  "\"E, e\";FR;NCTS;Full;Full;B;Oper;TRUE\n"
		  "\"F, f\";DE;ICS;Read;Write;I;ND User;false\n",
		  UL_WEBPORTAL, v);
	assert_int_equal(fig(v, "webportal.total"), 5);
	assert_int_equal(fig(v, "webportal.csrd_domain.with"), 3);
	assert_int_equal(fig(v, "webportal.csrd_domain.without"), 2);
	assert_int_equal(fig(v, "webportal.csrd_tst.with"), 3);
	assert_int_equal(fig(v, "webportal.csrd_tst.without"), 2);
	assert_int_equal(fig(v, "webportal.csrd_prod.with"), 2);
	assert_int_equal(fig(v, "webportal.csrd_prod.without"), 3);
	assert_int_equal(fig(v, "webportal.csmis_domain.with"), 3);
	assert_int_equal(fig(v, "webportal.csmis_domain.without"), 2);
	assert_int_equal(fig(v, "webportal.csmis_profile.with"), 2);
	assert_int_equal(fig(v, "webportal.csmis_profile.without"), 3);
	/* the other lists' figures are left alone */
	assert_int_equal(fig(v, "smt.total"), -1);
	assert_int_equal(fig(v, "vpn.total"), -1);
}

static void
test_smt(void **state)
{
	long long v[MONTHLY_NKEYS];
	(void)state;
	count_csv("Full name,E-mail address,Disabled\n"
		  "\"Dupont, Jean\",jean.dupont@itsm.example,FALSE\n"
		  /* the same address spelled otherwise: one user */
		  "\"Dupond, Jean\",Jean.Dupont@ITSM.example,FALSE\n"
		  "\"Roe, Ann\",ann@sub.itsm.example,\n"
		  "\"Doe, Max\",max@ec.europa.eu,FALSE\n"
		  "\"Doe, Max\",MAX@ec.europa.eu,FALSE\n"
		  /* disabled: not counted, even as a duplicate */
		  "\"Old, Guy\",guy@ec.europa.eu,TRUE\n"
		  "\"Na, Rep\",rep@douane.be,FALSE\n",
		  UL_SMT, v);
	assert_int_equal(fig(v, "smt.total"), 4);
	assert_int_equal(fig(v, "smt.itsm"), 2);
	assert_int_equal(fig(v, "smt.non_itsm"), 2);
}

static void
test_small_lists(void **state)
{
	long long v[MONTHLY_NKEYS];
	(void)state;
	count_csv("Full name;Userid\n\"A, a\";XXX.aa\n\"B, b\";txd.bb\n"
		  "\"C, c\";LOT.cc\nTool admin;admin\nGhost;xxx\n"
		  "\"D, d\";xxx.dd\n",
		  UL_COLLAB, v);
	assert_int_equal(fig(v, "collab.nominative"), 4);
	assert_int_equal(fig(v, "collab.non_nominative"), 2);

	count_csv("Full name;Active Y/N\n\"A, a\";Y\n\"B, b\";N\n\"C, c\";y\n",
		  UL_VPN, v);
	assert_int_equal(fig(v, "vpn.total"), 2);

	count_csv("Full name;E-mail address\n\"Dupont, Jean\";j@x.org\n"
		  "ITSM Service Desk;sd@x.org\nSecurity Team;sec@x.org\n",
		  UL_MAILBOXES, v);
	assert_int_equal(fig(v, "mailboxes.total"), 3);
	assert_int_equal(fig(v, "mailboxes.nominative"), 1);
	assert_int_equal(fig(v, "mailboxes.non_nominative"), 2);

	count_csv("Application;Users\nAEO;120\nART;7\nTARIC;0\nEOS;12.0\n",
		  UL_BUSINESS_APPS, v);
	assert_int_equal(fig(v, "business_apps.users"), 139);

	/* joiners/leavers: a list without a figure */
	count_csv("Full name;Status;Rights\n\"A, a\";Created;VPN\n",
		  UL_JOINERS_LEAVERS, v);
	for (size_t k = 0; k < MONTHLY_NKEYS; k++)
		assert_int_equal(v[k], -1);
}

/* Rows of an unexpected shape are counted as far as they go, never a
 * crash. */
static void
test_odd_rows(void **state)
{
	struct monthly_tally t;
	struct ulist_row row = {0};
	long long v[MONTHLY_NKEYS];
	(void)state;

	for (int r = 0; r < UL_NRESOURCES; r++) {
		monthly_tally_init(&t, (enum ul_resource)r);
		row.data = NULL;
		monthly_tally_add(&t, &row);
		row.data = json_pack("{s:i, s:[i], s:s}", "users", -5,
				     "csrd_domain", 3, "email", "");
		monthly_tally_add(&t, &row);
		json_decref(row.data);
		monthly_tally_end(&t, v);
	}
}

static void
test_round_mean(void **state)
{
	(void)state;
	long long a[3] = {10, 10, 11}; /* 10.33 */
	long long b[3] = {10, 11, 11}; /* 10.67 */
	long long c[2] = {1, 2};       /* 1.5: half away from zero */
	long long d[2] = {-1, -2};     /* -1.5 */
	long long e[2] = {2, 3};       /* 2.5 */
	long long f[3] = {0, 0, 0};
	long long g[1] = {7};
	assert_int_equal(monthly_round_mean(a, 3), 10);
	assert_int_equal(monthly_round_mean(b, 3), 11);
	assert_int_equal(monthly_round_mean(c, 2), 2);
	assert_int_equal(monthly_round_mean(d, 2), -2);
	assert_int_equal(monthly_round_mean(e, 2), 3);
	assert_int_equal(monthly_round_mean(f, 3), 0);
	assert_int_equal(monthly_round_mean(g, 1), 7);
}

static void
test_months(void **state)
{
	char out[8];
	(void)state;
	assert_int_equal(monthly_month_ok("2026-11"), 0);
	assert_int_equal(monthly_month_ok("2026-13"), -1);
	assert_int_equal(monthly_month_ok("2026-00"), -1);
	assert_int_equal(monthly_month_ok("2026-1"), -1);
	assert_int_equal(monthly_month_ok("2026/11"), -1);
	assert_int_equal(monthly_month_ok("2026-11x"), -1);
	assert_int_equal(monthly_month_ok(NULL), -1);
	monthly_month_add("2026-01", -1, out);
	assert_string_equal(out, "2025-12");
	monthly_month_add("2026-12", 1, out);
	assert_string_equal(out, "2027-01");
	monthly_month_add("2026-03", -2, out);
	assert_string_equal(out, "2026-01");
	monthly_previous_month(date_start(date_from_ymd(2026, 1, 1)), out);
	assert_string_equal(out, "2025-12");
	monthly_previous_month(date_start(date_from_ymd(2026, 12, 31)) + 80000,
			       out);
	assert_string_equal(out, "2026-11");
}

static void
test_due(void **state)
{
	struct calendar *cal = calendar_new();
	char s[16];
	(void)state;
	/* 2026-08-01 is a Saturday: Monday the 3rd */
	date_format(ulprocess_due(cal, "2026-07"), s);
	assert_string_equal(s, "2026-08-03");
	/* 2026-12-01 is a Tuesday */
	date_format(ulprocess_due(cal, "2026-11"), s);
	assert_string_equal(s, "2026-12-01");
	/* New Year's Day (a Friday in 2027) is a holiday: Monday the 4th */
	calendar_add(cal, date_from_ymd(2027, 1, 1), "New Year");
	date_format(ulprocess_due(cal, "2026-12"), s);
	assert_string_equal(s, "2027-01-04");
	calendar_free(cal);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_webportal),
		cmocka_unit_test(test_smt),
		cmocka_unit_test(test_small_lists),
		cmocka_unit_test(test_odd_rows),
		cmocka_unit_test(test_round_mean),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
