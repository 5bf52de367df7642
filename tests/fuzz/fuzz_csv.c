/*
 * fuzz_csv.c - libFuzzer target for the CSV path of the user-list
 * importer: tabular_read() and columns_import() as a Webportal list (also
 * with bad rows skipped), and the streaming reader tabular_csv_each() with
 * the row-at-a-time checks (columns_map_*) that `userlist reconcile`
 * uses, which must agree with columns_import on the good and bad rows.
 * An input that starts with "PK" has its first byte changed so that it
 * stays on the CSV path (fuzz_xlsx.c covers workbooks).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/userlists/columns.h"
#include "modules/userlists/tabular.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct tabular_limits limits = {
	.max_part = 4 << 20,
	.max_cells = 200000,
	.max_text = 8 << 20,
};

struct stream {
	struct columns_map map;
	size_t good, bad, lastline;
	int found;
};

static enum sf_status
on_row(void *ctx, struct trow *row, struct sf_error *err)
{
	struct stream *st = ctx;
	struct ul_record rec;
	char why[640];
	int h;

	(void)err;
	if (row->line <= st->lastline)
		abort();
	st->lastline = row->line;
	if (!st->map.found) {
		h = columns_map_header(&st->map, row, why, sizeof(why));
		if (h < 0 && !why[0])
			abort();
		st->found |= h > 0;
		return h < 0 ? sf_fail(err, SF_INVALID, NULL, "%s", why) : 0;
	}
	if (columns_map_row(&st->map, row, &rec, why, sizeof(why))) {
		if (!why[0])
			abort();
		st->bad++;
	} else if (rec.line) {
		if (!rec.u.webportal.full_name[0])
			abort();
		st->good++;
	}
	return SF_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tabular t;
	struct ul_list l;
	struct sf_error err = {0};
	struct columns_opts o = {.skip_bad_rows = true};
	struct stream st = {0};
	uint8_t *copy = malloc(size ? size : 1);
	enum sf_status s, s2;

	memcpy(copy, data, size);
	if (size >= 2 && copy[0] == 'P' && copy[1] == 'K')
		copy[0] = 'Q';
	s = tabular_read_limits("fuzz.csv", copy, size, &limits, &t, &err);
	if (s && !err.message[0])
		abort();
	if (!s && t.kind != TABULAR_CSV)
		abort();
	/* The streaming reader sees the same records. */
	columns_map_init(&st.map, UL_WEBPORTAL, &o, "fuzz.csv");
	columns_map_sheet(&st.map, "fuzz", TABULAR_CSV);
	s2 = tabular_csv_each("fuzz.csv", copy, size, &limits, on_row, &st,
			      &err);
	if (s2 && !err.message[0])
		abort();
	if (s) {
		tabular_release(&t);
		free(copy);
		return 0;
	}
	for (size_t j = 0; j < t.sheets[0].nrows; j++) {
		const struct trow *r = &t.sheets[0].rows[j];

		if (j && r->line <= t.sheets[0].rows[j - 1].line)
			abort();
		for (size_t k = 0; k < r->ncells; k++)
			if (!r->cells[k] ||
			    (k + 1 == r->ncells && !r->cells[k][0]))
				abort();
	}
	if (columns_import(&t, UL_WEBPORTAL, NULL, &l, &err) &&
	    !err.message[0])
		abort();
	ul_list_release(&l);
	if (columns_import(&t, UL_WEBPORTAL, &o, &l, &err) == SF_OK) {
		/* Same header rules, same checks: same rows (unless the
		 * stream stopped on a header naming a column twice, which
		 * columns_import refuses too). */
		if (!s2 && st.found &&
		    (st.good != l.n || st.bad != l.bad_rows))
			abort();
		for (size_t i = 0; i < l.n; i++)
			if (!l.recs[i].u.webportal.full_name[0])
				abort();
	}
	ul_list_release(&l);
	tabular_release(&t);
	free(copy);
	return 0;
}
