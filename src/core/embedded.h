/* embedded.h - files built into the binary (see cmake/embed.cmake). */
#ifndef SF_EMBEDDED_H
#define SF_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* base name, e.g. "001_init.sql" */
	const char *data; /* NUL-terminated */
	size_t len;
};

/* Each list is sorted by name and ends with an entry whose name is NULL. */
extern const struct embedded_file sqlite_migrations[];
extern const struct embedded_file pg_migrations[];
extern const struct embedded_file process_files[];
extern const struct embedded_file data_files[];
extern const struct embedded_file web_files[]; /* web/: the UI */

#endif
