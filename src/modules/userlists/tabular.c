/*
 * tabular.c - the table of a CSV or XLSX file: deciding the format,
 * building rows and sheets within the limits, releasing.  The formats
 * themselves are read in tabular_csv.c and tabular_xlsx.c.
 */
#include "tabular_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"

const struct tabular_limits tabular_default_limits = {
	.max_part = TABULAR_MAX_PART,
	.max_cells = TABULAR_MAX_CELLS,
	.max_text = TABULAR_MAX_TEXT,
	.split_min = TABULAR_SPLIT_MIN,
};

#define MAX_FILE ((size_t)1 << 30)

void
rowb_init(struct rowb *rb)
{
	memset(rb, 0, sizeof(*rb));
	buf_init(&rb->text, 0);
}

void
rowb_release(struct rowb *rb)
{
	buf_release(&rb->text);
	free(rb->off);
	free(rb->col);
	memset(rb, 0, sizeof(*rb));
}

void
rowb_reset(struct rowb *rb)
{
	buf_reset(&rb->text);
	rb->n = 0;
}

void
rowb_add(struct rowb *rb, size_t col, const char *s, size_t len)
{
	if (rb->n == rb->cap) {
		rb->cap = rb->cap ? rb->cap * 2 : 16;
		rb->off = xrealloc(rb->off, rb->cap * sizeof(*rb->off));
		rb->col = xrealloc(rb->col, rb->cap * sizeof(*rb->col));
	}
	rb->off[rb->n] = rb->text.len;
	rb->col[rb->n] = col;
	rb->n++;
	/* An unlimited buf only fails on exhaustion, which aborts. */
	(void)buf_add(&rb->text, s, len);
	(void)buf_add(&rb->text, "", 1);
}

void
tabb_sheet(struct tabb *tb, const char *name)
{
	struct tabular *t = tb->t;

	t->sheets = xrealloc(t->sheets, (t->n + 1) * sizeof(*t->sheets));
	memset(&t->sheets[t->n], 0, sizeof(t->sheets[t->n]));
	t->sheets[t->n].name = xstrdup(name);
	t->n++;
	tb->cap = 0;
}

/* Make room for one more row in the current sheet; count it as a cell so
 * that a sheet of a million empty rows is bounded too. */
static enum sf_status
tabb_grow(struct tabb *tb, const char *where, struct sf_error *err)
{
	struct sheet *sh = &tb->t->sheets[tb->t->n - 1];

	if (++tb->cells > tb->lim->max_cells)
		return sf_fail(err, SF_TOO_LARGE, NULL,
			       "%s: more than %zu cells", where,
			       tb->lim->max_cells);
	if (sh->nrows == tb->cap) {
		tb->cap = tb->cap ? tb->cap * 2 : 64;
		sh->rows = xrealloc(sh->rows, tb->cap * sizeof(*sh->rows));
	}
	return SF_OK;
}

enum sf_status
tabb_pad(struct tabb *tb, size_t line, const char *where,
	 struct sf_error *err)
{
	struct sheet *sh = &tb->t->sheets[tb->t->n - 1];
	enum sf_status s;

	while (sh->nrows + 1 < line) {
		if ((s = tabb_grow(tb, where, err)))
			return s;
		sh->rows[sh->nrows].line = sh->nrows + 1;
		sh->rows[sh->nrows].cells = xmalloc(1);
		sh->rows[sh->nrows].ncells = 0;
		sh->nrows++;
	}
	return SF_OK;
}

enum sf_status
tabb_row(struct tabb *tb, struct rowb *rb, size_t line, const char *where,
	 struct sf_error *err)
{
	struct sheet *sh = &tb->t->sheets[tb->t->n - 1];
	struct trow *r;
	size_t ncells = 0, textlen = rb->text.len;
	char *text;
	enum sf_status s;

	for (size_t i = 0; i < rb->n; i++)
		if (rb->text.data[rb->off[i]] && rb->col[i] + 1 > ncells)
			ncells = rb->col[i] + 1;
	if ((s = tabb_grow(tb, where, err)))
		goto out;
	if (ncells > tb->lim->max_cells - tb->cells ||
	    textlen > tb->lim->max_text - tb->text) {
		s = sf_fail(err, SF_TOO_LARGE, NULL,
			    "%s: more than %zu cells or %zu bytes of text",
			    where, tb->lim->max_cells, tb->lim->max_text);
		goto out;
	}
	tb->cells += ncells;
	tb->text += textlen;
	r = &sh->rows[sh->nrows++];
	r->line = line;
	r->ncells = ncells;
	/* Pointers first, then "" for the empty cells, then the text. */
	r->cells = xmalloc(ncells * sizeof(char *) + 1 + textlen);
	text = (char *)(r->cells + ncells);
	text[0] = '\0';
	memcpy(text + 1, rb->text.data, textlen);
	for (size_t i = 0; i < ncells; i++)
		r->cells[i] = text;
	for (size_t i = 0; i < rb->n; i++)
		if (rb->col[i] < ncells)
			r->cells[rb->col[i]] = text + 1 + rb->off[i];
out:
	rowb_reset(rb);
	return s;
}

char *
tabular_base_name(const char *name)
{
	const char *b = strrchr(name, '/');
	const char *dot;

	b = b ? b + 1 : name;
	dot = strrchr(b, '.');
	if (!dot || dot == b)
		return xstrdup(b);
	return xstrndup(b, (size_t)(dot - b));
}

enum sf_status
tabular_read_limits(const char *name, const void *data, size_t len,
		    const struct tabular_limits *limits, struct tabular *out,
		    struct sf_error *err)
{
	struct tabb tb = {.t = out,
			  .lim = limits ? limits : &tabular_default_limits};
	enum sf_status s;
	char *sheet;

	memset(out, 0, sizeof(*out));
	out->source = xstrdup(name ? name : "input");
	if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0) {
		out->kind = TABULAR_XLSX;
		return tabular_read_xlsx(&tb, data, len, err);
	}
	if (len >= 4 && (memcmp(data, "PK\5\6", 4) == 0 ||
			 memcmp(data, "PK\7\10", 4) == 0))
		return sf_fail(err, SF_INVALID, NULL,
			       "%s: an empty or split zip archive, not an "
			       "XLSX workbook",
			       out->source);
	out->kind = TABULAR_CSV;
	sheet = tabular_base_name(out->source);
	tabb_sheet(&tb, sheet);
	free(sheet);
	s = tabular_read_csv(&tb, data, len, err);
	return s;
}

enum sf_status
tabular_each(const char *name, const void *data, size_t len,
	     const struct tabular_limits *limits, tabular_sheet_fn sheet,
	     tabular_row_fn fn, void *ctx, struct sf_error *err)
{
	struct tabular t;
	enum sf_status s;
	char *base;

	if (!(len >= 2 && memcmp(data, "PK", 2) == 0)) {
		base = tabular_base_name(name ? name : "input");
		s = sheet ? sheet(ctx, 0, base, TABULAR_CSV, err) : SF_OK;
		free(base);
		if (!s)
			s = tabular_csv_each(name, data, len, limits, fn, ctx,
					     err);
		return s;
	}
	if ((s = tabular_read_limits(name, data, len, limits, &t, err)))
		goto out;
	for (size_t i = 0; i < t.n && !s; i++) {
		if (sheet &&
		    (s = sheet(ctx, i, t.sheets[i].name, t.kind, err)))
			break;
		for (size_t j = 0; j < t.sheets[i].nrows && !s; j++)
			if (t.sheets[i].rows[j].ncells)
				s = fn(ctx, &t.sheets[i].rows[j], err);
	}
out:
	tabular_release(&t);
	return s;
}

enum sf_status
tabular_read(const char *name, const void *data, size_t len,
	     struct tabular *out, struct sf_error *err)
{
	return tabular_read_limits(name, data, len, NULL, out, err);
}

enum sf_status
tabular_read_file(const char *path, struct tabular *out,
		  struct sf_error *err)
{
	FILE *f = NULL;
	struct stat st;
	char *data = NULL;
	size_t n = 0;
	enum sf_status s;

	memset(out, 0, sizeof(*out));
	if (!(f = fopen(path, "rb")) || fstat(fileno(f), &st) != 0) {
		s = sf_fail(err, SF_IO, NULL, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_FILE) {
		s = sf_fail(err, SF_TOO_LARGE, NULL,
			    "%s: not a regular file of at most 1 GiB", path);
		goto out;
	}
	data = xmalloc((size_t)st.st_size + 1);
	n = fread(data, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		s = sf_fail(err, SF_IO, NULL, "%s: read error", path);
		goto out;
	}
	s = tabular_read(path, data, n, out, err);
out:
	if (f)
		fclose(f);
	free(data);
	return s;
}

void
tabular_release(struct tabular *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->sheets[i].nrows; j++)
			free(t->sheets[i].rows[j].cells);
		free(t->sheets[i].rows);
		free(t->sheets[i].name);
	}
	free(t->sheets);
	free(t->source);
	memset(t, 0, sizeof(*t));
}

const char *
trow_cell(const struct trow *row, size_t col)
{
	return col < row->ncells ? row->cells[col] : "";
}

void
tabular_column_name(size_t col, char out[8])
{
	char tmp[8];
	size_t n = 0, i = 0;

	col++;
	while (col > 0 && n < 7) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	while (n > 0)
		out[i++] = tmp[--n];
	out[i] = '\0';
}
