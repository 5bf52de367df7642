/*
 * fuzz_keywords.c - libFuzzer target for the keyword list parser and the
 * scanner.
 *
 * The input is split at the first "\n===\n": what comes before is a list
 * file (kw_list_parse), what comes after is text scanned with the list
 * compiled (kw_scan and kw_count_lines), both from exact-size heap copies
 * so ASan sees any read past the end.  The text is also scanned cut into
 * tiny pieces on 3 threads; the matches and line count must be the same
 * as in one piece, and as those of a naive matcher written here from the
 * rules in keywords.h (the oracle), and every match must lie inside the
 * text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "modules/incidents/keywords.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static int
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The oracle: every (offset, entry) by offset then entry, and the lines
 * holding one. */
static void
naive(const struct kw_set *set, const char *t, size_t len, struct buf *out,
      uint64_t *lines)
{
	size_t line_end = 0; /* matches before it are on a counted line */

	buf_init(out, 0);
	*lines = 0;
	for (size_t s = 0; s < len; s++) {
		for (size_t k = 0; k < kw_set_size(set); k++) {
			const struct kw_entry *e = kw_set_entry(set, k);
			size_t n = strlen(e->word), i;
			if (n > len - s)
				continue;
			for (i = 0; i < n; i++)
				if (lower((unsigned char)t[s + i]) !=
				    lower((unsigned char)e->word[i]))
					break;
			if (i < n || (s > 0 && word_byte((unsigned char)t[s - 1])))
				continue;
			if (!e->prefix && s + n < len &&
			    word_byte((unsigned char)t[s + n]))
				continue;
			buf_add(out, &s, sizeof(s));
			buf_add(out, &k, sizeof(k));
			if (s >= line_end) {
				const char *nl = memchr(t + s, '\n', len - s);
				(*lines)++;
				line_end = nl ? (size_t)(nl - t) + 1 : len;
			}
		}
	}
}

struct ctx {
	const struct kw_set *set;
	size_t len;
	struct buf out;
};

static int
record(void *arg, size_t kw, size_t offset)
{
	struct ctx *c = arg;
	const struct kw_entry *e = kw_set_entry(c->set, kw);

	if (!e || offset + strlen(e->word) > c->len)
		abort(); /* a match outside the text */
	buf_add(&c->out, &offset, sizeof(offset));
	buf_add(&c->out, &kw, sizeof(kw));
	return 0;
}

static void
scan_with(const struct kw_set *set, const char *text, size_t len,
	  struct buf *out, uint64_t *lines)
{
	struct ctx c = {set, len, {0}};
	struct sf_error err;

	buf_init(&c.out, 0);
	if (kw_scan(set, text, len, record, &c, &err) ||
	    kw_count_lines(set, text, len, lines, &err))
		abort();
	*out = c.out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sep = "\n===\n";
	const uint8_t *cut = size >= 5 ? memmem(data, size, sep, 5) : NULL;
	size_t list_len = cut ? (size_t)(cut - data) : size;
	size_t text_len = cut ? size - list_len - 5 : 0;
	char *list = xmalloc(list_len ? list_len : 1);
	char *text = xmalloc(text_len ? text_len : 1);
	struct kw_list l;
	struct kw_set *set;
	struct sf_error err;
	struct buf a, b, c;
	uint64_t la, lb, lc;

	memcpy(list, data, list_len);
	if (text_len)
		memcpy(text, cut + 5, text_len);
	if (kw_list_parse(list, list_len, "fuzz.txt", &l, &err) == SF_OK) {
		set = kw_compile(l.v, l.n, &err);
		if (set) {
			kw_tune(1, 0);
			scan_with(set, text, text_len, &a, &la);
			kw_tune(3, 7);
			scan_with(set, text, text_len, &b, &lb);
			kw_tune(0, 0);
			if (la != lb || a.len != b.len ||
			    memcmp(a.data, b.data, a.len) != 0)
				abort(); /* pieces changed the result */
			naive(set, text, text_len, &c, &lc);
			if (la != lc || a.len != c.len ||
			    memcmp(a.data, c.data, a.len) != 0)
				abort(); /* the scanner and the oracle differ */
			buf_release(&a);
			buf_release(&b);
			buf_release(&c);
			kw_set_free(set);
		}
		kw_list_release(&l);
	}
	free(list);
	free(text);
	return 0;
}
