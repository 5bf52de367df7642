/* testutil.h - small helpers shared by the cmocka unit tests. */
#ifndef SF_TESTUTIL_H
#define SF_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh empty directory under $TMPDIR; caller frees the string. */
char *tu_tempdir(void);
/* Remove a directory tree made by tu_tempdir. */
void tu_rmtree(const char *dir);
/* Whole file into a NUL-terminated string (caller frees), or NULL. */
char *tu_read_file(const char *path, size_t *len);
int tu_write_file(const char *path, const char *text);
/* Path of a file in the source tree ($SECFLOW_SOURCE_DIR/rel); caller
 * frees. */
char *tu_source_path(const char *rel);

#endif
