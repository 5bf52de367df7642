/*
 * tabular_csv.c - CSV into one sheet with libcsv: the encoding (UTF-8
 * with or without BOM, UTF-16 with BOM, else Windows-1252), the delimiter
 * (',' ';' TAB, see tabular.h for the rule) and the physical line where
 * each record starts.
 */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "tabular_priv.h"

/* libcsv's parser state while inside a record (its pstate field). */
#define CSV_ROW_NOT_BEGUN 0
#define CSV_FIELD_BEGUN 2

#define SNIFF_RECORDS 10
#define SNIFF_BYTES ((size_t)1 << 20)

/* Unicode code points of Windows-1252 bytes 0x80-0x9F; the five bytes it
 * leaves undefined map to the C1 control of the same value (WHATWG). */
static const uint16_t cp1252[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Length of the valid UTF-8 prefix of S (N bytes): N when all is valid.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t
utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			/* ASCII runs, the usual text, eight bytes a step */
			uint64_t w;

			i++;
			while (n - i >= 8) {
				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ull)
					break;
				i += 8;
			}
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 3, cp = c & 0x07;
		else
			return i;
		if (n - i <= k)
			return i;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return i;
		i += k + 1;
	}
	return n;
}

static void
put_utf8(struct buf *b, uint32_t cp)
{
	char u[3];

	if (cp < 0x80) {
		u[0] = (char)cp;
		(void)buf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		(void)buf_add(b, u, 2);
	} else {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		(void)buf_add(b, u, 3);
	}
}

static void
from_cp1252(const unsigned char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x80 && s[i] <= 0x9F)
			put_utf8(out, cp1252[s[i] - 0x80]);
		else
			put_utf8(out, s[i]);
	}
}

static enum sf_status
from_utf16(const char *source, const char *data, size_t len,
	   const char *charset, struct buf *out, struct sf_error *err)
{
	iconv_t cd = iconv_open("UTF-8", charset);
	char *in = (char *)data, chunk[4096];
	size_t left = len;
	enum sf_status s = SF_OK;

	if (cd == (iconv_t)-1)
		return sf_fail(err, SF_INTERNAL, NULL,
			       "%s: no iconv conversion from %s", source,
			       charset);
	while (left > 0) {
		char *o = chunk;
		size_t room = sizeof(chunk);

		if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 &&
		    errno != E2BIG) {
			s = sf_fail(err, SF_INVALID, NULL,
				    "%s: bad %s at byte offset %zu", source,
				    charset, (size_t)(in - data) + 2);
			goto out;
		}
		(void)buf_add(out, chunk, sizeof(chunk) - room);
	}
out:
	iconv_close(cd);
	return s;
}

/*
 * The text of the file as UTF-8 in *TEXT (*TEXTLEN bytes), the BOM
 * dropped: DATA itself when it is UTF-8 already, else OUT's converted
 * copy.  One decision for the whole file.
 */
static enum sf_status
decode(const char *source, const char *data, size_t len, struct buf *out,
       const char **text, size_t *textlen, struct sf_error *err)
{
	const unsigned char *u = (const unsigned char *)data;
	size_t ok;
	enum sf_status s;
	const char *nul;

	*text = NULL;

	if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		if ((s = from_utf16(source, data + 2, len - 2, "UTF-16LE", out,
				    err)))
			return s;
	} else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		if ((s = from_utf16(source, data + 2, len - 2, "UTF-16BE", out,
				    err)))
			return s;
	} else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		ok = utf8_valid_prefix(u + 3, len - 3);
		if (ok != len - 3)
			return sf_fail(err, SF_INVALID, NULL,
				       "%s: starts with a UTF-8 byte order "
				       "mark but byte offset %zu is not UTF-8",
				       source, ok + 3);
		(void)buf_add(out, data + 3, len - 3);
	} else if (utf8_valid_prefix(u, len) == len) {
		/* Already UTF-8: read in place, no copy. */
		*text = data;
		*textlen = len;
	} else {
		from_cp1252(u, len, out);
	}
	if (*text != data) {
		*text = out->data;
		*textlen = out->len;
	}
	if ((nul = memchr(*text, '\0', *textlen))) {
		size_t line = 1;

		for (const char *p = *text; p < nul; p++)
			line += *p == '\n';
		return sf_fail(err, SF_INVALID, NULL,
			       "%s:%zu: NUL character (a binary file, or "
			       "UTF-16 without a byte order mark?)",
			       source, line);
	}
	return SF_OK;
}

/* ---------------------------------------------------------------- */
/* Delimiter                                                         */

struct sniff {
	size_t fields;		      /* of the current record */
	size_t counts[SNIFF_RECORDS]; /* fields of each record seen */
	size_t n;
	int nonblank;
};

static void
sniff_field(void *s, size_t len, void *data)
{
	struct sniff *sn = data;

	(void)s;
	sn->fields++;
	if (len)
		sn->nonblank = 1;
}

static void
sniff_record(int c, void *data)
{
	struct sniff *sn = data;

	(void)c;
	if (sn->nonblank && sn->n < SNIFF_RECORDS)
		sn->counts[sn->n++] = sn->fields;
	sn->fields = 0;
	sn->nonblank = 0;
}

static int
space_not_tab(unsigned char c)
{
	return c == ' ';
}

static void
parser_setup(struct csv_parser *p, unsigned char delim)
{
	csv_init(p, 0);
	csv_set_delim(p, delim);
	/* libcsv's own test is space or tab, without a call per byte. */
	if (delim == '\t')
		csv_set_space_func(p, space_not_tab);
}

/* The field count the most records share (ties: the larger count). */
static size_t
sniff_width(const char *text, size_t len, unsigned char delim)
{
	struct csv_parser p;
	struct sniff sn = {0};
	size_t best = 0, best_n = 0;

	parser_setup(&p, delim);
	if (len > SNIFF_BYTES)
		len = SNIFF_BYTES;
	for (size_t off = 0; off < len && sn.n < SNIFF_RECORDS; off += 4096) {
		size_t chunk = len - off < 4096 ? len - off : 4096;

		if (csv_parse(&p, text + off, chunk, sniff_field, sniff_record,
			      &sn) != chunk)
			break;
	}
	csv_fini(&p, sniff_field, sniff_record, &sn);
	csv_free(&p);
	for (size_t i = 0; i < sn.n; i++) {
		size_t same = 0;

		for (size_t j = 0; j < sn.n; j++)
			same += sn.counts[j] == sn.counts[i];
		if (same > best_n || (same == best_n && sn.counts[i] > best))
			best = sn.counts[i], best_n = same;
	}
	return best;
}

static unsigned char
sniff_delimiter(const char *text, size_t len)
{
	static const unsigned char cand[] = {',', ';', '\t'};
	unsigned char best = ',';
	size_t best_w = 0;

	for (size_t i = 0; i < sizeof(cand); i++) {
		size_t w = sniff_width(text, len, cand[i]);

		if (w > best_w)
			best = cand[i], best_w = w;
	}
	return best;
}

/* ---------------------------------------------------------------- */
/* Records                                                           */

struct csvctx {
	struct tabb *tb;	  /* building a table, or */
	tabular_row_fn fn;	  /* handing each row to FN */
	void *fnctx;
	const struct tabular_limits *lim;
	char **cells; /* of the row handed to FN */
	size_t ncap;
	struct rowb rb;
	size_t start; /* line where the current record starts */
	size_t records; /* ended so far, blank ones included */
	size_t rows;	/* handed to FN so far */
	const char *source;
	struct sf_error *err;
	enum sf_status s;
};

static void
on_field(void *f, size_t len, void *data)
{
	struct csvctx *c = data;
	const char *s = f ? f : "";
	size_t col = c->rb.n, from = c->rb.text.len;

	if (c->s)
		return;
	if (c->rb.n >= c->lim->max_cells) {
		c->s = sf_fail(c->err, SF_TOO_LARGE, NULL,
			       "%s:%zu: more than %zu cells", c->source,
			       c->start, c->lim->max_cells);
		return;
	}
	rowb_add(&c->rb, col, s, len);
	/* A quoted CRLF is one line break, like the record ends. */
	if (memchr(s, '\r', len)) {
		char *p = c->rb.text.data + from, *q = p;
		char *end = c->rb.text.data + c->rb.text.len - 1;

		for (; p < end; p++)
			if (!(p[0] == '\r' && p[1] == '\n'))
				*q++ = *p;
		*q = '\0';
	}
}

/* Hand the row in C->rb to C->fn as a trow whose cells point into it. */
static void
emit_row(struct csvctx *c)
{
	struct trow row = {.line = c->start};
	size_t ncells = 0;

	for (size_t i = 0; i < c->rb.n; i++)
		if (c->rb.text.data[c->rb.off[i]])
			ncells = i + 1;
	if (ncells > c->ncap) {
		c->ncap = ncells * 2;
		c->cells = xrealloc(c->cells, c->ncap * sizeof(*c->cells));
	}
	for (size_t i = 0; i < ncells; i++)
		c->cells[i] = c->rb.text.data + c->rb.off[i];
	row.cells = c->cells;
	row.ncells = ncells;
	c->rows++;
	c->s = c->fn(c->fnctx, &row, c->err);
	rowb_reset(&c->rb);
}

static void
on_record(int term, void *data)
{
	struct csvctx *c = data;
	char where[512];
	int blank = 1;

	(void)term;
	c->records++;
	if (c->s)
		return;
	for (size_t i = 0; i < c->rb.n && blank; i++)
		blank = c->rb.text.data[c->rb.off[i]] == '\0';
	if (blank) {
		rowb_reset(&c->rb);
		return;
	}
	if (c->fn) {
		emit_row(c);
		return;
	}
	snprintf(where, sizeof(where), "%s:%zu", c->source, c->start);
	c->s = tabb_row(c->tb, &c->rb, c->start, where, c->err);
}

/* Feed TEXT[0..LEN) to P one physical line at a time, LINE being the
 * number of its first line: a record starts on the line being fed when
 * the parser was between records before it. */
static enum sf_status
csv_lines(struct csvctx *c, struct csv_parser *p, const char *text,
	  size_t len, size_t line)
{
	size_t i = 0;

	while (i < len && !c->s) {
		size_t j = i;

		while (j < len && text[j] != '\n' && text[j] != '\r')
			j++;
		if (j < len)
			j += (text[j] == '\r' && j + 1 < len &&
			      text[j + 1] == '\n')
				     ? 2
				     : 1;
		if (p->pstate == CSV_ROW_NOT_BEGUN)
			c->start = line;
		if (csv_parse(p, text + i, j - i, on_field, on_record, c) !=
		    j - i)
			return sf_fail(c->err, SF_INVALID, NULL, "%s:%zu: %s",
				       c->source, line,
				       csv_strerror(csv_error(p)));
		i = j;
		line++;
	}
	return c->s;
}

/* The end of the text: a quoted field left open is an error; else the
 * last record goes out. */
static enum sf_status
csv_end(struct csvctx *c, struct csv_parser *p)
{
	if (p->pstate == CSV_FIELD_BEGUN && p->quoted)
		return sf_fail(c->err, SF_INVALID, NULL,
			       "%s:%zu: quoted field not closed at the end of "
			       "the file",
			       c->source, c->start);
	csv_fini(p, on_field, on_record, c);
	return c->s;
}

/* Decode DATA, decide the delimiter and parse every record into C. */
static enum sf_status
csv_run(struct csvctx *c, const char *data, size_t len)
{
	struct buf buf;
	struct csv_parser p;
	const char *text = NULL;
	size_t textlen = 0;
	enum sf_status s;

	buf_init(&buf, 0);
	rowb_init(&c->rb);
	parser_setup(&p, ',');
	if ((s = decode(c->source, data, len, &buf, &text, &textlen, c->err)))
		goto out;
	csv_free(&p);
	parser_setup(&p, sniff_delimiter(text, textlen));
	if (!(s = csv_lines(c, &p, text, textlen, 1)))
		s = csv_end(c, &p);
out:
	csv_free(&p);
	rowb_release(&c->rb);
	free(c->cells);
	buf_release(&buf);
	return s;
}

/* ---------------------------------------------------------------- */
/* Parts of a text, for tabular_split.c                              */

struct csv_part {
	struct csvctx c;
	struct csv_parser p;
};

unsigned char
csv_delimiter_of(const char *text, size_t len)
{
	return sniff_delimiter(text, len);
}

int
csv_is_utf8(const char *text, size_t len)
{
	return utf8_valid_prefix((const unsigned char *)text, len) == len &&
	       !memchr(text, '\0', len);
}

struct csv_part *
csv_part_new(const char *source, const struct tabular_limits *limits,
	     unsigned char delim, tabular_row_fn fn, void *ctx,
	     struct sf_error *err)
{
	struct csv_part *cp = xcalloc(1, sizeof(*cp));

	cp->c.fn = fn;
	cp->c.fnctx = ctx;
	cp->c.lim = limits ? limits : &tabular_default_limits;
	cp->c.source = source;
	cp->c.err = err;
	rowb_init(&cp->c.rb);
	parser_setup(&cp->p, delim);
	return cp;
}

enum sf_status
csv_part_feed(struct csv_part *cp, const char *text, size_t len,
	      size_t line)
{
	return csv_lines(&cp->c, &cp->p, text, len, line);
}

int
csv_part_between(const struct csv_part *cp)
{
	return cp->p.pstate == CSV_ROW_NOT_BEGUN;
}

int
csv_part_one_row(const struct csv_part *cp)
{
	return cp->c.records == 1 && cp->c.rows == 1;
}

enum sf_status
csv_part_end(struct csv_part *cp)
{
	return csv_end(&cp->c, &cp->p);
}

void
csv_part_free(struct csv_part *cp)
{
	if (!cp)
		return;
	csv_free(&cp->p);
	rowb_release(&cp->c.rb);
	free(cp->c.cells);
	free(cp);
}

enum sf_status
tabular_read_csv(struct tabb *tb, const char *data, size_t len,
		 struct sf_error *err)
{
	struct csvctx c = {
		.tb = tb, .lim = tb->lim, .source = tb->t->source, .err = err};

	return csv_run(&c, data, len);
}

enum sf_status
tabular_csv_each(const char *name, const void *data, size_t len,
		 const struct tabular_limits *limits, tabular_row_fn fn,
		 void *ctx, struct sf_error *err)
{
	struct csvctx c = {.fn = fn,
			   .fnctx = ctx,
			   .lim = limits ? limits : &tabular_default_limits,
			   .source = name ? name : "input",
			   .err = err};

	if (len >= 4 && memcmp(data, "PK", 2) == 0 &&
	    (memcmp(data, "PK\3\4", 4) == 0 || memcmp(data, "PK\5\6", 4) == 0 ||
	     memcmp(data, "PK\7\10", 4) == 0))
		return sf_fail(err, SF_INVALID, NULL,
			       "%s: a zip archive (XLSX?), not a CSV file",
			       c.source);
	return csv_run(&c, data, len);
}
