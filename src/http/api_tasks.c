/* api_tasks.c - GET /api/v1/tasks: what waits for the caller. */
#include <string.h>

#include "http/api.h"

int
api_tasks(struct api_call *c)
{
	struct sf_error err = {0};
	json_t *tasks;

	if (c->nseg != 1 || strcmp(c->seg[0], "tasks") != 0)
		return 0;
	if (!api_need_user(c))
		return 1;
	if (engine_tasks(c->eng, &c->who, &tasks, &err))
		api_error(c, &err);
	else
		api_json(c, 200, tasks);
	return 1;
}
