/*
 * tabular.h - read a table file (CSV or XLSX) into sheets of rows of UTF-8
 * cells.  This is the reading layer of the user lists: no meaning is given
 * to any cell here (see columns.h for that).
 *
 * The format is decided by content, never by the name: a zip archive
 * ("PK\3\4") is read as XLSX, anything else as CSV.
 *
 * CSV (libcsv), one sheet named after the file (base name without its
 * extension):
 *   - Encoding, decided for the whole file: a UTF-8 BOM is dropped; a
 *     UTF-16LE or UTF-16BE BOM makes the file UTF-16, converted to UTF-8
 *     (bad UTF-16 is an error naming the byte offset); otherwise valid
 *     UTF-8 is read as is and anything else as Windows-1252 (the five
 *     bytes Windows-1252 leaves undefined map to U+0081.. as WHATWG does).
 *     A NUL byte is an error.
 *   - Delimiter: one of ',' ';' TAB.  Each is tried on the first 10
 *     non-blank records; its width is the field count that the most of
 *     those records share (ties: the larger count).  The delimiter with the
 *     largest width wins; ties go to ',' then ';' then TAB.  So a title
 *     line above the header does not mislead, and neither do a few
 *     unquoted "Last, First" names in a ';' file.
 *   - Quoted fields may hold delimiters, line breaks and doubled quotes;
 *     a quote left open at the end of the file is an error.  Lines end in
 *     LF, CRLF or CR.  Blank lines produce no row.
 *   - trow.line is the physical line (1-based) where the record starts.
 *
 * XLSX (libzip + expat): every worksheet in workbook order, named as in
 * the workbook; chart sheets and the like are skipped.  Cells become text:
 * shared strings (rich text runs joined, phonetic runs dropped; the text of
 * a <t> without xml:space="preserve" is trimmed of XML white space), inline
 * strings, formula strings, booleans as TRUE/FALSE, errors as their text
 * (#N/A...), numbers as written in the file, and numbers whose style is a
 * date (built-in formats 14-22 and 45-47, or a custom format with date or
 * time letters) as YYYY-MM-DD, HH:MM:SS or YYYY-MM-DDTHH:MM:SS (1900 and
 * 1904 date systems).  Cell references put each cell in its column;
 * rows are materialised from row 1 up to the last row of the sheet, so
 * rows[i].line == i + 1 and missing rows are empty.  Each part is read in
 * a stream and may not exceed limits.max_part bytes uncompressed, whatever
 * the zip header claims; a DOCTYPE is refused.
 *
 * Both: cells are never NULL (an empty cell is ""); ncells stops at the last
 * non-empty cell, so an empty row has ncells == 0.  The whole table may not
 * exceed limits.max_cells cells (empty ones included) nor limits.max_text
 * bytes of cell text.
 *
 * Errors say where: "users.csv:14: ...", "book.xlsx: xl/worksheets/
 * sheet1.xml:3:17: mismatched tag", "book.xlsx: sheet \"Users\" cell B7:
 * ...".
 */
#ifndef SF_TABULAR_H
#define SF_TABULAR_H

#include <stddef.h>

#include "core/status.h"

enum tabular_kind { TABULAR_CSV, TABULAR_XLSX };

struct trow {
	size_t line;  /* 1-based physical line (CSV) or row number (XLSX) */
	char **cells; /* ncells UTF-8 strings, never NULL; one allocation */
	size_t ncells;
};

struct sheet {
	char *name;
	struct trow *rows;
	size_t nrows;
};

struct tabular {
	enum tabular_kind kind;
	char *source; /* the name given to tabular_read, for messages */
	struct sheet *sheets;
	size_t n;
};

struct tabular_limits {
	size_t max_part;  /* bytes of one uncompressed XLSX part */
	size_t max_cells; /* cells of the whole table, empty ones included */
	size_t max_text;  /* bytes of cell text of the whole table */
	size_t split_min; /* tabular_each_split: the smallest text it cuts
			     (0: TABULAR_SPLIT_MIN) */
};

#define TABULAR_MAX_PART ((size_t)200 << 20)
#define TABULAR_MAX_CELLS ((size_t)20 << 20)
#define TABULAR_MAX_TEXT ((size_t)1 << 30)

/* The defaults above. */
extern const struct tabular_limits tabular_default_limits;

/*
 * Read the LEN bytes at DATA into OUT (which the caller releases with
 * tabular_release, also after a failure).  NAME (a path or a file name)
 * names the file in messages.  Fails with SF_INVALID on bad content,
 * SF_TOO_LARGE over a limit; ERR says what and where.
 */
enum sf_status tabular_read(const char *name, const void *data, size_t len,
			    struct tabular *out, struct sf_error *err);
/* The same with LIMITS (NULL: the defaults). */
enum sf_status tabular_read_limits(const char *name, const void *data,
				   size_t len,
				   const struct tabular_limits *limits,
				   struct tabular *out, struct sf_error *err);
/* Read the file at PATH (at most 1 GiB) with tabular_read; SF_IO when it
 * cannot be read. */
enum sf_status tabular_read_file(const char *path, struct tabular *out,
				 struct sf_error *err);

/*
 * Streaming.  A row handed to a tabular_row_fn and its cells belong to the
 * reader and live only during the call; the function may change the
 * cells' text in place (trim it, say) but not beyond each cell's NUL.  It
 * returns SF_OK to go on, or a failure (with ERR filled) that stops the
 * reading and is returned by it.
 */
typedef enum sf_status (*tabular_row_fn)(void *ctx, struct trow *row,
					 struct sf_error *err);
/* Called before the rows of each sheet: its index, name and the kind of
 * file (for messages that name a cell). */
typedef enum sf_status (*tabular_sheet_fn)(void *ctx, size_t index,
					   const char *name,
					   enum tabular_kind kind,
					   struct sf_error *err);

/*
 * Read the CSV text DATA[0..LEN) as tabular_read does (same encoding,
 * delimiter, line and limit rules; LIMITS NULL: the defaults, of which
 * only max_cells, per row, applies) without keeping it: each non-blank
 * record goes to FN(CTX, row) as soon as it is parsed.  A zip archive is
 * refused (SF_INVALID).  NAME names the file in messages.
 */
enum sf_status tabular_csv_each(const char *name, const void *data,
				size_t len,
				const struct tabular_limits *limits,
				tabular_row_fn fn, void *ctx,
				struct sf_error *err);

/*
 * Every row of a CSV or XLSX file, decided by content as tabular_read
 * does: a CSV file is streamed (tabular_csv_each) as one sheet named as
 * tabular_read names it; a workbook is read whole with tabular_read_limits
 * and its rows then handed over, sheet by sheet, empty rows left out.
 * SHEET (may be NULL) is called before each sheet's rows.
 */
enum sf_status tabular_each(const char *name, const void *data, size_t len,
			    const struct tabular_limits *limits,
			    tabular_sheet_fn sheet, tabular_row_fn fn,
			    void *ctx, struct sf_error *err);

/*
 * tabular_each for a big CSV text, read by two threads: the text is cut at
 * a line break after its middle, CTX[0] gets the rows before the cut and
 * CTX[1] the text's first record (its header row) then the rows after it,
 * each in order and with the text's line numbers; SHEET (may be NULL) is
 * called once for each context first.  Only UTF-8 text without a byte
 * order mark, of at least LIMITS' split_min bytes, whose first record is
 * not blank, is cut.  SF_CONFLICT when it was not cut (too small, another
 * encoding, a zip, a blank first record, or the cut fell inside a
 * record): FN may have been called already, and the caller
 * starts afresh with tabular_each.  Otherwise as tabular_each, the first
 * part's failure first.
 */
#define TABULAR_SPLIT_MIN ((size_t)4 << 20)
enum sf_status tabular_each_split(const char *name, const void *data,
				  size_t len,
				  const struct tabular_limits *limits,
				  tabular_sheet_fn sheet, tabular_row_fn fn,
				  void *ctx[2], struct sf_error *err);

/* Free what T holds and leave it empty (T itself is the caller's). */
void tabular_release(struct tabular *t);

/* The cell of ROW in column COL (0-based), "" past the end. */
const char *trow_cell(const struct trow *row, size_t col);

/* "A", "B", ..., "Z", "AA"... for column COL (0-based) into OUT. */
void tabular_column_name(size_t col, char out[8]);

#endif
