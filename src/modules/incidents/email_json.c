/*
 * email_json.c - a parsed e-mail as JSON, for storing it with an incident
 * and for the API (email_msg_json in email_in.h).
 */
#include "modules/incidents/email_in.h"

#include <string.h>

#include <glib.h>

/* A JSON string of the N bytes at S (which may hold NUL), null for NULL.
 * Every string of an email_msg is valid UTF-8, so json_stringn succeeds;
 * should it not, the value is null rather than a crash. */
static json_t *
str_n(const char *s, size_t n)
{
	json_t *j;

	if (!s)
		return json_null();
	j = json_stringn(s, n);
	return j ? j : json_null();
}

static json_t *
str(const char *s)
{
	return s ? str_n(s, strlen(s)) : json_null();
}

static json_t *
addrs(const struct email_addr *a, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:o, s:o}", "name",
						     str(a[i].name), "addr",
						     str(a[i].addr)));
	return arr;
}

json_t *
email_msg_json(const struct email_msg *m, int with_attachment_data)
{
	json_t *o = json_object(), *arr;
	size_t i;

	json_object_set_new(o, "message_id", str(m->message_id));
	json_object_set_new(o, "subject", str(m->subject));
	json_object_set_new(o, "date", str(m->date));
	json_object_set_new(o, "truncated", json_boolean(m->truncated));

	arr = json_array();
	for (i = 0; i < m->nheaders; i++)
		json_array_append_new(arr, json_pack("{s:o, s:o}", "name",
						     str(m->headers[i].name),
						     "value",
						     str(m->headers[i].value)));
	json_object_set_new(o, "headers", arr);

	json_object_set_new(o, "from", addrs(m->from, m->nfrom));
	json_object_set_new(o, "to", addrs(m->to, m->nto));
	json_object_set_new(o, "cc", addrs(m->cc, m->ncc));
	json_object_set_new(o, "reply_to", addrs(m->reply_to, m->nreply_to));
	json_object_set_new(o, "sender", addrs(m->sender, m->nsender));

	arr = json_array();
	for (i = 0; i < m->ntexts; i++) {
		const struct email_text *t = &m->texts[i];

		json_array_append_new(
		    arr,
		    json_pack("{s:o, s:o, s:b, s:o, s:o}", "content_type",
			      str(t->content_type), "charset", str(t->charset),
			      "html", t->html, "text", str_n(t->text, t->len),
			      "plain", str_n(t->plain, t->plain_len)));
	}
	json_object_set_new(o, "texts", arr);

	arr = json_array();
	for (i = 0; i < m->nattachments; i++) {
		const struct email_attachment *a = &m->attachments[i];
		json_t *j =
		    json_pack("{s:o, s:o, s:I}", "filename", str(a->filename),
			      "content_type", str(a->content_type), "size",
			      (json_int_t)a->len);

		if (with_attachment_data) {
			gchar *b64 = g_base64_encode(a->data, a->len);

			json_object_set_new(j, "data", json_string(b64));
			g_free(b64);
		}
		json_array_append_new(arr, j);
	}
	json_object_set_new(o, "attachments", arr);
	return o;
}
