/*
 * conv_companies.c - the external companies a convention may name
 * (SPEC 4: POST/GET /api/v1/companies).  DS (or admin) registers them;
 * a company's own users see only their company.
 */
#include <stdio.h>
#include <string.h>

#include "engine/audit.h"
#include "modules/conventions/conventions.h"

/* A company name: printable, no control characters, 1-200 bytes. */
static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 200 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '/')
			return 0;
	return 1;
}

enum sf_status
company_add(struct engine *e, const struct actor *who, const char *name,
	    json_t **out, struct sf_error *err)
{
	struct store *st = e->st;
	json_t *have = NULL, *data, *after;
	sf_time now = clock_now();
	char object[256], t[32];
	enum sf_status rc;

	*out = NULL;
	if (!actor_has_role(who, "ds") && !actor_is_admin(who))
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only DS or an admin registers companies");
	if (!name || !name_ok(name))
		return sf_fail(err, SF_INVALID, "name",
			       "a company name is 1 to 200 printable "
			       "characters without / or spaces at the ends");
	rc = st->ops->begin(st, err);
	if (rc)
		return rc;
	rc = st->ops->catalog_get(st, "company", name, &have, err);
	json_decref(have);
	if (rc == SF_OK) {
		rc = sf_fail(err, SF_CONFLICT, "name",
			     "company \"%s\" is registered already", name);
		goto fail;
	}
	if (rc != SF_NOT_FOUND)
		goto fail;
	clock_format(now, t);
	data = json_pack("{s:s, s:s, s:s}", "name", name, "registered", t,
			 "by", who->name);
	rc = st->ops->catalog_put(st, "company", name, data, now, err);
	snprintf(object, sizeof(object), "companies/%s", name);
	after = json_pack("{s:s}", "name", name);
	if (!rc)
		rc = audit_append(st, who, actor_has_role(who, "ds") ? "ds"
								   : "admin",
				  NULL, object, "company:add", NULL, after, now,
				  err);
	json_decref(after);
	if (rc) {
		json_decref(data);
		goto fail;
	}
	rc = st->ops->commit(st, err);
	if (rc) {
		json_decref(data);
		return rc;
	}
	*out = data;
	return SF_OK;
fail:
	st->ops->rollback(st);
	return rc;
}

enum sf_status
company_list(struct engine *e, const struct actor *who, json_t **out,
	     struct sf_error *err)
{
	json_t *all = NULL, *x;
	size_t i;
	enum sf_status rc;
	/* Roles that work on every company's conventions see them all. */
	static const char *const wide[] = {
		"ds",	"ds_signatory", "digit_signatory", "snet", "uaa",
		"ishs_sd", "ishs_ccor", "dg_requester",	   "dg_signatory",
		NULL};
	int all_ok = actor_is_admin(who);

	for (size_t k = 0; wide[k] && !all_ok; k++)
		all_ok = actor_has_role(who, wide[k]);
	rc = e->st->ops->catalog_list(e->st, "company", &all, err);
	if (rc)
		return rc;
	*out = json_array();
	json_array_foreach(all, i, x)
	{
		const char *name =
			json_string_value(json_object_get(x, "name"));
		if (all_ok || actor_holds(who, "company", name, NULL))
			json_array_append(*out, json_object_get(x, "data"));
	}
	json_decref(all);
	return SF_OK;
}
