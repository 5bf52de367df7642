/*
 * setup.h - bring a database to the current schema and give it the
 * default holiday calendar (data/holidays-ec.ics, built in) when it has
 * none yet.  Used by `secflow migrate`, every other verb and the server.
 */
#ifndef SF_SETUP_H
#define SF_SETUP_H

#include "store/store.h"

enum sf_status setup_database(struct store *st, int *applied,
			      struct sf_error *err);
/* Import the holidays of an iCalendar text into the store, in one
 * transaction (audited).  *COUNT gets the number of days. */
enum sf_status setup_import_holidays(struct store *st, const char *text,
				     size_t len, const char *filename,
				     const char *who, int *count,
				     struct sf_error *err);

#endif
