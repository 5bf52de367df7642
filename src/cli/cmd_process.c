/* cmd_process.c - `secflow process list|show|check`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int
cmd_process(struct cli *c)
{
	static const char usage[] =
		"secflow process list | show NAME [--dot] | check [DIR]";
	struct sf_error err = {0};
	int dot = cli_flag(c, "--dot");
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc < 1)
		return cli_usage(c, usage, "say list, show or check");
	if (strcmp(c->argv[0], "check") == 0) {
		struct registry *reg;
		const char *dir = c->argc > 1 ? c->argv[1] : c->processes;
		r = registry_load(dir, &reg, &err);
		if (r)
			return cli_fail(c, &err);
		printf("%zu process definition%s valid\n", registry_count(reg),
		       registry_count(reg) == 1 ? "" : "s");
		registry_free(reg);
		return 0;
	}
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	if (strcmp(c->argv[0], "list") == 0) {
		json_t *l = json_array();
		for (size_t i = 0; i < registry_count(c->reg); i++) {
			const struct procdef *d = registry_at(c->reg, i);
			json_array_append_new(
				l, json_pack("{s:s, s:s, s:i, s:s, s:i}",
					     "name", d->name, "title",
					     d->title ? d->title : d->name,
					     "version", d->version, "object",
					     d->object, "steps",
					     (int)d->nsteps));
			if (!c->json)
				printf("%-24s v%-3d %-14s %s\n", d->name,
				       d->version, d->object,
				       d->title ? d->title : "");
		}
		if (c->json)
			cli_print_json(l);
		else
			json_decref(l);
		return 0;
	}
	if (strcmp(c->argv[0], "show") == 0) {
		const struct procdef *d;
		if (c->argc != 2)
			return cli_usage(c, usage, "name one process");
		d = registry_find(c->reg, c->argv[1]);
		if (!d) {
			sf_fail(&err, SF_NOT_FOUND, "process",
				"no process \"%s\"", c->argv[1]);
			return cli_fail(c, &err);
		}
		if (dot) {
			char *s = engine_dot(d);
			fputs(s, stdout);
			free(s);
		} else {
			cli_print_json(engine_def_json(d));
		}
		return 0;
	}
	return cli_usage(c, usage, "unknown process command %s", c->argv[0]);
}
