/*
 * test_keywords.c - the keyword scanner and list (modules/incidents/
 * keywords.h): whole words, prefixes, phrases, case, UTF-8 bytes, offsets
 * at both ends of the text, overlapping entries, large texts cut into
 * pieces on several threads, line counts, list files and their errors,
 * and the stored list: versions, audit records, the compiled-set cache.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/actor.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "engine/audit.h"
#include "engine/setup.h"
#include "modules/incidents/keywords.h"
#include "store/store.h"

struct hits {
	struct buf out; /* "offset:word " for each match */
	size_t n;
	size_t stop_after; /* 0: never stop */
	const struct kw_set *set;
};

static int
record(void *ctx, size_t kw, size_t offset)
{
	struct hits *h = ctx;
	const struct kw_entry *e = kw_set_entry(h->set, kw);

	buf_addf(&h->out, "%zu:%s%s ", offset, e->word, e->prefix ? "*" : "");
	h->n++;
	return h->stop_after && h->n >= h->stop_after;
}

static struct kw_set *
set_of(const char *list_text)
{
	struct kw_list l;
	struct sf_error err = {0};
	struct kw_set *set;

	assert_int_equal(kw_list_parse(list_text, strlen(list_text), "t.txt",
				       &l, &err),
			 SF_OK);
	set = kw_compile(l.v, l.n, &err);
	assert_non_null(set);
	kw_list_release(&l);
	return set;
}

/* Scan TEXT (copied to an exact-size heap block, so ASan sees any read
 * past its end) and return the matches as "offset:word ..." (caller
 * frees). */
static char *
scan(const struct kw_set *set, const char *text, size_t len)
{
	struct hits h = {0};
	struct sf_error err = {0};
	char *copy = xmalloc(len ? len : 1);
	char *out;

	memcpy(copy, text, len);
	buf_init(&h.out, 0);
	h.set = set;
	assert_int_equal(kw_scan(set, copy, len, record, &h, &err), SF_OK);
	free(copy);
	out = buf_detach(&h.out, NULL);
	buf_release(&h.out);
	return out;
}

#define SCAN_EQ(set, text, want)                                               \
	do {                                                                   \
		char *got_ = scan(set, text, strlen(text));                    \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

static void
test_whole_words(void **state)
{
	struct kw_set *set = set_of("virus\nc2\n");

	(void)state;
	SCAN_EQ(set, "a virus!", "2:virus ");
	SCAN_EQ(set, "antivirus viruses virus_x x_virus virus9", "");
	SCAN_EQ(set, "(virus) [virus], virus.", "1:virus 9:virus 17:virus ");
	/* bytes >= 0x80 are word bytes: UTF-8 letters join words */
	SCAN_EQ(set, "viruS\xc3\xa9 \xc3\xa9virus", "");
	SCAN_EQ(set, "\xc2\xa0virus", ""); /* even a no-break space */
	SCAN_EQ(set, "C2 ec2 c2c C2.", "0:c2 11:c2 ");
	kw_set_free(set);
}

static void
test_case_and_utf8(void **state)
{
	struct kw_set *set = set_of("Phishing\ns\xc3\xa9" "curit\xc3\xa9\n");

	(void)state;
	SCAN_EQ(set, "PHISHING phishing PhIsHiNg",
		"0:Phishing 9:Phishing 18:Phishing ");
	/* ASCII letters fold; other bytes must be equal */
	SCAN_EQ(set, "S\xc3\xa9" "CURIT\xc3\xa9 s\xc3\x89" "curit\xc3\xa9",
		"0:s\xc3\xa9" "curit\xc3\xa9 ");
	kw_set_free(set);
}

static void
test_prefix(void **state)
{
	struct kw_set *set = set_of("malware*\nhack *\n");

	(void)state;
	SCAN_EQ(set, "Malware malwares antimalware Malware-X hacked",
		"0:malware* 8:malware* 29:malware* 39:hack* ");
	kw_set_free(set);
}

static void
test_phrases(void **state)
{
	/* runs of spaces in an entry become one */
	struct kw_set *set = set_of("denial   of service\n");

	(void)state;
	assert_string_equal(kw_set_entry(set, 0)->word, "denial of service");
	SCAN_EQ(set, "a Denial Of Service.", "2:denial of service ");
	SCAN_EQ(set, "denial  of service", "");
	SCAN_EQ(set, "denial of\nservice", "");
	SCAN_EQ(set, "denial of services", "");
	kw_set_free(set);
}

static void
test_ends_and_offsets(void **state)
{
	struct kw_set *set = set_of("leak\n");

	(void)state;
	SCAN_EQ(set, "leak", "0:leak ");
	SCAN_EQ(set, "leak leak", "0:leak 5:leak ");
	SCAN_EQ(set, "x\nleak", "2:leak ");
	SCAN_EQ(set, "lea", "");
	SCAN_EQ(set, "", "");
	kw_set_free(set);
}

static void
test_overlapping(void **state)
{
	struct kw_set *set =
		set_of("access\nremote access\nremote\nremote acc*\n");

	(void)state;
	/* both whole-word entries that end together, each at its start;
	 * order: offset, then entry index */
	SCAN_EQ(set, "no remote access.",
		"3:remote access 3:remote 3:remote acc* 10:access ");
	kw_set_free(set);
}

static void
test_stop(void **state)
{
	struct kw_set *set = set_of("a\n");
	struct hits h = {0};
	struct sf_error err = {0};

	(void)state;
	buf_init(&h.out, 0);
	h.set = set;
	h.stop_after = 2;
	assert_int_equal(kw_scan(set, "a a a a", 7, record, &h, &err), SF_OK);
	assert_int_equal(h.n, 2);
	buf_release(&h.out);
	kw_set_free(set);
}

static void
test_empty_list(void **state)
{
	struct kw_set *set = kw_compile(NULL, 0, NULL);
	uint64_t lines = 7;

	(void)state;
	assert_non_null(set);
	SCAN_EQ(set, "virus", "");
	assert_int_equal(kw_count_lines(set, "virus", 5, &lines, NULL), SF_OK);
	assert_int_equal(lines, 0);
	kw_set_free(set);
}

/*
 * A large text cut into small pieces on 4 threads gives exactly the
 * matches of one thread and one piece: keywords sit at both sides of
 * every line break (the cuts), at the very start and end, and inside
 * words where they must not match.
 */
static void
test_pieces_and_threads(void **state)
{
	struct kw_set *set = set_of("tor\nbreach\nspam*\nremote access\n");
	struct buf text, want;
	char *one, *many;
	uint64_t lines1, lines4, want_lines = 0;
	struct sf_error err = {0};

	(void)state;
	buf_init(&text, 0);
	buf_init(&want, 0);
	for (int i = 0; i < 40000; i++) {
		switch (i % 7) {
		case 0:
			buf_addf(&want, "%zu:tor ", text.len);
			buf_adds(&text, "tor monitor\n");
			want_lines++;
			break;
		case 1:
			buf_adds(&text, "source x");
			buf_addf(&want, "%zu:breach ", text.len + 1);
			buf_adds(&text, " breach\n");
			want_lines++;
			break;
		case 2:
			buf_adds(&text, "nothing here at all\n");
			break;
		case 3:
			buf_addf(&want, "%zu:remote access ", text.len);
			buf_adds(&text, "Remote Access ");
			buf_addf(&want, "%zu:spam* ", text.len);
			buf_adds(&text, "SPAMMER\r\n");
			want_lines++;
			break;
		case 4:
			buf_adds(&text, "breaches remote accessed\n");
			break;
		case 5:
			buf_adds(&text, "\n");
			break;
		default:
			buf_addf(&want, "%zu:tor ", text.len + 4);
			buf_adds(&text, "\t\t\t\ttor\n");
			want_lines++;
		}
	}
	buf_addf(&want, "%zu:tor ", text.len);
	buf_adds(&text, "tor"); /* last line without '\n' */
	want_lines++;

	kw_tune(1, (size_t)1 << 30);
	one = scan(set, text.data, text.len);
	assert_int_equal(kw_count_lines(set, text.data, text.len, &lines1,
					 &err),
			 SF_OK);
	kw_tune(4, 4096);
	many = scan(set, text.data, text.len);
	assert_int_equal(kw_count_lines(set, text.data, text.len, &lines4,
					 &err),
			 SF_OK);
	kw_tune(0, 0);
	assert_string_equal(one, want.data);
	assert_string_equal(many, want.data);
	assert_int_equal(lines1, want_lines);
	assert_int_equal(lines4, want_lines);
	free(one);
	free(many);
	buf_release(&text);
	buf_release(&want);
	kw_set_free(set);
}

/* A long text without control bytes cannot be cut: one piece, and the
 * same matches. */
static void
test_no_cut_possible(void **state)
{
	struct kw_set *set = set_of("spam\n");
	struct buf text;
	char *got;
	uint64_t lines;
	struct sf_error err = {0};

	(void)state;
	buf_init(&text, 0);
	for (int i = 0; i < 5000; i++)
		buf_adds(&text, "spam ham ");
	kw_tune(4, 1000);
	got = scan(set, text.data, text.len);
	assert_int_equal(kw_count_lines(set, text.data, text.len, &lines,
					 &err),
			 SF_OK);
	kw_tune(0, 0);
	assert_int_equal(lines, 1);
	assert_int_equal(strlen(got) > 0, 1);
	assert_memory_equal(got, "0:spam 9:spam ", 14);
	free(got);
	buf_release(&text);
	kw_set_free(set);
}

/* Control bytes other than line breaks cut pieces for kw_scan, never
 * lines for kw_count_lines (found by fuzz_keywords). */
static void
test_count_lines_cut(void **state)
{
	struct kw_set *set = set_of("c2\ntor\n");
	const char t[] = "C2 ec2 x\0c2\ttor\r\nc2\x01" "c2\n\x02tor";
	uint64_t one, many;
	char *a, *b;

	(void)state;
	kw_tune(1, 0);
	assert_int_equal(kw_count_lines(set, t, sizeof(t) - 1, &one, NULL),
			 SF_OK);
	a = scan(set, t, sizeof(t) - 1);
	kw_tune(3, 2);
	assert_int_equal(kw_count_lines(set, t, sizeof(t) - 1, &many, NULL),
			 SF_OK);
	b = scan(set, t, sizeof(t) - 1);
	kw_tune(0, 0);
	assert_int_equal(one, 3);
	assert_int_equal(many, 3);
	assert_string_equal(a, "0:c2 9:c2 12:tor 17:c2 20:c2 24:tor ");
	assert_string_equal(b, a);
	free(a);
	free(b);
	kw_set_free(set);
}

/* vectorscan 5.4.9 misses a match ending a block of 18 to 34 bytes with
 * this list; keywords.c pads short scans (found by fuzz_keywords). */
static void
test_short_block(void **state)
{
	struct kw_set *set = set_of("spam\n~C2===\npam spa*\n");
	char text[64];

	(void)state;
	for (size_t pad = 0; pad <= 40; pad++) {
		char want[32];
		char *got;
		memset(text, ' ', pad);
		memcpy(text + pad, "spam", 4);
		got = scan(set, text, pad + 4);
		snprintf(want, sizeof(want), "%zu:spam ", pad);
		assert_string_equal(got, want);
		free(got);
	}
	kw_set_free(set);
}

/* ... and, with short entries, a match starting in the last 33 bytes of
 * a longer block; keywords.c rescans block tails from a padded copy. */
static void
test_block_tail(void **state)
{
	struct kw_set *set = set_of("c2\nrc\n");
	char text[700];

	(void)state;
	for (size_t len = 3; len <= sizeof(text); len += 7) {
		size_t pos = len - 3;
		char want[32];
		char *got;
		memset(text, ' ', len);
		memcpy(text + pos, "\nC2", 3);
		got = scan(set, text, len);
		snprintf(want, sizeof(want), "%zu:c2 ", pos + 1);
		assert_string_equal(got, want);
		free(got);
	}
	kw_set_free(set);
}

static void
test_count_lines(void **state)
{
	struct kw_set *set = set_of("virus\nspam\n");
	const char *t = "virus spam virus\nclean\nSPAM\n\nvirus";
	uint64_t lines;

	(void)state;
	assert_int_equal(kw_count_lines(set, t, strlen(t), &lines, NULL),
			 SF_OK);
	assert_int_equal(lines, 3);
	kw_set_free(set);
}

static void
expect_parse_error(const char *text, const char *want)
{
	struct kw_list l;
	struct sf_error err = {0};

	assert_int_equal(kw_list_parse(text, strlen(text), "list.txt", &l,
				       &err),
			 SF_INVALID);
	if (!strstr(err.message, want))
		fail_msg("error \"%s\" does not hold \"%s\"", err.message,
			 want);
	assert_int_equal(l.n, 0);
}

static void
test_list_file(void **state)
{
	struct kw_list l;
	struct sf_error err = {0};
	const char *text = "# comment\n\n  virus  \r\n\tmalware *\nVIRUS\n"
			   "denial of service\n   # indented comment\nlast";
	char long_word[300];

	(void)state;
	assert_int_equal(kw_list_parse(text, strlen(text), "l", &l, &err),
			 SF_OK);
	assert_int_equal(l.n, 4); /* VIRUS is virus again */
	assert_string_equal(l.v[0].word, "virus");
	assert_int_equal(l.v[0].prefix, 0);
	assert_string_equal(l.v[1].word, "malware");
	assert_int_equal(l.v[1].prefix, 1);
	assert_string_equal(l.v[2].word, "denial of service");
	assert_string_equal(l.v[3].word, "last");
	kw_list_release(&l);

	expect_parse_error("ok\n*\n", "list.txt:2: empty keyword");
	expect_parse_error("ok\n\nbad\x01word\n", "list.txt:3: control "
						  "character 0x01");
	expect_parse_error("a\nb\nc\nd\xff\n", "list.txt:4: keyword is not "
					       "valid UTF-8");
	memset(long_word, 'x', 201);
	long_word[201] = '\0';
	expect_parse_error(long_word, "list.txt:1: keyword longer than 200");
	memset(long_word, 'x', 200);
	long_word[200] = '\0';
	assert_int_equal(kw_list_parse(long_word, 200, "l", &l, &err), SF_OK);
	kw_list_release(&l);
}

static void
test_list_json(void **state)
{
	struct kw_list l, back;
	struct sf_error err = {0};
	json_t *j;

	(void)state;
	assert_int_equal(kw_list_parse("a\nb*\n", 5, "l", &l, &err), SF_OK);
	l.version = 3;
	l.by = xstrdup("ann");
	j = kw_list_json(&l);
	assert_int_equal(kw_list_from_json(j, &back, &err), SF_OK);
	assert_int_equal(back.version, 3);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.v[1].prefix, 1);
	assert_string_equal(back.by, "ann");
	json_decref(j);
	kw_list_release(&back);
	j = json_pack("{s:i, s:[{s:s}]}", "version", 1, "entries", "word",
		      "");
	assert_int_equal(kw_list_from_json(j, &back, &err), SF_INVALID);
	json_decref(j);
	kw_list_release(&l);
}

/* --- the stored list --- */

struct fx {
	char *dir;
	char *url;
	struct store *st;
};

static int
fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct sf_error err = {0};

	setenv("SECFLOW_NOW", "2026-05-21T10:00:00Z", 1);
	f->dir = tu_tempdir();
	f->url = tu_db_url(f->dir);
	assert_int_equal(store_open(f->url, &f->st, &err), SF_OK);
	assert_int_equal(setup_database(f->st, NULL, &err), SF_OK);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	tu_db_drop(f->url);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->url);
	free(f);
	return 0;
}

static int
count_keyword_audit(void *ctx, const struct audit_rec *rec)
{
	int *n = ctx;

	if (strncmp(rec->action, "keywords:", 9) == 0)
		(*n)++;
	return 0;
}

static void
test_store(void **state)
{
	struct fx *f = *state;
	struct sf_error err = {0};
	struct actor op, bob = {0};
	struct kw_list l;
	struct kw_set *s1, *s2, *s3;
	char *add[] = {"zebra", "Zebra", "ransom*"};
	char *rm[] = {"zebra"};
	char *missing[] = {"nosuchword"};
	int64_t v = -1, bad;
	int naudit = 0;
	json_t *trail;

	actor_operator(&op, "test");
	bob.name = xstrdup("bob");

	/* nothing stored: the shipped default, version 0 */
	assert_int_equal(kw_stored(f->st, &l, &err), SF_OK);
	assert_int_equal(l.version, 0);
	assert_true(kw_list_find(&l, "phishing", 0) >= 0);
	assert_true(kw_list_find(&l, "malware", 1) >= 0);
	kw_list_release(&l);
	assert_int_equal(kw_current(f->st, &s1, &err), SF_OK);
	assert_int_equal(kw_set_version(s1), 0);
	assert_int_equal(kw_current(f->st, &s2, &err), SF_OK);
	assert_ptr_equal(s1, s2); /* cached */
	kw_set_free(s2);

	/* only an admin changes it */
	assert_int_equal(kw_store_add(f->st, &bob, add, 1, 0, &v, &err),
			 SF_FORBIDDEN);
	assert_int_equal(kw_store_add(f->st, &op, add, 3, 0, &v, &err),
			 SF_OK);
	assert_int_equal(v, 1);
	assert_int_equal(kw_stored(f->st, &l, &err), SF_OK);
	assert_int_equal(l.version, 1);
	assert_string_equal(l.by, "cli:test");
	assert_string_equal(l.changed, "2026-05-21T10:00:00Z");
	assert_true(kw_list_find(&l, "ZEBRA", 0) >= 0);
	assert_true(kw_list_find(&l, "ransom", 1) >= 0);
	assert_true(kw_list_find(&l, "phishing", 0) >= 0);
	kw_list_release(&l);

	/* a new version compiles a new set; the old one stays usable */
	assert_int_equal(kw_current(f->st, &s2, &err), SF_OK);
	assert_ptr_not_equal(s1, s2);
	assert_int_equal(kw_set_version(s2), 1);
	{
		char *got = scan(s2, "a zebra", 7);
		assert_string_equal(got, "2:zebra ");
		free(got);
		got = scan(s1, "a zebra", 7);
		assert_string_equal(got, "");
		free(got);
	}
	kw_set_free(s1);

	/* adding what is there changes nothing */
	assert_int_equal(kw_store_add(f->st, &op, add, 1, 0, &v, &err),
			 SF_OK);
	assert_int_equal(v, 1);
	/* removing: an unknown word is an error and changes nothing */
	assert_int_equal(kw_store_remove(f->st, &op, missing, 1, &v, &err),
			 SF_NOT_FOUND);
	assert_non_null(strstr(err.message, "nosuchword"));
	assert_int_equal(kw_store_remove(f->st, &op, rm, 1, &v, &err), SF_OK);
	assert_int_equal(v, 2);
	/* import replaces */
	assert_int_equal(kw_list_parse("alpha\nbeta*\n", 12, "i", &l, &err),
			 SF_OK);
	assert_int_equal(kw_store_import(f->st, &op, &l, &v, &err), SF_OK);
	kw_list_release(&l);
	assert_int_equal(v, 3);
	assert_int_equal(kw_stored(f->st, &l, &err), SF_OK);
	assert_int_equal(l.n, 2);
	kw_list_release(&l);
	assert_int_equal(kw_current(f->st, &s3, &err), SF_OK);
	assert_int_equal(kw_set_size(s3), 2);
	kw_set_free(s3);
	kw_set_free(s2);

	/* three audited changes, and the chain holds */
	assert_int_equal(f->st->ops->audit_each(f->st, "keywords",
						count_keyword_audit, &naudit,
						&err),
			 SF_OK);
	assert_int_equal(naudit, 3);
	assert_int_equal(audit_list(f->st, "keywords", &trail, &err), SF_OK);
	assert_int_equal(json_array_size(trail), 3);
	json_decref(trail);
	{
		int64_t count;
		assert_int_equal(audit_verify(f->st, &bad, &count, &err),
				 SF_OK);
	}
	actor_release(&op);
	actor_release(&bob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_words),
	    cmocka_unit_test(test_case_and_utf8),
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_phrases),
	    cmocka_unit_test(test_ends_and_offsets),
	    cmocka_unit_test(test_overlapping),
	    cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_empty_list),
	    cmocka_unit_test(test_pieces_and_threads),
	    cmocka_unit_test(test_no_cut_possible),
	    cmocka_unit_test(test_short_block),
	    cmocka_unit_test(test_block_tail),
	    cmocka_unit_test(test_count_lines),
	    cmocka_unit_test(test_count_lines_cut),
	    cmocka_unit_test(test_list_file),
	    cmocka_unit_test(test_list_json),
	    cmocka_unit_test_setup_teardown(test_store, fx_setup,
					    fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
