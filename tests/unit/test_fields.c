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
    "          - {name: name, type: string, required: true}\n";

static struct procdef *def;
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
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	procdef_free(def);
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
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_sample_review),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
