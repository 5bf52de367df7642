/*
 * jsonget.c - lenient reads of JSON object fields (jsonget.h).
 */
#include "core/jsonget.h"

const char *
json_get_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}
