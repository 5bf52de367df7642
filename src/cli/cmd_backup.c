/* cmd_backup.c - `secflow backup FILE`: an online copy of the database. */
#include <stdio.h>

#include "cli.h"

int
cmd_backup(struct cli *c)
{
	static const char usage[] = "secflow backup FILE";
	struct sf_error err = {0};
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc != 1)
		return cli_usage(c, usage, "give one backup file");
	r = cli_open(c, &err);
	if (!r)
		r = c->st->ops->backup(c->st, c->argv[0], &err);
	if (r)
		return cli_fail(c, &err);
	if (c->json)
		cli_print_json(json_pack("{s:s}", "backup", c->argv[0]));
	else
		printf("backup written to %s\n", c->argv[0]);
	return 0;
}
