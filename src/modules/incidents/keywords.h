/*
 * keywords.h - the security keyword list and its scanner (seed 002
 * SEC.4.1 "Detection", SPEC §3.2).
 *
 * Three files share this header:
 *   keywords_list.c   entries, list files, JSON form
 *   keywords.c        compiling a list into one vectorscan database and
 *                     scanning text with it (the hot path)
 *   keywords_store.c  the versioned list kept in the database, its audit
 *                     records, and a per-process cache of the compiled set
 *
 * Matching rules (the one place they are written down):
 *   - case-insensitive for ASCII letters; every other byte (UTF-8 included)
 *     must be equal;
 *   - whole word by default: the byte before the keyword and the byte
 *     after it are not word bytes, or are the start/end of the text.  Word
 *     bytes are [A-Za-z0-9_] and every byte >= 0x80, so UTF-8 letters join
 *     words ("virusé" holds no "virus").  This is grep -w's rule in the C
 *     locale for ASCII text;
 *   - a prefix entry (written "malware*" in list files) needs the word
 *     boundary before it only: "malware*" matches "malwares", "Malware-X";
 *   - a phrase is matched byte for byte: its single spaces match exactly one
 *     space, as grep -F does (entries are stored trimmed, with runs of
 *     spaces collapsed to one; a line break inside a phrase in the text
 *     does not match);
 *   - every occurrence of every entry is reported: overlapping entries
 *     ("remote access" and "access" in "remote access") are both reported,
 *     each at its own start offset.  Reports come in order of offset, then
 *     of entry index.
 * An entry is 1 to KW_MAX_WORD bytes, valid UTF-8, without control bytes
 * (< 0x20, 0x7f); entries equal but for ASCII case are one entry.
 */
#ifndef SF_KEYWORDS_H
#define SF_KEYWORDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/actor.h"
#include "core/status.h"
#include "store/store.h"

#define KW_MAX_WORD 200

struct kw_entry {
	char *word; /* normalised, without the trailing '*' of a prefix */
	int prefix; /* matches at a word start only */
};

/* A list of entries and where it came from.  kw_list_init gives an empty
 * list; kw_list_release frees what it holds. */
struct kw_list {
	struct kw_entry *v;
	size_t n, cap;
	int64_t version; /* 0: the shipped default, never stored */
	char *changed;	 /* ISO 8601 time of the change, or NULL */
	char *by;	 /* who made it, or NULL */
};

void kw_list_init(struct kw_list *l);
void kw_list_release(struct kw_list *l);

/*
 * Check and normalise one entry given as TEXT ("malware*" is a prefix
 * entry unless PREFIX already says so) and append it to L; an entry
 * already in L (ASCII case aside) is left alone and *ADDED (may be NULL)
 * is 0.  WHERE ("list.txt:12", "word") opens the error message.
 */
enum sf_status kw_list_add(struct kw_list *l, const char *text, size_t len,
			   int prefix, const char *where, int *added,
			   struct sf_error *err);
/* Index of the entry equal to WORD/PREFIX (ASCII case aside), or -1. */
long kw_list_find(const struct kw_list *l, const char *word, int prefix);
/* Drop entry I (order of the others is kept). */
void kw_list_remove_at(struct kw_list *l, size_t i);

/*
 * Parse a list file: one entry a line, "#" comment lines and blank lines
 * ignored, a trailing '*' marks a prefix entry, CRLF line ends accepted.
 * Errors name FILE:LINE.  OUT is initialised here; on failure it is
 * released and empty.
 */
enum sf_status kw_list_parse(const char *text, size_t len, const char *file,
			     struct kw_list *out, struct sf_error *err);

/* {"version", "entries": [{"word", "prefix"}], "changed", "by"}: a new
 * reference. */
json_t *kw_list_json(const struct kw_list *l);
/* The inverse; every entry is checked again.  OUT is initialised here. */
enum sf_status kw_list_from_json(json_t *j, struct kw_list *out,
				 struct sf_error *err);

/*
 * The compiled form: one vectorscan database for the whole list.  A set is
 * immutable once compiled, shared by any number of threads, and counted
 * by reference: kw_set_ref adds one, kw_set_free drops one.
 */
struct kw_set;

/* Compile the N entries of V (copied; V stays the caller's).  NULL and
 * ERR filled on failure. */
struct kw_set *kw_compile(const struct kw_entry *v, size_t n,
			  struct sf_error *err);
struct kw_set *kw_set_ref(struct kw_set *set);
void kw_set_free(struct kw_set *set);
size_t kw_set_size(const struct kw_set *set);
/* Entry I of the set (owned by the set). */
const struct kw_entry *kw_set_entry(const struct kw_set *set, size_t i);
/* The list version the set was compiled from (see kw_current). */
int64_t kw_set_version(const struct kw_set *set);
/* Record it (keywords_store.c, on the sets it compiles). */
void kw_set_version_set(struct kw_set *set, int64_t version);

/* Called once per match: entry index KW, byte OFFSET of the start of the
 * keyword in the text.  Non-zero stops the scan. */
typedef int (*kw_match_fn)(void *ctx, size_t kw, size_t offset);

/*
 * Report every match in TEXT[0..LEN) in order of offset (see the rules
 * above); the callback runs in the caller's thread.  Large texts are cut
 * into pieces scanned on several threads: each cut falls just after a
 * control byte, which no entry holds and which is no word byte, so no
 * match straddles a cut and no seam needs an overlap or deduplication.  A
 * text without control bytes for a whole piece is scanned in one part.
 * Returns SF_OK (also when the callback stopped the scan) or SF_INTERNAL
 * when vectorscan fails.
 */
enum sf_status kw_scan(const struct kw_set *set, const char *text, size_t len,
		       kw_match_fn fn, void *ctx, struct sf_error *err);

/* How many lines of TEXT hold at least one match, as grep -c counts them
 * (a last line without '\n' is a line).  Threaded as kw_scan, but cut
 * only after line breaks, so no line is split between pieces (and counted
 * twice). */
enum sf_status kw_count_lines(const struct kw_set *set, const char *text,
			      size_t len, uint64_t *lines,
			      struct sf_error *err);

/* Tuning for tests and benchmarks (process-wide): at most THREADS threads
 * (0: one per online CPU) and pieces of PIECE bytes (0: the default, 4
 * MiB); texts below PIECE are scanned on the calling thread. */
void kw_tune(unsigned threads, size_t piece);

/* --- the stored list (keywords_store.c) --- */

/*
 * The current list of ST: the one stored under setting "keywords", or the
 * shipped default (data/keywords.txt, version 0) when none was ever
 * stored.  OUT is initialised here.
 */
enum sf_status kw_stored(struct store *st, struct kw_list *out,
			 struct sf_error *err);

/*
 * Changes, admin only (or the CLI operator).  Each runs in one
 * transaction that stores the list with its version bumped, "changed" and
 * "by" set, and appends an audit record (object "keywords", action
 * "keywords:add|remove|import", after: {"version", "added", "removed"}).
 * add: WORDS already listed are skipped; when none is new nothing is
 * written and *VERSION stays the current one.  remove: a word not listed
 * is SF_NOT_FOUND.  import: the list becomes L.  *VERSION (may be NULL)
 * gets the version now current.
 */
enum sf_status kw_store_add(struct store *st, const struct actor *who,
			    char *const *words, size_t n, int prefix,
			    int64_t *version, struct sf_error *err);
enum sf_status kw_store_remove(struct store *st, const struct actor *who,
			       char *const *words, size_t n, int64_t *version,
			       struct sf_error *err);
enum sf_status kw_store_import(struct store *st, const struct actor *who,
			       const struct kw_list *l, int64_t *version,
			       struct sf_error *err);

/*
 * The compiled set of ST's current list.  Compiled once per list version
 * and kept in a process-wide cache (thread-safe; the HTTP server's
 * threads share it); each call costs one settings read.  The caller owns
 * one reference: kw_set_free it.
 */
enum sf_status kw_current(struct store *st, struct kw_set **out,
			  struct sf_error *err);

#endif
