/*
 * impact.c - the high-impact rule of seed 001 §6.2 over the systems'
 * classification, and the catalogue of systems it reads.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/actor.h"
#include "engine/audit.h"
#include "modules/incidents/impact.h"

static const char *const classes[] = {"critical", "strategic", "other",
				      NULL};

int
impact_classification_ok(const char *c)
{
	for (size_t i = 0; c && classes[i]; i++)
		if (strcmp(classes[i], c) == 0)
			return 1;
	return 0;
}

static int
significant(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && strcmp(v, "significant") == 0;
}

enum sf_status
impact_assess(struct store *st, json_t *assess, int *high, json_t **reasons,
	      struct sf_error *err)
{
	json_t *x;
	size_t i;

	*high = 0;
	*reasons = json_array();
	json_array_foreach(json_object_get(assess, "systems"), i, x)
	{
		const char *name = json_string_value(json_object_get(x, "name"));
		json_t *entry = NULL;
		const char *cls;
		enum sf_status rc;
		char field[48];

		rc = st->ops->catalog_get(st, "system", name ? name : "",
					  &entry, err);
		if (rc == SF_NOT_FOUND) {
			snprintf(field, sizeof(field), "systems[%zu].name", i);
			json_decref(*reasons);
			*reasons = NULL;
			return sf_fail(err, SF_INVALID, field,
				       "%s: system \"%s\" has no "
				       "classification (an admin sets it: "
				       "secflow system set NAME "
				       "--classification critical|strategic|"
				       "other)",
				       field, name ? name : "");
		}
		if (rc) {
			json_decref(*reasons);
			*reasons = NULL;
			return rc;
		}
		cls = json_string_value(json_object_get(entry, "classification"));
		if (cls && (strcmp(cls, "critical") == 0 ||
			    strcmp(cls, "strategic") == 0)) {
			for (int k = 0; k < 2; k++) {
				const char *aspect =
					k ? "integrity" : "availability";
				if (!significant(x, aspect))
					continue;
				*high = 1;
				json_array_append_new(
					*reasons,
					json_sprintf("significant impact on the "
						     "%s of %s, classified %s",
						     aspect, name, cls));
			}
		}
		json_decref(entry);
	}
	json_array_foreach(json_object_get(assess, "information"), i, x)
	{
		const char *cls = json_string_value(
			json_object_get(x, "classification"));
		if (!cls || strcasecmp(cls, "limited") != 0)
			continue;
		for (int k = 0; k < 2; k++) {
			const char *aspect = k ? "integrity" : "confidentiality";
			if (!json_is_true(json_object_get(x, aspect)))
				continue;
			*high = 1;
			json_array_append_new(
				*reasons,
				json_sprintf("impact on the %s of information "
					     "classified limited",
					     aspect));
		}
	}
	return SF_OK;
}

enum sf_status
system_set(struct store *st, const struct actor *who, const char *name,
	   const char *classification, struct sf_error *err)
{
	json_t *old = NULL, *data, *after;
	char object[256];
	enum sf_status rc;
	size_t n = name ? strlen(name) : 0;

	if (!actor_is_admin(who))
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only an admin classifies systems");
	if (n == 0 || n > 100)
		return sf_fail(err, SF_INVALID, "name",
			       "a system name is 1 to 100 characters");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20)
			return sf_fail(err, SF_INVALID, "name",
				       "a system name has no control "
				       "characters");
	if (!impact_classification_ok(classification))
		return sf_fail(err, SF_INVALID, "classification",
			       "classification is critical, strategic or "
			       "other, not \"%s\"",
			       classification ? classification : "");
	rc = st->ops->begin(st, err);
	if (rc)
		return rc;
	if (st->ops->catalog_get(st, "system", name, &old, err) ==
	    SF_NOT_FOUND)
		old = NULL;
	data = json_pack("{s:s}", "classification", classification);
	rc = st->ops->catalog_put(st, "system", name, data, clock_now(), err);
	snprintf(object, sizeof(object), "systems/%s", name);
	after = json_pack("{s:s}", "classification", classification);
	if (!rc)
		rc = audit_append(st, who, "admin", NULL, object,
				  "system:classify", old, after, clock_now(),
				  err);
	json_decref(after);
	json_decref(data);
	json_decref(old);
	if (rc) {
		st->ops->rollback(st);
		return rc;
	}
	return st->ops->commit(st, err);
}

enum sf_status
system_list(struct store *st, json_t **out, struct sf_error *err)
{
	json_t *all = NULL, *x;
	size_t i;
	enum sf_status rc = st->ops->catalog_list(st, "system", &all, err);

	if (rc)
		return rc;
	*out = json_array();
	json_array_foreach(all, i, x)
		json_array_append_new(
			*out,
			json_pack("{s:O, s:O}", "name", json_object_get(x, "name"),
				  "classification",
				  json_object_get(json_object_get(x, "data"),
						  "classification")));
	json_decref(all);
	return SF_OK;
}
