/*
 * procdef.c - load and validate the process definitions of processes/.
 *
 * The YAML text is parsed into a libfyaml document, walked once into a
 * struct procdef, and then checked as a whole (references between steps,
 * conditions, reachability, joins).  Every error names the file and the
 * 1-based line of the offending node.  libfyaml 0.7 has no start mark for
 * collections, so the line of a mapping or sequence is the line of its
 * first scalar (the first key of a block mapping sits on the line of its
 * "- "), falling back to the line of the key that holds it.
 */
#include "engine/procdef.h"

#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "auth/roles.h"
#include "core/alloc.h"

#define ID_MAX 64	       /* step ids, field names, process names */
#define DURATION_MAX 10000     /* largest N in "N days" */
/* largest max: of a string or text; a base64 document (Part 1) is the
 * biggest text a step takes, within the server's default body limit. */
#define STRING_MAX_LEN 16000000

/* A reference to a step (or, REF_UNTIL, to a date field) by name, checked
 * once every step is known. */
enum ref_kind { REF_START, REF_NEXT, REF_JOIN, REF_UNTIL };

struct ref {
	enum ref_kind kind;
	const char *target; /* owned by the definition */
	size_t from;	    /* index of the referring step (not REF_START) */
	int line;
};

struct parser {
	const char *file;
	struct sf_error *err;
	struct procdef *def;
	struct ref *refs;
	size_t nrefs, arefs;
};

static const char *const type_names[] = {
    [FT_STRING] = "string",	[FT_TEXT] = "text",
    [FT_INTEGER] = "integer",	[FT_NUMBER] = "number",
    [FT_BOOLEAN] = "boolean",	[FT_DATE] = "date",
    [FT_DATETIME] = "datetime", [FT_ENUM] = "enum",
    [FT_EMAIL] = "email",	[FT_LIST] = "list",
    [FT_OBJECT] = "object",	[FT_FILE] = "file",
    [FT_HOST] = "host",		[FT_PORTS] = "ports",
};

#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

/*
 * Name of a field type as written in the YAML ("string", "enum", ...), or
 * "?" for a value outside the enum.
 */
const char *
field_type_name(enum field_type t)
{
	if ((unsigned)t >= NTYPES)
		return "?";
	return type_names[t];
}

static int
field_type_find(const char *s, enum field_type *out)
{
	for (size_t i = 0; i < NTYPES; i++) {
		if (strcmp(type_names[i], s) == 0) {
			*out = (enum field_type)i;
			return 0;
		}
	}
	return -1;
}

static enum sf_status perr(struct parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fail with "FILE:LINE: what". */
static enum sf_status
perr(struct parser *p, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sf_fail(p->err, SF_INVALID, NULL, "%s:%d: %s", p->file, line,
		       msg);
}

/*
 * Durations.
 */

static const char *
skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* If S starts with WORD followed by a space or the end, the rest. */
static const char *
match_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(s, word, n) != 0)
		return NULL;
	if (s[n] != '\0' && s[n] != ' ' && s[n] != '\t')
		return NULL;
	return s + n;
}

/* Singular or plural UNIT at S; the rest or NULL. */
static const char *
match_unit(const char *s, const char *unit)
{
	char plural[16];
	const char *r;

	if ((r = match_word(s, unit)))
		return r;
	snprintf(plural, sizeof(plural), "%ss", unit);
	return match_word(s, plural);
}

/*
 * Parse "3 working days", "14 days", "2 weeks", "1 month" (singular or
 * plural, N from 1 to 10000) into OUT.  Returns 0, or -1 for anything else.
 */
int
duration_parse(const char *s, struct duration *out)
{
	struct duration d;
	const char *r;
	int n = 0;

	if (!s)
		return -1;
	s = skip_spaces(s);
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		n = n * 10 + (*s - '0');
		if (n > DURATION_MAX)
			return -1;
		s++;
	}
	if (n < 1 || (*s != ' ' && *s != '\t'))
		return -1;
	s = skip_spaces(s);
	if ((r = match_word(s, "working"))) {
		r = match_unit(skip_spaces(r), "day");
		d.unit = DUR_WORKING_DAYS;
	} else if ((r = match_unit(s, "day"))) {
		d.unit = DUR_DAYS;
	} else if ((r = match_unit(s, "week"))) {
		d.unit = DUR_WEEKS;
	} else if ((r = match_unit(s, "month"))) {
		d.unit = DUR_MONTHS;
	}
	if (!r || *skip_spaces(r) != '\0')
		return -1;
	d.amount = n;
	*out = d;
	return 0;
}

/*
 * YAML nodes.
 */

static void
quiet_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

/* 1-based line of N, or FALLBACK when it has none (empty collection). */
static int
node_line(struct fy_node *n, int fallback)
{
	const struct fy_mark *m;
	struct fy_token *t;
	struct fy_node_pair *pair;
	void *it = NULL;

	if (!n)
		return fallback;
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR:
		t = fy_node_get_scalar_token(n);
		if (t && (m = fy_token_start_mark(t)))
			return m->line + 1;
		return fallback;
	case FYNT_MAPPING:
		pair = fy_node_mapping_iterate(n, &it);
		if (!pair)
			return fallback;
		if (fy_node_pair_key(pair))
			return node_line(fy_node_pair_key(pair), fallback);
		return node_line(fy_node_pair_value(pair), fallback);
	case FYNT_SEQUENCE:
		return node_line(fy_node_sequence_iterate(n, &it), fallback);
	}
	return fallback;
}

/* A plain empty, "~" or "null" scalar: treated as if the key were absent. */
static int
is_null(struct fy_node *n)
{
	const char *s;
	size_t len;

	if (!n)
		return 1;
	if (!fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return 0;
	s = fy_node_get_scalar(n, &len);
	if (!s || len == 0)
		return 1;
	return (len == 1 && s[0] == '~') ||
	       (len == 4 &&
		(memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
		 memcmp(s, "NULL", 4) == 0));
}

/* Text of scalar key N compared with KEY. */
static int
key_is(struct fy_node *n, const char *key)
{
	const char *s;
	size_t len;

	if (!n || !fy_node_is_scalar(n) || fy_node_is_alias(n))
		return 0;
	s = fy_node_get_scalar(n, &len);
	return s && len == strlen(key) && memcmp(s, key, len) == 0;
}

/*
 * Value of KEY in mapping MAP, or NULL when absent or null.  *LINE (may
 * be NULL) gets the line of the key, or the mapping's line when absent.
 */
static struct fy_node *
map_get(struct fy_node *map, const char *key, int *line)
{
	struct fy_node_pair *pair;
	void *it = NULL;

	while ((pair = fy_node_mapping_iterate(map, &it))) {
		if (!key_is(fy_node_pair_key(pair), key))
			continue;
		if (line)
			*line = node_line(fy_node_pair_key(pair), 1);
		if (is_null(fy_node_pair_value(pair)))
			return NULL;
		return fy_node_pair_value(pair);
	}
	if (line)
		*line = node_line(map, 1);
	return NULL;
}

/* Every key of MAP is a string among ALLOWED; WHERE names MAP in errors. */
static enum sf_status
check_keys(struct parser *p, struct fy_node *map, int line,
	   const char *const *allowed, const char *where)
{
	struct fy_node_pair *pair;
	struct fy_node *k;
	void *it = NULL;
	const char *s;
	size_t len, i;

	while ((pair = fy_node_mapping_iterate(map, &it))) {
		k = fy_node_pair_key(pair);
		if (!k || !fy_node_is_scalar(k) || fy_node_is_alias(k) ||
		    !(s = fy_node_get_scalar(k, &len)))
			return perr(p, node_line(k, line),
				    "keys of %s must be plain strings", where);
		for (i = 0; allowed[i]; i++)
			if (len == strlen(allowed[i]) &&
			    memcmp(s, allowed[i], len) == 0)
				break;
		if (!allowed[i])
			return perr(p, node_line(k, line),
				    "unknown key \"%.*s\" in %s",
				    (int)(len > 64 ? 64 : len), s, where);
	}
	return SF_OK;
}

/* Text of scalar N as a new string into *OUT. */
static enum sf_status
get_str(struct parser *p, struct fy_node *n, int line, const char *what,
	char **out)
{
	const char *s;
	size_t len;

	*out = NULL;
	if (n && fy_node_is_alias(n))
		return perr(p, node_line(n, line),
			    "%s: YAML aliases are not supported", what);
	if (!n || !fy_node_is_scalar(n) || !(s = fy_node_get_scalar(n, &len)))
		return perr(p, node_line(n, line), "%s must be a string", what);
	if (memchr(s, '\0', len))
		return perr(p, node_line(n, line), "%s contains a NUL byte",
			    what);
	*out = xstrndup(s, len);
	return SF_OK;
}

/*
 * Text of scalar N as a condition or enum value: plain booleans are spelt
 * "true" / "false" whatever their YAML capitalisation.
 */
static enum sf_status
get_value(struct parser *p, struct fy_node *n, int line, const char *what,
	  char **out)
{
	enum sf_status s;

	if ((s = get_str(p, n, line, what, out)))
		return s;
	if (fy_node_get_style(n) != FYNS_PLAIN)
		return SF_OK;
	if (strcmp(*out, "True") == 0 || strcmp(*out, "TRUE") == 0) {
		free(*out);
		*out = xstrdup("true");
	} else if (strcmp(*out, "False") == 0 || strcmp(*out, "FALSE") == 0) {
		free(*out);
		*out = xstrdup("false");
	}
	return SF_OK;
}

static enum sf_status
get_bool(struct parser *p, struct fy_node *n, int line, const char *what,
	 int *out)
{
	char *s;
	enum sf_status st;

	if ((st = get_value(p, n, line, what, &s)))
		return st;
	if (strcmp(s, "true") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0)
		*out = 0;
	else
		st = perr(p, node_line(n, line), "%s must be true or false",
			  what);
	free(s);
	return st;
}

/* A decimal number; INTEGER demands no fraction or exponent. */
static enum sf_status
get_num(struct parser *p, struct fy_node *n, int line, const char *what,
	int integer, double *out)
{
	char *s, *end;
	const char *c;
	enum sf_status st;
	double v;

	if ((st = get_str(p, n, line, what, &s)))
		return st;
	for (c = s; *c; c++)
		if (!strchr(integer ? "+-0123456789" : "+-0123456789.eE", *c))
			break;
	errno = 0;
	v = strtod(s, &end);
	if (*c || !*s || *end || errno || !isfinite(v) ||
	    (integer && (v != floor(v) || fabs(v) > 1e15)))
		st = perr(p, node_line(n, line), "%s must be %s, not \"%s\"",
			  what, integer ? "an integer" : "a number", s);
	else
		*out = v;
	free(s);
	return st;
}

/*
 * A list of strings into *OUT / *NOUT, each item's line into *LINES (caller
 * frees; may be NULL).  A lone scalar is a list of one.  UNIQUE rejects an
 * item given twice.
 */
static enum sf_status
get_list(struct parser *p, struct fy_node *n, int line, const char *what,
	 int unique, char ***out, size_t *nout, int **lines)
{
	struct fy_node *item;
	void *it = NULL;
	enum sf_status st;
	size_t count, i = 0;

	if (lines)
		*lines = NULL;
	if (!n)
		return SF_OK;
	if (fy_node_is_scalar(n)) {
		*out = xcalloc(1, sizeof(char *));
		*nout = 1;
		if (lines) {
			*lines = xcalloc(1, sizeof(int));
			(*lines)[0] = node_line(n, line);
		}
		return get_str(p, n, line, what, &(*out)[0]);
	}
	if (!fy_node_is_sequence(n))
		return perr(p, node_line(n, line), "%s must be a list", what);
	count = (size_t)fy_node_sequence_item_count(n);
	*out = xcalloc(count, sizeof(char *));
	*nout = count;
	if (lines)
		*lines = xcalloc(count, sizeof(int));
	while ((item = fy_node_sequence_iterate(n, &it))) {
		if ((st = get_str(p, item, line, what, &(*out)[i])))
			return st;
		if (lines)
			(*lines)[i] = node_line(item, line);
		for (size_t j = 0; unique && j < i; j++)
			if (strcmp((*out)[j], (*out)[i]) == 0)
				return perr(p, node_line(item, line),
					    "%s lists \"%s\" twice", what,
					    (*out)[i]);
		i++;
	}
	return SF_OK;
}

/* Every item of V names a known role. */
static enum sf_status
get_roles(struct parser *p, struct fy_node *n, int line, const char *what,
	  char ***out, size_t *nout)
{
	enum sf_status st;
	int *lines;

	if ((st = get_list(p, n, line, what, 1, out, nout, &lines)))
		goto out;
	for (size_t i = 0; i < *nout; i++) {
		if (!role_find((*out)[i])) {
			st = perr(p, lines[i], "%s names unknown role \"%s\"",
				  what, (*out)[i]);
			goto out;
		}
	}
out:
	free(lines);
	return st;
}

static enum sf_status
get_duration(struct parser *p, struct fy_node *n, int line, const char *what,
	     struct duration *out)
{
	enum sf_status st;
	char *s;

	if ((st = get_str(p, n, line, what, &s)))
		return st;
	if (duration_parse(s, out) != 0)
		st = perr(p, node_line(n, line),
			  "%s: bad duration \"%s\": expected \"N working "
			  "days\", \"N days\", \"N weeks\" or \"N months\"",
			  what, s);
	free(s);
	return st;
}

/* [a-z0-9_]+ (and '.' when DOT), at most ID_MAX bytes. */
static int
id_ok(const char *s, int dot)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || (dot && c == '.')))
			return 0;
	}
	return n > 0 && n <= ID_MAX;
}

static void
add_ref(struct parser *p, enum ref_kind kind, const char *target, size_t from,
	int line)
{
	if (p->nrefs == p->arefs) {
		p->arefs = p->arefs ? p->arefs * 2 : 32;
		p->refs = xrealloc(p->refs, p->arefs * sizeof(*p->refs));
	}
	p->refs[p->nrefs++] = (struct ref){kind, target, from, line};
}

/*
 * Fields.
 */

static enum sf_status parse_fields(struct parser *p, struct fy_node *n,
				   int line, const char *where,
				   struct field_def **out, size_t *nout);

static const char *const field_keys[] = {
    "name", "type",   "required", "label",  "help", "max",
    "min",  "values", "items",	  "fields", NULL,
};

/* min / max of F from the YAML. */
static enum sf_status
parse_bounds(struct parser *p, struct fy_node *map, struct field_def *f)
{
	struct fy_node *nmin, *nmax;
	int lmin, lmax, integer;
	enum sf_status st;
	double v;

	nmin = map_get(map, "min", &lmin);
	nmax = map_get(map, "max", &lmax);
	if (!nmin && !nmax)
		return SF_OK;
	switch (f->type) {
	case FT_STRING:
	case FT_TEXT:
	case FT_INTEGER:
	case FT_LIST:
		integer = 1;
		break;
	case FT_NUMBER:
		integer = 0;
		break;
	default:
		return perr(p, nmin ? lmin : lmax,
			    "field \"%s\": min and max do not apply to type %s",
			    f->name, field_type_name(f->type));
	}
	if (nmin) {
		if ((st = get_num(p, nmin, lmin, "min", integer, &v)))
			return st;
		if (f->type != FT_INTEGER && f->type != FT_NUMBER && v < 0)
			return perr(p, lmin, "field \"%s\": min must be >= 0",
				    f->name);
		f->has_min = 1;
		f->min = v;
	}
	if (nmax) {
		if ((st = get_num(p, nmax, lmax, "max", integer, &v)))
			return st;
		if ((f->type == FT_STRING || f->type == FT_TEXT) &&
		    (v < 1 || v > STRING_MAX_LEN))
			return perr(p, lmax,
				    "field \"%s\": max must be from 1 to %d",
				    f->name, STRING_MAX_LEN);
		if (f->type == FT_LIST && v < 0)
			return perr(p, lmax, "field \"%s\": max must be >= 0",
				    f->name);
		if (f->type == FT_STRING || f->type == FT_TEXT) {
			f->max_len = (size_t)v;
		} else {
			f->has_max = 1;
			f->max = v;
		}
	}
	if (f->has_min && (f->has_max || f->max_len) &&
	    f->min > (f->has_max ? f->max : (double)f->max_len))
		return perr(p, lmin, "field \"%s\": min is above max", f->name);
	return SF_OK;
}

/* One field declaration: the mapping MAP into F. */
static enum sf_status
parse_field(struct parser *p, struct fy_node *map, int line, const char *where,
	    struct field_def *f)
{
	struct fy_node *n, *nvalues, *nitems, *nfields;
	int l, lvalues, litems, lfields;
	enum sf_status st;
	char *s, *what;

	if (!fy_node_is_mapping(map))
		return perr(p, node_line(map, line),
			    "a field of %s must be a mapping", where);
	f->line = line = node_line(map, line);
	if (!(n = map_get(map, "name", &l)))
		return perr(p, line, "a field of %s has no \"name\"", where);
	if ((st = get_str(p, n, l, "field name", &f->name)))
		return st;
	if (!id_ok(f->name, 0))
		return perr(p, l,
			    "bad field name \"%s\": expected [a-z0-9_]+, at "
			    "most %d characters",
			    f->name, ID_MAX);
	what = xasprintf("field \"%s\"", f->name);
	if ((st = check_keys(p, map, line, field_keys, what)))
		goto out;
	if (!(n = map_get(map, "type", &l))) {
		st = perr(p, line, "field \"%s\" has no \"type\"", f->name);
		goto out;
	}
	if ((st = get_str(p, n, l, "type", &s)))
		goto out;
	if (field_type_find(s, &f->type) != 0)
		st = perr(p, node_line(n, l),
			  "field \"%s\" has unknown type \"%s\"", f->name, s);
	free(s);
	if (st)
		goto out;
	if ((n = map_get(map, "required", &l)) &&
	    (st = get_bool(p, n, l, "required", &f->required)))
		goto out;
	if ((n = map_get(map, "label", &l)) &&
	    (st = get_str(p, n, l, "label", &f->label)))
		goto out;
	if (!f->label)
		f->label = xstrdup(f->name);
	if ((n = map_get(map, "help", &l)) &&
	    (st = get_str(p, n, l, "help", &f->help)))
		goto out;
	if ((st = parse_bounds(p, map, f)))
		goto out;

	nitems = map_get(map, "items", &litems);
	nfields = map_get(map, "fields", &lfields);
	nvalues = map_get(map, "values", &lvalues);
	if (nitems && f->type != FT_LIST) {
		st = perr(p, litems, "field \"%s\": items apply only to lists",
			  f->name);
		goto out;
	}
	if (nfields && f->type != FT_LIST && f->type != FT_OBJECT) {
		st = perr(p, lfields,
			  "field \"%s\": fields apply only to objects and "
			  "lists",
			  f->name);
		goto out;
	}
	f->item_type = FT_STRING;
	if (nitems) {
		if ((st = get_str(p, nitems, litems, "items", &s)))
			goto out;
		if (field_type_find(s, &f->item_type) != 0 ||
		    f->item_type == FT_LIST ||
		    (f->item_type == FT_OBJECT && !nfields))
			st = perr(p, node_line(nitems, litems),
				  "field \"%s\" has unknown item type \"%s\"",
				  f->name, s);
		else if (f->item_type != FT_OBJECT && nfields)
			st = perr(p, litems,
				  "field \"%s\": a list has items or fields, "
				  "not both",
				  f->name);
		free(s);
		if (st)
			goto out;
	}
	if (f->type == FT_LIST && !nitems && !nfields) {
		st = perr(p, line,
			  "list field \"%s\" needs items (a type) or fields",
			  f->name);
		goto out;
	}
	if (f->type == FT_LIST && nfields)
		f->item_type = FT_OBJECT;
	if (f->type == FT_OBJECT && !nfields) {
		st =
		    perr(p, line, "object field \"%s\" has no fields", f->name);
		goto out;
	}
	if (nfields && (st = parse_fields(p, nfields, lfields, what, &f->fields,
					  &f->nfields)))
		goto out;
	if (nfields && f->nfields == 0) {
		st = perr(p, lfields, "field \"%s\" has no fields", f->name);
		goto out;
	}

	if (nvalues && !(f->type == FT_ENUM ||
			 (f->type == FT_LIST && (f->item_type == FT_STRING ||
						 f->item_type == FT_ENUM)))) {
		st = perr(p, lvalues,
			  "field \"%s\": values apply only to enums and "
			  "lists of strings",
			  f->name);
		goto out;
	}
	if (nvalues) {
		struct fy_node *item;
		void *it = NULL;
		size_t i = 0;

		if (!fy_node_is_sequence(nvalues)) {
			st = perr(p, lvalues,
				  "field \"%s\": values must be a list",
				  f->name);
			goto out;
		}
		f->nvalues = (size_t)fy_node_sequence_item_count(nvalues);
		f->values = xcalloc(f->nvalues, sizeof(char *));
		while ((item = fy_node_sequence_iterate(nvalues, &it))) {
			if ((st = get_value(p, item, lvalues, "a value",
					    &f->values[i])))
				goto out;
			i++;
		}
	}
	if ((f->type == FT_ENUM ||
	     (f->type == FT_LIST && f->item_type == FT_ENUM)) &&
	    f->nvalues == 0) {
		st = perr(p, line, "enum field \"%s\" has no values", f->name);
		goto out;
	}
out:
	free(what);
	return st;
}

/* A list of field declarations; names unique within the list. */
static enum sf_status
parse_fields(struct parser *p, struct fy_node *n, int line, const char *where,
	     struct field_def **out, size_t *nout)
{
	struct fy_node *item;
	void *it = NULL;
	enum sf_status st;
	size_t i = 0;

	if (!fy_node_is_sequence(n))
		return perr(p, node_line(n, line),
			    "fields of %s must be a list", where);
	*nout = (size_t)fy_node_sequence_item_count(n);
	*out = xcalloc(*nout, sizeof(struct field_def));
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct field_def *f = &(*out)[i];

		if ((st = parse_field(p, item, node_line(n, line), where, f)))
			return st;
		for (size_t j = 0; j < i; j++)
			if (strcmp((*out)[j].name, f->name) == 0)
				return perr(p, f->line,
					    "duplicate field \"%s\" in %s "
					    "(first at line %d)",
					    f->name, where, (*out)[j].line);
		i++;
	}
	return SF_OK;
}

/*
 * Conditions.
 */

/* The value side of one condition: value, [a, b], {not: ...}, {set: b}. */
static enum sf_status
parse_cond(struct parser *p, struct fy_node *v, int line, struct cond *c)
{
	struct fy_node_pair *pair;
	struct fy_node *k;
	void *it = NULL;
	enum sf_status st;
	int set;

	if (!v)
		return perr(p, line, "condition on \"%s\" has no value",
			    c->field);
	if (fy_node_is_mapping(v)) {
		if (fy_node_mapping_item_count(v) != 1)
			return perr(p, line,
				    "condition on \"%s\": expected {not: ...} "
				    "or {set: true|false}",
				    c->field);
		pair = fy_node_mapping_iterate(v, &it);
		k = fy_node_pair_key(pair);
		v = fy_node_pair_value(pair);
		if (key_is(k, "set")) {
			if ((st = get_bool(p, v, line, "set", &set)))
				return st;
			c->op = set ? COND_SET : COND_UNSET;
			return SF_OK;
		}
		if (!key_is(k, "not"))
			return perr(p, line,
				    "condition on \"%s\": expected {not: ...} "
				    "or {set: true|false}",
				    c->field);
		if (is_null(v))
			return perr(p, line, "condition on \"%s\" has no value",
				    c->field);
		c->op = COND_NE;
	} else {
		c->op = fy_node_is_sequence(v) ? COND_IN : COND_EQ;
	}
	if (fy_node_is_sequence(v)) {
		struct fy_node *item;
		size_t i = 0;

		it = NULL;
		c->nvalues = (size_t)fy_node_sequence_item_count(v);
		if (c->nvalues == 0)
			return perr(p, line, "condition on \"%s\": empty list",
				    c->field);
		c->values = xcalloc(c->nvalues, sizeof(char *));
		while ((item = fy_node_sequence_iterate(v, &it))) {
			if ((st = get_value(p, item, line, "a condition value",
					    &c->values[i])))
				return st;
			i++;
		}
		return SF_OK;
	}
	c->values = xcalloc(1, sizeof(char *));
	c->nvalues = 1;
	return get_value(p, v, line, "a condition value", &c->values[0]);
}

/* when: {field: test, ...} into *OUT / *NOUT. */
static enum sf_status
parse_when(struct parser *p, struct fy_node *n, int line, const char *where,
	   struct cond **out, size_t *nout)
{
	struct fy_node_pair *pair;
	struct fy_node *v;
	void *it = NULL;
	enum sf_status st;
	size_t i = 0;

	if (!fy_node_is_mapping(n))
		return perr(p, node_line(n, line),
			    "when of %s must be a mapping of field: value",
			    where);
	*nout = (size_t)fy_node_mapping_item_count(n);
	*out = xcalloc(*nout, sizeof(struct cond));
	while ((pair = fy_node_mapping_iterate(n, &it))) {
		struct cond *c = &(*out)[i++];

		c->line = node_line(fy_node_pair_key(pair), line);
		if ((st = get_str(p, fy_node_pair_key(pair), c->line,
				  "a condition's field", &c->field)))
			return st;
		v = fy_node_pair_value(pair);
		if ((st = parse_cond(p, is_null(v) ? NULL : v, c->line, c)))
			return st;
	}
	return SF_OK;
}

/*
 * Steps.
 */

static const char *const outcome_keys[] = {"when", "next", "end", NULL};

/* next: / end: of an outcome (or of a step's shorthand) into O. */
static enum sf_status
parse_next_end(struct parser *p, struct fy_node *map, size_t si,
	       const char *where, struct outcome *o)
{
	struct fy_node *n;
	enum sf_status st;
	int *lines = NULL;
	int l;

	if ((n = map_get(map, "next", &l))) {
		if ((st = get_list(p, n, l, "next", 1, &o->next, &o->nnext,
				   &lines)))
			goto out;
		for (size_t i = 0; i < o->nnext; i++)
			add_ref(p, REF_NEXT, o->next[i], si, lines[i]);
	}
	if ((n = map_get(map, "end", &l)) &&
	    (st = get_bool(p, n, l, "end", &o->end)))
		goto out;
	if (o->end && o->nnext) {
		st = perr(p, o->line, "%s has both next and end: true", where);
		goto out;
	}
	if (!o->end && !o->nnext) {
		st = perr(p, o->line, "%s has neither next nor end: true",
			  where);
		goto out;
	}
	st = SF_OK;
out:
	free(lines);
	return st;
}

static enum sf_status
parse_outcomes(struct parser *p, struct fy_node *n, int line, size_t si,
	       struct step_def *s)
{
	struct fy_node *item, *w;
	void *it = NULL;
	enum sf_status st;
	size_t i = 0;
	char *where;
	int l;

	if (!fy_node_is_sequence(n) || fy_node_sequence_item_count(n) == 0)
		return perr(p, node_line(n, line),
			    "outcomes of step \"%s\" must be a non-empty list",
			    s->id);
	where = xasprintf("outcome of step \"%s\"", s->id);
	s->noutcomes = (size_t)fy_node_sequence_item_count(n);
	s->outcomes = xcalloc(s->noutcomes, sizeof(struct outcome));
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct outcome *o = &s->outcomes[i];

		o->line = node_line(item, line);
		if (!fy_node_is_mapping(item)) {
			st = perr(p, o->line, "%s must be a mapping", where);
			goto out;
		}
		if ((st = check_keys(p, item, o->line, outcome_keys, where)))
			goto out;
		if ((w = map_get(item, "when", &l)) &&
		    (st = parse_when(p, w, l, where, &o->when, &o->nwhen)))
			goto out;
		if ((st = parse_next_end(p, item, si, where, o)))
			goto out;
		if (i > 0 && s->outcomes[i - 1].nwhen == 0) {
			st = perr(p, o->line,
				  "%s follows the default outcome (one "
				  "without when) and can never be chosen",
				  where);
			goto out;
		}
		i++;
	}
	st = SF_OK;
out:
	free(where);
	return st;
}

static const char *const step_keys[] = {
    "id",	 "title",	   "description", "kind", "roles",    "fields",
    "when",	 "join",	   "next",	  "end",  "outcomes", "sla",
    "reminders", "notify_overdue", "notify",	  "wait", "until",    NULL,
};

/* One step: the mapping MAP into P->def->steps[SI]. */
static enum sf_status
parse_step(struct parser *p, struct fy_node *map, int line, size_t si)
{
	struct step_def *s = &p->def->steps[si];
	struct fy_node *n, *nnext, *nend, *nout, *nwait, *nuntil;
	int l, lnext, lend, lout, lwait, luntil;
	int *lines = NULL;
	enum sf_status st;
	char *where = NULL, *what = NULL, *kind = NULL;

	if (!fy_node_is_mapping(map))
		return perr(p, node_line(map, line),
			    "a step must be a mapping");
	s->line = line = node_line(map, line);
	if (!(n = map_get(map, "id", &l)))
		return perr(p, line, "step has no \"id\"");
	if ((st = get_str(p, n, l, "step id", &s->id)))
		return st;
	if (!id_ok(s->id, 0))
		return perr(p, l,
			    "bad step id \"%s\": expected [a-z0-9_]+, at most "
			    "%d characters",
			    s->id, ID_MAX);
	if (strcmp(s->id, "end") == 0)
		return perr(p, l, "step id \"end\" is reserved");
	for (size_t j = 0; j < si; j++)
		if (strcmp(p->def->steps[j].id, s->id) == 0)
			return perr(p, l,
				    "duplicate step id \"%s\" (first at "
				    "line %d)",
				    s->id, p->def->steps[j].line);
	where = xasprintf("step \"%s\"", s->id);
	if ((st = check_keys(p, map, line, step_keys, where)))
		goto out;

	if ((n = map_get(map, "title", &l)) &&
	    (st = get_str(p, n, l, "title", &s->title)))
		goto out;
	if (!s->title)
		s->title = xstrdup(s->id);
	if ((n = map_get(map, "description", &l)) &&
	    (st = get_str(p, n, l, "description", &s->description)))
		goto out;
	s->kind = STEP_TASK;
	if ((n = map_get(map, "kind", &l))) {
		if ((st = get_str(p, n, l, "kind", &kind)))
			goto out;
		if (strcmp(kind, "wait") == 0) {
			s->kind = STEP_WAIT;
		} else if (strcmp(kind, "task") != 0) {
			st = perr(p, l,
				  "step \"%s\" has unknown kind \"%s\" "
				  "(task or wait)",
				  s->id, kind);
			goto out;
		}
	}
	n = map_get(map, "roles", &l);
	if ((st = get_roles(p, n, l, where, &s->roles, &s->nroles)))
		goto out;
	if (s->kind == STEP_TASK && s->nroles == 0) {
		st = perr(p, line, "task step \"%s\" has no roles", s->id);
		goto out;
	}
	if ((n = map_get(map, "fields", &l)) &&
	    (st = parse_fields(p, n, l, where, &s->fields, &s->nfields)))
		goto out;
	if ((n = map_get(map, "when", &l)) &&
	    (st = parse_when(p, n, l, where, &s->when, &s->nwhen)))
		goto out;
	if ((n = map_get(map, "join", &l))) {
		if ((st = get_list(p, n, l, "join", 1, &s->join, &s->njoin,
				   &lines)))
			goto out;
		for (size_t i = 0; i < s->njoin; i++)
			add_ref(p, REF_JOIN, s->join[i], si, lines[i]);
	}

	if ((n = map_get(map, "sla", &l))) {
		what = xasprintf("sla of step \"%s\"", s->id);
		if ((st = get_duration(p, n, l, what, &s->sla)))
			goto out;
		s->has_sla = 1;
	}
	if ((n = map_get(map, "reminders", &l))) {
		struct fy_node *item;
		void *it = NULL;
		size_t i = 0;

		if (!fy_node_is_sequence(n)) {
			st = perr(p, l,
				  "reminders of step \"%s\" must be a "
				  "list of durations",
				  s->id);
			goto out;
		}
		s->nreminders = (size_t)fy_node_sequence_item_count(n);
		s->reminders = xcalloc(s->nreminders, sizeof(struct duration));
		free(what);
		what = xasprintf("reminder of step \"%s\"", s->id);
		while ((item = fy_node_sequence_iterate(n, &it)))
			if ((st = get_duration(p, item, l, what,
					       &s->reminders[i++])))
				goto out;
	}
	free(what);
	what = xasprintf("notify_overdue of step \"%s\"", s->id);
	n = map_get(map, "notify_overdue", &l);
	if ((st = get_roles(p, n, l, what, &s->notify_overdue,
			    &s->nnotify_overdue)))
		goto out;
	if (s->nnotify_overdue && !s->has_sla) {
		st = perr(p, l, "step \"%s\" has notify_overdue but no sla",
			  s->id);
		goto out;
	}
	free(what);
	what = xasprintf("notify of step \"%s\"", s->id);
	n = map_get(map, "notify", &l);
	if ((st = get_roles(p, n, l, what, &s->notify, &s->nnotify)))
		goto out;

	nwait = map_get(map, "wait", &lwait);
	nuntil = map_get(map, "until", &luntil);
	if (s->kind != STEP_WAIT && (nwait || nuntil)) {
		st = perr(p, nwait ? lwait : luntil,
			  "step \"%s\": wait and until apply only to kind: "
			  "wait",
			  s->id);
		goto out;
	}
	if (s->kind == STEP_WAIT && !nwait && !nuntil) {
		st = perr(p, line,
			  "wait step \"%s\" has neither wait nor until", s->id);
		goto out;
	}
	if (nwait && nuntil) {
		st = perr(p, luntil, "wait step \"%s\" has both wait and until",
			  s->id);
		goto out;
	}
	if (nwait) {
		free(what);
		what = xasprintf("wait of step \"%s\"", s->id);
		if ((st = get_duration(p, nwait, lwait, what, &s->wait)))
			goto out;
		s->has_wait = 1;
	}
	if (nuntil) {
		if ((st = get_str(p, nuntil, luntil, "until", &s->wait_until)))
			goto out;
		add_ref(p, REF_UNTIL, s->wait_until, si,
			node_line(nuntil, luntil));
	}

	nnext = map_get(map, "next", &lnext);
	nend = map_get(map, "end", &lend);
	nout = map_get(map, "outcomes", &lout);
	if (nout && (nnext || nend)) {
		st = perr(p, nnext ? lnext : lend,
			  "step \"%s\" has both outcomes and next/end", s->id);
		goto out;
	}
	if (nout) {
		st = parse_outcomes(p, nout, lout, si, s);
		goto out;
	}
	if (!nnext && !nend) {
		st = perr(p, line, "step \"%s\" has no next, end or outcomes",
			  s->id);
		goto out;
	}
	s->outcomes = xcalloc(1, sizeof(struct outcome));
	s->noutcomes = 1;
	s->outcomes[0].line = nnext ? lnext : nend ? lend : line;
	st = parse_next_end(p, map, si, where, &s->outcomes[0]);
out:
	free(lines);
	free(where);
	free(what);
	free(kind);
	return st;
}

/*
 * Whole-definition checks.
 */

static ssize_t
step_index(const struct procdef *def, const char *id)
{
	for (size_t i = 0; i < def->nsteps; i++)
		if (strcmp(def->steps[i].id, id) == 0)
			return (ssize_t)i;
	return -1;
}

/*
 * The declarations of NAME among the instance fields and the top-level
 * fields of the steps, one per call: *POS starts at 0; NULL at the end.
 */
static const struct field_def *
next_decl(const struct procdef *def, const char *name, size_t *pos)
{
	size_t base = 0;

	for (size_t s = 0; s <= def->nsteps; s++) {
		const struct field_def *f =
		    s ? def->steps[s - 1].fields : def->fields;
		size_t n = s ? def->steps[s - 1].nfields : def->nfields;

		for (; *pos < base + n; (*pos)++)
			if (strcmp(f[*pos - base].name, name) == 0)
				return &f[(*pos)++ - base];
		base += n;
	}
	return NULL;
}

/* Whether some declaration of NAME that is an enum allows VALUE, and
 * *ALL_ENUM whether every declaration is an enum. */
static int
enum_allows(const struct procdef *def, const char *name, const char *value,
	    int *all_enum)
{
	const struct field_def *f;
	size_t pos = 0;
	int found = 0;

	*all_enum = 1;
	while ((f = next_decl(def, name, &pos))) {
		if (f->type != FT_ENUM) {
			*all_enum = 0;
			continue;
		}
		for (size_t k = 0; k < f->nvalues; k++)
			if (strcmp(f->values[k], value) == 0)
				found = 1;
	}
	return found;
}

/* A condition names a declared field, and for enums a declared value. */
static enum sf_status
check_conds(struct parser *p, const struct cond *c, size_t n, const char *where)
{
	size_t pos;
	int all_enum;

	for (size_t i = 0; i < n; i++) {
		pos = 0;
		if (!next_decl(p->def, c[i].field, &pos))
			return perr(p, c[i].line,
				    "%s: condition on undeclared field \"%s\" "
				    "(not an instance field nor a field of "
				    "any step)",
				    where, c[i].field);
		if (c[i].op == COND_SET || c[i].op == COND_UNSET)
			continue;
		/* Typo protection: when the field is an enum wherever it is
		 * declared, each value must be one of some declaration. */
		for (size_t v = 0; v < c[i].nvalues; v++)
			if (!enum_allows(p->def, c[i].field, c[i].values[v],
					 &all_enum) &&
			    all_enum)
				return perr(p, c[i].line,
					    "%s: \"%s\" is not a value of "
					    "field \"%s\"",
					    where, c[i].values[v], c[i].field);
	}
	return SF_OK;
}

/*
 * A scoped role (npm, company, dg_requester ...) named by a step, a
 * notification or the readers must say which instance field scopes it:
 * unmapped, it would let the holder of any scope act, read or be told.
 */
static enum sf_status
check_scoped(struct parser *p, char *const *roles, size_t n, int line,
	     const char *where)
{
	for (size_t i = 0; i < n; i++) {
		const struct role_info *ri = role_find(roles[i]);
		if (ri && ri->scope && !procdef_scope_field(p->def, roles[i]))
			return perr(p, line,
				    "%s names role \"%s\", scoped by %s: map it "
				    "to an instance field in scopes:",
				    where, roles[i], ri->scope);
	}
	return SF_OK;
}

static enum sf_status
check_scoped_roles(struct parser *p)
{
	struct procdef *def = p->def;
	enum sf_status st;

	if ((st = check_scoped(p, def->readers, def->nreaders, 1, "readers")))
		return st;
	if ((st = check_scoped(p, def->starters, def->nstarters, 1,
			       "starters")))
		return st;
	for (size_t i = 0; i < def->nsteps; i++) {
		const struct step_def *s = &def->steps[i];
		char where[96];

		snprintf(where, sizeof(where), "step \"%s\"", s->id);
		if ((st = check_scoped(p, s->roles, s->nroles, s->line,
				       where)) ||
		    (st = check_scoped(p, s->notify, s->nnotify, s->line,
				       where)) ||
		    (st = check_scoped(p, s->notify_overdue,
				       s->nnotify_overdue, s->line, where)))
			return st;
	}
	return SF_OK;
}

static enum sf_status
check_definition(struct parser *p)
{
	struct procdef *def = p->def;
	enum sf_status st;
	unsigned char *seen;
	size_t *queue, head = 0, tail = 0;
	char *where;
	ssize_t t;

	for (size_t i = 0; i < p->nrefs; i++) {
		struct ref *r = &p->refs[i];

		if (r->kind == REF_UNTIL ||
		    (r->kind == REF_NEXT && strcmp(r->target, "end") == 0))
			continue;
		if (step_index(def, r->target) >= 0)
			continue;
		if (r->kind == REF_START)
			return perr(p, r->line,
				    "start names unknown step \"%s\"",
				    r->target);
		return perr(p, r->line, "step \"%s\" %s unknown step \"%s\"",
			    def->steps[r->from].id,
			    r->kind == REF_NEXT ? "routes to" : "joins",
			    r->target);
	}

	for (size_t i = 0; i < def->nsteps; i++) {
		struct step_def *s = &def->steps[i];

		where = xasprintf("step \"%s\"", s->id);
		st = check_conds(p, s->when, s->nwhen, where);
		for (size_t o = 0; !st && o < s->noutcomes; o++)
			st = check_conds(p, s->outcomes[o].when,
					 s->outcomes[o].nwhen, where);
		free(where);
		if (st)
			return st;
	}

	for (size_t i = 0; i < p->nrefs; i++) {
		const struct field_def *f;
		struct ref *r = &p->refs[i];
		size_t pos = 0;
		int dates = 0, others = 0;

		if (r->kind != REF_UNTIL)
			continue;
		while ((f = next_decl(def, r->target, &pos))) {
			if (f->type == FT_DATE)
				dates++;
			else
				others++;
		}
		if (!dates || others)
			return perr(p, r->line,
				    "wait step \"%s\" waits until \"%s\", "
				    "which is not a date field",
				    def->steps[r->from].id, r->target);
	}

	for (size_t i = 0; i < p->nrefs; i++) {
		struct ref *r = &p->refs[i];
		const struct step_def *from, *pred;
		int routes = 0;

		if (r->kind != REF_JOIN)
			continue;
		from = &def->steps[r->from];
		pred = &def->steps[step_index(def, r->target)];
		for (size_t o = 0; !routes && o < pred->noutcomes; o++)
			for (size_t k = 0; k < pred->outcomes[o].nnext; k++)
				if (strcmp(pred->outcomes[o].next[k],
					   from->id) == 0)
					routes = 1;
		if (!routes)
			return perr(p, r->line,
				    "join \"%s\" can never fire: step \"%s\" "
				    "never routes to it",
				    from->id, pred->id);
	}

	/* Breadth-first from start over every outcome's next. */
	seen = xcalloc(def->nsteps, 1);
	queue = xcalloc(def->nsteps, sizeof(size_t));
	for (size_t i = 0; i < def->nstart; i++) {
		t = step_index(def, def->start[i]);
		if (!seen[t]) {
			seen[t] = 1;
			queue[tail++] = (size_t)t;
		}
	}
	while (head < tail) {
		const struct step_def *s = &def->steps[queue[head++]];

		for (size_t o = 0; o < s->noutcomes; o++) {
			for (size_t k = 0; k < s->outcomes[o].nnext; k++) {
				t = step_index(def, s->outcomes[o].next[k]);
				if (t < 0 || seen[t])
					continue;
				seen[t] = 1;
				queue[tail++] = (size_t)t;
			}
		}
	}
	st = SF_OK;
	for (size_t i = 0; i < def->nsteps; i++) {
		if (!seen[i]) {
			st = perr(p, def->steps[i].line,
				  "step \"%s\" is unreachable: no path from "
				  "start leads to it",
				  def->steps[i].id);
			break;
		}
	}
	free(seen);
	free(queue);
	return st;
}

/*
 * The top level.
 */

static const char *const top_keys[] = {
    "process", "version", "title",  "object", "fields", "scopes",
    "readers", "starters", "start", "list",   "steps",  NULL,
};

const char *const procdef_list_keys[] = {"phase", "number", NULL};

/*
 * "list:", the data fields a list page shows: each a declared field (of
 * the process or of a step) or a key a module writes (procdef_list_keys);
 * never a private "_" key.  Absent: the process's own fields.
 */
static enum sf_status
parse_list(struct parser *p, struct fy_node *n, int l)
{
	struct procdef *def = p->def;
	enum sf_status st;
	int *lines = NULL;

	if (!n) {
		def->nlist = def->nfields;
		def->list = xcalloc(def->nfields ? def->nfields : 1,
				    sizeof(char *));
		for (size_t i = 0; i < def->nfields; i++)
			def->list[i] = xstrdup(def->fields[i].name);
		return SF_OK;
	}
	if ((st = get_list(p, n, l, "list", 1, &def->list, &def->nlist,
			   &lines)))
		goto out;
	for (size_t i = 0; i < def->nlist; i++) {
		const char *f = def->list[i];
		size_t pos = 0, k;

		if (f[0] == '_') {
			st = perr(p, lines[i],
				  "list names private field \"%s\"", f);
			goto out;
		}
		if (next_decl(def, f, &pos))
			continue;
		for (k = 0; procdef_list_keys[k]; k++)
			if (strcmp(procdef_list_keys[k], f) == 0)
				break;
		if (!procdef_list_keys[k]) {
			st = perr(p, lines[i],
				  "list names unknown field \"%s\" (not an "
				  "instance field, a field of any step, nor "
				  "one secflow writes: phase, number)",
				  f);
			goto out;
		}
	}
out:
	free(lines);
	return st;
}

static enum sf_status
parse_scopes(struct parser *p, struct fy_node *n, int line)
{
	struct procdef *def = p->def;
	const struct role_info *role;
	struct fy_node_pair *pair;
	void *it = NULL;
	enum sf_status st;
	size_t i = 0, f;

	if (!fy_node_is_mapping(n))
		return perr(p, node_line(n, line),
			    "scopes must be a mapping of role: field");
	def->nscopes = (size_t)fy_node_mapping_item_count(n);
	def->scopes = xcalloc(def->nscopes, sizeof(struct scope_map));
	while ((pair = fy_node_mapping_iterate(n, &it))) {
		struct scope_map *m = &def->scopes[i++];
		struct fy_node *v = fy_node_pair_value(pair);

		m->line = node_line(fy_node_pair_key(pair), line);
		if ((st = get_str(p, fy_node_pair_key(pair), m->line,
				  "a scoped role", &m->role)))
			return st;
		if (!(role = role_find(m->role)))
			return perr(p, m->line,
				    "scopes names unknown role \"%s\"",
				    m->role);
		if (!role->scope)
			return perr(p, m->line,
				    "role \"%s\" in scopes is not a scoped "
				    "role",
				    m->role);
		if (is_null(v))
			return perr(p, m->line,
				    "scope of role \"%s\" names no field",
				    m->role);
		if ((st = get_str(p, v, m->line, "a scope field", &m->field)))
			return st;
		for (f = 0; f < def->nfields; f++)
			if (strcmp(def->fields[f].name, m->field) == 0)
				break;
		if (f == def->nfields)
			return perr(p, node_line(v, m->line),
				    "scope field \"%s\" of role \"%s\" is not "
				    "an instance field",
				    m->field, m->role);
	}
	return SF_OK;
}

static enum sf_status
parse_root(struct parser *p, struct fy_node *root)
{
	struct procdef *def = p->def;
	struct fy_node *n, *item;
	void *it = NULL;
	enum sf_status st;
	int line, l, *lines = NULL;
	double v;
	size_t i = 0;

	if (!fy_node_is_mapping(root))
		return perr(p, node_line(root, 1),
			    "a process definition must be a YAML mapping");
	line = node_line(root, 1);
	if ((st = check_keys(p, root, line, top_keys, "the process")))
		return st;
	if (!(n = map_get(root, "process", &l)))
		return perr(p, line, "missing \"process\" (the name)");
	if ((st = get_str(p, n, l, "process", &def->name)))
		return st;
	if (!id_ok(def->name, 1))
		return perr(p, l,
			    "bad process name \"%s\": expected [a-z0-9_.]+, "
			    "at most %d characters",
			    def->name, ID_MAX);
	if (!(n = map_get(root, "version", &l)))
		return perr(p, line, "missing \"version\"");
	if ((st = get_num(p, n, l, "version", 1, &v)))
		return st;
	if (v < 1 || v > 1000000)
		return perr(p, l, "version must be an integer >= 1");
	def->version = (int)v;
	if ((n = map_get(root, "title", &l)) &&
	    (st = get_str(p, n, l, "title", &def->title)))
		return st;
	if (!def->title)
		def->title = xstrdup(def->name);
	if (!(n = map_get(root, "object", &l)))
		return perr(p, line, "missing \"object\" (the API plural)");
	if ((st = get_str(p, n, l, "object", &def->object)))
		return st;
	for (i = 0; def->object[i]; i++)
		if (!((def->object[i] >= 'a' && def->object[i] <= 'z') ||
		      def->object[i] == '_'))
			break;
	if (i == 0 || def->object[i] || i > ID_MAX)
		return perr(p, l, "bad object \"%s\": expected [a-z_]+",
			    def->object);
	if ((n = map_get(root, "fields", &l)) &&
	    (st = parse_fields(p, n, l, "the process", &def->fields,
			       &def->nfields)))
		return st;
	if ((n = map_get(root, "scopes", &l)) && (st = parse_scopes(p, n, l)))
		return st;
	n = map_get(root, "readers", &l);
	if ((st = get_roles(p, n, l, "readers", &def->readers, &def->nreaders)))
		return st;
	n = map_get(root, "starters", &l);
	if ((st = get_roles(p, n, l, "starters", &def->starters,
			    &def->nstarters)))
		return st;

	if (!(n = map_get(root, "start", &l)))
		return perr(p, line, "missing \"start\" (the first steps)");
	if ((st = get_list(p, n, l, "start", 1, &def->start, &def->nstart,
			   &lines)))
		goto out;
	for (i = 0; i < def->nstart; i++)
		add_ref(p, REF_START, def->start[i], 0, lines[i]);
	if (def->nstart == 0) {
		st = perr(p, l, "start names no step");
		goto out;
	}

	if (!(n = map_get(root, "steps", &l))) {
		st = perr(p, line, "missing \"steps\"");
		goto out;
	}
	if (!fy_node_is_sequence(n) || fy_node_sequence_item_count(n) == 0) {
		st = perr(p, node_line(n, l), "steps must be a non-empty list");
		goto out;
	}
	def->nsteps = (size_t)fy_node_sequence_item_count(n);
	def->steps = xcalloc(def->nsteps, sizeof(struct step_def));
	i = 0;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		if ((st = parse_step(p, item, l, i)))
			goto out;
		i++;
	}
	st = check_definition(p);
	if (!st)
		st = check_scoped_roles(p);
	if (!st) {
		n = map_get(root, "list", &l);
		st = parse_list(p, n, l);
	}
out:
	free(lines);
	return st;
}

/*
 * The text is UTF-8 without control characters other than tab, CR and
 * LF, as YAML wants it.  Checked before libfyaml sees it: it makes the
 * errors clearer, and libfyaml 0.7.12 loops forever on some malformed
 * UTF-8 (a "%" directive followed by a lone lead byte).
 */
static enum sf_status
check_text(struct parser *p, const unsigned char *s, size_t len)
{
	int line = 1;
	size_t i = 0, n, k;
	uint32_t c, min;

	while (i < len) {
		c = s[i];
		if (c == '\n') {
			line++;
			i++;
			continue;
		}
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
				return perr(p, line,
					    "control character 0x%02x is not "
					    "allowed",
					    (unsigned)c);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else {
			return perr(p, line, "invalid UTF-8");
		}
		if (len - i <= n)
			return perr(p, line, "invalid UTF-8");
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return perr(p, line, "invalid UTF-8");
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return perr(p, line, "invalid UTF-8");
		i += n + 1;
	}
	return SF_OK;
}

/* "FILE:LINE: YAML syntax error: ..." from what libfyaml collected. */
static enum sf_status
yaml_error(struct parser *p, struct fy_diag *diag)
{
	struct fy_diag_error *e, *first = NULL;
	void *it = NULL;

	while ((e = fy_diag_errors_iterate(diag, &it))) {
		if (!first)
			first = e;
		if (e->type >= FYET_ERROR) {
			first = e;
			break;
		}
	}
	if (first) {
		/* libfyaml reports diagnostics with 1-based lines. */
		return perr(p, first->line > 0 ? first->line : 1,
			    "YAML syntax error: %s",
			    first->msg ? first->msg : "?");
	}
	/* An empty stream (or one of comments only) collects no error;
	 * libfyaml just yields no document. */
	return perr(p, 1, "empty document");
}

/*
 * Parse and validate one definition from TEXT (LEN bytes, need not be
 * terminated).  FILENAME is used in errors, which read "FILE:LINE: what".
 * On success *OUT is owned by the caller (procdef_free); on failure *OUT
 * is NULL and ERR says what and where (SF_INVALID).
 */
enum sf_status
procdef_parse(const char *text, size_t len, const char *filename,
	      struct procdef **out, struct sf_error *err)
{
	struct parser p = {0};
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg = {0};
	struct fy_diag *diag = NULL;
	struct fy_document *doc = NULL;
	struct fy_node *root;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	enum sf_status st;

	*out = NULL;
	if (sodium_init() < 0)
		return sf_fail(err, SF_INTERNAL, NULL, "libsodium init failed");
	if (!text) {
		text = "";
		len = 0;
	}
	p.file = filename ? filename : "<process>";
	p.err = err;
	p.def = xcalloc(1, sizeof(struct procdef));
	p.def->file = xstrdup(p.file);
	p.def->source = xmalloc(len + 1);
	if (len)
		memcpy(p.def->source, text, len);
	p.def->source[len] = '\0';
	crypto_hash_sha256(digest, (const unsigned char *)text, len);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	p.def->hash = xstrdup(hex);

	if ((st = check_text(&p, (const unsigned char *)p.def->source, len)))
		goto out;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = quiet_output;
	dcfg.colorize = false;
	if (!(diag = fy_diag_create(&dcfg))) {
		st = sf_fail(err, SF_INTERNAL, NULL, "%s: out of memory",
			     p.file);
		goto out;
	}
	fy_diag_set_collect_errors(diag, true);
	pcfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2;
	pcfg.diag = diag;
	doc = fy_document_build_from_string(&pcfg, p.def->source, len);
	if (!doc) {
		st = yaml_error(&p, diag);
		goto out;
	}
	if (!(root = fy_document_root(doc))) {
		st = perr(&p, 1, "empty document");
		goto out;
	}
	st = parse_root(&p, root);
out:
	if (doc)
		fy_document_destroy(doc);
	if (diag)
		fy_diag_destroy(diag);
	free(p.refs);
	if (st) {
		procdef_free(p.def);
		return st;
	}
	*out = p.def;
	return SF_OK;
}

static void
free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_fields(struct field_def *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].name);
		free(f[i].label);
		free(f[i].help);
		free_strings(f[i].values, f[i].nvalues);
		free_fields(f[i].fields, f[i].nfields);
	}
	free(f);
}

static void
free_conds(struct cond *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].field);
		free_strings(c[i].values, c[i].nvalues);
	}
	free(c);
}

/* Free DEF and everything it holds; NULL is fine. */
void
procdef_free(struct procdef *def)
{
	if (!def)
		return;
	for (size_t i = 0; def->steps && i < def->nsteps; i++) {
		struct step_def *s = &def->steps[i];

		free(s->id);
		free(s->title);
		free(s->description);
		free_strings(s->roles, s->nroles);
		free_fields(s->fields, s->nfields);
		free_conds(s->when, s->nwhen);
		free_strings(s->join, s->njoin);
		for (size_t o = 0; s->outcomes && o < s->noutcomes; o++) {
			free_conds(s->outcomes[o].when, s->outcomes[o].nwhen);
			free_strings(s->outcomes[o].next, s->outcomes[o].nnext);
		}
		free(s->outcomes);
		free_strings(s->notify_overdue, s->nnotify_overdue);
		free(s->reminders);
		free_strings(s->notify, s->nnotify);
		free(s->wait_until);
	}
	free(def->steps);
	for (size_t i = 0; def->scopes && i < def->nscopes; i++) {
		free(def->scopes[i].role);
		free(def->scopes[i].field);
	}
	free(def->scopes);
	free_fields(def->fields, def->nfields);
	free_strings(def->readers, def->nreaders);
	free_strings(def->starters, def->nstarters);
	free_strings(def->start, def->nstart);
	free_strings(def->list, def->nlist);
	free(def->name);
	free(def->title);
	free(def->object);
	free(def->file);
	free(def->hash);
	free(def->source);
	free(def);
}

/* The step ID of DEF, or NULL. */
const struct step_def *
procdef_step(const struct procdef *def, const char *id)
{
	for (size_t i = 0; def && id && i < def->nsteps; i++)
		if (strcmp(def->steps[i].id, id) == 0)
			return &def->steps[i];
	return NULL;
}

/* The instance data field that scopes ROLE in DEF, or NULL. */
const char *
procdef_scope_field(const struct procdef *def, const char *role)
{
	for (size_t i = 0; def && role && i < def->nscopes; i++)
		if (strcmp(def->scopes[i].role, role) == 0)
			return def->scopes[i].field;
	return NULL;
}
