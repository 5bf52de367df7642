/*
 * audit.h - the hash-chained audit trail.
 *
 * Each record holds the SHA-256 of the previous one; its own hash covers
 * every field, each written as "<length>:<bytes>" so no field can bleed
 * into the next.  Records are written in the transaction of the change
 * they describe (the caller's).
 */
#ifndef SF_AUDIT_H
#define SF_AUDIT_H

#include <jansson.h>

#include "auth/actor.h"
#include "store/store.h"

/*
 * Append one record: WHO acting as ROLE (may be NULL), OBJECT ("samples/3"),
 * ACTION ("step:review_ds"), BEFORE and AFTER (JSON, may be NULL; not
 * stolen).  Must run inside a write transaction.
 */
enum sf_status audit_append(struct store *st, const struct actor *who,
			    const char *role, const char *acting_for,
			    const char *object, const char *action,
			    json_t *before, json_t *after, sf_time now,
			    struct sf_error *err);

/* Check the whole chain.  SF_OK when it holds; SF_INVALID with the id of
 * the first broken record in *BAD_ID and a message saying why. */
enum sf_status audit_verify(struct store *st, int64_t *bad_id, int64_t *count,
			    struct sf_error *err);

/* The records of OBJECT (NULL: all) as a JSON array. */
enum sf_status audit_list(struct store *st, const char *object, json_t **out,
			  struct sf_error *err);

#endif
