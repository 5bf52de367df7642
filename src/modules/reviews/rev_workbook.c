/*
 * rev_workbook.c - the workbooks of a campaign (libxlsxwriter):
 *   - per NA "TAXUD-ITSM-Portal-UAM-<yyyy>Q<q>-<na>.xlsx" (SEC.5.2): a
 *     title in A1, "Date" in A2 and the date in B2, the header of the
 *     SEC.5.1 columns in row 4 and one user a row below; every sheet is
 *     protected (blank password) and only the cells the NPM decides on
 *     are unlocked: the rights (CS/RD TST, CS/RD PROD, CS/MIS Domain,
 *     CS/MIS) and Deleted (TRUE = disable the account).  The answer is
 *     the same workbook sent back, so it reads with the user-list
 *     importer.
 *   - per CCN gateway "TAXUD-CCN-UAM-<yyyy>Q<q>-<gateway>.xlsx"
 *     (SEC.5.11): User, Profile, User info, User aging and "Change D/K",
 *     whose cells are the only unlocked ones.
 * libxlsxwriter writes files only, so each workbook goes through a
 * temporary file that is read back and removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/alloc.h"
#include "core/jsonget.h"
#include "modules/reviews/rev_internal.h"

char *
rev_na_workbook_name(const char *quarter, const char *na)
{
	return xasprintf("TAXUD-ITSM-Portal-UAM-%s-%s.xlsx", quarter, na);
}

char *
rev_ccn_workbook_name(const char *quarter, const char *gateway)
{
	return xasprintf("TAXUD-CCN-UAM-%s-%s.xlsx", quarter, gateway);
}

/* ["NCTS","ECS"] → "NCTS, ECS" */
static void
join_list(json_t *a, char *out, size_t n)
{
	json_t *x;
	size_t i, o = 0;

	out[0] = '\0';
	json_array_foreach(a, i, x)
		o += (size_t)snprintf(out + (o < n ? o : n),
				      o < n ? n - o : 0, "%s%s", i ? ", " : "",
				      json_string_value(x));
}

/* ["ECS","ICS","NCTS"] → the seed's code "EIN". */
static void
csmis_code(json_t *a, char out[4])
{
	int e = 0, i = 0, n = 0;
	json_t *x;
	size_t k, o = 0;

	json_array_foreach(a, k, x)
	{
		const char *s = json_string_value(x);
		e |= s && strcmp(s, "ECS") == 0;
		i |= s && strcmp(s, "ICS") == 0;
		n |= s && strcmp(s, "NCTS") == 0;
	}
	if (e)
		out[o++] = 'E';
	if (i)
		out[o++] = 'I';
	if (n)
		out[o++] = 'N';
	out[o] = '\0';
}

/* Close WB (written to a temporary PATH) and read the bytes back. */
static enum sf_status
finish(lxw_workbook *wb, const char *path, char **data, size_t *len,
       struct sf_error *err)
{
	lxw_error e = workbook_close(wb);
	FILE *f;
	long n;

	if (e != LXW_NO_ERROR) {
		unlink(path);
		return sf_fail(err, SF_IO, NULL, "cannot write the workbook: %s",
			       lxw_strerror(e));
	}
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		if (f)
			fclose(f);
		unlink(path);
		return sf_fail(err, SF_IO, NULL, "cannot read back %s", path);
	}
	*data = xmalloc((size_t)n + 1);
	*len = fread(*data, 1, (size_t)n, f);
	fclose(f);
	unlink(path);
	if (*len != (size_t)n) {
		free(*data);
		*data = NULL;
		return sf_fail(err, SF_IO, NULL, "short read of %s", path);
	}
	return SF_OK;
}

static lxw_workbook *
new_book(char path[64], struct sf_error *err)
{
	const char *tmp = getenv("TMPDIR");
	int fd;
	lxw_workbook *wb;

	snprintf(path, 64, "%s/secflow-wb-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		sf_fail(err, SF_IO, NULL, "cannot make a temporary file");
		return NULL;
	}
	close(fd);
	wb = workbook_new(path);
	if (!wb) {
		unlink(path);
		sf_fail(err, SF_IO, NULL, "cannot start a workbook");
	}
	return wb;
}

enum sf_status
rev_na_workbook(const char *quarter, const char *na, json_t *users,
		sf_time now, char **data, size_t *len, struct sf_error *err)
{
	static const char *const head[] = {
		"Full name",	 "New UID",	"Organisation", "NA",
		"CS/RD Domain",	 "CS/RD TST",	"CS/RD PROD",	"CS/MIS Domain",
		"CS/MIS",	 "E-mail",	"Deleted"};
	char path[64], title[160], sheet[32];
	lxw_workbook *wb = new_book(path, err);
	lxw_worksheet *ws, *help;
	lxw_format *bold, *date, *open;
	lxw_datetime dt = {0};
	json_t *u;
	size_t i;
	int y, m, d;

	if (!wb)
		return err->status;
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	open = workbook_add_format(wb);
	format_set_unlocked(open);
	snprintf(sheet, sizeof(sheet), "UAM %s", na);
	ws = workbook_add_worksheet(wb, sheet);
	snprintf(title, sizeof(title),
		 "TAXUD ITSM Portal - bi-annual user access review %s - %s",
		 quarter, na);
	worksheet_write_string(ws, 0, 0, title, bold);
	worksheet_write_string(ws, 1, 0, "Date", bold);
	date_to_ymd(date_of(now), &y, &m, &d);
	dt.year = y;
	dt.month = m;
	dt.day = d;
	worksheet_write_datetime(ws, 1, 1, &dt, date);
	for (size_t c = 0; c < sizeof(head) / sizeof(head[0]); c++)
		worksheet_write_string(ws, 3, (lxw_col_t)c, head[c], bold);
	json_array_foreach(users, i, u)
	{
		lxw_row_t r = (lxw_row_t)(4 + i);
		char buf[128], code[4];
		worksheet_write_string(ws, r, 0, json_get_str(u, "full_name"),
				       NULL);
		worksheet_write_string(ws, r, 1, json_get_str(u, "uid"), NULL);
		worksheet_write_string(ws, r, 2,
				       json_get_str(u, "organisation"), NULL);
		worksheet_write_string(ws, r, 3, json_get_str(u, "na"), NULL);
		join_list(json_object_get(u, "csrd_domain"), buf, sizeof(buf));
		worksheet_write_string(ws, r, 4, buf, NULL);
		worksheet_write_string(ws, r, 5, json_get_str(u, "csrd_tst"),
				       open);
		worksheet_write_string(ws, r, 6, json_get_str(u, "csrd_prod"),
				       open);
		csmis_code(json_object_get(u, "csmis_domain"), code);
		worksheet_write_string(ws, r, 7, code, open);
		worksheet_write_string(ws, r, 8,
				       json_get_str(u, "csmis_profile"), open);
		worksheet_write_string(ws, r, 9, json_get_str(u, "email"),
				       NULL);
		worksheet_write_string(ws, r, 10, "FALSE", open);
	}
	worksheet_set_column(ws, 0, 2, 28, NULL);
	worksheet_set_column(ws, 3, 10, 14, NULL);
	worksheet_protect(ws, NULL, NULL);
	help = workbook_add_worksheet(wb, "Instructions");
	worksheet_write_string(help, 0, 0,
			       "Review each user of your National "
			       "Administration.",
			       bold);
	worksheet_write_string(help, 1, 0,
			       "To disable an account, set Deleted to TRUE.  "
			       "To change rights, edit CS/RD TST, CS/RD PROD "
			       "(empty, Full, No, Read, Write), CS/MIS Domain "
			       "(E, I, N, EI, EN, IN, EIN) or CS/MIS (Admin, "
			       "ND Admin, ND User, Oper).",
			       NULL);
	worksheet_write_string(help, 2, 0,
			       "Other cells are protected.  Send the workbook "
			       "back to the ITSM Service Desk.",
			       NULL);
	worksheet_protect(help, NULL, NULL);
	return finish(wb, path, data, len, err);
}

enum sf_status
rev_ccn_workbook(const char *quarter, const char *gateway, json_t *rows,
		 sf_time now, char **data, size_t *len, struct sf_error *err)
{
	static const char *const head[] = {"User", "Profile", "User info",
					   "User aging", "Change D/K"};
	char path[64], sheet[32];
	lxw_workbook *wb = new_book(path, err);
	lxw_worksheet *ws;
	lxw_format *bold, *open;
	json_t *u;
	size_t i;

	(void)now;
	(void)quarter;
	if (!wb)
		return err->status;
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	open = workbook_add_format(wb);
	format_set_unlocked(open);
	snprintf(sheet, sizeof(sheet), "%.31s", gateway);
	ws = workbook_add_worksheet(wb, sheet);
	for (size_t c = 0; c < 5; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], bold);
	json_array_foreach(rows, i, u)
	{
		lxw_row_t r = (lxw_row_t)(1 + i);
		worksheet_write_string(ws, r, 0, json_get_str(u, "user"), NULL);
		worksheet_write_string(ws, r, 1, json_get_str(u, "profile"),
				       NULL);
		worksheet_write_string(ws, r, 2, json_get_str(u, "info"), NULL);
		worksheet_write_string(ws, r, 3, json_get_str(u, "aging"),
				       NULL);
		worksheet_write_blank(ws, r, 4, open);
	}
	worksheet_set_column(ws, 0, 4, 20, NULL);
	worksheet_protect(ws, NULL, NULL);
	return finish(wb, path, data, len, err);
}

enum sf_status
rev_table_workbook(json_t *sheets, char **data, size_t *len,
		   struct sf_error *err)
{
	char path[64];
	lxw_workbook *wb = new_book(path, err);
	lxw_format *bold;
	const char *name;
	json_t *rows;

	if (!wb)
		return err->status;
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	json_object_foreach(sheets, name, rows)
	{
		lxw_worksheet *ws = workbook_add_worksheet(wb, name);
		json_t *row, *cell;
		size_t r, c;
		json_array_foreach(rows, r, row) json_array_foreach(row, c, cell)
		{
			if (json_is_integer(cell))
				worksheet_write_number(
					ws, (lxw_row_t)r, (lxw_col_t)c,
					(double)json_integer_value(cell), NULL);
			else
				worksheet_write_string(
					ws, (lxw_row_t)r, (lxw_col_t)c,
					json_is_string(cell)
						? json_string_value(cell)
						: "",
					r == 0 ? bold : NULL);
		}
		worksheet_set_column(ws, 0, 8, 18, NULL);
	}
	return finish(wb, path, data, len, err);
}
