/*
 * test_tabular.c - CSV and XLSX into rows of UTF-8 cells: delimiters,
 * encodings, quoting, line numbers; workbooks written with libxlsxwriter
 * and one built by hand with libzip; the errors and limits.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>
#include <zip.h>

#include "core/alloc.h"
#include "modules/userlists/tabular.h"

static void
read_ok(const char *name, const void *data, size_t len, struct tabular *t)
{
	struct sf_error err = {0};
	enum sf_status s = tabular_read(name, data, len, t, &err);

	if (s != SF_OK)
		fail_msg("tabular_read %s: %s", name, err.message);
}

static void
read_str(const char *name, const char *text, struct tabular *t)
{
	read_ok(name, text, strlen(text), t);
}

/* Read LEN bytes and expect status S with MSG as the whole message. */
static void
read_fails(const char *name, const void *data, size_t len, enum sf_status s,
	   const char *msg)
{
	struct tabular t;
	struct sf_error err = {0};

	assert_int_equal(tabular_read(name, data, len, &t, &err), s);
	assert_string_equal(err.message, msg);
	tabular_release(&t);
}

static void
assert_row(const struct trow *r, size_t line, size_t n, ...)
{
	va_list ap;

	assert_int_equal(r->line, line);
	assert_int_equal(r->ncells, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(r->cells[i], va_arg(ap, const char *));
	va_end(ap);
}

/* ---------------------------------------------------------------- */
/* CSV                                                               */

static void
test_csv_comma(void **state)
{
	struct tabular t;

	(void)state;
	read_str("dir/users.csv",
		 "Full name,UID\n\"Dupont, Jean\",u1\n\"Say \"\"hi\"\"\",u2\n",
		 &t);
	assert_int_equal(t.kind, TABULAR_CSV);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.sheets[0].name, "users");
	assert_int_equal(t.sheets[0].nrows, 3);
	assert_row(&t.sheets[0].rows[0], 1, 2, "Full name", "UID");
	assert_row(&t.sheets[0].rows[1], 2, 2, "Dupont, Jean", "u1");
	assert_row(&t.sheets[0].rows[2], 3, 2, "Say \"hi\"", "u2");
	assert_string_equal(trow_cell(&t.sheets[0].rows[0], 7), "");
	tabular_release(&t);
}

static void
test_csv_semicolon_bom_crlf(void **state)
{
	struct tabular t;

	(void)state;
	read_str("u.csv",
		 "\xEF\xBB\xBFName;UID;Org\r\nDupont, Jean;u1;BE\r\n"
		 "\r\nMartin, Paul;u2;FR\r\n",
		 &t);
	assert_int_equal(t.sheets[0].nrows, 3);
	assert_row(&t.sheets[0].rows[0], 1, 3, "Name", "UID", "Org");
	assert_row(&t.sheets[0].rows[1], 2, 3, "Dupont, Jean", "u1", "BE");
	/* The blank line 3 makes no row; line numbers stay physical. */
	assert_row(&t.sheets[0].rows[2], 4, 3, "Martin, Paul", "u2", "FR");
	tabular_release(&t);
}

static void
test_csv_tab_title(void **state)
{
	struct tabular t;

	(void)state;
	read_str("u.tsv",
		 "Webportal users, March\nName\tUID\tOrg\n"
		 "a b\tu1\tBE\nc, d\tu2\t\n",
		 &t);
	assert_int_equal(t.sheets[0].nrows, 4);
	assert_row(&t.sheets[0].rows[0], 1, 1, "Webportal users, March");
	assert_row(&t.sheets[0].rows[1], 2, 3, "Name", "UID", "Org");
	assert_row(&t.sheets[0].rows[2], 3, 3, "a b", "u1", "BE");
	/* Trailing empty cells are not counted. */
	assert_row(&t.sheets[0].rows[3], 4, 2, "c, d", "u2");
	tabular_release(&t);
}

static void
test_csv_quoted_newlines(void **state)
{
	struct tabular t;

	(void)state;
	read_str("u.csv",
		 "a,b\r\n\"two\r\nlines\",x\r\n\"three\n\nlines\",y\nlast,z",
		 &t);
	assert_int_equal(t.sheets[0].nrows, 4);
	assert_row(&t.sheets[0].rows[1], 2, 2, "two\nlines", "x");
	assert_row(&t.sheets[0].rows[2], 4, 2, "three\n\nlines", "y");
	assert_row(&t.sheets[0].rows[3], 7, 2, "last", "z");
	tabular_release(&t);

	read_str("cr.csv", "a;b\rc;d\r", &t);
	assert_row(&t.sheets[0].rows[1], 2, 2, "c", "d");
	tabular_release(&t);
}

static void
test_csv_cp1252(void **state)
{
	struct tabular t;

	(void)state;
	read_str("u.csv", "Name;Price\nCaf\xE9;\x80 5\n\x93q\x94;\x81\n", &t);
	assert_row(&t.sheets[0].rows[1], 2, 2, "Caf\xC3\xA9", "\xE2\x82\xAC 5");
	assert_row(&t.sheets[0].rows[2], 3, 2, "\xE2\x80\x9Cq\xE2\x80\x9D",
		   "\xC2\x81");
	tabular_release(&t);

	/* Valid UTF-8 stays as it is. */
	read_str("u.csv", "Name;Price\nCaf\xC3\xA9;\xE2\x82\xAC\n", &t);
	assert_row(&t.sheets[0].rows[1], 2, 2, "Caf\xC3\xA9", "\xE2\x82\xAC");
	tabular_release(&t);
}

static void
test_csv_utf16(void **state)
{
	static const char le[] = "\xFF\xFE"
				 "a\0;\0\xE9\0\n\0x\0;\0\xAC\x20";
	static const char be[] = "\xFE\xFF"
				 "\0a\0,\0b\0\n\0c\0,\0d";
	struct tabular t;

	(void)state;
	read_ok("le.csv", le, sizeof(le) - 1, &t);
	assert_row(&t.sheets[0].rows[0], 1, 2, "a", "\xC3\xA9");
	assert_row(&t.sheets[0].rows[1], 2, 2, "x", "\xE2\x82\xAC");
	tabular_release(&t);
	read_ok("be.csv", be, sizeof(be) - 1, &t);
	assert_row(&t.sheets[0].rows[1], 2, 2, "c", "d");
	tabular_release(&t);
	/* A lone surrogate. */
	read_fails("bad.csv", "\xFF\xFE" "a\0\x00\xD8", 6, SF_INVALID,
		   "bad.csv: bad UTF-16LE at byte offset 4");
}

static void
test_csv_errors(void **state)
{
	(void)state;
	read_fails("u.csv", "a,b\n\"open,x\ny,z\n", 16, SF_INVALID,
		   "u.csv:2: quoted field not closed at the end of the file");
	read_fails("u.csv", "a,b\nc\0,d\n", 9, SF_INVALID,
		   "u.csv:2: NUL character (a binary file, or UTF-16 "
		   "without a byte order mark?)");
	read_fails("u.csv", "\xEF\xBB\xBF" "a,\xE9\n", 7, SF_INVALID,
		   "u.csv: starts with a UTF-8 byte order mark but byte "
		   "offset 5 is not UTF-8");
}

static void
test_csv_empty(void **state)
{
	struct tabular t;

	(void)state;
	read_str("e.csv", "", &t);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.sheets[0].nrows, 0);
	tabular_release(&t);
}

static void
test_csv_limits(void **state)
{
	struct tabular t;
	struct sf_error err = {0};
	struct tabular_limits lim = {.max_part = 1000, .max_cells = 5,
				     .max_text = 1000};
	const char *csv = "a,b,c\nd,e,f\n";

	(void)state;
	assert_int_equal(tabular_read_limits("u.csv", csv, strlen(csv), &lim,
					     &t, &err),
			 SF_TOO_LARGE);
	assert_string_equal(err.message,
			    "u.csv:2: more than 5 cells or 1000 bytes of text");
	tabular_release(&t);
}

/* ---------------------------------------------------------------- */
/* XLSX written by libxlsxwriter                                     */

static char *
write_workbook(const char *dir, size_t *len)
{
	char *path = xasprintf("%s/book.xlsx", dir);
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Users");
	lxw_worksheet *ws2 = workbook_add_worksheet(wb, "Second");
	lxw_format *iso = workbook_add_format(wb);
	lxw_format *b14 = workbook_add_format(wb);
	lxw_format *dt = workbook_add_format(wb);
	lxw_format *tm = workbook_add_format(wb);
	lxw_format *money = workbook_add_format(wb);
	lxw_datetime d1 = {2026, 3, 31, 0, 0, 0};
	lxw_datetime d2 = {2026, 4, 1, 13, 45, 30};
	char *data;

	format_set_num_format(iso, "yyyy-mm-dd");
	format_set_num_format_index(b14, 14);
	format_set_num_format(dt, "dd/mm/yyyy hh:mm:ss");
	format_set_num_format(tm, "[h]:mm");
	format_set_num_format(money, "#,##0.00 \"EUR\"");
	worksheet_write_string(ws, 0, 0, "User list", NULL);
	worksheet_write_datetime(ws, 1, 1, &d1, iso);
	worksheet_write_string(ws, 3, 0, "Full name", NULL);
	worksheet_write_string(ws, 3, 1, "UID", NULL);
	worksheet_write_string(ws, 3, 2, "Count", NULL);
	worksheet_write_string(ws, 3, 4, "Deleted", NULL);
	worksheet_write_string(ws, 4, 0, "Dupont, Jean", NULL);
	worksheet_write_string(ws, 4, 1, "u1", NULL);
	worksheet_write_number(ws, 4, 2, 42, NULL);
	worksheet_write_boolean(ws, 4, 4, 0, NULL);
	worksheet_write_string(ws, 5, 0, "Dupont, Jean", NULL);
	worksheet_write_number(ws, 5, 2, 3.5, money);
	worksheet_write_datetime(ws, 5, 3, &d1, b14);
	worksheet_write_boolean(ws, 5, 4, 1, NULL);
	worksheet_write_datetime(ws, 6, 0, &d2, dt);
	worksheet_write_number(ws, 6, 1, 1.5, tm);
	worksheet_write_blank(ws, 7, 2, iso);
	worksheet_write_string(ws2, 0, 0, "\xC3\x89t\xC3\xA9 \xE2\x82\xAC",
			       NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	data = tu_read_file(path, len);
	assert_non_null(data);
	free(path);
	return data;
}

static void
test_xlsx_writer(void **state)
{
	char *dir = tu_tempdir(), *data;
	size_t len;
	struct tabular t;
	const struct sheet *sh;

	(void)state;
	data = write_workbook(dir, &len);
	read_ok("book.xlsx", data, len, &t);
	assert_int_equal(t.kind, TABULAR_XLSX);
	assert_int_equal(t.n, 2);
	sh = &t.sheets[0];
	assert_string_equal(sh->name, "Users");
	assert_int_equal(sh->nrows, 8);
	assert_row(&sh->rows[0], 1, 1, "User list");
	assert_row(&sh->rows[1], 2, 2, "", "2026-03-31");
	assert_row(&sh->rows[2], 3, 0);
	assert_row(&sh->rows[3], 4, 5, "Full name", "UID", "Count", "",
		   "Deleted");
	assert_row(&sh->rows[4], 5, 5, "Dupont, Jean", "u1", "42", "",
		   "FALSE");
	assert_row(&sh->rows[5], 6, 5, "Dupont, Jean", "", "3.5",
		   "2026-03-31", "TRUE");
	assert_row(&sh->rows[6], 7, 2, "2026-04-01T13:45:30", "12:00:00");
	assert_row(&sh->rows[7], 8, 0);
	sh = &t.sheets[1];
	assert_string_equal(sh->name, "Second");
	assert_int_equal(sh->nrows, 1);
	assert_row(&sh->rows[0], 1, 1, "\xC3\x89t\xC3\xA9 \xE2\x82\xAC");
	tabular_release(&t);

	/* Cut short: the zip's central directory is gone. */
	read_fails("book.xlsx", data, len / 2, SF_INVALID,
		   "book.xlsx: not a readable zip archive (Not a zip "
		   "archive)");
	free(data);
	tu_rmtree(dir);
	free(dir);
}

/* ---------------------------------------------------------------- */
/* XLSX built by hand                                                */

struct part {
	const char *name, *xml;
};

static char *
make_zip(const char *dir, const struct part *parts, size_t *len)
{
	char *path = xasprintf("%s/hand.xlsx", dir), *data;
	int zerr;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

	assert_non_null(za);
	for (; parts->name; parts++) {
		zip_source_t *src = zip_source_buffer(za, parts->xml,
						      strlen(parts->xml), 0);

		assert_non_null(src);
		assert_true(zip_file_add(za, parts->name, src,
					 ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	data = tu_read_file(path, len);
	assert_non_null(data);
	free(path);
	return data;
}

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL                                                             \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"

static const char root_rels[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"" NS_PKG "\">"
    "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";

static const char wb_xml[] =
    "<?xml version=\"1.0\"?><workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL
    "\"><workbookPr date1904=\"1\"/><sheets>"
    "<sheet name=\"Hand\" sheetId=\"1\" r:id=\"rId7\"/>"
    "<sheet name=\"Other\" sheetId=\"2\" r:id=\"rId8\"/>"
    "</sheets></workbook>";

static const char wb_rels[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"" NS_PKG "\">"
    "<Relationship Id=\"rId7\" Type=\"" NS_REL "/worksheet\" "
    "Target=\"worksheets/../worksheets/s1.xml\"/>"
    "<Relationship Id=\"rId8\" Type=\"" NS_REL "/worksheet\" "
    "Target=\"/xl/worksheets/s2.xml\"/>"
    "<Relationship Id=\"rId9\" Type=\"" NS_REL "/sharedStrings\" "
    "Target=\"strings.xml\"/>"
    "<Relationship Id=\"rId10\" Type=\"" NS_REL "/styles\" "
    "Target=\"styles.xml\"/></Relationships>";

static const char sst_xml[] =
    "<sst xmlns=\"" NS_MAIN "\" count=\"3\">"
    "<si><t>  plain  </t></si>"
    "<si><r><rPr><b/></rPr><t xml:space=\"preserve\">Rich </t></r>"
    "<r><t>text</t></r><rPh><t>PHONETIC</t></rPh></si>"
    "<si><t>line_x000D_break</t></si></sst>";

static const char styles_xml[] =
    "<styleSheet xmlns=\"" NS_MAIN "\"><numFmts count=\"1\">"
    "<numFmt numFmtId=\"170\" formatCode=\"d\\-mmm\\-yy;@\"/></numFmts>"
    "<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"170\"/>"
    "<xf numFmtId=\"4\"/></cellXfs></styleSheet>";

static const char s1_xml[] =
    "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
    "<row r=\"2\"><c r=\"C2\" t=\"inlineStr\"><is><t>inline</t></is></c>"
    "<c r=\"A2\" t=\"s\"><v>0</v></c></row>"
    "<row r=\"5\"><c r=\"B5\" t=\"s\"><v>1</v></c>"
    "<c t=\"str\"><f>A1</f><v>formula</v></c>"
    "<c t=\"b\"><v>1</v></c><c t=\"e\"><v>#N/A</v></c>"
    "<c r=\"G5\" s=\"1\"><v>0</v></c><c s=\"2\"><v>1234.5</v></c></row>"
    "<row><c r=\"A6\" t=\"inlineStr\"><is><r><t>a</t></r><r><t>b</t></r>"
    "</is></c><c r=\"B6\" t=\"s\"><v>2</v></c></row>"
    "</sheetData></worksheet>";

static const char s2_xml[] = "<worksheet xmlns=\"" NS_MAIN "\"><sheetData/>"
			     "</worksheet>";

static void
test_xlsx_hand(void **state)
{
	const struct part parts[] = {
	    {"_rels/.rels", root_rels},
	    {"xl/workbook.xml", wb_xml},
	    {"xl/_rels/workbook.xml.rels", wb_rels},
	    {"xl/strings.xml", sst_xml},
	    {"xl/styles.xml", styles_xml},
	    {"xl/worksheets/s1.xml", s1_xml},
	    {"xl/worksheets/s2.xml", s2_xml},
	    {NULL, NULL},
	};
	char *dir = tu_tempdir(), *data;
	size_t len;
	struct tabular t;
	const struct sheet *sh;

	(void)state;
	data = make_zip(dir, parts, &len);
	read_ok("hand.xlsx", data, len, &t);
	assert_int_equal(t.n, 2);
	sh = &t.sheets[0];
	assert_string_equal(sh->name, "Hand");
	assert_int_equal(sh->nrows, 6);
	assert_row(&sh->rows[0], 1, 0);
	assert_row(&sh->rows[1], 2, 3, "plain", "", "inline");
	assert_row(&sh->rows[2], 3, 0);
	assert_row(&sh->rows[3], 4, 0);
	/* 1904 system: serial 0 is 1904-01-01. */
	assert_row(&sh->rows[4], 5, 8, "", "Rich text", "formula", "TRUE",
		   "#N/A", "", "1904-01-01", "1234.5");
	assert_row(&sh->rows[5], 6, 2, "ab", "line\rbreak");
	assert_string_equal(t.sheets[1].name, "Other");
	assert_int_equal(t.sheets[1].nrows, 0);
	tabular_release(&t);
	free(data);
	tu_rmtree(dir);
	free(dir);
}

static void
test_xlsx_errors(void **state)
{
	char *dir = tu_tempdir(), *data;
	size_t len;
	struct tabular t;
	struct sf_error err = {0};
	struct tabular_limits lim = tabular_default_limits;
	const struct part notxlsx[] = {{"hello.txt", "hello"}, {NULL, NULL}};
	const struct part badxml[] = {
	    {"xl/workbook.xml", wb_xml},
	    {"xl/_rels/workbook.xml.rels", wb_rels},
	    {"xl/strings.xml", sst_xml},
	    {"xl/worksheets/s1.xml",
	     "<worksheet>\n<sheetData>\n  <row></sheetData></worksheet>"},
	    {NULL, NULL}};
	const struct part nosheet[] = {
	    {"xl/workbook.xml", wb_xml},
	    {"xl/_rels/workbook.xml.rels", wb_rels},
	    {"xl/strings.xml", sst_xml},
	    {NULL, NULL}};
	const struct part badsst[] = {
	    {"xl/workbook.xml", wb_xml},
	    {"xl/_rels/workbook.xml.rels", wb_rels},
	    {"xl/strings.xml", sst_xml},
	    {"xl/worksheets/s1.xml",
	     "<worksheet><sheetData><row><c t=\"s\"><v>3</v></c></row>"
	     "</sheetData></worksheet>"},
	    {NULL, NULL}};
	const struct part doctype[] = {
	    {"xl/workbook.xml",
	     "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><workbook/>"},
	    {NULL, NULL}};

	(void)state;
	data = make_zip(dir, notxlsx, &len);
	read_fails("a.xlsx", data, len, SF_INVALID,
		   "a.xlsx: a zip archive but not an XLSX workbook (no "
		   "xl/workbook.xml)");
	free(data);

	data = make_zip(dir, badxml, &len);
	read_fails("b.xlsx", data, len, SF_INVALID,
		   "b.xlsx: xl/worksheets/s1.xml:3:10: mismatched tag");
	free(data);

	data = make_zip(dir, nosheet, &len);
	read_fails("c.xlsx", data, len, SF_INVALID,
		   "c.xlsx: sheet \"Hand\": part xl/worksheets/s1.xml "
		   "missing");
	free(data);

	data = make_zip(dir, badsst, &len);
	read_fails("d.xlsx", data, len, SF_INVALID,
		   "d.xlsx: sheet \"Hand\" (xl/worksheets/s1.xml:1): cell "
		   "A1: shared string \"3\" not among the 3 shared strings");
	free(data);

	data = make_zip(dir, doctype, &len);
	read_fails("e.xlsx", data, len, SF_INVALID,
		   "e.xlsx: xl/workbook.xml:1: DOCTYPE not allowed");
	free(data);

	/* A part over the limit, whatever the zip says. */
	data = write_workbook(dir, &len);
	lim.max_part = 500;
	assert_int_equal(tabular_read_limits("f.xlsx", data, len, &lim, &t,
					     &err),
			 SF_TOO_LARGE);
	assert_non_null(strstr(err.message, "is larger than 500 bytes"));
	tabular_release(&t);
	lim = tabular_default_limits;
	lim.max_cells = 10;
	assert_int_equal(tabular_read_limits("f.xlsx", data, len, &lim, &t,
					     &err),
			 SF_TOO_LARGE);
	assert_string_equal(err.message,
			    "f.xlsx: sheet \"Users\" row 4: more than 10 "
			    "cells or 1073741824 bytes of text");
	tabular_release(&t);
	free(data);

	read_fails("g.xlsx", "PK\5\6", 4, SF_INVALID,
		   "g.xlsx: an empty or split zip archive, not an XLSX "
		   "workbook");
	tu_rmtree(dir);
	free(dir);
}

static void
test_column_name(void **state)
{
	char n[8];

	(void)state;
	tabular_column_name(0, n);
	assert_string_equal(n, "A");
	tabular_column_name(25, n);
	assert_string_equal(n, "Z");
	tabular_column_name(26, n);
	assert_string_equal(n, "AA");
	tabular_column_name(16383, n);
	assert_string_equal(n, "XFD");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_comma),
	    cmocka_unit_test(test_csv_semicolon_bom_crlf),
	    cmocka_unit_test(test_csv_tab_title),
	    cmocka_unit_test(test_csv_quoted_newlines),
	    cmocka_unit_test(test_csv_cp1252),
	    cmocka_unit_test(test_csv_utf16),
	    cmocka_unit_test(test_csv_errors),
	    cmocka_unit_test(test_csv_empty),
	    cmocka_unit_test(test_csv_limits),
	    cmocka_unit_test(test_xlsx_writer),
	    cmocka_unit_test(test_xlsx_hand),
	    cmocka_unit_test(test_xlsx_errors),
	    cmocka_unit_test(test_column_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
