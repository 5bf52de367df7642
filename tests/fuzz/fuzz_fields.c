/*
 * fuzz_fields.c - libFuzzer target for fields_validate().
 *
 * The input is JSON; it is checked against the fields of the sample's
 * review step and of its instance, and against a declaration with nested
 * lists of objects and every field type (hosts and ports also inside a
 * list of objects, as in a convention's accesses).  What passes must pass
 * again unchanged (the normal form is a fixed point); what fails must name
 * the bad value's path in a message that is valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/embedded.h"
#include "engine/fields.h"
#include "engine/procdef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char nested[] =
    "process: fuzz.fields\n"
    "version: 1\n"
    "object: things\n"
    "start: [all]\n"
    "steps:\n"
    "  - id: all\n"
    "    roles: [ds]\n"
    "    next: [end]\n"
    "    fields:\n"
    "      - {name: s, type: string, min: 1, max: 20}\n"
    "      - {name: t, type: text}\n"
    "      - {name: i, type: integer, min: -5, max: 5}\n"
    "      - {name: n, type: number}\n"
    "      - {name: b, type: boolean}\n"
    "      - {name: d, type: date}\n"
    "      - {name: dt, type: datetime}\n"
    "      - {name: e, type: enum, values: [a, b, '1', 'true']}\n"
    "      - {name: m, type: email}\n"
    "      - {name: f, type: file}\n"
    "      - {name: tags, type: list, items: string, values: [x, y],"
    " max: 3}\n"
    "      - {name: files, type: list, items: file}\n"
    "      - name: accesses\n"
    "        type: list\n"
    "        min: 1\n"
    "        max: 8\n"
    "        fields:\n"
    "          - {name: host, type: string, required: true}\n"
    "          - {name: ports, type: list, items: integer}\n"
    "          - {name: start, type: date}\n"
    "          - name: owner\n"
    "            type: object\n"
    "            fields:\n"
    "              - {name: email, type: email, required: true}\n"
    "              - name: nested\n"
    "                type: list\n"
    "                fields: [{name: k, type: enum, values: [p, q]}]\n"
    "      - {name: h, type: host}\n"
    "      - {name: p, type: ports}\n"
    "      - name: rules\n"
    "        type: list\n"
    "        max: 8\n"
    "        fields:\n"
    "          - {name: hosts, type: list, items: host, required: true}\n"
    "          - {name: ports, type: ports, required: true}\n"
    "          - {name: protocol, type: enum, values: [TCP, UDP]}\n"
    "          - {name: start, type: date}\n"
    "          - name: via\n"
    "            type: object\n"
    "            fields: [{name: gw, type: host}, {name: p, type: ports}]\n";

static struct procdef *sample, *decl;
static const struct step_def *review, *all;

static void
init(void)
{
	struct sf_error err;

	for (size_t i = 0; process_files[i].name; i++)
		if (strcmp(process_files[i].name, "sample.approval.yaml") ==
			0 &&
		    procdef_parse(process_files[i].data, process_files[i].len,
				  process_files[i].name, &sample, &err))
			abort();
	if (!sample || !(review = procdef_step(sample, "review_ds")))
		abort();
	if (procdef_parse(nested, sizeof(nested) - 1, "nested.yaml", &decl,
			  &err) ||
	    !(all = procdef_step(decl, "all")))
		abort();
}

static void
one(const struct field_def *fields, size_t n, json_t *in)
{
	struct sf_error err = {0};
	json_t *out = NULL, *again = NULL;

	if (fields_validate(fields, n, in, &out, &err) != SF_OK) {
		if (out || err.status != SF_INVALID || !err.message[0])
			abort();
		/* Errors go back to people as JSON: they must be UTF-8. */
		if (!(again = json_string(err.message)))
			abort();
		json_decref(again);
		if (!(again = json_string(err.field)))
			abort();
		json_decref(again);
		return;
	}
	/* The normal form validates to itself. */
	if (fields_validate(fields, n, out, &again, &err) != SF_OK ||
	    !json_equal(out, again))
		abort();
	json_decref(again);
	json_decref(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *in;

	if (!sample)
		init();
	in = json_loadb((const char *)data, size, JSON_ALLOW_NUL, &jerr);
	if (!in)
		return 0;
	one(review->fields, review->nfields, in);
	one(sample->fields, sample->nfields, in);
	one(all->fields, all->nfields, in);
	json_decref(in);
	return 0;
}
