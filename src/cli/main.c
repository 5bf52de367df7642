/*
 * main.c - `secflow`: global options, then one verb dispatched from the
 * table below (one file per verb: cmd_VERB.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "engine/registry.h"

struct verb {
	const char *name;
	int (*fn)(struct cli *c);
	const char *summary;
	const char *help;
};

static const struct verb verbs[] = {
	{"migrate", cmd_migrate, "create or upgrade the database",
	 "secflow migrate\n"
	 "  Apply every pending numbered migration (also done on start) and\n"
	 "  load the default holiday calendar into an empty database.\n"},
	{"user", cmd_user, "users, roles and delegations",
	 "secflow user add NAME [--email E] [--password-stdin]\n"
	 "secflow user passwd NAME            (new password on stdin)\n"
	 "secflow user grant NAME ROLE [--scope S]\n"
	 "secflow user revoke NAME ROLE [--scope S]\n"
	 "secflow user delegate NAME ROLE --to OTHER --until YYYY-MM-DD "
	 "[--scope S]\n"
	 "secflow user list [--json]\n"
	 "secflow user show NAME [--json]\n"
	 "secflow user roles [--json]        (the roles and what scopes them)\n"
	 "secflow user token NAME [--json]   (a new API bearer token)\n"},
	{"serve", cmd_serve, "run the HTTP server (JSON API and web UI)",
	 "secflow serve [--listen ADDR:PORT] [--threads N] [--node-name N]\n"
	 "              [--tick-interval SECONDS] [--max-body BYTES]\n"
	 "  Default 127.0.0.1:8080.  Runs due jobs every tick interval\n"
	 "  (default 30 s; 0 turns the timer off).  Stops on SIGTERM.\n"},
	{"tick", cmd_tick, "run every job that is due now",
	 "secflow tick [--node-name N] [--json]\n"
	 "  SLA checks, reminders, wait steps, then outbox delivery, all due\n"
	 "  at \"now\" (SECFLOW_NOW when set).  A job runs once however often\n"
	 "  tick runs, from however many nodes; --node-name (default \"cli\")\n"
	 "  names the lease owner of the jobs this run takes.\n"},
	{"audit", cmd_audit, "verify or list the audit trail",
	 "secflow audit verify [--json]\n"
	 "  Exit 0 when the hash chain holds; 1 and the first broken record.\n"
	 "secflow audit list [--object OBJECT] [--json]\n"},
	{"backup", cmd_backup, "copy the database while it is in use",
	 "secflow backup FILE\n"},
	{"calendar", cmd_calendar, "holidays and working days",
	 "secflow calendar import FILE.ics\n"
	 "secflow calendar list [--json]\n"
	 "secflow calendar add-working-days DATE N   (the due date of an SLA)\n"},
	{"process", cmd_process, "process definitions",
	 "secflow process list [--json]\n"
	 "secflow process show NAME [--dot] [--json]\n"
	 "secflow process check [DIR]       (validate the definitions)\n"},
	{"outbox", cmd_outbox, "queued and sent messages",
	 "secflow outbox list [--json] [--state queued|sent|failed]\n"
	 "secflow outbox deliver [--json]\n"},
	{"convention", cmd_convention, "security conventions (seed 000)",
	 "secflow convention create --dg DG --company NAME --hosting "
	 "digit_dc|dg\n"
	 "                          --expires YYYY-MM-DD [--contract REF]\n"
	 "secflow convention list | show ID [--json]\n"
	 "secflow convention step ID STEP [--body JSON|@FILE|-]\n"
	 "  Perform a step; an open amendment's steps go through the\n"
	 "  convention too.  Part 1: {\"document_b64\", \"filename\"}.\n"
	 "secflow convention amend ID --kind dg|ishs\n"
	 "secflow convention progress ID [--json]   (the progress report)\n"
	 "secflow convention call ID --token SERIAL... --problem TEXT\n"
	 "  The text of a connectivity incident call for the help desk.\n"
	 "secflow convention part1 ID [--version N] -o FILE|-\n"
	 "  Decrypt Part 1 (DS and the company only; audited).\n"},
	{"company", cmd_company, "external companies",
	 "secflow company add NAME      (ds or admin)\n"
	 "secflow company list [--json]\n"},
	{"incident", cmd_incident, "security incidents (seed 002 SEC.4)",
	 "secflow incident ingest FILE.eml... [--json]\n"
	 "  Register each e-mail as an incident (or modify the one of its\n"
	 "  reference), scanned for the security keywords; --json prints\n"
	 "  each with flagged and matches.\n"
	 "secflow incident create --body JSON   (reference, title, ...)\n"
	 "secflow incident list | show ID [--json]\n"
	 "secflow incident step ID STEP [--body JSON|@FILE|-]\n"
	 "secflow incident report ID [--format md|html|pdf] [-o FILE]\n"
	 "secflow incident stats --year YYYY [--json]\n"
	 "  Incidents caused by a staff member, and by screening outcome.\n"},
	{"system", cmd_system, "systems and their classification",
	 "secflow system set NAME --classification critical|strategic|other\n"
	 "secflow system list [--json]\n"},
	{"routine", cmd_routine, "routine incident types",
	 "secflow routine list [--json] | add NAME | remove NAME   (admin)\n"},
	{"keywords", cmd_keywords, "the security keyword list; scan files",
	 "secflow keywords list [--json]\n"
	 "secflow keywords add WORD... [--prefix]   (admin; WORD* is a prefix)\n"
	 "secflow keywords remove WORD...\n"
	 "secflow keywords import FILE    (the list becomes FILE's entries)\n"
	 "secflow keywords scan [--list FILE] [--count] [--json] [FILE...]\n"
	 "  Print FILE:OFFSET:KEYWORD per match (byte offset of the keyword's\n"
	 "  start), or with --count the matching lines per file as grep -c\n"
	 "  does.  No FILE or \"-\": stdin, named \"(standard input)\".\n"
	 "  --list FILE scans with that list file, without a database.\n"
	 "  Case-insensitive whole words; exit 0 matched, 1 none, 2 error.\n"
	 "  List files: one entry a line, # comments, WORD* a prefix entry.\n"},
	{"userlist", cmd_userlist, "user lists: import, list, monthly counts",
	 "secflow userlist import --resource NAME [--review ID] "
	 "[--month YYYY-MM]\n"
	 "                        [--skip-bad-rows] [--sheet S] [--json] "
	 "FILE...\n"
	 "  Import each FILE (CSV or XLSX) as a list of NAME (webportal, ccn,\n"
	 "  circa, collab, vpn, joiners_leavers, smt, business_apps,\n"
	 "  mailboxes, authorised).  Each file is its own transaction: a file\n"
	 "  with an error changes nothing and the other files are still\n"
	 "  imported; the exit status is then 1.  A bad row fails its file\n"
	 "  unless --skip-bad-rows, which imports the others and prints the\n"
	 "  skipped ones.  Without --review the list describes the end of\n"
	 "  --month, by default the month before now.\n"
	 "secflow userlist list [--month YYYY-MM] [--resource NAME] [--json]\n"
	 "secflow userlist monthly [--month YYYY-MM] [--json] [-o DIR]\n"
	 "  The SEC.6.6 counts of the month (default: the month before now)\n"
	 "  from the latest list of each kind, with 3-month averages once\n"
	 "  the month and the two before have every list; -o DIR writes\n"
	 "  DIR/\"<yyyy-mm> User List.xlsx\".\n"
	 "secflow userlist staff-domains [DOMAIN,DOMAIN...]\n"
	 "  Show or set (admin) the e-mail domains of ITSM staff in the SMT\n"
	 "  list (they apply to lists imported afterwards).\n"
	 "secflow userlist read FILE [--sheet S] [--json]\n"
	 "  Print the cells of a CSV or XLSX file as the importer reads them.\n"
	 "secflow userlist reconcile --authorised FILE [--skip-bad-rows]\n"
	 "                           [--one-thread] [--json] WEBPORTAL-FILE\n"
	 "  Without a database: per NA, the enabled Webportal users, their\n"
	 "  distinct UIDs and those not in the authorised list (UID column).\n"
	 "  Rows are checked as by import (SEC.5.1 columns); a bad row fails\n"
	 "  the run unless --skip-bad-rows.\n"},
	{"na", cmd_na, "organisation to NA table (Webportal users)",
	 "secflow na map ORGANISATION CODE   (admin)\n"
	 "secflow na unmap ORGANISATION      (admin)\n"
	 "secflow na list [--json]\n"},
	{"review", cmd_review, "user access reviews (seed 002 SEC.5)",
	 "secflow review start QUARTER [--json]   (prints the campaign's id)\n"
	 "secflow review import ID --resource NAME [--scope GATEWAY]\n"
	 "                      [--skip-bad-rows] FILE...\n"
	 "  A list for the campaign (webportal, ccn - one file per gateway,\n"
	 "  named after it unless --scope -, circa, collab, authorised...).\n"
	 "secflow review reconcile ID [--json]\n"
	 "  Disabled users, duplicates, NAs, staff absent from the\n"
	 "  authorised list, CCN gateways.\n"
	 "secflow review workbooks ID --dir DIR\n"
	 "secflow review send ID [--json]\n"
	 "  Workbooks and e-mails to the NPMs, LSAs and IGLs; reminders\n"
	 "  14 and 28 days later run with secflow tick.\n"
	 "secflow review answer ID --na CODE FILE.xlsx [--json]\n"
	 "secflow review answer ID --gateway GW FILE.xlsx [--json]\n"
	 "secflow review answer ID --igl ADDRESS\n"
	 "  Import an answer and run the quality check (setting\n"
	 "  review_max_prod_writers, default 3).\n"
	 "secflow review result ID [--format md|xlsx] [-o FILE]\n"
	 "secflow review list | show ID [--json] | step ID STEP [--body JSON]\n"},
	{"demo", cmd_demo, "load demo users and objects",
	 "secflow demo [--password-stdin]\n"
	 "  Adds the demo users (password \"secflow-demo\" unless given) with\n"
	 "  their roles, and sample objects in several phases.  Idempotent.\n"},
};

static void
usage_all(FILE *f, const struct registry *reg)
{
	fprintf(f, "usage: secflow [--db PATH|URL] [--json] [--as USER] "
		   "[--processes DIR] VERB ...\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "  help       this text; secflow VERB --help for a verb\n");
	if (reg) {
		fprintf(f, "\nobjects (one per process: start, list, show, "
			   "step):\n");
		for (size_t i = 0; i < registry_count(reg); i++) {
			const struct procdef *d = registry_at(reg, i);
			fprintf(f, "  %-10s %s\n", d->object, d->name);
		}
	}
	fprintf(f,
		"\nglobal options:\n"
		"  --db PATH|URL   database (default ./secflow.db; $SECFLOW_DB)\n"
		"  --json          print data as JSON\n"
		"  --as USER       act as USER, with USER's roles; without it\n"
		"                  the CLI acts as the local operator\n"
		"  --processes DIR process definitions (default: built in)\n"
		"  --spool DIR     where .eml files go (default ./spool)\n"
		"environment: SECFLOW_NOW fixes \"now\" (tests); "
		"SECFLOW_SMTP_URL sends mail by SMTP.\n");
}

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

int
main(int argc, char **argv)
{
	struct cli c = {0};
	const char *verb;
	char **args = xcalloc((size_t)argc + 1, sizeof(char *));
	int rc;

	for (int i = 1; i < argc; i++)
		args[i - 1] = argv[i];
	c.argc = argc - 1;
	c.argv = args;
	c.verb = "";
	/* Global options may stand anywhere; the first positional word is
	 * the verb. */
	c.db = cli_opt(&c, "--db");
	c.as = cli_opt(&c, "--as");
	c.processes = cli_opt(&c, "--processes");
	c.spool = cli_opt(&c, "--spool");
	c.json = cli_flag(&c, "--json");
	if (!c.db)
		c.db = env_or("SECFLOW_DB", "secflow.db");
	if (!c.as)
		c.as = env_or("SECFLOW_USER", NULL);
	if (!c.processes)
		c.processes = env_or("SECFLOW_PROCESSES", NULL);
	if (!c.spool)
		c.spool = env_or("SECFLOW_SPOOL", "spool");
	c.smtp_url = env_or("SECFLOW_SMTP_URL", NULL);

	if (c.argc == 0 || strcmp(c.argv[0], "help") == 0 ||
	    strcmp(c.argv[0], "--help") == 0 || strcmp(c.argv[0], "-h") == 0) {
		if (c.argc > 1) {
			for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]);
			     i++)
				if (strcmp(verbs[i].name, c.argv[1]) == 0) {
					fputs(verbs[i].help, stdout);
					free(args);
					return 0;
				}
		}
		{
			struct registry *reg = NULL;
			struct sf_error err;
			registry_load(c.processes, &reg, &err);
			usage_all(c.argc == 0 ? stderr : stdout, reg);
			registry_free(reg);
		}
		free(args);
		return c.argc == 0 ? 2 : 0;
	}
	verb = c.argv[0];
	c.verb = verb;
	c.argc--;
	c.argv++;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].name, verb) != 0)
			continue;
		if (cli_flag(&c, "--help") || cli_flag(&c, "-h")) {
			fputs(verbs[i].help, stdout);
			free(args);
			return 0;
		}
		rc = verbs[i].fn(&c);
		cli_close(&c);
		free(args);
		return rc;
	}
	/* Not a fixed verb: an object of some process ("sample", "samples"). */
	{
		struct registry *reg = NULL;
		struct sf_error err = {0};
		const struct procdef *def = NULL;
		char *plural = xasprintf("%ss", verb);

		if (registry_load(c.processes, &reg, &err) == SF_OK) {
			def = registry_by_object(reg, verb);
			if (!def)
				def = registry_by_object(reg, plural);
		}
		free(plural);
		if (def) {
			char *name = xstrdup(def->name);
			registry_free(reg);
			/* cmd_object finds it again in cli_open's registry */
			rc = cmd_object(&c, name);
			free(name);
			cli_close(&c);
			free(args);
			return rc;
		}
		if (!reg && err.message[0]) {
			fprintf(stderr, "secflow: %s\n", err.message);
			free(args);
			return 1;
		}
		registry_free(reg);
	}
	fprintf(stderr, "secflow: unknown verb \"%s\" (secflow help lists "
			"them)\n",
		verb);
	free(args);
	return 2;
}
