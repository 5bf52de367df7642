/*
 * fuzz_email_in.c - libFuzzer target for email_parse() and
 * email_msg_json().
 *
 * The input goes in as it is, from an exact-size heap copy (so ASan sees
 * any read past SIZE, and a NUL does not stop the parser).  Every string
 * of a parsed message must be valid UTF-8 and JSON must accept it; an
 * error must leave the message empty.  LeakSanitizer checks release.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/alloc.h"
#include "modules/incidents/email_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_utf8(const char *s, size_t n)
{
	const char *end;

	if (!s)
		return;
	/* NUL bytes are allowed inside texts: validate between them. */
	while (n > 0) {
		if (g_utf8_validate(s, (gssize)n, &end))
			return;
		if (*end != '\0')
			abort();
		n -= (size_t)(end - s) + 1;
		s = end + 1;
	}
}

static void
check_str(const char *s)
{
	if (s)
		check_utf8(s, strlen(s));
}

static void
check_addrs(const struct email_addr *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		check_str(a[i].name);
		if (!a[i].addr)
			abort();
		check_str(a[i].addr);
	}
}

static void
check(const struct email_msg *m)
{
	size_t i;
	json_t *j;

	if (m->nheaders == 0)
		abort(); /* no headers is an error, never a message */
	for (i = 0; i < m->nheaders; i++) {
		check_str(m->headers[i].name);
		check_str(m->headers[i].value);
	}
	check_str(m->subject);
	check_str(m->message_id);
	check_str(m->date);
	check_addrs(m->from, m->nfrom);
	check_addrs(m->to, m->nto);
	check_addrs(m->cc, m->ncc);
	check_addrs(m->reply_to, m->nreply_to);
	check_addrs(m->sender, m->nsender);
	for (i = 0; i < m->ntexts; i++) {
		const struct email_text *t = &m->texts[i];

		if (!t->text || t->text[t->len] != '\0')
			abort();
		check_utf8(t->text, t->len);
		check_str(t->charset);
		if (t->html) {
			if (!t->plain || t->plain_len > t->len)
				abort();
			check_utf8(t->plain, t->plain_len);
		}
	}
	for (i = 0; i < m->nattachments; i++) {
		if (!m->attachments[i].data)
			abort();
		check_str(m->attachments[i].filename);
	}
	j = email_msg_json(m, 1);
	if (!j)
		abort();
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct email_msg m;
	struct sf_error err;
	char *exact = xmalloc(size ? size : 1);

	memcpy(exact, data, size);
	if (email_parse(exact, size, &m, &err) == SF_OK) {
		check(&m);
	} else if (m.nheaders || m.headers || m.ntexts || m.texts ||
		   m.nattachments || m.attachments || m.subject ||
		   !err.message[0]) {
		abort();
	}
	email_msg_release(&m);
	free(exact);
	return 0;
}
