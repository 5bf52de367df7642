/* registry.c - loading and pinning process definitions. */
#include "registry.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/embedded.h"

struct pinned {
	int64_t id;
	struct procdef *def;
};

struct registry {
	struct procdef **defs; /* current versions */
	size_t ndefs;
	pthread_mutex_t lock; /* guards pins */
	struct pinned *pins;
	size_t npins, cappins;
};

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum sf_status
registry_add(struct registry *reg, const char *text, size_t len,
	     const char *file, struct sf_error *err)
{
	struct procdef *def;
	enum sf_status r;

	r = procdef_parse(text, len, file, &def, err);
	if (r)
		return r;
	for (size_t i = 0; i < reg->ndefs; i++) {
		if (strcmp(reg->defs[i]->name, def->name) == 0 ||
		    strcmp(reg->defs[i]->object, def->object) == 0) {
			r = sf_fail(err, SF_INVALID, "process",
				    "%s:1: process %s (object %s) is also "
				    "defined in %s",
				    file, def->name, def->object,
				    reg->defs[i]->file);
			procdef_free(def);
			return r;
		}
	}
	reg->defs = xrealloc(reg->defs, (reg->ndefs + 1) * sizeof(*reg->defs));
	reg->defs[reg->ndefs++] = def;
	return SF_OK;
}

static enum sf_status
load_dir(struct registry *reg, const char *dir, struct sf_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	enum sf_status r = SF_OK;

	if (!d)
		return sf_fail(err, SF_IO, "processes",
			       "cannot read process folder %s: %m", dir);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xasprintf("%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		FILE *f;
		struct buf b;
		char chunk[8192];
		size_t got;

		if (r)
			goto next;
		f = fopen(names[i], "rb");
		if (!f) {
			r = sf_fail(err, SF_IO, "processes", "cannot read %s: %m",
				    names[i]);
			goto next;
		}
		buf_init(&b, 4 << 20);
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			if (buf_add(&b, chunk, got)) {
				r = sf_fail(err, SF_INVALID, "processes",
					    "%s: file over 4 MiB", names[i]);
				break;
			}
		}
		fclose(f);
		if (!r)
			r = registry_add(reg, b.data, b.len, names[i], err);
		buf_release(&b);
	next:
		free(names[i]);
	}
	free(names);
	if (!r && reg->ndefs == 0)
		r = sf_fail(err, SF_INVALID, "processes",
			    "no process definition (*.yaml) in %s", dir);
	return r;
}

enum sf_status
registry_load(const char *dir, struct registry **out, struct sf_error *err)
{
	struct registry *reg = xcalloc(1, sizeof(*reg));
	enum sf_status r = SF_OK;

	pthread_mutex_init(&reg->lock, NULL);
	if (dir) {
		r = load_dir(reg, dir, err);
	} else {
		for (const struct embedded_file *f = process_files; f->name;
		     f++) {
			char *file = xasprintf("processes/%s", f->name);
			r = registry_add(reg, f->data, f->len, file, err);
			free(file);
			if (r)
				break;
		}
	}
	if (r) {
		registry_free(reg);
		return r;
	}
	*out = reg;
	return SF_OK;
}

void
registry_free(struct registry *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->ndefs; i++)
		procdef_free(reg->defs[i]);
	for (size_t i = 0; i < reg->npins; i++)
		procdef_free(reg->pins[i].def);
	free(reg->defs);
	free(reg->pins);
	pthread_mutex_destroy(&reg->lock);
	free(reg);
}

size_t
registry_count(const struct registry *reg)
{
	return reg->ndefs;
}

const struct procdef *
registry_at(const struct registry *reg, size_t i)
{
	return i < reg->ndefs ? reg->defs[i] : NULL;
}

const struct procdef *
registry_find(const struct registry *reg, const char *name)
{
	for (size_t i = 0; i < reg->ndefs; i++)
		if (strcmp(reg->defs[i]->name, name) == 0)
			return reg->defs[i];
	return NULL;
}

const struct procdef *
registry_by_object(const struct registry *reg, const char *object)
{
	for (size_t i = 0; i < reg->ndefs; i++)
		if (strcmp(reg->defs[i]->object, object) == 0)
			return reg->defs[i];
	return NULL;
}

enum sf_status
registry_version_id(struct registry *reg, struct store *st,
		    const struct procdef *def, int64_t *id,
		    struct sf_error *err)
{
	(void)reg;
	return st->ops->procdef_put(st, def->name, def->version, def->hash,
				    def->source, clock_now(), id, err);
}

enum sf_status
registry_pinned(struct registry *reg, struct store *st, int64_t id,
		const struct procdef **out, struct sf_error *err)
{
	struct procdef *def = NULL;
	char *source = NULL;
	enum sf_status r;

	pthread_mutex_lock(&reg->lock);
	for (size_t i = 0; i < reg->npins; i++) {
		if (reg->pins[i].id == id) {
			*out = reg->pins[i].def;
			pthread_mutex_unlock(&reg->lock);
			return SF_OK;
		}
	}
	pthread_mutex_unlock(&reg->lock);

	r = st->ops->procdef_source(st, id, &source, err);
	if (r)
		return r;
	/* A stored version is parsed under its own name; its current file
	 * may have moved on. */
	{
		char *file = xasprintf("stored-version-%lld", (long long)id);
		r = procdef_parse(source, strlen(source), file, &def, err);
		free(file);
	}
	free(source);
	if (r)
		return r;
	pthread_mutex_lock(&reg->lock);
	for (size_t i = 0; i < reg->npins; i++) {
		if (reg->pins[i].id == id) { /* another thread won */
			procdef_free(def);
			*out = reg->pins[i].def;
			pthread_mutex_unlock(&reg->lock);
			return SF_OK;
		}
	}
	if (reg->npins == reg->cappins) {
		reg->cappins = reg->cappins ? reg->cappins * 2 : 8;
		reg->pins = xrealloc(reg->pins,
				     reg->cappins * sizeof(*reg->pins));
	}
	reg->pins[reg->npins].id = id;
	reg->pins[reg->npins].def = def;
	reg->npins++;
	*out = def;
	pthread_mutex_unlock(&reg->lock);
	return SF_OK;
}
