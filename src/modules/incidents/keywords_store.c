/*
 * keywords_store.c - the keyword list as versioned data in the database
 * (setting "keywords"), its audited changes, and the process-wide cache of
 * the compiled set (see keywords.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/embedded.h"
#include "engine/audit.h"
#include "keywords.h"

#define SETTING "keywords"
#define DEFAULT_FILE "keywords.txt"

/* The shipped list (data/keywords.txt, built into the binary). */
static enum sf_status
default_list(struct kw_list *out, struct sf_error *err)
{
	for (const struct embedded_file *f = data_files; f->name; f++)
		if (strcmp(f->name, DEFAULT_FILE) == 0)
			return kw_list_parse(f->data, f->len,
					     "data/" DEFAULT_FILE, out, err);
	kw_list_init(out);
	return SF_OK;
}

/* The stored text (caller frees) or NULL when nothing is stored. */
static enum sf_status
stored_text(struct store *st, char **text, struct sf_error *err)
{
	struct sf_error e = {0};
	enum sf_status r = st->ops->setting_get(st, SETTING, text, &e);

	if (r == SF_NOT_FOUND) {
		*text = NULL;
		return SF_OK;
	}
	if (r && err)
		*err = e;
	return r;
}

static enum sf_status
list_of_text(const char *text, struct kw_list *out, struct sf_error *err)
{
	json_error_t je;
	json_t *j;
	enum sf_status r;

	if (!text)
		return default_list(out, err);
	j = json_loads(text, 0, &je);
	if (!j) {
		kw_list_init(out);
		return sf_fail(err, SF_INVALID, SETTING,
			       "the stored keyword list is not JSON: %s",
			       je.text);
	}
	r = kw_list_from_json(j, out, err);
	json_decref(j);
	return r;
}

enum sf_status
kw_stored(struct store *st, struct kw_list *out, struct sf_error *err)
{
	char *text;
	enum sf_status r = stored_text(st, &text, err);

	if (r) {
		kw_list_init(out);
		return r;
	}
	r = list_of_text(text, out, err);
	free(text);
	return r;
}

static json_t *
entry_json(const struct kw_entry *e)
{
	return json_pack("{s:s, s:b}", "word", e->word, "prefix", e->prefix);
}

/* What a change does to the list, between begin and commit. */
typedef enum sf_status (*change_fn)(struct kw_list *l, void *arg,
				    json_t *added, json_t *removed,
				    struct sf_error *err);

/*
 * The frame of every change: admin check, transaction, read the current
 * list under the audit chain's lock (so two changes never both build on
 * the same version), apply CHANGE, store version + 1 and the audit record,
 * commit.  Nothing is written when CHANGE adds and removes nothing.
 */
static enum sf_status
change(struct store *st, const struct actor *who, const char *action,
       change_fn fn, void *arg, int64_t *version, struct sf_error *err)
{
	struct kw_list l;
	json_t *added = json_array(), *removed = json_array();
	json_t *before = NULL, *after = NULL;
	char *text = NULL;
	char now[32];
	char hash[65];
	int64_t head;
	enum sf_status r;

	kw_list_init(&l);
	if (!actor_is_admin(who)) {
		r = sf_fail(err, SF_FORBIDDEN, NULL,
			    "only an admin may change the keyword list");
		goto out;
	}
	r = st->ops->begin(st, err);
	if (r)
		goto out;
	r = st->ops->audit_head(st, &head, hash, err);
	if (!r)
		r = kw_stored(st, &l, err);
	if (!r)
		r = fn(&l, arg, added, removed, err);
	if (r)
		goto fail;
	if (json_array_size(added) == 0 && json_array_size(removed) == 0) {
		st->ops->rollback(st);
		if (version)
			*version = l.version;
		goto out;
	}
	before = json_pack("{s:I}", "version", (json_int_t)l.version);
	l.version++;
	clock_format(clock_now(), now);
	free(l.changed);
	l.changed = xstrdup(now);
	free(l.by);
	l.by = xstrdup(who->name ? who->name : "unknown");
	{
		json_t *j = kw_list_json(&l);
		text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	r = st->ops->setting_put(st, SETTING, text, err);
	if (r)
		goto fail;
	after = json_pack("{s:I, s:O, s:O}", "version", (json_int_t)l.version,
			  "added", added, "removed", removed);
	r = audit_append(st, who, who->operator ? "operator" : "admin", NULL,
			 SETTING, action, before, after, clock_now(), err);
	if (r)
		goto fail;
	r = st->ops->commit(st, err);
	if (!r && version)
		*version = l.version;
	goto out;
fail:
	st->ops->rollback(st);
out:
	free(text);
	json_decref(before);
	json_decref(after);
	json_decref(added);
	json_decref(removed);
	kw_list_release(&l);
	return r;
}

struct words_arg {
	char *const *words;
	size_t n;
	int prefix;
};

static enum sf_status
do_add(struct kw_list *l, void *arg, json_t *added, json_t *removed,
       struct sf_error *err)
{
	struct words_arg *a = arg;
	enum sf_status r;
	int was_added;

	(void)removed;
	for (size_t i = 0; i < a->n; i++) {
		r = kw_list_add(l, a->words[i], strlen(a->words[i]), a->prefix,
				a->words[i], &was_added, err);
		if (r)
			return r;
		if (was_added)
			json_array_append_new(added, entry_json(&l->v[l->n - 1]));
	}
	return SF_OK;
}

static enum sf_status
do_remove(struct kw_list *l, void *arg, json_t *added, json_t *removed,
	  struct sf_error *err)
{
	struct words_arg *a = arg;
	struct kw_list one;
	enum sf_status r;
	long at;

	(void)added;
	for (size_t i = 0; i < a->n; i++) {
		/* Normalise the word as an entry would be ("malware *"). */
		kw_list_init(&one);
		r = kw_list_add(&one, a->words[i], strlen(a->words[i]), 0,
				a->words[i], NULL, err);
		if (r)
			return r;
		at = kw_list_find(l, one.v[0].word, one.v[0].prefix);
		if (at < 0) {
			r = sf_fail(err, SF_NOT_FOUND, "word",
				    "\"%s\" is not in the keyword list",
				    a->words[i]);
			kw_list_release(&one);
			return r;
		}
		json_array_append_new(removed, entry_json(&l->v[at]));
		kw_list_remove_at(l, (size_t)at);
		kw_list_release(&one);
	}
	return SF_OK;
}

static enum sf_status
do_import(struct kw_list *l, void *arg, json_t *added, json_t *removed,
	  struct sf_error *err)
{
	const struct kw_list *nl = arg;
	struct kw_list fresh;
	enum sf_status r;

	for (size_t i = 0; i < l->n; i++)
		if (kw_list_find(nl, l->v[i].word, l->v[i].prefix) < 0)
			json_array_append_new(removed, entry_json(&l->v[i]));
	kw_list_init(&fresh);
	for (size_t i = 0; i < nl->n; i++) {
		if (kw_list_find(l, nl->v[i].word, nl->v[i].prefix) < 0)
			json_array_append_new(added, entry_json(&nl->v[i]));
		r = kw_list_add(&fresh, nl->v[i].word, strlen(nl->v[i].word),
				nl->v[i].prefix, "import", NULL, err);
		if (r) {
			kw_list_release(&fresh);
			return r;
		}
	}
	/* The new entries in the file's order; version and metadata stay
	 * the current list's (change() bumps them). */
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].word);
	free(l->v);
	l->v = fresh.v;
	l->n = fresh.n;
	l->cap = fresh.cap;
	return SF_OK;
}

enum sf_status
kw_store_add(struct store *st, const struct actor *who, char *const *words,
	     size_t n, int prefix, int64_t *version, struct sf_error *err)
{
	struct words_arg a = {words, n, prefix};

	return change(st, who, "keywords:add", do_add, &a, version, err);
}

enum sf_status
kw_store_remove(struct store *st, const struct actor *who, char *const *words,
		size_t n, int64_t *version, struct sf_error *err)
{
	struct words_arg a = {words, n, 0};

	return change(st, who, "keywords:remove", do_remove, &a, version, err);
}

enum sf_status
kw_store_import(struct store *st, const struct actor *who,
		const struct kw_list *l, int64_t *version,
		struct sf_error *err)
{
	return change(st, who, "keywords:import", do_import, (void *)l,
		      version, err);
}

/*
 * The cache: the stored text the set was compiled from (NULL: the shipped
 * default) and the set.  Keyed by the whole text, not only its version,
 * so two databases used by one process (tests) never share a wrong set.
 */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cache_text;
static int cache_default;
static struct kw_set *cache_set;

enum sf_status
kw_current(struct store *st, struct kw_set **out, struct sf_error *err)
{
	struct kw_list l;
	struct kw_set *set;
	char *text;
	enum sf_status r;

	*out = NULL;
	r = stored_text(st, &text, err);
	if (r)
		return r;
	pthread_mutex_lock(&cache_lock);
	if (cache_set && (text ? cache_text && strcmp(text, cache_text) == 0
			       : cache_default)) {
		*out = kw_set_ref(cache_set);
		pthread_mutex_unlock(&cache_lock);
		free(text);
		return SF_OK;
	}
	pthread_mutex_unlock(&cache_lock);

	/* Compile outside the lock: scans with the old set go on. */
	r = list_of_text(text, &l, err);
	if (r) {
		free(text);
		return r;
	}
	set = kw_compile(l.v, l.n, err);
	if (!set) {
		kw_list_release(&l);
		free(text);
		return err ? err->status : SF_INVALID;
	}
	kw_set_version_set(set, l.version);
	kw_list_release(&l);

	pthread_mutex_lock(&cache_lock);
	kw_set_free(cache_set);
	free(cache_text);
	cache_set = kw_set_ref(set);
	cache_text = text;
	cache_default = text == NULL;
	pthread_mutex_unlock(&cache_lock);
	*out = set;
	return SF_OK;
}
