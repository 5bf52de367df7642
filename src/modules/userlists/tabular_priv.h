/*
 * tabular_priv.h - what tabular.c, tabular_csv.c and tabular_xlsx.c share:
 * the row builder that packs a row into one allocation, the sheet builder
 * that counts cells and text against the limits, and the two readers.
 */
#ifndef SF_TABULAR_PRIV_H
#define SF_TABULAR_PRIV_H

#include <stddef.h>

#include "core/buf.h"
#include "tabular.h"

/* Cells of one row as they arrive (maybe out of column order). */
struct rowb {
	struct buf text; /* the cells' text, each NUL-terminated */
	size_t *off;	 /* offset of cell i's text in text */
	size_t *col;	 /* column of cell i */
	size_t n, cap;
};

void rowb_init(struct rowb *rb);
void rowb_release(struct rowb *rb);
void rowb_reset(struct rowb *rb);
/* Add S (LEN bytes, no NUL inside) in column COL; a later cell in the same
 * column wins. */
void rowb_add(struct rowb *rb, size_t col, const char *s, size_t len);

/* A table being built, with what it has used of the limits. */
struct tabb {
	struct tabular *t;
	const struct tabular_limits *lim;
	size_t cells, text;
	size_t cap; /* of the current sheet's rows */
};

/* Start a new sheet called NAME (copied). */
void tabb_sheet(struct tabb *tb, const char *name);
/* Append the row in RB as row LINE of the current sheet and reset RB.
 * Fails with SF_TOO_LARGE over a limit (ERR names WHERE). */
enum sf_status tabb_row(struct tabb *tb, struct rowb *rb, size_t line,
			const char *where, struct sf_error *err);
/* Append empty rows up to (not including) row LINE. */
enum sf_status tabb_pad(struct tabb *tb, size_t line, const char *where,
			struct sf_error *err);

/* "dir/users.csv" -> "users" (the sheet name of a CSV file); caller frees. */
char *tabular_base_name(const char *name);

enum sf_status tabular_read_csv(struct tabb *tb, const char *data,
				size_t len, struct sf_error *err);
enum sf_status tabular_read_xlsx(struct tabb *tb, const void *data,
				 size_t len, struct sf_error *err);

/*
 * A CSV text read in parts (tabular_split.c), with tabular_csv.c's rules:
 * a part is fed line by line (LINE: the number of its first line), hands
 * each non-blank record to FN(CTX, row), and says whether its parser is
 * between records; csv_part_end reads the end of the whole text.
 */
struct csv_part;
/* The delimiter tabular_csv_each would choose for TEXT. */
unsigned char csv_delimiter_of(const char *text, size_t len);
/* 1 when TEXT is UTF-8 without NUL (read in place, as one part of it). */
int csv_is_utf8(const char *text, size_t len);
struct csv_part *csv_part_new(const char *source,
			      const struct tabular_limits *limits,
			      unsigned char delim, tabular_row_fn fn,
			      void *ctx, struct sf_error *err);
enum sf_status csv_part_feed(struct csv_part *cp, const char *text,
			     size_t len, size_t line);
int csv_part_between(const struct csv_part *cp);
/* 1 when the part has read exactly one record, not a blank one. */
int csv_part_one_row(const struct csv_part *cp);
enum sf_status csv_part_end(struct csv_part *cp);
void csv_part_free(struct csv_part *cp);

#endif
