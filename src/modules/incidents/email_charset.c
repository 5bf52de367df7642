/*
 * email_charset.c - mail text in any charset to valid UTF-8 (see
 * email_charset.h).  iconv through GMime (g_mime_iconv_open knows the
 * charset aliases mail uses); GLib validates UTF-8.
 */
#include "modules/incidents/email_charset.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/mail.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Valid UTF-8, NUL bytes allowed (g_utf8_validate stops at them). */
static int
utf8_valid(const char *s, size_t n)
{
	const char *bad;
	size_t k;

	while (n > 0) {
		if (g_utf8_validate(s, (gssize)n, &bad))
			return 1;
		if (*bad != '\0')
			return 0;
		k = (size_t)(bad - s) + 1;
		s += k;
		n -= k;
	}
	return 1;
}

/* Append the N bytes at S to OUT, each invalid UTF-8 sequence replaced
 * by U+FFFD, NUL bytes kept. */
static void
clean_into(struct buf *out, const char *s, size_t n)
{
	const char *bad;
	size_t k;

	while (n > 0 && !g_utf8_validate(s, (gssize)n, &bad)) {
		k = (size_t)(bad - s);
		buf_add(out, s, k);
		if (*bad == '\0')
			buf_add(out, "", 1);
		else
			buf_adds(out, REPLACEMENT);
		s += k + 1;
		n -= k + 1;
	}
	buf_add(out, s, n);
}

/* Charsets whose declaration says nothing a UTF-8 check would not. */
static int
utf8_like(const char *charset)
{
	static const char *const names[] = {
	    "us-ascii",	 "ascii",   "utf-8",	      "utf8", "unknown-8bit",
	    "x-unknown", "unknown", "ansi_x3.4-1968", "us",   "default",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(charset, names[i]) == 0)
			return 1;
	return 0;
}

/* Convert with CD into OUT, each sequence iconv refuses becoming one
 * U+FFFD and skipping one byte, so the loop always ends. */
static void
convert(iconv_t cd, const char *in, size_t len, struct buf *out)
{
	char tmp[4096], *ip = (char *)in, *op;
	size_t il = len, ol, r;

	while (il > 0) {
		op = tmp;
		ol = sizeof(tmp);
		r = iconv(cd, &ip, &il, &op, &ol);
		buf_add(out, tmp, (size_t)(op - tmp));
		if (r == (size_t)-1 && errno != E2BIG) {
			buf_adds(out, REPLACEMENT);
			ip++;
			il--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	op = tmp;
	ol = sizeof(tmp);
	iconv(cd, NULL, NULL, &op, &ol);
	buf_add(out, tmp, (size_t)(op - tmp));
}

char *
email_to_utf8(const char *in, size_t len, const char *charset, size_t *outlen)
{
	struct buf out;
	iconv_t cd = (iconv_t)-1;
	char *s;

	/* Unbounded: the input is at most EMAIL_MAX_SIZE and no charset
	 * takes more than 3 UTF-8 bytes per input byte. */
	buf_init(&out, 0);
	mail_gmime_init();
	if (charset && *charset && !utf8_like(charset))
		cd = g_mime_iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1) {
		if (utf8_valid(in, len)) {
			buf_add(&out, in, len);
			goto out;
		}
		cd = g_mime_iconv_open("UTF-8", "windows-1252");
	}
	if (cd == (iconv_t)-1) {
		/* No iconv at all: keep ASCII, replace the rest. */
		size_t i;

		for (i = 0; i < len; i++) {
			if ((unsigned char)in[i] < 0x80)
				buf_add(&out, in + i, 1);
			else
				buf_adds(&out, REPLACEMENT);
		}
		goto out;
	}
	convert(cd, in, len, &out);
	g_mime_iconv_close(cd);
	if (!utf8_valid(out.data, out.len)) {
		/* iconv gave bad UTF-8: should not happen, never pass it on. */
		struct buf clean;

		buf_init(&clean, 0);
		clean_into(&clean, out.data, out.len);
		buf_release(&out);
		out = clean;
	}
out:
	s = buf_detach(&out, outlen);
	buf_release(&out); /* detach re-inits it */
	return s;
}

char *
email_utf8_clean(const char *s)
{
	struct buf out;
	char *r;

	if (!s)
		return NULL;
	buf_init(&out, 0);
	clean_into(&out, s, strlen(s));
	r = buf_detach(&out, NULL);
	buf_release(&out); /* detach re-inits it */
	return r;
}
