/* api_processes.c - GET /api/v1/processes[/{name}][?format=dot]. */
#include <stdlib.h>
#include <string.h>

#include "http/api.h"

int
api_processes(struct api_call *c)
{
	const struct procdef *d;
	const char *format;

	if (c->nseg < 1 || strcmp(c->seg[0], "processes") != 0)
		return 0;
	if (!api_need_user(c))
		return 1;
	if (c->nseg == 1) {
		json_t *l = json_array();
		for (size_t i = 0; i < registry_count(c->api->reg); i++) {
			d = registry_at(c->api->reg, i);
			json_array_append_new(
				l, json_pack("{s:s, s:s, s:i, s:s}", "name",
					     d->name, "title",
					     d->title ? d->title : d->name,
					     "version", d->version, "object",
					     d->object));
		}
		api_json(c, 200, l);
		return 1;
	}
	if (c->nseg != 2) {
		api_fail(c, SF_NOT_FOUND, NULL, "no route %s", c->req->path);
		return 1;
	}
	d = registry_find(c->api->reg, c->seg[1]);
	if (!d) {
		api_fail(c, SF_NOT_FOUND, "name", "no process \"%s\"",
			 c->seg[1]);
		return 1;
	}
	format = http_query(c->req, "format");
	if (format && strcmp(format, "dot") == 0) {
		api_text(c, "text/vnd.graphviz; charset=utf-8", engine_dot(d));
		return 1;
	}
	api_json(c, 200, engine_def_json(d));
	return 1;
}
