/* api_outbox.c - GET /api/v1/outbox (admin): every queued or sent message. */
#include <string.h>

#include "http/api.h"

int
api_outbox(struct api_call *c)
{
	struct sf_error err = {0};
	struct outbox_list l;
	json_t *arr;

	if (c->nseg != 1 || strcmp(c->seg[0], "outbox") != 0)
		return 0;
	if (!api_need_user(c))
		return 1;
	if (!actor_is_admin(&c->who)) {
		api_fail(c, SF_FORBIDDEN, NULL, "the outbox is for admins");
		return 1;
	}
	if (c->st->ops->outbox_list(c->st, http_query(c->req, "state"), &l,
				    &err)) {
		api_error(c, &err);
		return 1;
	}
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, outbox_row_json(&l.v[i]));
	outbox_list_release(&l);
	api_json(c, 200, arr);
	return 1;
}
