/*
 * buf.h - growable byte buffer.
 *
 * Invariants: data is never NULL after buf_init and always NUL-terminated;
 * len never exceeds max (when max is not 0), appends past max fail with -1
 * and leave the buffer unchanged.
 */
#ifndef SF_BUF_H
#define SF_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* 0: unlimited */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Give the data to the caller (who frees it); the buffer is re-inited. */
char *buf_detach(struct buf *b, size_t *len);

#endif
