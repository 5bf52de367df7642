/*
 * email_in.h - parse an incoming e-mail (RFC 5322 / MIME, an .eml file)
 * into plain C data: every header decoded to UTF-8, the addresses, the
 * text bodies decoded and converted to UTF-8 (HTML also as visible text),
 * and the attachments as decoded bytes.  GMime 3 does the parsing.
 *
 * The incident module scans headers and texts for keywords and keeps the
 * attachments as evidence, never scanning them.  Nothing here touches a
 * database.
 *
 * What is a text and what is an attachment, walking the MIME tree in
 * document order:
 *   - multipart/<anything>: its children are walked in order.
 *   - message/rfc822 with "Content-Disposition: attachment": an
 *     attachment (content type message/rfc822, the embedded message as
 *     bytes); it is not walked.  Without that disposition (a forwarded
 *     message shown inline) its body is walked like the top body, its
 *     texts become texts; its headers are not listed.
 *   - a leaf with "Content-Disposition: attachment": an attachment,
 *     whatever its type (a text/plain attachment is an attachment).
 *   - any other text/plain or text/html leaf: a text.
 *   - a leaf whose Content-Type cannot be parsed ("text", "garbage"):
 *     text/plain, as RFC 2045 5.2 says (GMime would make it
 *     application/octet-stream, which would hide it from the scan).
 *   - any other leaf (image, application, text/calendar, ...): an
 *     attachment.
 *   - a multipart without parts (no boundary parameter, or the boundary
 *     never comes): GMime keeps its content as the prologue, which
 *     becomes a text/plain text.
 *
 * Charsets.  A text is converted from its declared charset with GMime's
 * iconv helpers; a byte sequence that is invalid in that charset becomes
 * U+FFFD.  When the charset is missing, us-ascii, utf-8, or one iconv
 * does not know, the bytes are taken as UTF-8 when they are valid UTF-8
 * and as Windows-1252 otherwise (the usual mislabel).  Header values are
 * decoded by GMime (RFC 2047 encoded words in their charset, raw 8-bit
 * text as UTF-8 if valid, else Windows-1252).  Every string produced is
 * valid UTF-8.
 *
 * What "cannot be parsed" means (GMime itself accepts almost anything):
 *   - empty input (SF_INVALID), input over EMAIL_MAX_SIZE (SF_TOO_LARGE);
 *   - the first line (after an optional mbox "From " line) is not a
 *     header field "Name: value" -- random bytes, a blank first line, a
 *     body without headers (SF_INVALID, naming the line's offset);
 *   - a part nested deeper than EMAIL_MAX_DEPTH levels: the top body is
 *     level 0, children of a multipart and the body of an inline
 *     message/rfc822 are one level deeper (SF_INVALID).
 * Anything else is accepted leniently, as a mail client would show it: a
 * multipart cut short without its closing boundary keeps the parts (and
 * the partial last part) that are there and sets `truncated`; a bad
 * Content-Type is text/plain; a bad Date gives date NULL.
 */
#ifndef SF_EMAIL_IN_H
#define SF_EMAIL_IN_H

#include <stddef.h>

#include <jansson.h>

#include "core/status.h"

#define EMAIL_MAX_SIZE (50u * 1024 * 1024)
#define EMAIL_MAX_DEPTH 20

struct email_header {
	char *name;
	char *value; /* unfolded, RFC 2047 decoded, UTF-8 */
};

struct email_addr {
	char *name; /* decoded display name, NULL when there is none */
	char *addr; /* addr-spec, "" when the mailbox has none */
};

struct email_text {
	char *content_type; /* "text/plain" or "text/html" (lower case) */
	char *charset;	    /* as declared, NULL when absent */
	char *text;	    /* transfer-decoded, UTF-8, CRLF as LF, NUL-ended */
	size_t len;	    /* may contain NUL bytes: use len */
	int html;
	/* html parts only (NULL otherwise): the visible text, with tags,
	 * comments and the contents of script, style, head, title and
	 * template removed, entities decoded, whitespace runs collapsed (a
	 * run that holds a block break is "\n", else " ").  Keyword offsets
	 * of an html part refer to plain, not to text. */
	char *plain;
	size_t plain_len;
};

struct email_attachment {
	char *filename;	     /* decoded (RFC 2231/2047), NULL when none */
	char *content_type;  /* "application/pdf", ... (lower case) */
	unsigned char *data; /* transfer-decoded bytes, never NULL */
	size_t len;
};

struct email_msg {
	struct email_header *headers; /* all headers of the top message */
	size_t nheaders;
	char *message_id; /* without <>, NULL when absent */
	char *subject;	  /* decoded, NULL when absent */
	char *date;	  /* RFC 3339 UTC "2026-01-31T08:00:00Z", or NULL */
	struct email_addr *from, *to, *cc, *reply_to, *sender;
	size_t nfrom, nto, ncc, nreply_to, nsender;
	struct email_text *texts; /* document order */
	size_t ntexts;
	struct email_attachment *attachments; /* document order */
	size_t nattachments;
	int truncated; /* the message ended inside a multipart */
};

/*
 * Parse the LEN bytes at DATA (need not be NUL-terminated) into OUT, which
 * the caller owns and frees with email_msg_release (also after a failure:
 * OUT is then empty).  Errors, see the top of this file: SF_INVALID or
 * SF_TOO_LARGE with a message saying what and where (byte offset, part
 * number).  Thread-safe.
 */
enum sf_status email_parse(const char *data, size_t len, struct email_msg *out,
			   struct sf_error *err);

/* Free everything M holds and zero it; M itself is not freed. */
void email_msg_release(struct email_msg *m);

/*
 * M as a new JSON object (caller owns the reference):
 * {"message_id", "subject", "date", "truncated",
 *  "headers": [{"name", "value"}],
 *  "from"|"to"|"cc"|"reply_to"|"sender": [{"name", "addr"}],
 *  "texts": [{"content_type", "charset", "html", "text", "plain"}],
 *  "attachments": [{"filename", "content_type", "size"[, "data"]}]}
 * Absent strings are null.  "data" (base64) only WITH_ATTACHMENT_DATA.
 */
json_t *email_msg_json(const struct email_msg *m, int with_attachment_data);

#endif
