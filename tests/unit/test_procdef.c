/* test_procdef.c - process definitions: the sample, every validation
 * error with its file and line, durations. */
#include "testutil.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/procdef.h"

static char *
load_sample(size_t *len)
{
	char *path = tu_source_path("processes/sample.approval.yaml");
	char *text = tu_read_file(path, len);

	assert_non_null(text);
	free(path);
	return text;
}

static void
test_sample_loads(void **state)
{
	struct procdef *def = NULL;
	struct sf_error err = {0};
	const struct step_def *s;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	size_t len;
	char *text = load_sample(&len);

	(void)state;
	assert_int_equal(procdef_parse(text, len,
				       "processes/sample.approval.yaml", &def,
				       &err),
			 SF_OK);
	assert_string_equal(def->name, "sample.approval");
	assert_int_equal(def->version, 1);
	assert_string_equal(def->title, "Sample approval");
	assert_string_equal(def->object, "samples");
	assert_string_equal(def->file, "processes/sample.approval.yaml");
	assert_memory_equal(def->source, text, len);
	crypto_hash_sha256(digest, (unsigned char *)text, len);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	assert_string_equal(def->hash, hex);

	assert_int_equal(def->nfields, 4);
	assert_string_equal(def->fields[0].name, "title");
	assert_int_equal(def->fields[0].type, FT_STRING);
	assert_true(def->fields[0].required);
	assert_string_equal(def->fields[2].name, "hosting");
	assert_int_equal(def->fields[2].type, FT_ENUM);
	assert_int_equal(def->fields[2].nvalues, 2);
	assert_string_equal(def->fields[2].values[0], "digit_dc");
	assert_string_equal(def->fields[2].values[1], "dg");
	assert_int_equal(def->fields[3].type, FT_INTEGER);
	assert_true(def->fields[3].has_min);
	assert_true(def->fields[3].min == 0);

	assert_int_equal(def->nscopes, 1);
	assert_string_equal(procdef_scope_field(def, "dg_requester"), "dg");
	assert_null(procdef_scope_field(def, "ds"));
	assert_int_equal(def->nreaders, 2);
	assert_string_equal(def->readers[0], "admin");
	assert_int_equal(def->nstart, 1);
	assert_string_equal(def->start[0], "submit");
	assert_int_equal(def->nsteps, 8);

	s = procdef_step(def, "submit");
	assert_non_null(s);
	assert_int_equal(s->kind, STEP_TASK);
	assert_int_equal(s->noutcomes, 1);
	assert_int_equal(s->outcomes[0].nnext, 2);
	assert_string_equal(s->outcomes[0].next[0], "review_ds");
	assert_string_equal(s->outcomes[0].next[1], "review_snet");

	s = procdef_step(def, "review_ds");
	assert_non_null(s);
	assert_true(s->has_sla);
	assert_int_equal(s->sla.amount, 3);
	assert_int_equal(s->sla.unit, DUR_WORKING_DAYS);
	assert_int_equal(s->nreminders, 1);
	assert_int_equal(s->reminders[0].amount, 2);
	assert_int_equal(s->nnotify_overdue, 1);
	assert_string_equal(s->notify_overdue[0], "ds");
	assert_int_equal(s->nfields, 2);
	assert_int_equal(s->noutcomes, 2);
	assert_int_equal(s->outcomes[0].nwhen, 1);
	assert_string_equal(s->outcomes[0].when[0].field, "decision");
	assert_int_equal(s->outcomes[0].when[0].op, COND_EQ);
	assert_string_equal(s->outcomes[0].when[0].values[0],
			    "request_changes");
	assert_string_equal(s->outcomes[0].next[0], "revise_ds");
	assert_int_equal(s->outcomes[1].nwhen, 0);
	assert_string_equal(s->outcomes[1].next[0], "decide");

	s = procdef_step(def, "review_snet");
	assert_int_equal(s->nwhen, 1);
	assert_string_equal(s->when[0].field, "hosting");
	assert_string_equal(s->when[0].values[0], "digit_dc");
	assert_string_equal(s->outcomes[0].next[0], "revise_snet");

	s = procdef_step(def, "decide");
	assert_int_equal(s->njoin, 2);
	assert_string_equal(s->join[0], "review_ds");
	assert_string_equal(s->join[1], "review_snet");
	assert_string_equal(s->roles[0], "ds_signatory");
	assert_string_equal(s->outcomes[1].next[0], "submit");

	s = procdef_step(def, "cool_off");
	assert_int_equal(s->kind, STEP_WAIT);
	assert_true(s->has_wait);
	assert_int_equal(s->wait.amount, 2);
	assert_int_equal(s->wait.unit, DUR_DAYS);
	assert_int_equal(s->nroles, 0);

	s = procdef_step(def, "archive");
	assert_string_equal(s->outcomes[0].next[0], "end");
	assert_false(s->outcomes[0].end);
	assert_null(procdef_step(def, "end"));
	assert_null(procdef_step(def, "nope"));

	procdef_free(def);
	free(text);
}

/* Broken variants of the sample: replace FROM by TO, expect an error on
 * the line where FROM was (or where AT is), naming NEEDLE. */
static const struct {
	const char *from, *to, *needle, *at;
} variants[] = {
    {"roles: [ds_signatory]", "roles: [dss]",
     "step \"decide\" names unknown role \"dss\"", NULL},
    {"join: [review_ds, review_snet]", "join: [review_ds, revise_ds]",
     "join \"decide\" can never fire: step \"revise_ds\" never routes "
     "to it",
     NULL},
    {"next: [cool_off]", "next: [cool_of]",
     "step \"decide\" routes to unknown step \"cool_of\"", NULL},
    {"when: {hosting: digit_dc}", "when: {hostng: digit_dc}",
     "condition on undeclared field \"hostng\"", NULL},
    {"when: {hosting: digit_dc}", "when: {hosting: digit}",
     "\"digit\" is not a value of field \"hosting\"", NULL},
    {"sla: 3 working days", "sla: 3 wrking days",
     "bad duration \"3 wrking days\"", NULL},
    {"wait: 2 days", "until: amount",
     "waits until \"amount\", which is not a date field", NULL},
    {"  dg_requester: dg", "  ds: dg",
     "role \"ds\" in scopes is not a scoped role", NULL},
    {"  dg_requester: dg", "  dg_requester: dgg",
     "scope field \"dgg\" of role \"dg_requester\" is not an instance "
     "field",
     NULL},
    {"type: integer", "type: int", "has unknown type \"int\"", NULL},
    /* a scoped role the process does not map to a field */
    {"scopes:\n  dg_requester: dg\n", "scopes: {}\n\n",
     "step \"submit\" names role \"dg_requester\", scoped by dg: map it",
     "- id: submit"},
    {"next: [revise_snet]", "next: [revise_ds]",
     "step \"revise_snet\" is unreachable", "- id: revise_snet"},
    {"readers: [admin, ds]", "readers: [admin, dz]",
     "readers names unknown role \"dz\"", NULL},
    {"notify_overdue: [ds]", "notify_overdue: [dss]",
     "notify_overdue of step \"review_ds\" names unknown role \"dss\"", NULL},
    {"kind: wait", "kind: sleep", "unknown kind \"sleep\"", NULL},
    {"    roles: [ds]\n    next: [end]", "    next: [end]",
     "task step \"archive\" has no roles", "- id: archive"},
    {"- id: revise_snet", "- id: revise_ds", "duplicate step id \"revise_ds\"",
     NULL},
    {"    title: Archive", "    titel: Archive",
     "unknown key \"titel\" in step \"archive\"", NULL},
};

static int
line_at(const char *text, const char *p)
{
	int line = 1;

	for (; text < p; text++)
		if (*text == '\n')
			line++;
	return line;
}

static void
test_sample_variants(void **state)
{
	size_t len;
	char *text = load_sample(&len);

	(void)state;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const char *at = strstr(text, variants[i].from);
		struct procdef *def = NULL;
		struct sf_error err = {0};
		char *bad, *prefix;
		int line;

		assert_non_null(at);
		line = line_at(text, at);
		bad = xasprintf("%.*s%s%s", (int)(at - text), text,
				variants[i].to, at + strlen(variants[i].from));
		if (variants[i].at)
			line = line_at(text, strstr(text, variants[i].at));
		assert_int_equal(
		    procdef_parse(bad, strlen(bad), "s.yaml", &def, &err),
		    SF_INVALID);
		assert_null(def);
		prefix = xasprintf("s.yaml:%d: ", line);
		if (strncmp(err.message, prefix, strlen(prefix)) != 0)
			fail_msg("variant %zu: want %s..., got %s", i, prefix,
				 err.message);
		if (!strstr(err.message, variants[i].needle))
			fail_msg("variant %zu: want %s, got %s", i,
				 variants[i].needle, err.message);
		free(prefix);
		free(bad);
	}
	free(text);
}

/* Small definitions, each broken on one line. */
static const struct {
	const char *yaml;
	int line;
	const char *needle;
} broken[] = {
    /* missing required keys */
    {"process: x\nversion: 1\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     1, "missing \"object\""},
    {"process: x\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     1, "missing \"version\""},
    {"process: x\nversion: 1\nobject: xs\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     1, "missing \"start\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - roles: [ds]\n    next: [end]\n",
     6, "step has no \"id\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\n"
     "fields:\n  - {type: string}\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     6, "has no \"name\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\n"
     "fields:\n  - {name: q}\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     6, "field \"q\" has no \"type\""},
    /* unknown keys */
    {"process: x\nversion: 1\nobject: xs\ntitel: X\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     4, "unknown key \"titel\" in the process"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    nxt: [end]\n",
     8, "unknown key \"nxt\" in step \"a\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    fields:\n"
     "      - {name: q, type: string, requird: true}\n"
     "    next: [end]\n",
     9, "unknown key \"requird\" in field \"q\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    outcomes:\n"
     "      - next: [end]\n        ending: true\n",
     10, "unknown key \"ending\" in outcome of step \"a\""},
    /* syntax of names */
    {"process: X!\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     1, "bad process name \"X!\""},
    {"process: x\nversion: 0\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     2, "version must be an integer >= 1"},
    {"process: x\nversion: one\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     2, "version must be an integer"},
    {"process: x\nversion: 1\nobject: Xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     3, "bad object \"Xs\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [b-c]}\n"
     "  - {id: b-c, roles: [ds], next: [end]}\n",
     7, "bad step id \"b-c\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n"
     "  - {id: end, roles: [ds], next: [a]}\n",
     7, "step id \"end\" is reserved"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\n"
     "fields:\n  - {name: Bad, type: string}\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     6, "bad field name \"Bad\""},
    /* duplicates */
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     7, "duplicate step id \"a\" (first at line 6)"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    fields:\n"
     "      - {name: q, type: string}\n"
     "      - {name: q, type: text}\n"
     "    next: [end]\n",
     10, "duplicate field \"q\" in step \"a\" (first at line 9)"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    next: [b, b]\n"
     "  - {id: b, roles: [ds], next: [end]}\n",
     8, "next lists \"b\" twice"},
    /* roles */
    {"process: x\nversion: 1\nobject: xs\nstart: [review]\nsteps:\n"
     "  - id: review\n    roles:\n      - ds\n      - dss\n"
     "    next: [end]\n",
     9, "step \"review\" names unknown role \"dss\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    notify: [snet, nobody]\n"
     "    next: [end]\n",
     8, "notify of step \"a\" names unknown role \"nobody\""},
    {"process: x\nversion: 1\nobject: xs\nreaders: [admin, auditor]\n"
     "start: [a]\nsteps:\n  - {id: a, roles: [ds], next: [end]}\n",
     4, "readers names unknown role \"auditor\""},
    {"process: x\nversion: 1\nobject: xs\n"
     "fields:\n  - {name: dg, type: string}\n"
     "scopes:\n  dg_requester: dg\n  boss: dg\n"
     "start: [a]\nsteps:\n  - {id: a, roles: [ds], next: [end]}\n",
     8, "scopes names unknown role \"boss\""},
    {"process: x\nversion: 1\nobject: xs\n"
     "fields:\n  - {name: dg, type: string}\n"
     "scopes:\n  snet: dg\n"
     "start: [a]\nsteps:\n  - {id: a, roles: [ds], next: [end]}\n",
     7, "role \"snet\" in scopes is not a scoped role"},
    {"process: x\nversion: 1\nobject: xs\n"
     "fields:\n  - {name: dg, type: string}\n"
     "scopes:\n  npm: na\n"
     "start: [a]\nsteps:\n  - {id: a, roles: [ds], next: [end]}\n",
     7, "scope field \"na\" of role \"npm\" is not an instance field"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    title: A\n    next: [end]\n",
     6, "task step \"a\" has no roles"},
    /* field declarations */
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - name: q\n    type: strin\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     7, "field \"q\" has unknown type \"strin\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - name: q\n    required: true\n    type: enum\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     6, "enum field \"q\" has no values"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - {name: q, type: list}\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     6, "list field \"q\" needs items"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - {name: q, type: string, values: [a]}\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     6, "values apply only to enums"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - {name: q, type: integer, min: 5, max: 1}\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     6, "min is above max"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - {name: q, type: date, max: 3}\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     6, "min and max do not apply to type date"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - {name: q, type: ports, min: 1024}\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     6, "min and max do not apply to type ports"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - {name: q, type: list, items: host, values: [a.b]}\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     6, "values apply only to enums"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - {name: q, type: list, items: hosts}\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     6, "field \"q\" has unknown item type \"hosts\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nfields:\n"
     "  - name: q\n    type: list\n    fields:\n"
     "      - {name: r, type: nothing}\n"
     "steps:\n  - {id: a, roles: [ds], next: [end]}\n",
     9, "field \"r\" has unknown type \"nothing\""},
    /* references between steps */
    {"process: x\nversion: 1\nobject: xs\nstart: [a, z]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     4, "start names unknown step \"z\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    outcomes:\n"
     "      - when: {q: x}\n        next: [end]\n"
     "      - next:\n          - bb\n"
     "    fields: [{name: q, type: string}]\n",
     12, "step \"a\" routes to unknown step \"bb\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [b]}\n"
     "  - {id: b, roles: [ds], join: [a, c], next: [end]}\n",
     7, "step \"b\" joins unknown step \"c\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n"
     "  - id: b\n    roles: [ds]\n    next: [a]\n",
     7, "step \"b\" is unreachable"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - {id: a, roles: [ds], next: [b, c]}\n"
     "  - {id: b, roles: [ds], next: [d]}\n"
     "  - {id: c, roles: [ds], next: [end]}\n"
     "  - id: d\n    roles: [ds]\n    join:\n      - b\n      - c\n"
     "    next: [end]\n",
     13, "join \"d\" can never fire: step \"c\" never routes to it"},
    /* conditions */
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    when:\n      decison: yes\n"
     "    fields: [{name: decision, type: string}]\n    next: [end]\n",
     9, "condition on undeclared field \"decison\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n"
     "    fields:\n      - name: host\n        type: object\n"
     "        fields: [{name: ip, type: string}]\n"
     "    outcomes:\n      - when: {ip: {set: true}}\n"
     "        next: [end]\n      - end: true\n",
     13, "condition on undeclared field \"ip\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    when: {q: {maybe: 1}}\n"
     "    fields: [{name: q, type: string}]\n    next: [end]\n",
     8, "expected {not: ...} or {set: true|false}"},
    /* kinds and outcomes */
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    kind: wait\n    next: [end]\n",
     6, "wait step \"a\" has neither wait nor until"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\n"
     "fields:\n  - {name: due, type: string}\nsteps:\n"
     "  - id: a\n    kind: wait\n    until: due\n    next: [end]\n",
     10, "waits until \"due\", which is not a date field"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    outcomes:\n"
     "      - when: {q: x}\n        next: [end]\n"
     "      - when: {q: y}\n"
     "    fields: [{name: q, type: string}]\n",
     11, "outcome of step \"a\" has neither next nor end"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    outcomes:\n"
     "      - next: [end]\n      - {when: {q: y}, end: true}\n"
     "    fields: [{name: q, type: string}]\n",
     10, "follows the default outcome"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    outcomes: [{end: true}]\n"
     "    next: [end]\n",
     9, "has both outcomes and next/end"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n",
     6, "step \"a\" has no next, end or outcomes"},
    /* durations */
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    sla: 3 working dayz\n"
     "    next: [end]\n",
     8, "sla of step \"a\": bad duration \"3 working dayz\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    sla: 3 days\n"
     "    reminders:\n      - 1 day\n      - two days\n"
     "    next: [end]\n",
     11, "reminder of step \"a\": bad duration \"two days\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    kind: wait\n    wait: 0 days\n    next: [end]\n",
     8, "wait of step \"a\": bad duration \"0 days\""},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: [ds]\n    notify_overdue: [ds]\n"
     "    next: [end]\n",
     8, "notify_overdue but no sla"},
    /* YAML itself */
    {"process: x\nversion: 1\nobject: xs\nstart: [a\nsteps:\n"
     "  - {id: a, roles: [ds], next: [end]}\n",
     6, "YAML syntax error"},
    {"process: x\nversion: 1\nobject: xs\nobject: ys\n", 4,
     "YAML syntax error: duplicate key"},
    {"# nothing here\n", 1, "empty document"},
    {"process: x\nversion: 1\nobject: \xff\n", 3, "invalid UTF-8"},
    {"process: x\nversion: 1\ntitle: caf\xc3\n", 3, "invalid UTF-8"},
    {"process: x\nversion: 1\ntitle: \xed\xa0\x80\n", 3, "invalid UTF-8"},
    {"process: x\nversion: 1\n\x01", 3, "control character 0x01"},
    /* libfyaml 0.7.12 never returns from this one */
    {"%\xd6", 1, "invalid UTF-8"},
    {"%\xc3\xa9", 1, "YAML syntax error: Unsupported directive"},
    {"- just\n- a list\n", 1, "must be a YAML mapping"},
    {"process: x\nversion: 1\nobject: xs\nstart: [a]\nsteps:\n"
     "  - id: a\n    roles: &r [ds]\n    notify: *r\n    next: [end]\n",
     8, "notify of step \"a\": YAML aliases are not supported"},
};

/* A NUL byte is refused (the length is what counts, not the NUL), and
 * valid UTF-8 passes through. */
static void
test_bytes(void **state)
{
	static const char nul[] = "process: x\nversion: 1\0\n";
	static const char utf8[] =
	    "\xef\xbb\xbfprocess: x\nversion: 1\nobject: xs\n"
	    "title: \"Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\"\n"
	    "start: [a]\nsteps:\n  - {id: a, roles: [ds], next: [end]}\n";
	struct procdef *def = NULL;
	struct sf_error err = {0};

	(void)state;
	assert_int_equal(
	    procdef_parse(nul, sizeof(nul) - 1, "n.yaml", &def, &err),
	    SF_INVALID);
	assert_string_equal(err.message,
			    "n.yaml:2: control character 0x00 is not allowed");
	assert_int_equal(
	    procdef_parse(utf8, sizeof(utf8) - 1, "u.yaml", &def, &err), SF_OK);
	assert_string_equal(def->title,
			    "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
	procdef_free(def);
	/* Only LEN bytes count. */
	assert_int_equal(procdef_parse(utf8, 11, "u.yaml", &def, &err),
			 SF_INVALID);
	assert_null(def);
}

static void
test_broken(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct procdef *def = NULL;
		struct sf_error err = {0};
		enum sf_status st;
		char *prefix = xasprintf("b.yaml:%d: ", broken[i].line);

		st = procdef_parse(broken[i].yaml, strlen(broken[i].yaml),
				   "b.yaml", &def, &err);
		if (st != SF_INVALID)
			fail_msg("case %zu: status %d, want SF_INVALID", i, st);
		assert_null(def);
		if (strncmp(err.message, prefix, strlen(prefix)) != 0 ||
		    !strstr(err.message, broken[i].needle))
			fail_msg("case %zu: want \"%s...%s\", got \"%s\"", i,
				 prefix, broken[i].needle, err.message);
		free(prefix);
	}
}

/* What is allowed: conditions of every form, a step reached from several
 * branches without a join, loops, `end: true`, `until` a date field. */
static void
test_allowed(void **state)
{
	static const char yaml[] =
	    "process: x.y_2\n"
	    "version: 3\n"
	    "object: things\n"
	    "fields:\n"
	    "  - {name: due, type: date}\n"
	    "  - {name: urgent, type: boolean}\n"
	    "  - name: tags\n"
	    "    type: list\n"
	    "    items: enum\n"
	    "    values: [a, b]\n"
	    "    max: 3\n"
	    "  - name: hosts\n"
	    "    type: list\n"
	    "    fields:\n"
	    "      - {name: ip, type: string, required: true}\n"
	    "      - {name: ports, type: list, items: integer}\n"
	    "start: [a, b]\n"
	    "steps:\n"
	    "  - id: a\n"
	    "    roles: ds\n"
	    "    when: {urgent: True, due: {set: true}}\n"
	    "    next: [c]\n"
	    "  - id: b\n"
	    "    roles: [snet]\n"
	    "    fields:\n"
	    "      - {name: n, type: number, min: 0.5}\n"
	    "      - {name: s, type: string, min: 2, max: 10}\n"
	    "    outcomes:\n"
	    "      - when: {n: [1, 2]}\n"
	    "        next: [c]\n"
	    "      - when: {s: {not: [x, y]}, urgent: {set: false}}\n"
	    "        next: [a]\n"
	    "      - when: {s: {not: z}}\n"
	    "        end: true\n"
	    "      - next: [c]\n"
	    "  - id: c\n"
	    "    kind: wait\n"
	    "    until: due\n"
	    "    outcomes:\n"
	    "      - {end: true}\n";
	struct procdef *def = NULL;
	struct sf_error err = {0};
	const struct step_def *s;

	(void)state;
	if (procdef_parse(yaml, sizeof(yaml) - 1, "ok.yaml", &def, &err))
		fail_msg("%s", err.message);
	assert_string_equal(def->name, "x.y_2");
	assert_int_equal(def->version, 3);
	assert_string_equal(def->title, "x.y_2");
	assert_int_equal(def->fields[2].item_type, FT_ENUM);
	assert_true(def->fields[2].has_max);
	assert_int_equal(def->fields[3].item_type, FT_OBJECT);
	assert_int_equal(def->fields[3].nfields, 2);
	assert_int_equal(def->fields[3].fields[1].item_type, FT_INTEGER);
	s = procdef_step(def, "a");
	assert_int_equal(s->nroles, 1);
	assert_string_equal(s->roles[0], "ds");
	assert_string_equal(s->title, "a");
	assert_int_equal(s->nwhen, 2);
	assert_int_equal(s->when[0].op, COND_EQ);
	assert_string_equal(s->when[0].values[0], "true");
	assert_int_equal(s->when[1].op, COND_SET);
	s = procdef_step(def, "b");
	assert_int_equal(s->fields[1].max_len, 10);
	assert_true(s->fields[1].has_min);
	assert_false(s->fields[1].has_max);
	assert_int_equal(s->noutcomes, 4);
	assert_int_equal(s->outcomes[0].when[0].op, COND_IN);
	assert_int_equal(s->outcomes[0].when[0].nvalues, 2);
	assert_string_equal(s->outcomes[0].when[0].values[1], "2");
	assert_int_equal(s->outcomes[1].when[0].op, COND_NE);
	assert_int_equal(s->outcomes[1].when[0].nvalues, 2);
	assert_int_equal(s->outcomes[1].when[1].op, COND_UNSET);
	assert_int_equal(s->outcomes[2].when[0].op, COND_NE);
	assert_string_equal(s->outcomes[2].when[0].values[0], "z");
	assert_true(s->outcomes[2].end);
	assert_int_equal(s->outcomes[2].nnext, 0);
	s = procdef_step(def, "c");
	assert_int_equal(s->kind, STEP_WAIT);
	assert_false(s->has_wait);
	assert_string_equal(s->wait_until, "due");
	assert_true(s->outcomes[0].end);
	procdef_free(def);
}

static void
test_durations(void **state)
{
	static const struct {
		const char *s;
		int ok, amount;
		enum dur_unit unit;
	} cases[] = {
	    {"3 working days", 1, 3, DUR_WORKING_DAYS},
	    {"1 working day", 1, 1, DUR_WORKING_DAYS},
	    {"14 days", 1, 14, DUR_DAYS},
	    {"1 day", 1, 1, DUR_DAYS},
	    {"2 weeks", 1, 2, DUR_WEEKS},
	    {"1 week", 1, 1, DUR_WEEKS},
	    {"1 month", 1, 1, DUR_MONTHS},
	    {"12 months", 1, 12, DUR_MONTHS},
	    {"  5   working   days ", 1, 5, DUR_WORKING_DAYS},
	    {"10000 days", 1, 10000, DUR_DAYS},
	    {"10001 days", 0, 0, 0},
	    {"99999999999999999999 days", 0, 0, 0},
	    {"0 days", 0, 0, 0},
	    {"-1 days", 0, 0, 0},
	    {"3", 0, 0, 0},
	    {"days", 0, 0, 0},
	    {"3days", 0, 0, 0},
	    {"3 working", 0, 0, 0},
	    {"3 working weeks", 0, 0, 0},
	    {"3 dayss", 0, 0, 0},
	    {"3 days later", 0, 0, 0},
	    {"3 Days", 0, 0, 0},
	    {"", 0, 0, 0},
	};
	struct duration d;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = duration_parse(cases[i].s, &d);

		if (r != (cases[i].ok ? 0 : -1))
			fail_msg("\"%s\": got %d", cases[i].s, r);
		if (cases[i].ok &&
		    (d.amount != cases[i].amount || d.unit != cases[i].unit))
			fail_msg("\"%s\": got %d/%d", cases[i].s, d.amount,
				 d.unit);
	}
	assert_int_equal(duration_parse(NULL, &d), -1);
}

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(field_type_name(FT_STRING), "string");
	assert_string_equal(field_type_name(FT_DATETIME), "datetime");
	assert_string_equal(field_type_name(FT_FILE), "file");
	assert_string_equal(field_type_name(FT_HOST), "host");
	assert_string_equal(field_type_name(FT_PORTS), "ports");
	assert_string_equal(field_type_name((enum field_type)99), "?");
}

/* host and ports: as a field, as list items, inside a list of objects. */
static void
test_network_types(void **state)
{
	static const char yaml[] =
	    "process: x\nversion: 1\nobject: xs\nstart: [a]\n"
	    "fields:\n"
	    "  - {name: gateway, type: host, required: true}\n"
	    "  - name: accesses\n"
	    "    type: list\n"
	    "    fields:\n"
	    "      - {name: hosts, type: list, items: host, min: 1}\n"
	    "      - {name: ports, type: ports}\n"
	    "steps:\n  - {id: a, roles: [ds], next: [end]}\n";
	struct procdef *def = NULL;
	struct sf_error err = {0};

	(void)state;
	if (procdef_parse(yaml, sizeof(yaml) - 1, "net.yaml", &def, &err))
		fail_msg("%s", err.message);
	assert_int_equal(def->fields[0].type, FT_HOST);
	assert_int_equal(def->fields[1].fields[0].type, FT_LIST);
	assert_int_equal(def->fields[1].fields[0].item_type, FT_HOST);
	assert_int_equal(def->fields[1].fields[1].type, FT_PORTS);
	procdef_free(def);
}

/* Every definition shipped in processes/ loads. */
static void
test_shipped_processes(void **state)
{
	char *dir = tu_source_path("processes");
	struct dirent *e;
	DIR *d = opendir(dir);
	int seen = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name), len;
		struct procdef *def = NULL;
		struct sf_error err = {0};
		char *path, *text, *rel;

		if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		rel = xasprintf("processes/%s", e->d_name);
		path = tu_source_path(rel);
		text = tu_read_file(path, &len);
		assert_non_null(text);
		if (procdef_parse(text, len, rel, &def, &err))
			fail_msg("%s", err.message);
		procdef_free(def);
		free(text);
		free(path);
		free(rel);
		seen++;
	}
	closedir(d);
	free(dir);
	assert_true(seen >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample_loads),
	    cmocka_unit_test(test_sample_variants),
	    cmocka_unit_test(test_broken),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_allowed),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_type_names),
	    cmocka_unit_test(test_network_types),
	    cmocka_unit_test(test_shipped_processes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
