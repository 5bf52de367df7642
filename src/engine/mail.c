/*
 * mail.c - compose outbound messages with GMime and deliver them to a
 * spool folder or through SMTP with libcurl.
 *
 * A composed message depends only on the mail_message and the host name:
 * the Date comes from msg->date, the Message-ID and the multipart boundary
 * from msg->id.  That is what makes spool re-delivery after a crash
 * idempotent: the same outbox row composes to the same bytes.
 */
#include "engine/mail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gmime/gmime.h>

#include "core/alloc.h"

/* Spool files and the SMTP upload never need more than this. */
#define MAIL_MAX_SIZE (64u * 1024 * 1024)

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void
gmime_init_once(void)
{
	g_mime_init();
}

/* One-time GMime set-up, shared by everything that uses GMime. */
void
mail_gmime_init(void)
{
	pthread_once(&gmime_once, gmime_init_once);
}

static void
curl_init_once(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/*
 * Address validation.
 */

/* An envelope address goes verbatim into MAIL FROM / RCPT TO, so it must
 * not carry anything that could end or extend an SMTP command. */
static int
addr_spec_ok(const char *addr)
{
	const char *at = strrchr(addr, '@');
	const unsigned char *p;

	if (!at || at == addr || at[1] == '\0')
		return 0;
	for (p = (const unsigned char *)addr; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' ||
		    *p == ',' || *p == ';')
			return 0;
	}
	return 1;
}

/*
 * Parse one address of FIELD into a single mailbox.  On success *OUT holds
 * a new list of exactly one mailbox (caller unrefs it).
 */
static enum sf_status
parse_mailbox(const char *field, const char *s, InternetAddressList **out,
	      struct sf_error *err)
{
	InternetAddressList *list = NULL;
	InternetAddress *ia;

	*out = NULL;
	if (!s || !*s)
		return sf_fail(err, SF_INVALID, field,
			       "empty address in \"%s\"", field);
	if (strpbrk(s, "\r\n"))
		goto bad;
	list = internet_address_list_parse(NULL, s);
	if (!list || internet_address_list_length(list) != 1)
		goto bad;
	ia = internet_address_list_get_address(list, 0);
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
		goto bad;
	if (!addr_spec_ok(internet_address_mailbox_get_addr(
		INTERNET_ADDRESS_MAILBOX(ia))) ||
	    !addr_spec_ok(internet_address_mailbox_get_idn_addr(
		INTERNET_ADDRESS_MAILBOX(ia))))
		goto bad;
	*out = list;
	return SF_OK;
bad:
	if (list)
		g_object_unref(list);
	return sf_fail(err, SF_INVALID, field,
		       "invalid address in \"%s\": \"%s\"", field, s);
}

/* Validate the N addresses of FIELD and append them to DEST (may be NULL:
 * validation only). */
static enum sf_status
add_addresses(const char *field, const char *const *addrs, size_t n,
	      InternetAddressList *dest, struct sf_error *err)
{
	InternetAddressList *one;
	enum sf_status rc;
	size_t i;

	if (n && !addrs)
		return sf_fail(err, SF_INTERNAL, field,
			       "%zu addresses in \"%s\" but no array", n,
			       field);
	for (i = 0; i < n; i++) {
		rc = parse_mailbox(field, addrs[i], &one, err);
		if (rc)
			return rc;
		if (dest) {
			/* Else GMime encodes a display name in the narrowest
			 * charset, even iso-8859-1. */
			internet_address_set_charset(
			    internet_address_list_get_address(one, 0), "utf-8");
			internet_address_list_append(dest, one);
		}
		g_object_unref(one);
	}
	return SF_OK;
}

/* Check everything about MSG that does not need GMime objects built. */
static enum sf_status
check_message(const struct mail_message *msg, struct sf_error *err)
{
	InternetAddressList *one;
	enum sf_status rc;
	size_t i;

	if (msg->id < 0)
		return sf_fail(err, SF_INVALID, "id",
			       "negative message id %" PRId64, msg->id);
	rc = parse_mailbox("from", msg->from, &one, err);
	if (rc)
		return rc;
	g_object_unref(one);
	if ((rc = add_addresses("to", msg->to, msg->nto, NULL, err)) ||
	    (rc = add_addresses("cc", msg->cc, msg->ncc, NULL, err)) ||
	    (rc = add_addresses("bcc", msg->bcc, msg->nbcc, NULL, err)))
		return rc;
	if (msg->nto + msg->ncc + msg->nbcc == 0)
		return sf_fail(err, SF_INVALID, "to",
			       "message %" PRId64 " has no recipient", msg->id);
	if (msg->subject && (!g_utf8_validate(msg->subject, -1, NULL) ||
			     strpbrk(msg->subject, "\r\n")))
		return sf_fail(err, SF_INVALID, "subject",
			       "subject must be one line of UTF-8");
	if (msg->text && !g_utf8_validate(msg->text, -1, NULL))
		return sf_fail(err, SF_INVALID, "text",
			       "body text is not valid UTF-8");
	if (msg->nattachments && !msg->attachments)
		return sf_fail(err, SF_INTERNAL, "attachments",
			       "%zu attachments but no array",
			       msg->nattachments);
	for (i = 0; i < msg->nattachments; i++) {
		const struct mail_attachment *a = &msg->attachments[i];

		if (a->filename && (!g_utf8_validate(a->filename, -1, NULL) ||
				    strpbrk(a->filename, "\r\n")))
			return sf_fail(err, SF_INVALID, "attachments",
				       "attachment %zu: bad file name", i + 1);
		if (a->len && !a->data)
			return sf_fail(err, SF_INTERNAL, "attachments",
				       "attachment %zu: no data", i + 1);
	}
	return SF_OK;
}

/*
 * Composition.
 */

/* The host part of the Message-ID: the host name when it is a plain DNS
 * name, else a fixed name so the ID stays well-formed. */
static void
message_id_host(char *out, size_t n)
{
	char host[256];
	const char *p;

	if (gethostname(host, sizeof(host)) != 0 || !host[0] ||
	    host[0] == '.' || host[0] == '-')
		goto fallback;
	host[sizeof(host) - 1] = '\0';
	for (p = host; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			goto fallback;
	}
	xstrlcpy(out, host, n);
	return;
fallback:
	xstrlcpy(out, "secflow.local", n);
}

/* A GMime part whose content is a copy of DATA. */
static void
part_set_bytes(GMimePart *part, const void *data, size_t len)
{
	GMimeStream *stream;
	GMimeDataWrapper *wrapper;

	stream = g_mime_stream_mem_new_with_buffer(data ? data : "", len);
	wrapper = g_mime_data_wrapper_new_with_stream(
	    stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, wrapper);
	g_object_unref(wrapper);
	g_object_unref(stream);
}

/* The text/plain body.  g_mime_text_part_set_text would pick the
 * narrowest charset (even iso-8859-1); we always declare utf-8. */
static GMimeObject *
make_text_part(const char *text)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	struct buf b;
	const char *p;

	/* GMime adds the CR of CRLF on output; a CR already there would be
	 * quoted-printable encoded as =0D. */
	buf_init(&b, 0);
	for (p = text ? text : ""; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n')
			continue;
		buf_add(&b, p, 1);
	}
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
						 "utf-8");
	part_set_bytes(GMIME_PART(part), b.data, b.len);
	g_mime_part_set_content_encoding(
	    GMIME_PART(part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	buf_release(&b);
	return GMIME_OBJECT(part);
}

static void
param_set_utf8(GMimeParamList *list, const char *name)
{
	GMimeParam *param =
	    list ? g_mime_param_list_get_parameter(list, name) : NULL;

	if (param)
		g_mime_param_set_charset(param, "utf-8");
}

static enum sf_status
make_attachment(const struct mail_attachment *a, size_t index,
		GMimeObject **out, struct sf_error *err)
{
	const char *ctype = a->content_type && *a->content_type
				? a->content_type
				: "application/octet-stream";
	GMimeContentType *ct;
	GMimePart *part;

	*out = NULL;
	ct = g_mime_content_type_parse(NULL, ctype);
	if (!ct || !g_mime_content_type_get_media_type(ct) ||
	    !g_mime_content_type_get_media_subtype(ct) || !strchr(ctype, '/') ||
	    strpbrk(ctype, "\r\n")) {
		if (ct)
			g_object_unref(ct);
		return sf_fail(err, SF_INVALID, "attachments",
			       "attachment %zu: invalid content type \"%s\"",
			       index + 1, ctype);
	}
	part = g_mime_part_new();
	g_mime_object_set_content_type(GMIME_OBJECT(part), ct);
	g_object_unref(ct);
	g_mime_object_set_disposition(GMIME_OBJECT(part),
				      GMIME_DISPOSITION_ATTACHMENT);
	if (a->filename && *a->filename) {
		g_mime_part_set_filename(part, a->filename);
		/* RFC 2231 in utf-8, not the narrowest charset GMime picks. */
		param_set_utf8(g_mime_content_disposition_get_parameters(
				   g_mime_object_get_content_disposition(
				       GMIME_OBJECT(part))),
			       "filename");
		param_set_utf8(
		    g_mime_content_type_get_parameters(
			g_mime_object_get_content_type(GMIME_OBJECT(part))),
		    "name");
	}
	part_set_bytes(part, a->data, a->len);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	*out = GMIME_OBJECT(part);
	return SF_OK;
}

/*
 * Compose MSG and append it to OUT (which the caller has buf_init'ed).
 *
 * Headers: From, To, Cc (never Bcc), Subject (RFC 2047), Date from
 * msg->date, Message-ID <secflow-ID@host>, MIME-Version.  Body: text/plain
 * utf-8 quoted-printable; with attachments, multipart/mixed whose other
 * parts are base64 with Content-Disposition attachment and an RFC 2231
 * filename.  Lines end in CRLF.
 *
 * Errors: SF_INVALID naming the field (from, to, cc, bcc, subject, text,
 * attachments) for bad input; SF_TOO_LARGE when OUT has a maximum that the
 * message exceeds.
 */
enum sf_status
mail_compose(const struct mail_message *msg, struct buf *out,
	     struct sf_error *err)
{
	GMimeMessage *m = NULL;
	GMimeMultipart *mixed = NULL;
	GMimeObject *body = NULL, *att;
	GMimeFormatOptions *fo = NULL;
	GMimeStream *stream = NULL;
	GByteArray *bytes;
	GDateTime *date = NULL;
	char host[256], *mid = NULL, *boundary = NULL;
	enum sf_status rc;
	size_t i;

	mail_gmime_init();
	rc = check_message(msg, err);
	if (rc)
		return rc;

	m = g_mime_message_new(TRUE);
	if ((rc = add_addresses("from", &msg->from, 1,
				g_mime_message_get_from(m), err)) ||
	    (rc = add_addresses("to", msg->to, msg->nto,
				g_mime_message_get_to(m), err)) ||
	    (rc = add_addresses("cc", msg->cc, msg->ncc,
				g_mime_message_get_cc(m), err)))
		goto out;
	g_mime_message_set_subject(m, msg->subject ? msg->subject : "",
				   "utf-8");
	date = g_date_time_new_from_unix_utc(msg->date);
	if (!date) {
		rc = sf_fail(err, SF_INVALID, "date",
			     "date %" PRId64 " out of range", msg->date);
		goto out;
	}
	g_mime_message_set_date(m, date);
	message_id_host(host, sizeof(host));
	mid = xasprintf("secflow-%" PRId64 "@%s", msg->id, host);
	g_mime_message_set_message_id(m, mid);
	g_mime_object_set_header(GMIME_OBJECT(m), "MIME-Version", "1.0", NULL);

	body = make_text_part(msg->text);
	if (msg->nattachments == 0) {
		g_mime_message_set_mime_part(m, body);
	} else {
		mixed = g_mime_multipart_new_with_subtype("mixed");
		/* GMime's default boundary is random; this one is fixed per
		 * message and cannot occur in quoted-printable or base64
		 * text ("=_" is neither). */
		boundary = xasprintf("=_secflow_%08" PRId64 "_mixed", msg->id);
		g_mime_multipart_set_boundary(mixed, boundary);
		g_mime_multipart_add(mixed, body);
		for (i = 0; i < msg->nattachments; i++) {
			rc =
			    make_attachment(&msg->attachments[i], i, &att, err);
			if (rc)
				goto out;
			g_mime_multipart_add(mixed, att);
			g_object_unref(att);
		}
		g_mime_message_set_mime_part(m, GMIME_OBJECT(mixed));
	}

	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	g_mime_format_options_set_param_encoding_method(
	    fo, GMIME_PARAM_ENCODING_METHOD_RFC2231);
	/* Belt and braces: Bcc is never set, and never written either. */
	g_mime_format_options_add_hidden_header(fo, "Bcc");
	stream = g_mime_stream_mem_new();
	if (g_mime_object_write_to_stream(GMIME_OBJECT(m), fo, stream) < 0) {
		rc = sf_fail(err, SF_INTERNAL, NULL,
			     "cannot compose message %" PRId64, msg->id);
		goto out;
	}
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	if (buf_add(out, bytes->data, bytes->len)) {
		rc = sf_fail(err, SF_TOO_LARGE, NULL,
			     "message %" PRId64 " is too large (%u bytes)",
			     msg->id, bytes->len);
		goto out;
	}
	rc = SF_OK;
out:
	if (stream)
		g_object_unref(stream);
	if (fo)
		g_mime_format_options_free(fo);
	if (mixed)
		g_object_unref(mixed);
	if (body)
		g_object_unref(body);
	if (date)
		g_date_time_unref(date);
	if (m)
		g_object_unref(m);
	free(mid);
	free(boundary);
	return rc;
}

/*
 * Spool delivery.
 */

/* mkdir -p PATH, each created level with MODE. */
static int
mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	struct stat st;
	int rc = -1;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			goto out;
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		goto out;
	if (stat(path, &st) != 0)
		goto out;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto out;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 1 when PATH holds exactly DATA, 0 when it holds something else, -1 when
 * it cannot be read (errno set; ENOENT: it does not exist). */
static int
file_equals(const char *path, const char *data, size_t len)
{
	char chunk[8192];
	size_t off = 0;
	ssize_t r;
	int fd, e, same = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		if ((size_t)r > len - off ||
		    memcmp(chunk, data + off, (size_t)r) != 0) {
			same = 0;
			break;
		}
		off += (size_t)r;
	}
	close(fd);
	return same && off == len;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (rc != 0 && errno == EINVAL)
		rc = 0; /* file systems that cannot sync a directory */
	close(fd);
	return rc;
}

/*
 * Compose MSG and write it to DIR/<id>.eml, the id zero-padded to 8 digits
 * (00000042.eml).  DIR is created (mode 0750) when missing.  The bytes go
 * to DIR/.tmp-<id>-<pid> first, are fsynced, renamed into place and the
 * directory is fsynced: a crash leaves either no file or the whole file.
 *
 * Delivering the same message again when the file is already there with
 * the same content succeeds (re-delivery after a crash between the rename
 * and the outbox update).  A file of that name with other content is
 * SF_CONFLICT; other file system errors are SF_IO.
 */
enum sf_status
mail_deliver_spool(const char *dir, const struct mail_message *msg,
		   struct sf_error *err)
{
	struct buf b;
	char *path = NULL, *tmp = NULL;
	enum sf_status rc;
	int fd = -1, same;

	buf_init(&b, MAIL_MAX_SIZE);
	rc = mail_compose(msg, &b, err);
	if (rc)
		goto out;
	if (!dir || !*dir) {
		rc = sf_fail(err, SF_INVALID, "spool_dir",
			     "no spool folder configured");
		goto out;
	}
	if (mkdir_p(dir, 0750) != 0) {
		rc = sf_fail(err, SF_IO, NULL,
			     "cannot create spool folder "
			     "\"%s\": %s",
			     dir, strerror(errno));
		goto out;
	}
	path = xasprintf("%s/%08" PRId64 ".eml", dir, msg->id);
	tmp =
	    xasprintf("%s/.tmp-%" PRId64 "-%ld", dir, msg->id, (long)getpid());

	same = file_equals(path, b.data, b.len);
	if (same == 1) {
		rc = SF_OK;
		goto out;
	}
	if (same == 0) {
		rc = sf_fail(err, SF_CONFLICT, NULL,
			     "spool file \"%s\" exists with other content",
			     path);
		goto out;
	}
	if (errno != ENOENT) {
		rc = sf_fail(err, SF_IO, NULL, "cannot read \"%s\": %s", path,
			     strerror(errno));
		goto out;
	}

	/* O_TRUNC, not O_EXCL: a leftover of this name comes from a crashed
	 * process that had our pid, and nobody else writes it. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0640);
	if (fd < 0) {
		rc = sf_fail(err, SF_IO, NULL, "cannot create \"%s\": %s", tmp,
			     strerror(errno));
		goto out;
	}
	if (write_all(fd, b.data, b.len) != 0 || fsync(fd) != 0) {
		rc = sf_fail(err, SF_IO, NULL, "cannot write \"%s\": %s", tmp,
			     strerror(errno));
		goto out_unlink;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = sf_fail(err, SF_IO, NULL, "cannot write \"%s\": %s", tmp,
			     strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = sf_fail(err, SF_IO, NULL,
			     "cannot rename \"%s\" to "
			     "\"%s\": %s",
			     tmp, path, strerror(errno));
		goto out_unlink;
	}
	if (fsync_dir(dir) != 0) {
		rc = sf_fail(err, SF_IO, NULL,
			     "cannot sync spool folder "
			     "\"%s\": %s",
			     dir, strerror(errno));
		goto out;
	}
	rc = SF_OK;
	goto out;
out_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(tmp);
	buf_release(&b);
	return rc;
}

/*
 * SMTP delivery.
 */

struct upload {
	const char *data;
	size_t len;
	size_t off;
};

static size_t
upload_read(char *dst, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(dst, u->data + u->off, n);
	u->off += n;
	return n;
}

/* "<addr>" for MAIL FROM / RCPT TO from an address that check_message
 * has validated (one mailbox, clean addr-spec); the domain in IDNA form. */
static char *
envelope_addr(const char *s)
{
	InternetAddressList *l = internet_address_list_parse(NULL, s);
	InternetAddress *ia = internet_address_list_get_address(l, 0);
	char *addr = xasprintf("<%s>", internet_address_mailbox_get_idn_addr(
					   INTERNET_ADDRESS_MAILBOX(ia)));

	g_object_unref(l);
	return addr;
}

static struct curl_slist *
envelope_append(struct curl_slist *list, const char *s)
{
	char *addr = envelope_addr(s);
	struct curl_slist *r = curl_slist_append(list, addr);

	free(addr);
	if (!r) {
		fprintf(stderr,
			"secflow: out of memory in curl_slist_append\n");
		abort();
	}
	return r;
}

/* Nothing but SMTP, whatever the configured URL says. */
static CURLcode
restrict_protocols(CURL *curl)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	return curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	return curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
				(long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
}

/*
 * Compose MSG and send it through SMTP_URL ("smtp://host:port" with
 * STARTTLS when the server offers it, "smtps://..." with TLS required;
 * "user:password@" allowed) to every to, cc and bcc address.  Connection
 * timeout 10 s, whole transfer 60 s.
 *
 * Errors: SF_INVALID for a bad message or URL scheme; SF_IO with curl's
 * error text and the last SMTP response code when the delivery fails.
 */
enum sf_status
mail_deliver_smtp(const char *smtp_url, const struct mail_message *msg,
		  struct sf_error *err)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *rcpt = NULL;
	struct upload up;
	struct buf b;
	CURL *curl = NULL;
	CURLcode cc;
	long code = 0;
	long use_ssl;
	char *from = NULL;
	enum sf_status rc;
	size_t i;

	buf_init(&b, MAIL_MAX_SIZE);
	rc = mail_compose(msg, &b, err);
	if (rc)
		goto out;
	if (smtp_url && strncasecmp(smtp_url, "smtps://", 8) == 0) {
		use_ssl = (long)CURLUSESSL_ALL;
	} else if (smtp_url && strncasecmp(smtp_url, "smtp://", 7) == 0) {
		use_ssl = (long)CURLUSESSL_TRY;
	} else {
		/* Not the URL itself: it may hold a password. */
		rc = sf_fail(err, SF_INVALID, "smtp_url",
			     "smtp_url must start with smtp:// or smtps://");
		goto out;
	}

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_result != CURLE_OK) {
		rc = sf_fail(err, SF_IO, NULL, "cannot initialise libcurl: %s",
			     curl_easy_strerror(curl_init_result));
		goto out;
	}
	curl = curl_easy_init();
	if (!curl) {
		rc = sf_fail(err, SF_IO, NULL, "cannot initialise libcurl");
		goto out;
	}

	from = envelope_addr(msg->from);
	for (i = 0; i < msg->nto; i++)
		rcpt = envelope_append(rcpt, msg->to[i]);
	for (i = 0; i < msg->ncc; i++)
		rcpt = envelope_append(rcpt, msg->cc[i]);
	for (i = 0; i < msg->nbcc; i++)
		rcpt = envelope_append(rcpt, msg->bcc[i]);

	up.data = b.data;
	up.len = b.len;
	up.off = 0;
	errbuf[0] = '\0';
	if ((cc = curl_easy_setopt(curl, CURLOPT_URL, smtp_url)) ||
	    (cc = restrict_protocols(curl)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_USE_SSL, use_ssl)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_READFUNCTION, upload_read)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_READDATA, &up)) ||
	    (cc = curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
				   (curl_off_t)b.len))) {
		rc =
		    sf_fail(err, SF_IO, NULL, "cannot set up smtp delivery: %s",
			    curl_easy_strerror(cc));
		goto out;
	}

	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
		if (code > 0)
			rc = sf_fail(
			    err, SF_IO, NULL,
			    "smtp delivery of message %" PRId64
			    " failed: %s (smtp response %ld)",
			    msg->id,
			    errbuf[0] ? errbuf : curl_easy_strerror(cc), code);
		else
			rc = sf_fail(
			    err, SF_IO, NULL,
			    "smtp delivery of message %" PRId64 " failed: %s",
			    msg->id,
			    errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	rc = SF_OK;
out:
	if (curl)
		curl_easy_cleanup(curl);
	curl_slist_free_all(rcpt);
	free(from);
	buf_release(&b);
	return rc;
}
