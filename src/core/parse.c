/* parse.c - see parse.h. */
#include "core/parse.h"

#include <stdlib.h>

int
sf_parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return -1;
	*id = v;
	return 0;
}
