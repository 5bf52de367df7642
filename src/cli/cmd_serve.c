/* cmd_serve.c - `secflow serve`: the HTTP server and the job timer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine/setup.h"
#include "engine/summary.h"
#include "http/api.h"
#include "http/server.h"

static int
num_opt(struct cli *c, const char *name, long dflt, long min, long max,
	long *out, const char *usage)
{
	const char *v = cli_opt(c, name);
	char *end;

	*out = dflt;
	if (!v)
		return 0;
	*out = strtol(v, &end, 10);
	if (*v == '\0' || *end || *out < min || *out > max) {
		cli_usage(c, usage, "bad %s \"%s\": a number from %ld to %ld",
			  name, v, min, max);
		return -1;
	}
	return 0;
}

int
cmd_serve(struct cli *c)
{
	static const char usage[] =
		"secflow serve [--listen ADDR:PORT] [--threads N] "
		"[--node-name N] [--tick-interval S] [--max-body BYTES] "
		"[--auth-header NAME]";
	struct sf_error err = {0};
	const char *listen = cli_opt(c, "--listen");
	const char *node = cli_opt(c, "--node-name");
	const char *auth_header = cli_opt(c, "--auth-header");
	long threads, tick, max_body;
	struct api api;
	struct api_config acfg = {0};
	struct http_config hcfg = {0};
	struct store *st;
	enum sf_status r;
	int rc;

	if (num_opt(c, "--threads", 0, 0, 256, &threads, usage) ||
	    num_opt(c, "--tick-interval", 30, 0, 86400, &tick, usage) ||
	    num_opt(c, "--max-body", 16 << 20, 1024, 1L << 30, &max_body,
		    usage))
		return 2;
	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc)
		return cli_usage(c, usage, "unexpected argument %s",
				 c->argv[0]);
	r = clock_check(&err);
	if (r)
		return cli_fail(c, &err);
	/* Migrate once before the threads open their own connections. */
	r = store_open(c->db, &st, &err);
	if (!r) {
		r = setup_database(st, NULL, &err);
		store_close(st);
	}
	if (r)
		return cli_fail(c, &err);
	acfg.db = c->db;
	acfg.processes = c->processes;
	acfg.node = node ? node : getenv("SECFLOW_NODE");
	acfg.auth_header = auth_header;
	acfg.mail.spool_dir = c->spool;
	acfg.mail.smtp_url = c->smtp_url;
	acfg.mail.mail_from = getenv("SECFLOW_MAIL_FROM");
	acfg.tick_interval = (int)tick;
	r = api_init(&api, &acfg, &err);
	if (r)
		return cli_fail(c, &err);
	/* The list summaries follow the definitions loaded (summary.h). */
	r = store_open(c->db, &st, &err);
	if (!r) {
		r = summary_refresh(st, api.reg, &err);
		store_close(st);
	}
	if (r) {
		api_release(&api);
		return cli_fail(c, &err);
	}
	hcfg.listen = listen ? listen : "127.0.0.1:8080";
	hcfg.threads = (unsigned)threads;
	hcfg.max_body = (size_t)max_body;
	hcfg.timeout_s = 30;
	hcfg.tick = api_tick;
	rc = http_server_run(&hcfg, api_handle, &api);
	api_release(&api);
	return rc ? 1 : 0;
}
