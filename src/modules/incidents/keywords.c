/*
 * keywords.c - the keyword scanner: a list compiled into one vectorscan
 * block-mode database, and scans of text with it, on several threads for
 * large texts (rules in keywords.h).
 *
 * Every entry is a caseless literal (hs_compile_lit_multi: no regex
 * parsing); word boundaries are checked in the match callback with one
 * table lookup per side.
 *
 * The short-word trap (BASELINES.md): "tor", "rce", "soc" occur inside
 * ordinary words on most lines, and each hit costs vectorscan's confirm
 * work plus a callback that throws it away (83% of the time went inside
 * libhs).  So an entry of at most SHORT_WORD bytes that starts with a
 * word byte is compiled as one literal per ASCII non-word byte before it
 * (" tor", "(tor", "\ntor", ... 64 of them): those longer literals are
 * rare, and the leading boundary is then known.  What that costs:
 *   - the byte before a piece: each piece is scanned from the control byte
 *     before it (pieces start at one, see scan_all);
 *   - offset 0 has no byte before it: head_scan looks at a copy of the
 *     first bytes behind a space;
 *   - the literal API refuses a literal that starts with NUL, so a piece
 *     holding a NUL byte (binary data) is scanned with a second database
 *     of plain literals, compiled on first need.
 * Measured on bench/keywords_corpus.py's 256 MiB corpus with its 200
 * entries, CPU seconds of one thread:
 *   all plain literals, boundaries in the callback        0.40
 *   short entries expanded as above                        0.25
 *   the 10 short entries left out                          0.19
 *   short entries as \bword\b regex patterns               0.50
 *   every entry as (?:\A|[^\w])word(?:[^\w]|\z)             1.06
 * Compiling the 200 entries takes about 10 ms plain, 35 ms expanded (0.2 s
 * through the regex compiler, which is why the literal API is used).
 */
#include <hs/hs.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "keywords.h"

#define DEFAULT_PIECE ((size_t)4 << 20)
/* kw_scan keeps the matches of a round of pieces in memory: this many
 * pieces per thread in a round.  Line counts keep nothing: one round. */
#define ROUND_PIECES 8
#define MAX_THREADS 64
/* How far to look byte by byte for a control byte to cut after. */
#define CUT_NEAR ((size_t)4096)

/* Entries of at most this many bytes take the short-word path. */
#define SHORT_WORD 3

struct kw_set {
	atomic_int refs;
	struct kw_entry *v;
	size_t *len;
	unsigned char *lead; /* entry i is on the short-word path */
	size_t n;
	int64_t version;
	/* The scan database: short entries expanded, the others plain; NULL
	 * for an empty list. */
	hs_database_t *db;
	int any_lead;
	/* Every entry a plain literal, for pieces holding a NUL byte:
	 * compiled on first need (plain_lock), then never changed. */
	pthread_mutex_t plain_lock;
	hs_database_t *_Atomic plain;
	int plain_failed;
};

static atomic_uint tune_threads;
static atomic_size_t tune_piece;

void
kw_tune(unsigned threads, size_t piece)
{
	atomic_store(&tune_threads, threads);
	atomic_store(&tune_piece, piece);
}

/* [A-Za-z0-9_] and every byte >= 0x80 (UTF-8 letters join words). */
static const unsigned char word_byte[256] = {
#define R10(x) x, x, x, x, x, x, x, x, x, x
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['_'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	[0x80] = R10(1), R10(1), R10(1), R10(1), R10(1), R10(1), R10(1),
	R10(1), R10(1), R10(1), R10(1), R10(1), 1, 1, 1, 1, 1, 1, 1, 1,
#undef R10
};

static int
is_word(const char *p)
{
	return word_byte[(unsigned char)*p];
}

/* The literals of the set: entry indexes as ids, all caseless. */
struct lits {
	char **v;
	size_t *lens;
	unsigned *flags, *ids;
	size_t n, cap;
};

static void
lits_add(struct lits *x, const char *word, size_t len, int lead_byte,
	 size_t id)
{
	size_t k = lead_byte >= 0;
	char *w = xmalloc(len + k + 1);

	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->v = xrealloc(x->v, x->cap * sizeof(x->v[0]));
		x->lens = xrealloc(x->lens, x->cap * sizeof(x->lens[0]));
		x->flags = xrealloc(x->flags, x->cap * sizeof(x->flags[0]));
		x->ids = xrealloc(x->ids, x->cap * sizeof(x->ids[0]));
	}
	if (k)
		w[0] = (char)lead_byte;
	memcpy(w + k, word, len + 1);
	x->v[x->n] = w;
	x->lens[x->n] = len + k;
	x->flags[x->n] = HS_FLAG_CASELESS;
	x->ids[x->n] = (unsigned)id;
	x->n++;
}

static void
lits_release(struct lits *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->v[i]);
	free(x->v);
	free(x->lens);
	free(x->flags);
	free(x->ids);
}

/*
 * Compile the set's entries into *DB: EXPAND puts the short-word entries
 * in as one literal per non-word byte before them (not NUL: the literal
 * API refuses a literal that starts with one).
 */
static enum sf_status
compile_db(const struct kw_set *set, int expand, hs_database_t **db,
	   struct sf_error *err)
{
	struct lits x = {0};
	hs_compile_error_t *ce = NULL;
	enum sf_status r = SF_OK;

	for (size_t i = 0; i < set->n; i++) {
		if (!expand || !set->lead[i]) {
			lits_add(&x, set->v[i].word, set->len[i], -1, i);
			continue;
		}
		for (int c = 1; c < 0x80; c++)
			if (!word_byte[c])
				lits_add(&x, set->v[i].word, set->len[i], c,
					 i);
	}
	if (hs_compile_lit_multi((const char *const *)x.v, x.flags, x.ids,
				 x.lens, (unsigned)x.n, HS_MODE_BLOCK, NULL,
				 db, &ce) != HS_SUCCESS) {
		if (ce && ce->expression >= 0 && (size_t)ce->expression < x.n)
			r = sf_fail(err, SF_INVALID, "word",
				    "cannot compile keyword \"%s\": %s",
				    set->v[x.ids[ce->expression]].word,
				    ce->message);
		else
			r = sf_fail(err, SF_INTERNAL, NULL,
				    "cannot compile the keyword list: %s",
				    ce ? ce->message : "unknown error");
		hs_free_compile_error(ce);
		*db = NULL;
	}
	lits_release(&x);
	return r;
}

struct kw_set *
kw_compile(const struct kw_entry *v, size_t n, struct sf_error *err)
{
	struct kw_set *set = xcalloc(1, sizeof(*set));

	atomic_init(&set->refs, 1);
	pthread_mutex_init(&set->plain_lock, NULL);
	set->n = n;
	set->v = xcalloc(n ? n : 1, sizeof(set->v[0]));
	set->len = xcalloc(n ? n : 1, sizeof(set->len[0]));
	set->lead = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		set->v[i].word = xstrdup(v[i].word);
		set->v[i].prefix = v[i].prefix;
		set->len[i] = strlen(v[i].word);
		if (set->len[i] == 0 || set->len[i] > KW_MAX_WORD) {
			sf_fail(err, SF_INVALID, "word",
				"keyword %zu has %zu bytes (1 to %d)", i + 1,
				set->len[i], KW_MAX_WORD);
			goto fail;
		}
		set->lead[i] = set->len[i] <= SHORT_WORD && is_word(v[i].word);
		set->any_lead |= set->lead[i];
	}
	if (n == 0)
		return set;
	if (compile_db(set, 1, &set->db, err))
		goto fail;
	if (!set->any_lead)
		atomic_store(&set->plain, set->db);
	return set;
fail:
	kw_set_free(set);
	return NULL;
}

/* The all-plain database, compiled on first need; NULL if that failed. */
static hs_database_t *
plain_db(struct kw_set *set)
{
	hs_database_t *db = atomic_load(&set->plain);

	if (db)
		return db;
	pthread_mutex_lock(&set->plain_lock);
	db = atomic_load(&set->plain);
	if (!db && !set->plain_failed) {
		if (compile_db(set, 0, &db, NULL))
			set->plain_failed = 1;
		else
			atomic_store(&set->plain, db);
	}
	pthread_mutex_unlock(&set->plain_lock);
	return db;
}

struct kw_set *
kw_set_ref(struct kw_set *set)
{
	if (set)
		atomic_fetch_add(&set->refs, 1);
	return set;
}

void
kw_set_free(struct kw_set *set)
{
	if (!set || atomic_fetch_sub(&set->refs, 1) != 1)
		return;
	if (atomic_load(&set->plain) != set->db)
		hs_free_database(atomic_load(&set->plain));
	hs_free_database(set->db);
	pthread_mutex_destroy(&set->plain_lock);
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].word);
	free(set->v);
	free(set->len);
	free(set->lead);
	free(set);
}

size_t
kw_set_size(const struct kw_set *set)
{
	return set->n;
}

const struct kw_entry *
kw_set_entry(const struct kw_set *set, size_t i)
{
	return i < set->n ? &set->v[i] : NULL;
}

int64_t
kw_set_version(const struct kw_set *set)
{
	return set->version;
}

void
kw_set_version_set(struct kw_set *set, int64_t version)
{
	set->version = version;
}

/* --- scanning one piece --- */

struct hit {
	size_t offset;
	size_t kw;
};

/* One piece of the text and what its scan found. */
struct piece {
	struct kw_set *set;
	const char *text; /* the whole text */
	size_t len;	  /* of the whole text */
	size_t start, end;
	int count_only;
	/* the scan under way: where its window starts in the text, whether
	 * it runs the expanded database, hits before MIN_START ignored */
	size_t base, min_end, max_end;
	int expanded;
	size_t min_start;
	/* count_only: lines seen, and where the line of the last one ends */
	uint64_t lines;
	size_t next_line;
	/* otherwise: the matches, sorted once the scan is done */
	struct hit *hits;
	size_t nhits, cap;
	hs_error_t rc;
};

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
	 unsigned int flags, void *ctx)
{
	struct piece *pc = ctx;
	const struct kw_set *set = pc->set;
	size_t end = pc->base + (size_t)to, s;
	size_t n = set->len[id];

	(void)from;
	(void)flags;
	if (end <= pc->min_end || end > pc->max_end)
		return 0; /* the other scan's (see run) */
	s = end - n;
	/* An expanded literal holds the byte before the keyword, a non-word
	 * byte: only the end needs checking. */
	if (!(pc->expanded && set->lead[id]) && s > 0 &&
	    is_word(pc->text + s - 1))
		return 0;
	if (!set->v[id].prefix && end < pc->len && is_word(pc->text + end))
		return 0;
	if (s < pc->min_start)
		return 0;
	if (pc->count_only) {
		/* Matches arrive in order of their end, and no keyword holds
		 * a line break, so lines arrive in order too. */
		if (s >= pc->next_line) {
			const char *nl = memchr(pc->text + s, '\n', pc->end - s);
			pc->lines++;
			pc->next_line = nl ? (size_t)(nl - pc->text) + 1
					   : pc->end;
			if (!nl)
				return 1; /* the piece's last line is counted */
		}
		return 0;
	}
	if (pc->nhits == pc->cap) {
		pc->cap = pc->cap ? 2 * pc->cap : 256;
		pc->hits = xrealloc(pc->hits, pc->cap * sizeof(pc->hits[0]));
	}
	pc->hits[pc->nhits].offset = s;
	pc->hits[pc->nhits].kw = id;
	pc->nhits++;
	return 0;
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->kw < y->kw ? -1 : x->kw > y->kw;
}

/*
 * vectorscan 5.4.9 (Debian 12) misses matches near the end of a scanned
 * block, for some literal sets (block and stream mode alike):
 *   - entries {"c2", "rc"} expanded as below, a buffer of 66 bytes or
 *     more: a match starting in its last 33 bytes may be missed;
 *   - {"spam", "~C2===", "pam spa"}: a match ending a block of 18 to 34
 *     bytes is missed.
 * (Found by fuzz_keywords against its naive oracle; later vectorscan
 * releases fixed several such accelerator bugs.)  So no match is taken
 * from the last TAIL bytes of a direct scan: those bytes, with KW_MAX_WORD
 * + 1 bytes before them for context, are scanned again from a copy
 * followed by PAD line breaks, and only matches ending in the last TAIL
 * bytes are taken from it.  The padding cannot make or change a match (no
 * entry holds a line break; boundaries are checked against the real
 * text).
 */
#define TAIL 128
#define PAD 128

/* hs_scan DATA[0..N), which stands for the text from BASE on; take the
 * hits ending in (MIN_END, MAX_END].  -1 with pc->rc set on failure. */
static int
scan_buf(struct piece *pc, hs_database_t *db, hs_scratch_t **scratch,
	 const char *data, size_t n, size_t base, size_t min_end,
	 size_t max_end)
{
	hs_error_t rc = hs_alloc_scratch(db, scratch);

	pc->base = base;
	pc->min_end = min_end;
	pc->max_end = max_end;
	if (rc == HS_SUCCESS)
		rc = hs_scan(db, data, (unsigned)n, 0, *scratch, on_match, pc);
	if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
		pc->rc = rc;
		return -1;
	}
	return 0;
}

/* Scan DATA[0..N), which is the text from BASE on (or a copy of it), as
 * the comment above says.  -1 with pc->rc set on failure. */
static int
run(struct piece *pc, hs_database_t *db, hs_scratch_t **scratch,
    const char *data, size_t base, size_t n, int expanded)
{
	char copy[TAIL + KW_MAX_WORD + 1 + PAD];
	size_t from = 0, min_end = base;

	pc->expanded = expanded;
	if (n > TAIL + KW_MAX_WORD + 1) {
		if (scan_buf(pc, db, scratch, data, n, base, base,
			     base + n - TAIL))
			return -1;
		from = n - TAIL - KW_MAX_WORD - 1;
		min_end = base + n - TAIL;
	}
	memcpy(copy, data + from, n - from);
	memset(copy + (n - from), '\n', PAD);
	return scan_buf(pc, db, scratch, copy, n - from + PAD, base + from,
			min_end, base + n);
}

/*
 * A short keyword at offset 0 has no byte before it for an expanded
 * literal to hold: scan a copy of the head behind a space, and take from
 * it the short-word hits at offset 0 only (the main scan finds the rest).
 */
static int
head_scan(struct piece *pc, hs_database_t *db, hs_scratch_t **scratch)
{
	char head[1 + SHORT_WORD + 1 + PAD];
	size_t k = pc->end < SHORT_WORD + 1 ? pc->end : SHORT_WORD + 1;
	struct piece probe = *pc;
	size_t first = pc->set->n;

	head[0] = ' ';
	memcpy(head + 1, pc->text, k);
	memset(head + 1 + k, '\n', PAD); /* see run() */
	probe.count_only = 0;
	probe.expanded = 1;
	probe.hits = NULL;
	probe.nhits = probe.cap = 0;
	/* base -1: byte 1 of the copy is byte 0 of the text */
	if (scan_buf(&probe, db, scratch, head, 1 + k + PAD, (size_t)-1, 0,
		     k)) {
		pc->rc = probe.rc;
		free(probe.hits);
		return -1;
	}
	for (size_t i = 0; i < probe.nhits; i++) {
		struct hit *h = &probe.hits[i];
		if (h->offset != 0 || !pc->set->lead[h->kw])
			continue;
		if (pc->count_only) {
			if (h->kw < first)
				first = h->kw;
			continue;
		}
		if (pc->nhits == pc->cap) {
			pc->cap = pc->cap ? 2 * pc->cap : 256;
			pc->hits = xrealloc(pc->hits,
					    pc->cap * sizeof(pc->hits[0]));
		}
		pc->hits[pc->nhits++] = *h;
	}
	if (pc->count_only && first < pc->set->n) {
		const char *nl = memchr(pc->text, '\n', pc->end);
		pc->lines = 1;
		pc->next_line = nl ? (size_t)(nl - pc->text) + 1 : pc->end;
	}
	free(probe.hits);
	return 0;
}

/*
 * Scan one piece; *SCRATCH grows to fit the databases used.  The
 * expanded database needs the byte before a short keyword, so each part
 * is scanned from the control byte before it; at the start of the text
 * there is none, and a copy of the head behind a space finds a short
 * keyword there.  A piece holding a NUL byte (which no expanded literal
 * can start with) or too long to cut is scanned with the plain database.
 */
static void
piece_scan(struct piece *pc, hs_scratch_t **scratch)
{
	size_t pos = pc->start;
	/* the window starts at the byte before the piece */
	size_t from = pc->start > 0 ? pc->start - 1 : 0;
	hs_database_t *db = pc->set->db;
	int expanded = pc->set->any_lead;

	pc->next_line = pc->start;
	pc->min_start = pc->start;
	pc->rc = HS_SUCCESS;
	if (expanded && (pc->end - pc->start > 0x7fffffffu ||
			 memchr(pc->text + from, '\0', pc->end - from))) {
		db = plain_db(pc->set);
		expanded = 0;
		if (!db) {
			pc->rc = HS_COMPILER_ERROR;
			return;
		}
	}
	if (expanded && pc->start == 0 && head_scan(pc, db, scratch))
		return;
	/* hs_scan takes an unsigned int length: a piece over 2 GiB (a text
	 * with no control byte for that long; plain database only) goes in
	 * parts, and a match across the 2 GiB mark is lost. */
	while (pos < pc->end) {
		size_t part = pc->end - pos;
		size_t w = pos > 0 && expanded ? pos - 1 : pos;

		if (part > 0x7fffffffu)
			part = 0x7fffffffu;
		if (run(pc, db, scratch, pc->text + w, w, pos + part - w,
			expanded))
			return;
		pos += part;
	}
	if (pc->nhits > 1)
		qsort(pc->hits, pc->nhits, sizeof(pc->hits[0]), hit_cmp);
}

/* The calling thread's scratch, kept for its life and grown to fit every
 * database it meets. */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void
scratch_destroy(void *p)
{
	hs_free_scratch(p);
}

static void
scratch_key_make(void)
{
	pthread_key_create(&scratch_key, scratch_destroy);
}

static hs_scratch_t *
thread_scratch(const hs_database_t *db)
{
	hs_scratch_t *s;

	pthread_once(&scratch_once, scratch_key_make);
	s = pthread_getspecific(scratch_key);
	if (hs_alloc_scratch(db, &s) != HS_SUCCESS)
		return NULL;
	pthread_setspecific(scratch_key, s);
	return s;
}

struct worker {
	pthread_t thread;
	struct piece *pieces;
	size_t npieces;
	atomic_size_t *next;
	hs_error_t rc;
};

/* Workers take pieces from a shared counter until none is left. */
static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	hs_scratch_t *scratch = NULL;
	size_t i;

	if (hs_alloc_scratch(w->pieces[0].set->db, &scratch) != HS_SUCCESS) {
		w->rc = HS_NOMEM;
		return NULL;
	}
	while ((i = atomic_fetch_add(w->next, 1)) < w->npieces)
		piece_scan(&w->pieces[i], &scratch);
	hs_free_scratch(scratch);
	return NULL;
}

static size_t
cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (size_t)n : 1;
}

/*
 * Where to cut at or after POS: just after the first control byte from
 * there on, or LIMIT when there is none.  Line breaks are the usual cut,
 * found with memchr; other control bytes are looked for nearby first so
 * text without line breaks (binary data) is not read to its end.  Line
 * counts (LINES_ONLY) cut after line breaks only: a line split between
 * two pieces would be counted twice.
 */
static size_t
cut_after(const char *text, size_t pos, size_t limit, int lines_only)
{
	size_t near = limit - pos > CUT_NEAR ? pos + CUT_NEAR : limit;
	const char *nl;

	if (lines_only)
		near = pos;
	for (size_t i = pos; i < near; i++)
		if ((unsigned char)text[i] < 0x20)
			return i + 1;
	nl = memchr(text + near, '\n', limit - near);
	if (nl)
		return (size_t)(nl - text) + 1;
	for (size_t i = near; i < limit && !lines_only; i++)
		if ((unsigned char)text[i] < 0x20)
			return i + 1;
	return limit;
}

/*
 * Cut TEXT into pieces of about PIECE bytes, each ending just after a
 * control byte (line counts: a line break), or at the end, and scan them
 * on up to THREADS threads that each take the next piece not yet taken,
 * so a thread held up by the machine does not hold the others.  kw_scan
 * goes a round of pieces at a time, handing their matches on (FN) and
 * freeing them before the next round; line counts need no rounds.
 */
static enum sf_status
scan_all(const struct kw_set *set, const char *text, size_t len,
	 int count_only, uint64_t *lines, kw_match_fn fn, void *ctx,
	 struct sf_error *err)
{
	size_t piece = atomic_load(&tune_piece);
	size_t threads = atomic_load(&tune_threads);
	struct piece *pcs = NULL;
	struct worker *ws = NULL;
	size_t pos = 0, npcs, nws, round;
	atomic_size_t next;
	enum sf_status r = SF_OK;
	int stop = 0;

	if (lines)
		*lines = 0;
	if (!set->db || len == 0)
		return SF_OK;
	if (piece == 0)
		piece = DEFAULT_PIECE;
	if (threads == 0)
		threads = cpu_count();
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	round = count_only ? len / piece + 1 : threads * ROUND_PIECES;
	pcs = xcalloc(round, sizeof(pcs[0]));
	ws = xcalloc(threads, sizeof(ws[0]));
	while (pos < len && !stop) {
		for (npcs = 0; npcs < round && pos < len; npcs++) {
			size_t end = len - pos > piece
					     ? cut_after(text, pos + piece, len,
						 count_only)
					     : len;
			struct piece *pc = &pcs[npcs];
			/* logically const: only the lazily compiled plain
			 * database is ever added to it */
			pc->set = (struct kw_set *)set;
			pc->text = text;
			pc->len = len;
			pc->start = pos;
			pc->end = end;
			pc->count_only = count_only;
			pc->lines = 0;
			pc->nhits = 0;
			pos = end;
		}
		nws = npcs > threads ? threads - 1 : npcs - 1;
		atomic_init(&next, 1);
		for (size_t i = 0; i < nws; i++) {
			ws[i].pieces = pcs;
			ws[i].npieces = npcs;
			ws[i].next = &next;
			ws[i].rc = HS_SUCCESS;
			if (pthread_create(&ws[i].thread, NULL, worker_run,
					   &ws[i]) != 0) {
				nws = i; /* the calling thread does the rest */
				break;
			}
		}
		{
			hs_scratch_t *s = thread_scratch(set->db);
			size_t i = 0;
			if (!s) {
				r = sf_fail(err, SF_INTERNAL, NULL,
					    "cannot allocate vectorscan "
					    "scratch space");
			} else {
				piece_scan(&pcs[0], &s);
				while ((i = atomic_fetch_add(&next, 1)) < npcs)
					piece_scan(&pcs[i], &s);
				pthread_setspecific(scratch_key, s);
			}
		}
		for (size_t i = 0; i < nws; i++) {
			pthread_join(ws[i].thread, NULL);
			if (ws[i].rc != HS_SUCCESS && !r)
				r = sf_fail(err, SF_INTERNAL, NULL,
					    "cannot allocate vectorscan "
					    "scratch space");
		}
		for (size_t i = 0; i < npcs && !r; i++) {
			struct piece *pc = &pcs[i];
			if (pc->rc != HS_SUCCESS) {
				r = sf_fail(err, SF_INTERNAL, NULL,
					    "vectorscan scan failed (%d) at "
					    "byte %zu",
					    (int)pc->rc, pc->start);
				break;
			}
			if (count_only) {
				*lines += pc->lines;
				continue;
			}
			for (size_t k = 0; k < pc->nhits && !stop; k++)
				if (fn(ctx, pc->hits[k].kw, pc->hits[k].offset))
					stop = 1;
		}
		if (r)
			break;
	}
	for (size_t i = 0; i < round; i++)
		free(pcs[i].hits);
	free(pcs);
	free(ws);
	return r;
}

enum sf_status
kw_scan(const struct kw_set *set, const char *text, size_t len,
	kw_match_fn fn, void *ctx, struct sf_error *err)
{
	return scan_all(set, text, len, 0, NULL, fn, ctx, err);
}

enum sf_status
kw_count_lines(const struct kw_set *set, const char *text, size_t len,
	       uint64_t *lines, struct sf_error *err)
{
	return scan_all(set, text, len, 1, lines, NULL, NULL, err);
}
