/*
 * inc_scan.c - detection (seed 002 SEC.4.1): every create or modify of an
 * incident scans its title and description and, for an e-mail, every
 * header (originator addresses included) and every text body, decoded;
 * attachments never.  A match flags the incident "security", records
 * each keyword with the field and byte offset where it matched, and
 * queues a message with the incident reference to the security mailbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/outbox.h"
#include "modules/incidents/inc_internal.h"
#include "modules/incidents/keywords.h"

#define MAX_MATCHES 1000

struct scan_ctx {
	const struct kw_set *set;
	json_t *matches;
	const char *field;
};

static int
on_match(void *p, size_t kw, size_t offset)
{
	struct scan_ctx *c = p;

	if (json_array_size(c->matches) >= MAX_MATCHES)
		return 1;
	json_array_append_new(
		c->matches,
		json_pack("{s:s, s:s, s:I}", "keyword",
			  kw_set_entry(c->set, kw)->word, "field", c->field,
			  "offset", (json_int_t)offset));
	return 0;
}

/* Is code point CP punctuation, a symbol or a space (so it ends a word),
 * rather than a letter or digit?  The blocks European mail uses: Latin-1
 * punctuation, general punctuation (dashes, „quotes“), currency, arrows,
 * symbols, CJK and full-width punctuation. */
static int
cp_is_separator(unsigned cp)
{
	if (cp >= 0x80 && cp <= 0xBF)
		return cp != 0xAA && cp != 0xB2 && cp != 0xB3 && cp != 0xB5 &&
		       cp != 0xB9 && cp != 0xBA;
	return cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) ||
	       (cp >= 0x20A0 && cp <= 0x20CF) ||
	       (cp >= 0x2190 && cp <= 0x23FF) ||
	       (cp >= 0x2500 && cp <= 0x27BF) ||
	       (cp >= 0x3000 && cp <= 0x303F) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) ||
	       (cp >= 0xFF01 && cp <= 0xFF0F) ||
	       (cp >= 0xFF1A && cp <= 0xFF20) || cp == 0xFFFD;
}

/*
 * The scanner treats every byte >= 0x80 as part of a word (grep -w in the
 * C locale); in mail, „quotes“, « guillemets » and dashes end words.  A
 * copy of TEXT with each such character's bytes made spaces keeps every
 * offset and lets "„hacked“" match "hacked".  A new buffer.
 */
static char *
fold_punctuation(const char *text, size_t len)
{
	unsigned char *t = xmalloc(len + 1);
	size_t i = 0;

	memcpy(t, text, len);
	t[len] = '\0';
	while (i < len) {
		unsigned c = t[i], cp, n;
		if (c < 0x80) {
			i++;
			continue;
		}
		n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		if (n == 1 || i + n > len) {
			i++;
			continue;
		}
		cp = c & (0x7F >> n);
		for (unsigned k = 1; k < n; k++)
			cp = (cp << 6) | (t[i + k] & 0x3F);
		if (cp_is_separator(cp))
			memset(t + i, ' ', n);
		i += n;
	}
	return (char *)t;
}

static enum sf_status
scan_one(struct scan_ctx *c, const char *field, const char *text, size_t len,
	 json_t *indicators, struct sf_error *err)
{
	char *folded;
	enum sf_status rc;

	if (!text || !len)
		return SF_OK;
	c->field = field;
	if (indicators)
		inc_indicators(text, len, indicators);
	folded = fold_punctuation(text, len);
	rc = kw_scan(c->set, folded, len, on_match, c, err);
	free(folded);
	return rc;
}

enum sf_status
inc_scan(struct store *st, json_t *data, const struct email_msg *mail,
	 int *newly, struct sf_error *err)
{
	struct kw_set *set = NULL;
	struct scan_ctx c = {0};
	json_t *ind = json_array();
	int was = json_is_true(json_object_get(data, "flagged"));
	enum sf_status rc;
	const char *t;

	rc = kw_current(st, &set, err);
	if (rc) {
		json_decref(ind);
		return rc;
	}
	c.set = set;
	c.matches = json_array();
	t = json_string_value(json_object_get(data, "title"));
	rc = scan_one(&c, "title", t, t ? strlen(t) : 0, ind, err);
	t = json_string_value(json_object_get(data, "description"));
	if (!rc)
		rc = scan_one(&c, "description", t, t ? strlen(t) : 0, ind,
			      err);
	for (size_t i = 0; mail && !rc && i < mail->nheaders; i++) {
		char field[160];
		snprintf(field, sizeof(field), "header:%s",
			 mail->headers[i].name);
		rc = scan_one(&c, field, mail->headers[i].value,
			      strlen(mail->headers[i].value), NULL, err);
	}
	for (size_t i = 0; mail && !rc && i < mail->ntexts; i++) {
		const struct email_text *x = &mail->texts[i];
		char field[32];
		snprintf(field, sizeof(field), "body[%zu]", i);
		rc = x->html ? scan_one(&c, field, x->plain, x->plain_len, ind,
					err)
			     : scan_one(&c, field, x->text, x->len, ind, err);
	}
	kw_set_free(set);
	if (rc) {
		json_decref(c.matches);
		json_decref(ind);
		return rc;
	}
	json_object_set_new(data, "flagged",
			    json_boolean(json_array_size(c.matches) > 0));
	json_object_set_new(data, "matches", c.matches);
	json_object_set_new(data, "indicators", ind);
	if (newly)
		*newly = !was && json_array_size(c.matches) > 0;
	return SF_OK;
}

enum sf_status
inc_notify_flagged(struct engine *e, json_t *data, const char *object,
		   sf_time now, struct sf_error *err)
{
	char *mailbox = NULL;
	json_t *to, *x;
	struct buf b;
	size_t i;
	char *subject;
	enum sf_status rc;

	if (e->st->ops->setting_get(e->st, "security_mailbox", &mailbox, err))
		mailbox = xstrdup("security@itsmtaxud.europa.eu");
	to = json_pack("[s]", mailbox);
	free(mailbox);
	subject = xasprintf("[secflow] Security incident %s",
			    json_string_value(json_object_get(data,
							      "reference")));
	buf_init(&b, 1 << 20);
	buf_addf(&b,
		 "Incident %s (%s) was flagged \"security\": it holds these "
		 "keywords of the security list:\n\n",
		 json_string_value(json_object_get(data, "reference")), object);
	json_array_foreach(json_object_get(data, "matches"), i, x)
	{
		if (i == 20) {
			buf_addf(&b, "  ... and %zu more\n",
				 json_array_size(json_object_get(data,
								 "matches")) -
					 20);
			break;
		}
		buf_addf(&b, "  %s in %s at %lld\n",
			 json_string_value(json_object_get(x, "keyword")),
			 json_string_value(json_object_get(x, "field")),
			 (long long)json_integer_value(
				 json_object_get(x, "offset")));
	}
	rc = outbox_queue(e->st, to, NULL, NULL, subject, b.data, NULL, "email",
			  object, now, NULL, err);
	buf_release(&b);
	free(subject);
	json_decref(to);
	return rc;
}
