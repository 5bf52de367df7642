/* cmd_outbox.c - `secflow outbox list|deliver`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cmd_outbox(struct cli *c)
{
	static const char usage[] =
		"secflow outbox list [--state S] [--json] | outbox deliver";
	struct sf_error err = {0};
	const char *state = cli_opt(c, "--state");
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc != 1)
		return cli_usage(c, usage, "say list or deliver");
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	if (strcmp(c->argv[0], "list") == 0) {
		struct outbox_list l;
		json_t *arr = json_array();
		r = c->st->ops->outbox_list(c->st, state, &l, &err);
		if (r)
			return cli_fail(c, &err);
		for (size_t i = 0; i < l.n; i++) {
			json_array_append_new(arr, outbox_row_json(&l.v[i]));
			if (!c->json) {
				char t[32];
				clock_format(l.v[i].created, t);
				printf("%lld %s %-6s %s\n",
				       (long long)l.v[i].id, t, l.v[i].state,
				       l.v[i].subject);
			}
		}
		outbox_list_release(&l);
		if (c->json)
			cli_print_json(arr);
		else
			json_decref(arr);
		return 0;
	}
	if (strcmp(c->argv[0], "deliver") == 0) {
		int sent = 0, failed = 0;
		r = outbox_deliver(c->st, &c->eng.mail, clock_now(), &sent,
				   &failed, &err);
		if (r)
			return cli_fail(c, &err);
		if (c->json)
			cli_print_json(json_pack("{s:i, s:i}", "sent", sent,
						 "failed", failed));
		else
			printf("%d sent, %d failed\n", sent, failed);
		return failed ? 1 : 0;
	}
	return cli_usage(c, usage, "unknown outbox command %s", c->argv[0]);
}
