/*
 * api_tasks.c - GET /api/v1/tasks: what waits for the caller.
 *
 * The answer depends on the caller, the day (overdue) and the data.  Each
 * server thread keeps the last answers it gave, keyed by user, day and the
 * store's generation stamp: while nothing is committed anywhere, a caller
 * asking again gets the same bytes without the query (the landing page of
 * every user polls this).  On a backend that cannot stamp (PostgreSQL)
 * nothing is reused.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "http/api.h"

#define TASK_CACHE 16

struct task_entry {
	int64_t user_id;
	sf_date day;
	uint64_t gen[2];
	char *body;
	size_t len;
};

struct task_cache {
	struct task_entry v[TASK_CACHE];
	unsigned next;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void
cache_free(void *p)
{
	struct task_cache *tc = p;

	for (int i = 0; i < TASK_CACHE; i++)
		free(tc->v[i].body);
	free(tc);
}

static void
cache_key_make(void)
{
	pthread_key_create(&cache_key, cache_free);
}

static struct task_cache *
cache_get(void)
{
	struct task_cache *tc;

	pthread_once(&cache_once, cache_key_make);
	tc = pthread_getspecific(cache_key);
	if (!tc) {
		tc = xcalloc(1, sizeof(*tc));
		pthread_setspecific(cache_key, tc);
	}
	return tc;
}

int
api_tasks(struct api_call *c)
{
	struct sf_error err = {0};
	struct task_cache *tc;
	struct task_entry *hit = NULL;
	uint64_t gen[2] = {0, 0};
	sf_date day;
	json_t *tasks;
	char *s;

	if (c->nseg != 1 || strcmp(c->seg[0], "tasks") != 0)
		return 0;
	if (!api_need_user(c))
		return 1;
	day = date_of(clock_now());
	tc = cache_get();
	if (c->who.user_id && c->st->ops->generation &&
	    c->st->ops->generation(c->st, gen, &err) == SF_OK && gen[1]) {
		for (int i = 0; i < TASK_CACHE; i++) {
			struct task_entry *e = &tc->v[i];
			if (e->body && e->user_id == c->who.user_id &&
			    e->day == day && e->gen[0] == gen[0] &&
			    e->gen[1] == gen[1])
				hit = e;
		}
	}
	if (hit) {
		c->resp->status = 200;
		buf_reset(&c->resp->body);
		buf_add(&c->resp->body, hit->body, hit->len);
		return 1;
	}
	if (engine_tasks(c->eng, &c->who, &tasks, &err)) {
		api_error(c, &err);
		return 1;
	}
	s = json_dumps(tasks, JSON_COMPACT);
	json_decref(tasks);
	c->resp->status = 200;
	buf_reset(&c->resp->body);
	buf_adds(&c->resp->body, s ? s : "[]");
	if (s && gen[1] && c->who.user_id) {
		struct task_entry *e = &tc->v[tc->next++ % TASK_CACHE];
		free(e->body);
		e->user_id = c->who.user_id;
		e->day = day;
		e->gen[0] = gen[0];
		e->gen[1] = gen[1];
		e->len = strlen(s);
		e->body = s;
	} else {
		free(s);
	}
	return 1;
}
