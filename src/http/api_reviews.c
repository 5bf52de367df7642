/*
 * api_reviews.c - the routes the reviews module adds to the generic
 * object routes (api_objects.c, which answers GET /reviews/{id} with the
 * module's view):
 *   POST /api/v1/reviews {"quarter"}            start a campaign (201)
 *   POST /api/v1/reviews/{id}/imports {"resource", "filename",
 *        "content_b64", "scope", "skip_bad_rows"} import a list (201)
 *   POST /api/v1/reviews/{id}/send              workbooks and e-mails
 *   POST /api/v1/reviews/{id}/answers {"na" | "gateway" | "igl",
 *        "filename", "content_b64"}              answer + quality check
 *   GET  /api/v1/reviews/{id}/result?format=md|xlsx
 * Files travel as JSON with standard base64 (a multipart upload is
 * refused with 400 by api_body, naming the JSON form).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "http/api.h"
#include "modules/reviews/reviews.h"

static int
rv_id(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (!*s || *end || v <= 0)
		return -1;
	*id = v;
	return 0;
}

/* The file of body B: *DATA (new) and *LEN, or an answered 422. */
static int
file_of(struct api_call *c, json_t *b, char **data, size_t *len,
	const char **name)
{
	const char *b64 = json_string_value(json_object_get(b, "content_b64"));
	size_t n;

	*name = json_string_value(json_object_get(b, "filename"));
	if (!*name || !**name || strchr(*name, '/') || strchr(*name, '\\')) {
		api_fail(c, SF_INVALID, "filename",
			 "give the file's name (without / or \\)");
		return -1;
	}
	if (!b64) {
		api_fail(c, SF_INVALID, "content_b64",
			 "give the file's content in standard base64");
		return -1;
	}
	n = strlen(b64);
	*data = xmalloc(n / 4 * 3 + 3);
	if (sodium_base642bin((unsigned char *)*data, n / 4 * 3 + 3, b64, n,
			      " \r\n", len, NULL,
			      sodium_base64_VARIANT_ORIGINAL)) {
		free(*data);
		*data = NULL;
		api_fail(c, SF_INVALID, "content_b64",
			 "content_b64 is not standard base64");
		return -1;
	}
	return 0;
}

int
api_reviews(struct api_call *c)
{
	struct sf_error err = {0};
	const char *m = c->req->method;
	json_t *b, *out = NULL;
	int64_t id = 0;
	enum sf_status r;

	if (c->nseg < 1 || strcmp(c->seg[0], "reviews") != 0)
		return 0;
	if (c->nseg == 1 && strcmp(m, "POST") == 0) {
		if (!api_need_user(c) || !(b = api_body(c)))
			return 1;
		r = review_start(c->eng, &c->who,
				 json_string_value(json_object_get(b, "quarter")),
				 &id, &err);
		if (!r)
			r = engine_view(c->eng, &c->who, "reviews", id, &out,
					&err);
		api_reply(c, r, 201, out, &err);
		return 1;
	}
	if (c->nseg != 3 || rv_id(c->seg[1], &id))
		return 0;
	if (!api_need_user(c))
		return 1;
	if (strcmp(c->seg[2], "result") == 0 && strcmp(m, "GET") == 0) {
		char *data = NULL;
		size_t len = 0;
		const char *ctype = NULL;

		r = review_result(c->eng, &c->who, id,
				  http_query(c->req, "format"), &data, &len,
				  &ctype, &err);
		if (r) {
			api_error(c, &err);
			return 1;
		}
		api_bytes(c, ctype, data, len);
		return 1;
	}
	if (strcmp(m, "POST") != 0)
		return 0;
	if (strcmp(c->seg[2], "send") == 0) {
		r = review_send(c->eng, &c->who, id, &out, &err);
		api_reply(c, r, 200, out, &err);
		return 1;
	}
	if (strcmp(c->seg[2], "imports") == 0 ||
	    strcmp(c->seg[2], "answers") == 0) {
		int imp = strcmp(c->seg[2], "imports") == 0;
		char *data = NULL;
		size_t len = 0;
		const char *name = NULL;
		struct review_answer_in in = {0};

		if (!(b = api_body(c)))
			return 1;
		in.igl = json_string_value(json_object_get(b, "igl"));
		if ((imp || !in.igl) && file_of(c, b, &data, &len, &name))
			return 1;
		if (imp) {
			r = review_import(
				c->eng, &c->who, id,
				json_string_value(json_object_get(b, "resource")),
				json_string_value(json_object_get(b, "scope")),
				name, data, len,
				json_is_true(json_object_get(b, "skip_bad_rows")),
				&out, &err);
		} else {
			in.na = json_string_value(json_object_get(b, "na"));
			in.gateway =
				json_string_value(json_object_get(b, "gateway"));
			in.filename = name;
			in.data = data;
			in.len = len;
			r = review_answer(c->eng, &c->who, id, &in, &out, &err);
		}
		free(data);
		api_reply(c, r, 201, out, &err);
		return 1;
	}
	return 0;
}
