/*
 * walstamp.h - has a SQLite database in WAL mode changed? answered without
 * a transaction, from the wal-index header in the database's -shm file.
 *
 * SQLite itself decides whether its page cache is still good by comparing
 * this header (documented in https://sqlite.org/walformat.html, "the
 * wal-index header"): every commit, from any connection of any process,
 * rewrites it (the change counter, the last frame and its checksum), and a
 * restarted WAL gets new salts.  Reading it costs a few loads where a read
 * transaction costs locks and system calls, so a cached answer can be
 * checked at almost no cost (http/api_tasks.c, the session cache).
 */
#ifndef SECFLOW_STORE_WALSTAMP_H
#define SECFLOW_STORE_WALSTAMP_H

#include <stdint.h>

struct walstamp {
	int fd;			      /* the -shm file, or -1 */
	const volatile unsigned char *map; /* its first bytes, or NULL */
};

/* Start with nothing mapped. */
void walstamp_init(struct walstamp *w);

/* Map DB_PATH's -shm file if it is there and not yet mapped.  Call it only
 * while a connection to DB_PATH is open and has read once: SQLite keeps
 * the file (the same inode) for as long as any connection is open. */
void walstamp_attach(struct walstamp *w, const char *db_path);

/* The stamp of the last commit in OUT (OUT[1] has its top bit set, so it
 * is never 0 nor a stamp made another way): 0, or -1 when
 * nothing is mapped or a writer is rewriting the header right now (ask the
 * database instead). */
int walstamp_read(const struct walstamp *w, uint64_t out[2]);

/* Unmap and close. */
void walstamp_release(struct walstamp *w);

#endif
