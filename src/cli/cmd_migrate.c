/* cmd_migrate.c - `secflow migrate`. */
#include <stdio.h>

#include "cli.h"
#include "engine/setup.h"

int
cmd_migrate(struct cli *c)
{
	static const char usage[] = "secflow migrate";
	struct sf_error err = {0};
	struct store *st;
	int applied = 0, version = 0;
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc)
		return cli_usage(c, usage, "unexpected argument %s",
				 c->argv[0]);
	r = store_open(c->db, &st, &err);
	if (r)
		return cli_fail(c, &err);
	r = setup_database(st, &applied, &err);
	if (!r)
		r = st->ops->schema_version(st, &version, &err);
	store_close(st);
	if (r)
		return cli_fail(c, &err);
	if (c->json)
		cli_print_json(json_pack("{s:i, s:i}", "applied", applied,
					 "version", version));
	else
		printf("schema version %d (%d migration%s applied)\n", version,
		       applied, applied == 1 ? "" : "s");
	return 0;
}
