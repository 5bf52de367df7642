/*
 * cli.h - what every CLI verb shares: global options, opening the
 * database, arguments, printing and errors.
 *
 * Errors go to stderr as one line "secflow VERB: what (where)"; exit codes
 * are 0 ok, 1 failure, 2 usage error (sf_status_exit).
 */
#ifndef SF_CLI_H
#define SF_CLI_H

#include <jansson.h>

#include "auth/actor.h"
#include "engine/engine.h"
#include "engine/registry.h"
#include "store/store.h"

struct cli {
	const char *verb;    /* for messages */
	const char *db;	     /* --db, $SECFLOW_DB, "./secflow.db" */
	const char *as;	     /* --as USER, $SECFLOW_USER: act as that user */
	const char *processes; /* --processes DIR, $SECFLOW_PROCESSES */
	const char *spool;   /* --spool DIR, $SECFLOW_SPOOL, "spool" */
	const char *smtp_url; /* $SECFLOW_SMTP_URL */
	int json;	     /* --json */
	/* Positional arguments left after options were taken out. */
	int argc;
	char **argv;
	/* Opened by cli_open: */
	struct store *st;
	struct registry *reg;
	struct engine eng;
	struct actor who;
	int opened;
};

/* Take option NAME (and its value) out of the arguments.  Returns the
 * value, or NULL when absent; "--name=value" also works. */
const char *cli_opt(struct cli *c, const char *name);
/* Take flag NAME out of the arguments; 1 when it was there. */
int cli_flag(struct cli *c, const char *name);
/* Take --help out of the arguments; when it was there, print
 * "usage: USAGE" on stdout and return 1 (the verb then exits 0). */
int cli_help(struct cli *c, const char *usage);
/* After options are taken: any argument left that starts with "--" is a
 * usage error.  Returns 0 or prints and returns -1. */
int cli_no_unknown_options(struct cli *c, const char *usage);
/* The start of a verb with commands (`secflow VERB COMMAND ...`), after
 * its options are taken: an unknown option or no command is a usage
 * error.  Returns 0, or prints and returns 2. */
int cli_need_command(struct cli *c, const char *usage);

/* Open the store (migrating it), the process registry and the engine, and
 * load the acting user (--as) or the operator. */
enum sf_status cli_open(struct cli *c, struct sf_error *err);
void cli_close(struct cli *c);

/* Print ERR as one line on stderr; return the exit code. */
int cli_fail(struct cli *c, const struct sf_error *err);
/* A usage error: one line and the verb's usage; returns 2. */
int cli_usage(struct cli *c, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print JSON (pretty) to stdout and drop the reference. */
void cli_print_json(json_t *j);
/* The tail of a "list" command: with --json print ROWS (an array) as
 * JSON, else one line per row through LINE.  Takes ROWS (releases it);
 * returns 0, the exit code. */
int cli_print_rows(struct cli *c, json_t *rows, void (*line)(json_t *row));
/* A LINE for cli_print_rows whose rows are strings: the string. */
void cli_line_string(json_t *row);
/* Read a JSON body given as TEXT, "@FILE" or "-" (stdin). */
enum sf_status cli_read_body(const char *arg, json_t **out,
			     struct sf_error *err);
/* Whole file (or stdin for "-") into memory, at most MAX bytes. */
enum sf_status cli_read_file(const char *path, size_t max, char **data,
			     size_t *len, struct sf_error *err);

/* Write DATA to PATH (NULL or "-": standard output), checking every
 * write and the close. */
enum sf_status cli_write_out(const char *path, const void *data, size_t len,
			     struct sf_error *err);
/* A positive decimal id (an object's); -1 when S is not one. */
int cli_parse_id(const char *s, int64_t *id);

/* The verbs: one file each. */
int cmd_migrate(struct cli *c);
int cmd_user(struct cli *c);
int cmd_serve(struct cli *c);
int cmd_tick(struct cli *c);
int cmd_audit(struct cli *c);
int cmd_backup(struct cli *c);
int cmd_calendar(struct cli *c);
int cmd_process(struct cli *c);
int cmd_outbox(struct cli *c);
int cmd_demo(struct cli *c);
int cmd_convention(struct cli *c);
int cmd_company(struct cli *c);
int cmd_incident(struct cli *c);
int cmd_system(struct cli *c);
int cmd_routine(struct cli *c);
int cmd_keywords(struct cli *c);
int cmd_userlist(struct cli *c);
int cmd_na(struct cli *c);
int cmd_review(struct cli *c);
/* Generic verbs over any process's objects: start, list, show, step. */
int cmd_object(struct cli *c, const char *process);

#endif
