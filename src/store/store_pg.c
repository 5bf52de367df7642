/*
 * store_pg.c - the PostgreSQL backend.  Not built yet (issue "PostgreSQL
 * and several nodes"): store_open() then refuses postgres:// URLs with a
 * clear error instead of pretending.
 */
#include "store.h"

const struct store_ops *store_pg_ops_get(void);

const struct store_ops *
store_pg_ops_get(void)
{
	return NULL;
}
