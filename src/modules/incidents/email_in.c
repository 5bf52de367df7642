/*
 * email_in.c - parse an incoming e-mail with GMime into struct email_msg
 * (see email_in.h for the rules: what is a text, what is an attachment,
 * what cannot be parsed).
 *
 * GMime objects never leave this file: everything is copied into plain
 * C strings, so the caller needs no GLib.  The parser options outlive
 * every GMime object here, because GMime headers decode their values
 * lazily through them.
 */
#include "modules/incidents/email_in.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "core/alloc.h"
#include "engine/mail.h"
#include "modules/incidents/email_charset.h"
#include "modules/incidents/email_html.h"

/* The state of one parse. */
struct parse {
	struct email_msg *m;
	size_t cap_texts, cap_attachments;
	size_t nparts; /* parts seen so far: names a part in errors */
	int truncated; /* set by the GMime warning callback */
};

/* Make room for one more element of SIZE bytes in *ARR holding N. */
static void
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 4;
	*arr = xrealloc(*arr, *cap * size);
}

static void
on_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
	   gpointer data)
{
	struct parse *p = data;

	(void)offset;
	(void)item;
	if (code == GMIME_WARN_TRUNCATED_MESSAGE)
		p->truncated = 1;
}

/*
 * Is the line at S (N bytes) a header field "Name:" -- a name of
 * printable ASCII without ':' and then ':' (spaces before it tolerated,
 * as GMime does)?
 */
static int
header_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] > ' ' && s[i] < 0x7f && s[i] != ':')
		i++;
	if (i == 0)
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < n && s[i] == ':';
}

/* Lower-case "type/subtype" of OBJ (caller frees). */
static char *
mime_type(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *g, *s;

	if (!ct)
		return xstrdup("application/octet-stream");
	g = g_mime_content_type_get_mime_type(ct);
	s = g_ascii_strdown(g, -1);
	g_free(g);
	g = s;
	s = email_utf8_clean(g);
	g_free(g);
	return s;
}

static int
is_attachment_disposition(GMimeObject *obj)
{
	const char *d = g_mime_object_get_disposition(obj);

	return d && g_ascii_strcasecmp(d, "attachment") == 0;
}

/* The bytes written by one of GMime's write functions, as a new buffer
 * (never NULL, NUL-terminated). */
static unsigned char *
stream_bytes(GMimeStream *stream, size_t *len)
{
	GByteArray *a =
	    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	unsigned char *d = xmalloc(a->len + 1);

	if (a->len)
		memcpy(d, a->data, a->len);
	d[a->len] = '\0';
	*len = a->len;
	return d;
}

/* The content of PART with its transfer encoding undone. */
static unsigned char *
part_bytes(GMimePart *part, size_t *len)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *stream = g_mime_stream_mem_new();
	unsigned char *d;

	if (content)
		g_mime_data_wrapper_write_to_stream(content, stream);
	d = stream_bytes(stream, len);
	g_object_unref(stream);
	return d;
}

static void
add_attachment(struct parse *p, char *filename, char *content_type,
	       unsigned char *data, size_t len)
{
	struct email_msg *m = p->m;
	struct email_attachment *a;

	grow((void **)&m->attachments, &p->cap_attachments, m->nattachments,
	     sizeof(*m->attachments));
	a = &m->attachments[m->nattachments++];
	a->filename = filename;
	a->content_type = content_type;
	a->data = data;
	a->len = len;
}

static void
add_part_attachment(struct parse *p, GMimePart *part)
{
	size_t len;
	unsigned char *data = part_bytes(part, &len);

	add_attachment(p, email_utf8_clean(g_mime_part_get_filename(part)),
		       mime_type(GMIME_OBJECT(part)), data, len);
}

/* An attached message/rfc822: the embedded message as GMime writes it
 * back (its headers and parts as they came, unmodified). */
static void
add_message_attachment(struct parse *p, GMimeMessagePart *mp)
{
	GMimeObject *obj = GMIME_OBJECT(mp);
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	GMimeStream *stream = g_mime_stream_mem_new();
	const char *name;
	unsigned char *data;
	size_t len;

	if (inner)
		g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL,
					      stream);
	data = stream_bytes(stream, &len);
	g_object_unref(stream);
	name = g_mime_object_get_content_disposition_parameter(obj, "filename");
	if (!name)
		name = g_mime_object_get_content_type_parameter(obj, "name");
	add_attachment(p, email_utf8_clean(name), mime_type(obj), data, len);
}

/* Turn every CRLF of the N bytes at S into LF, in place; the new length. */
static size_t
crlf_to_lf(char *s, size_t n)
{
	size_t r, w = 0;

	for (r = 0; r < n; r++) {
		if (s[r] == '\r' && r + 1 < n && s[r + 1] == '\n')
			continue;
		s[w++] = s[r];
	}
	s[w] = '\0';
	return w;
}

/* Add a text of content type CTYPE (taken over), CHARSET as declared
 * (may be NULL), from the transfer-decoded bytes RAW (taken over). */
static void
add_text(struct parse *p, char *ctype, const char *charset, unsigned char *raw,
	 size_t len, int html)
{
	struct email_msg *m = p->m;
	struct email_text *t;

	grow((void **)&m->texts, &p->cap_texts, m->ntexts, sizeof(*m->texts));
	t = &m->texts[m->ntexts++];
	memset(t, 0, sizeof(*t));
	t->content_type = ctype;
	t->charset = email_utf8_clean(charset);
	t->text = email_to_utf8((const char *)raw, len, charset, &t->len);
	t->len = crlf_to_lf(t->text, t->len);
	free(raw);
	t->html = html;
	if (html)
		t->plain = email_html_to_text(t->text, t->len, &t->plain_len);
}

/*
 * Did GMime fall back to application/octet-stream because the declared
 * Content-Type of OBJ could not be parsed ("text", "garbage")?  RFC 2045
 * (5.2) says to take such a part as text/plain, which is also what keeps
 * its words scanned.
 */
static int
content_type_invalid(GMimeObject *obj, GMimeContentType *ct)
{
	static const char want[] = "application/octet-stream";
	const char *raw = g_mime_object_get_header(obj, "Content-Type");
	size_t i = 0;

	if (!raw ||
	    !g_mime_content_type_is_type(ct, "application", "octet-stream"))
		return 0;
	for (; *raw && i < sizeof(want) - 1; raw++) {
		if (*raw == ' ' || *raw == '\t' || *raw == '\r' || *raw == '\n')
			continue;
		if (g_ascii_tolower(*raw) != want[i++])
			return 1;
	}
	return i < sizeof(want) - 1;
}

/*
 * Walk OBJ, LEVEL levels below the top body, adding its texts and
 * attachments in document order.  The recursion is bounded by
 * EMAIL_MAX_DEPTH.
 */
static enum sf_status
walk(struct parse *p, GMimeObject *obj, int level, struct sf_error *err)
{
	enum sf_status rc;
	int i, n;

	p->nparts++;
	if (level > EMAIL_MAX_DEPTH)
		return sf_fail(err, SF_INVALID, "body",
			       "MIME parts nested deeper than %d levels "
			       "(part %zu)",
			       EMAIL_MAX_DEPTH, p->nparts);
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		const char *prologue;

		n = g_mime_multipart_get_count(mp);
		prologue = g_mime_multipart_get_prologue(mp);
		if (n == 0 && prologue && *prologue) {
			/* No boundary, or it never came: GMime put the
			 * whole content in the prologue.  Keep it as text
			 * rather than lose it. */
			add_text(p, xstrdup("text/plain"), NULL,
				 (unsigned char *)xstrdup(prologue),
				 strlen(prologue), 0);
			return SF_OK;
		}
		for (i = 0; i < n; i++) {
			rc = walk(p, g_mime_multipart_get_part(mp, i),
				  level + 1, err);
			if (rc)
				return rc;
		}
		return SF_OK;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner;
		GMimeObject *body;

		if (is_attachment_disposition(obj)) {
			add_message_attachment(p, GMIME_MESSAGE_PART(obj));
			return SF_OK;
		}
		inner =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		body = inner ? g_mime_message_get_mime_part(inner) : NULL;
		return body ? walk(p, body, level + 1, err) : SF_OK;
	}
	if (GMIME_IS_PART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		int plain =
		    ct && g_mime_content_type_is_type(ct, "text", "plain");
		int html =
		    ct && g_mime_content_type_is_type(ct, "text", "html");
		size_t len;
		unsigned char *raw;
		char *ctype;

		if (!plain && !html && ct && content_type_invalid(obj, ct))
			plain = 1;
		if ((!plain && !html) || is_attachment_disposition(obj)) {
			add_part_attachment(p, GMIME_PART(obj));
			return SF_OK;
		}
		ctype =
		    plain && !g_mime_content_type_is_type(ct, "text", "plain")
			? xstrdup("text/plain")
			: mime_type(obj);
		raw = part_bytes(GMIME_PART(obj), &len);
		add_text(
		    p, ctype,
		    g_mime_object_get_content_type_parameter(obj, "charset"),
		    raw, len, html);
	}
	/* Anything else (GMime makes nothing else today) is skipped. */
	return SF_OK;
}

static void
copy_header(struct email_header *dst, GMimeHeader *h)
{
	const char *v = g_mime_header_get_value(h);

	dst->name = email_utf8_clean(g_mime_header_get_name(h));
	dst->value = email_utf8_clean(v ? v : "");
}

/*
 * All headers of MSG in the order they came.  GMime keeps the Content-*
 * headers of the top level on its body part and the others on the
 * message: merge the two lists by offset in the input.  A header with no
 * offset was made by GMime, not read, and is left out.
 */
static void
copy_headers(struct email_msg *m, GMimeMessage *msg)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeHeaderList *a = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeaderList *b = body ? g_mime_object_get_header_list(body) : NULL;
	int na = a ? g_mime_header_list_get_count(a) : 0;
	int nb = b ? g_mime_header_list_get_count(b) : 0;
	int i = 0, j = 0;

	m->headers = xcalloc((size_t)na + (size_t)nb + 1, sizeof(*m->headers));
	while (i < na || j < nb) {
		GMimeHeader *ha =
		    i < na ? g_mime_header_list_get_header_at(a, i) : NULL;
		GMimeHeader *hb =
		    j < nb ? g_mime_header_list_get_header_at(b, j) : NULL;

		if (hb && g_mime_header_get_offset(hb) < 0) {
			j++;
			continue;
		}
		if (ha && (!hb || g_mime_header_get_offset(ha) <=
				      g_mime_header_get_offset(hb))) {
			copy_header(&m->headers[m->nheaders++], ha);
			i++;
		} else {
			copy_header(&m->headers[m->nheaders++], hb);
			j++;
		}
	}
}

/* Append the mailboxes of LIST (groups flattened) to *ARR. */
static void
copy_list(InternetAddressList *list, struct email_addr **arr, size_t *n,
	  size_t *cap, int depth)
{
	int i, count = list ? internet_address_list_length(list) : 0;

	for (i = 0; i < count; i++) {
		InternetAddress *ia =
		    internet_address_list_get_address(list, i);
		struct email_addr *a;
		const char *name, *addr;

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			/* RFC 5322 groups do not nest; GMime never makes
			 * deeper ones, the bound is for safety only. */
			if (depth < 4)
				copy_list(internet_address_group_get_members(
					      INTERNET_ADDRESS_GROUP(ia)),
					  arr, n, cap, depth + 1);
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		grow((void **)arr, cap, *n, sizeof(**arr));
		a = &(*arr)[(*n)++];
		name = internet_address_get_name(ia);
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		a->name = name && *name ? email_utf8_clean(name) : NULL;
		a->addr = email_utf8_clean(addr ? addr : "");
	}
}

static void
copy_addresses(struct email_msg *m, GMimeMessage *msg)
{
	static const struct {
		GMimeAddressType type;
		size_t list_off, n_off;
	} kinds[] = {
	    {GMIME_ADDRESS_TYPE_FROM, offsetof(struct email_msg, from),
	     offsetof(struct email_msg, nfrom)},
	    {GMIME_ADDRESS_TYPE_TO, offsetof(struct email_msg, to),
	     offsetof(struct email_msg, nto)},
	    {GMIME_ADDRESS_TYPE_CC, offsetof(struct email_msg, cc),
	     offsetof(struct email_msg, ncc)},
	    {GMIME_ADDRESS_TYPE_REPLY_TO, offsetof(struct email_msg, reply_to),
	     offsetof(struct email_msg, nreply_to)},
	    {GMIME_ADDRESS_TYPE_SENDER, offsetof(struct email_msg, sender),
	     offsetof(struct email_msg, nsender)},
	};
	size_t k, cap;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct email_addr **arr =
		    (struct email_addr **)((char *)m + kinds[k].list_off);
		size_t *n = (size_t *)((char *)m + kinds[k].n_off);

		cap = 0;
		copy_list(g_mime_message_get_addresses(msg, kinds[k].type), arr,
			  n, &cap, 0);
	}
}

static char *
rfc3339_utc(GDateTime *dt)
{
	GDateTime *utc;
	gchar *g;
	char *s;

	if (!dt)
		return NULL;
	utc = g_date_time_to_utc(dt);
	if (!utc)
		return NULL;
	g = g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(utc);
	s = xstrdup(g);
	g_free(g);
	return s;
}

enum sf_status
email_parse(const char *data, size_t len, struct email_msg *out,
	    struct sf_error *err)
{
	static const char *fallback[] = {"utf-8", "windows-1252", NULL};
	struct parse p;
	GMimeParserOptions *opts = NULL;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	GMimeObject *body;
	enum sf_status rc = SF_OK;
	const char *eol;
	size_t skip = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.m = out;
	if (!data || len == 0)
		return sf_fail(err, SF_INVALID, "message", "empty message");
	if (len > EMAIL_MAX_SIZE)
		return sf_fail(err, SF_TOO_LARGE, "message",
			       "message of %zu bytes is over the limit of %u "
			       "bytes",
			       len, EMAIL_MAX_SIZE);
	/* An mbox "From " line before the headers is not part of the
	 * message (some clients save it). */
	if (len > 5 && memcmp(data, "From ", 5) == 0) {
		eol = memchr(data, '\n', len);
		skip = eol ? (size_t)(eol - data) + 1 : len;
	}
	eol = memchr(data + skip, '\n', len - skip);
	if (!header_line(data + skip,
			 eol ? (size_t)(eol - data - skip) : len - skip))
		return sf_fail(err, SF_INVALID, "message",
			       "not an e-mail message: no header field at the "
			       "start (offset %zu)",
			       skip);

	mail_gmime_init();
	opts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	g_mime_parser_options_set_warning_callback(opts, on_warning, &p);
	stream = g_mime_stream_mem_new_with_buffer(data + skip, len - skip);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, opts);
	if (!msg) {
		rc = sf_fail(err, SF_INVALID, "message",
			     "not an e-mail message: GMime found no message "
			     "(offset %zu)",
			     skip);
		goto out;
	}

	copy_headers(out, msg);
	if (out->nheaders == 0) {
		rc = sf_fail(err, SF_INVALID, "message",
			     "not an e-mail message: no header fields "
			     "(offset %zu)",
			     skip);
		goto out;
	}
	out->message_id = email_utf8_clean(g_mime_message_get_message_id(msg));
	out->subject = email_utf8_clean(g_mime_message_get_subject(msg));
	out->date = rfc3339_utc(g_mime_message_get_date(msg));
	copy_addresses(out, msg);
	body = g_mime_message_get_mime_part(msg);
	if (body && (rc = walk(&p, body, 0, err)))
		goto out;
	out->truncated = p.truncated;
out:
	if (msg)
		g_object_unref(msg);
	if (parser)
		g_object_unref(parser);
	if (stream)
		g_object_unref(stream);
	if (opts)
		g_mime_parser_options_free(opts);
	if (rc)
		email_msg_release(out);
	return rc;
}

static void
free_addrs(struct email_addr *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].addr);
	}
	free(a);
}

void
email_msg_release(struct email_msg *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].value);
	}
	free(m->headers);
	free(m->message_id);
	free(m->subject);
	free(m->date);
	free_addrs(m->from, m->nfrom);
	free_addrs(m->to, m->nto);
	free_addrs(m->cc, m->ncc);
	free_addrs(m->reply_to, m->nreply_to);
	free_addrs(m->sender, m->nsender);
	for (i = 0; i < m->ntexts; i++) {
		free(m->texts[i].content_type);
		free(m->texts[i].charset);
		free(m->texts[i].text);
		free(m->texts[i].plain);
	}
	free(m->texts);
	for (i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
		free(m->attachments[i].data);
	}
	free(m->attachments);
	memset(m, 0, sizeof(*m));
}
