/*
 * na_map.c - the organisation → NA table in catalogue "na_map" (see
 * na_map.h).  The catalogue name is the normalised organisation; its data
 * is {"organisation": as given, "na": CODE}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/audit.h"
#include "modules/userlists/na_map.h"

#define KIND "na_map"
#define MAX_ORG 200

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

/* ORG normalised (see na_map.h) into a new string; NULL when ORG is
 * empty, too long or holds control characters. */
static char *
org_key(const char *org)
{
	struct buf b;
	int space = 0;

	if (!org)
		return NULL;
	buf_init(&b, MAX_ORG * 4 + 1);
	for (const unsigned char *p = (const unsigned char *)org; *p; p++) {
		if (is_space(*p)) {
			space = b.len > 0;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			goto bad;
		if (space && buf_add(&b, " ", 1))
			goto bad;
		space = 0;
		char c = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (buf_add(&b, &c, 1))
			goto bad;
	}
	if (b.len == 0 || b.len > MAX_ORG)
		goto bad;
	{
		char *key = buf_detach(&b, NULL);
		buf_release(&b); /* detach leaves an empty buffer behind */
		return key;
	}
bad:
	buf_release(&b);
	return NULL;
}

static enum sf_status
bad_org(struct sf_error *err, const char *org)
{
	return sf_fail(err, SF_INVALID, "organisation",
		       "organisation \"%.100s\" is not 1 to %d characters of "
		       "text",
		       org ? org : "", MAX_ORG);
}

enum sf_status
na_map_set(struct store *st, const struct actor *who, const char *org,
	   const char *code, struct sf_error *err)
{
	char *key = NULL, na[17];
	char object[sizeof(KIND) + MAX_ORG + 8];
	json_t *old = NULL, *data = NULL;
	size_t n = code ? strlen(code) : 0;
	enum sf_status rc;

	if (!actor_is_admin(who))
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only an admin maps organisations to NAs");
	if (!(key = org_key(org)))
		return bad_org(err, org);
	if (n == 0 || n > 16) {
		free(key);
		return sf_fail(err, SF_INVALID, "code",
			       "an NA code is 1 to 16 letters, digits, - or _, "
			       "not \"%.40s\"",
			       code ? code : "");
	}
	for (size_t i = 0; i <= n; i++) {
		char c = code[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c && !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '_')) {
			free(key);
			return sf_fail(err, SF_INVALID, "code",
				       "an NA code is 1 to 16 letters, digits, "
				       "- or _, not \"%.40s\"",
				       code);
		}
		na[i] = c;
	}
	rc = st->ops->begin(st, err);
	if (rc)
		goto out;
	if (st->ops->catalog_get(st, KIND, key, &old, err) == SF_NOT_FOUND)
		old = NULL;
	data = json_pack("{s:s, s:s}", "organisation", org, "na", na);
	rc = st->ops->catalog_put(st, KIND, key, data, clock_now(), err);
	snprintf(object, sizeof(object), "%s/%s", KIND, key);
	if (!rc)
		rc = audit_append(st, who, "admin", NULL, object, "na_map:set",
				  old, data, clock_now(), err);
	if (rc)
		st->ops->rollback(st);
	else
		rc = st->ops->commit(st, err);
out:
	json_decref(old);
	json_decref(data);
	free(key);
	return rc;
}

enum sf_status
na_map_remove(struct store *st, const struct actor *who, const char *org,
	      struct sf_error *err)
{
	char *key;
	char object[sizeof(KIND) + MAX_ORG + 8];
	json_t *old = NULL;
	enum sf_status rc;

	if (!actor_is_admin(who))
		return sf_fail(err, SF_FORBIDDEN, NULL,
			       "only an admin maps organisations to NAs");
	if (!(key = org_key(org)))
		return bad_org(err, org);
	rc = st->ops->begin(st, err);
	if (rc)
		goto out;
	rc = st->ops->catalog_get(st, KIND, key, &old, err);
	if (rc == SF_NOT_FOUND)
		sf_fail(err, rc, "organisation",
			"organisation \"%.100s\" has no NA", org);
	if (!rc)
		rc = st->ops->catalog_delete(st, KIND, key, err);
	snprintf(object, sizeof(object), "%s/%s", KIND, key);
	if (!rc)
		rc = audit_append(st, who, "admin", NULL, object,
				  "na_map:remove", old, NULL, clock_now(),
				  err);
	if (rc)
		st->ops->rollback(st);
	else
		rc = st->ops->commit(st, err);
out:
	json_decref(old);
	free(key);
	return rc;
}

enum sf_status
na_map_lookup(struct store *st, const char *org, char **code,
	      struct sf_error *err)
{
	char *key = org_key(org);
	json_t *data = NULL;
	const char *na;
	enum sf_status rc;

	*code = NULL;
	if (!key)
		return sf_fail(err, SF_NOT_FOUND, "organisation",
			       "organisation \"%.100s\" has no NA",
			       org ? org : "");
	rc = st->ops->catalog_get(st, KIND, key, &data, err);
	if (rc == SF_NOT_FOUND)
		sf_fail(err, rc, "organisation",
			"organisation \"%.100s\" has no NA", org);
	free(key);
	if (rc)
		return rc;
	na = json_string_value(json_object_get(data, "na"));
	if (!na)
		rc = sf_fail(err, SF_NOT_FOUND, "organisation",
			     "organisation \"%.100s\" has no NA", org);
	else
		*code = xstrdup(na);
	json_decref(data);
	return rc;
}

enum sf_status
na_map_list(struct store *st, json_t **out, struct sf_error *err)
{
	json_t *all = NULL, *x;
	size_t i;
	enum sf_status rc = st->ops->catalog_list(st, KIND, &all, err);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_array();
	json_array_foreach(all, i, x)
	{
		json_t *d = json_object_get(x, "data");
		json_array_append_new(
			*out,
			json_pack("{s:O, s:O, s:O}", "organisation",
				  json_object_get(d, "organisation"), "na",
				  json_object_get(d, "na"), "updated",
				  json_object_get(x, "updated")));
	}
	json_decref(all);
	return SF_OK;
}
