/*
 * cmd_userlist.c - `secflow userlist import|list|monthly|staff-domains|
 * read`: user lists of seed 002 SEC.5 and SEC.6 (SPEC 3.3, 3.4, 4.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "engine/audit.h"
#include "modules/userlists/monthly.h"
#include "modules/userlists/tabular.h"
#include "modules/userlists/ulimport.h"
#include "modules/userlists/ulrecon.h"

static const char usage[] =
	"secflow userlist import --resource NAME [--review ID] [--month "
	"YYYY-MM]\n"
	"                        [--skip-bad-rows] [--sheet S] [--json] "
	"FILE...\n"
	"secflow userlist list [--month YYYY-MM] [--resource NAME] [--json]\n"
	"secflow userlist monthly [--month YYYY-MM] [--json] [-o DIR]\n"
	"secflow userlist staff-domains [DOMAIN,DOMAIN...]\n"
	"secflow userlist read FILE [--sheet S] [--json]\n"
	"secflow userlist reconcile --authorised FILE [--skip-bad-rows] "
	"[--one-thread]\n"
	"                           [--json] WEBPORTAL-FILE";

/* Files of one import run: one user list each. */
#define MAX_FILE ((size_t)1 << 30)

/* Importing and counting belong to the Security Manager (SEC.6.5) and
 * admins; the local operator may do everything. */
static int
may_manage(const struct actor *who)
{
	return who->operator || actor_is_admin(who) ||
	       actor_has_role(who, "security_manager");
}

static void
print_skipped(const char *file, json_t *report)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(report, "skipped"), i, x)
		printf("%s: skipped: %s\n", file,
		       json_string_value(json_object_get(x, "message")));
}

static int
do_import(struct cli *c)
{
	const char *resource = cli_opt(c, "--resource");
	const char *review = cli_opt(c, "--review");
	const char *month = cli_opt(c, "--month");
	const char *sheet = cli_opt(c, "--sheet");
	int skip = cli_flag(c, "--skip-bad-rows");
	struct ulimport_opts o = {0};
	struct sf_error err = {0};
	char dflt[8];
	json_t *results = json_array();
	int failed = 0;

	if (cli_no_unknown_options(c, usage))
		goto usage_out;
	if (!resource) {
		cli_usage(c, usage, "give --resource NAME");
		goto usage_out;
	}
	if (c->argc < 2) {
		cli_usage(c, usage, "give at least one FILE");
		goto usage_out;
	}
	if (month && monthly_month_ok(month)) {
		cli_usage(c, usage, "--month \"%s\" is not YYYY-MM", month);
		goto usage_out;
	}
	if (review) {
		char *end;
		long long id = strtoll(review, &end, 10);
		if (*review == '\0' || *end || id <= 0) {
			cli_usage(c, usage, "--review \"%s\" is not an id",
				  review);
			goto usage_out;
		}
		o.review_id = id;
	} else if (!month) {
		/* A monthly list describes the end of the month before now
		 * (SPEC 4.2). */
		monthly_previous_month(clock_now(), dflt);
		month = dflt;
	}
	if (cli_open(c, &err)) {
		json_decref(results);
		return cli_fail(c, &err);
	}
	if (!may_manage(&c->who)) {
		json_decref(results);
		sf_fail(&err, SF_FORBIDDEN, NULL,
			"importing user lists is for a security manager or an "
			"admin");
		return cli_fail(c, &err);
	}
	o.resource = resource;
	o.month = month;
	o.sheet = sheet;
	o.skip_bad_rows = skip;
	for (int i = 1; i < c->argc; i++) {
		const char *file = c->argv[i];
		char *data = NULL;
		size_t len = 0;
		int64_t id = 0;
		json_t *report = NULL;
		enum sf_status r;

		sf_error_clear(&err);
		r = cli_read_file(file, MAX_FILE, &data, &len, &err);
		if (!r)
			r = ulimport_file(c->st, &c->who, &o, file, data, len,
					  &id, &report, &err);
		free(data);
		if (r) {
			failed = 1;
			cli_fail(c, &err);
			json_array_append_new(
				results,
				json_pack("{s:s, s:{s:s, s:s, s:s}}", "file",
					  file, "error", "code",
					  sf_status_code(r), "message",
					  err.message, "field", err.field));
			continue;
		}
		if (month)
			json_object_set_new(report, "month",
					    json_string(month));
		if (!c->json) {
			printf("%s: import %lld, %lld rows (%s%s%s)\n", file,
			       (long long)id,
			       (long long)json_integer_value(
				       json_object_get(report, "rows")),
			       resource, month ? ", month " : "",
			       month ? month : "");
			print_skipped(file, report);
		}
		json_array_append_new(results, report);
	}
	if (c->json)
		cli_print_json(results);
	else
		json_decref(results);
	return failed ? 1 : 0;
usage_out:
	json_decref(results);
	return 2;
}

/* One import of `secflow userlist list`: id, resource, month, review,
 * rows, file. */
static void
import_line(json_t *x)
{
	const char *m = json_string_value(json_object_get(x, "month"));
	long long rv = json_integer_value(json_object_get(x, "review_id"));
	char revs[32] = "-";

	if (rv)
		snprintf(revs, sizeof(revs), "review %lld", rv);
	printf("%-6lld %-16s %-8s %-12s %7lld  %s\n",
	       (long long)json_integer_value(json_object_get(x, "id")),
	       json_string_value(json_object_get(x, "resource")), m ? m : "-",
	       revs,
	       (long long)json_integer_value(json_object_get(x, "nrows")),
	       json_string_value(json_object_get(x, "filename")));
}

static int
do_list(struct cli *c)
{
	const char *month = cli_opt(c, "--month");
	const char *resource = cli_opt(c, "--resource");
	struct sf_error err = {0};
	json_t *out = NULL;
	enum ul_resource res;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc != 1)
		return cli_usage(c, usage, "list takes no FILE");
	if (month && monthly_month_ok(month))
		return cli_usage(c, usage, "--month \"%s\" is not YYYY-MM",
				 month);
	if (resource && columns_resource(resource, &res) < 0)
		return cli_usage(c, usage, "unknown resource \"%s\"", resource);
	if (cli_open(c, &err) ||
	    c->st->ops->ulist_imports(c->st, resource, month, 0, &out, &err))
		return cli_fail(c, &err);
	return cli_print_rows(c, out, import_line);
}

static void
print_figure(const char *key, json_t *v, json_t *a)
{
	char vs[32] = "-", as[32] = "-";

	if (json_is_integer(v))
		snprintf(vs, sizeof(vs), "%lld",
			 (long long)json_integer_value(v));
	if (json_is_integer(a))
		snprintf(as, sizeof(as), "%lld",
			 (long long)json_integer_value(a));
	printf("%-34s %10s %10s\n", key, vs, as);
}

static int
do_monthly(struct cli *c)
{
	const char *month = cli_opt(c, "--month");
	const char *dir = cli_opt(c, "-o");
	struct sf_error err = {0};
	json_t *rep = NULL, *avg, *x;
	char dflt[8], *path = NULL;
	size_t i;

	if (!dir)
		dir = cli_opt(c, "--output");
	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc != 1)
		return cli_usage(c, usage, "monthly takes no FILE");
	if (month && monthly_month_ok(month))
		return cli_usage(c, usage, "--month \"%s\" is not YYYY-MM",
				 month);
	if (cli_open(c, &err))
		return cli_fail(c, &err);
	if (!may_manage(&c->who) && !actor_has_role(&c->who, "liso")) {
		sf_fail(&err, SF_FORBIDDEN, NULL,
			"the monthly counts are for a security manager, the "
			"LISO or an admin");
		return cli_fail(c, &err);
	}
	if (!month) {
		monthly_previous_month(clock_now(), dflt);
		month = dflt;
	}
	if (monthly_report(c->st, month, &rep, &err))
		return cli_fail(c, &err);
	if (dir && monthly_workbook(c->st, rep, dir, &path, &err)) {
		json_decref(rep);
		return cli_fail(c, &err);
	}
	if (path)
		json_object_set_new(rep, "file", json_string(path));
	if (c->json) {
		free(path);
		cli_print_json(rep);
		return 0;
	}
	printf("user lists of %s\n%-34s %10s %10s\n", month, "figure", "count",
	       "3-month avg");
	avg = json_object_get(rep, "averages");
	for (size_t k = 0; k < MONTHLY_NKEYS; k++)
		print_figure(monthly_key(k),
			     json_object_get(json_object_get(rep, "counts"),
					     monthly_key(k)),
			     json_object_get(avg, monthly_key(k)));
	json_array_foreach(json_object_get(rep, "missing"), i, x)
		printf("missing list: %s\n", json_string_value(x));
	if (!json_is_object(avg))
		printf("no averages: the month and the two before need every "
		       "list\n");
	if (path)
		printf("wrote %s\n", path);
	free(path);
	json_decref(rep);
	return 0;
}

/* Show or set the SMT staff e-mail domains (setting smt_staff_domains);
 * setting is for admins and audited. */
static int
do_staff_domains(struct cli *c)
{
	struct sf_error err = {0};
	char *v = NULL;
	json_t *before, *after;
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc > 2)
		return cli_usage(c, usage,
				 "give the domains as one comma-separated "
				 "argument");
	if (cli_open(c, &err))
		return cli_fail(c, &err);
	if (c->st->ops->setting_get(c->st, "smt_staff_domains", &v, &err) &&
	    err.status != SF_NOT_FOUND)
		return cli_fail(c, &err);
	if (c->argc == 1) {
		if (c->json)
			cli_print_json(json_pack("{s:s}", "smt_staff_domains",
						 v ? v : ""));
		else
			printf("%s\n", v ? v : "");
		free(v);
		return 0;
	}
	if (!actor_is_admin(&c->who)) {
		free(v);
		sf_fail(&err, SF_FORBIDDEN, NULL,
			"only an admin sets the SMT staff domains");
		return cli_fail(c, &err);
	}
	for (const char *p = c->argv[1]; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '@') {
			free(v);
			return cli_usage(c, usage,
					 "domains are names like example.org, "
					 "separated by commas");
		}
	before = json_pack("{s:s}", "smt_staff_domains", v ? v : "");
	after = json_pack("{s:s}", "smt_staff_domains", c->argv[1]);
	free(v);
	r = c->st->ops->begin(c->st, &err);
	if (!r)
		r = c->st->ops->setting_put(c->st, "smt_staff_domains",
					    c->argv[1], &err);
	if (!r)
		r = audit_append(c->st, &c->who, "admin", NULL,
				 "settings/smt_staff_domains", "setting:set",
				 before, after, clock_now(), &err);
	json_decref(before);
	json_decref(after);
	if (r) {
		c->st->ops->rollback(c->st);
		return cli_fail(c, &err);
	}
	if (c->st->ops->commit(c->st, &err))
		return cli_fail(c, &err);
	return 0;
}

/* Print a table file as the importer reads it (no database): to check a
 * list before importing it, and to read back the monthly workbook. */
static int
do_read(struct cli *c)
{
	const char *sheet = cli_opt(c, "--sheet");
	struct tabular t = {0};
	struct sf_error err = {0};
	json_t *out;
	int found = 0;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc != 2)
		return cli_usage(c, usage, "give one FILE");
	if (tabular_read_file(c->argv[1], &t, &err)) {
		tabular_release(&t);
		return cli_fail(c, &err);
	}
	out = json_object();
	for (size_t s = 0; s < t.n; s++) {
		json_t *rows = json_array();
		if (sheet && strcmp(sheet, t.sheets[s].name) != 0) {
			json_decref(rows);
			continue;
		}
		found = 1;
		for (size_t r = 0; r < t.sheets[s].nrows; r++) {
			json_t *cells = json_array();
			const struct trow *row = &t.sheets[s].rows[r];
			for (size_t k = 0; k < row->ncells; k++)
				json_array_append_new(
					cells, json_string(row->cells[k]));
			if (!c->json && row->ncells) {
				printf("%s:%zu:", t.sheets[s].name, row->line);
				for (size_t k = 0; k < row->ncells; k++)
					printf("%s%s", k ? "\t" : " ",
					       row->cells[k]);
				printf("\n");
			}
			json_array_append_new(rows, cells);
		}
		json_object_set_new(out, t.sheets[s].name, rows);
	}
	tabular_release(&t);
	if (sheet && !found) {
		json_decref(out);
		sf_fail(&err, SF_NOT_FOUND, "sheet", "%s has no sheet \"%s\"",
			c->argv[1], sheet);
		return cli_fail(c, &err);
	}
	if (c->json)
		cli_print_json(out);
	else
		json_decref(out);
	return 0;
}

/* Per NA: users, distinct UIDs, UIDs not in the authorised list (no
 * database; see ulrecon.h). */
static int
do_reconcile(struct cli *c)
{
	const char *auth = cli_opt(c, "--authorised");
	struct ulrecon_opts o = {
		.skip_bad_rows = cli_flag(c, "--skip-bad-rows"),
		.one_thread = cli_flag(c, "--one-thread"),
	};
	struct ulrecon r;
	struct sf_error err = {0};

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (!auth)
		return cli_usage(c, usage, "give --authorised FILE");
	if (c->argc != 2)
		return cli_usage(c, usage, "give one WEBPORTAL-FILE");
	if (ulrecon_files(c->argv[1], auth, &o, &r, &err)) {
		ulrecon_release(&r);
		return cli_fail(c, &err);
	}
	if (c->json) {
		cli_print_json(ulrecon_json(&r));
		ulrecon_release(&r);
		return 0;
	}
	for (size_t i = 0; i < r.nissues; i++)
		printf("skipped: %s\n", r.issues[i]);
	if (r.more_issues)
		printf("skipped: and %zu more\n", r.more_issues);
	printf("%-8s %10s %10s %14s\n", "NA", "users", "distinct",
	       "not-authorised");
	for (size_t i = 0; i < r.nnas; i++)
		printf("%-8s %10zu %10zu %14zu\n",
		       r.nas[i].na[0] ? r.nas[i].na : "-", r.nas[i].users,
		       r.nas[i].distinct, r.nas[i].not_authorised);
	printf("%-8s %10zu %10zu %14zu\n", "total", r.users, r.distinct,
	       r.not_authorised);
	printf("%zu rows, %zu disabled, %zu bad rows skipped; %zu authorised "
	       "UIDs\n",
	       r.rows, r.disabled, r.bad_rows, r.auth_uids);
	ulrecon_release(&r);
	return 0;
}

int
cmd_userlist(struct cli *c)
{
	if (c->argc < 1)
		return cli_usage(c, usage, "say what to do");
	if (strcmp(c->argv[0], "import") == 0)
		return do_import(c);
	if (strcmp(c->argv[0], "list") == 0)
		return do_list(c);
	if (strcmp(c->argv[0], "monthly") == 0)
		return do_monthly(c);
	if (strcmp(c->argv[0], "staff-domains") == 0)
		return do_staff_domains(c);
	if (strcmp(c->argv[0], "read") == 0)
		return do_read(c);
	if (strcmp(c->argv[0], "reconcile") == 0)
		return do_reconcile(c);
	return cli_usage(c, usage, "unknown command %s", c->argv[0]);
}
