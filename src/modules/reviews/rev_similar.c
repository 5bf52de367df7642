/*
 * rev_similar.c - name normal forms, Jaro-Winkler, and the duplicate
 * groups of a user list (see rev_similar.h for the rules).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "modules/reviews/rev_similar.h"

/* U+00C0..U+00FF: A = ae, T = th, S = ss, ' ' = separator. */
static const char latin1[] = "aaaaaaAceeeeiiiidnooooo ouuuuyTS"
			     "aaaaaaAceeeeiiiidnooooo ouuuuyTy";
/* U+0100..U+017F: J = ij, Q = oe. */
static const char latin_a[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhh"
			      "iiiiiiiiiiJJjjkkkllllllllllnnnnnnnnnoooooo"
			      "QQrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzz"
			      "zzzs";

struct word {
	const char *p;
	size_t n;
};

static int
word_cmp(const void *a, const void *b)
{
	const struct word *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Append the folded form of one letter C to T (at most M bytes). */
static void
put_folded(char c, char *t, size_t *len, size_t m)
{
	const char *s = c == 'A' ? "ae"
			: c == 'T' ? "th"
			: c == 'S' ? "ss"
			: c == 'J' ? "ij"
			: c == 'Q' ? "oe"
				   : NULL;
	char one[2] = {c, 0};

	if (!s)
		s = one;
	for (; *s && *len + 1 < m; s++)
		t[(*len)++] = *s;
}

void
rev_name_normalise(const char *name, char *out, size_t n)
{
	char tmp[512];
	size_t len = 0, nw = 0, o = 0;
	struct word w[32];
	const unsigned char *p = (const unsigned char *)(name ? name : "");

	if (n == 0)
		return;
	/* Fold into TMP with single spaces between words. */
	while (*p && len + 4 < sizeof(tmp)) {
		unsigned c = *p;
		char f = ' ';
		size_t adv = 1;

		if (c < 0x80) {
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				f = (char)c;
			else if (c >= 'A' && c <= 'Z')
				f = (char)(c - 'A' + 'a');
		} else if ((c & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
			unsigned cp = ((c & 0x1F) << 6) | (p[1] & 0x3F);
			adv = 2;
			if (cp >= 0xC0 && cp <= 0xFF)
				f = latin1[cp - 0xC0];
			else if (cp >= 0x100 && cp <= 0x17F)
				f = latin_a[cp - 0x100];
			else if (cp >= 0x370) { /* Greek, Cyrillic...: as is */
				tmp[len++] = (char)p[0];
				tmp[len++] = (char)p[1];
				p += 2;
				continue;
			}
		} else if (c >= 0xC0) {
			/* Longer sequences: kept whole as a letter. */
			size_t k = (c & 0xF0) == 0xE0 ? 3 : 4;
			size_t i;
			for (i = 1; i < k && (p[i] & 0xC0) == 0x80; i++)
				;
			if (len + i + 1 >= sizeof(tmp))
				break;
			memcpy(tmp + len, p, i);
			len += i;
			p += i;
			continue;
		}
		if (f == ' ') {
			if (len && tmp[len - 1] != ' ')
				tmp[len++] = ' ';
		} else {
			put_folded(f, tmp, &len, sizeof(tmp) - 1);
		}
		p += adv;
	}
	while (len && tmp[len - 1] == ' ')
		len--;
	tmp[len] = '\0';
	/* Sort the words. */
	for (size_t i = 0; i < len && nw < 32;) {
		size_t j = i;
		while (j < len && tmp[j] != ' ')
			j++;
		w[nw].p = tmp + i;
		w[nw++].n = j - i;
		i = j + 1;
	}
	qsort(w, nw, sizeof(w[0]), word_cmp);
	for (size_t i = 0; i < nw; i++) {
		if (i && o + 1 < n)
			out[o++] = ' ';
		for (size_t k = 0; k < w[i].n && o + 1 < n; k++)
			out[o++] = w[i].p[k];
	}
	out[o] = '\0';
}

double
rev_jaro_winkler(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), range, m = 0, t = 0, k = 0;
	unsigned char ma[256] = {0}, mb[256] = {0};
	double jaro;
	size_t prefix = 0;

	if (la > 255)
		la = 255;
	if (lb > 255)
		lb = 255;
	if (la == 0 && lb == 0)
		return 1.0;
	if (la == 0 || lb == 0)
		return 0.0;
	range = (la > lb ? la : lb) / 2;
	range = range ? range - 1 : 0;
	for (size_t i = 0; i < la; i++) {
		size_t lo = i > range ? i - range : 0;
		size_t hi = i + range + 1 < lb ? i + range + 1 : lb;
		for (size_t j = lo; j < hi; j++) {
			if (mb[j] || a[i] != b[j])
				continue;
			ma[i] = mb[j] = 1;
			m++;
			break;
		}
	}
	if (m == 0)
		return 0.0;
	for (size_t i = 0; i < la; i++) {
		if (!ma[i])
			continue;
		while (!mb[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	jaro = ((double)m / (double)la + (double)m / (double)lb +
		((double)m - (double)t / 2.0) / (double)m) /
	       3.0;
	while (prefix < 4 && prefix < la && prefix < lb &&
	       a[prefix] == b[prefix])
		prefix++;
	return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

double
rev_name_similarity(const char *a, const char *b)
{
	char na[256], nb[256];

	rev_name_normalise(a, na, sizeof(na));
	rev_name_normalise(b, nb, sizeof(nb));
	return rev_jaro_winkler(na, nb);
}

const char *
rev_dup_kind_name(enum rev_dup_kind k)
{
	return k == REV_DUP_EXACT ? "exact"
	       : k == REV_DUP_CLEAR ? "clear"
				    : "unclear";
}

/* Union-find over the people. */
static size_t
find(size_t *up, size_t i)
{
	while (up[i] != i) {
		up[i] = up[up[i]];
		i = up[i];
	}
	return i;
}

static void
unite(size_t *up, size_t a, size_t b)
{
	a = find(up, a);
	b = find(up, b);
	if (a != b) {
		if (a < b)
			up[b] = a;
		else
			up[a] = b;
	}
}

struct sortctx {
	const struct rev_person *p;
	char **norm;
};

static const struct sortctx *g_sort; /* qsort has no context argument */

static int
by_uid(const void *x, const void *y)
{
	const struct rev_person *a = &g_sort->p[*(const size_t *)x];
	const struct rev_person *b = &g_sort->p[*(const size_t *)y];
	int c = strcasecmp(a->uid ? a->uid : "", b->uid ? b->uid : "");

	return c ? c
		 : (*(const size_t *)x > *(const size_t *)y) -
			   (*(const size_t *)x < *(const size_t *)y);
}

static int
by_block(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	const struct rev_person *a = &g_sort->p[i], *b = &g_sort->p[j];
	int c = strcasecmp(a->block ? a->block : "", b->block ? b->block : "");

	if (c)
		return c;
	c = (unsigned char)g_sort->norm[i][0] -
	    (unsigned char)g_sort->norm[j][0];
	return c ? c : (i > j) - (i < j);
}

static int
same_block(const struct sortctx *s, size_t i, size_t j)
{
	return strcasecmp(s->p[i].block ? s->p[i].block : "",
			  s->p[j].block ? s->p[j].block : "") == 0 &&
	       s->norm[i][0] == s->norm[j][0];
}

static int
streq_ci(const char *a, const char *b)
{
	return strcasecmp(a ? a : "", b ? b : "") == 0;
}

static void
classify(const struct rev_person *p, char **norm, struct rev_dup *d)
{
	int exact = 1, best = INT32_MIN, nbest = 0;

	d->same_uid = 1;
	d->similarity = 1.0;
	for (size_t a = 0; a < d->n; a++) {
		size_t i = d->members[a];
		if (!p[i].uid || !*p[i].uid ||
		    !streq_ci(p[i].uid, p[d->members[0]].uid))
			d->same_uid = 0;
		for (size_t b = a + 1; b < d->n; b++) {
			size_t j = d->members[b];
			double s = rev_jaro_winkler(norm[i], norm[j]);
			if (s < d->similarity)
				d->similarity = s;
			if (strcmp(norm[i], norm[j]) != 0 ||
			    !streq_ci(p[i].email, p[j].email) ||
			    p[i].score != p[j].score)
				exact = 0;
		}
		if (p[i].score > best) {
			best = p[i].score;
			nbest = 1;
			d->keep = i;
		} else if (p[i].score == best) {
			nbest++;
		}
	}
	if (exact && d->same_uid) {
		d->kind = REV_DUP_EXACT;
		d->keep = d->members[0];
	} else if (d->similarity >= REV_SIM_SAME && nbest == 1) {
		d->kind = REV_DUP_CLEAR;
	} else {
		d->kind = REV_DUP_UNCLEAR;
		d->keep = (size_t)-1;
	}
}

void
rev_duplicates(const struct rev_person *p, size_t n, struct rev_dup **out,
	       size_t *nout)
{
	size_t *up = xcalloc(n ? n : 1, sizeof(size_t));
	size_t *ix = xcalloc(n ? n : 1, sizeof(size_t));
	size_t *count = xcalloc(n ? n : 1, sizeof(size_t));
	char **norm = xcalloc(n ? n : 1, sizeof(char *));
	struct sortctx s = {p, norm};
	struct rev_dup *d = NULL;
	size_t nd = 0;

	for (size_t i = 0; i < n; i++) {
		char tmp[256];
		up[i] = ix[i] = i;
		rev_name_normalise(p[i].name, tmp, sizeof(tmp));
		norm[i] = xstrdup(tmp);
	}
	g_sort = &s;
	qsort(ix, n, sizeof(size_t), by_uid);
	for (size_t k = 1; k < n; k++) {
		const char *u = p[ix[k]].uid;
		if (u && *u && streq_ci(u, p[ix[k - 1]].uid))
			unite(up, ix[k], ix[k - 1]);
	}
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	qsort(ix, n, sizeof(size_t), by_block);
	g_sort = NULL;
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		while (b < n && same_block(&s, ix[a], ix[b]))
			b++;
		for (size_t i = a; i < b; i++)
			for (size_t j = i + 1; j < b; j++)
				if (norm[ix[i]][0] &&
				    rev_jaro_winkler(norm[ix[i]],
						     norm[ix[j]]) >=
					    REV_SIM_MAYBE)
					unite(up, ix[i], ix[j]);
		a = b;
	}
	for (size_t i = 0; i < n; i++)
		count[find(up, i)]++;
	/* COUNT[root] becomes the group's index + 1 once it is made. */
	for (size_t i = 0; i < n; i++) {
		size_t r = find(up, i);
		struct rev_dup *g;
		if (r == i && count[r] >= 2) {
			d = xrealloc(d, (nd + 1) * sizeof(*d));
			g = &d[nd++];
			memset(g, 0, sizeof(*g));
			g->members = xcalloc(count[r], sizeof(size_t));
			count[r] = nd + n; /* above any real count */
		}
		if (count[r] > n) {
			g = &d[count[r] - n - 1];
			g->members[g->n++] = i;
		}
	}
	for (size_t k = 0; k < nd; k++)
		classify(p, norm, &d[k]);
	for (size_t i = 0; i < n; i++)
		free(norm[i]);
	free(norm);
	free(up);
	free(ix);
	free(count);
	*out = d;
	*nout = nd;
}

void
rev_dups_free(struct rev_dup *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].members);
	free(d);
}
