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

/*
 * The database of a test, from one place.  With SECFLOW_TEST_BACKEND=pg a
 * fresh PostgreSQL database is created on the server of $SECFLOW_TEST_PG
 * (a URL; the test aborts when it is missing: never a silent skip) and
 * its URL returned; otherwise DIR/secflow.db.  Caller frees.
 */
char *tu_db_url(const char *dir);
/* 1 when the tests run on PostgreSQL (SECFLOW_TEST_BACKEND=pg). */
int tu_db_is_pg(void);
/* Drop the database of URL made by tu_db_url (PostgreSQL only; a SQLite
 * file goes with its folder).  Call it once the store is closed. */
void tu_db_drop(const char *url);
/* Run SQL (one or more statements) on URL with a connection of our own,
 * behind the store's back, on either backend; fails the test on error. */
void tu_db_exec(const char *url, const char *sql);
/* The same for one statement with text parameters $1..$N. */
void tu_db_exec_params(const char *url, const char *sql, int n,
		       const char *const *params);
/* How many rows the last tu_db_exec* changed (its last statement). */
long tu_db_changes(void);
/* The first column of the first row of SQL on URL: as an integer, or as
 * text (caller frees; NULL for SQL NULL). */
int64_t tu_db_int(const char *url, const char *sql);
char *tu_db_text(const char *url, const char *sql);

#endif
