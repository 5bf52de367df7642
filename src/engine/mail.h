/*
 * mail.h - compose a message as RFC 5322 (GMime) and deliver it: to a
 * spool folder as NNN.eml, or by SMTP (libcurl).
 */
#ifndef SF_MAIL_H
#define SF_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/status.h"

struct mail_attachment {
	char *filename;
	char *content_type; /* "application/pdf", ... */
	unsigned char *data;
	size_t len;
};

struct mail_message {
	int64_t id; /* outbox id: names the spool file and the Message-ID */
	const char *from;
	const char **to;
	size_t nto;
	const char **cc;
	size_t ncc;
	const char **bcc; /* never written in the headers */
	size_t nbcc;
	const char *subject;
	const char *text; /* text/plain body, UTF-8 */
	const struct mail_attachment *attachments;
	size_t nattachments;
	sf_time date;
};

/* Initialise GMime once per process (thread-safe, idempotent).  Every
 * user of GMime calls this rather than g_mime_init(). */
void mail_gmime_init(void);

/* Compose MSG into OUT (RFC 5322, CRLF line ends, UTF-8 headers encoded
 * per RFC 2047).  OUT must be buf_init'ed; the message is appended.  The
 * result depends only on MSG and the host name (Date from msg->date,
 * Message-ID and MIME boundary from msg->id).  Errors: SF_INVALID with the
 * field ("from", "to", "cc", "bcc", "subject", "text", "attachments",
 * "date", "id"); SF_TOO_LARGE past OUT's maximum. */
enum sf_status mail_compose(const struct mail_message *msg, struct buf *out,
			    struct sf_error *err);

/* Write MSG to DIR/<id>.eml atomically (temporary file, fsync, rename):
 * a crash leaves either no file or the whole file.  <id> is zero-padded to
 * 8 digits; DIR is created (0750) when missing.  The file already there
 * with the same content is success (re-delivery); with other content,
 * SF_CONFLICT.  File system errors: SF_IO. */
enum sf_status mail_deliver_spool(const char *dir,
				  const struct mail_message *msg,
				  struct sf_error *err);

/* Send MSG to every to, cc and bcc address through SMTP_URL
 * ("smtp://host:port", "smtps://...", user:password@ allowed).  SF_INVALID
 * for a bad message or URL scheme (field "smtp_url"); SF_IO with curl's
 * error and the SMTP response code when delivery fails. */
enum sf_status mail_deliver_smtp(const char *smtp_url,
				 const struct mail_message *msg,
				 struct sf_error *err);

#endif
