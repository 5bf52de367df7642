/*
 * test_columns.c - header mapping and typed rows of the user lists: the
 * synonyms, the header row under title rows, every value table with its
 * exact message, missing columns, skipped rows, derived values.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "modules/userlists/columns.h"

/* Import CSV TEXT (named NAME) as resource R. */
static enum sf_status
import(const char *name, const char *text, enum ul_resource r,
       const struct columns_opts *o, struct ul_list *l, struct sf_error *err)
{
	struct tabular t;
	enum sf_status s;

	if (tabular_read(name, text, strlen(text), &t, err))
		fail_msg("tabular_read: %s", err->message);
	s = columns_import(&t, r, o, l, err);
	tabular_release(&t);
	return s;
}

static const char wp_header[] =
    "Full name;New UID;Organisation;CS/RD Domain;CS/RD TST;CS/RD PROD;"
    "CS/MIS Domain;CS/MIS;E-mail;Deleted\n";

static void
test_webportal(void **state)
{
	struct ul_list l;
	struct sf_error err = {0};
	const struct ul_webportal *w;
	struct buf b;

	(void)state;
	assert_int_equal(
	    import("users.csv",
		   "ITSM Webportal users\n"
		   "Extracted;2026-03-31\n"
		   "full_name;uid;ORGANIZATION;cs rd domain;CS-RD test;"
		   "CS/RD Production;csmis_domain;CS/MIS profile;Phone;"
		   "e mail;deleted;Name\n"
		   "\"Dupont, Jean\";u1;BE Customs;NCTS, ECS;Full;read;EIN;"
		   "ND  user;+32 1;jean@example.be;FALSE;x\n"
		   ";;;;;;;;;;;\n"
		   "\xC2\xA0Martin, Paul ;u2;DG TAXUD;;;;;;;;true;y\n"
		   "Roe, Ann;u3;Lot 1;ics/EO;No;Write;B;Oper;;;0;\n"
		   "Poe, Al;u4;Lot 1;;;;IE;Admin;;;no;\n",
		   UL_WEBPORTAL, NULL, &l, &err),
	    SF_OK);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.nissues, 0);
	assert_true(columns_present(&l, "uid"));
	assert_false(columns_present(&l, "na"));
	/* The phone and the second name column are ignored. */
	assert_int_equal(l.nignored, 2);
	assert_string_equal(l.ignored[0], "users.csv: column \"Phone\"");
	assert_string_equal(l.ignored[1], "users.csv: column \"Name\"");
	w = &l.recs[0].u.webportal;
	assert_int_equal(l.recs[0].line, 4);
	assert_string_equal(w->full_name, "Dupont, Jean");
	assert_string_equal(w->uid, "u1");
	assert_string_equal(w->organisation, "BE Customs");
	assert_string_equal(w->na, "");
	assert_int_equal(w->csrd_domain, UL_CSRD_NCTS | UL_CSRD_ECS);
	assert_int_equal(w->csrd_tst, UL_RIGHTS_FULL);
	assert_int_equal(w->csrd_prod, UL_RIGHTS_READ);
	assert_int_equal(w->csmis_domain, UL_CSMIS_E | UL_CSMIS_I | UL_CSMIS_N);
	assert_int_equal(w->csmis_profile, UL_PROFILE_ND_USER);
	assert_string_equal(w->email, "jean@example.be");
	assert_false(w->deleted);
	w = &l.recs[1].u.webportal;
	assert_int_equal(l.recs[1].line, 6);
	assert_string_equal(w->full_name, "Martin, Paul");
	assert_int_equal(w->csrd_domain, 0);
	assert_int_equal(w->csrd_tst, UL_RIGHTS_EMPTY);
	assert_int_equal(w->csmis_domain, 0);
	assert_int_equal(w->csmis_profile, UL_PROFILE_NONE);
	assert_true(w->deleted);
	w = &l.recs[2].u.webportal;
	assert_int_equal(w->csrd_domain, UL_CSRD_ICS | UL_CSRD_EO);
	assert_int_equal(w->csrd_tst, UL_RIGHTS_NO);
	assert_int_equal(w->csrd_prod, UL_RIGHTS_WRITE);
	assert_int_equal(w->csmis_domain, UL_CSMIS_E | UL_CSMIS_I | UL_CSMIS_N);
	assert_int_equal(w->csmis_profile, UL_PROFILE_OPER);
	w = &l.recs[3].u.webportal;
	assert_int_equal(w->csmis_domain, UL_CSMIS_E | UL_CSMIS_I);
	assert_int_equal(w->csmis_profile, UL_PROFILE_ADMIN);
	buf_init(&b, 0);
	columns_issues_text(&l, &b);
	assert_string_equal(b.data, "");
	buf_release(&b);
	ul_list_release(&l);
}

/* One webportal row ROW after the header must fail with MSG. */
static void
bad_row(const char *row, const char *msg)
{
	struct ul_list l;
	struct sf_error err = {0};
	char *text = xasprintf("%s%s\n", wp_header, row);
	char *want = xasprintf("%s (1 bad row; nothing imported)", msg);

	assert_int_equal(import("users.csv", text, UL_WEBPORTAL, NULL, &l,
				&err),
			 SF_INVALID);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.bad_rows, 1);
	assert_int_equal(l.nissues, 1);
	assert_string_equal(l.issues[0].message, msg);
	assert_int_equal(l.issues[0].line, 2);
	assert_string_equal(err.message, want);
	ul_list_release(&l);
	free(text);
	free(want);
}

static void
test_value_tables(void **state)
{
	(void)state;
	bad_row("A, B;u;O;;;Wirte;;;;FALSE",
		"users.csv:2: column \"CS/RD PROD\": \"Wirte\" is not one of "
		"empty, Full, No, Read, Write");
	bad_row("A, B;u;O;;Yes;;;;;FALSE",
		"users.csv:2: column \"CS/RD TST\": \"Yes\" is not one of "
		"empty, Full, No, Read, Write");
	bad_row("A, B;u;O;NCTS ECS2;;;;;;FALSE",
		"users.csv:2: column \"CS/RD Domain\": \"ECS2\" is not one of "
		"NCTS, ECS, ICS, EO");
	bad_row("A, B;u;O;;;;EE;;;FALSE",
		"users.csv:2: column \"CS/MIS Domain\": \"EE\" is not one of "
		"empty, E, I, N, NCTS, EI, EN, IN, EIN, B");
	bad_row("A, B;u;O;;;;X;;;FALSE",
		"users.csv:2: column \"CS/MIS Domain\": \"X\" is not one of "
		"empty, E, I, N, NCTS, EI, EN, IN, EIN, B");
	bad_row("A, B;u;O;;;;;Operator;;FALSE",
		"users.csv:2: column \"CS/MIS\": \"Operator\" is not one of "
		"empty, Admin, ND Admin, ND User, Oper");
	bad_row("A, B;u;O;;;;;;;maybe",
		"users.csv:2: column \"Deleted\": \"maybe\" is not one of "
		"TRUE, FALSE");
	bad_row("A, B;u;O;;;;;;;",
		"users.csv:2: column \"Deleted\": empty");
	bad_row(";u;O;;;;;;;FALSE", "users.csv:2: column \"Full name\": empty");
	bad_row("A, B;u;O;;;;;;jean(at)x.be;FALSE",
		"users.csv:2: column \"E-mail\": \"jean(at)x.be\" is not an "
		"e-mail address");
}

static void
test_other_tables(void **state)
{
	struct ul_list l;
	struct sf_error err = {0};

	(void)state;
	assert_int_equal(import("vpn.csv", "Full name,Active Y/N\nA B,Maybe\n",
				UL_VPN, NULL, &l, &err),
			 SF_INVALID);
	assert_string_equal(l.issues[0].message,
			    "vpn.csv:2: column \"Active Y/N\": \"Maybe\" is not "
			    "one of Y, N");
	ul_list_release(&l);
	assert_int_equal(import("jl.csv", "Full name,Status\nA B,Left\n",
				UL_JOINERS_LEAVERS, NULL, &l, &err),
			 SF_INVALID);
	assert_string_equal(l.issues[0].message,
			    "jl.csv:2: column \"Status\": \"Left\" is not one "
			    "of Created, Disabled");
	ul_list_release(&l);
	assert_int_equal(import("apps.csv", "Application,Users\nAEO,12.5\n",
				UL_BUSINESS_APPS, NULL, &l, &err),
			 SF_INVALID);
	assert_string_equal(l.issues[0].message,
			    "apps.csv:2: column \"Users\": \"12.5\" is not a "
			    "whole number");
	ul_list_release(&l);
}

static void
test_missing_column(void **state)
{
	struct ul_list l;
	struct sf_error err = {0};

	(void)state;
	assert_int_equal(import("users.csv",
				"Title\nFull name;UID;Organisation;CS/RD Domain;"
				"CS/RD TST;CS/MIS Domain;Deleted\nA;b;c;;;;0\n",
				UL_WEBPORTAL, NULL, &l, &err),
			 SF_INVALID);
	assert_string_equal(err.message, "users.csv: missing column "
					 "\"CS/RD PROD\" (header row 2)");
	ul_list_release(&l);

	assert_int_equal(import("users.csv", "a;b\n1;2\n", UL_WEBPORTAL, NULL,
				&l, &err),
			 SF_INVALID);
	assert_string_equal(
	    err.message,
	    "users.csv: no header row with the columns of webportal (\"Full "
	    "name\", \"Organisation\", \"CS/RD Domain\", \"CS/RD TST\", "
	    "\"CS/RD PROD\", \"CS/MIS Domain\", \"Deleted\") in the first 30 "
	    "rows");
	ul_list_release(&l);

	/* Review mode also needs the SEC.5.1 columns. */
	{
		struct columns_opts o = {.review = true};
		char *text = xasprintf(
		    "Full name;Organisation;CS/RD Domain;CS/RD TST;CS/RD PROD;"
		    "CS/MIS Domain;Deleted\nA;b;;;;;0\n");

		assert_int_equal(import("users.csv", text, UL_WEBPORTAL, &o,
					&l, &err),
				 SF_INVALID);
		assert_string_equal(err.message,
				    "users.csv: missing columns \"UID\", "
				    "\"CS/MIS\", \"E-mail\" (header row 1)");
		ul_list_release(&l);
		assert_int_equal(import("users.csv", text, UL_WEBPORTAL, NULL,
					&l, &err),
				 SF_OK);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.recs[0].u.webportal.uid, "");
		ul_list_release(&l);
		free(text);
	}

	assert_int_equal(import("users.csv", "UID,User ID,Team\n", UL_AUTHORISED,
				NULL, &l, &err),
			 SF_OK);
	ul_list_release(&l);
	assert_int_equal(import("users.csv", "UID,Team,uid\n", UL_AUTHORISED,
				NULL, &l, &err),
			 SF_INVALID);
	assert_string_equal(err.message,
			    "users.csv: column \"UID\" appears twice (columns A "
			    "and C of row 1)");
	ul_list_release(&l);
}

static void
test_skip_bad_rows(void **state)
{
	struct ul_list l;
	struct sf_error err = {0};
	struct columns_opts o = {.skip_bad_rows = true};
	struct buf text, issues;

	(void)state;
	buf_init(&text, 0);
	buf_adds(&text, wp_header);
	for (int i = 0; i < 150; i++)
		buf_addf(&text, "P, Q;u%d;O;;;%s;;;;FALSE\n", i,
			 i % 3 ? "Read" : "Wirte");
	assert_int_equal(import("users.csv", text.data, UL_WEBPORTAL, &o, &l,
				&err),
			 SF_OK);
	assert_int_equal(l.n, 100);
	assert_int_equal(l.bad_rows, 50);
	assert_int_equal(l.nissues, 50);
	assert_int_equal(l.issues[1].line, 5);
	ul_list_release(&l);

	/* Without the option: nothing, and the issues past 100 counted. */
	buf_reset(&text);
	buf_adds(&text, wp_header);
	for (int i = 0; i < 120; i++)
		buf_addf(&text, "P, Q;u%d;O;;;Wirte;;;;FALSE\n", i);
	assert_int_equal(import("users.csv", text.data, UL_WEBPORTAL, NULL, &l,
				&err),
			 SF_INVALID);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.nissues, UL_MAX_ISSUES);
	assert_int_equal(l.more_issues, 20);
	assert_string_equal(err.message,
			    "users.csv:2: column \"CS/RD PROD\": \"Wirte\" is "
			    "not one of empty, Full, No, Read, Write (120 bad "
			    "rows; nothing imported)");
	buf_init(&issues, 0);
	columns_issues_text(&l, &issues);
	assert_non_null(strstr(issues.data, "users.csv:101: column"));
	assert_non_null(strstr(issues.data, "\nand 20 more\n"));
	buf_release(&issues);
	ul_list_release(&l);
	buf_release(&text);
}

static void
test_collab_smt_mailboxes(void **state)
{
	struct ul_list l;
	struct sf_error err = {0};
	const char *const domains[] = {"itsm.example", NULL};
	struct columns_opts o = {.staff_domains = domains};

	(void)state;
	assert_int_equal(import("collab.csv",
				"Full name,Userid\nA B,XXX.ab\nC D,TXD.cd\n"
				"E F,lot.ef\nAdmin,admin\n",
				UL_COLLAB, NULL, &l, &err),
			 SF_OK);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.recs[0].u.collab.category, UL_CAT_STAFF);
	assert_int_equal(l.recs[1].u.collab.category, UL_CAT_DGTAXUD);
	assert_int_equal(l.recs[2].u.collab.category, UL_CAT_CONTRACTOR);
	assert_int_equal(l.recs[3].u.collab.category, UL_CAT_OTHER);
	ul_list_release(&l);

	assert_int_equal(import("smt.csv",
				"Full name;E-mail address;Disabled\n"
				"A B;a@itsm.example;\nC D;c@SD.ITSM.EXAMPLE;no\n"
				"E F;e@notitsm.example;yes\n",
				UL_SMT, &o, &l, &err),
			 SF_OK);
	assert_true(l.recs[0].u.smt.staff);
	assert_true(l.recs[1].u.smt.staff);
	assert_false(l.recs[2].u.smt.staff);
	assert_false(l.recs[1].u.smt.disabled);
	assert_true(l.recs[2].u.smt.disabled);
	ul_list_release(&l);

	assert_int_equal(import("mb.csv",
				"Full name,E-mail\n\"Dupont, Jean\",j@x.eu\n"
				"Service Desk,sd@x.eu\n",
				UL_MAILBOXES, NULL, &l, &err),
			 SF_OK);
	assert_true(l.recs[0].u.mailbox.nominative);
	assert_false(l.recs[1].u.mailbox.nominative);
	ul_list_release(&l);

	assert_true(columns_nominative("Dupont, Jean"));
	assert_true(columns_nominative("DUPONT Jean"));
	assert_true(columns_nominative("Jean-Luc Picard"));
	assert_true(columns_nominative("\xC3\x89lodie Marti"));
	assert_false(columns_nominative("ITSM SD"));
	assert_false(columns_nominative("Security Management"));
	assert_false(columns_nominative("Backup 2"));
	assert_false(columns_nominative("no_reply"));
	assert_false(columns_nominative("Administrator"));
	assert_false(columns_nominative("a, b, c"));
	assert_false(columns_nominative(""));
}

static void
test_small_lists(void **state)
{
	struct ul_list l;
	struct sf_error err = {0};

	(void)state;
	assert_int_equal(import("gw1.csv",
				"User,Profile,User info,User aging\n"
				"u1,ADMIN,\"Jean, BE\",2026-01-02\nu1,READ,,\n",
				UL_CCN, NULL, &l, &err),
			 SF_INVALID);
	assert_string_equal(l.issues[0].message,
			    "gw1.csv:3: column \"User info\": empty");
	ul_list_release(&l);
	assert_int_equal(import("apps.csv",
				"Application\tUsers\nAEO\t12\nART\t3.0\n",
				UL_BUSINESS_APPS, NULL, &l, &err),
			 SF_OK);
	assert_int_equal(l.recs[0].u.app.users, 12);
	assert_int_equal(l.recs[1].u.app.users, 3);
	ul_list_release(&l);
	assert_int_equal(import("vpn.csv", "Name,Active\nA B,y\nC D,N\n",
				UL_VPN, NULL, &l, &err),
			 SF_OK);
	assert_true(l.recs[0].u.vpn.active);
	assert_false(l.recs[1].u.vpn.active);
	ul_list_release(&l);
	assert_int_equal(import("circa.csv",
				"Interest group,IGL,E-mail\nG1,A B,a@b.eu\n",
				UL_CIRCA, NULL, &l, &err),
			 SF_OK);
	assert_string_equal(l.recs[0].u.circa.leader, "A B");
	ul_list_release(&l);
	assert_int_equal(import("jl.csv",
				"Full name,Status,Rights\nA B,created,VPN\n",
				UL_JOINERS_LEAVERS, NULL, &l, &err),
			 SF_OK);
	assert_int_equal(l.recs[0].u.joiner.status, UL_JL_CREATED);
	assert_string_equal(l.recs[0].u.joiner.rights, "VPN");
	ul_list_release(&l);
}

static void
test_resource_names(void **state)
{
	enum ul_resource r;

	(void)state;
	for (int i = 0; i < UL_NRESOURCES; i++) {
		assert_int_equal(
		    columns_resource(columns_resource_name((enum ul_resource)i),
				     &r),
		    0);
		assert_int_equal(r, i);
	}
	assert_int_equal(columns_resource("nope", &r), -1);
	assert_int_equal(columns_resource("joiners_leavers", &r), 0);
	assert_int_equal(r, UL_JOINERS_LEAVERS);
}

static void
test_xlsx_sheets(void **state)
{
	struct tabular t = {0};
	struct ul_list l;
	struct sf_error err = {0};
	struct columns_opts o = {.sheet = "2026-03"};
	struct trow rows[3];
	char *h[] = {"Full name", "Status"};
	char *r1[] = {"A B", "Gone"};
	char *r2[] = {"C D", "Created"};
	struct sheet sheets[2];

	(void)state;
	/* A table made by hand, as tabular_read would make it. */
	rows[0] = (struct trow){1, h, 2};
	rows[1] = (struct trow){2, r1, 2};
	rows[2] = (struct trow){3, r2, 2};
	sheets[0] = (struct sheet){"2026-02", rows, 2};
	sheets[1] = (struct sheet){"2026-03", rows, 3};
	t.kind = TABULAR_XLSX;
	t.source = "jl.xlsx";
	t.sheets = sheets;
	t.n = 2;
	assert_int_equal(columns_import(&t, UL_JOINERS_LEAVERS, &o, &l, &err),
			 SF_INVALID);
	assert_string_equal(l.issues[0].message,
			    "jl.xlsx: sheet \"2026-03\" cell B2: column "
			    "\"Status\": \"Gone\" is not one of Created, "
			    "Disabled");
	ul_list_release(&l);
	o.sheet = "2026-04";
	assert_int_equal(columns_import(&t, UL_JOINERS_LEAVERS, &o, &l, &err),
			 SF_INVALID);
	assert_string_equal(err.message, "jl.xlsx: no sheet \"2026-04\"");
	ul_list_release(&l);
	rows[0] = (struct trow){1, h, 1};
	o.sheet = NULL;
	assert_int_equal(columns_import(&t, UL_JOINERS_LEAVERS, &o, &l, &err),
			 SF_INVALID);
	assert_string_equal(err.message, "jl.xlsx: sheet \"2026-02\": missing "
					 "column \"Status\" (header row 1)");
	assert_int_equal(l.nignored, 2);
	ul_list_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_webportal),
	    cmocka_unit_test(test_value_tables),
	    cmocka_unit_test(test_other_tables),
	    cmocka_unit_test(test_missing_column),
	    cmocka_unit_test(test_skip_bad_rows),
	    cmocka_unit_test(test_collab_smt_mailboxes),
	    cmocka_unit_test(test_small_lists),
	    cmocka_unit_test(test_resource_names),
	    cmocka_unit_test(test_xlsx_sheets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
