/*
 * email_html.c - visible text of an HTML mail body (see email_html.h).
 *
 * A single forward scan with no tree: for keyword scanning we need the
 * words a reader sees and the word boundaries between blocks, nothing
 * of the layout.  No HTML parser library is among secflow's dependencies,
 * and a tag stripper only has to be robust, not faithful.
 */
#include "modules/incidents/email_html.h"

#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

/* Whitespace waiting to be written before the next visible character. */
enum pending { WS_NONE, WS_SPACE, WS_BREAK };

struct out {
	char *p;
	size_t len;
	enum pending ws;
};

/* HTML 4 Latin-1 entity names for U+00A0..U+00FF, in code point order. */
static const char *const latin1_names[96] = {
    "nbsp",   "iexcl",	"cent",	  "pound",  "curren", "yen",	"brvbar",
    "sect",   "uml",	"copy",	  "ordf",   "laquo",  "not",	"shy",
    "reg",    "macr",	"deg",	  "plusmn", "sup2",   "sup3",	"acute",
    "micro",  "para",	"middot", "cedil",  "sup1",   "ordm",	"raquo",
    "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",
    "Atilde", "Auml",	"Aring",  "AElig",  "Ccedil", "Egrave", "Eacute",
    "Ecirc",  "Euml",	"Igrave", "Iacute", "Icirc",  "Iuml",	"ETH",
    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",	"times",
    "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",	"aring",
    "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",	"igrave",
    "iacute", "icirc",	"iuml",	  "eth",    "ntilde", "ograve", "oacute",
    "ocirc",  "otilde", "ouml",	  "divide", "oslash", "ugrave", "uacute",
    "ucirc",  "uuml",	"yacute", "thorn",  "yuml",
};

static const struct {
	const char *name;
	uint32_t cp;
} other_names[] = {
    {"amp", '&'},	{"lt", '<'},	    {"gt", '>'},
    {"quot", '"'},	{"apos", '\''},	    {"OElig", 0x152},
    {"oelig", 0x153},	{"Scaron", 0x160},  {"scaron", 0x161},
    {"Yuml", 0x178},	{"fnof", 0x192},    {"circ", 0x2c6},
    {"tilde", 0x2dc},	{"ensp", 0x2002},   {"emsp", 0x2003},
    {"thinsp", 0x2009}, {"zwnj", 0x200c},   {"zwj", 0x200d},
    {"lrm", 0x200e},	{"rlm", 0x200f},    {"ndash", 0x2013},
    {"mdash", 0x2014},	{"lsquo", 0x2018},  {"rsquo", 0x2019},
    {"sbquo", 0x201a},	{"ldquo", 0x201c},  {"rdquo", 0x201d},
    {"bdquo", 0x201e},	{"dagger", 0x2020}, {"Dagger", 0x2021},
    {"bull", 0x2022},	{"hellip", 0x2026}, {"permil", 0x2030},
    {"prime", 0x2032},	{"lsaquo", 0x2039}, {"rsaquo", 0x203a},
    {"euro", 0x20ac},	{"trade", 0x2122},  {"larr", 0x2190},
    {"rarr", 0x2192},	{"uarr", 0x2191},   {"darr", 0x2193},
    {"minus", 0x2212},	{"le", 0x2264},	    {"ge", 0x2265},
    {"ne", 0x2260},	{"infin", 0x221e},  {"check", 0x2713},
};

/* Tags whose contents a reader never sees. */
static const char *const hidden_tags[] = {"script", "style", "head", "title",
					  "template"};

/* Tags that start or end a block: a word never runs across them. */
static const char *const block_tags[] = {
    "address",	"article", "aside",   "blockquote", "body",   "br",
    "caption",	"center",  "dd",      "div",	    "dl",     "dt",
    "fieldset", "figure",  "footer",  "form",	    "h1",     "h2",
    "h3",	"h4",	   "h5",      "h6",	    "header", "hr",
    "html",	"li",	   "main",    "nav",	    "ol",     "option",
    "p",	"pre",	   "section", "table",	    "tbody",  "td",
    "tfoot",	"th",	   "thead",   "tr",	    "ul",
};

static int
in_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

static void
out_ws(struct out *o, enum pending ws)
{
	if (ws > o->ws)
		o->ws = ws;
}

/* Append N visible bytes, after the whitespace waiting for them. */
static void
out_text(struct out *o, const char *s, size_t n)
{
	if (o->len && o->ws != WS_NONE)
		o->p[o->len++] = o->ws == WS_BREAK ? '\n' : ' ';
	o->ws = WS_NONE;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* Encode CP as UTF-8 into BUF (4 bytes); returns the length. */
static size_t
utf8_put(uint32_t cp, char *buf)
{
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static int
name_code(const char *name, size_t n, uint32_t *cp)
{
	size_t i;

	for (i = 0; i < sizeof(latin1_names) / sizeof(latin1_names[0]); i++)
		if (latin1_names[i][0] == name[0] &&
		    strlen(latin1_names[i]) == n &&
		    memcmp(latin1_names[i], name, n) == 0) {
			*cp = 0xa0 + (uint32_t)i;
			return 1;
		}
	for (i = 0; i < sizeof(other_names) / sizeof(other_names[0]); i++)
		if (other_names[i].name[0] == name[0] &&
		    strlen(other_names[i].name) == n &&
		    memcmp(other_names[i].name, name, n) == 0) {
			*cp = other_names[i].cp;
			return 1;
		}
	return 0;
}

/*
 * The character reference at S[0] == '&' (N bytes left): its code point
 * in *CP and its length, or 0 when it is not one (then '&' is text).
 * Numeric references may omit the ';', named ones may not.
 */
static size_t
entity(const char *s, size_t n, uint32_t *cp)
{
	size_t i = 1, start;
	uint32_t v = 0;
	int hex = 0;

	if (n > 1 && s[1] == '#') {
		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		start = i;
		for (; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			unsigned d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				break;
			/* Saturate: anything past U+10FFFF is U+FFFD. */
			v = v > 0x10ffff ? v : v * (hex ? 16 : 10) + d;
		}
		if (i == start)
			return 0;
		*cp = v;
		if (i < n && s[i] == ';')
			i++;
		return i;
	}
	for (start = i;
	     i < n && i - start < 32 && is_alnum((unsigned char)s[i]); i++)
		;
	if (i == start || i >= n || s[i] != ';' ||
	    !name_code(s + start, i - start, cp))
		return 0;
	return i + 1;
}

/* Case-insensitive: does S (N bytes) start with the ASCII word W? */
static int
starts_ci(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; w[i]; i++) {
		unsigned char c;

		if (i >= n)
			return 0;
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)w[i])
			return 0;
	}
	return 1;
}

static const char *
find(const char *s, const char *end, const char *needle)
{
	size_t k = strlen(needle);

	for (; (size_t)(end - s) >= k; s++)
		if (memcmp(s, needle, k) == 0)
			return s;
	return NULL;
}

/*
 * Where the contents of hidden tag NAME, starting at P, end: at its end
 * tag "</name" (followed by space, '/' or '>'), for head also at "<body";
 * END when there is neither.
 */
static const char *
hidden_end(const char *p, const char *end, const char *name)
{
	size_t k = strlen(name);

	for (; p < end; p++) {
		size_t left = (size_t)(end - p);

		if (*p != '<')
			continue;
		if (left > k + 1 && p[1] == '/' &&
		    starts_ci(p + 2, left - 2, name)) {
			if (left == k + 2)
				return p;
			if (is_space((unsigned char)p[k + 2]) ||
			    p[k + 2] == '/' || p[k + 2] == '>')
				return p;
		}
		if (strcmp(name, "head") == 0 &&
		    starts_ci(p + 1, left - 1, "body"))
			return p;
	}
	return end;
}

/*
 * The tag at P (*P == '<', followed by a letter or "/" and a letter):
 * its lower-case name (truncated to fit NAME) in NAME, whether it is an
 * end tag in *CLOSING; returns where the tag ends (after '>', or END).
 * Quoted attribute values may hold '>'.
 */
static const char *
tag(const char *p, const char *end, char name[16], int *closing)
{
	size_t k = 0;
	char quote = 0;
	int after_eq = 0;

	p++;
	*closing = 0;
	if (p < end && *p == '/') {
		*closing = 1;
		p++;
	}
	for (;
	     p < end && (is_alnum((unsigned char)*p) || *p == '-' || *p == ':');
	     p++)
		if (k < 15) {
			unsigned char c = (unsigned char)*p;

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			name[k++] = (char)c;
		}
	name[k] = '\0';
	for (; p < end; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '>')
			return p + 1;
		if (*p == '=') {
			after_eq = 1;
			continue;
		}
		if ((*p == '"' || *p == '\'') && after_eq)
			quote = *p;
		if (!is_space((unsigned char)*p))
			after_eq = 0;
	}
	return end;
}

char *
email_html_to_text(const char *html, size_t len, size_t *outlen)
{
	struct out o = {xmalloc(len + 1), 0, WS_NONE};
	const char *p = html, *end = html + len, *q;
	char name[16], u[4];
	uint32_t cp;
	int closing;
	size_t n;

	while (p < end) {
		unsigned char c = (unsigned char)*p;
		size_t left = (size_t)(end - p);

		if (c == '<' && left >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = find(p + 4, end, "-->");
			p = q ? q + 3 : end;
		} else if (c == '<' && left >= 2 &&
			   (p[1] == '!' || p[1] == '?')) {
			q = memchr(p, '>', left);
			p = q ? q + 1 : end;
		} else if (c == '<' && left >= 2 &&
			   (is_alpha((unsigned char)p[1]) ||
			    (p[1] == '/' && left >= 3 &&
			     is_alpha((unsigned char)p[2])))) {
			p = tag(p, end, name, &closing);
			if (in_list(name, block_tags,
				    sizeof(block_tags) / sizeof(block_tags[0])))
				out_ws(&o, strcmp(name, "td") == 0 ||
						   strcmp(name, "th") == 0
					       ? WS_SPACE
					       : WS_BREAK);
			if (!closing && in_list(name, hidden_tags,
						sizeof(hidden_tags) /
						    sizeof(hidden_tags[0])))
				p = hidden_end(p, end, name);
		} else if (c == '&' && (n = entity(p, left, &cp)) > 0) {
			p += n;
			if (cp == 0xa0)
				out_ws(&o, WS_SPACE);
			else
				out_text(&o, u, utf8_put(cp, u));
		} else if (is_space(c)) {
			out_ws(&o, WS_SPACE);
			p++;
		} else if (c == 0xc2 && left >= 2 &&
			   (unsigned char)p[1] == 0xa0) {
			out_ws(&o, WS_SPACE);
			p += 2;
		} else {
			/* A whole UTF-8 sequence at once, so a break is never
			 * written inside one. */
			n = 1;
			while (n < left && ((unsigned char)p[n] & 0xc0) == 0x80)
				n++;
			out_text(&o, p, n);
			p += n;
		}
	}
	o.p[o.len] = '\0';
	*outlen = o.len;
	return o.p;
}
