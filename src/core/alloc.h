/*
 * alloc.h - allocation that never returns NULL: on exhaustion secflow
 * aborts with a message, so callers never test for NULL.
 */
#ifndef SF_ALLOC_H
#define SF_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);		/* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* Wipe N bytes at P (secrets) and free P. */
void xfree_secret(void *p, size_t n);
/* Copy SRC into DST of size N, always terminated; returns strlen(src). */
size_t xstrlcpy(char *dst, const char *src, size_t n);

#endif
