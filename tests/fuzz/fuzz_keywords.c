/*
 * fuzz_keywords.c - libFuzzer target for the keyword list parser and the
 * scanner.
 *
 * The input is split at the first "\n===\n": what comes before is a list
 * file (kw_list_parse), what comes after is text scanned with the list
 * compiled (kw_scan and kw_count_lines), both from exact-size heap copies
 * so ASan sees any read past the end.  The text is also scanned cut into
 * tiny pieces on 3 threads; the matches and line count must be the same
 * as in one piece, and every match must lie inside the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "modules/incidents/keywords.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	struct buf a, b;
	uint64_t la, lb;

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
			buf_release(&a);
			buf_release(&b);
			kw_set_free(set);
		}
		kw_list_release(&l);
	}
	free(list);
	free(text);
	return 0;
}
