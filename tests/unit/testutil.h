/* testutil.h - small helpers shared by the cmocka unit tests. */
#ifndef SF_TESTUTIL_H
#define SF_TESTUTIL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"

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

/*
 * A fake SMTP server on 127.0.0.1: one connection, just enough SMTP for
 * libcurl, served by a thread.  Every wait is bounded (accept and each
 * read give up after TU_SMTP_TIMEOUT_MS and set error).  Read the
 * results only after tu_smtp_stop.
 */
#define TU_SMTP_TIMEOUT_MS 10000

struct tu_smtp {
	int lsock; /* bound socket, -1 once closed */
	int port;
	int fail_data; /* answer 451 to DATA */
	int started;
	pthread_t thread;
	struct buf mail_from; /* the MAIL FROM argument */
	struct buf rcpts;     /* one "<addr>\n" per RCPT */
	struct buf data;      /* DATA payload, dot-stuffed, without ".\r\n" */
	int got_quit;
	int got_data_end;
	int error; /* the server itself failed (timeout...) */
};

/* Initialise S and bind 127.0.0.1 on a free port without listening: a
 * connection is refused, yet the port stays ours until tu_smtp_start
 * serves on it.  The port goes to S->port and, when not NULL, *PORT. */
void tu_smtp_bind(struct tu_smtp *s, int *port);
/* Listen on the socket of tu_smtp_bind and serve one connection in a
 * thread; FAIL_DATA makes the server answer 451 to DATA. */
void tu_smtp_start(struct tu_smtp *s, int fail_data);
/* Wait for the server thread (bounded by its timeouts); close the socket. */
void tu_smtp_stop(struct tu_smtp *s);
/* Free the buffers of S and close its socket if still open. */
void tu_smtp_release(struct tu_smtp *s);

#endif
