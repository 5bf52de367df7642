/* cli.c - shared CLI plumbing: options, opening, output, errors. */
#include "cli.h"

#include <pwd.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/parse.h"
#include "core/buf.h"
#include "engine/setup.h"
#include "engine/summary.h"
#include "modules/modules.h"

static void
drop_args(struct cli *c, int i, int n)
{
	memmove(&c->argv[i], &c->argv[i + n],
		(size_t)(c->argc - i - n + 1) * sizeof(char *));
	c->argc -= n;
}

const char *
cli_opt(struct cli *c, const char *name)
{
	size_t nl = strlen(name);

	for (int i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (strcmp(a, "--") == 0)
			return NULL;
		if (strcmp(a, name) == 0 && i + 1 < c->argc) {
			const char *v = c->argv[i + 1];
			drop_args(c, i, 2);
			return v;
		}
		if (strncmp(a, name, nl) == 0 && a[nl] == '=') {
			drop_args(c, i, 1);
			return a + nl + 1;
		}
	}
	return NULL;
}

int
cli_flag(struct cli *c, const char *name)
{
	for (int i = 0; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--") == 0)
			return 0;
		if (strcmp(c->argv[i], name) == 0) {
			drop_args(c, i, 1);
			return 1;
		}
	}
	return 0;
}

int
cli_help(struct cli *c, const char *usage)
{
	if (!cli_flag(c, "--help"))
		return 0;
	printf("usage: %s\n", usage);
	return 1;
}

int
cli_no_unknown_options(struct cli *c, const char *usage)
{
	for (int i = 0; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--") == 0) {
			drop_args(c, i, 1);
			return 0;
		}
		if (strncmp(c->argv[i], "--", 2) == 0) {
			cli_usage(c, usage, "unknown option %s", c->argv[i]);
			return -1;
		}
	}
	return 0;
}

int
cli_need_command(struct cli *c, const char *usage)
{
	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc < 1)
		return cli_usage(c, usage, "say what to do");
	return 0;
}

static const char *
os_user(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

enum sf_status
cli_open(struct cli *c, struct sf_error *err)
{
	enum sf_status r;

	r = clock_check(err);
	if (r)
		return r;
	r = store_open(c->db, &c->st, err);
	if (r)
		return r;
	r = setup_database(c->st, NULL, err);
	if (r)
		goto fail;
	r = registry_load(c->processes, &c->reg, err);
	if (r)
		goto fail;
	r = summary_refresh(c->st, c->reg, err);
	if (r)
		goto fail;
	r = engine_init(&c->eng, c->st, c->reg, err);
	if (r)
		goto fail;
	c->eng.mail.spool_dir = c->spool;
	c->eng.mail.smtp_url = c->smtp_url;
	c->eng.mail.mail_from = getenv("SECFLOW_MAIL_FROM");
	c->eng.node = c->eng.mail.node = "cli";
	c->eng.hooks = modules_hooks();
	if (c->as) {
		r = actor_load(c->st, c->as, 0, date_of(clock_now()), &c->who,
			       err);
		if (r)
			goto fail;
	} else {
		actor_operator(&c->who, os_user());
	}
	c->opened = 1;
	return SF_OK;
fail:
	registry_free(c->reg);
	c->reg = NULL;
	store_close(c->st);
	c->st = NULL;
	return r;
}

void
cli_close(struct cli *c)
{
	if (!c->opened)
		return;
	actor_release(&c->who);
	engine_release(&c->eng);
	registry_free(c->reg);
	store_close(c->st);
	c->opened = 0;
}

int
cli_fail(struct cli *c, const struct sf_error *err)
{
	if (err->field[0])
		fprintf(stderr, "secflow %s: %s (field %s)\n", c->verb,
			err->message, err->field);
	else
		fprintf(stderr, "secflow %s: %s\n", c->verb, err->message);
	return sf_status_exit(err->status);
}

int
cli_usage(struct cli *c, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "secflow %s: ", c->verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	return 2;
}

void
cli_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_ENCODE_ANY);

	if (s) {
		puts(s);
		free(s);
	}
	json_decref(j);
}

int
cli_print_rows(struct cli *c, json_t *rows, void (*line)(json_t *row))
{
	json_t *x;
	size_t i;

	if (c->json) {
		cli_print_json(rows);
		return 0;
	}
	json_array_foreach(rows, i, x)
		line(x);
	json_decref(rows);
	return 0;
}

void
cli_line_string(json_t *row)
{
	printf("%s\n", json_string_value(row));
}

enum sf_status
cli_read_file(const char *path, size_t max, char **data, size_t *len,
	      struct sf_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (!f)
		return sf_fail(err, SF_IO, "file", "cannot open %s: %m", path);
	buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(&b, chunk, n)) {
			if (f != stdin)
				fclose(f);
			buf_release(&b);
			return sf_fail(err, SF_TOO_LARGE, "file",
				       "%s is larger than %zu bytes", path,
				       max);
		}
	}
	if (ferror(f)) {
		if (f != stdin)
			fclose(f);
		buf_release(&b);
		return sf_fail(err, SF_IO, "file", "cannot read %s: %m", path);
	}
	if (f != stdin)
		fclose(f);
	*data = buf_detach(&b, len);
	buf_release(&b);
	return SF_OK;
}

enum sf_status
cli_read_body(const char *arg, json_t **out, struct sf_error *err)
{
	json_error_t je;
	char *text = NULL;
	size_t len;
	enum sf_status r;

	if (!arg) {
		*out = json_object();
		return SF_OK;
	}
	if (arg[0] == '@' || strcmp(arg, "-") == 0) {
		r = cli_read_file(arg[0] == '@' ? arg + 1 : "-", 16 << 20,
				  &text, &len, err);
		if (r)
			return r;
		*out = json_loadb(text, len, 0, &je);
		free(text);
	} else {
		*out = json_loads(arg, 0, &je);
	}
	if (!*out)
		return sf_fail(err, SF_BAD_REQUEST, "body",
			       "the body is not JSON: %s at line %d column %d",
			       je.text, je.line, je.column);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return sf_fail(err, SF_BAD_REQUEST, "body",
			       "the body must be a JSON object");
	}
	return SF_OK;
}

int
cli_parse_id(const char *s, int64_t *id)
{
	return sf_parse_id(s, id);
}

enum sf_status
cli_write_out(const char *path, const void *data, size_t len,
	      struct sf_error *err)
{
	int to_stdout = !path || strcmp(path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(path, "wb");
	int bad;

	if (!f)
		return sf_fail(err, SF_IO, "-o", "cannot create %s: %s", path,
			       strerror(errno));
	bad = fwrite(data, 1, len, f) != len;
	bad |= to_stdout ? fflush(f) != 0 : fclose(f) != 0;
	if (bad)
		return sf_fail(err, SF_IO, "-o", "cannot write %s: %s",
			       to_stdout ? "standard output" : path,
			       strerror(errno));
	return SF_OK;
}
