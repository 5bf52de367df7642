/*
 * parse.h - small parsers of user-given text the CLI and the API share.
 */
#ifndef SF_PARSE_H
#define SF_PARSE_H

#include <stdint.h>

/* A positive decimal id (an object's); -1 when S is not one. */
int sf_parse_id(const char *s, int64_t *id);

#endif
