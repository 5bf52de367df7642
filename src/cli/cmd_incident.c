/*
 * cmd_incident.c - `secflow incident ...`, `secflow system ...` and
 * `secflow routine ...`: intake of e-mail files and the generic object
 * verbs of incident.handle, the Security Incident Report, and the
 * catalogues the incidents module reads (classified systems, routine
 * incident types).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "modules/incidents/email_in.h"
#include "modules/incidents/impact.h"
#include "modules/incidents/incidents.h"

static const char usage[] =
	"secflow incident ingest FILE.eml... [--json]\n"
	"secflow incident create --body JSON\n"
	"secflow incident list | show ID | step ID STEP [--body JSON]\n"
	"secflow incident report ID [--format md|html|pdf] [-o FILE]\n"
	"secflow incident stats --year YYYY [--json]";


static int
ingest(struct cli *c)
{
	struct sf_error err = {0};
	json_t *all = json_array();
	int rc = 0;
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc < 2)
		return cli_usage(c, usage, "name at least one .eml file");
	r = cli_open(c, &err);
	if (r) {
		json_decref(all);
		return cli_fail(c, &err);
	}
	for (int i = 1; i < c->argc; i++) {
		char *raw = NULL;
		size_t len = 0;
		int64_t id = 0;
		int created = 0;
		json_t *v = NULL;

		r = cli_read_file(c->argv[i], EMAIL_MAX_SIZE + 1, &raw, &len,
				  &err);
		if (!r)
			r = incident_intake(&c->eng, &c->who, NULL, raw, len, &id,
					    &created, &err);
		free(raw);
		if (!r)
			r = engine_view(&c->eng, NULL, "incidents", id, &v, &err);
		if (r) {
			/* One line naming the file; the others go on. */
			fprintf(stderr, "secflow incident: %s: %s\n", c->argv[i],
				err.message);
			rc = 1;
			sf_error_clear(&err);
			continue;
		}
		json_object_set_new(v, "file", json_string(c->argv[i]));
		json_object_set_new(v, "created", json_boolean(created));
		if (!c->json)
			printf("%s: incident %lld %s%s, %zu keyword match%s\n",
			       c->argv[i], (long long)id,
			       json_string_value(json_object_get(v, "reference")),
			       json_is_true(json_object_get(v, "flagged"))
				       ? " flagged security"
				       : "",
			       json_array_size(json_object_get(v, "matches")),
			       json_array_size(json_object_get(v, "matches")) ==
					       1
				       ? ""
				       : "es");
		json_array_append_new(all, v);
	}
	if (c->json)
		cli_print_json(all);
	else
		json_decref(all);
	return rc;
}

/* The awareness indicator (seed 002 SEC.3, SPEC 3.6): incidents of the
 * year caused by a staff member (set at screening), and the security
 * incidents by screening outcome. */
static int
stats(struct cli *c)
{
	struct sf_error err = {0};
	const char *ys = cli_opt(c, "--year");
	json_t *all = NULL, *x, *out;
	long year;
	char *end;
	size_t i;
	int flagged = 0, staff = 0, fp = 0, routine = 0, specific = 0,
	    unscreened = 0, high = 0, total = 0;
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	year = ys ? strtol(ys, &end, 10) : 0;
	if (!ys || *end || year < 1970 || year > 9999)
		return cli_usage(c, usage, "give --year YYYY");
	r = cli_open(c, &err);
	if (!r)
		r = engine_list(&c->eng, c->who.operator ? NULL : &c->who,
				"incidents", 0, 0, &all, NULL, &err);
	if (r)
		return cli_fail(c, &err);
	json_array_foreach(all, i, x)
	{
		json_t *d = json_object_get(x, "data");
		json_t *scr = json_object_get(d, "screening");
		const char *out_s = json_string_value(json_object_get(scr, "outcome"));
		int y, m, dd;

		date_to_ymd(date_of(json_integer_value(json_object_get(x, "created"))),
			    &y, &m, &dd);
		if (y != year)
			continue;
		total++;
		if (!json_is_true(json_object_get(d, "flagged")))
			continue;
		flagged++;
		if (json_is_true(json_object_get(scr, "caused_by_staff")))
			staff++;
		if (json_is_true(json_object_get(d, "high_impact")))
			high++;
		if (!out_s)
			unscreened++;
		else if (strcmp(out_s, "false_positive") == 0)
			fp++;
		else if (strcmp(out_s, "routine") == 0)
			routine++;
		else
			specific++;
	}
	json_decref(all);
	out = json_pack("{s:i, s:i, s:i, s:i, s:{s:i, s:i, s:i, s:i}, s:i}",
			"year", (int)year, "incidents", total, "flagged", flagged,
			"caused_by_staff", staff, "by_outcome", "false_positive",
			fp, "routine", routine, "specific", specific,
			"not_screened", unscreened, "high_impact", high);
	if (c->json) {
		cli_print_json(out);
		return 0;
	}
	printf("%ld: %d incidents, %d flagged security (%d false positive, "
	       "%d routine, %d specific, %d not screened yet), %d high "
	       "impact, %d caused by a staff member\n",
	       year, total, flagged, fp, routine, specific, unscreened, high,
	       staff);
	json_decref(out);
	return 0;
}

int
cmd_incident(struct cli *c)
{
	struct sf_error err = {0};
	const char *sub;
	int64_t id = 0;
	enum sf_status r;

	if (cli_help(c, usage))
		return 0;
	if (c->argc < 1)
		return cli_usage(c, usage, "say what to do");
	sub = c->argv[0];
	if (strcmp(sub, "ingest") == 0)
		return ingest(c);
	if (strcmp(sub, "stats") == 0)
		return stats(c);
	if (strcmp(sub, "create") == 0 || strcmp(sub, "start") == 0) {
		const char *body_arg = cli_opt(c, "--body");
		json_t *body = NULL, *v = NULL;
		int created = 0;

		if (cli_no_unknown_options(c, usage))
			return 2;
		r = cli_read_body(body_arg, &body, &err);
		if (!r && !body)
			r = sf_fail(&err, SF_INVALID, "body",
				    "give the incident as --body JSON");
		if (!r)
			r = cli_open(c, &err);
		if (!r)
			r = incident_intake(&c->eng, &c->who, body, NULL, 0, &id,
					    &created, &err);
		json_decref(body);
		if (!r)
			r = engine_view(&c->eng, NULL, "incidents", id, &v, &err);
		if (r)
			return cli_fail(c, &err);
		cli_print_json(v);
		return 0;
	}
	if (strcmp(sub, "report") == 0) {
		const char *fmt = cli_opt(c, "--format");
		const char *path = cli_opt(c, "-o");
		char *data = NULL;
		size_t len = 0;
		const char *ctype;

		if (cli_no_unknown_options(c, usage))
			return 2;
		if (c->argc < 2 || cli_parse_id(c->argv[1], &id))
			return cli_usage(c, usage, "give the incident id");
		r = cli_open(c, &err);
		if (!r)
			r = incident_report(&c->eng, &c->who, id, fmt, &data, &len,
					    &ctype, &err);
		if (r)
			return cli_fail(c, &err);
		r = cli_write_out(path, data, len, &err);
		free(data);
		return r ? cli_fail(c, &err) : 0;
	}
	return cmd_object(c, "incident.handle");
}

/* One system of `secflow system list`. */
static void
system_line(json_t *x)
{
	printf("%-30s %s\n", json_string_value(json_object_get(x, "name")),
	       json_string_value(json_object_get(x, "classification")));
}

int
cmd_system(struct cli *c)
{
	static const char su[] =
		"secflow system set NAME --classification critical|strategic|"
		"other\nsecflow system list [--json]";
	struct sf_error err = {0};
	json_t *out = NULL;
	enum sf_status r;
	const char *cls = cli_opt(c, "--classification");

	if (cli_need_command(c, su))
		return 2;
	if (strcmp(c->argv[0], "set") == 0) {
		if (c->argc != 2 || !cls)
			return cli_usage(c, su,
					 "give NAME and --classification");
		r = cli_open(c, &err);
		if (!r)
			r = system_set(c->st, &c->who, c->argv[1], cls, &err);
		if (r)
			return cli_fail(c, &err);
		return 0;
	}
	if (strcmp(c->argv[0], "list") != 0)
		return cli_usage(c, su, "unknown command %s", c->argv[0]);
	r = cli_open(c, &err);
	if (!r)
		r = system_list(c->st, &out, &err);
	if (r)
		return cli_fail(c, &err);
	return cli_print_rows(c, out, system_line);
}

int
cmd_routine(struct cli *c)
{
	static const char ru[] = "secflow routine list [--json] | add NAME | "
				 "remove NAME";
	struct sf_error err = {0};
	json_t *out = NULL;
	enum sf_status r;

	if (cli_need_command(c, ru))
		return 2;
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	if (strcmp(c->argv[0], "add") == 0 || strcmp(c->argv[0], "remove") == 0) {
		if (c->argc != 2)
			return cli_usage(c, ru, "give one type name");
		r = strcmp(c->argv[0], "add") == 0
			    ? routine_type_add(c->st, &c->who, c->argv[1], &err)
			    : routine_type_remove(c->st, &c->who, c->argv[1],
						  &err);
		return r ? cli_fail(c, &err) : 0;
	}
	if (strcmp(c->argv[0], "list") != 0)
		return cli_usage(c, ru, "unknown command %s", c->argv[0]);
	r = routine_types(c->st, &out, &err);
	if (r)
		return cli_fail(c, &err);
	return cli_print_rows(c, out, cli_line_string);
}
