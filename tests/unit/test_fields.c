/* test_fields.c - JSON input checked against field declarations. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/fields.h"
#include "engine/procdef.h"

static const char decls[] =
    "process: t.fields\n"
    "version: 1\n"
    "object: things\n"
    "start: [all]\n"
    "steps:\n"
    "  - id: all\n"
    "    roles: [ds]\n"
    "    next: [end]\n"
    "    fields:\n"
    "      - {name: title, type: string, required: true, min: 2, max: 10,\n"
    "         label: Title, help: One line}\n"
    "      - {name: body, type: text}\n"
    "      - {name: count, type: integer, min: 1, max: 5}\n"
    "      - {name: ratio, type: number, max: 1.5}\n"
    "      - {name: ok, type: boolean}\n"
    "      - {name: due, type: date}\n"
    "      - {name: at, type: datetime}\n"
    "      - {name: kind, type: enum, values: [a, b, 3]}\n"
    "      - {name: mail, type: email}\n"
    "      - {name: tags, type: list, items: string, values: [x, y],"
    " max: 2}\n"
    "      - {name: nums, type: list, items: integer}\n"
    "      - {name: doc, type: file}\n"
    "      - name: accesses\n"
    "        type: list\n"
    "        fields:\n"
    "          - {name: host, type: string, required: true}\n"
    "          - {name: ports, type: string, required: true}\n"
    "          - {name: start, type: date}\n"
    "          - name: owner\n"
    "            type: object\n"
    "            fields: [{name: email, type: email, required: true}]\n"
    "      - name: contact\n"
    "        type: object\n"
    "        fields:\n"
    "          - {name: name, type: string, required: true}\n"
    "      - {name: host, type: host}\n"
    "      - {name: port, type: ports}\n";

/* The body of a convention's fill_part2 step (SPEC 4.1): Annex V of Part 2,
 * the accesses, each naming hosts and ports. */
static const char part2_decls[] =
    "process: t.part2\n"
    "version: 1\n"
    "object: conventions\n"
    "fields:\n"
    "  - {name: dg, type: string, required: true}\n"
    "scopes: {dg_requester: dg}\n"
    "start: [fill_part2]\n"
    "steps:\n"
    "  - id: fill_part2\n"
    "    roles: [dg_requester]\n"
    "    next: [end]\n"
    "    fields:\n"
    "      - {name: application, type: string, required: true}\n"
    "      - {name: rfc, type: string}\n"
    "      - name: accesses\n"
    "        type: list\n"
    "        required: true\n"
    "        fields:\n"
    "          - {name: application, type: string}\n"
    "          - name: environment\n"
    "            type: enum\n"
    "            values: [Production, Training, Acceptance, Test,\n"
    "                     Development, Maintenance]\n"
    "          - {name: component, type: string}\n"
    "          - {name: protocol, type: enum, values: [TCP, UDP, HTTPS]}\n"
    "          - {name: hosts, type: list, items: host, required: true,\n"
    "             max: 64}\n"
    "          - {name: ports, type: ports, required: true}\n"
    "          - {name: start, type: date, required: true}\n"
    "          - {name: end, type: date, required: true}\n"
    "      - {name: client_os, type: string}\n"
    "      - {name: connection, type: string}\n"
    "      - {name: support_contact, type: email}\n";

static struct procdef *def, *part2;
static const struct field_def *fields;
static size_t nfields;

static int
setup(void **state)
{
	struct sf_error err = {0};

	(void)state;
	if (procdef_parse(decls, sizeof(decls) - 1, "t.yaml", &def, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	fields = def->steps[0].fields;
	nfields = def->steps[0].nfields;
	if (procdef_parse(part2_decls, sizeof(part2_decls) - 1, "p2.yaml",
			  &part2, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	procdef_free(def);
	procdef_free(part2);
	return 0;
}

/* Validate JSON text; returns the status, *OUT the result or NULL. */
static enum sf_status
check(const char *json, json_t **out, struct sf_error *err)
{
	json_error_t jerr;
	json_t *in = json_loads(json, JSON_ALLOW_NUL, &jerr);
	enum sf_status st;

	if (!in)
		fail_msg("bad test JSON %s: %s", json, jerr.text);
	sf_error_clear(err);
	st = fields_validate(fields, nfields, in, out, err);
	json_decref(in);
	return st;
}

/* JSON must fail with err.field FIELD and a message containing NEEDLE. */
static void
expect_error(const char *json, const char *field, const char *needle)
{
	struct sf_error err;
	json_t *out = NULL;

	if (check(json, &out, &err) != SF_INVALID)
		fail_msg("%s: accepted", json);
	assert_null(out);
	assert_int_equal(err.status, SF_INVALID);
	if (strcmp(err.field, field) != 0)
		fail_msg("%s: field \"%s\", want \"%s\" (%s)", json, err.field,
			 field, err.message);
	if (!strstr(err.message, needle))
		fail_msg("%s: message \"%s\", want \"%s\"", json, err.message,
			 needle);
}

/* JSON must pass, and its normal form print as WANT (sorted keys). */
static void
expect_ok(const char *json, const char *want)
{
	struct sf_error err;
	json_t *out = NULL;
	char *got;

	if (check(json, &out, &err) != SF_OK)
		fail_msg("%s: %s", json, err.message);
	got = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	if (strcmp(got, want) != 0)
		fail_msg("%s:\n got  %s\n want %s", json, got, want);
	free(got);
	json_decref(out);
}

static void
test_normalised(void **state)
{
	(void)state;
	expect_ok("{\"title\": \"Hello\"}", "{\"title\":\"Hello\"}");
	expect_ok("{\"title\": \"Hi\", \"body\": \"a\\r\\nb\\rc\\n\","
		  " \"count\": \"3\", \"ratio\": 1.25, \"ok\": \"true\","
		  " \"due\": \"2028-02-29\","
		  " \"at\": \"2026-12-01T10:30:00+01:00\","
		  " \"kind\": 3, \"mail\": \"a.b@example.org\","
		  " \"tags\": [\"y\", \"x\"], \"nums\": [1, \"2\", 3.0],"
		  " \"contact\": {\"name\": \"Ann\"},"
		  " \"comment\": \"fine\\r\\nby me\"}",
		  "{\"at\":\"2026-12-01T09:30:00Z\",\"body\":\"a\\nb\\nc\\n\","
		  "\"comment\":\"fine\\nby me\",\"contact\":{\"name\":\"Ann\"},"
		  "\"count\":3,\"due\":\"2028-02-29\",\"kind\":\"3\","
		  "\"mail\":\"a.b@example.org\",\"nums\":[1,2,3],"
		  "\"ok\":true,\"ratio\":1.25,\"tags\":[\"y\",\"x\"],"
		  "\"title\":\"Hi\"}");
	/* Absent, null and "" optional values are left out. */
	expect_ok("{\"title\": \"Hello\", \"body\": \"\", \"count\": null,"
		  " \"comment\": null}",
		  "{\"title\":\"Hello\"}");
	expect_ok("{\"title\": \"Hello\", \"ok\": false, \"count\": 5.0,"
		  " \"ratio\": \"-2e-1\"}",
		  "{\"count\":5,\"ok\":false,\"ratio\":-0.20000000000000001,"
		  "\"title\":\"Hello\"}");
}

static void
test_required(void **state)
{
	struct sf_error err;
	json_t *out = NULL;

	(void)state;
	expect_error("{}", "title", "required");
	expect_error("{\"title\": null}", "title", "required");
	expect_error("{\"title\": \"\"}", "title", "required");
	sf_error_clear(&err);
	assert_int_equal(fields_validate(fields, nfields, NULL, &out, &err),
			 SF_INVALID);
	assert_string_equal(err.field, "title");
	/* NULL is {}: fine when nothing is required. */
	assert_int_equal(fields_validate(NULL, 0, NULL, &out, &err), SF_OK);
	assert_true(json_is_object(out));
	assert_int_equal(json_object_size(out), 0);
	json_decref(out);
}

static void
test_strings(void **state)
{
	char *json;
	char big[20002];

	(void)state;
	expect_error("{\"title\": 7}", "title", "expected a string");
	expect_error("{\"title\": \"a\\u0001b\"}", "title",
		     "control characters");
	expect_error("{\"title\": \"two\\nlines\"}", "title", "one line");
	expect_error("{\"title\": \"a\\u007f\"}", "title", "control");
	expect_ok("{\"title\": \"tab\\there\"}", "{\"title\":\"tab\\there\"}");
	expect_error("{\"title\": \"12345678901\"}", "title",
		     "at most 10 bytes, got 11");
	expect_error("{\"title\": \"a\"}", "title", "at least 2 bytes");
	expect_error("{\"title\": \"ok\", \"body\": \"a\\u0000b\"}", "body",
		     "control");
	expect_error("{\"title\": \"ok\", \"body\": \"bell\\u0007\"}", "body",
		     "control");
	/* text: 20000 bytes by default */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json = xasprintf("{\"title\": \"ok\", \"body\": \"%s\"}", big);
	expect_error(json, "body", "at most 20000 bytes, got 20001");
	free(json);
	big[20000] = '\0';
	json = xasprintf("{\"title\": \"ok\", \"body\": \"%s\"}", big);
	{
		struct sf_error err;
		json_t *out = NULL;

		assert_int_equal(check(json, &out, &err), SF_OK);
		assert_int_equal(
		    json_string_length(json_object_get(out, "body")), 20000);
		json_decref(out);
	}
	free(json);
}

static void
test_string_default_max(void **state)
{
	char host[202], *json;

	(void)state;
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	json = xasprintf("{\"title\": \"ok\", \"accesses\": [{\"host\": \"%s\","
			 " \"ports\": \"443\"}]}",
			 host);
	expect_error(json, "accesses[0].host", "at most 200 bytes, got 201");
	free(json);
}

static void
test_numbers(void **state)
{
	(void)state;
	expect_error("{\"title\": \"ok\", \"count\": 0}", "count",
		     "expected an integer from 1 to 5");
	expect_error("{\"title\": \"ok\", \"count\": 6}", "count",
		     "from 1 to 5");
	expect_error("{\"title\": \"ok\", \"count\": 2.5}", "count",
		     "expected an integer");
	expect_error("{\"title\": \"ok\", \"count\": \"two\"}", "count",
		     "expected an integer");
	expect_error("{\"title\": \"ok\", \"count\": true}", "count",
		     "expected an integer");
	expect_error("{\"title\": \"ok\", \"count\": \"0x3\"}", "count",
		     "expected an integer");
	expect_error("{\"title\": \"ok\", \"ratio\": 1.6}", "ratio",
		     "expected a number <= 1.5");
	expect_error("{\"title\": \"ok\", \"ratio\": \"1e400\"}", "ratio",
		     "expected a number");
	expect_error("{\"title\": \"ok\", \"ratio\": \"nan\"}", "ratio",
		     "expected a number");
	expect_error("{\"title\": \"ok\", \"ok\": 1}", "ok",
		     "expected true or false");
	expect_error("{\"title\": \"ok\", \"ok\": \"yes\"}", "ok",
		     "expected true or false");
}

static void
test_dates(void **state)
{
	(void)state;
	expect_error("{\"title\": \"ok\", \"due\": \"2026-02-29\"}", "due",
		     "expected a date YYYY-MM-DD");
	expect_error("{\"title\": \"ok\", \"due\": \"2026-2-3\"}", "due",
		     "YYYY-MM-DD");
	expect_error("{\"title\": \"ok\", \"due\": \"2026-01-01T00:00:00Z\"}",
		     "due", "YYYY-MM-DD");
	expect_error("{\"title\": \"ok\", \"due\": 20260101}", "due",
		     "YYYY-MM-DD");
	expect_error("{\"title\": \"ok\", \"at\": \"2026-12-01\"}", "at",
		     "date and time");
	expect_error("{\"title\": \"ok\", \"at\": \"2026-12-01T25:00:00Z\"}",
		     "at", "date and time");
	expect_ok("{\"title\": \"ok\", \"at\": \"2026-12-01T09:00:00.5Z\"}",
		  "{\"at\":\"2026-12-01T09:00:00Z\",\"title\":\"ok\"}");
}

static void
test_emails(void **state)
{
	static const char *const good[] = {
	    "a@b.cd",
	    "first.last+tag@sub.example.org",
	    "x_y@e-x.eu",
	};
	static const char *const bad[] = {
	    "plain",	  "@example.org", "a@",	       "a@b",
	    "a@@b.org",	  "a@b@c.org",	  "a b@c.org", "a@b .org",
	    "a@.org",	  "a@org.",	  "a@b..org",  "\\\"a\\\"@b.org",
	    "a@b.org\\n", "<a@b.org>",	  "a,b@c.org",
	};
	char *json, *want;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		json =
		    xasprintf("{\"title\": \"ok\", \"mail\": \"%s\"}", good[i]);
		want = xasprintf("{\"mail\":\"%s\",\"title\":\"ok\"}", good[i]);
		expect_ok(json, want);
		free(json);
		free(want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json =
		    xasprintf("{\"title\": \"ok\", \"mail\": \"%s\"}", bad[i]);
		expect_error(json, "mail", "expected an e-mail address");
		free(json);
	}
}

static void
test_enums(void **state)
{
	(void)state;
	expect_error("{\"title\": \"ok\", \"kind\": \"c\"}", "kind",
		     "expected one of: a, b, 3");
	expect_error("{\"title\": \"ok\", \"kind\": \"A\"}", "kind",
		     "expected one of");
	expect_error("{\"title\": \"ok\", \"kind\": [\"a\"]}", "kind",
		     "expected one of");
	expect_ok("{\"title\": \"ok\", \"kind\": \"b\"}",
		  "{\"kind\":\"b\",\"title\":\"ok\"}");
	expect_ok("{\"title\": \"ok\", \"kind\": \"3\"}",
		  "{\"kind\":\"3\",\"title\":\"ok\"}");
}

static void
test_lists(void **state)
{
	(void)state;
	expect_error("{\"title\": \"ok\", \"tags\": \"x\"}", "tags",
		     "expected a list");
	expect_error("{\"title\": \"ok\", \"tags\": [\"x\", \"z\"]}", "tags[1]",
		     "expected one of: x, y");
	expect_error("{\"title\": \"ok\", \"tags\": [\"x\", \"y\", \"x\"]}",
		     "tags", "at most 2 items, got 3");
	expect_error("{\"title\": \"ok\", \"tags\": [\"x\", null]}", "tags[1]",
		     "expected a string");
	expect_error("{\"title\": \"ok\", \"nums\": [1, 2, \"x\"]}", "nums[2]",
		     "expected an integer");
	expect_ok("{\"title\": \"ok\", \"nums\": []}",
		  "{\"nums\":[],\"title\":\"ok\"}");
}

static void
test_nested_paths(void **state)
{
	static const char ok[] = "{\"host\": \"h\", \"ports\": \"443\"}";
	char *json;

	(void)state;
	json = xasprintf("{\"title\": \"ok\", \"accesses\": [%s, %s, "
			 "{\"host\": \"h\"}]}",
			 ok, ok);
	expect_error(json, "accesses[2].ports", "required");
	free(json);
	json = xasprintf("{\"title\": \"ok\", \"accesses\": [%s, {\"host\": "
			 "\"h\", \"ports\": \"1\", \"owner\": {\"email\": "
			 "\"nope\"}}]}",
			 ok);
	expect_error(json, "accesses[1].owner.email", "e-mail address");
	free(json);
	json = xasprintf("{\"title\": \"ok\", \"accesses\": [{\"host\": \"h\","
			 " \"ports\": \"1\", \"bogus\": 1}]}");
	expect_error(json, "accesses[0].bogus", "unknown field \"bogus\"");
	free(json);
	expect_error("{\"title\": \"ok\", \"accesses\": [\"h\"]}",
		     "accesses[0]", "expected an object");
	expect_error("{\"title\": \"ok\", \"accesses\": [{\"host\": \"h\", "
		     "\"ports\": \"1\", \"owner\": {}}]}",
		     "accesses[0].owner.email", "required");
	expect_error("{\"title\": \"ok\", \"accesses\": [{\"host\": \"h\", "
		     "\"ports\": \"1\", \"start\": \"2026-13-01\"}]}",
		     "accesses[0].start", "YYYY-MM-DD");
	expect_error("{\"title\": \"ok\", \"contact\": {}}", "contact.name",
		     "required");
	expect_error("{\"title\": \"ok\", \"contact\": []}", "contact",
		     "expected an object");
	/* comment is accepted at the top only */
	expect_error("{\"title\": \"ok\", \"contact\": {\"name\": \"n\","
		     " \"comment\": \"c\"}}",
		     "contact.comment", "unknown field");
	expect_ok("{\"title\": \"ok\", \"accesses\": [{\"host\": \"h\", "
		  "\"ports\": \"1\", \"start\": \"2026-01-31\", \"owner\": "
		  "{\"email\": \"o@x.org\"}}]}",
		  "{\"accesses\":[{\"host\":\"h\",\"owner\":{\"email\":"
		  "\"o@x.org\"},\"ports\":\"1\",\"start\":\"2026-01-31\"}],"
		  "\"title\":\"ok\"}");
}

static void
test_unknown_and_comment(void **state)
{
	struct sf_error err;
	json_t *out = NULL, *in;

	(void)state;
	expect_error("{\"title\": \"ok\", \"titel\": \"x\"}", "titel",
		     "unknown field \"titel\"");
	expect_error("{\"title\": \"ok\", \"comment\": 3}", "comment",
		     "expected text");
	expect_error("{\"title\": \"ok\", \"comment\": \"a\\u0002\"}",
		     "comment", "control");
	expect_ok("{\"title\": \"ok\", \"comment\": \"line 1\\nline 2\"}",
		  "{\"comment\":\"line 1\\nline 2\",\"title\":\"ok\"}");
	expect_ok("{\"title\": \"ok\", \"comment\": \"\"}",
		  "{\"title\":\"ok\"}");
	/* An unknown key is quoted like a bad value: escaped, cut at 60
	 * bytes on a character boundary. */
	expect_error("{\"title\": \"ok\", \"a\\u0001\\\"\": 1}", "a\001\"",
		     "unknown field \"a\\x01\\\"\"");
	{
		char key[100], *json;
		size_t n = (size_t)snprintf(key, sizeof(key), "a");

		for (int i = 0; i < 40; i++)
			n += (size_t)snprintf(key + n, sizeof(key) - n,
					      "\xc3\xa9");
		json = xasprintf("{\"title\": \"ok\", \"%s\": 1}", key);
		key[59] = '\0';
		assert_int_equal(check(json, &out, &err), SF_INVALID);
		if (!strstr(err.message, key) || !strstr(err.message, "\"..."))
			fail_msg("message \"%s\"", err.message);
		free(json);
	}
	/* Not an object at all. */
	in = json_loads("[1, 2]", 0, NULL);
	assert_int_equal(fields_validate(fields, nfields, in, &out, &err),
			 SF_INVALID);
	assert_null(out);
	assert_non_null(strstr(err.message, "object"));
	json_decref(in);
	/* The input is not changed. */
	in = json_loads("{\"title\": \"ok\", \"count\": \"2\"}", 0, NULL);
	assert_int_equal(fields_validate(fields, nfields, in, &out, &err),
			 SF_OK);
	assert_true(json_is_string(json_object_get(in, "count")));
	assert_true(json_is_integer(json_object_get(out, "count")));
	json_decref(in);
	json_decref(out);
}

static void
test_files(void **state)
{
	(void)state;
	expect_ok("{\"title\": \"ok\", \"doc\": {\"filename\": \"a.pdf\","
		  " \"content_b64\": \"aGVsbG8=\"}}",
		  "{\"doc\":{\"content_b64\":\"aGVsbG8=\",\"filename\":"
		  "\"a.pdf\"},\"title\":\"ok\"}");
	expect_ok("{\"title\": \"ok\", \"doc\": {\"filename\": \"a.txt\","
		  " \"content_b64\": \"aGVs\\r\\nbG8=\", \"content_type\":"
		  " \"text/plain\"}}",
		  "{\"doc\":{\"content_b64\":\"aGVs\\r\\nbG8=\","
		  "\"content_type\":\"text/plain\",\"filename\":\"a.txt\"},"
		  "\"title\":\"ok\"}");
	expect_error("{\"title\": \"ok\", \"doc\": \"aGVsbG8=\"}", "doc",
		     "expected a file");
	expect_error("{\"title\": \"ok\", \"doc\": {\"filename\": \"../a\","
		     " \"content_b64\": \"aGVsbG8=\"}}",
		     "doc.filename", "without '/'");
	expect_error("{\"title\": \"ok\", \"doc\": {\"filename\": \"a\\\\b\","
		     " \"content_b64\": \"aGVsbG8=\"}}",
		     "doc.filename", "file name");
	expect_error("{\"title\": \"ok\", \"doc\": {\"content_b64\": \"\"}}",
		     "doc.filename", "file name");
	expect_error("{\"title\": \"ok\", \"doc\": {\"filename\": \"a\","
		     " \"content_b64\": \"aGVsbG8\"}}",
		     "doc.content_b64", "base64");
	expect_error("{\"title\": \"ok\", \"doc\": {\"filename\": \"a\","
		     " \"content_b64\": \"a$==\"}}",
		     "doc.content_b64", "base64");
	expect_error("{\"title\": \"ok\", \"doc\": {\"filename\": \"a\"}}",
		     "doc.content_b64", "base64");
	expect_error("{\"title\": \"ok\", \"doc\": {\"filename\": \"a\","
		     " \"content_b64\": \"\", \"path\": \"/etc\"}}",
		     "doc.path", "unknown field");
}

/* A host or ports case: VALUE is JSON text; WANT is the normal form, or
 * NULL when VALUE must fail with a message containing NEEDLE. */
struct net_case {
	const char *value, *want, *needle;
};

#define HOST_BAD                                                               \
	"expected an IPv4 or IPv6 address, a CIDR range or a "                 \
	"fully qualified host name, got "
#define IPV4_BAD                                                               \
	"not an IPv4 address (four numbers 0-255 separated by "                \
	"dots, without leading zeros)"
#define PORTS_BAD                                                              \
	"expected a port from 1 to 65535 or a range such as "                  \
	"8000-8100, got "

static const struct net_case host_cases[] = {
    /* IPv4 */
    {"\"10.1.2.3\"", "10.1.2.3", NULL},
    {"\"0.0.0.0\"", "0.0.0.0", NULL},
    {"\"255.255.255.255\"", "255.255.255.255", NULL},
    {"\"256.1.1.1\"", NULL, HOST_BAD "\"256.1.1.1\": " IPV4_BAD},
    {"\"1.2.3.256\"", NULL, IPV4_BAD},
    {"\"01.2.3.4\"", NULL, "\"01.2.3.4\": " IPV4_BAD},
    {"\"1.2.3.00\"", NULL, IPV4_BAD},
    {"\"1.2.3\"", NULL, IPV4_BAD},
    {"\"1.2.3.4.5\"", NULL, IPV4_BAD},
    {"\"1.2.3.4.\"", NULL, IPV4_BAD},
    {"\"1..3.4\"", NULL, IPV4_BAD},
    {"\"1234.1.1.1\"", NULL, IPV4_BAD},
    {"\"123.123\"", NULL, "\"123.123\": " IPV4_BAD},
    {"\"1.2.3.4:443\"", NULL, "not a valid IPv6 address"},
    /* IPv4 CIDR */
    {"\"0.0.0.0/0\"", "0.0.0.0/0", NULL},
    {"\"10.1.2.0/24\"", "10.1.2.0/24", NULL},
    {"\"10.1.2.3/32\"", "10.1.2.3/32", NULL},
    {"\"10.1.2.128/25\"", "10.1.2.128/25", NULL},
    {"\"10.1.2.3/24\"", NULL,
     "\"10.1.2.3/24\": host bits set: did you mean 10.1.2.0/24?"},
    {"\"10.1.2.129/25\"", NULL, "did you mean 10.1.2.128/25?"},
    {"\"1.2.3.4/0\"", NULL, "did you mean 0.0.0.0/0?"},
    {"\"10.0.0.0/33\"", NULL,
     "the prefix length after '/' must be a number from 0 to 32"},
    {"\"10.0.0.0/\"", NULL, "from 0 to 32"},
    {"\"10.0.0.0/08\"", NULL, "from 0 to 32"},
    {"\"10.0.0.0/8/8\"", NULL, "from 0 to 32"},
    {"\"10.0.0.0/-8\"", NULL, "from 0 to 32"},
    {"\"example.org/24\"", NULL, IPV4_BAD},
    /* IPv6, normalised to the canonical text */
    {"\"::1\"", "::1", NULL},
    {"\"::\"", "::", NULL},
    {"\"::ffff:1.2.3.4\"", "::ffff:1.2.3.4", NULL},
    {"\"2001:DB8:0:0:0:0:0:1\"", "2001:db8::1", NULL},
    {"\"2001:0db8:0000:0000:0001:0000:0000:0001\"", "2001:db8::1:0:0:1", NULL},
    {"\"fe80::1\"", "fe80::1", NULL},
    {"\"fe80::1%eth0\"", NULL,
     "\"fe80::1%eth0\": zone ids such as \"%eth0\" are not allowed"},
    {"\"fe80::%1/64\"", NULL, "zone ids such as \"%1\""},
    {"\"1:2:3:4:5:6:7:8:9\"", NULL, "not a valid IPv6 address"},
    {"\"2001:db8::g\"", NULL, "not a valid IPv6 address"},
    {"\"2001:db8:::1\"", NULL, "not a valid IPv6 address"},
    {"\"[::1]\"", NULL, "not a valid IPv6 address"},
    {"\"::ffff:01.2.3.4\"", NULL, "not a valid IPv6 address"},
    /* IPv6 CIDR */
    {"\"2001:db8::/32\"", "2001:db8::/32", NULL},
    {"\"2001:DB8:0::/48\"", "2001:db8::/48", NULL},
    {"\"::/0\"", "::/0", NULL},
    {"\"::1/128\"", "::1/128", NULL},
    {"\"2001:db8::1/32\"", NULL,
     "\"2001:db8::1/32\": host bits set: did you mean 2001:db8::/32?"},
    {"\"2001:db8:ffff::/39\"", NULL, "did you mean 2001:db8:fe00::/39?"},
    {"\"2001:db8::/129\"", NULL, "must be a number from 0 to 128"},
    /* Fully qualified names, lowercased, without the trailing dot */
    {"\"app.example.org\"", "app.example.org", NULL},
    {"\"App.Example.ORG\"", "app.example.org", NULL},
    {"\"app.example.org.\"", "app.example.org", NULL},
    {"\"xn--bcher-kva.example\"", "xn--bcher-kva.example", NULL},
    {"\"1e100.net\"", "1e100.net", NULL},
    {"\"123.example\"", "123.example", NULL},
    {"\"a-b.c--d.eu\"", "a-b.c--d.eu", NULL},
    {"\"a-.example.org\"", NULL,
     "\"a-.example.org\": label \"a-\" starts or ends with a hyphen"},
    {"\"-a.example.org\"", NULL, "label \"-a\" starts or ends"},
    {"\"app.-example.org\"", NULL, "label \"-example\""},
    {"\"example\"", NULL, "\"example\": a host name needs at least two labels"},
    {"\"example.\"", NULL, "at least two labels"},
    {"\"a..b\"", NULL, "empty label"},
    {"\".example.org\"", NULL, "empty label"},
    {"\"example.org..\"", NULL, "empty label"},
    {"\".\"", NULL, "may not be empty"},
    {"\"example.123\"", NULL,
     "\"example.123\": the last label \"123\" is all digits"},
    {"\"exa_mple.org\"", NULL,
     "\"_\" is not allowed: a host name has letters, digits, hyphens "
     "and dots"},
    {"\"b\\u00fccher.example\"", NULL,
     "\"b\303\274cher.example\": \"\303\274\" is not allowed"},
    {"\"b\\u00fccher.example\"", NULL, "in its xn-- form"},
    {"\"*.example.org\"", NULL, "\"*\" is not allowed"},
    {"\"host name.org\"", NULL, "spaces and control characters"},
    {"\" app.example.org\"", NULL, "spaces and control characters"},
    {"\"a\\u0001b.org\"", NULL, "got \"a\\x01b.org\": spaces and control"},
    {"\"a\\u0000b.org\"", NULL, "got \"a\\x00b.org\""},
    /* Not a string */
    {"42", NULL, HOST_BAD "42"},
    {"true", NULL, HOST_BAD "true"},
    {"[\"10.0.0.1\"]", NULL, HOST_BAD "a list"},
    {"{\"ip\": \"10.0.0.1\"}", NULL, HOST_BAD "an object"},
};

static const struct net_case port_cases[] = {
    {"\"443\"", "443", NULL},
    {"443", "443", NULL},
    {"\"1\"", "1", NULL},
    {"65535", "65535", NULL},
    {"\"8000-8100\"", "8000-8100", NULL},
    {"\"1-65535\"", "1-65535", NULL},
    {"\"443 \"", "443", NULL},
    {"\" 8000 - 8100\"", "8000-8100", NULL},
    {"\"\\t22\\t\"", "22", NULL},
    {"\"443-443\"", "443", NULL},
    {"\"65536\"", NULL, PORTS_BAD "\"65536\": 65536 is above 65535"},
    {"65536", NULL, PORTS_BAD "65536"},
    {"\"99999999999999999999\"", NULL, "999999999999... is above 65535"},
    {"\"0\"", NULL, PORTS_BAD "\"0\": port 0 is not a port"},
    {"0", NULL, PORTS_BAD "0"},
    {"-1", NULL, PORTS_BAD "-1"},
    {"\"10-5\"", NULL,
     PORTS_BAD "\"10-5\": the range runs backwards (10 is above 5)"},
    {"\"0-80\"", NULL, "port 0 is not a port"},
    {"\"08080\"", NULL, "\"08080\": write ports without leading zeros"},
    {"\"-1\"", NULL, PORTS_BAD "\"-1\""},
    {"\"8000-\"", NULL, PORTS_BAD "\"8000-\""},
    {"\"-8000\"", NULL, PORTS_BAD "\"-8000\""},
    {"\"80,443\"", NULL, PORTS_BAD "\"80,443\""},
    {"\"80 80\"", NULL, PORTS_BAD "\"80 80\""},
    {"\"8000-8100-8200\"", NULL, PORTS_BAD},
    {"\"8000\\u20138100\"", NULL, PORTS_BAD "\"8000\342\200\2238100\""},
    {"\"+443\"", NULL, PORTS_BAD},
    {"\"443.0\"", NULL, PORTS_BAD},
    {"443.0", NULL, PORTS_BAD "443.0"},
    {"443.5", NULL, PORTS_BAD "443.5"},
    {"\"https\"", NULL, PORTS_BAD "\"https\""},
    {"\"   \"", NULL, PORTS_BAD "\"   \""},
    {"\"\\n443\"", NULL, PORTS_BAD "\"\\n443\""},
    {"false", NULL, PORTS_BAD "false"},
    {"[443]", NULL, PORTS_BAD "a list"},
};

/* Each case of C as the value of KEY: passes with its normal form (which
 * passes again unchanged), or fails on KEY naming the value. */
static void
run_cases(const char *key, const struct net_case *c, size_t n)
{
	char *json, *want;

	for (size_t i = 0; i < n; i++) {
		json = xasprintf("{\"title\": \"ok\", \"%s\": %s}", key,
				 c[i].value);
		if (c[i].want) {
			want = xasprintf("{\"%s\":\"%s\",\"title\":\"ok\"}",
					 key, c[i].want);
			expect_ok(json, want);
			expect_ok(want, want);
			free(want);
		} else {
			expect_error(json, key, c[i].needle);
		}
		free(json);
	}
}

static void
test_hosts(void **state)
{
	(void)state;
	run_cases("host", host_cases,
		  sizeof(host_cases) / sizeof(host_cases[0]));
}

static void
test_ports(void **state)
{
	(void)state;
	run_cases("port", port_cases,
		  sizeof(port_cases) / sizeof(port_cases[0]));
}

/* Label and name lengths, and how a long bad value is quoted. */
static void
test_host_lengths(void **state)
{
	char label[65], name[260], *json, *want;
	struct sf_error err;
	json_t *out = NULL, *msg;
	size_t n;

	(void)state;
	memset(label, 'a', 64);
	label[64] = '\0';
	json = xasprintf("{\"title\": \"ok\", \"host\": \"%s.eu\"}", label);
	expect_error(json, "host", "has 64 bytes; at most 63 are allowed");
	free(json);
	label[63] = '\0';
	json = xasprintf("{\"title\": \"ok\", \"host\": \"%s.eu\"}", label);
	want = xasprintf("{\"host\":\"%s.eu\",\"title\":\"ok\"}", label);
	expect_ok(json, want);
	free(json);
	free(want);

	/* 253 bytes: the longest name, with or without the root dot. */
	n = (size_t)snprintf(name, sizeof(name), "%s.%s.%s.", label, label,
			     label);
	memset(name + n, 'd', 253 - n);
	name[253] = '\0';
	json = xasprintf("{\"title\": \"ok\", \"host\": \"%s.\"}", name);
	want = xasprintf("{\"host\":\"%s\",\"title\":\"ok\"}", name);
	expect_ok(json, want);
	free(json);
	free(want);
	name[253] = 'd';
	name[254] = '\0';
	json = xasprintf("{\"title\": \"ok\", \"host\": \"%s\"}", name);
	expect_error(json, "host", "at most 253 bytes, not 254");
	free(json);
	json = xasprintf("{\"title\": \"ok\", \"host\": \"%s.\"}", name);
	expect_error(json, "host", "at most 253 bytes, not 254");
	free(json);

	/* Quoted: 60 bytes, then "...". */
	memset(name, 'x', 100);
	name[0] = '_';
	name[100] = '\0';
	json = xasprintf("{\"title\": \"ok\", \"host\": \"%s\"}", name);
	name[60] = '\0';
	want = xasprintf("got \"%s\"...: \"_\" is not allowed", name);
	expect_error(json, "host", want);
	free(json);
	free(want);

	/* ... cut before a UTF-8 character, never inside one. */
	n = (size_t)snprintf(name, sizeof(name), "a");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(name + n, sizeof(name) - n, "\xc3\xa9");
	json = xasprintf("{\"title\": \"ok\", \"host\": \"%s\"}", name);
	assert_int_equal(check(json, &out, &err), SF_INVALID);
	name[59] = '\0';
	want = xasprintf("got \"%s\"...: ", name);
	if (!strstr(err.message, want))
		fail_msg("message \"%s\", want \"%s\"", err.message, want);
	msg = json_string(err.message);
	assert_non_null(msg); /* valid UTF-8 */
	json_decref(msg);
	free(json);
	free(want);
}

/* Validate JSON against the fill_part2 fields; like check(). */
static enum sf_status
check_part2(const char *json, json_t **out, struct sf_error *err)
{
	const struct step_def *s = procdef_step(part2, "fill_part2");
	json_t *in = json_loads(json, 0, NULL);
	enum sf_status st;

	if (!in)
		fail_msg("bad test JSON %s", json);
	sf_error_clear(err);
	st = fields_validate(s->fields, s->nfields, in, out, err);
	json_decref(in);
	return st;
}

#define ACCESS(hosts, ports)                                                   \
	"{\"environment\": \"Production\", \"protocol\": \"TCP\", "            \
	"\"hosts\": " hosts ", \"ports\": " ports ", "                         \
	"\"start\": \"2026-01-01\", \"end\": \"2026-12-31\"}"
#define OK_ACCESS ACCESS("[\"10.1.2.0/24\"]", "443")

/* Annex V: a list of accesses, each with a list of hosts and ports; a bad
 * value is named by its full path. */
static void
test_part2_accesses(void **state)
{
	static const struct {
		const char *accesses, *field, *message;
	} bad[] = {
	    {OK_ACCESS ", " OK_ACCESS
		       ", " ACCESS("[\"::1\", \"1.2.3\"]", "\"22\""),
	     "accesses[2].hosts[1]",
	     "accesses[2].hosts[1]: expected an IPv4 or IPv6 address, a CIDR "
	     "range or a fully qualified host name, got \"1.2.3\": not an "
	     "IPv4 address (four numbers 0-255 separated by dots, without "
	     "leading zeros)"},
	    {OK_ACCESS ", " OK_ACCESS
		       ", " ACCESS("[\"10.1.2.3/24\"]", "\"22\""),
	     "accesses[2].hosts[0]",
	     "accesses[2].hosts[0]: expected an IPv4 or IPv6 address, a CIDR "
	     "range or a fully qualified host name, got \"10.1.2.3/24\": "
	     "host bits set: did you mean 10.1.2.0/24?"},
	    {OK_ACCESS ", " ACCESS("[\"a.example.org\"]", "\"10-5\""),
	     "accesses[1].ports",
	     "accesses[1].ports: expected a port from 1 to 65535 or a range "
	     "such as 8000-8100, got \"10-5\": the range runs backwards (10 "
	     "is above 5)"},
	    {ACCESS("[]", "\"443\""), "accesses[0].hosts",
	     "accesses[0].hosts: required: give at least one item"},
	    {ACCESS("\"10.0.0.1\"", "\"443\""), "accesses[0].hosts",
	     "accesses[0].hosts: expected a list"},
	    {ACCESS("[\"10.0.0.1\"]", "null"), "accesses[0].ports",
	     "accesses[0].ports: required, missing"},
	    {"{\"hosts\": [\"10.0.0.1\"], \"ports\": \"443\", \"start\": "
	     "\"2026-01-01\", \"end\": \"2026-12-31\", \"environment\": "
	     "\"Prod\"}",
	     "accesses[0].environment",
	     "accesses[0].environment: expected one of: Production, Training, "
	     "Acceptance, Test, Development, Maintenance"},
	};
	struct sf_error err;
	json_t *out = NULL;
	char *json, *got;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json = xasprintf("{\"application\": \"Payroll\", "
				 "\"accesses\": [%s]}",
				 bad[i].accesses);
		if (check_part2(json, &out, &err) != SF_INVALID)
			fail_msg("%s: accepted", json);
		assert_null(out);
		if (strcmp(err.field, bad[i].field) != 0 ||
		    strcmp(err.message, bad[i].message) != 0)
			fail_msg("%s:\n got  %s (%s)\n want %s (%s)", json,
				 err.message, err.field, bad[i].message,
				 bad[i].field);
		free(json);
	}

	json =
	    xasprintf("{\"application\": \"Payroll\", \"rfc\": \"RFC-1234\", "
		      "\"accesses\": [%s, %s], \"client_os\": \"Debian 12\", "
		      "\"connection\": \"VPN\", \"support_contact\": "
		      "\"ops@company.eu\"}",
		      ACCESS("[\"10.1.2.0/24\", \"App.Example.ORG.\", "
			     "\"2001:DB8::1\", \"2001:db8:0:0::/64\"]",
			     "\" 8000 - 8100\""),
		      ACCESS("[\"::ffff:1.2.3.4\"]", "443"));
	assert_int_equal(check_part2(json, &out, &err), SF_OK);
	got = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
	    got,
	    "{\"accesses\":[{\"end\":\"2026-12-31\",\"environment\":"
	    "\"Production\",\"hosts\":[\"10.1.2.0/24\",\"app.example.org\","
	    "\"2001:db8::1\",\"2001:db8::/64\"],\"ports\":\"8000-8100\","
	    "\"protocol\":\"TCP\",\"start\":\"2026-01-01\"},{\"end\":"
	    "\"2026-12-31\",\"environment\":\"Production\",\"hosts\":["
	    "\"::ffff:1.2.3.4\"],\"ports\":\"443\",\"protocol\":\"TCP\","
	    "\"start\":\"2026-01-01\"}],\"application\":\"Payroll\","
	    "\"client_os\":\"Debian 12\",\"connection\":\"VPN\",\"rfc\":"
	    "\"RFC-1234\",\"support_contact\":\"ops@company.eu\"}");
	free(got);
	json_decref(out);
	free(json);
}

/* The forms learn the new types and the bounds of a port. */
static void
test_describe_network(void **state)
{
	const struct step_def *s = procdef_step(part2, "fill_part2");
	json_t *d = fields_describe(s->fields, s->nfields), *acc;
	char *got;

	(void)state;
	acc = json_object_get(json_array_get(d, 2), "fields");
	got = json_dumps(json_array_get(acc, 4), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(got, "{\"items\":\"host\",\"label\":\"hosts\","
				 "\"max\":64,\"name\":\"hosts\",\"required\":"
				 "true,\"type\":\"list\"}");
	free(got);
	got = json_dumps(json_array_get(acc, 5), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(got, "{\"label\":\"ports\",\"max\":65535,\"min\":1,"
				 "\"name\":\"ports\",\"required\":true,"
				 "\"type\":\"ports\"}");
	free(got);
	json_decref(d);
	d = fields_describe(fields, nfields);
	got = json_dumps(json_array_get(d, 14), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(got, "{\"label\":\"host\",\"name\":\"host\","
				 "\"required\":false,\"type\":\"host\"}");
	free(got);
	json_decref(d);
}

static void
test_describe(void **state)
{
	json_t *d = fields_describe(fields, nfields), *f;
	char *s;

	(void)state;
	assert_true(json_is_array(d));
	assert_int_equal(json_array_size(d), nfields);
	s = json_dumps(json_array_get(d, 0), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"help\":\"One line\",\"label\":\"Title\","
			       "\"max\":10,\"min\":2,\"name\":\"title\","
			       "\"required\":true,\"type\":\"string\"}");
	free(s);
	s = json_dumps(json_array_get(d, 1), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s,
			    "{\"label\":\"body\",\"max\":20000,\"name\":"
			    "\"body\",\"required\":false,\"type\":\"text\"}");
	free(s);
	s = json_dumps(json_array_get(d, 3), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"label\":\"ratio\",\"max\":1.5,\"name\":"
			       "\"ratio\",\"required\":false,\"type\":"
			       "\"number\"}");
	free(s);
	s = json_dumps(json_array_get(d, 9), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"items\":\"string\",\"label\":\"tags\","
			       "\"max\":2,\"name\":\"tags\",\"required\":"
			       "false,\"type\":\"list\",\"values\":[\"x\","
			       "\"y\"]}");
	free(s);
	f = json_array_get(d, 12);
	assert_string_equal(json_string_value(json_object_get(f, "name")),
			    "accesses");
	assert_string_equal(json_string_value(json_object_get(f, "items")),
			    "object");
	assert_int_equal(json_array_size(json_object_get(f, "fields")), 4);
	f = json_array_get(json_object_get(f, "fields"), 3);
	assert_string_equal(json_string_value(json_object_get(f, "type")),
			    "object");
	assert_int_equal(json_array_size(json_object_get(f, "fields")), 1);
	json_decref(d);
	d = fields_describe(NULL, 0);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
}

/* The review step of the sample process, as the engine will use it. */
static void
test_sample_review(void **state)
{
	char *path = tu_source_path("processes/sample.approval.yaml");
	struct procdef *sample = NULL;
	struct sf_error err = {0};
	const struct step_def *s;
	json_t *in, *out = NULL;
	size_t len;
	char *text = tu_read_file(path, &len);

	(void)state;
	assert_int_equal(procdef_parse(text, len, path, &sample, &err), SF_OK);
	s = procdef_step(sample, "review_ds");
	in = json_pack("{s:s, s:s, s:s}", "decision", "accept", "feedback",
		       "Fine.", "comment", "ok");
	assert_int_equal(fields_validate(s->fields, s->nfields, in, &out, &err),
			 SF_OK);
	assert_int_equal(json_object_size(out), 3);
	json_decref(out);
	json_decref(in);
	in = json_pack("{s:s}", "decision", "approve");
	assert_int_equal(fields_validate(s->fields, s->nfields, in, &out, &err),
			 SF_INVALID);
	assert_string_equal(err.field, "decision");
	assert_string_equal(err.message, "decision: expected one of: accept, "
					 "request_changes");
	json_decref(in);
	procdef_free(sample);
	free(text);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalised),
	    cmocka_unit_test(test_required),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_string_default_max),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_emails),
	    cmocka_unit_test(test_enums),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_nested_paths),
	    cmocka_unit_test(test_unknown_and_comment),
	    cmocka_unit_test(test_files),
	    cmocka_unit_test(test_hosts),
	    cmocka_unit_test(test_ports),
	    cmocka_unit_test(test_host_lengths),
	    cmocka_unit_test(test_part2_accesses),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_describe_network),
	    cmocka_unit_test(test_sample_review),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
