/*
 * demo_conventions.c - the conventions of `secflow demo`: registered
 * companies and conventions stopped in every phase of convention.create
 * (preparation, validation, signature, implementation, tokens, active),
 * each walked step by step by the demo user of the right role, so the
 * demo server shows a living system with a true history.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "modules/conventions/conventions.h"

struct demo_step {
	const char *step, *user, *body;
};

static const struct demo_step script[] = {
	{"request_number", "taxud.requester", "{}"},
	{"assign_number", "ds.officer", "{}"},
	{"send_part1", "taxud.requester", "{}"},
	{"fill_part2", "taxud.requester",
	 "{\"application\":\"CUST customs system\",\"rfc\":\"RFC-2026-114\","
	 "\"client_os\":\"Windows 11\",\"connection\":\"site-to-site VPN\","
	 "\"support_contact\":\"ops@company.example\",\"accesses\":["
	 "{\"application\":\"CUST\",\"environment\":\"Production\","
	 "\"component\":\"WebLogic\",\"protocol\":\"HTTPS\",\"hosts\":"
	 "[\"10.20.1.0/24\",\"cust.taxud.example.eu\"],\"ports\":\"443\","
	 "\"start\":\"2026-12-01\",\"end\":\"2027-11-30\"},"
	 "{\"application\":\"CUST\",\"environment\":\"Test\",\"component\":"
	 "\"Oracle\",\"protocol\":\"TCP\",\"hosts\":[\"10.20.9.15\"],"
	 "\"ports\":\"1521-1522\",\"start\":\"2026-12-01\",\"end\":"
	 "\"2027-11-30\"}]}"},
	{"submit_part2", "taxud.requester",
	 "{\"channel\":\"smt\",\"smt_ref\":\"SMT-DEMO-101\"}"},
	{"submit_part1", "@company",
	 "{\"document_b64\":\"UGFydCAxIC0gZGVtbyBkb2N1bWVudA==\","
	 "\"filename\":\"part1.pdf\"}"},
	{"ishs_validate", "ishs.desk", "{\"decision\":\"accept\"}"},
	{"snet_validate", "snet.engineer", "{\"decision\":\"accept\"}"},
	{"ds_review_part1", "ds.officer", "{\"decision\":\"accept\"}"},
	{"sign_part1_ds", "ds.signatory", "{\"ares_ref\":\"Ares(2026)5511\"}"},
	{"sign_part2_ds", "ds.signatory", "{\"ares_ref\":\"Ares(2026)5512\"}"},
	{"sign_part2_digit", "digit.signatory",
	 "{\"ares_ref\":\"Ares(2026)5513\"}"},
	{"sign_part2_dg", "taxud.signatory",
	 "{\"ares_ref\":\"Ares(2026)5514\"}"},
	{"sign_company", "@company", "{\"ares_ref\":\"Ares(2026)5515\"}"},
	{"distribute", "ds.officer", "{\"ares_ref\":\"Ares(2026)5516\"}"},
	{"submit_implementation", "ds.officer",
	 "{\"smt_ref\":\"SMT-DEMO-202\"}"},
	{"snet_implement", "snet.engineer", "{\"smt_ref\":\"SMT-DEMO-202\"}"},
	{"uaa_implement", "uaa.operator", "{\"smt_ref\":\"SMT-DEMO-202\"}"},
	{"notify_implemented", "ds.officer", "{}"},
	{"order_token", "taxud.requester",
	 "{\"holder\":\"J. Doe\",\"count\":1}"},
	{"activate_token", "uaa.operator", "{\"serial\":\"@serial\"}"},
	{"ship_token", "uaa.operator",
	 "{\"serial\":\"@serial\",\"vpn_client\":\"hardware\","
	 "\"letter_ref\":\"RL-DEMO\"}"},
	{"acknowledge_token", "@company", "{\"serial\":\"@serial\"}"},
	{"release_pin", "uaa.operator", "{\"serial\":\"@serial\"}"},
	{"first_connection", "@company", "{}"},
};

struct demo_conv {
	const char *company, *hosting, *contract;
	size_t steps; /* how far along the script */
};

static const struct demo_conv convs[] = {
	{"ACME", "digit_dc", "TAXUD/2025/OP/0042", 2},	 /* preparation */
	{"GLOBEX", "dg", "TAXUD/2026/OP/0007", 6},	 /* validation */
	{"ACME", "digit_dc", "TAXUD/2026/OP/0011", 9},	 /* signature */
	{"GLOBEX", "digit_dc", "TAXUD/2026/OP/0012", 16}, /* implementation */
	{"ACME", "dg", "TAXUD/2024/OP/0100", 21},	 /* tokens */
	{"ACME", "digit_dc", "TAXUD/2024/OP/0090", 25},	 /* active */
};

/* Replace "@serial" in TEXT by SERIAL (buffers are small and fixed). */
static void
fill(const char *text, const char *serial, char *out, size_t n)
{
	const char *at = strstr(text, "@serial");

	if (!at) {
		snprintf(out, n, "%s", text);
		return;
	}
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, serial,
		 at + strlen("@serial"));
}

enum sf_status demo_conventions(struct cli *c, int *started,
				struct sf_error *err);

enum sf_status
demo_conventions(struct cli *c, int *started, struct sf_error *err)
{
	json_t *existing = NULL, *co = NULL;
	enum sf_status r;

	r = c->st->ops->instance_list(c->st, "conventions", 0, 1, &existing,
				       err);
	if (r)
		return r;
	if (json_array_size(existing) || !registry_find(c->reg,
							"convention.create")) {
		json_decref(existing);
		return SF_OK;
	}
	json_decref(existing);
	for (const char *const *n = (const char *const[]){"ACME", "GLOBEX",
							   NULL};
	     *n; n++) {
		json_t *have = NULL;
		if (c->st->ops->catalog_get(c->st, "company", *n, &have,
					    err) == SF_NOT_FOUND) {
			r = company_add(&c->eng, &c->who, *n, &co, err);
			json_decref(co);
			if (r)
				return r;
		}
		json_decref(have);
	}
	for (size_t i = 0; i < sizeof(convs) / sizeof(convs[0]) && !r; i++) {
		const struct demo_conv *d = &convs[i];
		char company_user[64], serial[32], body[2048];
		struct actor who;
		json_t *data;
		int64_t id = 0;

		snprintf(company_user, sizeof(company_user), "%s.security",
			 strcmp(d->company, "ACME") == 0 ? "acme" : "globex");
		snprintf(serial, sizeof(serial), "TK-DEMO-%02zu", i + 1);
		r = actor_load(c->st, "taxud.requester", 0,
			       date_of(clock_now()), &who, err);
		if (r)
			return r;
		data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "dg", "TAXUD",
				 "company", d->company, "hosting", d->hosting,
				 "contract", d->contract, "expires",
				 "2027-11-30");
		r = engine_start(&c->eng, &who, "convention.create", data, &id,
				 err);
		json_decref(data);
		actor_release(&who);
		for (size_t s = 0; s < d->steps && !r; s++) {
			const struct demo_step *ds = &script[s];
			json_t *in;

			if (strcmp(ds->step, "ishs_validate") == 0 &&
			    strcmp(d->hosting, "digit_dc") != 0)
				continue;
			r = actor_load(c->st,
				       ds->user[0] == '@' ? company_user
							  : ds->user,
				       0, date_of(clock_now()), &who, err);
			if (r)
				break;
			fill(ds->body, serial, body, sizeof(body));
			in = json_loads(body, 0, NULL);
			r = engine_perform(&c->eng, &who, "conventions", id,
					   ds->step, in, err);
			json_decref(in);
			actor_release(&who);
		}
		if (!r)
			(*started)++;
	}
	return r;
}
