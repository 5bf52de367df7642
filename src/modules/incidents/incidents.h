/*
 * incidents.h - the security incident module (seed 002 SEC.4, seed 001
 * §6, SPEC 3.2): intake from the Service Desk's tool (JSON) and from
 * e-mail files, keyword detection, the hooks of incident.handle
 * (screening, correlation, evidence, emergency actions, impact, report),
 * and the Security Incident Report.
 */
#ifndef SF_INCIDENTS_H
#define SF_INCIDENTS_H

#include <jansson.h>

#include "engine/engine.h"

extern const struct module_hooks incidents_hooks;

/*
 * Register an incident (or modify the one with the same reference):
 * FIELDS {"reference", "title", "description", "na", "systems",
 * "reporter"}, or an e-mail RAW[0..LEN) (FIELDS may then be NULL or give
 * what the message does not).  Scans it for the security keywords; a
 * match flags it and tells the security mailbox.  *ID gets the incident,
 * *CREATED whether it is new.
 */
enum sf_status incident_intake(struct engine *e, const struct actor *who,
			       json_t *fields, const char *raw, size_t len,
			       int64_t *id, int *created,
			       struct sf_error *err);

/* The Security Incident Report of incident ID as FORMAT "md", "html" or
 * "pdf": *DATA (new), *LEN, *CTYPE (static). */
enum sf_status incident_report(struct engine *e, const struct actor *who,
			       int64_t id, const char *format, char **data,
			       size_t *len, const char **ctype,
			       struct sf_error *err);

/* Routine incident types: the seed's three and those an admin adds. */
enum sf_status routine_types(struct store *st, json_t **out,
			     struct sf_error *err);
enum sf_status routine_type_add(struct store *st, const struct actor *who,
				const char *name, struct sf_error *err);
enum sf_status routine_type_remove(struct store *st,
				   const struct actor *who, const char *name,
				   struct sf_error *err);

#endif
