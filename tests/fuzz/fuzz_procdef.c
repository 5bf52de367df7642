/*
 * fuzz_procdef.c - libFuzzer target for procdef_parse().
 *
 * The input is parsed from an exact-size heap copy (the parser takes a
 * length and must not read past it).  A definition that loads is walked
 * the way the engine walks it; one that does not must say where, as
 * "fuzz.yaml:LINE: ...".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/alloc.h"
#include "engine/fields.h"
#include "engine/procdef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every id that next/join/start names is a step (or "end" for next). */
static void
check_def(const struct procdef *def)
{
	json_t *d;

	for (size_t i = 0; i < def->nstart; i++)
		if (!procdef_step(def, def->start[i]))
			abort();
	for (size_t i = 0; i < def->nsteps; i++) {
		const struct step_def *s = &def->steps[i];

		if (procdef_step(def, s->id) != s || s->noutcomes == 0)
			abort();
		for (size_t j = 0; j < s->njoin; j++)
			if (!procdef_step(def, s->join[j]))
				abort();
		for (size_t o = 0; o < s->noutcomes; o++)
			for (size_t k = 0; k < s->outcomes[o].nnext; k++)
				if (strcmp(s->outcomes[o].next[k], "end") &&
				    !procdef_step(def, s->outcomes[o].next[k]))
					abort();
		d = fields_describe(s->fields, s->nfields);
		json_decref(d);
	}
	for (size_t i = 0; i < def->nscopes; i++)
		if (!procdef_scope_field(def, def->scopes[i].role))
			abort();
	d = fields_describe(def->fields, def->nfields);
	json_decref(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procdef *def = NULL;
	struct sf_error err = {0};
	char *exact = xmalloc(size);
	const char *p;

	memcpy(exact, data, size);
	if (procdef_parse(exact, size, "fuzz.yaml", &def, &err) == SF_OK) {
		if (!def || strlen(def->hash) != 64 ||
		    memcmp(def->source, data, size) != 0)
			abort();
		check_def(def);
		procdef_free(def);
	} else {
		/* "fuzz.yaml:" then a line number >= 1 then ": " */
		if (def || err.status != SF_INVALID ||
		    strncmp(err.message, "fuzz.yaml:", 10) != 0)
			abort();
		p = err.message + 10;
		if (*p < '1' || *p > '9')
			abort();
		while (*p >= '0' && *p <= '9')
			p++;
		if (p[0] != ':' || p[1] != ' ')
			abort();
	}
	free(exact);
	return 0;
}
