/*
 * na_map.h - the admin-editable organisation → NA table (SPEC 3.3): the
 * NA of a Webportal user whose list has no NA column comes from the
 * user's organisation through this table (catalogue kind "na_map").
 *
 * Organisations match case-insensitively with runs of white space as one
 * and no leading or trailing white space ("Douane  BE" = "douane be");
 * the name as first given is kept for display.  An NA code is 1 to 16
 * ASCII letters, digits, '-' or '_', stored in capitals ("be" → "BE").
 */
#ifndef SF_NA_MAP_H
#define SF_NA_MAP_H

#include <jansson.h>

#include "auth/actor.h"
#include "core/status.h"
#include "store/store.h"

/* Map ORGANISATION to NA CODE (admin only; replaces an earlier mapping);
 * audited as "na_map:set" on object "na_map/<organisation>", in its own
 * transaction.  SF_INVALID naming the field on a bad name or code. */
enum sf_status na_map_set(struct store *st, const struct actor *who,
			  const char *organisation, const char *code,
			  struct sf_error *err);

/* Remove the mapping of ORGANISATION (admin; audited); SF_NOT_FOUND when
 * there is none. */
enum sf_status na_map_remove(struct store *st, const struct actor *who,
			     const char *organisation, struct sf_error *err);

/* The NA of ORGANISATION into *CODE (caller frees); SF_NOT_FOUND when
 * the table has none.  Reads in the caller's transaction, if any. */
enum sf_status na_map_lookup(struct store *st, const char *organisation,
			     char **code, struct sf_error *err);

/* Every mapping by organisation: [{"organisation", "na", "updated"}]
 * (new reference). */
enum sf_status na_map_list(struct store *st, json_t **out,
			   struct sf_error *err);

#endif
