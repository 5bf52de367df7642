/*
 * conv_internal.h - what the files of the conventions module share.
 */
#ifndef SF_CONV_INTERNAL_H
#define SF_CONV_INTERNAL_H

#include <jansson.h>

#include "engine/engine.h"

/* The day of NOW as YYYY-MM-DD. */
void conv_day(sf_time now, char out[16]);
/* Has the convention whose data is DATA expired at NOW? */
int conv_expired(json_t *data, sf_time now);
/* Does STEP grant access (refused after the expiry)? */
int conv_grants_access(const char *step);
/* 409 when step C would grant access on a convention (DATA) that has
 * expired. */
enum sf_status conv_refuse_expired(struct hook_ctx *c, json_t *data,
				   struct sf_error *err);
/* The phase a step belongs to: preparation, validation, signature,
 * implementation, tokens, removal. */
const char *conv_phase_of(const char *step);

/* Append a record {step, by, role, date, ...EXTRA} to array KEY of DATA
 * (EXTRA stolen). */
void conv_record(json_t *data, const char *key, struct hook_ctx *c,
		 json_t *extra);

/* What the creation and the amendments do alike on their own DATA
 * (the expiry refusal, reviews, signatures, tickets, Part 1); *HANDLED
 * when the step was fully handled. */
enum sf_status conv_common_step(struct hook_ctx *c, json_t *data,
				int *handled, struct sf_error *err);
/* The convention's view parts (number, parties, accesses...) into OUT. */
void conv_view_parts(json_t *data, json_t *out);

/* Part 2 (conv_part2.c): check the accesses of INPUT against the
 * convention's expiry (422 naming accesses[i].field); then make them
 * the current Part 2 of DATA with ids and a new version. */
enum sf_status conv_part2_check(json_t *accesses, const char *expires,
				struct sf_error *err);
void conv_part2_apply(json_t *data, json_t *input, json_t *accesses,
		      struct hook_ctx *c);
/* Both: the Part 2 of step C's input, checked then made DATA's. */
enum sf_status conv_part2_take(struct hook_ctx *c, json_t *data,
			       struct sf_error *err);
/* ISHS change: impacted accesses end at migration + months; new ones
 * end at the convention's expiry.  Builds the new list from the
 * parent's accesses PARENT_ACC into DATA. */
enum sf_status conv_part2_ishs(json_t *data, json_t *parent_acc,
			       json_t *input, struct hook_ctx *c,
			       struct sf_error *err);

/* May WHO read Part 1 of a convention with DATA: DS or its company
 * (seed 000 step 3). */
int conv_may_read_part1(const struct actor *who, json_t *data);

/* Part 1 (conv_part1.c): encrypt the uploaded document of INPUT and
 * replace it there by its metadata. */
enum sf_status conv_part1_store(struct hook_ctx *c, struct sf_error *err);

/* Tokens (conv_tokens.c): the token steps on DATA (the convention's). */
enum sf_status conv_token_step(struct hook_ctx *c, json_t *data,
			       struct sf_error *err);
/* Schedule the 90/30/7-day warnings before EXPIRES for the convention
 * (SERIAL NULL) or a token. */
enum sf_status conv_schedule_warnings(struct hook_ctx *c, int64_t inst,
				      const char *serial, const char *expires,
				      struct sf_error *err);
/* The module's jobs: expiry warnings, the expiry itself. */
enum sf_status conv_on_job(struct engine *e, const struct actor *sys,
			   struct instance *inst, const struct procdef *def,
			   const char *kind, json_t *payload, sf_time now,
			   struct sf_error *err);

/* The parent convention of an amendment, loaded for update. */
enum sf_status conv_parent_load(struct hook_ctx *c, struct instance *parent,
				struct sf_error *err);
/* Write PARENT back with an audit record ACTION (BEFORE/AFTER not
 * stolen). */
enum sf_status conv_parent_save(struct hook_ctx *c, struct instance *parent,
				const char *action, json_t *before,
				json_t *after, struct sf_error *err);

#endif
