/*
 * test_email_in.c - the e-mail intake parser on real messages
 * (tests/data/eml/) and on broken input: decoded headers, addresses,
 * texts in UTF-8, HTML as visible text, attachments, errors.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "modules/incidents/email_charset.h"
#include "modules/incidents/email_html.h"
#include "modules/incidents/email_in.h"

/* Parse tests/data/eml/NAME into M; the test fails on error. */
static void
parse_file(const char *name, struct email_msg *m)
{
	char *rel = xasprintf("tests/data/eml/%s", name);
	char *path = tu_source_path(rel);
	struct sf_error err;
	size_t len;
	char *data = tu_read_file(path, &len);

	if (!data)
		fail_msg("cannot read %s", path);
	if (email_parse(data, len, m, &err) != SF_OK)
		fail_msg("%s: %s", name, err.message);
	free(data);
	free(path);
	free(rel);
}

static enum sf_status
parse_str(const char *s, struct email_msg *m, struct sf_error *err)
{
	return email_parse(s, strlen(s), m, err);
}

/* The value of the first header NAME of M, or NULL. */
static const char *
header(const struct email_msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nheaders; i++)
		if (strcmp(m->headers[i].name, name) == 0)
			return m->headers[i].value;
	return NULL;
}

static void
assert_empty(const struct email_msg *m)
{
	assert_int_equal(m->nheaders, 0);
	assert_null(m->headers);
	assert_int_equal(m->ntexts, 0);
	assert_null(m->texts);
	assert_int_equal(m->nattachments, 0);
	assert_null(m->subject);
}

static void
test_rfc2047(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("rfc2047.eml", &m);
	/* Whitespace between two encoded words is not text (RFC 2047 6.2). */
	assert_string_equal(m.subject, "Incident sécurité— virus detected");
	assert_string_equal(header(&m, "Subject"),
			    "Incident sécurité— virus detected");
	assert_int_equal(m.nfrom, 1);
	assert_string_equal(m.from[0].name, "André Müller – €uro");
	assert_string_equal(m.from[0].addr, "andre@example.org");
	assert_string_equal(header(&m, "From"),
			    "André Müller – €uro <andre@example.org>");
	assert_int_equal(m.nto, 2);
	assert_string_equal(m.to[0].name, "Zoë Dupont");
	assert_string_equal(m.to[0].addr, "zoe@example.com");
	assert_null(m.to[1].name);
	assert_string_equal(m.to[1].addr, "plain@example.net");
	assert_int_equal(m.ncc, 1);
	assert_string_equal(m.cc[0].name, "Jérôme");
	assert_int_equal(m.nreply_to, 1);
	assert_string_equal(m.reply_to[0].name, "Sécurité");
	assert_string_equal(m.reply_to[0].addr, "secu@example.org");
	assert_int_equal(m.nsender, 1);
	assert_string_equal(m.sender[0].name, "Service Desk");
	assert_string_equal(m.date, "2026-12-01T09:15:30Z");
	assert_string_equal(m.message_id, "inc-4711@sd.example.org");
	assert_int_equal(m.nheaders, 11);
	assert_string_equal(m.headers[0].name, "Return-Path");
	assert_string_equal(m.headers[10].name, "Content-Type");
	assert_string_equal(m.headers[10].value,
			    "text/plain; charset=us-ascii");
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].text, "Plain body.\n");
	assert_string_equal(m.texts[0].charset, "us-ascii");
	assert_int_equal(m.nattachments, 0);
	assert_false(m.truncated);
	email_msg_release(&m);
	assert_empty(&m);
}

static void
test_base64_latin9(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("base64_latin9.eml", &m);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].content_type, "text/plain");
	assert_string_equal(m.texts[0].charset, "ISO-8859-15");
	assert_string_equal(m.texts[0].text, "Montant: 100 €, Œuvre, été.\n");
	assert_int_equal(m.texts[0].len,
			 strlen("Montant: 100 €, Œuvre, été.\n"));
	assert_false(m.texts[0].html);
	assert_null(m.texts[0].plain);
	assert_string_equal(m.date, "2026-12-02T13:00:00Z");
	email_msg_release(&m);
}

static void
test_qp_utf8(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("qp_utf8.eml", &m);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(
	    m.texts[0].text,
	    "Un très long paragraphe qui dépasse la limite de soixante-seize "
	    "caractères par ligne, coupé par des sauts de ligne doux au "
	    "milieu d'un mot: malware.\nFin = end.\n");
	email_msg_release(&m);
}

static void
test_alternative(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("alternative.eml", &m);
	assert_int_equal(m.ntexts, 2);
	assert_string_equal(m.texts[0].content_type, "text/plain");
	assert_string_equal(m.texts[0].text,
			    "Server down: phishing suspected.");
	assert_string_equal(m.texts[1].content_type, "text/html");
	assert_true(m.texts[1].html);
	assert_string_equal(m.texts[1].plain,
			    "Server down:\nphishing suspected.");
	assert_int_equal(m.texts[1].plain_len,
			 strlen("Server down:\nphishing suspected."));
	assert_non_null(strstr(m.texts[1].text, "<title>Hidden title</title>"));
	assert_int_equal(m.nattachments, 0);
	assert_string_equal(m.from[0].name, "Service Desk");
	email_msg_release(&m);
}

static const char pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
			  "trailer<<>>\n%%EOF\n";

static void
test_mixed_nested(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("mixed_nested.eml", &m);
	assert_int_equal(m.ntexts, 2);
	assert_string_equal(m.texts[0].text,
			    "Voir le rapport ci-joint (détails).");
	assert_string_equal(m.texts[0].charset, "iso-8859-1");
	assert_string_equal(m.texts[1].plain,
			    "Voir le rapport ci-joint (détails).");
	assert_int_equal(m.nattachments, 3);
	assert_string_equal(m.attachments[0].filename, "report.pdf");
	assert_string_equal(m.attachments[0].content_type, "application/pdf");
	assert_int_equal(m.attachments[0].len, sizeof(pdf) - 1);
	assert_memory_equal(m.attachments[0].data, pdf, sizeof(pdf) - 1);
	/* text/plain with Content-Disposition: attachment: an attachment,
	 * RFC 2231 file name decoded. */
	assert_string_equal(m.attachments[1].filename, "journal sécurité.log");
	assert_string_equal(m.attachments[1].content_type, "text/plain");
	assert_int_equal(m.attachments[1].len,
			 strlen("ERROR malware found in /tmp"));
	assert_memory_equal(m.attachments[1].data,
			    "ERROR malware found in /tmp",
			    m.attachments[1].len);
	/* Not text and no disposition: an attachment without a name. */
	assert_null(m.attachments[2].filename);
	assert_string_equal(m.attachments[2].content_type, "image/png");
	assert_int_equal(m.attachments[2].len, 8);
	assert_memory_equal(m.attachments[2].data, "\x89PNG\r\n\x1a\n", 8);
	email_msg_release(&m);
}

static void
test_rfc822(void **state)
{
	struct email_msg m;
	const char *data;

	(void)state;
	parse_file("rfc822.eml", &m);
	/* The inline forwarded message is walked, the attached one is not. */
	assert_int_equal(m.ntexts, 2);
	assert_string_equal(m.texts[0].text, "See the two messages.");
	assert_string_equal(m.texts[1].text,
			    "Forwarded inline: ransomware note.");
	assert_int_equal(m.nattachments, 1);
	assert_string_equal(m.attachments[0].filename, "original.eml");
	assert_string_equal(m.attachments[0].content_type, "message/rfc822");
	data = (const char *)m.attachments[0].data;
	assert_int_equal(strlen(data), m.attachments[0].len);
	assert_true(strncmp(data, "From: attacker@example.net\n", 27) == 0);
	assert_non_null(strstr(data, "Subject: attached original\n"));
	assert_non_null(strstr(data, "\n\nAttached: never scanned."));
	/* Headers of the top message only. */
	assert_string_equal(m.subject, "Fwd: two messages");
	assert_int_equal(m.nheaders, 5);
	email_msg_release(&m);
}

static void
test_latin1_nocharset(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("latin1_nocharset.eml", &m);
	assert_int_equal(m.ntexts, 1);
	assert_null(m.texts[0].charset);
	assert_string_equal(m.texts[0].text, "Café crème € à la sécurité.\n");
	email_msg_release(&m);

	parse_file("utf8_nocharset.eml", &m);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].text, "Café — €.\n");
	assert_int_equal(m.nto, 0);
	email_msg_release(&m);
}

static void
test_html_entities(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("html_entities.eml", &m);
	assert_int_equal(m.ntexts, 1);
	assert_true(m.texts[0].html);
	assert_string_equal(m.texts[0].charset, "windows-1252");
	/* =80 is the euro sign in windows-1252. */
	assert_non_null(strstr(m.texts[0].text, "&#8364; €</p>"));
	assert_string_equal(m.texts[0].plain, "Café & crème <tag> éé €€ €\n"
					      "Tom & Jerry &unknown; ©\n"
					      "cell1 cell2\n"
					      "security\n"
					      "done");
	assert_null(strstr(m.texts[0].plain, "hunter2"));
	assert_null(strstr(m.texts[0].plain, "virus"));
	assert_null(strstr(m.texts[0].plain, "trojan"));
	email_msg_release(&m);
}

static void
test_received_folded(void **state)
{
	struct email_msg m;
	size_t i;
	char want[200];

	(void)state;
	parse_file("received.eml", &m); /* CRLF line ends */
	assert_int_equal(m.nheaders, 18);
	for (i = 0; i < 12; i++) {
		assert_string_equal(m.headers[i].name, "Received");
		snprintf(want, sizeof(want),
			 "from hop%zu.example.org (hop%zu.example.org "
			 "[192.0.2.%zu])\tby mx.example.org with ESMTP id "
			 "%04zu;\tTue, 1 Dec 2026 10:%02zu:00 +0000",
			 i + 1, i + 1, i + 1, i + 1, i + 1);
		assert_string_equal(m.headers[i].value, want);
	}
	assert_string_equal(m.headers[12].name, "From");
	assert_string_equal(m.headers[14].name, "Subject");
	assert_string_equal(m.subject, "a folded subject line");
	assert_string_equal(m.headers[15].name, "X-Long");
	assert_string_equal(m.headers[15].value,
			    "first part,   second part,\tthird part");
	assert_string_equal(m.headers[16].name, "Date");
	assert_string_equal(m.headers[17].name, "Content-Type");
	assert_string_equal(m.date, "2026-12-01T10:15:00Z");
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].text, "body\n");
	email_msg_release(&m);
}

static void
test_truncated(void **state)
{
	struct email_msg m;

	(void)state;
	/* Lenient: the parts that are there are kept, the flag says the
	 * message was cut. */
	parse_file("truncated.eml", &m);
	assert_true(m.truncated);
	assert_int_equal(m.ntexts, 2);
	assert_string_equal(m.texts[0].text, "first part");
	assert_string_equal(m.texts[1].text, "second part, cut sh");
	email_msg_release(&m);
}

static void
test_bad_header_utf8(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("bad_header_utf8.eml", &m);
	/* Raw 8-bit header text: UTF-8 where valid, else Windows-1252. */
	assert_string_equal(m.subject, "valid é then invalid é");
	assert_string_equal(m.from[0].name, "Müller");
	assert_string_equal(header(&m, "From"), "Müller <mueller@example.org>");
	assert_string_equal(header(&m, "X-Mixed"), "ok €");
	assert_string_equal(header(&m, "Date"), "not a date at all");
	assert_null(m.date);
	/* Declared utf-8 but not valid UTF-8: read as Windows-1252. */
	assert_string_equal(m.texts[0].text, "Body é in bad utf-8.\n");
	email_msg_release(&m);
}

static void
test_uuencode(void **state)
{
	struct email_msg m;

	(void)state;
	parse_file("uuencode.eml", &m);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].text, "uuencoded text\n");
	email_msg_release(&m);
}

static void
test_broken(void **state)
{
	static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe";
	struct email_msg m;
	struct sf_error err;
	char *big;

	(void)state;
	assert_int_equal(email_parse("", 0, &m, &err), SF_INVALID);
	assert_string_equal(err.message, "empty message");
	assert_empty(&m);
	assert_int_equal(email_parse(NULL, 0, &m, &err), SF_INVALID);

	assert_int_equal(email_parse(binary, sizeof(binary) - 1, &m, &err),
			 SF_INVALID);
	assert_string_equal(err.message, "not an e-mail message: no header "
					 "field at the start (offset 0)");
	assert_empty(&m);
	assert_int_equal(parse_str("\nSubject: after a blank line\n", &m, &err),
			 SF_INVALID);
	assert_int_equal(
	    parse_str("Just some text, no header.\nx: y\n", &m, &err),
	    SF_INVALID);
	assert_int_equal(parse_str(": no name\n", &m, &err), SF_INVALID);
	assert_int_equal(parse_str("From nobody Tue Dec  1 10:00:00 2026\n"
				   "body only\n",
				   &m, &err),
			 SF_INVALID);
	assert_non_null(strstr(err.message, "(offset 37)"));
	assert_empty(&m);

	big = xmalloc(EMAIL_MAX_SIZE + 1);
	memset(big, 'a', EMAIL_MAX_SIZE + 1);
	memcpy(big, "Subject: big\n\n", 14);
	assert_int_equal(email_parse(big, EMAIL_MAX_SIZE + 1, &m, &err),
			 SF_TOO_LARGE);
	assert_string_equal(err.field, "message");
	assert_empty(&m);
	free(big);

	/* Accepted: a header without a body, and an mbox From line. */
	assert_int_equal(parse_str("Subject: only a header", &m, &err), SF_OK);
	assert_string_equal(m.subject, "only a header");
	assert_int_equal(m.nheaders, 1);
	email_msg_release(&m);
	assert_int_equal(parse_str("From nobody Tue Dec  1 10:00:00 2026\n"
				   "Subject: mbox\n\nbody\n",
				   &m, &err),
			 SF_OK);
	assert_int_equal(m.nheaders, 1);
	assert_string_equal(m.subject, "mbox");
	assert_string_equal(m.texts[0].text, "body\n");
	email_msg_release(&m);
}

static void
test_bad_structure(void **state)
{
	struct email_msg m;
	struct sf_error err;

	(void)state;
	/* An unparseable Content-Type is text/plain (RFC 2045 5.2). */
	assert_int_equal(parse_str("Subject: x\nContent-Type: garbage\n\n"
				   "body\n",
				   &m, &err),
			 SF_OK);
	assert_int_equal(m.ntexts, 1);
	assert_int_equal(m.nattachments, 0);
	assert_string_equal(m.texts[0].content_type, "text/plain");
	assert_string_equal(m.texts[0].text, "body\n");
	email_msg_release(&m);
	/* A real application/octet-stream stays an attachment. */
	assert_int_equal(parse_str("Subject: x\nContent-Type: Application/"
				   "Octet-Stream; name=a.bin\n\nbody\n",
				   &m, &err),
			 SF_OK);
	assert_int_equal(m.ntexts, 0);
	assert_int_equal(m.nattachments, 1);
	assert_string_equal(m.attachments[0].filename, "a.bin");
	assert_string_equal(m.attachments[0].content_type,
			    "application/octet-stream");
	email_msg_release(&m);
	/* A multipart without boundary: its content is kept as text. */
	assert_int_equal(parse_str("Subject: x\nContent-Type: multipart/mixed"
				   "\n\n--x\n\nbody\n",
				   &m, &err),
			 SF_OK);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].text, "--x\n\nbody\n");
	email_msg_release(&m);
	/* A boundary that never comes: the same, and truncated. */
	assert_int_equal(parse_str("Subject: x\nContent-Type: multipart/mixed;"
				   " boundary=zz\n\nno parts here\n",
				   &m, &err),
			 SF_OK);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].text, "no parts here\n");
	assert_true(m.truncated);
	email_msg_release(&m);
}

/* A message whose body is LEVELS nested multiparts around a text (with
 * MESSAGES, inline message/rfc822 parts instead). */
static char *
nested(int levels, int messages)
{
	struct buf b;
	char *s;
	int i;

	buf_init(&b, 0);
	buf_adds(&b, "From: a@example.org\n");
	for (i = 0; i < levels; i++) {
		if (messages)
			buf_addf(&b,
				 "Content-Type: message/rfc822\n\n"
				 "Subject: level %d\n",
				 i + 1);
		else
			buf_addf(&b,
				 "Content-Type: multipart/mixed; boundary=b%d\n"
				 "\n--b%d\n",
				 i, i);
	}
	buf_adds(&b, "Content-Type: text/plain\n\ndeep text\n");
	for (i = levels - 1; !messages && i >= 0; i--)
		buf_addf(&b, "--b%d--\n", i);
	s = buf_detach(&b, NULL);
	buf_release(&b); /* detach re-inits it */
	return s;
}

static void
test_nesting(void **state)
{
	struct email_msg m;
	struct sf_error err;
	char *s;

	(void)state;
	s = nested(EMAIL_MAX_DEPTH, 0);
	assert_int_equal(parse_str(s, &m, &err), SF_OK);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].text, "deep text");
	assert_false(m.truncated);
	email_msg_release(&m);
	free(s);

	s = nested(EMAIL_MAX_DEPTH + 1, 0);
	assert_int_equal(parse_str(s, &m, &err), SF_INVALID);
	assert_string_equal(
	    err.message, "MIME parts nested deeper than 20 levels (part 22)");
	assert_empty(&m);
	free(s);

	s = nested(EMAIL_MAX_DEPTH, 1);
	assert_int_equal(parse_str(s, &m, &err), SF_OK);
	assert_int_equal(m.ntexts, 1);
	assert_string_equal(m.texts[0].text, "deep text\n");
	email_msg_release(&m);
	free(s);

	s = nested(200, 1);
	assert_int_equal(parse_str(s, &m, &err), SF_INVALID);
	assert_empty(&m);
	free(s);
}

static void
test_json(void **state)
{
	struct email_msg m;
	json_t *j, *a;

	(void)state;
	parse_file("mixed_nested.eml", &m);
	j = email_msg_json(&m, 0);
	assert_string_equal(json_string_value(json_object_get(j, "subject")),
			    "mixed nested");
	assert_true(json_is_null(json_object_get(j, "date")));
	assert_true(json_is_false(json_object_get(j, "truncated")));
	assert_int_equal(json_array_size(json_object_get(j, "headers")), 5);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(j, "to"), 0), "addr")),
	    "security@example.org");
	a = json_object_get(j, "texts");
	assert_int_equal(json_array_size(a), 2);
	assert_true(
	    json_is_null(json_object_get(json_array_get(a, 0), "plain")));
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(a, 1), "plain")),
	    "Voir le rapport ci-joint (détails).");
	a = json_object_get(j, "attachments");
	assert_int_equal(json_array_size(a), 3);
	assert_int_equal(
	    json_integer_value(json_object_get(json_array_get(a, 0), "size")),
	    sizeof(pdf) - 1);
	assert_null(json_object_get(json_array_get(a, 2), "data"));
	assert_true(
	    json_is_null(json_object_get(json_array_get(a, 2), "filename")));
	json_decref(j);

	j = email_msg_json(&m, 1);
	a = json_object_get(j, "attachments");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(a, 2), "data")),
	    "iVBORw0KGgo=");
	json_decref(j);
	email_msg_release(&m);
}

static void
check_html(const char *html, const char *want)
{
	size_t n;
	char *s = email_html_to_text(html, strlen(html), &n);

	assert_string_equal(s, want);
	assert_int_equal(n, strlen(want));
	assert_true(n <= strlen(html));
	free(s);
}

static void
test_html_to_text(void **state)
{
	(void)state;
	check_html("", "");
	check_html("  plain  text  ", "plain text");
	check_html("a < b && c > d", "a < b && c > d");
	check_html("<a href=\"x>y\" title='p>q'>link</a> after", "link after");
	check_html("<p>one<p>two<br/>three</p>", "one\ntwo\nthree");
	check_html("x&#0;y&#x110000;z&#65&#x42;",
		   "x\xef\xbf\xbdy\xef\xbf\xbdzAB");
	check_html("&amp &ampx; &#; &#x; &eacute",
		   "&amp &ampx; &#; &#x; &eacute");
	check_html("before<!-- never closed", "before");
	check_html("<head><title>t</title><body>visible", "visible");
	check_html("<style>never closed", "");
	check_html("<scripting>kept</scripting>", "kept");
	check_html("<script>a</scriptx>b</script>c", "c");
	check_html("<unclosed", "");
	check_html("x<!doctype html>y<?xml?>z", "xyz");
	check_html("caf\xc3\xa9\xc2\xa0\xc2\xa0ok", "caf\xc3\xa9 ok");
}

static void
test_charset(void **state)
{
	size_t n;
	char *s;

	(void)state;
	s = email_to_utf8("a\x81z", 3, "windows-1252", &n);
	assert_string_equal(s, "a\xef\xbf\xbdz");
	free(s);
	s = email_to_utf8("a\x81z", 3, NULL, &n); /* fallback: same */
	assert_string_equal(s, "a\xef\xbf\xbdz");
	free(s);
	s = email_to_utf8("caf\xe9", 4, "x-no-such-charset", &n);
	assert_string_equal(s, "café");
	free(s);
	s = email_to_utf8("a\0b\xc3\xa9", 5, NULL, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(s, "a\0b\xc3\xa9", 5);
	free(s);
	s = email_to_utf8("h\0i\0", 4, "utf-16le", &n);
	assert_string_equal(s, "hi");
	free(s);
	s = email_to_utf8("\xe9t\xe9", 3, "latin1", &n);
	assert_string_equal(s, "été");
	free(s);
	s = email_to_utf8("\x1b$B", 3, "iso-2022-jp", &n); /* cut short */
	assert_string_equal(s, "");
	free(s);
	s = email_utf8_clean("ok\xff\xc3");
	assert_string_equal(s, "ok\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	assert_null(email_utf8_clean(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc2047),
	    cmocka_unit_test(test_base64_latin9),
	    cmocka_unit_test(test_qp_utf8),
	    cmocka_unit_test(test_alternative),
	    cmocka_unit_test(test_mixed_nested),
	    cmocka_unit_test(test_rfc822),
	    cmocka_unit_test(test_latin1_nocharset),
	    cmocka_unit_test(test_html_entities),
	    cmocka_unit_test(test_received_folded),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bad_header_utf8),
	    cmocka_unit_test(test_uuencode),
	    cmocka_unit_test(test_broken),
	    cmocka_unit_test(test_bad_structure),
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_html_to_text),
	    cmocka_unit_test(test_charset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
