/*
 * registry.h - the process definitions in force, and every older version
 * that running instances still use.
 *
 * Definitions are read from a folder (or, without one, from the copies
 * built into the binary), each validated whole; the first bad file stops
 * the load with its file and line.  Each version's exact source is stored
 * in the database when first used, so an instance keeps the definition it
 * started with even after the file changes.  Thread-safe.
 */
#ifndef SF_REGISTRY_H
#define SF_REGISTRY_H

#include "engine/procdef.h"
#include "store/store.h"

struct registry;

/* DIR NULL: the built-in definitions. */
enum sf_status registry_load(const char *dir, struct registry **out,
			     struct sf_error *err);
void registry_free(struct registry *reg);

size_t registry_count(const struct registry *reg);
const struct procdef *registry_at(const struct registry *reg, size_t i);
/* The current definition named NAME, or NULL. */
const struct procdef *registry_find(const struct registry *reg,
				    const char *name);
/* The current definition whose API plural is OBJECT, or NULL. */
const struct procdef *registry_by_object(const struct registry *reg,
					 const char *object);
/* Database id of DEF's version (stored on first use). */
enum sf_status registry_version_id(struct registry *reg, struct store *st,
				   const struct procdef *def, int64_t *id,
				   struct sf_error *err);
/* The definition version ID (from the database; cached). */
enum sf_status registry_pinned(struct registry *reg, struct store *st,
			       int64_t id, const struct procdef **out,
			       struct sf_error *err);

#endif
