/*
 * cmd_convention.c - `secflow convention ...` and `secflow company ...`:
 * the generic object verbs of convention.create (start as "create",
 * list, show, step) plus what the conventions module adds: amend,
 * progress, call and part1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "modules/conventions/conventions.h"

static const char usage[] =
	"secflow convention create --dg DG --company NAME --hosting digit_dc|dg "
	"--expires YYYY-MM-DD [--contract REF] | --body JSON\n"
	"secflow convention list | show ID | step ID STEP [--body JSON]\n"
	"secflow convention amend ID --kind dg|ishs\n"
	"secflow convention progress ID [--json]\n"
	"secflow convention call ID --token SERIAL [--token SERIAL...] "
	"--problem TEXT\n"
	"secflow convention part1 ID [--version N] -o FILE";


/* create with options: build the body cmd_object's start takes. */
static int
create(struct cli *c)
{
	static const char *const opts[] = {"dg", "company", "hosting",
					   "expires", "contract", NULL};
	json_t *body = json_object();
	char *text;
	static char *argv[4];
	int rc;

	for (size_t i = 0; opts[i]; i++) {
		char name[16];
		const char *v;
		snprintf(name, sizeof(name), "--%s", opts[i]);
		if ((v = cli_opt(c, name)))
			json_object_set_new(body, opts[i], json_string(v));
	}
	if (json_object_size(body) == 0) {
		json_decref(body);
		c->argv[0] = "start";
		return cmd_object(c, "convention.create");
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	argv[0] = "start";
	argv[1] = "--body";
	argv[2] = text;
	argv[3] = NULL;
	c->argv = argv;
	c->argc = 3;
	rc = cmd_object(c, "convention.create");
	free(text);
	return rc;
}

int
cmd_convention(struct cli *c)
{
	struct sf_error err = {0};
	const char *sub;
	json_t *out = NULL;
	int64_t id = 0;
	enum sf_status r;

	if (cli_help(c, usage))
		return 0;
	if (c->argc < 1)
		return cli_usage(c, usage, "say what to do");
	sub = c->argv[0];
	if (strcmp(sub, "create") == 0 || strcmp(sub, "start") == 0)
		return create(c);
	if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 ||
	    strcmp(sub, "step") == 0)
		return cmd_object(c, "convention.create");
	if (c->argc < 2 || cli_parse_id(c->argv[1], &id))
		return cli_usage(c, usage, "give the convention id");
	if (strcmp(sub, "amend") == 0) {
		const char *kind = cli_opt(c, "--kind");
		int64_t aid = 0;
		if (cli_no_unknown_options(c, usage))
			return 2;
		if (!kind)
			return cli_usage(c, usage, "--kind dg or ishs");
		r = cli_open(c, &err);
		if (!r)
			r = convention_amend(&c->eng, &c->who, id, kind, &aid,
					     &err);
		if (r)
			return cli_fail(c, &err);
		if (c->json)
			cli_print_json(json_pack("{s:I, s:I}", "convention",
						 (json_int_t)id, "amendment",
						 (json_int_t)aid));
		else
			printf("amendment %lld of convention %lld started\n",
			       (long long)aid, (long long)id);
		return 0;
	}
	if (strcmp(sub, "progress") == 0) {
		if (cli_no_unknown_options(c, usage))
			return 2;
		r = cli_open(c, &err);
		if (!r)
			r = convention_progress(&c->eng, &c->who, id, &out,
						&err);
		if (r)
			return cli_fail(c, &err);
		if (c->json) {
			cli_print_json(out);
		} else {
			char *md = convention_progress_md(out);
			fputs(md, stdout);
			free(md);
			json_decref(out);
		}
		return 0;
	}
	if (strcmp(sub, "call") == 0) {
		json_t *serials = json_array();
		const char *problem = NULL, *t;
		while ((t = cli_opt(c, "--token")))
			json_array_append_new(serials, json_string(t));
		problem = cli_opt(c, "--problem");
		if (cli_no_unknown_options(c, usage)) {
			json_decref(serials);
			return 2;
		}
		if (!problem || !json_array_size(serials)) {
			json_decref(serials);
			return cli_usage(c, usage,
					 "give --token SERIAL and --problem TEXT");
		}
		r = cli_open(c, &err);
		if (!r)
			r = convention_call(&c->eng, &c->who, id, serials,
					    problem, &out, &err);
		json_decref(serials);
		if (r)
			return cli_fail(c, &err);
		if (c->json) {
			cli_print_json(out);
		} else {
			fputs(json_string_value(json_object_get(out, "text")),
			      stdout);
			json_decref(out);
		}
		return 0;
	}
	if (strcmp(sub, "part1") == 0) {
		const char *vs = cli_opt(c, "--version");
		const char *path = cli_opt(c, "-o");
		unsigned char *doc = NULL;
		size_t len = 0;
		char *name = NULL;
		int64_t v = 0;

		if (cli_no_unknown_options(c, usage))
			return 2;
		if ((vs && cli_parse_id(vs, &v)) || !path)
			return cli_usage(c, usage,
					 "give -o FILE (and --version N)");
		r = cli_open(c, &err);
		if (!r)
			r = convention_part1(&c->eng, &c->who, id, (int)v, &doc,
					     &len, &name, &err);
		if (r)
			return cli_fail(c, &err);
		r = cli_write_out(path, doc, len, &err);
		if (r) {
			xfree_secret(doc, len + 1);
			free(name);
			return cli_fail(c, &err);
		}
		if (strcmp(path, "-") != 0)
			fprintf(stderr, "wrote %s (%zu bytes, uploaded as %s)\n",
				path, len, name);
		xfree_secret(doc, len + 1);
		free(name);
		return 0;
	}
	return cli_usage(c, usage, "unknown command %s", sub);
}

/* One company of `secflow company list`. */
static void
company_line(json_t *x)
{
	printf("%s\n", json_string_value(json_object_get(x, "name")));
}

int
cmd_company(struct cli *c)
{
	static const char cusage[] =
		"secflow company add NAME | list [--json]";
	struct sf_error err = {0};
	json_t *out = NULL;
	enum sf_status r;

	if (cli_need_command(c, cusage))
		return 2;
	if (strcmp(c->argv[0], "add") == 0) {
		if (c->argc != 2)
			return cli_usage(c, cusage, "give one company name");
		r = cli_open(c, &err);
		if (!r)
			r = company_add(&c->eng, &c->who, c->argv[1], &out,
					&err);
		if (r)
			return cli_fail(c, &err);
		if (c->json)
			cli_print_json(out);
		else {
			printf("company %s registered\n", c->argv[1]);
			json_decref(out);
		}
		return 0;
	}
	if (strcmp(c->argv[0], "list") == 0) {
		r = cli_open(c, &err);
		if (!r)
			r = company_list(&c->eng, &c->who, &out, &err);
		if (r)
			return cli_fail(c, &err);
		return cli_print_rows(c, out, company_line);
	}
	return cli_usage(c, cusage, "unknown command %s", c->argv[0]);
}
