/*
 * cmd_keywords.c - `secflow keywords list|add|remove|import|scan`: the
 * security keyword list kept in the database, and scans of files with it
 * or with a list file (rules in modules/incidents/keywords.h).
 *
 * scan behaves like `grep -F -i -w` where it can: exit 0 when something
 * matched, 1 when nothing did, 2 on an error (an unreadable FILE is
 * reported and the others are still scanned); "-" or no FILE reads stdin,
 * which is named "(standard input)" as grep names it; --count prints the
 * number of matching lines, "N" for one input and "FILE:N" for each when
 * there are several.  Regular files are memory-mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "modules/incidents/keywords.h"

static const char usage[] =
	"secflow keywords list | add WORD... [--prefix] | remove WORD... | "
	"import FILE | scan [--list FILE] [--count] [FILE...]";

/* Inputs that cannot be mapped (pipes) are read up to this size. */
#define MAX_READ ((size_t)1 << 30)
#define STDIN_NAME "(standard input)"

/* One input: mapped, or read into memory. */
struct input {
	const char *name;
	const char *data;
	size_t len;
	void *map; /* munmap when not NULL */
	char *own; /* free */
};

static void
input_release(struct input *in)
{
	if (in->map)
		munmap(in->map, in->len);
	free(in->own);
	memset(in, 0, sizeof(*in));
}

static enum sf_status
input_open(const char *path, struct input *in, struct sf_error *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	struct buf b;
	char chunk[1 << 16];
	ssize_t n;
	enum sf_status r = SF_OK;

	memset(in, 0, sizeof(*in));
	in->name = is_stdin ? STDIN_NAME : path;
	in->data = "";
	if (fd < 0)
		return sf_fail(err, SF_IO, "file", "cannot open %s: %s", path,
			       strerror(errno));
	if (fstat(fd, &sb) != 0) {
		r = sf_fail(err, SF_IO, "file", "cannot stat %s: %s", in->name,
			    strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		r = sf_fail(err, SF_IO, "file", "%s is a directory", in->name);
		goto out;
	}
	if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
		void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ,
			       MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			madvise(p, (size_t)sb.st_size, MADV_SEQUENTIAL);
			in->map = p;
			in->data = p;
			in->len = (size_t)sb.st_size;
			goto out;
		}
	}
	/* Pipes, terminals, /proc files, or a file mmap refused. */
	buf_init(&b, MAX_READ);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = sf_fail(err, SF_IO, "file", "cannot read %s: %s",
				    in->name, strerror(errno));
			break;
		}
		if (buf_add(&b, chunk, (size_t)n)) {
			r = sf_fail(err, SF_TOO_LARGE, "file",
				    "%s is larger than %zu bytes and cannot "
				    "be mapped",
				    in->name, MAX_READ);
			break;
		}
	}
	if (!r) {
		in->own = buf_detach(&b, &in->len);
		in->data = in->own;
	}
	buf_release(&b);
out:
	if (!is_stdin)
		close(fd);
	return r;
}

/* A list file into a compiled set (errors name FILE:LINE). */
static enum sf_status
set_of_file(const char *path, struct kw_set **out, struct sf_error *err)
{
	struct kw_list l;
	char *text;
	size_t len;
	enum sf_status r;

	*out = NULL;
	r = cli_read_file(path, 64 << 20, &text, &len, err);
	if (r)
		return r;
	r = kw_list_parse(text, len, path, &l, err);
	free(text);
	if (r)
		return r;
	*out = kw_compile(l.v, l.n, err);
	kw_list_release(&l);
	return *out ? SF_OK : err->status;
}

struct printer {
	const struct kw_set *set;
	const char *name;
	int json;
	int first; /* JSON: no comma before the first object */
	uint64_t matches;
};

static void
print_word(const struct kw_entry *e)
{
	fputs(e->word, stdout);
	if (e->prefix)
		putchar('*');
}

static int
print_match(void *ctx, size_t kw, size_t offset)
{
	struct printer *p = ctx;
	const struct kw_entry *e = kw_set_entry(p->set, kw);

	p->matches++;
	if (p->json) {
		json_t *o = json_pack("{s:s, s:I, s:s, s:b}", "file", p->name,
				      "offset", (json_int_t)offset, "keyword",
				      e->word, "prefix", e->prefix);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		printf("%s\n  %s", p->first ? "" : ",", s ? s : "{}");
		p->first = 0;
		free(s);
		json_decref(o);
		return 0;
	}
	printf("%s:%zu:", p->name, offset);
	print_word(e);
	putchar('\n');
	return 0;
}

static int
cmd_scan(struct cli *c, const char *list, int count)
{
	static char outbuf[1 << 16];
	struct sf_error err = {0};
	struct kw_set *set = NULL;
	struct printer p = {0};
	const char *stdin_only[] = {"-"};
	const char *const *files;
	size_t nfiles;
	int matched = 0, failed = 0;
	enum sf_status r;

	if (list) {
		r = set_of_file(list, &set, &err);
	} else {
		r = cli_open(c, &err);
		if (!r)
			r = kw_current(c->st, &set, &err);
	}
	if (r) {
		cli_fail(c, &err);
		return 2;
	}
	if (c->argc > 1) {
		files = (const char *const *)&c->argv[1];
		nfiles = (size_t)c->argc - 1;
	} else {
		files = stdin_only;
		nfiles = 1;
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	p.set = set;
	p.json = c->json;
	p.first = 1;
	if (p.json)
		fputs("[", stdout);
	for (size_t i = 0; i < nfiles; i++) {
		struct input in;
		uint64_t lines = 0;

		r = input_open(files[i], &in, &err);
		if (r) {
			fflush(stdout);
			cli_fail(c, &err);
			failed = 1;
			continue;
		}
		p.name = in.name;
		p.matches = 0;
		if (count)
			r = kw_count_lines(set, in.data, in.len, &lines, &err);
		else
			r = kw_scan(set, in.data, in.len, print_match, &p,
				    &err);
		input_release(&in);
		if (r) {
			fflush(stdout);
			cli_fail(c, &err);
			failed = 1;
			continue;
		}
		if (count) {
			if (p.json) {
				json_t *o = json_pack("{s:s, s:I}", "file",
						      p.name, "lines",
						      (json_int_t)lines);
				char *s = json_dumps(o, JSON_COMPACT);
				printf("%s\n  %s", p.first ? "" : ",", s);
				p.first = 0;
				free(s);
				json_decref(o);
			} else if (nfiles > 1) {
				printf("%s:%llu\n", p.name,
				       (unsigned long long)lines);
			} else {
				printf("%llu\n", (unsigned long long)lines);
			}
			matched |= lines > 0;
		} else {
			matched |= p.matches > 0;
		}
	}
	if (p.json)
		fputs(p.first ? "]\n" : "\n]\n", stdout);
	fflush(stdout);
	kw_set_free(set);
	if (failed)
		return 2;
	return matched ? 0 : 1;
}

static int
cmd_list(struct cli *c)
{
	struct sf_error err = {0};
	struct kw_list l;
	enum sf_status r = kw_stored(c->st, &l, &err);

	if (r)
		return cli_fail(c, &err);
	if (c->json) {
		cli_print_json(kw_list_json(&l));
	} else {
		/* A list file again: `keywords import` takes it back. */
		if (l.version == 0)
			printf("# version 0: the shipped default list\n");
		else
			printf("# version %lld, changed %s by %s\n",
			       (long long)l.version,
			       l.changed ? l.changed : "?",
			       l.by ? l.by : "?");
		for (size_t i = 0; i < l.n; i++) {
			print_word(&l.v[i]);
			putchar('\n');
		}
	}
	kw_list_release(&l);
	return 0;
}

static int
done(struct cli *c, int64_t before, int64_t after, const char *what)
{
	if (c->json)
		cli_print_json(json_pack("{s:b, s:I}", "changed",
					 after != before, "version",
					 (json_int_t)after));
	else if (after == before)
		printf("keyword list unchanged (version %lld)\n",
		       (long long)after);
	else
		printf("keyword list %s: version %lld\n", what,
		       (long long)after);
	return 0;
}

int
cmd_keywords(struct cli *c)
{
	struct sf_error err = {0};
	const char *list = cli_opt(c, "--list");
	int count = cli_flag(c, "--count");
	int prefix = cli_flag(c, "--prefix");
	const char *sub;
	struct kw_list cur;
	int64_t before, after = 0;
	enum sf_status r;

	if (cli_no_unknown_options(c, usage))
		return 2;
	if (c->argc < 1)
		return cli_usage(c, usage, "say list, add, remove, import or "
					   "scan");
	sub = c->argv[0];
	if (strcmp(sub, "scan") == 0) {
		if (prefix)
			return cli_usage(c, usage, "--prefix goes with add");
		return cmd_scan(c, list, count);
	}
	if (list || count)
		return cli_usage(c, usage, "--list and --count go with scan");
	if (prefix && strcmp(sub, "add") != 0)
		return cli_usage(c, usage, "--prefix goes with add");
	if (strcmp(sub, "list") && strcmp(sub, "add") &&
	    strcmp(sub, "remove") && strcmp(sub, "import"))
		return cli_usage(c, usage, "unknown keywords command \"%s\"",
				 sub);
	if ((strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0) &&
	    c->argc < 2)
		return cli_usage(c, usage, "give at least one word");
	if (strcmp(sub, "import") == 0 && c->argc != 2)
		return cli_usage(c, usage, "give one list file");
	if (strcmp(sub, "list") == 0 && c->argc != 1)
		return cli_usage(c, usage, "list takes no argument");
	r = cli_open(c, &err);
	if (r)
		return cli_fail(c, &err);
	if (strcmp(sub, "list") == 0)
		return cmd_list(c);
	r = kw_stored(c->st, &cur, &err);
	if (r)
		return cli_fail(c, &err);
	before = cur.version;
	kw_list_release(&cur);
	if (strcmp(sub, "add") == 0) {
		r = kw_store_add(c->st, &c->who, &c->argv[1],
				 (size_t)c->argc - 1, prefix, &after, &err);
		return r ? cli_fail(c, &err) : done(c, before, after, "added");
	}
	if (strcmp(sub, "remove") == 0) {
		r = kw_store_remove(c->st, &c->who, &c->argv[1],
				    (size_t)c->argc - 1, &after, &err);
		return r ? cli_fail(c, &err)
			 : done(c, before, after, "removed");
	}
	{
		struct kw_list l;
		char *text;
		size_t len;
		r = cli_read_file(c->argv[1], 64 << 20, &text, &len, &err);
		if (r)
			return cli_fail(c, &err);
		r = kw_list_parse(text, len, c->argv[1], &l, &err);
		free(text);
		if (r)
			return cli_fail(c, &err);
		r = kw_store_import(c->st, &c->who, &l, &after, &err);
		kw_list_release(&l);
		return r ? cli_fail(c, &err)
			 : done(c, before, after, "imported");
	}
}
