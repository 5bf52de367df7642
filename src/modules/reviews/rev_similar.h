/*
 * rev_similar.h - how alike two people's names are, and the duplicate
 * accounts of a user list (seed 002 SEC.5.2: "two accesses have been
 * created for the same user ... the same User ID, Last name and First
 * name (sometimes with typo differences)").
 *
 * Names are first normalised: UTF-8 Latin letters lose their accents
 * (é → e, ß → ss, ø → o), everything becomes lower case, any run of
 * characters that are not letters or digits separates words, and the
 * words are sorted, so "Dupont, Jean", "JEAN DUPONT" and "Dupönt Jean"
 * are all "dupont jean".  The similarity of two names is the Jaro-Winkler
 * similarity (prefix scale 0.1, at most 4 prefix characters) of their
 * normal forms: 1 for equal forms, 0 for nothing in common.
 *
 * Thresholds (documented in docs/reviews.md):
 *   REV_SIM_SAME  0.93  at or above: the same person written with a typo
 *                       ("dupont jean" / "dupont jaen" = 0.98,
 *                        "anna muller" / "anna mueller" = 0.965)
 *   REV_SIM_MAYBE 0.85  at or above, below SAME: perhaps the same
 *                       person; a human decides
 * Below REV_SIM_MAYBE two names are different people ("martin paul" /
 * "martin pauline" = 0.957 is the known weak spot, which is why a pair is
 * only ever compared inside one organisation or NA, and why a group
 * whose accounts cannot be told apart is never resolved by itself).
 */
#ifndef SF_REV_SIMILAR_H
#define SF_REV_SIMILAR_H

#include <stddef.h>

#define REV_SIM_SAME 0.93
#define REV_SIM_MAYBE 0.85

/* The normal form of NAME into OUT (N bytes, always terminated). */
void rev_name_normalise(const char *name, char *out, size_t n);
/* Jaro-Winkler similarity of the byte strings A and B, in [0, 1]. */
double rev_jaro_winkler(const char *a, const char *b);
/* The similarity of two names (normalised first). */
double rev_name_similarity(const char *a, const char *b);

/* One account of a list, as the duplicate search sees it. */
struct rev_person {
	const char *uid;
	const char *name;
	const char *block; /* NA or organisation: names compare only
			      inside one block */
	const char *email;
	int score; /* how complete the account is (e-mail, rights): the
		      higher one of a group is the "correct" account */
};

enum rev_dup_kind {
	REV_DUP_EXACT,	 /* the same account listed twice: drop the copies */
	REV_DUP_CLEAR,	 /* one account is clearly the right one: the
			    others are disabled */
	REV_DUP_UNCLEAR, /* the responsible manager must say which */
};

struct rev_dup {
	enum rev_dup_kind kind;
	size_t *members; /* indexes into the people, ascending */
	size_t n;
	size_t keep;	   /* CLEAR and EXACT: the index kept */
	double similarity; /* the lowest name similarity in the group */
	int same_uid;	   /* every member has the same UID */
};

/*
 * Find the duplicate groups of the N people P: accounts with the same
 * UID (case-insensitive), and accounts of one block whose names are at
 * least REV_SIM_MAYBE alike (compared among those whose normal forms
 * share their first letter: a typo in the very first letter is not
 * found).  Each group is classified:
 *   EXACT   - same UID, same normalised name and e-mail, same score;
 *   CLEAR   - every pair at least REV_SIM_SAME alike and one member has
 *             a higher score than all the others (it is kept);
 *   UNCLEAR - anything else.
 * *OUT (caller frees with rev_dups_free) gets *NOUT groups in the order
 * of their first member.
 */
void rev_duplicates(const struct rev_person *p, size_t n,
		    struct rev_dup **out, size_t *nout);
void rev_dups_free(struct rev_dup *d, size_t n);
const char *rev_dup_kind_name(enum rev_dup_kind k);

#endif
