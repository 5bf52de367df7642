/* outbox.c - queueing and delivering outbound messages. */
#include "outbox.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/mail.h"

/* After this many failed attempts a message is marked failed; it stays in
 * the table and `secflow outbox retry` queues it again. */
#define OUTBOX_MAX_ATTEMPTS 20

enum sf_status
outbox_queue(struct store *st, json_t *to, json_t *cc, json_t *bcc,
	     const char *subject, const char *body, json_t *attachments,
	     const char *format, const char *object, sf_time now, int64_t *id,
	     struct sf_error *err)
{
	struct outbox_row m = {0};

	if ((!to || !json_array_size(to)) && (!cc || !json_array_size(cc)) &&
	    (!bcc || !json_array_size(bcc)))
		return sf_fail(err, SF_INVALID, "to",
			       "a message needs at least one recipient");
	m.created = now;
	m.next_attempt = now;
	m.to = to;
	m.cc = cc;
	m.bcc = bcc;
	m.subject = (char *)subject;
	m.body = (char *)body;
	m.attachments = attachments;
	m.format = (char *)(format ? format : "email");
	m.object = (char *)object;
	return st->ops->outbox_add(st, &m, id, err);
}

static const char **
str_array(json_t *arr, size_t *n)
{
	const char **v;
	size_t i;
	json_t *x;

	*n = json_array_size(arr);
	v = xcalloc(*n + 1, sizeof(*v));
	json_array_foreach(arr, i, x) v[i] = json_string_value(x);
	return v;
}

/* Compose M (attachments decoded from base64) and deliver it by SMTP or
 * to the spool folder. */
static enum sf_status
deliver_one(const struct outbox_config *cfg, const struct outbox_row *m,
	    struct sf_error *err)
{
	struct mail_message msg = {0};
	struct mail_attachment *att = NULL;
	size_t natt = json_array_size(m->attachments), i;
	json_t *a;
	enum sf_status r;

	att = xcalloc(natt + 1, sizeof(*att));
	json_array_foreach(m->attachments, i, a)
	{
		const char *b64 = json_string_value(json_object_get(a, "data_b64"));
		size_t cap = b64 ? strlen(b64) : 0, len = 0;

		att[i].filename = (char *)json_string_value(
			json_object_get(a, "filename"));
		att[i].content_type = (char *)json_string_value(
			json_object_get(a, "content_type"));
		att[i].data = xmalloc(cap + 1);
		if (b64 && sodium_base642bin(att[i].data, cap, b64, cap, NULL,
					     &len, NULL,
					     sodium_base64_VARIANT_ORIGINAL))
			len = 0;
		att[i].len = len;
	}
	msg.id = m->id;
	msg.from = cfg->mail_from ? cfg->mail_from : "secflow@localhost";
	msg.to = str_array(m->to, &msg.nto);
	msg.cc = str_array(m->cc, &msg.ncc);
	msg.bcc = str_array(m->bcc, &msg.nbcc);
	msg.subject = m->subject;
	msg.text = m->body;
	msg.attachments = att;
	msg.nattachments = natt;
	msg.date = m->created;
	if (cfg->smtp_url && *cfg->smtp_url)
		r = mail_deliver_smtp(cfg->smtp_url, &msg, err);
	else
		r = mail_deliver_spool(cfg->spool_dir ? cfg->spool_dir
						      : "spool",
				       &msg, err);
	for (i = 0; i < natt; i++)
		free(att[i].data);
	free(att);
	free(msg.to);
	free(msg.cc);
	free(msg.bcc);
	return r;
}

enum sf_status
outbox_deliver(struct store *st, const struct outbox_config *cfg, sf_time now,
	       int *sent, int *failed, struct sf_error *err)
{
	struct outbox_list l;
	enum sf_status r;
	int ns = 0, nf = 0;

	r = st->ops->outbox_claim(st, now, cfg->node ? cfg->node : "local",
				  300, 200, &l, err);
	if (r)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		struct outbox_row *m = &l.v[i];
		struct sf_error derr = {0};
		enum sf_status d = deliver_one(cfg, m, &derr);

		if (d == SF_OK) {
			r = st->ops->outbox_mark(st, m->id, "sent",
						 m->attempts + 1, now, NULL,
						 now, err);
			ns++;
		} else {
			int attempts = m->attempts + 1;
			/* Back off 1, 2, 4 ... minutes, at most an hour. */
			int shift = attempts < 6 ? attempts - 1 : 6;
			sf_time wait = (sf_time)60 << shift;
			if (wait > 3600)
				wait = 3600;
			r = st->ops->outbox_mark(
				st, m->id,
				attempts >= OUTBOX_MAX_ATTEMPTS ? "failed"
								: "queued",
				attempts, now + wait, derr.message, now, err);
			nf++;
		}
		if (r)
			break;
	}
	outbox_list_release(&l);
	if (sent)
		*sent = ns;
	if (failed)
		*failed = nf;
	return r;
}

json_t *
outbox_row_json(const struct outbox_row *m)
{
	json_t *names = json_array();
	json_t *a;
	size_t i;
	char created[32];

	json_array_foreach(m->attachments, i, a)
		json_array_append(names, json_object_get(a, "filename"));
	clock_format(m->created, created);
	return json_pack("{s:I, s:O, s:O, s:O, s:s, s:o, s:s, s:s, s:s, "
			 "s:i, s:s?, s:s}",
			 "id", (json_int_t)m->id, "to", m->to, "cc", m->cc,
			 "bcc", m->bcc, "subject", m->subject, "attachments",
			 names, "format", m->format, "state", m->state,
			 "created", created, "attempts", m->attempts,
			 "last_error", m->last_error, "object", m->object);
}
