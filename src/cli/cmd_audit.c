/* cmd_audit.c - `secflow audit verify|list`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "engine/audit.h"

/* One record of `secflow audit list`: id, time, object, who (and for
 * whom), action. */
static void
audit_line(json_t *x)
{
	const char *af = json_string_value(json_object_get(x, "acting_for"));

	printf("%lld %s %s %s%s%s%s %s\n",
	       (long long)json_integer_value(json_object_get(x, "id")),
	       json_string_value(json_object_get(x, "at")),
	       json_string_value(json_object_get(x, "object")),
	       json_string_value(json_object_get(x, "user")),
	       af && *af ? " (for " : "", af && *af ? af : "",
	       af && *af ? ")" : "",
	       json_string_value(json_object_get(x, "action")));
}

int
cmd_audit(struct cli *c)
{
	static const char usage[] =
		"secflow audit verify [--json] | audit list [--object OBJ]";
	struct sf_error err = {0};
	const char *object = cli_opt(c, "--object");
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc != 1)
		return cli_usage(c, usage, "say verify or list");
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	if (strcmp(c->argv[0], "verify") == 0) {
		int64_t bad = 0, count = 0;
		r = audit_verify(c->st, &bad, &count, &err);
		if (r && r != SF_INVALID)
			return cli_fail(c, &err);
		if (c->json)
			cli_print_json(json_pack(
				"{s:b, s:I, s:I, s:s}", "valid", r == SF_OK,
				"records", (json_int_t)count, "first_broken",
				(json_int_t)bad, "message",
				r ? err.message : "the audit chain holds"));
		if (r) {
			fprintf(stderr,
				"secflow audit: chain broken at record %lld: "
				"%s\n",
				(long long)bad, err.message);
			return 1;
		}
		if (!c->json)
			printf("audit chain holds: %lld records\n",
			       (long long)count);
		return 0;
	}
	if (strcmp(c->argv[0], "list") == 0) {
		json_t *l;
		r = audit_list(c->st, object, &l, &err);
		if (r)
			return cli_fail(c, &err);
		return cli_print_rows(c, l, audit_line);
	}
	return cli_usage(c, usage, "unknown audit command %s", c->argv[0]);
}
