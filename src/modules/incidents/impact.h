/*
 * impact.h - "high impact" of a security incident (seed 001 §6.2, seed
 * 002 SEC.4.5): a significant impact on the availability or the integrity
 * of a system DG TAXUD classifies "critical" or "strategic", or an impact
 * on the confidentiality or the integrity of information it classifies
 * "limited".  The systems' classification is data (catalogue "system",
 * `secflow system set`); the decision is computed, never typed.
 */
#ifndef SF_IMPACT_H
#define SF_IMPACT_H

#include <jansson.h>

#include "core/status.h"
#include "store/store.h"

/* The classifications a system may have. */
int impact_classification_ok(const char *c);

/*
 * Decide from ASSESS (the assess_impact input: "systems" [{name,
 * availability, integrity}], "information" [{classification,
 * confidentiality, integrity}]) with the systems' classifications read
 * from ST.  *HIGH gets the answer, *REASONS (new array of strings) why.
 * A system with no classification is an error naming it (422).
 */
enum sf_status impact_assess(struct store *st, json_t *assess, int *high,
			     json_t **reasons, struct sf_error *err);

/* Set (admin) or list the classification of systems; audited. */
enum sf_status system_set(struct store *st, const struct actor *who,
			  const char *name, const char *classification,
			  struct sf_error *err);
enum sf_status system_list(struct store *st, json_t **out,
			   struct sf_error *err);

#endif
