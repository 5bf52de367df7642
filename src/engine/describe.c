/* describe.c - a process definition as Graphviz DOT and as JSON. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/engine.h"
#include "engine/fields.h"

/* DOT string literal: quotes and backslashes escaped. */
static void
dot_str(struct buf *b, const char *s)
{
	buf_adds(b, "\"");
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_adds(b, "\\");
		if (*s == '\n') {
			buf_adds(b, "\\n");
			continue;
		}
		buf_add(b, s, 1);
	}
	buf_adds(b, "\"");
}

static void
roles_line(struct buf *b, const struct step_def *sd)
{
	for (size_t i = 0; i < sd->nroles; i++)
		buf_addf(b, "%s%s", i ? ", " : "", sd->roles[i]);
}

char *
engine_dot(const struct procdef *def)
{
	struct buf b, label;
	char *dot;
	int ends = 0;

	buf_init(&b, 0);
	buf_init(&label, 0);
	buf_adds(&b, "digraph ");
	dot_str(&b, def->name);
	buf_adds(&b, " {\n\trankdir=LR;\n\tnode [shape=box, style=rounded, "
		     "fontname=\"sans-serif\"];\n\tstart [shape=circle, "
		     "label=\"\", width=0.2, style=filled, fillcolor=black];\n");
	for (size_t i = 0; i < def->nsteps; i++) {
		const struct step_def *sd = &def->steps[i];

		buf_reset(&label);
		buf_adds(&label, sd->title ? sd->title : sd->id);
		buf_addf(&label, "\n[%s]\n", sd->id);
		if (sd->kind == STEP_WAIT)
			buf_adds(&label, "timer");
		else
			roles_line(&label, sd);
		if (sd->has_sla)
			buf_addf(&label, "\nSLA %d %s", sd->sla.amount,
				 sd->sla.unit == DUR_WORKING_DAYS
					 ? "working days"
					 : "days");
		buf_adds(&b, "\t");
		dot_str(&b, sd->id);
		buf_adds(&b, " [label=");
		dot_str(&b, label.data);
		if (sd->njoin)
			buf_adds(&b, ", shape=box, peripheries=2");
		if (sd->nwhen)
			buf_adds(&b, ", style=\"rounded,dashed\"");
		buf_adds(&b, "];\n");
	}
	for (size_t i = 0; i < def->nstart; i++) {
		buf_adds(&b, "\tstart -> ");
		dot_str(&b, def->start[i]);
		buf_adds(&b, ";\n");
	}
	for (size_t i = 0; i < def->nsteps; i++) {
		const struct step_def *sd = &def->steps[i];
		for (size_t k = 0; k < sd->noutcomes; k++) {
			const struct outcome *o = &sd->outcomes[k];
			buf_reset(&label);
			for (size_t c = 0; c < o->nwhen; c++) {
				buf_addf(&label, "%s%s%s", c ? ", " : "",
					 o->when[c].field,
					 o->when[c].op == COND_NE ? " != "
								  : " = ");
				for (size_t v = 0; v < o->when[c].nvalues; v++)
					buf_addf(&label, "%s%s", v ? "|" : "",
						 o->when[c].values[v]);
			}
			if (o->end) {
				ends = 1;
				buf_adds(&b, "\t");
				dot_str(&b, sd->id);
				buf_adds(&b, " -> end [label=");
				dot_str(&b, label.data);
				buf_adds(&b, "];\n");
			}
			for (size_t n = 0; n < o->nnext; n++) {
				if (strcmp(o->next[n], "end") == 0)
					ends = 1;
				buf_adds(&b, "\t");
				dot_str(&b, sd->id);
				buf_adds(&b, " -> ");
				dot_str(&b, o->next[n]);
				buf_adds(&b, " [label=");
				dot_str(&b, label.data);
				buf_adds(&b, "];\n");
			}
		}
	}
	if (ends)
		buf_adds(&b, "\tend [shape=doublecircle, label=\"\", "
			     "width=0.2, style=filled, fillcolor=black];\n");
	buf_adds(&b, "}\n");
	buf_release(&label);
	dot = buf_detach(&b, NULL);
	buf_release(&b); /* detach re-inits B */
	return dot;
}

static json_t *
strv(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *
unit_name(enum dur_unit u)
{
	switch (u) {
	case DUR_WORKING_DAYS:
		return "working_days";
	case DUR_DAYS:
		return "days";
	case DUR_WEEKS:
		return "weeks";
	case DUR_MONTHS:
		return "months";
	}
	return "days";
}

static json_t *
dur_json(const struct duration *d)
{
	return json_pack("{s:i, s:s}", "amount", d->amount, "unit",
			 unit_name(d->unit));
}

static json_t *
cond_json(const struct cond *c, size_t n)
{
	static const char *ops[] = {"eq", "in", "not", "set", "unset"};
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:o}", "field", c[i].field,
				     "op", ops[c[i].op], "values",
				     strv(c[i].values, c[i].nvalues)));
	return a;
}

json_t *
engine_def_json(const struct procdef *def)
{
	json_t *steps = json_array(), *starters;
	json_t *scopes = json_object();

	for (size_t i = 0; i < def->nscopes; i++)
		json_object_set_new(scopes, def->scopes[i].role,
				    json_string(def->scopes[i].field));
	for (size_t i = 0; i < def->nsteps; i++) {
		const struct step_def *sd = &def->steps[i];
		json_t *outs = json_array();
		json_t *s;
		json_t *rem = json_array();

		for (size_t k = 0; k < sd->noutcomes; k++)
			json_array_append_new(
				outs,
				json_pack("{s:o, s:o, s:b}", "when",
					  cond_json(sd->outcomes[k].when,
						    sd->outcomes[k].nwhen),
					  "next",
					  strv(sd->outcomes[k].next,
					       sd->outcomes[k].nnext),
					  "end", sd->outcomes[k].end));
		for (size_t k = 0; k < sd->nreminders; k++)
			json_array_append_new(rem, dur_json(&sd->reminders[k]));
		s = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			      "id", sd->id, "title",
			      sd->title ? sd->title : sd->id, "kind",
			      sd->kind == STEP_WAIT ? "wait" : "task", "roles",
			      strv(sd->roles, sd->nroles), "fields",
			      fields_describe(sd->fields, sd->nfields), "when",
			      cond_json(sd->when, sd->nwhen), "join",
			      strv(sd->join, sd->njoin), "outcomes", outs,
			      "reminders", rem);
		if (sd->description)
			json_object_set_new(s, "description",
					    json_string(sd->description));
		json_object_set_new(s, "sla",
				    sd->has_sla ? dur_json(&sd->sla)
						: json_null());
		json_array_append_new(steps, s);
	}
	/* Who may start an instance: the starters, or else the roles of
	 * the start steps (for forms: whether to offer "new"). */
	if (def->nstarters) {
		starters = strv(def->starters, def->nstarters);
	} else {
		starters = json_array();
		for (size_t i = 0; i < def->nstart; i++)
			for (size_t k = 0; k < def->nsteps; k++) {
				const struct step_def *sd = &def->steps[k];
				if (strcmp(sd->id, def->start[i]) != 0)
					continue;
				for (size_t r = 0; r < sd->nroles; r++)
					json_array_append_new(
						starters,
						json_string(sd->roles[r]));
			}
	}
	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:o, s:o, "
			 "s:o}",
			 "name", def->name, "title",
			 def->title ? def->title : def->name, "version",
			 def->version, "object", def->object, "hash",
			 def->hash, "fields",
			 fields_describe(def->fields, def->nfields), "scopes",
			 scopes, "readers", strv(def->readers, def->nreaders),
			 "start", strv(def->start, def->nstart), "starters",
			 starters, "steps", steps);
}
