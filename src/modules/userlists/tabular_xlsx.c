/*
 * tabular_xlsx.c - XLSX into sheets with libzip and expat.
 *
 * The parts are found as the package says: _rels/.rels names the workbook
 * (xl/workbook.xml when it does not), the workbook's relationships name
 * the worksheets, the shared strings and the styles.  Every part is
 * streamed from the zip into expat, counting the uncompressed bytes
 * against the limit, so a zip bomb stops at the limit whatever its
 * headers claim.  XML is parsed with namespaces and matched on local
 * names, which covers both transitional and strict OOXML.
 */
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/alloc.h"
#include "tabular_priv.h"

#define NS_SEP '|'
#define XML_NS "http://www.w3.org/XML/1998/namespace"
#define MAX_COLS 16384	 /* XFD */
#define MAX_ROWS 1048576 /* as Excel */
#define MAX_ITEMS 100000 /* relationships, sheets, formats */

enum { KIND_DATE = 1, KIND_TIME = 2 };

struct rel {
	char *id, *type, *target; /* target resolved to a part name */
};

struct rels {
	struct rel *v;
	size_t n;
};

struct wsheet {
	char *name, *rid;
};

struct xlsx {
	zip_t *za;
	struct tabb *tb;
	const char *source;
	struct sf_error *err;
	struct buf sst;	 /* the shared strings, each NUL-terminated */
	size_t *sstoff; /* where each starts in sst */
	size_t nsst, capsst;
	unsigned char *xf; /* KIND_ bits of each cell format */
	size_t nxf;
	int date1904;
	struct wsheet *ws;
	size_t nws;
};

/* What every handler's context starts with. */
struct xp {
	XML_Parser p;
	struct xlsx *x;
	const char *part;
	enum sf_status s;
};

static const char *
local(const char *name)
{
	const char *l = strrchr(name, NS_SEP);

	return l ? l + 1 : name;
}

/* The attribute with local name NAME; with NS, only in that namespace. */
static const char *
attr(const char **atts, const char *ns, const char *name)
{
	size_t nl = ns ? strlen(ns) : 0;

	for (size_t i = 0; atts[i]; i += 2) {
		const char *a = atts[i], *sep = strrchr(a, NS_SEP);

		if (strcmp(local(a), name) != 0)
			continue;
		if (!ns && !sep)
			return atts[i + 1];
		if (ns && sep && (size_t)(sep - a) == nl &&
		    strncmp(a, ns, nl) == 0)
			return atts[i + 1];
	}
	return NULL;
}

/* The r:id of a <sheet>: any namespaced attribute called id. */
static const char *
attr_rid(const char **atts)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strchr(atts[i], NS_SEP) &&
		    strcmp(local(atts[i]), "id") == 0)
			return atts[i + 1];
	return NULL;
}

/* Stop the parse with an error of our own (formatted by the caller into
 * X->err already). */
static void
xp_stop(struct xp *c, enum sf_status s)
{
	if (!c->s)
		c->s = s;
	XML_StopParser(c->p, XML_FALSE);
}

static void XMLCALL
on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
	   const XML_Char *pubid, int has_internal)
{
	struct xp *c = data;

	(void)name, (void)sysid, (void)pubid, (void)has_internal;
	sf_fail(c->x->err, SF_INVALID, NULL, "%s: %s:%lu: DOCTYPE not allowed",
		c->x->source, c->part,
		(unsigned long)XML_GetCurrentLineNumber(c->p));
	xp_stop(c, SF_INVALID);
}

/*
 * Stream part NAME through expat with the handlers given, C as user data
 * (its struct xp filled here).  A missing part is SF_NOT_FOUND with ERR
 * set, so that callers may treat optional parts as absent.
 */
static enum sf_status
parse_part(struct xlsx *x, const char *name, struct xp *c,
	   XML_StartElementHandler start, XML_EndElementHandler end,
	   XML_CharacterDataHandler text)
{
	zip_int64_t idx = zip_name_locate(x->za, name, 0);
	zip_stat_t st;
	zip_file_t *zf = NULL;
	XML_Parser p = NULL;
	size_t total = 0;
	char chunk[65536];
	enum sf_status s = SF_OK;
	int done = 0;

	if (idx < 0)
		idx = zip_name_locate(x->za, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return sf_fail(x->err, SF_NOT_FOUND, NULL,
			       "%s: part %s missing", x->source, name);
	if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) == 0 &&
	    (st.valid & ZIP_STAT_SIZE) && st.size > x->tb->lim->max_part)
		return sf_fail(x->err, SF_TOO_LARGE, NULL,
			       "%s: part %s is larger than %zu bytes",
			       x->source, name, x->tb->lim->max_part);
	if (!(zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0))) {
		s = sf_fail(x->err, SF_INVALID, NULL, "%s: part %s: %s",
			    x->source, name, zip_strerror(x->za));
		goto out;
	}
	p = XML_ParserCreateNS(NULL, NS_SEP);
	if (!p)
		abort(); /* out of memory, as xmalloc would */
	c->p = p;
	c->x = x;
	c->part = name;
	c->s = SF_OK;
	XML_SetUserData(p, c);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	while (!done) {
		zip_int64_t n = zip_fread(zf, chunk, sizeof(chunk));

		if (n < 0) {
			s = sf_fail(x->err, SF_INVALID, NULL,
				    "%s: part %s: %s", x->source, name,
				    zip_file_strerror(zf));
			goto out;
		}
		total += (size_t)n;
		if (total > x->tb->lim->max_part) {
			s = sf_fail(x->err, SF_TOO_LARGE, NULL,
				    "%s: part %s is larger than %zu bytes",
				    x->source, name, x->tb->lim->max_part);
			goto out;
		}
		done = n == 0;
		if (XML_Parse(p, chunk, (int)n, done) == XML_STATUS_ERROR) {
			if (c->s) {
				s = c->s;
				goto out;
			}
			s = sf_fail(x->err, SF_INVALID, NULL,
				    "%s: %s:%lu:%lu: %s", x->source, name,
				    (unsigned long)XML_GetCurrentLineNumber(p),
				    (unsigned long)XML_GetCurrentColumnNumber(
					    p) + 1,
				    XML_ErrorString(XML_GetErrorCode(p)));
			goto out;
		}
	}
	s = c->s;
out:
	if (p)
		XML_ParserFree(p);
	if (zf)
		zip_fclose(zf);
	return s;
}

/* ---------------------------------------------------------------- */
/* Text helpers                                                      */

/* Decode OOXML's _xHHHH_ escapes in B (from FROM on) in place; an escape
 * of NUL, of a surrogate or of a malformed form stays as written. */
static void
unescape_x(struct buf *b, size_t from)
{
	char *s = b->data + from, *q = s;
	char *end = b->data + b->len;

	while (s < end) {
		unsigned long cp;
		char hex[5], *e;

		if (end - s >= 7 && s[0] == '_' && s[1] == 'x' && s[6] == '_') {
			memcpy(hex, s + 2, 4);
			hex[4] = '\0';
			cp = strtoul(hex, &e, 16);
			if (e == hex + 4 && hex[0] != '+' && hex[0] != '-' &&
			    cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
				if (cp < 0x80) {
					*q++ = (char)cp;
				} else if (cp < 0x800) {
					*q++ = (char)(0xC0 | (cp >> 6));
					*q++ = (char)(0x80 | (cp & 0x3F));
				} else {
					*q++ = (char)(0xE0 | (cp >> 12));
					*q++ = (char)(0x80 | ((cp >> 6) & 0x3F));
					*q++ = (char)(0x80 | (cp & 0x3F));
				}
				s += 7;
				continue;
			}
		}
		*q++ = *s++;
	}
	b->len = (size_t)(q - b->data);
	b->data[b->len] = '\0';
}

static int
xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Drop XML white space at both ends of B from FROM on. */
static void
trim_from(struct buf *b, size_t from)
{
	size_t i = from;

	while (b->len > from && xml_space(b->data[b->len - 1]))
		b->len--;
	while (i < b->len && xml_space(b->data[i]))
		i++;
	memmove(b->data + from, b->data + i, b->len - i);
	b->len -= i - from;
	b->data[b->len] = '\0';
}

/*
 * The text of <si> or <is>: the <t> of the element itself and of its
 * runs <r>, without phonetic runs <rPh>.  Shared by the shared strings
 * and the inline strings of worksheets.
 */
struct rich {
	int in_t, preserve, rph;
	size_t t_from; /* where the current <t> started in out */
	struct buf out;
};

static void
rich_reset(struct rich *r)
{
	r->in_t = r->preserve = r->rph = 0;
	r->t_from = 0;
	buf_reset(&r->out);
}

static void
rich_start(struct rich *r, const char *name, const char **atts)
{
	const char *l = local(name), *sp;

	if (strcmp(l, "rPh") == 0) {
		r->rph++;
	} else if (strcmp(l, "t") == 0 && !r->rph) {
		r->in_t = 1;
		sp = attr(atts, XML_NS, "space");
		r->preserve = sp && strcmp(sp, "preserve") == 0;
		r->t_from = r->out.len;
	}
}

static void
rich_end(struct rich *r, const char *name)
{
	const char *l = local(name);

	if (strcmp(l, "rPh") == 0 && r->rph) {
		r->rph--;
	} else if (strcmp(l, "t") == 0 && r->in_t) {
		r->in_t = 0;
		if (!r->preserve)
			trim_from(&r->out, r->t_from);
		unescape_x(&r->out, r->t_from);
	}
}

/* ---------------------------------------------------------------- */
/* Relationships                                                     */

/* The part name of TARGET relative to the folder of part BASE. */
static char *
resolve(const char *base, const char *target)
{
	struct buf b;
	const char *slash = strrchr(base, '/'), *p;

	buf_init(&b, 0);
	if (target[0] == '/')
		target++;
	else if (slash)
		(void)buf_add(&b, base, (size_t)(slash - base) + 1);
	(void)buf_adds(&b, target);
	/* Fold "." and ".." segments. */
	{
		char *out = b.data, *w = b.data;

		p = b.data;
		while (*p) {
			const char *e = strchr(p, '/');
			size_t n = e ? (size_t)(e - p) : strlen(p);

			if (n == 1 && p[0] == '.') {
			} else if (n == 2 && p[0] == '.' && p[1] == '.') {
				if (w > out) {
					w--;
					while (w > out && w[-1] != '/')
						w--;
				}
			} else if (n > 0) {
				memmove(w, p, n);
				w += n;
				if (e)
					*w++ = '/';
			}
			p += n + (e ? 1 : 0);
		}
		*w = '\0';
		b.len = (size_t)(w - out);
	}
	{
		char *r = buf_detach(&b, NULL);

		buf_release(&b); /* detach re-inits it */
		return r;
	}
}

struct relsctx {
	struct xp base;
	const char *owner; /* the part the relationships belong to */
	struct rels *r;
};

static void XMLCALL
rels_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct relsctx *c = data;
	const char *id, *type, *target, *mode;
	struct rel *r;

	if (strcmp(local(name), "Relationship") != 0)
		return;
	id = attr(atts, NULL, "Id");
	type = attr(atts, NULL, "Type");
	target = attr(atts, NULL, "Target");
	mode = attr(atts, NULL, "TargetMode");
	if (!id || !type || !target || (mode && strcmp(mode, "External") == 0))
		return;
	if (c->r->n >= MAX_ITEMS) {
		sf_fail(c->base.x->err, SF_TOO_LARGE, NULL,
			"%s: %s: more than %d relationships",
			c->base.x->source, c->base.part, MAX_ITEMS);
		xp_stop(&c->base, SF_TOO_LARGE);
		return;
	}
	c->r->v = xrealloc(c->r->v, (c->r->n + 1) * sizeof(*c->r->v));
	r = &c->r->v[c->r->n++];
	r->id = xstrdup(id);
	r->type = xstrdup(type);
	r->target = resolve(c->owner, target);
}

static void XMLCALL
no_end(void *data, const XML_Char *name)
{
	(void)data, (void)name;
}

static void XMLCALL
no_text(void *data, const XML_Char *s, int len)
{
	(void)data, (void)s, (void)len;
}

static void
rels_release(struct rels *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].type);
		free(r->v[i].target);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* The relationships of part OWNER (from its _rels part); none when that
 * part is absent. */
static enum sf_status
read_rels(struct xlsx *x, const char *owner, struct rels *out)
{
	const char *slash = strrchr(owner, '/');
	char *name;
	struct relsctx c = {.owner = owner, .r = out};
	enum sf_status s;

	if (slash)
		name = xasprintf("%.*s_rels/%s.rels", (int)(slash - owner + 1),
				 owner, slash + 1);
	else
		name = xasprintf("_rels/%s.rels", owner);
	s = parse_part(x, name, &c.base, rels_start, no_end, no_text);
	if (s == SF_NOT_FOUND) {
		sf_error_clear(x->err);
		s = SF_OK;
	}
	free(name);
	return s;
}

/* The target of the first relationship whose type ends in /SUFFIX. */
static const char *
rel_by_type(const struct rels *r, const char *suffix)
{
	size_t n = strlen(suffix);

	for (size_t i = 0; i < r->n; i++) {
		size_t t = strlen(r->v[i].type);

		if (t > n && r->v[i].type[t - n - 1] == '/' &&
		    strcmp(r->v[i].type + t - n, suffix) == 0)
			return r->v[i].target;
	}
	return NULL;
}

static const struct rel *
rel_by_id(const struct rels *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Workbook                                                          */

static void XMLCALL
wb_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct xp *c = data;
	struct xlsx *x = c->x;
	const char *l = local(name), *v, *rid;

	if (strcmp(l, "workbookPr") == 0) {
		v = attr(atts, NULL, "date1904");
		x->date1904 = v && (strcmp(v, "1") == 0 ||
				    strcmp(v, "true") == 0);
	} else if (strcmp(l, "sheet") == 0) {
		v = attr(atts, NULL, "name");
		rid = attr_rid(atts);
		if (!v || !rid) {
			sf_fail(x->err, SF_INVALID, NULL,
				"%s: %s:%lu: <sheet> without name or r:id",
				x->source, c->part,
				(unsigned long)XML_GetCurrentLineNumber(c->p));
			xp_stop(c, SF_INVALID);
			return;
		}
		if (x->nws >= MAX_ITEMS) {
			sf_fail(x->err, SF_TOO_LARGE, NULL,
				"%s: %s: more than %d sheets", x->source,
				c->part, MAX_ITEMS);
			xp_stop(c, SF_TOO_LARGE);
			return;
		}
		x->ws = xrealloc(x->ws, (x->nws + 1) * sizeof(*x->ws));
		x->ws[x->nws].name = xstrdup(v);
		x->ws[x->nws].rid = xstrdup(rid);
		x->nws++;
	}
}

/* ---------------------------------------------------------------- */
/* Shared strings                                                    */

struct sstctx {
	struct xp base;
	int in_si;
	struct rich r;
};

static void XMLCALL
sst_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct sstctx *c = data;

	if (strcmp(local(name), "si") == 0) {
		c->in_si = 1;
		rich_reset(&c->r);
	} else if (c->in_si) {
		rich_start(&c->r, name, atts);
	}
}

static void XMLCALL
sst_end(void *data, const XML_Char *name)
{
	struct sstctx *c = data;
	struct xlsx *x = c->base.x;

	if (strcmp(local(name), "si") == 0 && c->in_si) {
		c->in_si = 0;
		if (x->nsst >= x->tb->lim->max_cells) {
			sf_fail(x->err, SF_TOO_LARGE, NULL,
				"%s: %s: more than %zu shared strings",
				x->source, c->base.part, x->tb->lim->max_cells);
			xp_stop(&c->base, SF_TOO_LARGE);
			return;
		}
		if (x->nsst == x->capsst) {
			x->capsst = x->capsst ? x->capsst * 2 : 256;
			x->sstoff = xrealloc(x->sstoff,
					     x->capsst * sizeof(*x->sstoff));
		}
		x->sstoff[x->nsst++] = x->sst.len;
		(void)buf_add(&x->sst, c->r.out.data, c->r.out.len);
		(void)buf_add(&x->sst, "", 1);
	} else if (c->in_si) {
		rich_end(&c->r, name);
	}
}

static void XMLCALL
sst_text(void *data, const XML_Char *s, int len)
{
	struct sstctx *c = data;

	if (c->in_si && c->r.in_t)
		(void)buf_add(&c->r.out, s, (size_t)len);
}

/* ---------------------------------------------------------------- */
/* Styles: which cell formats are dates or times                     */

struct fmt {
	unsigned long id;
	unsigned char kind;
};

struct stylectx {
	struct xp base;
	int in_cellxfs;
	struct fmt *fmts;
	size_t nfmts;
	unsigned long *xfids; /* numFmtId of each cellXfs/xf */
	size_t nxf;
};

/* KIND_ bits of a custom number format: the first section, without
 * quoted text, escapes, fills and [colour]/[$locale] parts; [h] [m] [s]
 * are elapsed times. */
static unsigned char
format_kind(const char *code)
{
	int date = 0, time = 0, month = 0;

	for (const char *p = code; *p && *p != ';'; p++) {
		switch (*p) {
		case '"':
			p++;
			while (*p && *p != '"')
				p++;
			if (!*p)
				goto done;
			break;
		case '\\':
		case '_':
		case '*':
			if (!*++p)
				goto done;
			break;
		case '[':
			if (p[1] == 'h' || p[1] == 'H' || p[1] == 'm' ||
			    p[1] == 'M' || p[1] == 's' || p[1] == 'S')
				time = 1;
			while (*p && *p != ']')
				p++;
			if (!*p)
				goto done;
			break;
		case 'y': case 'Y': case 'd': case 'D':
			date = 1;
			break;
		case 'h': case 'H': case 's': case 'S':
			time = 1;
			break;
		case 'm': case 'M':
			month = 1;
			break;
		case 'A':
		case 'a':
			/* AM/PM and A/P belong to times. */
			if (strncmp(p, "AM/PM", 5) == 0 ||
			    strncmp(p, "am/pm", 5) == 0)
				p += 4;
			else if (strncmp(p, "A/P", 3) == 0 ||
				 strncmp(p, "a/p", 3) == 0)
				p += 2;
			break;
		default:
			break;
		}
	}
done:
	if (month && !time)
		date = 1;
	return (unsigned char)((date ? KIND_DATE : 0) |
			       (time ? KIND_TIME : 0));
}

static unsigned char
builtin_kind(unsigned long id)
{
	if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) ||
	    (id >= 34 && id <= 36) || (id >= 50 && id <= 58))
		return KIND_DATE;
	if ((id >= 18 && id <= 21) || (id >= 32 && id <= 33) ||
	    (id >= 45 && id <= 47))
		return KIND_TIME;
	if (id == 22)
		return KIND_DATE | KIND_TIME;
	return 0;
}

static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 0;
}

static void XMLCALL
style_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct stylectx *c = data;
	const char *l = local(name), *code;
	unsigned long id;

	if (strcmp(l, "cellXfs") == 0) {
		c->in_cellxfs = 1;
	} else if (strcmp(l, "numFmt") == 0) {
		code = attr(atts, NULL, "formatCode");
		if (!code || c->nfmts >= MAX_ITEMS ||
		    parse_ulong(attr(atts, NULL, "numFmtId"), 1000000, &id))
			return;
		c->fmts = xrealloc(c->fmts, (c->nfmts + 1) * sizeof(*c->fmts));
		c->fmts[c->nfmts].id = id;
		c->fmts[c->nfmts].kind = format_kind(code);
		c->nfmts++;
	} else if (strcmp(l, "xf") == 0 && c->in_cellxfs &&
		   c->nxf < MAX_ITEMS) {
		if (parse_ulong(attr(atts, NULL, "numFmtId"), 1000000, &id))
			id = 0;
		if (c->nxf % 64 == 0)
			c->xfids = xrealloc(c->xfids, (c->nxf + 64) *
							      sizeof(*c->xfids));
		c->xfids[c->nxf++] = id;
	}
}

static void XMLCALL
style_end(void *data, const XML_Char *name)
{
	struct stylectx *c = data;

	if (strcmp(local(name), "cellXfs") == 0)
		c->in_cellxfs = 0;
}

static enum sf_status
read_styles(struct xlsx *x, const char *part)
{
	struct stylectx c = {0};
	enum sf_status s;

	s = parse_part(x, part, &c.base, style_start, style_end, no_text);
	if (s == SF_NOT_FOUND) {
		sf_error_clear(x->err);
		s = SF_OK;
	}
	if (s == SF_OK && c.nxf) {
		x->xf = xcalloc(c.nxf, 1);
		x->nxf = c.nxf;
		for (size_t i = 0; i < c.nxf; i++) {
			x->xf[i] = builtin_kind(c.xfids[i]);
			/* A custom format may redefine a built-in id. */
			for (size_t j = 0; j < c.nfmts; j++)
				if (c.fmts[j].id == c.xfids[i])
					x->xf[i] = c.fmts[j].kind;
		}
	}
	free(c.fmts);
	free(c.xfids);
	return s;
}

/* ---------------------------------------------------------------- */
/* Worksheets                                                        */

enum ctype { T_NUM, T_SST, T_INLINE, T_STR, T_BOOL, T_ERR, T_DATE };

struct wsctx {
	struct xp base;
	const char *sheet;
	struct rowb rb;
	int in_data, in_row, in_c, in_v, in_is;
	size_t row, last_row, next_col;
	size_t col;
	enum ctype type;
	unsigned long style;
	struct buf v;
	struct rich r;
	struct buf cell; /* formatted value */
};

static enum sf_status
ws_fail(struct wsctx *c, enum sf_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum sf_status
ws_fail(struct wsctx *c, enum sf_status s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sf_fail(c->base.x->err, s, NULL, "%s: sheet \"%s\" (%s:%lu): %s",
		c->base.x->source, c->sheet, c->base.part,
		(unsigned long)XML_GetCurrentLineNumber(c->base.p), msg);
	xp_stop(&c->base, s);
	return s;
}

/* "B7" -> column 1, row 7; the row may be absent ("B"), then 0. */
static int
parse_ref(const char *ref, size_t *col, size_t *row)
{
	size_t c = 0, r = 0;
	const char *p = ref;

	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
		c = c * 26 + (size_t)((*p | 0x20) - 'a' + 1);
		if (c > MAX_COLS)
			return -1;
	}
	if (c == 0)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		r = r * 10 + (size_t)(*p - '0');
		if (r > MAX_ROWS)
			return -1;
	}
	if (*p)
		return -1;
	*col = c - 1;
	*row = r;
	return 0;
}

static void
days_to_civil(long z, int *y, unsigned *m, unsigned *d)
{
	/* Howard Hinnant's days_from_civil inverse; Z days since 1970-01-01. */
	long era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

/* The serial number V (text) of a date/time cell as ISO text into OUT;
 * -1 when it is no date Excel can show (then the caller keeps V). */
static int
format_date(const char *v, unsigned char kind, int date1904, struct buf *out)
{
	char *e;
	double d = strtod(v, &e);
	long days, secs;
	int y;
	unsigned m, dd;

	if (e == v || *e || !isfinite(d) || d < 0 || d > 2958466.0)
		return -1;
	days = (long)floor(d);
	secs = lround((d - (double)days) * 86400.0);
	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	if (kind & KIND_DATE) {
		long unix_days;

		if (date1904) {
			unix_days = days - 24107; /* 1904-01-01 */
		} else {
			/* 1900-02-29 (60) does not exist; 0 is no date. */
			if (days < 1 || days == 60)
				return -1;
			unix_days = days - (days < 60 ? 25568 : 25569);
		}
		days_to_civil(unix_days, &y, &m, &dd);
		if (y > 9999)
			return -1;
		buf_addf(out, "%04d-%02u-%02u", y, m, dd);
		if (kind & KIND_TIME)
			(void)buf_adds(out, "T");
	}
	if (kind & KIND_TIME)
		buf_addf(out, "%02ld:%02ld:%02ld", secs / 3600,
			 secs / 60 % 60, secs % 60);
	return 0;
}

static void XMLCALL
ws_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct wsctx *c = data;
	const char *l = local(name), *a;
	unsigned long n;
	size_t col, row;
	char where[512];

	if (c->base.s)
		return;
	if (c->in_is) {
		rich_start(&c->r, name, atts);
		return;
	}
	if (strcmp(l, "sheetData") == 0) {
		c->in_data = 1;
	} else if (!c->in_data) {
		return;
	} else if (strcmp(l, "row") == 0) {
		a = attr(atts, NULL, "r");
		if (!a) {
			n = c->last_row + 1;
		} else if (parse_ulong(a, MAX_ROWS, &n) || n == 0) {
			ws_fail(c, SF_INVALID, "bad row number \"%s\"", a);
			return;
		}
		if (n <= c->last_row || n > MAX_ROWS) {
			ws_fail(c, SF_INVALID, "row %lu after row %zu", n,
				c->last_row);
			return;
		}
		snprintf(where, sizeof(where), "%s: sheet \"%s\"",
			 c->base.x->source, c->sheet);
		if (tabb_pad(c->base.x->tb, n, where, c->base.x->err)) {
			xp_stop(&c->base, c->base.x->err->status);
			return;
		}
		c->row = n;
		c->in_row = 1;
		c->next_col = 0;
	} else if (strcmp(l, "c") == 0 && c->in_row) {
		a = attr(atts, NULL, "r");
		if (!a) {
			col = c->next_col;
			row = c->row;
		} else if (parse_ref(a, &col, &row)) {
			ws_fail(c, SF_INVALID, "bad cell reference \"%s\"", a);
			return;
		}
		if (row && row != c->row) {
			ws_fail(c, SF_INVALID, "cell %s in row %zu", a, c->row);
			return;
		}
		if (col >= MAX_COLS) {
			ws_fail(c, SF_INVALID, "more than %d columns in row %zu",
				MAX_COLS, c->row);
			return;
		}
		c->col = col;
		c->next_col = col + 1;
		a = attr(atts, NULL, "t");
		c->type = !a || strcmp(a, "n") == 0 ? T_NUM
			  : strcmp(a, "s") == 0	    ? T_SST
			  : strcmp(a, "inlineStr") == 0 ? T_INLINE
			  : strcmp(a, "str") == 0	    ? T_STR
			  : strcmp(a, "b") == 0	    ? T_BOOL
			  : strcmp(a, "e") == 0	    ? T_ERR
			  : strcmp(a, "d") == 0	    ? T_DATE
						    : T_STR;
		if (parse_ulong(attr(atts, NULL, "s"), 1000000, &c->style))
			c->style = 0;
		c->in_c = 1;
		buf_reset(&c->v);
		rich_reset(&c->r);
	} else if (strcmp(l, "v") == 0 && c->in_c) {
		c->in_v = 1;
	} else if (strcmp(l, "is") == 0 && c->in_c) {
		c->in_is = 1;
	}
}

/* The text of the cell that just ended, into c->cell. */
static enum sf_status
cell_text(struct wsctx *c)
{
	struct xlsx *x = c->base.x;
	unsigned long i;
	char ref[8];
	const char *v = c->v.data;

	buf_reset(&c->cell);
	switch (c->type) {
	case T_SST:
		if (!*v)
			return SF_OK;
		if (parse_ulong(v, (unsigned long)-1 / 2, &i) || i >= x->nsst) {
			tabular_column_name(c->col, ref);
			return ws_fail(c, SF_INVALID,
				       "cell %s%zu: shared string \"%.20s\" not "
				       "among the %zu shared strings",
				       ref, c->row, v, x->nsst);
		}
		(void)buf_adds(&c->cell, x->sst.data + x->sstoff[i]);
		return SF_OK;
	case T_INLINE:
		(void)buf_add(&c->cell, c->r.out.data, c->r.out.len);
		return SF_OK;
	case T_BOOL:
		(void)buf_adds(&c->cell, strcmp(v, "1") == 0   ? "TRUE"
					 : strcmp(v, "0") == 0 ? "FALSE"
							       : v);
		return SF_OK;
	case T_NUM: {
		unsigned char kind = c->style < x->nxf ? x->xf[c->style] : 0;

		trim_from(&c->v, 0);
		if (kind && *c->v.data &&
		    format_date(c->v.data, kind, x->date1904, &c->cell) == 0)
			return SF_OK;
		buf_reset(&c->cell);
		(void)buf_add(&c->cell, c->v.data, c->v.len);
		return SF_OK;
	}
	default:
		(void)buf_add(&c->cell, c->v.data, c->v.len);
		return SF_OK;
	}
}

static void XMLCALL
ws_end(void *data, const XML_Char *name)
{
	struct wsctx *c = data;
	const char *l = local(name);
	char where[512];

	if (c->base.s)
		return;
	if (c->in_is) {
		if (strcmp(l, "is") == 0)
			c->in_is = 0;
		else
			rich_end(&c->r, name);
		return;
	}
	if (strcmp(l, "v") == 0) {
		c->in_v = 0;
	} else if (strcmp(l, "c") == 0 && c->in_c) {
		c->in_c = 0;
		if (cell_text(c))
			return;
		if (c->cell.len && memchr(c->cell.data, '\0', c->cell.len)) {
			ws_fail(c, SF_INVALID, "NUL character in a cell");
			return;
		}
		rowb_add(&c->rb, c->col, c->cell.data, c->cell.len);
	} else if (strcmp(l, "row") == 0 && c->in_row) {
		c->in_row = 0;
		c->last_row = c->row;
		snprintf(where, sizeof(where), "%s: sheet \"%s\" row %zu",
			 c->base.x->source, c->sheet, c->row);
		if (tabb_row(c->base.x->tb, &c->rb, c->row, where,
			     c->base.x->err))
			xp_stop(&c->base, c->base.x->err->status);
	} else if (strcmp(l, "sheetData") == 0) {
		c->in_data = 0;
	}
}

static void XMLCALL
ws_text(void *data, const XML_Char *s, int len)
{
	struct wsctx *c = data;

	if (c->in_is) {
		if (c->r.in_t)
			(void)buf_add(&c->r.out, s, (size_t)len);
	} else if (c->in_v) {
		(void)buf_add(&c->v, s, (size_t)len);
	}
}

static enum sf_status
read_sheet(struct xlsx *x, const char *name, const char *part)
{
	struct wsctx c = {.sheet = name};
	enum sf_status s;

	rowb_init(&c.rb);
	buf_init(&c.v, 0);
	buf_init(&c.r.out, 0);
	buf_init(&c.cell, 0);
	tabb_sheet(x->tb, name);
	s = parse_part(x, part, &c.base, ws_start, ws_end, ws_text);
	if (s == SF_NOT_FOUND)
		s = sf_fail(x->err, SF_INVALID, NULL,
			    "%s: sheet \"%s\": part %s missing", x->source,
			    name, part);
	rowb_release(&c.rb);
	buf_release(&c.v);
	buf_release(&c.r.out);
	buf_release(&c.cell);
	return s;
}

/* ---------------------------------------------------------------- */

static void
xlsx_release(struct xlsx *x)
{
	buf_release(&x->sst);
	free(x->sstoff);
	free(x->xf);
	for (size_t i = 0; i < x->nws; i++) {
		free(x->ws[i].name);
		free(x->ws[i].rid);
	}
	free(x->ws);
	if (x->za)
		zip_discard(x->za);
}

enum sf_status
tabular_read_xlsx(struct tabb *tb, const void *data, size_t len,
		  struct sf_error *err)
{
	struct xlsx x = {.tb = tb, .source = tb->t->source, .err = err};
	struct rels root = {0}, wbrels = {0};
	zip_error_t ze;
	zip_source_t *src;
	const char *wb, *part;
	struct xp wbc = {0};
	struct sstctx sc = {0};
	enum sf_status s;
	size_t nread = 0;

	buf_init(&x.sst, 0);
	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	if (!src || !(x.za = zip_open_from_source(src, ZIP_RDONLY, &ze))) {
		s = sf_fail(err, SF_INVALID, NULL,
			    "%s: not a readable zip archive (%s)", x.source,
			    zip_error_strerror(&ze));
		if (src)
			zip_source_free(src);
		goto out;
	}
	if ((s = read_rels(&x, "", &root)))
		goto out;
	wb = rel_by_type(&root, "officeDocument");
	if (!wb)
		wb = "xl/workbook.xml";
	s = parse_part(&x, wb, &wbc, wb_start, no_end, no_text);
	if (s == SF_NOT_FOUND) {
		s = sf_fail(err, SF_INVALID, NULL,
			    "%s: a zip archive but not an XLSX workbook (no "
			    "%s)",
			    x.source, wb);
		goto out;
	}
	if (s)
		goto out;
	if ((s = read_rels(&x, wb, &wbrels)))
		goto out;
	if ((part = rel_by_type(&wbrels, "styles")) &&
	    (s = read_styles(&x, part)))
		goto out;
	if ((part = rel_by_type(&wbrels, "sharedStrings"))) {
		buf_init(&sc.r.out, 0);
		s = parse_part(&x, part, &sc.base, sst_start, sst_end,
			       sst_text);
		buf_release(&sc.r.out);
		if (s == SF_NOT_FOUND) {
			s = sf_fail(err, SF_INVALID, NULL,
				    "%s: shared strings part %s missing",
				    x.source, part);
			goto out;
		}
		if (s)
			goto out;
	}
	for (size_t i = 0; i < x.nws; i++) {
		const struct rel *r = rel_by_id(&wbrels, x.ws[i].rid);
		size_t t;

		if (!r) {
			s = sf_fail(err, SF_INVALID, NULL,
				    "%s: sheet \"%s\": no relationship %s",
				    x.source, x.ws[i].name, x.ws[i].rid);
			goto out;
		}
		t = strlen(r->type);
		if (t < 10 || strcmp(r->type + t - 10, "/worksheet") != 0)
			continue; /* a chart sheet, a dialog sheet... */
		if ((s = read_sheet(&x, x.ws[i].name, r->target)))
			goto out;
		nread++;
	}
	if (nread == 0)
		s = sf_fail(err, SF_INVALID, NULL,
			    "%s: the workbook has no worksheet", x.source);
out:
	rels_release(&root);
	rels_release(&wbrels);
	xlsx_release(&x);
	zip_error_fini(&ze);
	return s;
}
