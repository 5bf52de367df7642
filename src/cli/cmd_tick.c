/* cmd_tick.c - `secflow tick`: run the jobs due now, then deliver mail. */
#include <stdio.h>

#include "cli.h"

int
cmd_tick(struct cli *c)
{
	static const char usage[] = "secflow tick [--node-name N] [--json]";
	struct sf_error err = {0};
	const char *node = cli_opt(c, "--node-name");
	int ran = 0, sent = 0, failed = 0;
	enum sf_status r;
	sf_time now;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc)
		return cli_usage(c, usage, "unexpected argument %s",
				 c->argv[0]);
	if (node && !*node)
		return cli_usage(c, usage, "empty --node-name");
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	/* The lease owner of the jobs and messages this run takes: ticks run
	 * from several hosts (cron on each node) tell apart in the jobs
	 * table when they are named. */
	if (node)
		c->eng.node = c->eng.mail.node = node;
	now = clock_now();
	r = engine_tick(&c->eng, now, &ran, &err);
	if (!r)
		r = outbox_deliver(c->st, &c->eng.mail, now, &sent, &failed,
				   &err);
	if (r)
		return cli_fail(c, &err);
	if (c->json)
		cli_print_json(json_pack("{s:i, s:i, s:i}", "jobs", ran,
					 "sent", sent, "failed", failed));
	else
		printf("%d job%s run, %d message%s sent, %d failed\n", ran,
		       ran == 1 ? "" : "s", sent, sent == 1 ? "" : "s",
		       failed);
	return 0;
}
