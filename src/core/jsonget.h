/*
 * jsonget.h - reading a field of a JSON object leniently, for code that
 * formats what it finds (reports, workbooks, e-mails) and treats a missing
 * field as empty.
 */
#ifndef SF_JSONGET_H
#define SF_JSONGET_H

#include <jansson.h>

/* The string at O[KEY], or "" when O is not an object, KEY is absent or
 * its value is not a string.  Borrowed from O. */
const char *json_get_str(json_t *o, const char *key);

#endif
