/*
 * walstamp.c - the wal-index header as a change stamp (see walstamp.h).
 *
 * The header is 48 bytes, kept twice at the start of the -shm file, in the
 * machine's byte order: iVersion, unused, iChange, isInit, bigEndCksum,
 * szPage, mxFrame, nPage, aFrameCksum[2], aSalt[2], aCksum[2].  A writer
 * stores the second copy, then a barrier, then the first; a reader reads
 * the first, a barrier, the second, and trusts them only when they are
 * equal, as SQLite's own walIndexTryHdr() does.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "store/walstamp.h"

enum { HDR = 48, MAP = 2 * HDR, WAL_VERSION = 3007000 };

void
walstamp_init(struct walstamp *w)
{
	w->fd = -1;
	w->map = NULL;
}

void
walstamp_attach(struct walstamp *w, const char *db_path)
{
	struct stat sb;
	char *shm;
	void *m;

	if (w->map)
		return;
	shm = xasprintf("%s-shm", db_path);
	w->fd = open(shm, O_RDONLY | O_CLOEXEC);
	free(shm);
	if (w->fd < 0)
		return;
	/* A file shorter than the headers would fault when read. */
	if (fstat(w->fd, &sb) != 0 || sb.st_size < MAP) {
		close(w->fd);
		w->fd = -1;
		return;
	}
	m = mmap(NULL, MAP, PROT_READ, MAP_SHARED, w->fd, 0);
	if (m == MAP_FAILED) {
		close(w->fd);
		w->fd = -1;
		return;
	}
	w->map = m;
}

static uint32_t
u32_at(const unsigned char *h, int off)
{
	uint32_t v;
	memcpy(&v, h + off, 4);
	return v;
}

int
walstamp_read(const struct walstamp *w, uint64_t out[2])
{
	unsigned char a[HDR], b[HDR];

	if (!w->map)
		return -1;
	for (int i = 0; i < HDR; i++)
		a[i] = w->map[i];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < HDR; i++)
		b[i] = w->map[HDR + i];
	if (memcmp(a, b, HDR) != 0 || u32_at(a, 0) != WAL_VERSION || !a[12])
		return -1;
	/* iChange and mxFrame, then the last frame's checksum and the
	 * salts: equal stamps mean the same last commit. */
	out[0] = (uint64_t)u32_at(a, 8) << 32 | u32_at(a, 16);
	out[1] = ((uint64_t)u32_at(a, 24) << 32 | u32_at(a, 28)) ^
		 ((uint64_t)u32_at(a, 32) << 32 | u32_at(a, 36));
	out[1] |= 1ULL << 63; /* never 0, never a data_version stamp */
	return 0;
}

void
walstamp_release(struct walstamp *w)
{
	if (w->map)
		munmap((void *)w->map, MAP);
	if (w->fd >= 0)
		close(w->fd);
	walstamp_init(w);
}
