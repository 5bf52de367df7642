/*
 * ulrecon.c - per-NA counting of a Webportal list against the authorised
 * list (see ulrecon.h): the two readers (one per file, each a row
 * callback over tabular_each with columns_map checks), the hash sets and
 * the final count.
 */
#include "ulrecon.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "modules/userlists/columns.h"
#include "modules/userlists/tabular.h"

#define MAX_FILE ((size_t)1 << 30)

/* ---------------------------------------------------------------- */
/* A set of (tag, string) keys over one arena                        */

struct uent {
	uint64_t h;   /* 0: empty slot */
	uint32_t off; /* of the string in the arena */
	uint32_t len;
	uint32_t tag; /* part of the key (the NA's id) */
	uint32_t val; /* the caller's (the NA table: the id) */
};

struct uset {
	struct uent *slot;
	size_t cap; /* a power of two */
	size_t n;
	struct buf arena;
};

/* CAP zeroed slots.  A big table is probed at random, one slot a row:
 * on huge pages (when the system gives them) each probe costs a cache
 * miss instead of a cache miss and a page-table walk. */
static struct uent *
slots_new(size_t cap)
{
	const size_t huge = (size_t)2 << 20;
	size_t bytes = cap * sizeof(struct uent);
	void *p;

	if (bytes < 2 * huge || posix_memalign(&p, huge, bytes) != 0)
		return xcalloc(cap, sizeof(struct uent));
	(void)madvise(p, bytes, MADV_HUGEPAGE);
	memset(p, 0, bytes);
	return p;
}

static void
uset_init(struct uset *s, size_t cap)
{
	s->cap = 64;
	while (s->cap < cap * 2)
		s->cap *= 2;
	s->slot = slots_new(s->cap);
	s->n = 0;
	buf_init(&s->arena, 0);
}

static void
uset_release(struct uset *s)
{
	free(s->slot);
	buf_release(&s->arena);
	memset(s, 0, sizeof(*s));
}

/* FNV-1a over the bytes, the tag mixed in, then murmur3's finaliser. */
static uint64_t
hash_of(const char *p, size_t n, uint32_t tag)
{
	uint64_t h = 0xcbf29ce484222325ull ^ ((uint64_t)tag << 32);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h ? h : 1;
}

static struct uent *
uset_slot(const struct uset *s, uint64_t h, const char *p, size_t n,
	  uint32_t tag)
{
	size_t i = (size_t)h & (s->cap - 1);

	for (;; i = (i + 1) & (s->cap - 1)) {
		struct uent *e = &s->slot[i];

		if (!e->h || (e->h == h && e->tag == tag && e->len == n &&
			      memcmp(s->arena.data + e->off, p, n) == 0))
			return e;
	}
}

static void
uset_grow(struct uset *s)
{
	struct uent *old = s->slot;
	size_t oldcap = s->cap;

	s->cap *= 2;
	s->slot = slots_new(s->cap);
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].h)
			continue;
		j = (size_t)old[i].h & (s->cap - 1);
		while (s->slot[j].h)
			j = (j + 1) & (s->cap - 1);
		s->slot[j] = old[i];
	}
	free(old);
}

/* The entry of (TAG, P[0..N)); *ADDED says whether it is new. */
static struct uent *
uset_add(struct uset *s, const char *p, size_t n, uint32_t tag, int *added)
{
	uint64_t h = hash_of(p, n, tag);
	struct uent *e = uset_slot(s, h, p, n, tag);

	*added = 0;
	if (e->h)
		return e;
	if ((s->n + 1) * 2 > s->cap) {
		uset_grow(s);
		e = uset_slot(s, h, p, n, tag);
	}
	e->h = h;
	e->off = (uint32_t)s->arena.len;
	e->len = (uint32_t)n;
	e->tag = tag;
	e->val = 0;
	(void)buf_add(&s->arena, p, n);
	s->n++;
	*added = 1;
	return e;
}

static int
uset_has(const struct uset *s, const char *p, size_t n, uint32_t tag)
{
	return uset_slot(s, hash_of(p, n, tag), p, n, tag)->h != 0;
}

/* ---------------------------------------------------------------- */
/* Readers                                                           */

struct issues {
	char **msg;
	size_t n, more;
};

static void
issue_add(struct issues *is, const char *m)
{
	if (is->n >= ULRECON_MAX_ISSUES) {
		is->more++;
		return;
	}
	if (!is->msg)
		is->msg = xcalloc(ULRECON_MAX_ISSUES, sizeof(*is->msg));
	is->msg[is->n++] = xstrdup(m);
}

static void
issues_release(struct issues *is)
{
	for (size_t i = 0; i < is->n; i++)
		free(is->msg[i]);
	free(is->msg);
	memset(is, 0, sizeof(*is));
}

/* What one file's reader shares with its callbacks. */
struct reader {
	struct columns_map map;
	struct columns_opts copts;
	int sheets_found; /* sheets with a header */
	struct buf why;	  /* why the best sheet had no header */
	size_t why_found;
	size_t rows, bad_rows;
	struct issues issues;
	int col_uid, col_na;
	/* webportal */
	size_t disabled;
	struct uset nas;   /* NA text -> id (val) */
	size_t *users;	   /* per NA id */
	size_t *distinct;
	size_t nna, capna;
	struct uset uids;  /* (NA id, uid) for the Webportal, uid for the
			      authorised list */
	int webportal;
	int second_part; /* its first row must be the header (split) */
};

static void
reader_init(struct reader *r, enum ul_resource res, const char *name,
	    size_t size_hint)
{
	memset(r, 0, sizeof(*r));
	r->copts.review = true;
	columns_map_init(&r->map, res, &r->copts, name);
	buf_init(&r->why, 0);
	r->webportal = res == UL_WEBPORTAL;
	r->col_uid = columns_key(res, "uid");
	r->col_na = columns_key(res, "na");
	uset_init(&r->uids, size_hint);
	uset_init(&r->nas, 64);
}

static void
reader_release(struct reader *r)
{
	buf_release(&r->why);
	issues_release(&r->issues);
	uset_release(&r->nas);
	uset_release(&r->uids);
	free(r->users);
	free(r->distinct);
}

/* Remember why the sheet that just ended had no header. */
static void
sheet_done(struct reader *r)
{
	if (r->map.found || r->map.rows == 0)
		return;
	if (!r->why.len || r->map.best_found > r->why_found) {
		buf_reset(&r->why);
		columns_map_why(&r->map, &r->why);
		r->why_found = r->map.best_found;
	}
}

static enum sf_status
on_sheet(void *ctx, size_t index, const char *name, enum tabular_kind kind,
	 struct sf_error *err)
{
	struct reader *r = ctx;

	(void)index;
	(void)err;
	sheet_done(r);
	columns_map_sheet(&r->map, name, kind);
	return SF_OK;
}

static uint32_t
na_id(struct reader *r, const char *na)
{
	int added;
	struct uent *e = uset_add(&r->nas, na, strlen(na), 0, &added);

	if (added) {
		if (r->nna == r->capna) {
			r->capna = r->capna ? r->capna * 2 : 64;
			r->users = xrealloc(r->users,
					    r->capna * sizeof(*r->users));
			r->distinct = xrealloc(r->distinct,
					       r->capna * sizeof(*r->distinct));
		}
		r->users[r->nna] = 0;
		r->distinct[r->nna] = 0;
		e->val = (uint32_t)r->nna++;
	}
	return e->val;
}

static enum sf_status
on_row(void *ctx, struct trow *row, struct sf_error *err)
{
	struct reader *r = ctx;
	struct ul_record rec;
	char why[640];
	const char *uid;
	int added, h;

	if (!r->map.found) {
		if ((h = columns_map_header(&r->map, row, why, sizeof(why))) <
		    0)
			return sf_fail(err, SF_INVALID, NULL, "%s", why);
		/* The second part of a split list got the first record:
		 * unless it is the header, the list is read whole. */
		if (r->second_part && !h)
			return sf_fail(err, SF_CONFLICT, NULL,
				       "the header is not the first record");
		r->sheets_found += h;
		return SF_OK;
	}
	if (columns_map_row(&r->map, row, &rec, why, sizeof(why))) {
		r->bad_rows++;
		issue_add(&r->issues, why);
		return SF_OK;
	}
	if (!rec.line)
		return SF_OK;
	r->rows++;
	if (!r->webportal) {
		uid = rec.u.authorised.uid;
		(void)uset_add(&r->uids, uid, strlen(uid), 0, &added);
		return SF_OK;
	}
	if (rec.u.webportal.deleted) {
		r->disabled++;
		return SF_OK;
	}
	{
		uint32_t na = na_id(r, rec.u.webportal.na);

		uid = rec.u.webportal.uid;
		r->users[na]++;
		(void)uset_add(&r->uids, uid, strlen(uid), na, &added);
	}
	return SF_OK;
}

struct job {
	struct reader r;
	const char *name;
	const void *data;
	size_t len;
	struct sf_error err;
	enum sf_status s;
};

/* Read one file through its reader; the header must have been found in
 * some sheet. */
static void *
job_run(void *arg)
{
	struct job *j = arg;

	j->s = tabular_each(j->name, j->data, j->len, NULL, on_sheet, on_row,
			    &j->r, &j->err);
	if (j->s)
		return NULL;
	sheet_done(&j->r);
	if (!j->r.sheets_found)
		j->s = sf_fail(&j->err, SF_INVALID, NULL, "%s",
			       j->r.why.len ? j->r.why.data
					    : "no rows at all");
	return NULL;
}

/* Read the Webportal list W in two parts when it is big enough (W2, a
 * reader like W's, counts the second); SF_CONFLICT when it was not split:
 * both readers are then as new and W is read whole. */
static enum sf_status
split_run(struct job *w, struct job *w2, size_t split_min)
{
	void *ctx[2] = {&w->r, &w2->r};
	struct tabular_limits lim = tabular_default_limits;

	if (split_min)
		lim.split_min = split_min;
	w2->r.second_part = 1;
	w->s = tabular_each_split(w->name, w->data, w->len, &lim, on_sheet,
				  on_row, ctx, &w->err);
	if (w->s == SF_CONFLICT) {
		enum ul_resource res = UL_WEBPORTAL;

		reader_release(&w->r);
		reader_release(&w2->r);
		reader_init(&w->r, res, w->name, w->len / 100);
		reader_init(&w2->r, res, w->name, 0);
		return SF_CONFLICT;
	}
	if (w->s)
		return w->s;
	sheet_done(&w->r);
	if (!w->r.sheets_found)
		w->s = sf_fail(&w->err, SF_INVALID, NULL, "%s",
			       w->r.why.len ? w->r.why.data : "no rows at all");
	return w->s;
}

/* Give A the NAs B saw (B read the second part of the list A read), with
 * B's user, row and disabled counts; returns B's NA ids in A's numbering
 * (the caller frees).  B's (NA, uid) pairs stay in B: count() takes those
 * not in A. */
static uint32_t *
reader_merge_nas(struct reader *a, struct reader *b)
{
	uint32_t *na_of = xcalloc(b->nna ? b->nna : 1, sizeof(*na_of));

	for (size_t i = 0; i < b->nas.cap; i++) {
		const struct uent *e = &b->nas.slot[i];
		char *na;

		if (!e->h)
			continue;
		na = xstrndup(b->nas.arena.data + e->off, e->len);
		na_of[e->val] = na_id(a, na);
		free(na);
		a->users[na_of[e->val]] += b->users[e->val];
	}
	a->rows += b->rows;
	a->disabled += b->disabled;
	a->bad_rows += b->bad_rows;
	return na_of;
}

/* ---------------------------------------------------------------- */
/* The count                                                         */

static int
na_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ulrecon_na *)a)->na,
		      ((const struct ulrecon_na *)b)->na);
}

static void
take_issues(struct ulrecon *out, struct issues *is)
{
	for (size_t i = 0; i < is->n; i++) {
		if (out->nissues >= ULRECON_MAX_ISSUES) {
			out->more_issues++;
			free(is->msg[i]);
			continue;
		}
		if (!out->issues)
			out->issues = xcalloc(ULRECON_MAX_ISSUES,
					      sizeof(*out->issues));
		out->issues[out->nissues++] = is->msg[i];
	}
	out->more_issues += is->more;
	free(is->msg);
	memset(is, 0, sizeof(*is));
}

/* One counting thread's share: the pairs of SET (in W's NA numbering
 * through NA_OF, or as they are), those in SKIP left out (counted by the
 * other share), per NA the new distinct ones and those not in AUTH. */
struct tally {
	const struct uset *set, *skip, *auth;
	const uint32_t *na_of;
	size_t *distinct, *notauth;
};

static void *
tally_run(void *arg)
{
	struct tally *t = arg;

	for (size_t i = 0; i < t->set->cap; i++) {
		const struct uent *e = &t->set->slot[i];
		const char *uid = t->set->arena.data + e->off;
		uint32_t na;

		if (!e->h)
			continue;
		na = t->na_of ? t->na_of[e->tag] : e->tag;
		if (t->skip && uset_has(t->skip, uid, e->len, na))
			continue;
		t->distinct[na]++;
		if (!uset_has(t->auth, uid, e->len, 0))
			t->notauth[na]++;
	}
	return NULL;
}

/* Fill OUT from the readers: W of the Webportal list (W2 of its second
 * part, maybe empty), A of the authorised list.  The two sets of pairs
 * are counted by two threads unless ONE_THREAD. */
static void
count(struct reader *w, struct reader *w2, struct reader *a,
      int one_thread, struct ulrecon *out)
{
	uint32_t *na_of = reader_merge_nas(w, w2);
	size_t n = w->nna ? w->nna : 1;
	struct tally t[2] = {
		{&w->uids, NULL, &a->uids, NULL, xcalloc(n, sizeof(size_t)),
		 xcalloc(n, sizeof(size_t))},
		{&w2->uids, &w->uids, &a->uids, na_of,
		 xcalloc(n, sizeof(size_t)), xcalloc(n, sizeof(size_t))},
	};
	size_t *notauth = xcalloc(n, sizeof(*notauth));
	pthread_t th;

	if (!one_thread && w2->uids.n &&
	    pthread_create(&th, NULL, tally_run, &t[1]) == 0) {
		tally_run(&t[0]);
		pthread_join(th, NULL);
	} else {
		tally_run(&t[0]);
		tally_run(&t[1]);
	}
	for (size_t i = 0; i < w->nna; i++) {
		w->distinct[i] = t[0].distinct[i] + t[1].distinct[i];
		notauth[i] = t[0].notauth[i] + t[1].notauth[i];
	}
	for (int k = 0; k < 2; k++) {
		free(t[k].distinct);
		free(t[k].notauth);
	}
	free(na_of);
	out->nas = xcalloc(w->nna ? w->nna : 1, sizeof(*out->nas));
	for (size_t i = 0; i < w->nas.cap; i++) {
		const struct uent *e = &w->nas.slot[i];
		struct ulrecon_na *n;

		if (!e->h)
			continue;
		n = &out->nas[e->val];
		n->na = xstrndup(w->nas.arena.data + e->off, e->len);
		n->users = w->users[e->val];
		n->distinct = w->distinct[e->val];
		n->not_authorised = notauth[e->val];
		out->users += n->users;
		out->distinct += n->distinct;
		out->not_authorised += n->not_authorised;
	}
	out->nnas = w->nna;
	qsort(out->nas, out->nnas, sizeof(*out->nas), na_cmp);
	out->rows = w->rows;
	out->disabled = w->disabled;
	out->bad_rows = w->bad_rows + a->bad_rows;
	out->auth_rows = a->rows;
	out->auth_uids = a->uids.n;
	free(notauth);
}

enum sf_status
ulrecon_run(const char *wpname, const void *wp, size_t wplen,
	    const char *authname, const void *auth, size_t authlen,
	    const struct ulrecon_opts *opts, struct ulrecon *out,
	    struct sf_error *err)
{
	static const struct ulrecon_opts none = {0};
	const struct ulrecon_opts *o = opts ? opts : &none;
	struct job *w = xcalloc(1, sizeof(*w)), *a = xcalloc(1, sizeof(*a));
	struct job *w2 = xcalloc(1, sizeof(*w2));
	pthread_t th;
	int threaded = 0;
	enum sf_status s;

	memset(out, 0, sizeof(*out));
	/* About 100 bytes a Webportal row, 20 an authorised one; the
	 * second part's pairs are folded into the first's set. */
	reader_init(&w->r, UL_WEBPORTAL, wpname, wplen / 200);
	reader_init(&w2->r, UL_WEBPORTAL, wpname, wplen / 200);
	reader_init(&a->r, UL_AUTHORISED, authname, authlen / 20);
	w->name = wpname, w->data = wp, w->len = wplen;
	a->name = authname, a->data = auth, a->len = authlen;
	if (!o->one_thread && pthread_create(&th, NULL, job_run, a) == 0)
		threaded = 1;
	else
		job_run(a);
	/* A big list is read by two threads; the authorised list, smaller,
	 * shares the cores with them. */
	out->wp_parts = 2;
	if (o->one_thread || split_run(w, w2, o->split_min) == SF_CONFLICT) {
		out->wp_parts = 1;
		job_run(w);
	}
	if (threaded)
		pthread_join(th, NULL);
	/* The Webportal list's error first, as it comes first. */
	if (w->s || a->s) {
		*err = w->s ? w->err : a->err;
		s = w->s ? w->s : a->s;
		goto out;
	}
	take_issues(out, &w->r.issues);
	take_issues(out, &w2->r.issues);
	take_issues(out, &a->r.issues);
	if (!o->skip_bad_rows &&
	    w->r.bad_rows + w2->r.bad_rows + a->r.bad_rows) {
		size_t bad = w->r.bad_rows + w2->r.bad_rows + a->r.bad_rows;

		s = sf_fail(err, SF_INVALID, NULL,
			    "%s (%zu bad row%s; nothing counted)",
			    out->issues[0], bad, bad > 1 ? "s" : "");
		goto out;
	}
	count(&w->r, &w2->r, &a->r, o->one_thread, out);
	s = SF_OK;
out:
	reader_release(&w->r);
	reader_release(&w2->r);
	reader_release(&a->r);
	free(w);
	free(w2);
	free(a);
	return s;
}

/* Map PATH read-only into *DATA (*LEN bytes; "" for an empty file). */
static enum sf_status
map_file(const char *path, const void **data, size_t *len,
	 struct sf_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	*data = "";
	*len = 0;
	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return sf_fail(err, SF_IO, NULL, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_FILE) {
		close(fd);
		return sf_fail(err, SF_TOO_LARGE, NULL,
			       "%s: not a regular file of at most 1 GiB", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return SF_OK;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
		 fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return sf_fail(err, SF_IO, NULL, "%s: %s", path,
			       strerror(errno));
	(void)madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	*data = p;
	*len = (size_t)st.st_size;
	return SF_OK;
}

static void
unmap_file(const void *data, size_t len)
{
	if (len)
		munmap((void *)data, len);
}

enum sf_status
ulrecon_files(const char *wp_path, const char *auth_path,
	      const struct ulrecon_opts *opts, struct ulrecon *out,
	      struct sf_error *err)
{
	const void *wp = NULL, *auth = NULL;
	size_t wplen = 0, authlen = 0;
	enum sf_status s;

	memset(out, 0, sizeof(*out));
	if ((s = map_file(wp_path, &wp, &wplen, err)) ||
	    (s = map_file(auth_path, &auth, &authlen, err)))
		goto out;
	s = ulrecon_run(wp_path, wp, wplen, auth_path, auth, authlen, opts,
			out, err);
out:
	if (wp)
		unmap_file(wp, wplen);
	if (auth)
		unmap_file(auth, authlen);
	return s;
}

json_t *
ulrecon_json(const struct ulrecon *r)
{
	json_t *nas = json_array(), *skipped = json_array();

	for (size_t i = 0; i < r->nnas; i++)
		json_array_append_new(
			nas, json_pack("{s:s, s:I, s:I, s:I}", "na",
				       r->nas[i].na, "users",
				       (json_int_t)r->nas[i].users,
				       "distinct_uids",
				       (json_int_t)r->nas[i].distinct,
				       "not_authorised",
				       (json_int_t)r->nas[i].not_authorised));
	for (size_t i = 0; i < r->nissues; i++)
		json_array_append_new(skipped, json_string(r->issues[i]));
	return json_pack(
		"{s:I, s:I, s:I, s:o, s:I, s:{s:I, s:I}, s:o, s:{s:I, s:I, "
		"s:I}}",
		"rows", (json_int_t)r->rows, "disabled",
		(json_int_t)r->disabled, "bad_rows", (json_int_t)r->bad_rows,
		"skipped", skipped, "more_skipped", (json_int_t)r->more_issues,
		"authorised", "rows", (json_int_t)r->auth_rows, "uids",
		(json_int_t)r->auth_uids, "nas", nas, "total", "users",
		(json_int_t)r->users, "distinct_uids", (json_int_t)r->distinct,
		"not_authorised", (json_int_t)r->not_authorised);
}

void
ulrecon_release(struct ulrecon *r)
{
	for (size_t i = 0; i < r->nnas; i++)
		free(r->nas[i].na);
	free(r->nas);
	for (size_t i = 0; i < r->nissues; i++)
		free(r->issues[i]);
	free(r->issues);
	memset(r, 0, sizeof(*r));
}
