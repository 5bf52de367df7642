/*
 * inc_internal.h - what the files of the incidents module share.
 */
#ifndef SF_INC_INTERNAL_H
#define SF_INC_INTERNAL_H

#include <jansson.h>

#include "engine/engine.h"
#include "modules/incidents/email_in.h"

/* An e-mail being registered, handed from incident_intake to the
 * on_start hook of the same thread. */
struct inc_pending {
	const struct email_msg *mail;
	const char *raw;
	size_t rawlen;
};
extern __thread const struct inc_pending *inc_pending;

/* Scan the incident's texts (DATA's title and description, and MAIL's
 * headers and bodies when given) for the keyword list of ST: sets
 * "flagged", "matches" and "indicators" in DATA; *NEWLY when it was not
 * flagged before. */
enum sf_status inc_scan(struct store *st, json_t *data,
			const struct email_msg *mail, int *newly,
			struct sf_error *err);
/* Tell the security mailbox that the incident OBJECT was flagged. */
enum sf_status inc_notify_flagged(struct engine *e, json_t *data,
				  const char *object, sf_time now,
				  struct sf_error *err);

/* Related incidents of INST (SEC.4.1 correlation): a new array of
 * {"incident", "reference", "reasons", "actions"}. */
json_t *inc_correlations(struct engine *e, const struct actor *who,
			 struct instance *inst);
/* IPv4 addresses and host names in TEXT, added to the array SET once. */
void inc_indicators(const char *text, size_t len, json_t *set);

/* The step logic of evidence, actions, impact and report. */
enum sf_status inc_step(struct hook_ctx *c, struct sf_error *err);

#endif
