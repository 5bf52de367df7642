/*
 * keywords_list.c - keyword entries: checking and normalising them, list
 * files, and the JSON form the database keeps (see keywords.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "keywords.h"

void
kw_list_init(struct kw_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
kw_list_release(struct kw_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].word);
	free(l->v);
	free(l->changed);
	free(l->by);
	kw_list_init(l);
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
same_word(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

long
kw_list_find(const struct kw_list *l, const char *word, int prefix)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i].prefix == !prefix && same_word(l->v[i].word, word))
			return (long)i;
	return -1;
}

void
kw_list_remove_at(struct kw_list *l, size_t i)
{
	if (i >= l->n)
		return;
	free(l->v[i].word);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
	l->n--;
}

enum sf_status
kw_list_add(struct kw_list *l, const char *text, size_t len, int prefix,
	    const char *where, int *added, struct sf_error *err)
{
	struct buf w;
	json_t *utf8;
	size_t i = 0;
	enum sf_status r = SF_OK;

	if (added)
		*added = 0;
	/* Trim spaces around; a trailing '*' marks a prefix entry. */
	while (len > 0 && text[len - 1] == ' ')
		len--;
	while (i < len && text[i] == ' ')
		i++;
	if (len > i && text[len - 1] == '*') {
		prefix = 1;
		len--;
		while (len > i && text[len - 1] == ' ')
			len--;
	}
	if (i == len)
		return sf_fail(err, SF_INVALID, "word", "%s: empty keyword",
			       where);
	buf_init(&w, KW_MAX_WORD);
	for (; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f) {
			r = sf_fail(err, SF_INVALID, "word",
				    "%s: control character 0x%02x at byte %zu "
				    "of the keyword",
				    where, c, i + 1);
			goto out;
		}
		/* Runs of spaces become one: a phrase's space matches one
		 * space in the text. */
		if (c == ' ' && w.len > 0 && w.data[w.len - 1] == ' ')
			continue;
		if (buf_add(&w, &text[i], 1)) {
			r = sf_fail(err, SF_INVALID, "word",
				    "%s: keyword longer than %d bytes", where,
				    KW_MAX_WORD);
			goto out;
		}
	}
	/* jansson checks UTF-8, and the stored list is JSON. */
	utf8 = json_stringn(w.data, w.len);
	if (!utf8) {
		r = sf_fail(err, SF_INVALID, "word",
			    "%s: keyword is not valid UTF-8", where);
		goto out;
	}
	json_decref(utf8);
	if (kw_list_find(l, w.data, prefix) >= 0)
		goto out;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(l->v[0]));
	}
	l->v[l->n].prefix = prefix;
	l->v[l->n].word = buf_detach(&w, NULL);
	l->n++;
	if (added)
		*added = 1;
out:
	buf_release(&w);
	return r;
}

enum sf_status
kw_list_parse(const char *text, size_t len, const char *file,
	      struct kw_list *out, struct sf_error *err)
{
	size_t pos = 0, lineno = 0;
	char where[300];
	enum sf_status r = SF_OK;

	kw_list_init(out);
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		size_t i = 0;

		pos += n + (nl != NULL);
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == n || line[i] == '#')
			continue;
		/* Trailing blanks are layout, not part of the keyword. */
		while (n > i && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		snprintf(where, sizeof(where), "%s:%zu", file, lineno);
		r = kw_list_add(out, line + i, n - i, 0, where, NULL, err);
		if (r) {
			kw_list_release(out);
			return r;
		}
	}
	return SF_OK;
}

json_t *
kw_list_json(const struct kw_list *l)
{
	json_t *entries = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(entries,
				      json_pack("{s:s, s:b}", "word",
						l->v[i].word, "prefix",
						l->v[i].prefix));
	return json_pack("{s:I, s:o, s:s?, s:s?}", "version",
			 (json_int_t)l->version, "entries", entries, "changed",
			 l->changed, "by", l->by);
}

enum sf_status
kw_list_from_json(json_t *j, struct kw_list *out, struct sf_error *err)
{
	json_t *entries, *e, *version;
	size_t i;
	char where[64];
	enum sf_status r;

	kw_list_init(out);
	version = json_object_get(j, "version");
	entries = json_object_get(j, "entries");
	if (!json_is_integer(version) || json_integer_value(version) < 0 ||
	    !json_is_array(entries))
		return sf_fail(err, SF_INVALID, "keywords",
			       "the stored keyword list has no version or "
			       "entries");
	out->version = json_integer_value(version);
	json_array_foreach(entries, i, e)
	{
		json_t *w = json_object_get(e, "word");
		snprintf(where, sizeof(where), "keywords entry %zu", i + 1);
		if (!json_is_string(w)) {
			kw_list_release(out);
			return sf_fail(err, SF_INVALID, "keywords",
				       "%s: no word", where);
		}
		r = kw_list_add(out, json_string_value(w),
				json_string_length(w),
				json_is_true(json_object_get(e, "prefix")),
				where, NULL, err);
		if (r) {
			kw_list_release(out);
			return r;
		}
	}
	if (json_is_string(json_object_get(j, "changed")))
		out->changed =
			xstrdup(json_string_value(json_object_get(j, "changed")));
	if (json_is_string(json_object_get(j, "by")))
		out->by = xstrdup(json_string_value(json_object_get(j, "by")));
	return SF_OK;
}
