/*
 * outbox.h - queue outbound messages in the database (in the caller's
 * transaction, so a message exists exactly when its cause committed) and
 * deliver them: SMTP when smtp_url is set, else .eml files in a spool
 * folder.  A failed delivery stays queued and is retried with back-off.
 */
#ifndef SF_OUTBOX_H
#define SF_OUTBOX_H

#include <jansson.h>

#include "store/store.h"

struct outbox_config {
	const char *spool_dir; /* default "spool" */
	const char *smtp_url;  /* NULL: spool */
	const char *mail_from; /* default "secflow@localhost" */
	const char *node;      /* lease owner name */
};

/* Queue a message.  TO, CC, BCC: arrays of addresses (not stolen; NULL =
 * none); ATTACHMENTS: [{"filename","content_type","data_b64"}] or NULL;
 * FORMAT "email", "encrypted" or "paper"; OBJECT names what it is about. */
enum sf_status outbox_queue(struct store *st, json_t *to, json_t *cc,
			    json_t *bcc, const char *subject, const char *body,
			    json_t *attachments, const char *format,
			    const char *object, sf_time now, int64_t *id,
			    struct sf_error *err);

/* Deliver what is due at NOW; *SENT and *FAILED count this run's
 * outcomes (either may be NULL). */
enum sf_status outbox_deliver(struct store *st, const struct outbox_config *cfg,
			      sf_time now, int *sent, int *failed,
			      struct sf_error *err);

/* One message as the JSON of the API (SPEC 4.2). */
json_t *outbox_row_json(const struct outbox_row *m);

#endif
