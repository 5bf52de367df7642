/*
 * test_mail.c - composing with GMime (parsed back with GMime), spool
 * delivery, and SMTP delivery against a fake server on loopback.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/mail.h"

#define T_DATE 1796115600 /* 2026-12-01T09:00:00Z */
#define T_SUBJECT "Rapport d'incident — sécurité ✓ n° 42"
#define T_TEXT                                                                 \
	"Bonjour,\n\nLe rapport est joint. Été = summer.\n"                  \
	".a line that starts with a dot\n"                                     \
	"A long line to make quoted-printable soft-wrap it: "                  \
	"0123456789 0123456789 0123456789 0123456789 0123456789\n"
#define T_NAME2 "Überprüfung-été.txt"

/* Every wait in this file is bounded: the fake server's own timeouts
 * (testutil.c), curl's own timeouts, and this alarm for the whole run. */
#define RUN_TIMEOUT_S 120

static unsigned char blob[1000];
static const char text2[] = "line one\nline two\r\nno newline at end";
static struct mail_attachment atts[2];
static const char *to[] = {"Alice Dupont <alice@example.org>",
			   "bob@example.net"};
static const char *cc[] = {"Zoë <zoe@example.com>"};
static const char *bcc[] = {"secret@example.org"};

static void
sample(struct mail_message *m)
{
	size_t i;

	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(i * 7 + i / 256);
	atts[0].filename = "report.pdf";
	atts[0].content_type = "application/pdf";
	atts[0].data = blob;
	atts[0].len = sizeof(blob);
	atts[1].filename = T_NAME2;
	atts[1].content_type = "text/plain; charset=utf-8";
	atts[1].data = (unsigned char *)text2;
	atts[1].len = sizeof(text2) - 1;

	memset(m, 0, sizeof(*m));
	m->id = 42;
	m->from = "secflow <noreply@secflow.example>";
	m->to = to;
	m->nto = 2;
	m->cc = cc;
	m->ncc = 1;
	m->bcc = bcc;
	m->nbcc = 1;
	m->subject = T_SUBJECT;
	m->text = T_TEXT;
	m->attachments = atts;
	m->nattachments = 2;
	m->date = T_DATE;
}

/* S with every CRLF turned into LF; caller frees. */
static char *
unix_lines(const char *s)
{
	char *r = xstrdup(s), *w = r;

	for (; *s; s++) {
		if (s[0] == '\r' && s[1] == '\n')
			continue;
		*w++ = *s;
	}
	*w = '\0';
	return r;
}

static GMimeMessage *
parse_message(const char *data, size_t len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(stream);
	assert_non_null(m);
	return m;
}

static GByteArray *
part_bytes(GMimePart *part, GMimeStream **keep)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);

	*keep = g_mime_stream_mem_new();
	assert_non_null(w);
	assert_true(g_mime_data_wrapper_write_to_stream(w, *keep) >= 0);
	return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(*keep));
}

static void
assert_crlf_only(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			assert_true(i > 0 && s[i - 1] == '\r');
		if (s[i] == '\r')
			assert_true(i + 1 < len && s[i + 1] == '\n');
	}
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strcasestr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static void
test_compose_roundtrip(void **state)
{
	struct mail_message msg;
	struct sf_error err;
	struct buf b;
	GMimeMessage *m;
	GMimeObject *body, *o;
	GMimeMultipart *mp;
	InternetAddressList *l;
	GDateTime *date;
	GMimeStream *keep;
	GByteArray *bytes;
	char *text, *expect, *headers_end;
	size_t i;

	(void)state;
	sample(&msg);
	buf_init(&b, 0);
	assert_int_equal(mail_compose(&msg, &b, &err), SF_OK);

	/* The wire form: CRLF only, ASCII headers, no Bcc anywhere. */
	assert_crlf_only(b.data, b.len);
	headers_end = strstr(b.data, "\r\n\r\n");
	assert_non_null(headers_end);
	for (i = 0; b.data + i < headers_end; i++)
		assert_true((unsigned char)b.data[i] < 0x80);
	assert_null(strcasestr(b.data, "\nBcc:"));
	assert_null(strcasestr(b.data, "secret@example.org"));
	assert_non_null(strstr(b.data, "\r\nSubject: Rapport d'incident "
				       "=?UTF-8?"));
	assert_non_null(strstr(b.data, "\r\nCc: =?UTF-8?"));
	assert_int_equal(count(b.data, "\nMIME-Version: 1.0\r\n"), 1);
	assert_non_null(strcasestr(b.data, "Content-Transfer-Encoding: "
					   "quoted-printable"));
	assert_non_null(strcasestr(b.data, "filename*=utf-8''"));
	assert_non_null(strcasestr(b.data, "Date: Tue, 01 Dec 2026 "
					   "09:00:00 +0000"));

	m = parse_message(b.data, b.len);
	assert_string_equal(g_mime_message_get_subject(m), T_SUBJECT);
	assert_null(g_mime_object_get_header(GMIME_OBJECT(m), "Bcc"));
	assert_string_equal(
	    g_mime_object_get_header(GMIME_OBJECT(m), "MIME-Version"), "1.0");
	assert_true(
	    strncmp(g_mime_message_get_message_id(m), "secflow-42@", 11) == 0);
	assert_true(strlen(g_mime_message_get_message_id(m)) > 11);
	assert_non_null(strcasestr(b.data, "\r\nMessage-ID: <secflow-42@"));
	date = g_mime_message_get_date(m);
	assert_non_null(date);
	assert_int_equal(g_date_time_to_unix(date), T_DATE);

	l = g_mime_message_get_from(m);
	assert_int_equal(internet_address_list_length(l), 1);
	assert_string_equal(
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
		internet_address_list_get_address(l, 0))),
	    "noreply@secflow.example");
	l = g_mime_message_get_to(m);
	assert_int_equal(internet_address_list_length(l), 2);
	assert_string_equal(
	    internet_address_get_name(internet_address_list_get_address(l, 0)),
	    "Alice Dupont");
	assert_string_equal(
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
		internet_address_list_get_address(l, 1))),
	    "bob@example.net");
	l = g_mime_message_get_cc(m);
	assert_int_equal(internet_address_list_length(l), 1);
	assert_string_equal(
	    internet_address_get_name(internet_address_list_get_address(l, 0)),
	    "Zoë");
	assert_int_equal(
	    internet_address_list_length(g_mime_message_get_bcc(m)), 0);

	body = g_mime_message_get_mime_part(m);
	assert_true(GMIME_IS_MULTIPART(body));
	assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(body), "multipart", "mixed"));
	mp = GMIME_MULTIPART(body);
	assert_int_equal(g_mime_multipart_get_count(mp), 3);

	o = g_mime_multipart_get_part(mp, 0);
	assert_true(GMIME_IS_TEXT_PART(o));
	assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(o), "text", "plain"));
	assert_string_equal(
	    g_mime_object_get_content_type_parameter(o, "charset"), "utf-8");
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(o)),
			 GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	assert_null(g_mime_object_get_disposition(o));
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(o));
	expect = unix_lines(text);
	assert_string_equal(expect, T_TEXT);
	g_free(text);
	free(expect);

	o = g_mime_multipart_get_part(mp, 1);
	assert_true(GMIME_IS_PART(o));
	assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(o), "application", "pdf"));
	assert_string_equal(g_mime_object_get_disposition(o), "attachment");
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(o)),
			    "report.pdf");
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(o)),
			 GMIME_CONTENT_ENCODING_BASE64);
	bytes = part_bytes(GMIME_PART(o), &keep);
	assert_int_equal(bytes->len, sizeof(blob));
	assert_memory_equal(bytes->data, blob, sizeof(blob));
	g_object_unref(keep);

	o = g_mime_multipart_get_part(mp, 2);
	assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(o), "text", "plain"));
	assert_string_equal(g_mime_object_get_disposition(o), "attachment");
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(o)), T_NAME2);
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(o)),
			 GMIME_CONTENT_ENCODING_BASE64);
	bytes = part_bytes(GMIME_PART(o), &keep);
	assert_int_equal(bytes->len, sizeof(text2) - 1);
	assert_memory_equal(bytes->data, text2, sizeof(text2) - 1);
	g_object_unref(keep);

	g_object_unref(m);
	buf_release(&b);
}

/* Same message, same bytes (what makes spool re-delivery idempotent);
 * without attachments the body is a single text/plain part. */
static void
test_compose_deterministic(void **state)
{
	struct mail_message msg;
	struct sf_error err;
	struct buf a, b;
	GMimeMessage *m;
	GMimeObject *body;

	(void)state;
	sample(&msg);
	buf_init(&a, 0);
	buf_init(&b, 0);
	assert_int_equal(mail_compose(&msg, &a, &err), SF_OK);
	assert_int_equal(mail_compose(&msg, &b, &err), SF_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);

	buf_reset(&a);
	msg.nattachments = 0;
	msg.attachments = NULL;
	msg.ncc = 0;
	msg.nbcc = 0;
	msg.subject = "plain ascii";
	assert_int_equal(mail_compose(&msg, &a, &err), SF_OK);
	assert_crlf_only(a.data, a.len);
	assert_non_null(strstr(a.data, "Subject: plain ascii\r\n"));
	m = parse_message(a.data, a.len);
	body = g_mime_message_get_mime_part(m);
	assert_true(GMIME_IS_TEXT_PART(body));
	assert_string_equal(
	    g_mime_object_get_content_type_parameter(body, "charset"), "utf-8");
	assert_null(g_mime_object_get_header(GMIME_OBJECT(m), "Cc"));
	g_object_unref(m);

	/* A maximum on OUT is honoured. */
	buf_release(&a);
	buf_init(&a, 100);
	assert_int_equal(mail_compose(&msg, &a, &err), SF_TOO_LARGE);
	assert_int_equal(a.len, 0);

	buf_release(&a);
	buf_release(&b);
}

static void
expect_invalid(const struct mail_message *msg, const char *field,
	       const char *quoted)
{
	struct sf_error err;
	struct buf b;

	buf_init(&b, 0);
	sf_error_clear(&err);
	assert_int_equal(mail_compose(msg, &b, &err), SF_INVALID);
	assert_string_equal(err.field, field);
	if (quoted)
		assert_non_null(strstr(err.message, quoted));
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void
test_invalid_addresses(void **state)
{
	struct mail_message msg;
	const char *bad_to[] = {"alice@example.org", "not-an-address"};
	const char *bad_cc[] = {"bob@"};
	const char *bad_bcc[] = {"@example.org"};
	const char *two[] = {"a@example.org, b@example.org"};
	const char *group[] = {"team: a@example.org, b@example.org;"};
	const char *inject[] = {"a@example.org\r\nBcc: evil@example.org"};
	const char *space[] = {"\"a b\"@example.org"};

	(void)state;
	sample(&msg);
	msg.to = bad_to;
	expect_invalid(&msg, "to", "not-an-address");

	sample(&msg);
	msg.cc = bad_cc;
	expect_invalid(&msg, "cc", "bob@");

	sample(&msg);
	msg.bcc = bad_bcc;
	expect_invalid(&msg, "bcc", "@example.org");

	sample(&msg);
	msg.from = "nobody";
	expect_invalid(&msg, "from", "nobody");

	sample(&msg);
	msg.from = NULL;
	expect_invalid(&msg, "from", NULL);

	sample(&msg);
	msg.to = two;
	msg.nto = 1;
	expect_invalid(&msg, "to", "a@example.org, b@example.org");

	sample(&msg);
	msg.cc = group;
	expect_invalid(&msg, "cc", NULL);

	sample(&msg);
	msg.to = inject;
	msg.nto = 1;
	expect_invalid(&msg, "to", NULL);

	/* Legal RFC 5322, but a space would break the SMTP envelope. */
	sample(&msg);
	msg.bcc = space;
	expect_invalid(&msg, "bcc", NULL);

	sample(&msg);
	msg.nto = msg.ncc = msg.nbcc = 0;
	expect_invalid(&msg, "to", "no recipient");

	/* Only bcc is still a valid message. */
	{
		struct sf_error err;
		struct buf b;

		sample(&msg);
		msg.nto = msg.ncc = 0;
		buf_init(&b, 0);
		assert_int_equal(mail_compose(&msg, &b, &err), SF_OK);
		assert_null(strcasestr(b.data, "secret@example.org"));
		buf_release(&b);
	}

	sample(&msg);
	msg.subject = "two\r\nBcc: evil@example.org";
	expect_invalid(&msg, "subject", NULL);
}

static int
count_entries(const char *dir, int *tmp)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	*tmp = 0;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		if (!strncmp(e->d_name, ".tmp", 4))
			(*tmp)++;
	}
	closedir(d);
	return n;
}

static void
test_spool(void **state)
{
	struct mail_message msg;
	struct sf_error err;
	struct buf b;
	struct stat st;
	char *top = tu_tempdir();
	char *dir = xasprintf("%s/spool/out", top);
	char *path = xasprintf("%s/00000042.eml", dir);
	char *data;
	size_t len;
	int tmp;

	(void)state;
	sample(&msg);
	assert_int_equal(mail_deliver_spool(dir, &msg, &err), SF_OK);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777 & ~0750, 0);
	data = tu_read_file(path, &len);
	assert_non_null(data);
	buf_init(&b, 0);
	assert_int_equal(mail_compose(&msg, &b, &err), SF_OK);
	assert_int_equal(len, b.len);
	assert_memory_equal(data, b.data, len);
	free(data);
	assert_int_equal(count_entries(dir, &tmp), 1);
	assert_int_equal(tmp, 0);

	/* Re-delivery after a crash: same content, success, nothing new. */
	assert_int_equal(mail_deliver_spool(dir, &msg, &err), SF_OK);
	assert_int_equal(count_entries(dir, &tmp), 1);
	assert_int_equal(tmp, 0);

	/* Same id, other content: refused, the file is left alone. */
	msg.subject = "something else";
	sf_error_clear(&err);
	assert_int_equal(mail_deliver_spool(dir, &msg, &err), SF_CONFLICT);
	assert_non_null(strstr(err.message, "00000042.eml"));
	data = tu_read_file(path, &len);
	assert_int_equal(len, b.len);
	assert_memory_equal(data, b.data, len);
	free(data);

	/* A second message lands next to it. */
	msg.id = 7;
	assert_int_equal(mail_deliver_spool(dir, &msg, &err), SF_OK);
	assert_int_equal(count_entries(dir, &tmp), 2);
	assert_int_equal(tmp, 0);

	/* Invalid messages write nothing. */
	msg.id = 8;
	msg.from = "nobody";
	assert_int_equal(mail_deliver_spool(dir, &msg, &err), SF_INVALID);
	assert_string_equal(err.field, "from");
	assert_int_equal(count_entries(dir, &tmp), 2);

	/* A spool path under a regular file cannot be created. */
	sample(&msg);
	free(dir);
	dir = xasprintf("%s/sub", path);
	sf_error_clear(&err);
	assert_int_equal(mail_deliver_spool(dir, &msg, &err), SF_IO);
	assert_non_null(strstr(err.message, "spool"));

	buf_release(&b);
	tu_rmtree(top);
	free(top);
	free(dir);
	free(path);
}

/* Undo SMTP dot-stuffing ("\r\n.." -> "\r\n."); caller frees. */
static char *
unstuff(const char *s, size_t len, size_t *out_len)
{
	char *r = xmalloc(len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '.' &&
		    (i == 0 ||
		     (i >= 2 && s[i - 2] == '\r' && s[i - 1] == '\n')) &&
		    i + 1 < len && s[i + 1] == '.')
			i++;
		r[n++] = s[i];
	}
	r[n] = '\0';
	*out_len = n;
	return r;
}

static void
test_smtp_ok(void **state)
{
	struct tu_smtp f;
	struct mail_message msg;
	struct sf_error err;
	struct buf b;
	char *url, *data;
	size_t len;
	GMimeMessage *m;

	(void)state;
	tu_smtp_bind(&f, NULL);
	tu_smtp_start(&f, 0);
	sample(&msg);
	url = xasprintf("smtp://127.0.0.1:%d", f.port);
	sf_error_clear(&err);
	assert_int_equal(mail_deliver_smtp(url, &msg, &err), SF_OK);
	tu_smtp_stop(&f);
	assert_false(f.error);
	assert_true(f.got_data_end);
	assert_true(f.got_quit);

	assert_string_equal(f.mail_from.data, "<noreply@secflow.example>");
	assert_string_equal(f.rcpts.data, "<alice@example.org>\n"
					  "<bob@example.net>\n"
					  "<zoe@example.com>\n"
					  "<secret@example.org>\n");

	/* What arrived is the composed message, bcc not in it. */
	buf_init(&b, 0);
	assert_int_equal(mail_compose(&msg, &b, &err), SF_OK);
	data = unstuff(f.data.data, f.data.len, &len);
	assert_true(len >= b.len);
	assert_memory_equal(data, b.data, b.len);
	assert_null(strcasestr(data, "secret@example.org"));
	m = parse_message(data, len);
	assert_string_equal(g_mime_message_get_subject(m), T_SUBJECT);
	g_object_unref(m);

	free(data);
	free(url);
	buf_release(&b);
	tu_smtp_release(&f);
}

static void
test_smtp_data_451(void **state)
{
	struct tu_smtp f;
	struct mail_message msg;
	struct sf_error err;
	char *url;

	(void)state;
	tu_smtp_bind(&f, NULL);
	tu_smtp_start(&f, 1);
	sample(&msg);
	url = xasprintf("smtp://127.0.0.1:%d", f.port);
	sf_error_clear(&err);
	assert_int_equal(mail_deliver_smtp(url, &msg, &err), SF_IO);
	tu_smtp_stop(&f);
	assert_false(f.error);
	assert_false(f.got_data_end);
	assert_non_null(strstr(err.message, "451"));
	free(url);
	tu_smtp_release(&f);
}

static void
test_smtp_refused(void **state)
{
	struct tu_smtp srv;
	struct mail_message msg;
	struct sf_error err;
	char *url;
	int port;

	(void)state;
	/* Bound but not listening: the port stays ours and refuses. */
	tu_smtp_bind(&srv, &port);
	sample(&msg);
	url = xasprintf("smtp://127.0.0.1:%d", port);
	sf_error_clear(&err);
	assert_int_equal(mail_deliver_smtp(url, &msg, &err), SF_IO);
	assert_non_null(strstr(err.message, "smtp delivery"));

	/* Credentials in the URL never reach the error message. */
	free(url);
	url = xasprintf("smtp://user:s3cret@127.0.0.1:%d", port);
	assert_int_equal(mail_deliver_smtp(url, &msg, &err), SF_IO);
	assert_null(strstr(err.message, "s3cret"));
	tu_smtp_release(&srv);
	free(url);
}

static void
test_smtp_bad_input(void **state)
{
	struct mail_message msg;
	struct sf_error err;

	(void)state;
	sample(&msg);
	assert_int_equal(mail_deliver_smtp("http://127.0.0.1:1", &msg, &err),
			 SF_INVALID);
	assert_string_equal(err.field, "smtp_url");
	assert_int_equal(mail_deliver_smtp(NULL, &msg, &err), SF_INVALID);
	msg.bcc = (const char *[]){"nope"};
	assert_int_equal(mail_deliver_smtp("smtp://127.0.0.1:1", &msg, &err),
			 SF_INVALID);
	assert_string_equal(err.field, "bcc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compose_roundtrip),
	    cmocka_unit_test(test_compose_deterministic),
	    cmocka_unit_test(test_invalid_addresses),
	    cmocka_unit_test(test_spool),
	    cmocka_unit_test(test_smtp_ok),
	    cmocka_unit_test(test_smtp_data_451),
	    cmocka_unit_test(test_smtp_refused),
	    cmocka_unit_test(test_smtp_bad_input),
	};

	/* A hung socket must fail the run, never block it. */
	alarm(RUN_TIMEOUT_S);
	g_mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
