/*
 * tabular_split.c - a big CSV text read by two threads (tabular.h,
 * tabular_each_split): cut at a line break after its middle, the first
 * part read as tabular_csv_each reads the whole, the second fed the
 * text's first record (its header) and then the rest.
 *
 * The cut is trusted only when the first part's parser ends exactly
 * between records: that part is read from the start as the whole would
 * be, so the whole would be between records there too, and reading on
 * from a fresh parser gives the same records.  The head given to the
 * second part must likewise be exactly one record, and not a blank one.
 * A stray quote that makes the quote count lie is caught this way, and
 * the caller reads the text whole instead.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "tabular_priv.h"

struct half {
	struct csv_part *cp;
	const char *head; /* the second part: the first record, fed first */
	size_t headlen;
	const char *text; /* the part */
	size_t len;
	const char *before; /* the text before the part, for its line */
	size_t beforelen;
	struct sf_error err;
	enum sf_status s;
	int cut_ok; /* both readings ended where they had to */
};

/* The end of the first line break after FROM outside quotes, counting
 * quotes from the start of TEXT (QUOTES: their number before FROM); 0
 * when there is none. */
static size_t
record_end_after(const char *text, size_t len, size_t from, size_t quotes)
{
	for (size_t i = from; i < len; i++) {
		if (text[i] == '"')
			quotes++;
		else if (text[i] == '\n' && quotes % 2 == 0)
			return i + 1;
	}
	return 0;
}

static size_t
count_quotes(const char *p, size_t n)
{
	size_t q = 0;
	const char *end = p + n;

	while ((p = memchr(p, '"', (size_t)(end - p)))) {
		q++;
		p++;
	}
	return q;
}

/* Line breaks in TEXT as tabular_csv.c counts lines: "\n", "\r\n" and a
 * lone "\r" each end one. */
static size_t
count_breaks(const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n' ||
		     (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n'));
	return n;
}

static void *
read_half(void *arg)
{
	struct half *h = arg;
	size_t line = 1;

	if (!csv_is_utf8(h->text, h->len))
		return NULL; /* cut_ok stays 0: read whole */
	if (h->head) {
		/* The head must be the first record exactly (a stray quote
		 * can make the quote count end it too late), and a row: the
		 * second part's first row is then the text's first. */
		h->s = csv_part_feed(h->cp, h->head, h->headlen, 1);
		if (h->s || !csv_part_between(h->cp) ||
		    !csv_part_one_row(h->cp))
			return NULL;
		line = 1 + count_breaks(h->before, h->beforelen);
	}
	h->s = csv_part_feed(h->cp, h->text, h->len, line);
	if (h->s)
		return NULL;
	if (h->head) {
		h->cut_ok = 1;
		h->s = csv_part_end(h->cp);
	} else {
		h->cut_ok = csv_part_between(h->cp);
	}
	return NULL;
}

enum sf_status
tabular_each_split(const char *name, const void *data, size_t len,
		   const struct tabular_limits *limits, tabular_sheet_fn sheet,
		   tabular_row_fn fn, void *ctx[2], struct sf_error *err)
{
	const char *text = data, *source = name ? name : "input";
	const unsigned char *u = data;
	struct half h[2];
	size_t head, cut;
	unsigned char delim;
	pthread_t th;
	size_t min = limits && limits->split_min ? limits->split_min
						 : TABULAR_SPLIT_MIN;
	enum sf_status s;

	/* Only UTF-8 text without a byte order mark is read in place; the
	 * rest (and a zip) goes the whole way. */
	if (len < min || len < 2 || memcmp(data, "PK", 2) == 0 ||
	    (u[0] == 0xEF || u[0] == 0xFF || u[0] == 0xFE))
		return SF_CONFLICT;
	head = record_end_after(text, len, 0, 0);
	cut = record_end_after(text, len, len / 2,
			       count_quotes(text, len / 2));
	if (!head || !cut || head >= cut || cut >= len)
		return SF_CONFLICT;
	delim = csv_delimiter_of(text, len);
	for (int i = 0; i < 2; i++) {
		if (sheet) {
			char *base = tabular_base_name(source);

			s = sheet(ctx[i], 0, base, TABULAR_CSV, err);
			free(base);
			if (s)
				return s;
		}
	}
	memset(h, 0, sizeof(h));
	for (int i = 0; i < 2; i++)
		h[i].cp = csv_part_new(source, limits, delim, fn, ctx[i],
				       &h[i].err);
	h[0].text = text, h[0].len = cut;
	h[1].head = text, h[1].headlen = head;
	h[1].text = text + cut, h[1].len = len - cut;
	h[1].before = text, h[1].beforelen = cut;
	if (pthread_create(&th, NULL, read_half, &h[1]) == 0) {
		read_half(&h[0]);
		pthread_join(th, NULL);
	} else {
		read_half(&h[0]);
		read_half(&h[1]);
	}
	/* The first part's failure first, as the whole reading would. */
	if (h[0].s) {
		*err = h[0].err;
		s = h[0].s;
	} else if (!h[0].cut_ok || !h[1].cut_ok) {
		s = SF_CONFLICT;
	} else if (h[1].s) {
		*err = h[1].err;
		s = h[1].s;
	} else {
		s = SF_OK;
	}
	csv_part_free(h[0].cp);
	csv_part_free(h[1].cp);
	return s;
}
