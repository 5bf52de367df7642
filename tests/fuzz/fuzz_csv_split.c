/*
 * fuzz_csv_split.c - libFuzzer target for tabular_each_split(), against
 * tabular_each() on the same text: when the split reading does not give
 * up (SF_CONFLICT), it must end as the whole reading does (the same
 * status and message, line numbers included) and, on success, hand over
 * the same rows: the first part's, then the second part's after its
 * copy of the first record.  The cut is forced on any input (split_min 1).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "modules/userlists/tabular.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct tabular_limits limits = {
	.max_part = 4 << 20,
	.max_cells = 2000,
	.max_text = 8 << 20,
	.split_min = 1,
};

/* Rows as text, "LINE|cell\x1fcell...\n", and where the first one ends. */
struct rows {
	struct buf b;
	size_t first_line, first_len;
};

static enum sf_status
on_row(void *ctx, struct trow *row, struct sf_error *err)
{
	struct rows *r = ctx;

	(void)err;
	buf_addf(&r->b, "%zu|", row->line);
	for (size_t i = 0; i < row->ncells; i++) {
		buf_adds(&r->b, row->cells[i]);
		buf_add(&r->b, "\x1f", 1);
	}
	buf_add(&r->b, "\n", 1);
	if (!r->first_line) {
		r->first_line = row->line;
		r->first_len = r->b.len;
	}
	return SF_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rows whole = {0}, part[2] = {{0}, {0}};
	void *ctx[2] = {&part[0], &part[1]};
	struct sf_error e1 = {0}, e2 = {0};
	enum sf_status s1, s2;

	buf_init(&whole.b, 0);
	buf_init(&part[0].b, 0);
	buf_init(&part[1].b, 0);
	s2 = tabular_each_split("f.csv", data, size, &limits, NULL, on_row,
				ctx, &e2);
	if (s2 == SF_CONFLICT)
		goto out;
	s1 = tabular_each("f.csv", data, size, &limits, NULL, on_row, &whole,
			  &e1);
	if (s1 != s2 || (s1 && strcmp(e1.message, e2.message) != 0))
		abort();
	if (!s1) {
		/* the second part's copy of the first record goes: its first
		 * row, which must be the text's first */
		struct buf joined;
		size_t skip = part[1].first_len;

		if (!part[1].first_line ||
		    part[1].first_line != whole.first_line)
			abort();

		buf_init(&joined, 0);
		buf_add(&joined, part[0].b.data, part[0].b.len);
		buf_add(&joined, part[1].b.data + skip, part[1].b.len - skip);
		if (joined.len != whole.b.len ||
		    memcmp(joined.data, whole.b.data, joined.len) != 0)
			abort();
		buf_release(&joined);
	}
out:
	buf_release(&whole.b);
	buf_release(&part[0].b);
	buf_release(&part[1].b);
	return 0;
}
