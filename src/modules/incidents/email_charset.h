/*
 * email_charset.h - bytes in a mail charset to valid UTF-8, never failing.
 */
#ifndef SF_EMAIL_CHARSET_H
#define SF_EMAIL_CHARSET_H

#include <stddef.h>

/*
 * The LEN bytes at IN, declared in CHARSET (may be NULL), as UTF-8: a new
 * NUL-terminated string (caller frees), its length in *OUTLEN (NUL bytes
 * of the input are kept).  A known charset other than us-ascii and utf-8
 * is converted with GMime's iconv helpers, each invalid or incomplete
 * sequence becoming U+FFFD.  A missing, us-ascii, utf-8 or unknown
 * charset: the bytes as they are when they are valid UTF-8, else read as
 * Windows-1252 (its five unassigned bytes become U+FFFD).  Initialises
 * GMime when needed.
 */
char *email_to_utf8(const char *in, size_t len, const char *charset,
		    size_t *outlen);

/* S (NUL-terminated; NULL gives NULL) as a new valid UTF-8 string: each
 * invalid sequence becomes U+FFFD.  Caller frees. */
char *email_utf8_clean(const char *s);

#endif
