/* cmd_calendar.c - `secflow calendar import|list|add-working-days`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/calendar.h"
#include "engine/setup.h"

int
cmd_calendar(struct cli *c)
{
	static const char usage[] =
		"secflow calendar import FILE.ics | list | add-working-days "
		"DATE N";
	struct sf_error err = {0};
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc < 1)
		return cli_usage(c, usage, "say import, list or "
					   "add-working-days");
	if (strcmp(c->argv[0], "import") == 0) {
		char *text;
		size_t len;
		int count = 0;
		if (c->argc != 2)
			return cli_usage(c, usage, "give one .ics file");
		r = cli_open(c, &err);
		if (!r)
			r = cli_read_file(c->argv[1], 8 << 20, &text, &len,
					  &err);
		if (r)
			return cli_fail(c, &err);
		r = setup_import_holidays(c->st, text, len, c->argv[1],
					  c->who.name, &count, &err);
		free(text);
		if (r)
			return cli_fail(c, &err);
		if (c->json)
			cli_print_json(json_pack("{s:i}", "imported", count));
		else
			printf("%d holiday%s imported from %s\n", count,
			       count == 1 ? "" : "s", c->argv[1]);
		return 0;
	}
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	if (strcmp(c->argv[0], "list") == 0) {
		json_t *h, *v;
		const char *k;
		r = c->st->ops->holidays(c->st, &h, &err);
		if (r)
			return cli_fail(c, &err);
		if (c->json) {
			cli_print_json(h);
			return 0;
		}
		json_object_foreach(h, k, v)
			printf("%s %s\n", k, json_string_value(v));
		json_decref(h);
		return 0;
	}
	if (strcmp(c->argv[0], "add-working-days") == 0) {
		sf_date d;
		char *end;
		long n;
		char out[16];
		if (c->argc != 3)
			return cli_usage(c, usage, "give a date and a number");
		if (date_parse(c->argv[1], &d))
			return cli_usage(c, usage,
					 "bad date \"%s\": expected YYYY-MM-DD",
					 c->argv[1]);
		n = strtol(c->argv[2], &end, 10);
		if (*end || n < 0 || n > 10000)
			return cli_usage(c, usage, "bad number \"%s\"",
					 c->argv[2]);
		date_format(calendar_add_working_days(c->eng.cal, d, (int)n),
			    out);
		if (c->json)
			cli_print_json(json_pack("{s:s}", "date", out));
		else
			printf("%s\n", out);
		return 0;
	}
	return cli_usage(c, usage, "unknown calendar command %s", c->argv[0]);
}
