/*
 * conventions.h - the security conventions module (seed 000, SPEC 3.1):
 * the hooks that give convention.create, convention.amend_dg and
 * convention.amend_ishs their data (number, Part 1 and Part 2, accesses,
 * signatures, tickets, tokens), and what the API and CLI add to the
 * generic object routes: companies, amendments, Part 1 reads, the
 * progress report and the connectivity incident call.
 */
#ifndef SF_CONVENTIONS_H
#define SF_CONVENTIONS_H

#include <jansson.h>

#include "engine/engine.h"

extern const struct module_hooks conventions_create_hooks;
extern const struct module_hooks conventions_amend_dg_hooks;
extern const struct module_hooks conventions_amend_ishs_hooks;

/* Register company NAME (ds, admin); audited.  SF_CONFLICT when it
 * exists. */
enum sf_status company_add(struct engine *e, const struct actor *who,
			   const char *name, json_t **out,
			   struct sf_error *err);
/* The companies WHO may see (a company user: its own). */
enum sf_status company_list(struct engine *e, const struct actor *who,
			    json_t **out, struct sf_error *err);

/* Start an amendment of convention ID: KIND "dg" or "ishs"; *AID gets
 * the amendment's id. */
enum sf_status convention_amend(struct engine *e, const struct actor *who,
				int64_t id, const char *kind, int64_t *aid,
				struct sf_error *err);

/* Part 1 version VERSION (0: the latest) of convention ID, decrypted:
 * only DS and the convention's company; every read is audited.  *DATA
 * (wiped and freed by the caller with xfree_secret), *LEN, *FILENAME
 * (new string). */
enum sf_status convention_part1(struct engine *e, const struct actor *who,
				int64_t id, int version, unsigned char **data,
				size_t *len, char **filename,
				struct sf_error *err);

/* The progress report of convention ID: every phase and step with its
 * date, who, SMT references and time against the SLA. */
enum sf_status convention_progress(struct engine *e, const struct actor *who,
				   int64_t id, json_t **out,
				   struct sf_error *err);
/* The same as Markdown (new string). */
char *convention_progress_md(json_t *report);

/* The text of a connectivity incident call to the Commission help desk
 * (seed 000 §1.4) for the tokens SERIALS (a JSON array of strings) of
 * convention ID; a serial not of that convention is refused (422). */
enum sf_status convention_call(struct engine *e, const struct actor *who,
			       int64_t id, json_t *serials,
			       const char *problem, json_t **out,
			       struct sf_error *err);

#endif
