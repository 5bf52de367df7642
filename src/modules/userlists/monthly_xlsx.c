/*
 * monthly_xlsx.c - `<yyyy-mm> User List.xlsx` (seed 002 SEC.6.6) with
 * libxlsxwriter: one sheet per list of the month with its rows as
 * imported (the typed columns of ulimport), then the "Counts" sheet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "modules/userlists/monthly.h"

/* Excel's last row (0-based). */
#define MAX_ROW 1048575u

struct sheet_ctx {
	lxw_worksheet *ws;
	json_t *cols; /* column names, from the first row */
	lxw_row_t row;
	lxw_error lerr;
	int too_many;
};

static lxw_error
cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, json_t *v)
{
	if (json_is_string(v))
		return worksheet_write_string(ws, r, c, json_string_value(v),
					      NULL);
	if (json_is_integer(v))
		return worksheet_write_number(
			ws, r, c, (double)json_integer_value(v), NULL);
	if (json_is_boolean(v))
		return worksheet_write_string(ws, r, c,
					      json_is_true(v) ? "TRUE" : "FALSE",
					      NULL);
	if (json_is_array(v)) {
		struct buf b;
		size_t i;
		json_t *x;
		lxw_error e;

		buf_init(&b, 1 << 20);
		json_array_foreach(v, i, x)
		{
			if (i)
				buf_adds(&b, ", ");
			if (json_is_string(x))
				buf_adds(&b, json_string_value(x));
		}
		e = b.len ? worksheet_write_string(ws, r, c, b.data, NULL)
			  : LXW_NO_ERROR;
		buf_release(&b);
		return e;
	}
	return LXW_NO_ERROR;
}

static int
sheet_row(void *ctx, const struct ulist_row *row)
{
	struct sheet_ctx *s = ctx;
	size_t i;
	json_t *name;

	if (!s->cols) {
		const char *k;
		json_t *v;
		s->cols = json_array();
		json_object_foreach(row->data, k, v)
		{
			(void)v;
			json_array_append_new(s->cols, json_string(k));
		}
		json_array_foreach(s->cols, i, name)
			s->lerr = worksheet_write_string(
				s->ws, 0, (lxw_col_t)i,
				json_string_value(name), NULL);
	}
	if (s->row >= MAX_ROW) {
		s->too_many = 1;
		return 1;
	}
	s->row++;
	json_array_foreach(s->cols, i, name)
	{
		lxw_error e = cell(s->ws, s->row, (lxw_col_t)i,
				   json_object_get(row->data,
						   json_string_value(name)));
		if (e)
			s->lerr = e;
	}
	return s->lerr ? 1 : 0;
}

static void
counts_sheet(lxw_workbook *wb, json_t *report)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Counts");
	json_t *counts = json_object_get(report, "counts");
	json_t *avg = json_object_get(report, "averages");
	const char *month = json_string_value(json_object_get(report, "month"));
	lxw_format *bold = workbook_add_format(wb);

	format_set_bold(bold);
	worksheet_write_string(ws, 0, 0, "Key", bold);
	worksheet_write_string(ws, 0, 1, "Figure", bold);
	worksheet_write_string(ws, 0, 2, month, bold);
	worksheet_write_string(ws, 0, 3, "Three-month average", bold);
	worksheet_set_column(ws, 0, 0, 34, NULL);
	worksheet_set_column(ws, 1, 1, 52, NULL);
	worksheet_set_column(ws, 2, 3, 20, NULL);
	for (size_t k = 0; k < MONTHLY_NKEYS; k++) {
		lxw_row_t r = (lxw_row_t)k + 1;
		worksheet_write_string(ws, r, 0, monthly_key(k), NULL);
		worksheet_write_string(ws, r, 1, monthly_key_label(k), NULL);
		cell(ws, r, 2, json_object_get(counts, monthly_key(k)));
		if (json_is_object(avg))
			cell(ws, r, 3, json_object_get(avg, monthly_key(k)));
	}
}

enum sf_status
monthly_workbook(struct store *st, json_t *report, const char *dir,
		 char **path, struct sf_error *err)
{
	const char *month = json_string_value(json_object_get(report, "month"));
	json_t *lists = json_object_get(report, "lists");
	char *final = NULL, *tmp = NULL;
	lxw_workbook *wb = NULL;
	lxw_error le;
	enum sf_status rc = SF_OK;

	if (path)
		*path = NULL;
	if (!month || monthly_month_ok(month))
		return sf_fail(err, SF_INVALID, "month", "no month in report");
	final = xasprintf("%s/%s User List.xlsx", dir, month);
	tmp = xasprintf("%s/.%s User List.xlsx.%ld.tmp", dir, month,
			(long)getpid());
	wb = workbook_new(tmp);
	if (!wb) {
		rc = sf_fail(err, SF_IO, NULL, "cannot create %s", final);
		goto out;
	}
	for (size_t i = 0; i < MONTHLY_NLISTS && !rc; i++) {
		const char *name = columns_resource_name(monthly_list(i));
		json_t *imp = json_object_get(lists, name);
		struct sheet_ctx s = {0};

		if (!json_is_object(imp))
			continue;
		s.ws = workbook_add_worksheet(wb, name);
		rc = st->ops->ulist_rows_each(
			st, json_integer_value(json_object_get(imp, "import")),
			sheet_row, &s, err);
		json_decref(s.cols);
		if (!rc && s.too_many)
			rc = sf_fail(err, SF_TOO_LARGE, NULL,
				     "%s: list %s has more rows than a sheet "
				     "holds",
				     final, name);
		else if (!rc && s.lerr)
			rc = sf_fail(err, SF_IO, NULL, "%s: sheet %s: %s",
				     final, name, lxw_strerror(s.lerr));
	}
	if (!rc)
		counts_sheet(wb, report);
	le = workbook_close(wb);
	if (!rc && le)
		rc = sf_fail(err, SF_IO, NULL, "cannot write %s: %s", final,
			     lxw_strerror(le));
	if (!rc && rename(tmp, final) != 0)
		rc = sf_fail(err, SF_IO, NULL, "cannot write %s", final);
	if (rc)
		unlink(tmp);
	else if (path) {
		*path = final;
		final = NULL;
	}
out:
	free(final);
	free(tmp);
	return rc;
}
