/*
 * cmd_object.c - the generic verbs every process's objects get from the
 * engine: `secflow OBJECT start|list|show|step`.  Modules with their own
 * verbs (conventions, incidents, ...) add to these, never replace the
 * engine underneath.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void
print_view(json_t *v)
{
	json_t *a, *x;
	size_t i;

	printf("%s %lld  %s  state: %s\n",
	       json_string_value(json_object_get(v, "object")),
	       (long long)json_integer_value(json_object_get(v, "id")),
	       json_string_value(json_object_get(v, "process")),
	       json_string_value(json_object_get(v, "state")));
	a = json_object_get(v, "active_steps");
	json_array_foreach(a, i, x)
	{
		json_t *due = json_object_get(x, "due");
		printf("  waiting: %-20s due %s%s\n",
		       json_string_value(json_object_get(x, "step")),
		       due ? json_string_value(due) : "-",
		       json_is_true(json_object_get(x, "overdue"))
			       ? "  OVERDUE"
			       : "");
	}
	a = json_object_get(v, "history");
	json_array_foreach(a, i, x)
	{
		json_t *u = json_object_get(x, "user");
		printf("  %-9s %-20s %s %s\n",
		       json_string_value(json_object_get(x, "state")),
		       json_string_value(json_object_get(x, "step")),
		       json_string_value(json_object_get(x, "completed")),
		       u ? json_string_value(u) : "");
	}
}

/* The title of a listed object: its title, else its number, parties
 * and phase where it has them (a convention), else "". */
static const char *
title_of(json_t *x, char *buf, size_t n)
{
	json_t *d = json_object_get(x, "data");
	const char *t = json_string_value(json_object_get(d, "title"));
	const char *num = json_string_value(json_object_get(d, "number"));
	const char *co = json_string_value(json_object_get(d, "company"));
	const char *ph = json_string_value(json_object_get(d, "phase"));

	if (t)
		return t;
	snprintf(buf, n, "%s%s%s%s%s", num ? num : "", co ? "  " : "",
		 co ? co : "", ph ? "  " : "", ph ? ph : "");
	return buf;
}

/* One object of `secflow OBJECT list`: id, state, last change, title. */
static void
list_line(json_t *x)
{
	char t[32], title[300];

	clock_format(json_integer_value(json_object_get(x, "updated")), t);
	printf("%lld %-8s %s %s\n",
	       (long long)json_integer_value(json_object_get(x, "id")),
	       json_string_value(json_object_get(x, "state")), t,
	       title_of(x, title, sizeof(title)));
}

int
cmd_object(struct cli *c, const char *process)
{
	const struct procdef *def;
	char usage[512];
	struct sf_error err = {0};
	const char *body_arg = cli_opt(c, "--body");
	json_t *body = NULL, *view = NULL;
	const char *sub;
	int64_t id = 0;
	enum sf_status r;

	snprintf(usage, sizeof(usage),
		 "secflow %s start --body JSON | list | show ID | step ID "
		 "STEP [--body JSON]",
		 c->verb);
	if (cli_help(c, usage))
		return 0;
	if (cli_need_command(c, usage))
		return 2;
	sub = c->argv[0];
	if ((strcmp(sub, "show") == 0 || strcmp(sub, "step") == 0) &&
	    (c->argc < 2 || cli_parse_id(c->argv[1], &id)))
		return cli_usage(c, usage, "give the id as a positive number");
	r = cli_read_body(body_arg, &body, &err);
	if (r)
		return cli_fail(c, &err);
	r = cli_open(c, &err);
	if (r)
		goto fail;
	def = registry_find(c->reg, process);
	if (strcmp(sub, "start") == 0) {
		r = engine_start(&c->eng, &c->who, def->name, body, &id, &err);
		if (!r)
			r = engine_view(&c->eng, NULL, def->object, id, &view,
					&err);
	} else if (strcmp(sub, "show") == 0) {
		r = engine_view(&c->eng, &c->who, def->object, id, &view, &err);
	} else if (strcmp(sub, "list") == 0) {
		r = engine_list(&c->eng, &c->who, def->object, 0, 0, &view,
				NULL, &err);
		json_decref(body);
		return r ? cli_fail(c, &err) : cli_print_rows(c, view, list_line);
	} else if (strcmp(sub, "step") == 0) {
		if (c->argc != 3) {
			json_decref(body);
			return cli_usage(c, usage, "give the id and the step");
		}
		r = engine_perform(&c->eng, &c->who, def->object, id,
				   c->argv[2], body, &err);
		if (!r)
			r = engine_view(&c->eng, NULL, def->object, id, &view,
					&err);
	} else {
		json_decref(body);
		return cli_usage(c, usage, "unknown command %s", sub);
	}
	json_decref(body);
	if (r)
		return cli_fail(c, &err);
	if (c->json)
		cli_print_json(view);
	else {
		print_view(view);
		json_decref(view);
	}
	return 0;
fail:
	json_decref(body);
	return cli_fail(c, &err);
}
