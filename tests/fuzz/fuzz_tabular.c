/*
 * fuzz_tabular.c - libFuzzer target for tabular_read() and, on what it
 * reads, columns_import() as a Webportal list (also with bad rows
 * skipped).  Small limits keep each run fast; every failure must carry a
 * message, every cell must be a string, and the records must be
 * consistent with the rows they came from.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tabular t;
	struct ul_list l;
	struct sf_error err = {0};
	struct columns_opts o = {.skip_bad_rows = true};

	if (tabular_read_limits("fuzz.csv", data, size, &limits, &t, &err)) {
		if (!err.message[0])
			abort();
		tabular_release(&t);
		return 0;
	}
	for (size_t i = 0; i < t.n; i++)
		for (size_t j = 0; j < t.sheets[i].nrows; j++) {
			const struct trow *r = &t.sheets[i].rows[j];

			if (j && r->line <= t.sheets[i].rows[j - 1].line)
				abort();
			for (size_t k = 0; k < r->ncells; k++)
				if (!r->cells[k] || (k + 1 == r->ncells &&
						     !r->cells[k][0]))
					abort();
		}
	if (columns_import(&t, UL_WEBPORTAL, NULL, &l, &err) &&
	    !err.message[0])
		abort();
	ul_list_release(&l);
	if (columns_import(&t, UL_WEBPORTAL, &o, &l, &err) == SF_OK) {
		for (size_t i = 0; i < l.n; i++)
			if (!l.recs[i].u.webportal.full_name[0] ||
			    l.recs[i].sheet >= t.n)
				abort();
	}
	ul_list_release(&l);
	tabular_release(&t);
	return 0;
}
