/* cmd_user.c - `secflow user add|passwd|grant|revoke|delegate|list|...`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/roles.h"
#include "cli.h"
#include "core/alloc.h"
#include "modules/people.h"

static const char usage[] =
	"secflow user add NAME [--email E] [--password-stdin] | passwd NAME "
	"| grant NAME ROLE [--scope S] | revoke NAME ROLE [--scope S] | "
	"delegate NAME ROLE --to OTHER --until DATE [--scope S] | list | "
	"show NAME | roles | token NAME";

/* One line from stdin without its line end; NULL at EOF. */
static char *
read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int
done(struct cli *c, enum sf_status r, struct sf_error *err, const char *what)
{
	if (r)
		return cli_fail(c, err);
	if (c->json)
		cli_print_json(json_pack("{s:b, s:s}", "ok", 1, "done", what));
	else
		printf("%s\n", what);
	return 0;
}

/* One user of `secflow user list`: name, e-mail, roles. */
static void
user_line(json_t *x)
{
	printf("%-20s %-30s %s\n",
	       json_string_value(json_object_get(x, "name")),
	       json_string_value(json_object_get(x, "email")),
	       json_string_value(json_object_get(x, "roles")));
}

int
cmd_user(struct cli *c)
{
	struct sf_error err = {0};
	const char *email = cli_opt(c, "--email");
	const char *scope = cli_opt(c, "--scope");
	const char *to = cli_opt(c, "--to");
	const char *until = cli_opt(c, "--until");
	int pw_stdin = cli_flag(c, "--password-stdin");
	const char *sub;
	enum sf_status r;
	char msg[256];

	if (cli_need_command(c, usage))
		return 2;
	sub = c->argv[0];
	if (strcmp(sub, "roles") == 0) {
		json_t *l = json_array();
		for (size_t i = 0; i < role_count(); i++) {
			const struct role_info *ri = role_at(i);
			json_array_append_new(
				l, json_pack("{s:s, s:s?, s:s}", "role",
					     ri->name, "scope", ri->scope,
					     "title", ri->title));
			if (!c->json)
				printf("%-20s %-16s %s\n", ri->name,
				       ri->scope ? ri->scope : "-", ri->title);
		}
		if (c->json)
			cli_print_json(l);
		else
			json_decref(l);
		return 0;
	}
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	if (strcmp(sub, "add") == 0) {
		char *pw = NULL;
		if (c->argc != 2)
			return cli_usage(c, usage, "give one user name");
		if (pw_stdin && !(pw = read_password()))
			return cli_usage(c, usage, "no password on stdin");
		if (pw && *pw && strlen(pw) < PASSWORD_ADVISED_LENGTH)
			fprintf(stderr,
				"secflow user: warning: the password is "
				"shorter than %d characters\n",
				PASSWORD_ADVISED_LENGTH);
		r = people_add(c->st, &c->who, c->argv[1], email, pw, &err);
		if (pw)
			xfree_secret(pw, strlen(pw));
		snprintf(msg, sizeof(msg), "user %s added", c->argv[1]);
		return done(c, r, &err, msg);
	}
	if (strcmp(sub, "passwd") == 0) {
		char *pw;
		if (c->argc != 2)
			return cli_usage(c, usage, "give one user name");
		if (!(pw = read_password()))
			return cli_usage(c, usage, "no password on stdin");
		if (*pw && strlen(pw) < PASSWORD_ADVISED_LENGTH)
			fprintf(stderr,
				"secflow user: warning: the password is "
				"shorter than %d characters\n",
				PASSWORD_ADVISED_LENGTH);
		r = people_passwd(c->st, &c->who, c->argv[1], pw, &err);
		xfree_secret(pw, strlen(pw));
		snprintf(msg, sizeof(msg), "password of %s set", c->argv[1]);
		return done(c, r, &err, msg);
	}
	if (strcmp(sub, "grant") == 0 || strcmp(sub, "revoke") == 0) {
		int grant = sub[0] == 'g';
		if (c->argc != 3)
			return cli_usage(c, usage, "give a user and a role");
		r = (grant ? people_grant : people_revoke)(
			c->st, &c->who, c->argv[1], c->argv[2], scope, &err);
		snprintf(msg, sizeof(msg), "%s %s %s%s%s", c->argv[1],
			 grant ? "holds" : "no longer holds", c->argv[2],
			 scope ? " for " : "", scope ? scope : "");
		return done(c, r, &err, msg);
	}
	if (strcmp(sub, "delegate") == 0) {
		if (c->argc != 3 || !to || !until)
			return cli_usage(c, usage,
					 "give a user, a role, --to and "
					 "--until");
		r = people_delegate(c->st, &c->who, c->argv[1], c->argv[2],
				    scope, to, until, &err);
		snprintf(msg, sizeof(msg), "%s delegates %s%s%s to %s until %s",
			 c->argv[1], c->argv[2], scope ? " for " : "",
			 scope ? scope : "", to, until);
		return done(c, r, &err, msg);
	}
	if (strcmp(sub, "list") == 0) {
		json_t *l;
		r = c->st->ops->user_list(c->st, &l, &err);
		if (r)
			return cli_fail(c, &err);
		return cli_print_rows(c, l, user_line);
	}
	if (strcmp(sub, "show") == 0) {
		struct actor a;
		if (c->argc != 2)
			return cli_usage(c, usage, "give one user name");
		r = actor_load(c->st, c->argv[1], 0, date_of(clock_now()), &a,
			       &err);
		if (r)
			return cli_fail(c, &err);
		cli_print_json(people_actor_json(&a));
		actor_release(&a);
		return 0;
	}
	if (strcmp(sub, "token") == 0) {
		struct user u;
		char token[64], hash[65];
		sf_time now = clock_now();
		if (c->argc != 2)
			return cli_usage(c, usage, "give one user name");
		if (!actor_is_admin(&c->who)) {
			sf_fail(&err, SF_FORBIDDEN, NULL,
				"only an admin may make API tokens");
			return cli_fail(c, &err);
		}
		r = c->st->ops->user_get(c->st, c->argv[1], 0, &u, &err);
		if (r)
			return cli_fail(c, &err);
		token_new(token, hash);
		r = c->st->ops->session_add(c->st, hash, u.id, "bearer", now,
					    now + BEARER_SECONDS, &err);
		user_release(&u);
		if (r)
			return cli_fail(c, &err);
		if (c->json)
			cli_print_json(json_pack("{s:s}", "token", token));
		else
			printf("%s\n", token);
		return 0;
	}
	return cli_usage(c, usage, "unknown user command %s", sub);
}
