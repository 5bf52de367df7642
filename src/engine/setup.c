/* setup.c - migrations (and the access keys migration 004 asks the
 * engine to build) and the default calendar. */
#include "setup.h"

#include <string.h>

#include "core/calendar.h"
#include "core/embedded.h"
#include "engine/access.h"
#include "engine/audit.h"

struct import_ctx {
	struct store *st;
	struct sf_error *err;
	int count;
};

static int
import_one(void *p, sf_date day, const char *name)
{
	struct import_ctx *c = p;

	if (c->st->ops->holiday_put(c->st, day, name ? name : "holiday",
				    c->err))
		return 1;
	c->count++;
	return 0;
}

enum sf_status
setup_import_holidays(struct store *st, const char *text, size_t len,
		      const char *filename, const char *who, int *count,
		      struct sf_error *err)
{
	struct import_ctx c = {st, err, 0};
	struct actor a = {0};
	json_t *after;
	enum sf_status r;

	r = st->ops->begin(st, err);
	if (r)
		return r;
	r = calendar_parse_ics(text, len, filename, import_one, &c, err);
	if (r)
		goto fail;
	a.name = (char *)(who ? who : "system");
	after = json_pack("{s:s, s:i}", "file", filename, "days", c.count);
	r = audit_append(st, &a, NULL, NULL, "calendar", "import", NULL, after,
			 clock_now(), err);
	json_decref(after);
	if (r)
		goto fail;
	if (count)
		*count = c.count;
	return st->ops->commit(st, err);
fail:
	st->ops->rollback(st);
	return r;
}

enum sf_status
setup_database(struct store *st, int *applied, struct sf_error *err)
{
	json_t *h;
	enum sf_status r;
	int n = 0;

	r = st->ops->migrate(st, &n, err);
	if (r)
		return r;
	r = access_rebuild_if_needed(st, err);
	if (r)
		return r;
	if (applied)
		*applied = n;
	r = st->ops->holidays(st, &h, err);
	if (r)
		return r;
	if (json_object_size(h) == 0) {
		for (const struct embedded_file *f = data_files; f->name;
		     f++) {
			if (strcmp(f->name, "holidays-ec.ics") == 0) {
				r = setup_import_holidays(
					st, f->data, f->len,
					"data/holidays-ec.ics", "system", NULL,
					err);
				break;
			}
		}
	}
	json_decref(h);
	return r;
}
