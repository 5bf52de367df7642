/*
 * cmd_na.c - `secflow na map|unmap|list`: the organisation → NA table of
 * the Webportal user lists (SPEC 3.3; modules/userlists/na_map.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "modules/userlists/na_map.h"

static const char usage[] = "secflow na map ORGANISATION CODE   (admin)\n"
			    "secflow na unmap ORGANISATION      (admin)\n"
			    "secflow na list [--json]";

/* One mapping of `secflow na list`. */
static void
na_line(json_t *x)
{
	printf("%-8s %s\n", json_string_value(json_object_get(x, "na")),
	       json_string_value(json_object_get(x, "organisation")));
}

int
cmd_na(struct cli *c)
{
	struct sf_error err = {0};
	json_t *out = NULL;
	enum sf_status r;

	if (cli_need_command(c, usage))
		return 2;
	if (strcmp(c->argv[0], "map") == 0) {
		if (c->argc != 3)
			return cli_usage(c, usage,
					 "give ORGANISATION and CODE");
		r = cli_open(c, &err);
		if (!r)
			r = na_map_set(c->st, &c->who, c->argv[1], c->argv[2],
				       &err);
		return r ? cli_fail(c, &err) : 0;
	}
	if (strcmp(c->argv[0], "unmap") == 0) {
		if (c->argc != 2)
			return cli_usage(c, usage, "give ORGANISATION");
		r = cli_open(c, &err);
		if (!r)
			r = na_map_remove(c->st, &c->who, c->argv[1], &err);
		return r ? cli_fail(c, &err) : 0;
	}
	if (strcmp(c->argv[0], "list") != 0)
		return cli_usage(c, usage, "unknown command %s", c->argv[0]);
	if (c->argc != 1)
		return cli_usage(c, usage, "list takes no argument");
	r = cli_open(c, &err);
	if (!r)
		r = na_map_list(c->st, &out, &err);
	if (r)
		return cli_fail(c, &err);
	return cli_print_rows(c, out, na_line);
}
