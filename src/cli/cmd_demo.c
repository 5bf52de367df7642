/*
 * cmd_demo.c - `secflow demo`: demo users with their roles and sample
 * objects in several phases, so a fresh server shows a living system.
 * Running it again adds nothing twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "modules/people.h"

struct demo_user {
	const char *name;
	const char *email;
	const char *role;
	const char *scope;
};

static const struct demo_user demo_users[] = {
	{"admin", "admin@secflow.example", "admin", NULL},
	{"ds.officer", "ds.officer@ec.example", "ds", NULL},
	{"ds.signatory", "ds.signatory@ec.example", "ds_signatory", NULL},
	{"snet.engineer", "snet@ec.example", "snet", NULL},
	{"ishs.desk", "ishs.sd@ec.example", "ishs_sd", NULL},
	{"ishs.ccor", "ishs.ccor@ec.example", "ishs_ccor", NULL},
	{"uaa.operator", "uaa@ec.example", "uaa", NULL},
	{"digit.signatory", "digit.signatory@ec.example", "digit_signatory",
	 NULL},
	{"taxud.requester", "requester@taxud.example", "dg_requester",
	 "TAXUD"},
	{"taxud.signatory", "signatory@taxud.example", "dg_signatory",
	 "TAXUD"},
	{"agri.requester", "requester@agri.example", "dg_requester", "AGRI"},
	{"acme.security", "security@acme.example", "company", "ACME"},
	{"globex.security", "security@globex.example", "company", "GLOBEX"},
	{"liso", "liso@taxud.example", "liso", NULL},
	{"secmgr", "security.manager@itsm.example", "security_manager", NULL},
	{"servicedesk", "servicedesk@itsm.example", "service_desk", NULL},
	{"npm.be", "npm@be.example", "npm", "BE"},
	{"npm.fr", "npm@fr.example", "npm", "FR"},
	{"niso.be", "niso@be.example", "niso", "BE"},
	{"ilso.ops", "ilso.ops@itsm.example", "ilso", "OPS"},
};

enum sf_status demo_conventions(struct cli *c, int *started,
				struct sf_error *err);
enum sf_status demo_incidents(struct cli *c, int *started,
			      struct sf_error *err);

int
cmd_demo(struct cli *c)
{
	static const char usage[] = "secflow demo [--password-stdin]";
	struct sf_error err = {0};
	int pw_stdin = cli_flag(c, "--password-stdin");
	char pwbuf[256] = "secflow-demo";
	int added = 0, started = 0;
	json_t *existing;
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (pw_stdin) {
		if (!fgets(pwbuf, sizeof(pwbuf), stdin))
			return cli_usage(c, usage, "no password on stdin");
		pwbuf[strcspn(pwbuf, "\r\n")] = '\0';
	}
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]);
	     i++) {
		const struct demo_user *u = &demo_users[i];
		struct user have;
		struct sf_error e2 = {0};

		if (c->st->ops->user_get(c->st, u->name, 0, &have, &e2) ==
		    SF_OK) {
			user_release(&have);
			continue;
		}
		r = people_add(c->st, &c->who, u->name, u->email, pwbuf, &err);
		if (!r)
			r = people_grant(c->st, &c->who, u->name, u->role,
					 u->scope, &err);
		if (r)
			return cli_fail(c, &err);
		added++;
	}
	/* Sample approvals in several phases, once. */
	r = c->st->ops->instance_list(c->st, "samples", 0, 1, &existing,
				       &err);
	if (r)
		return cli_fail(c, &err);
	if (json_array_size(existing) == 0 &&
	    registry_find(c->reg, "sample.approval")) {
		static const char *titles[] = {
			"VPN access for the TAXUD test bench",
			"Firewall opening for the CCN gateway",
			"New administrator account on the Webportal",
		};
		for (int i = 0; i < 3 && !r; i++) {
			json_t *d = json_pack("{s:s, s:s, s:s, s:i}", "title",
					      titles[i], "dg", "TAXUD",
					      "hosting",
					      i == 1 ? "dg" : "digit_dc",
					      "amount", 10 * (i + 1));
			int64_t id;
			struct actor req;
			r = actor_load(c->st, "taxud.requester", 0,
				       date_of(clock_now()), &req, &err);
			if (!r) {
				r = engine_start(&c->eng, &req,
						 "sample.approval", d, &id,
						 &err);
				if (!r && i > 0) {
					json_t *in = json_pack(
						"{s:s}", "comment",
						"please review");
					r = engine_perform(&c->eng, &req,
							   "samples", id,
							   "submit", in, &err);
					json_decref(in);
				}
				actor_release(&req);
			}
			json_decref(d);
			if (!r)
				started++;
		}
	}
	json_decref(existing);
	if (!r)
		r = demo_conventions(c, &started, &err);
	if (!r)
		r = demo_incidents(c, &started, &err);
	if (r)
		return cli_fail(c, &err);
	if (c->json)
		cli_print_json(json_pack("{s:i, s:i}", "users_added", added,
					 "objects_started", started));
	else
		printf("demo: %d user%s added (password \"%s\"), %d object%s "
		       "started\n",
		       added, added == 1 ? "" : "s",
		       pw_stdin ? "as given" : pwbuf, started,
		       started == 1 ? "" : "s");
	return 0;
}
