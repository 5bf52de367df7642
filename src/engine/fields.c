/*
 * fields.c - check JSON input against field declarations and describe
 * the declarations for forms.
 *
 * Input is never trusted to be what the form sent: every value is checked
 * for its type, its bounds and its characters, and the result is a new
 * object holding only declared keys in one normal form, so nothing
 * downstream has to guess (dates are YYYY-MM-DD, integers are integers).
 */
#include "engine/fields.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"

#define STRING_MAX_DEFAULT 200
#define TEXT_MAX_DEFAULT 20000
#define COMMENT_MAX 20000
#define EMAIL_MAX 254
#define FILENAME_MAX_LEN 255
#define EXACT_INT_MAX 9007199254740992.0 /* 2^53 */
#define QUOTE_MAX 60			 /* bytes of a bad value in errors */
#define QUOTED_SIZE (QUOTE_MAX * 4 + 8)	 /* quoted(): all escaped */
#define FQDN_MAX 253
#define LABEL_MAX 63
#define PORT_MAX 65535

#define HOST_EXPECTED                                                          \
	"expected an IPv4 or IPv6 address, a CIDR range or a fully "           \
	"qualified host name"
#define PORTS_EXPECTED                                                         \
	"expected a port from 1 to 65535 or a range such as 8000-8100"

static enum sf_status vfail(struct sf_error *err, const char *path,
			    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Drop an incomplete UTF-8 character that truncation left at the end of S:
 * messages quote what people typed, and a message that is not UTF-8 could
 * not be sent back as JSON.
 */
static void
utf8_trim(char *s)
{
	size_t len = strlen(s), i = len, need;
	unsigned char c;

	while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || (c = (unsigned char)s[i - 1]) < 0x80)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

/* SF_INVALID with err->field PATH and a message "PATH: what". */
static enum sf_status
vfail(struct sf_error *err, const char *path, const char *fmt, ...)
{
	enum sf_status st;
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_trim(msg);
	if (!*path)
		st = sf_fail(err, SF_INVALID, path, "%s", msg);
	else
		st = sf_fail(err, SF_INVALID, path, "%s: %s", path, msg);
	if (err) {
		utf8_trim(err->message);
		utf8_trim(err->field);
	}
	return st;
}

static char *
path_key(const char *prefix, const char *key)
{
	if (!*prefix)
		return xstrdup(key);
	return xasprintf("%s.%s", prefix, key);
}

static char *
path_index(const char *prefix, size_t i)
{
	return xasprintf("%s[%zu]", prefix, i);
}

/* The string of V without embedded NULs, or NULL. */
static const char *
string_of(json_t *v, size_t *len)
{
	const char *s;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	*len = json_string_length(v);
	if (strlen(s) != *len)
		return NULL;
	return s;
}

/*
 * Control characters: none at all, except tab (and, when MULTILINE,
 * CR and LF).  Returns 0 when S is clean.
 */
static int
has_controls(const char *s, size_t len, int multiline)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t')
			continue;
		if (multiline && (c == '\n' || c == '\r'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return 1;
	}
	return 0;
}

/*
 * S (LEN bytes) quoted for an error message into BUF of SIZE (at least
 * QUOTED_SIZE): at most QUOTE_MAX bytes of it, cut on a UTF-8 character
 * boundary and marked "..." after the closing quote when cut; '"', '\' and
 * control characters escaped, so the message stays one unambiguous line.
 */
static const char *
quoted(const char *s, size_t len, char *buf, size_t size)
{
	size_t n = len, o = 0;

	if (n > QUOTE_MAX) {
		n = QUOTE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		size_t k;

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\r')
			snprintf(esc, sizeof(esc), "\\r");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		k = strlen(esc);
		if (o + k + 5 > size)
			break;
		memcpy(buf + o, esc, k);
		o += k;
	}
	buf[o++] = '"';
	if (n < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* What V is, for "expected X, got V": a string quoted, else its JSON. */
static const char *
value_desc(json_t *v, char *buf, size_t size)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return quoted(json_string_value(v), json_string_length(v), buf,
			      size);
	case JSON_INTEGER:
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return buf;
	case JSON_REAL:
		/* As JSON has it: 443.0 is not the integer 443. */
		snprintf(buf, size, "%.17g", json_real_value(v));
		if (strspn(buf, "-0123456789") == strlen(buf))
			snprintf(buf + strlen(buf), size - strlen(buf), ".0");
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	case JSON_ARRAY:
		return "a list";
	case JSON_OBJECT:
		return "an object";
	}
	return "something else";
}

/* S with CRLF and lone CR turned into LF. */
static json_t *
text_normalised(const char *s, size_t len)
{
	char *t = xmalloc(len + 1);
	size_t n = 0;
	json_t *v;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r') {
			t[n++] = '\n';
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		} else {
			t[n++] = s[i];
		}
	}
	v = json_stringn(t, n);
	free(t);
	return v;
}

/* A JSON number of V: an integer when it is one, else a real. */
static json_t *
json_num(double v)
{
	if (v == floor(v) && fabs(v) < EXACT_INT_MAX)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* A plain address: one @, a local part and a dotted domain, nothing that
 * needs quoting in a mail header. */
static int
email_ok(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len), *dom;
	size_t local, dlen;

	if (len > EMAIL_MAX || !at ||
	    memchr(at + 1, '@', len - (size_t)(at - s) - 1))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || strchr("<>()[]\\,;:\"", c))
			return 0;
	}
	local = (size_t)(at - s);
	dom = at + 1;
	dlen = len - local - 1;
	if (local == 0 || local > 64 || dlen < 3)
		return 0;
	if (!memchr(dom, '.', dlen) || dom[0] == '.' || dom[dlen - 1] == '.')
		return 0;
	for (size_t i = 0; i + 1 < dlen; i++)
		if (dom[i] == '.' && dom[i + 1] == '.')
			return 0;
	return 1;
}

/* "a, b, c" of F's values into BUF. */
static const char *
values_list(const struct field_def *f, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->nvalues && off < size; i++) {
		int k = snprintf(buf + off, size - off, "%s%s", i ? ", " : "",
				 f->values[i]);

		if (k < 0)
			break;
		off += (size_t)k;
	}
	return buf;
}

static enum sf_status validate_object(const struct field_def *fields, size_t n,
				      json_t *obj, const char *prefix, int top,
				      json_t **out, struct sf_error *err);

static enum sf_status
validate_string(const struct field_def *f, enum field_type type, json_t *v,
		const char *path, int item, json_t **out, struct sf_error *err)
{
	int text = type == FT_TEXT;
	size_t len, max;
	const char *s;
	char buf[256];

	if (!json_is_string(v))
		return vfail(err, path, "expected a string");
	if (!(s = string_of(v, &len)) || has_controls(s, len, text))
		return vfail(err, path,
			     text ? "expected text without control characters"
				  : "expected one line of text without control "
				    "characters");
	max = text ? TEXT_MAX_DEFAULT : STRING_MAX_DEFAULT;
	if (!item && f->max_len)
		max = f->max_len;
	if (len > max)
		return vfail(err, path, "expected at most %zu bytes, got %zu",
			     max, len);
	if (!item && f->has_min && (double)len < f->min)
		return vfail(err, path, "expected at least %.0f bytes, got %zu",
			     f->min, len);
	if (item && f->nvalues) {
		size_t k;

		for (k = 0; k < f->nvalues; k++)
			if (strcmp(f->values[k], s) == 0)
				break;
		if (k == f->nvalues)
			return vfail(err, path, "expected one of: %s",
				     values_list(f, buf, sizeof(buf)));
	}
	*out = text ? text_normalised(s, len) : json_stringn(s, len);
	return SF_OK;
}

/* The number of V (a JSON number or a numeric string) into *D. */
static int
number_of(json_t *v, double *d)
{
	const char *s;
	char *end;
	size_t len;

	if (json_is_number(v)) {
		*d = json_number_value(v);
		return isfinite(*d) ? 0 : -1;
	}
	if (!(s = string_of(v, &len)) || len == 0 || len > 64)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!strchr("+-0123456789.eE", s[i]))
			return -1;
	errno = 0;
	*d = strtod(s, &end);
	return (*end || errno || !isfinite(*d)) ? -1 : 0;
}

static enum sf_status
validate_number(const struct field_def *f, enum field_type type, json_t *v,
		const char *path, int item, json_t **out, struct sf_error *err)
{
	int integer = type == FT_INTEGER;
	const char *what = integer ? "an integer" : "a number";
	double d;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		d = (double)i;
		if (!item &&
		    ((f->has_min && d < f->min) || (f->has_max && d > f->max)))
			goto range;
		*out = json_integer(i);
		return SF_OK;
	}
	if (number_of(v, &d) != 0 ||
	    (integer && (d != floor(d) || fabs(d) >= EXACT_INT_MAX)))
		return vfail(err, path, "expected %s", what);
	if (!item && ((f->has_min && d < f->min) || (f->has_max && d > f->max)))
		goto range;
	*out = integer ? json_integer((json_int_t)d) : json_num(d);
	return SF_OK;
range:
	if (f->has_min && f->has_max)
		return vfail(err, path, "expected %s from %g to %g", what,
			     f->min, f->max);
	if (f->has_min)
		return vfail(err, path, "expected %s >= %g", what, f->min);
	return vfail(err, path, "expected %s <= %g", what, f->max);
}

static enum sf_status
validate_enum(const struct field_def *f, json_t *v, const char *path,
	      json_t **out, struct sf_error *err)
{
	char num[32], buf[256];
	const char *s = NULL;
	size_t len;

	if (json_is_string(v))
		s = string_of(v, &len);
	else if (json_is_true(v))
		s = "true";
	else if (json_is_false(v))
		s = "false";
	else if (json_is_integer(v) &&
		 snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			  json_integer_value(v)) > 0)
		s = num;
	for (size_t k = 0; s && k < f->nvalues; k++) {
		if (strcmp(f->values[k], s) == 0) {
			*out = json_string(f->values[k]);
			return SF_OK;
		}
	}
	return vfail(err, path, "expected one of: %s",
		     values_list(f, buf, sizeof(buf)));
}

static enum sf_status
validate_file(json_t *v, const char *path, json_t **out, struct sf_error *err)
{
	const char *key, *name, *b64, *type = NULL;
	size_t nlen, blen, tlen, binlen;
	unsigned char *bin;
	char *p = NULL, q[QUOTED_SIZE];
	json_t *val;
	enum sf_status st;
	int bad;

	if (!json_is_object(v))
		return vfail(err, path,
			     "expected a file {\"filename\", \"content_b64\"}");
	json_object_foreach(v, key, val)
	{
		if (strcmp(key, "filename") != 0 &&
		    strcmp(key, "content_b64") != 0 &&
		    strcmp(key, "content_type") != 0) {
			p = path_key(path, key);
			st = vfail(err, p, "unknown field %s",
				   quoted(key, strlen(key), q, sizeof(q)));
			free(p);
			return st;
		}
	}
	name = string_of(json_object_get(v, "filename"), &nlen);
	if (!name || nlen == 0 || nlen > FILENAME_MAX_LEN ||
	    has_controls(name, nlen, 0) || memchr(name, '/', nlen) ||
	    memchr(name, '\\', nlen) || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		p = path_key(path, "filename");
		st = vfail(err, p,
			   "expected a file name of at most %d bytes without "
			   "'/', '\\' or control characters",
			   FILENAME_MAX_LEN);
		free(p);
		return st;
	}
	if ((val = json_object_get(v, "content_type")) && !json_is_null(val) &&
	    (!(type = string_of(val, &tlen)) || tlen > 255 ||
	     has_controls(type, tlen, 0))) {
		p = path_key(path, "content_type");
		st = vfail(err, p,
			   "expected a media type such as "
			   "application/pdf");
		free(p);
		return st;
	}
	b64 = string_of(json_object_get(v, "content_b64"), &blen);
	bad = !b64;
	if (b64) {
		bin = xmalloc(blen / 4 * 3 + 3);
		bad = sodium_base642bin(bin, blen / 4 * 3 + 3, b64, blen,
					" \t\r\n", &binlen, NULL,
					sodium_base64_VARIANT_ORIGINAL) != 0;
		free(bin);
	}
	if (bad) {
		p = path_key(path, "content_b64");
		st = vfail(err, p, "expected the file's content in base64");
		free(p);
		return st;
	}
	*out = json_object();
	json_object_set_new(*out, "filename", json_stringn(name, nlen));
	json_object_set_new(*out, "content_b64", json_stringn(b64, blen));
	if (type)
		json_object_set_new(*out, "content_type",
				    json_stringn(type, tlen));
	return SF_OK;
}

/*
 * Host and port fields (Annex V of a convention's Part 2: the accesses a
 * company is given).  These values end up in firewall and VPN rules, so
 * they are parsed strictly and stored in one canonical text: an address
 * written two ways must compare equal, and a range whose host bits are set
 * is refused rather than silently widened or narrowed.
 */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * A dotted quad: four numbers 0-255, no leading zeros ("010" is octal to
 * some parsers and decimal to others, so it is refused, not guessed).
 */
static int
ipv4_parse(const char *s, size_t len, unsigned char out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t start = i;
		unsigned v = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return -1;
			start = ++i;
		}
		while (i < len && is_digit(s[i]) && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return -1;
		out[part] = (unsigned char)v;
	}
	return i == len ? 0 : -1;
}

/* A CIDR prefix length 0-MAX, decimal without leading zeros. */
static int
prefix_parse(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* The canonical text of address A (4 or 16 bytes) into BUF. */
static void
addr_format(const unsigned char *a, size_t n, char *buf, size_t size)
{
	if (n == 4)
		snprintf(buf, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else if (!inet_ntop(AF_INET6, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

/*
 * An IP address or CIDR range S (LEN bytes, no NUL, at most FQDN_MAX + 1)
 * into NORM (canonical text), or -1 with WHY saying what is wrong.
 */
static int
ip_parse(const char *s, size_t len, char *norm, size_t nsize, char *why,
	 size_t wsize)
{
	const char *slash = memchr(s, '/', len), *pct;
	size_t alen = slash ? (size_t)(slash - s) : len;
	int v6 = memchr(s, ':', alen) != NULL;
	unsigned char a[16], net[16];
	size_t n = v6 ? 16 : 4;
	unsigned prefix = 0, bits = v6 ? 128 : 32;
	char addr[FQDN_MAX + 2], text[INET6_ADDRSTRLEN], q[QUOTED_SIZE];

	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (v6 && (pct = strchr(addr, '%'))) {
		snprintf(why, wsize,
			 "zone ids such as %s are not allowed; give the "
			 "address alone",
			 quoted(pct, strlen(pct), q, sizeof(q)));
		return -1;
	}
	if (v6 ? inet_pton(AF_INET6, addr, a) != 1
	       : ipv4_parse(addr, alen, a) != 0) {
		snprintf(why, wsize, "%s",
			 v6 ? "not a valid IPv6 address"
			    : "not an IPv4 address (four numbers 0-255 "
			      "separated by dots, without leading zeros)");
		return -1;
	}
	addr_format(a, n, text, sizeof(text));
	if (!slash) {
		snprintf(norm, nsize, "%s", text);
		return 0;
	}
	if (prefix_parse(slash + 1, len - alen - 1, bits, &prefix) != 0) {
		snprintf(why, wsize,
			 "the prefix length after '/' must be a number from 0 "
			 "to %u",
			 bits);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8
				: prefix > 8 * i      ? prefix - 8 * (unsigned)i
						      : 0;

		net[i] = (unsigned char)(a[i] & (0xff00u >> keep));
	}
	if (memcmp(a, net, n) != 0) {
		addr_format(net, n, text, sizeof(text));
		snprintf(why, wsize, "host bits set: did you mean %s/%u?", text,
			 prefix);
		return -1;
	}
	snprintf(norm, nsize, "%s/%u", text, prefix);
	return 0;
}

/*
 * A host name as RFC 1123 has it, fully qualified: at least two labels of
 * 1-63 letters, digits and hyphens, no label starting or ending with a
 * hyphen, at most 253 bytes, the last label not all digits (else it would
 * be a mistyped address).  One trailing dot (the root) is dropped and the
 * name lowercased into NORM.
 */
static int
fqdn_parse(const char *s, size_t len, char *norm, size_t nsize, char *why,
	   size_t wsize)
{
	char q[QUOTED_SIZE];
	size_t start = 0, last = 0, labels = 0;
	int numeric = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(why, wsize, "a host name may not be empty");
		return -1;
	}
	if (len > FQDN_MAX) {
		snprintf(why, wsize,
			 "a host name has at most %d bytes, not %zu", FQDN_MAX,
			 len);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t clen = 1;

		if (is_alnum((char)c) || c == '-' || c == '.')
			continue;
		/* The whole UTF-8 character, for the message. */
		while (c >= 0x80 && i + clen < len &&
		       ((unsigned char)s[i + clen] & 0xc0) == 0x80)
			clen++;
		snprintf(why, wsize,
			 "%s is not allowed: a host name has letters, digits, "
			 "hyphens and dots%s",
			 quoted(s + i, clen, q, sizeof(q)),
			 c >= 0x80 ? " (write an internationalised name in "
				     "its xn-- form)"
				   : "");
		return -1;
	}
	for (size_t i = 0; i <= len; i++) {
		size_t llen = i - start;

		if (i < len && s[i] != '.')
			continue;
		if (llen == 0) {
			snprintf(why, wsize,
				 "empty label (a leading dot or two dots in "
				 "a row)");
			return -1;
		}
		if (llen > LABEL_MAX) {
			snprintf(why, wsize,
				 "label %s has %zu bytes; at most %d are "
				 "allowed",
				 quoted(s + start, llen, q, sizeof(q)), llen,
				 LABEL_MAX);
			return -1;
		}
		if (s[start] == '-' || s[i - 1] == '-') {
			snprintf(why, wsize,
				 "label %s starts or ends with a hyphen",
				 quoted(s + start, llen, q, sizeof(q)));
			return -1;
		}
		numeric = 1;
		for (size_t k = start; k < i; k++)
			if (!is_digit(s[k]))
				numeric = 0;
		labels++;
		last = start;
		start = i + 1;
	}
	if (labels < 2) {
		snprintf(why, wsize,
			 "a host name needs at least two labels, such as "
			 "app.example.org");
		return -1;
	}
	if (numeric) {
		snprintf(why, wsize,
			 "the last label %s is all digits, which no host name "
			 "ends with",
			 quoted(s + last, len - last, q, sizeof(q)));
		return -1;
	}
	if (len >= nsize)
		return -1;
	for (size_t i = 0; i < len; i++)
		norm[i] = (s[i] >= 'A' && s[i] <= 'Z')
			      ? (char)(s[i] - 'A' + 'a')
			      : s[i];
	norm[len] = '\0';
	return 0;
}

static enum sf_status
validate_host(json_t *v, const char *path, json_t **out, struct sf_error *err)
{
	char norm[FQDN_MAX + 2], why[QUOTED_SIZE + 160], got[QUOTED_SIZE];
	size_t len = 0, digits = 0;
	const char *s;
	int ip = 1, r;

	if (!(s = json_is_string(v) ? json_string_value(v) : NULL))
		return vfail(err, path, HOST_EXPECTED ", got %s",
			     value_desc(v, got, sizeof(got)));
	len = json_string_length(v);
	why[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f) {
			snprintf(why, sizeof(why),
				 "spaces and control characters are not "
				 "allowed");
			goto bad;
		}
		if (!is_digit((char)c) && c != '.')
			ip = 0;
		digits += is_digit((char)c);
	}
	/* The root dot aside, nothing valid is longer than a name can be. */
	if (len - (len > 0 && s[len - 1] == '.') > FQDN_MAX) {
		snprintf(why, sizeof(why), "at most %d bytes, not %zu",
			 FQDN_MAX, len - (s[len - 1] == '.'));
		goto bad;
	}
	/* A '/' or ':' can only be an address, and so can something made of
	 * digits and dots alone ("1.2.3" is a bad address, not a name). */
	if ((ip && digits) || memchr(s, '/', len) || memchr(s, ':', len))
		r = ip_parse(s, len, norm, sizeof(norm), why, sizeof(why));
	else
		r = fqdn_parse(s, len, norm, sizeof(norm), why, sizeof(why));
	if (r == 0) {
		*out = json_string(norm);
		return SF_OK;
	}
bad:
	return vfail(err, path, HOST_EXPECTED ", got %s%s%s",
		     value_desc(v, got, sizeof(got)), why[0] ? ": " : "", why);
}

/* A port 1-65535 at S[*I] (digits, no leading zero) into *OUT. */
static int
port_parse(const char *s, size_t len, size_t *i, unsigned *out, char *why,
	   size_t wsize)
{
	size_t start = *i;
	unsigned long v = 0;

	while (*i < len && is_digit(s[*i])) {
		if (v <= PORT_MAX)
			v = v * 10 + (unsigned long)(s[*i] - '0');
		(*i)++;
	}
	if (*i == start)
		return -1;
	if (v > PORT_MAX) {
		snprintf(why, wsize, "%.*s%s is above %d",
			 (int)(*i - start > 12 ? 12 : *i - start), s + start,
			 *i - start > 12 ? "..." : "", PORT_MAX);
		return -1;
	}
	if (v == 0) {
		snprintf(why, wsize, "port 0 is not a port");
		return -1;
	}
	if (s[start] == '0') {
		snprintf(why, wsize, "write ports without leading zeros");
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static void
skip_blanks(const char *s, size_t len, size_t *i)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

/*
 * "443" or "8000-8100" (blanks around the numbers and the dash are
 * dropped), or a JSON integer; stored as a string without blanks, a range
 * of one port as that port.
 */
static enum sf_status
validate_ports(json_t *v, const char *path, json_t **out, struct sf_error *err)
{
	char why[160] = "", got[QUOTED_SIZE], buf[16];
	unsigned lo, hi;
	const char *s;
	size_t len, i = 0;

	if (json_is_integer(v)) {
		json_int_t p = json_integer_value(v);

		if (p < 1 || p > PORT_MAX)
			return vfail(err, path, PORTS_EXPECTED ", got %s",
				     value_desc(v, got, sizeof(got)));
		snprintf(buf, sizeof(buf), "%u", (unsigned)p);
		*out = json_string(buf);
		return SF_OK;
	}
	if (!(s = string_of(v, &len)))
		goto bad;
	skip_blanks(s, len, &i);
	if (port_parse(s, len, &i, &lo, why, sizeof(why)) != 0)
		goto bad;
	skip_blanks(s, len, &i);
	hi = lo;
	if (i < len && s[i] == '-') {
		i++;
		skip_blanks(s, len, &i);
		if (port_parse(s, len, &i, &hi, why, sizeof(why)) != 0)
			goto bad;
		skip_blanks(s, len, &i);
	}
	if (i != len)
		goto bad;
	if (lo > hi) {
		snprintf(why, sizeof(why),
			 "the range runs backwards (%u is above %u)", lo, hi);
		goto bad;
	}
	if (lo == hi)
		snprintf(buf, sizeof(buf), "%u", lo);
	else
		snprintf(buf, sizeof(buf), "%u-%u", lo, hi);
	*out = json_string(buf);
	return SF_OK;
bad:
	return vfail(err, path, PORTS_EXPECTED ", got %s%s%s",
		     value_desc(v, got, sizeof(got)), why[0] ? ": " : "", why);
}

static enum sf_status validate_value(const struct field_def *f,
				     enum field_type type, json_t *v,
				     const char *path, int item, json_t **out,
				     struct sf_error *err);

/* The array V of list F: its length, then each item as F's item type. */
static enum sf_status
validate_list(const struct field_def *f, json_t *v, const char *path,
	      json_t **out, struct sf_error *err)
{
	enum sf_status st;
	json_t *arr, *x, *nx;
	size_t i;

	if (!json_is_array(v))
		return vfail(err, path, "expected a list");
	if (f->has_max && (double)json_array_size(v) > f->max)
		return vfail(err, path, "expected at most %.0f items, got %zu",
			     f->max, json_array_size(v));
	if (f->has_min && (double)json_array_size(v) < f->min)
		return vfail(err, path, "expected at least %.0f items, got %zu",
			     f->min, json_array_size(v));
	arr = json_array();
	json_array_foreach(v, i, x)
	{
		char *ip = path_index(path, i);

		st = validate_value(f, f->item_type, x, ip, 1, &nx, err);
		free(ip);
		if (st) {
			json_decref(arr);
			return st;
		}
		json_array_append_new(arr, nx);
	}
	*out = arr;
	return SF_OK;
}

/* One value V of F seen as TYPE; ITEM: V is an item of list F. */
static enum sf_status
validate_value(const struct field_def *f, enum field_type type, json_t *v,
	       const char *path, int item, json_t **out, struct sf_error *err)
{
	const char *s;
	size_t len;
	char buf[32];
	sf_date day;
	sf_time t;

	*out = NULL;
	switch (type) {
	case FT_STRING:
	case FT_TEXT:
		return validate_string(f, type, v, path, item, out, err);
	case FT_INTEGER:
	case FT_NUMBER:
		return validate_number(f, type, v, path, item, out, err);
	case FT_BOOLEAN:
		if (json_is_boolean(v)) {
			*out = json_boolean(json_is_true(v));
			return SF_OK;
		}
		if ((s = string_of(v, &len)) &&
		    (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
			*out = json_boolean(s[0] == 't');
			return SF_OK;
		}
		return vfail(err, path, "expected true or false");
	case FT_DATE:
		if (!(s = string_of(v, &len)) || date_parse(s, &day) != 0)
			return vfail(err, path, "expected a date YYYY-MM-DD");
		date_format(day, buf);
		*out = json_string(buf);
		return SF_OK;
	case FT_DATETIME:
		if (!(s = string_of(v, &len)) || clock_parse(s, &t) != 0)
			return vfail(err, path,
				     "expected a date and time such as "
				     "2026-12-01T09:00:00Z");
		clock_format(t, buf);
		*out = json_string(buf);
		return SF_OK;
	case FT_EMAIL:
		if (!(s = string_of(v, &len)) || !email_ok(s, len))
			return vfail(err, path,
				     "expected an e-mail address such as "
				     "name@example.org");
		*out = json_stringn(s, len);
		return SF_OK;
	case FT_ENUM:
		return validate_enum(f, v, path, out, err);
	case FT_FILE:
		return validate_file(v, path, out, err);
	case FT_HOST:
		return validate_host(v, path, out, err);
	case FT_PORTS:
		return validate_ports(v, path, out, err);
	case FT_OBJECT:
		return validate_object(f->fields, f->nfields, v, path, 0, out,
				       err);
	case FT_LIST:
		if (item)
			return vfail(err, path,
				     "lists of lists are not supported");
		return validate_list(f, v, path, out, err);
	}
	return vfail(err, path, "field of an unknown type");
}

/* Absent, null or "": not given. */
static int
is_missing(json_t *v)
{
	return !v || json_is_null(v) ||
	       (json_is_string(v) && json_string_length(v) == 0);
}

static const struct field_def *
field_find(const struct field_def *fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

/* OBJ against FIELDS; PREFIX is the path of OBJ, TOP allows "comment". */
static enum sf_status
validate_object(const struct field_def *fields, size_t n, json_t *obj,
		const char *prefix, int top, json_t **out, struct sf_error *err)
{
	int comment = top && !field_find(fields, n, "comment");
	enum sf_status st = SF_OK;
	const char *key, *s;
	json_t *res, *v, *nv;
	char *path, q[QUOTED_SIZE];
	size_t len;

	*out = NULL;
	if (!json_is_object(obj))
		return vfail(err, prefix, "expected an object");
	json_object_foreach(obj, key, v)
	{
		if (field_find(fields, n, key) ||
		    (comment && strcmp(key, "comment") == 0))
			continue;
		path = path_key(prefix, key);
		st = vfail(err, path, "unknown field %s",
			   quoted(key, strlen(key), q, sizeof(q)));
		free(path);
		return st;
	}
	res = json_object();
	for (size_t i = 0; i < n; i++) {
		const struct field_def *f = &fields[i];

		v = json_object_get(obj, f->name);
		path = path_key(prefix, f->name);
		if (is_missing(v) || (f->type == FT_LIST && json_is_array(v) &&
				      json_array_size(v) == 0 && f->required)) {
			if (f->required && v && json_is_array(v))
				st = vfail(err, path,
					   "required: give at least one item");
			else if (f->required)
				st = vfail(err, path, "required, missing");
			free(path);
			if (st)
				goto fail;
			continue;
		}
		st = validate_value(f, f->type, v, path, 0, &nv, err);
		free(path);
		if (st)
			goto fail;
		json_object_set_new(res, f->name, nv);
	}
	v = comment ? json_object_get(obj, "comment") : NULL;
	if (v && !json_is_null(v)) {
		if (!(s = string_of(v, &len)) || has_controls(s, len, 1) ||
		    len > COMMENT_MAX) {
			path = path_key(prefix, "comment");
			st = vfail(err, path,
				   "expected text of at most %d bytes without "
				   "control characters",
				   COMMENT_MAX);
			free(path);
			goto fail;
		}
		if (len)
			json_object_set_new(res, "comment",
					    text_normalised(s, len));
	}
	*out = res;
	return SF_OK;
fail:
	json_decref(res);
	return st;
}

/*
 * Validate INPUT against FIELDS into *OUT (see fields.h).
 */
enum sf_status
fields_validate(const struct field_def *fields, size_t n, json_t *input,
		json_t **out, struct sf_error *err)
{
	enum sf_status st;
	json_t *empty = NULL;

	*out = NULL;
	if (!input)
		input = empty = json_object();
	if (!json_is_object(input))
		st = sf_fail(err, SF_INVALID, "",
			     "expected a JSON object of fields");
	else
		st = validate_object(fields, n, input, "", 1, out, err);
	json_decref(empty);
	return st;
}

/* A JSON string of S; never NULL, even for bytes that are not UTF-8. */
static json_t *
jstr(const char *s)
{
	json_t *v = json_string(s);

	return v ? v : json_string("?");
}

/*
 * Describe FIELDS for the API and the forms (see fields.h).
 */
json_t *
fields_describe(const struct field_def *fields, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct field_def *f = &fields[i];
		json_t *o = json_object(), *vals;
		size_t max = 0;

		json_object_set_new(o, "name", jstr(f->name));
		json_object_set_new(o, "type", jstr(field_type_name(f->type)));
		json_object_set_new(o, "required", json_boolean(f->required));
		json_object_set_new(o, "label",
				    jstr(f->label ? f->label : f->name));
		if (f->help)
			json_object_set_new(o, "help", jstr(f->help));
		if (f->nvalues) {
			vals = json_array();
			for (size_t k = 0; k < f->nvalues; k++)
				json_array_append_new(vals, jstr(f->values[k]));
			json_object_set_new(o, "values", vals);
		}
		if (f->has_min)
			json_object_set_new(o, "min", json_num(f->min));
		if (f->type == FT_PORTS) {
			/* The bounds of each port, for a form's hint. */
			json_object_set_new(o, "min", json_integer(1));
			json_object_set_new(o, "max", json_integer(PORT_MAX));
		}
		if (f->type == FT_STRING)
			max = f->max_len ? f->max_len : STRING_MAX_DEFAULT;
		else if (f->type == FT_TEXT)
			max = f->max_len ? f->max_len : TEXT_MAX_DEFAULT;
		if (max)
			json_object_set_new(o, "max",
					    json_integer((json_int_t)max));
		else if (f->has_max)
			json_object_set_new(o, "max", json_num(f->max));
		if (f->type == FT_LIST)
			json_object_set_new(
			    o, "items", jstr(field_type_name(f->item_type)));
		if (f->nfields)
			json_object_set_new(
			    o, "fields",
			    fields_describe(f->fields, f->nfields));
		json_array_append_new(arr, o);
	}
	return arr;
}
