/*
 * cmd_review.c - `secflow review ...`: the bi-annual user access review
 * (seed 002 SEC.5): start a campaign, import its lists, reconcile, write
 * the workbooks, send the e-mails, import answers, print the result; the
 * generic verbs (list, show, step) of review.campaign for the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/alloc.h"
#include "modules/reviews/reviews.h"

static const char usage[] =
	"secflow review start QUARTER [--json]\n"
	"secflow review import ID --resource NAME [--scope GATEWAY] "
	"[--skip-bad-rows] FILE...\n"
	"secflow review reconcile ID [--json]\n"
	"secflow review workbooks ID --dir DIR\n"
	"secflow review send ID [--json]\n"
	"secflow review answer ID --na CODE|--gateway GW FILE.xlsx [--json]\n"
	"secflow review answer ID --igl ADDRESS\n"
	"secflow review result ID [--format md|xlsx] [-o FILE]\n"
	"secflow review list | show ID | step ID STEP [--body JSON]";

static int
need_id(struct cli *c, int64_t *id)
{
	if (c->argc < 2 || cli_parse_id(c->argv[1], id))
		return cli_usage(c, usage, "give the review's id as a "
					   "positive number");
	return 0;
}

static int
print_or_json(struct cli *c, json_t *j, const char *text)
{
	if (c->json)
		cli_print_json(j);
	else {
		fputs(text, stdout);
		json_decref(j);
	}
	return 0;
}

static int
start(struct cli *c)
{
	struct sf_error err = {0};
	int64_t id = 0;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc != 2)
		return cli_usage(c, usage, "give the quarter, such as 2026Q4");
	if (cli_open(c, &err) ||
	    review_start(&c->eng, &c->who, c->argv[1], &id, &err))
		return cli_fail(c, &err);
	if (c->json)
		cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id,
					 "quarter", c->argv[1]));
	else
		printf("%lld\n", (long long)id);
	return 0;
}

static int
import(struct cli *c, int64_t id)
{
	struct sf_error err = {0};
	const char *res = cli_opt(c, "--resource");
	const char *scope = cli_opt(c, "--scope");
	int skip = cli_flag(c, "--skip-bad-rows");
	json_t *all = json_array();
	int rc = 0;

	if (cli_no_unknown_options(c, usage) || !res || c->argc < 3) {
		json_decref(all);
		return cli_usage(c, usage, "give --resource and a file");
	}
	if (cli_open(c, &err)) {
		json_decref(all);
		return cli_fail(c, &err);
	}
	for (int i = 2; i < c->argc; i++) {
		char *data = NULL;
		size_t len = 0;
		json_t *rep = NULL;

		if (cli_read_file(c->argv[i], (size_t)1 << 30, &data, &len,
				  &err) ||
		    review_import(&c->eng, &c->who, id, res, scope, c->argv[i],
				  data, len, skip, &rep, &err)) {
			free(data);
			rc = cli_fail(c, &err);
			break;
		}
		free(data);
		if (!c->json)
			printf("%s: import %lld, %lld rows\n", c->argv[i],
			       (long long)json_integer_value(
				       json_object_get(rep, "import")),
			       (long long)json_integer_value(
				       json_object_get(rep, "rows")));
		json_array_append_new(all, rep);
	}
	if (c->json && !rc)
		cli_print_json(all);
	else
		json_decref(all);
	return rc;
}

static int
workbooks(struct cli *c, int64_t id)
{
	struct sf_error err = {0};
	const char *dir = cli_opt(c, "--dir");
	json_t *files = NULL;

	if (cli_no_unknown_options(c, usage) || !dir)
		return cli_usage(c, usage, "give --dir DIR");
	if (mkdir(dir, 0755) && errno != EEXIST) {
		sf_fail(&err, SF_IO, "--dir", "cannot make %s", dir);
		return cli_fail(c, &err);
	}
	if (cli_open(c, &err) ||
	    review_workbooks(&c->eng, &c->who, id, dir, &files, &err))
		return cli_fail(c, &err);
	return cli_print_rows(c, files, cli_line_string);
}

static int
answer(struct cli *c, int64_t id)
{
	struct sf_error err = {0};
	struct review_answer_in in = {0};
	json_t *rep = NULL;
	char *data = NULL;
	int rc;

	in.na = cli_opt(c, "--na");
	in.gateway = cli_opt(c, "--gateway");
	in.igl = cli_opt(c, "--igl");
	if (cli_no_unknown_options(c, usage))
		return 2;
	if (!!in.na + !!in.gateway + !!in.igl != 1 ||
	    (!in.igl && c->argc != 3))
		return cli_usage(c, usage, "give one of --na, --gateway "
					   "(with the file) or --igl");
	if (cli_open(c, &err))
		return cli_fail(c, &err);
	if (!in.igl) {
		in.filename = c->argv[2];
		if (cli_read_file(c->argv[2], (size_t)256 << 20, &data,
				  &in.len, &err))
			return cli_fail(c, &err);
		in.data = data;
	}
	rc = review_answer(&c->eng, &c->who, id, &in, &rep, &err);
	free(data);
	if (rc)
		return cli_fail(c, &err);
	if (c->json) {
		cli_print_json(rep);
		return 0;
	}
	printf("%s: %s, %zu finding(s), %zu decision(s)\n",
	       json_string_value(json_object_get(rep, "scope")),
	       json_string_value(json_object_get(rep, "status")),
	       json_array_size(json_object_get(rep, "findings")),
	       json_array_size(json_object_get(rep, "decisions")));
	{
		json_t *f;
		size_t i;
		json_array_foreach(json_object_get(rep, "findings"), i, f)
			printf("  %s\n", json_string_value(
						 json_object_get(f, "message")));
	}
	json_decref(rep);
	return 0;
}

static int
result(struct cli *c, int64_t id)
{
	struct sf_error err = {0};
	const char *fmt = cli_opt(c, "--format");
	const char *path = cli_opt(c, "-o");
	const char *ctype;
	char *data = NULL;
	size_t len = 0;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (cli_open(c, &err) ||
	    review_result(&c->eng, &c->who, id, fmt, &data, &len, &ctype, &err))
		return cli_fail(c, &err);
	if (cli_write_out(path, data, len, &err)) {
		free(data);
		return cli_fail(c, &err);
	}
	free(data);
	return 0;
}

int
cmd_review(struct cli *c)
{
	struct sf_error err = {0};
	const char *sub;
	int64_t id = 0;
	json_t *out = NULL;

	if (c->argc < 1)
		return cli_usage(c, usage, "say what to do");
	sub = c->argv[0];
	if (strcmp(sub, "start") == 0)
		return start(c);
	if (strcmp(sub, "import") == 0)
		return need_id(c, &id) ? 2 : import(c, id);
	if (strcmp(sub, "workbooks") == 0)
		return need_id(c, &id) ? 2 : workbooks(c, id);
	if (strcmp(sub, "answer") == 0)
		return need_id(c, &id) ? 2 : answer(c, id);
	if (strcmp(sub, "result") == 0)
		return need_id(c, &id) ? 2 : result(c, id);
	if (strcmp(sub, "send") == 0 || strcmp(sub, "reconcile") == 0) {
		int send = strcmp(sub, "send") == 0;
		char line[256];
		if (need_id(c, &id))
			return 2;
		if (cli_no_unknown_options(c, usage))
			return 2;
		if (cli_open(c, &err) ||
		    (send ? review_send(&c->eng, &c->who, id, &out, &err)
			  : review_reconcile(&c->eng, &c->who, id, &out, &err)))
			return cli_fail(c, &err);
		if (send)
			snprintf(line, sizeof(line),
				 "%zu NA workbook(s), %zu gateway workbook(s) "
				 "sent\n",
				 json_array_size(json_object_get(out, "npm")),
				 json_array_size(json_object_get(out, "lsa")));
		else {
			json_t *k = json_object_get(out, "counts");
			snprintf(line, sizeof(line),
				 "%lld rows, %lld disabled, %lld users in %lld "
				 "NAs, %lld without NA\n",
				 (long long)json_integer_value(
					 json_object_get(k, "rows")),
				 (long long)json_integer_value(
					 json_object_get(k, "disabled")),
				 (long long)json_integer_value(
					 json_object_get(k, "na_users")),
				 (long long)json_integer_value(
					 json_object_get(k, "nas")),
				 (long long)json_integer_value(
					 json_object_get(k, "na_unknown")));
		}
		return print_or_json(c, out, line);
	}
	return cmd_object(c, "review.campaign");
}
