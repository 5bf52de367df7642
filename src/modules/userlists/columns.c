/*
 * columns.c - header mapping and typed rows of the user lists; the table
 * of columns below drives the header search, the value checks and the
 * records (see columns.h for the rules).
 */
#include "columns.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"

#define HEADER_ROWS 30
#define MAX_COLS 32

enum kind {
	K_TEXT,	   /* char * */
	K_EMAIL,   /* char *, checked */
	K_RIGHTS,  /* enum ul_rights */
	K_CSRD,	   /* unsigned, UL_CSRD_ bits */
	K_CSMIS,   /* unsigned, UL_CSMIS_ bits */
	K_PROFILE, /* enum ul_profile */
	K_BOOL,	   /* bool */
	K_YN,	   /* bool */
	K_STATUS,  /* enum ul_jl_status */
	K_COUNT,   /* unsigned long */
};

enum need { OPT, REQ, REVIEW };

struct coldef {
	const char *key;
	const char *names; /* "|"-separated, normalised; the first wins */
	enum need need;
	enum kind kind;
	size_t off; /* of the field in struct ul_record */
};

#define F(member) offsetof(struct ul_record, u.member)

static const struct coldef webportal[] = {
	{"full_name", "fullname|name|displayname", REQ, K_TEXT,
	 F(webportal.full_name)},
	{"uid", "newuid|uid|userid|login", REVIEW, K_TEXT, F(webportal.uid)},
	{"organisation", "organisation|organization|org|company", REQ, K_TEXT,
	 F(webportal.organisation)},
	{"na", "na|nacode|nationaladministration", OPT, K_TEXT,
	 F(webportal.na)},
	{"csrd_domain", "csrddomain|csrddomains", REQ, K_CSRD,
	 F(webportal.csrd_domain)},
	{"csrd_tst", "csrdtst|csrdtest", REQ, K_RIGHTS, F(webportal.csrd_tst)},
	{"csrd_prod", "csrdprod|csrdproduction", REQ, K_RIGHTS,
	 F(webportal.csrd_prod)},
	{"csmis_domain", "csmisdomain|csmisdomains", REQ, K_CSMIS,
	 F(webportal.csmis_domain)},
	{"csmis_profile", "csmis|csmisprofile", REVIEW, K_PROFILE,
	 F(webportal.csmis_profile)},
	{"email", "email|emailaddress|mail", REVIEW, K_EMAIL,
	 F(webportal.email)},
	{"deleted", "deleted|disabled", REQ, K_BOOL, F(webportal.deleted)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef ccn[] = {
	{"user", "user|userid|uid", REQ, K_TEXT, F(ccn.user)},
	{"profile", "profile|userprofile", REQ, K_TEXT, F(ccn.profile)},
	{"info", "userinfo|info|description", REQ, K_TEXT, F(ccn.info)},
	{"aging", "useraging|aging|lastuse", OPT, K_TEXT, F(ccn.aging)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef circa[] = {
	{"interest_group", "interestgroup|group|ig", REQ, K_TEXT,
	 F(circa.interest_group)},
	{"leader", "interestgroupleader|leader|igl", REQ, K_TEXT,
	 F(circa.leader)},
	{"email", "email|emailaddress|mail", REQ, K_EMAIL, F(circa.email)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef collab[] = {
	{"full_name", "fullname|name|displayname", REQ, K_TEXT,
	 F(collab.full_name)},
	{"userid", "userid|uid|login", REQ, K_TEXT, F(collab.userid)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef vpn[] = {
	{"full_name", "fullname|name|displayname", REQ, K_TEXT,
	 F(vpn.full_name)},
	{"active", "activeyn|active", REQ, K_YN, F(vpn.active)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef joiners[] = {
	{"full_name", "fullname|name|displayname", REQ, K_TEXT,
	 F(joiner.full_name)},
	{"status", "status", REQ, K_STATUS, F(joiner.status)},
	{"rights", "rights|accessrights", OPT, K_TEXT, F(joiner.rights)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef smt[] = {
	{"full_name", "fullname|name|displayname", REQ, K_TEXT,
	 F(smt.full_name)},
	{"email", "emailaddress|email|mail", REQ, K_EMAIL, F(smt.email)},
	{"disabled", "disabled|deleted", OPT, K_BOOL, F(smt.disabled)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef apps[] = {
	{"application", "application|businessapplication|app", REQ, K_TEXT,
	 F(app.application)},
	{"users", "users|registeredusers|usercount|count|numberofusers", REQ,
	 K_COUNT, F(app.users)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef mailboxes[] = {
	{"full_name", "fullname|name|displayname", REQ, K_TEXT,
	 F(mailbox.full_name)},
	{"email", "emailaddress|email|mail", REQ, K_EMAIL, F(mailbox.email)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct coldef authorised[] = {
	{"team", "team", REQ, K_TEXT, F(authorised.team)},
	{"uid", "uid|userid|login", REQ, K_TEXT, F(authorised.uid)},
	{"full_name", "fullname|name", OPT, K_TEXT, F(authorised.full_name)},
	{NULL, NULL, OPT, K_TEXT, 0},
};

static const struct {
	const char *name;
	const struct coldef *cols;
} resources[UL_NRESOURCES] = {
	[UL_WEBPORTAL] = {"webportal", webportal},
	[UL_CCN] = {"ccn", ccn},
	[UL_CIRCA] = {"circa", circa},
	[UL_COLLAB] = {"collab", collab},
	[UL_VPN] = {"vpn", vpn},
	[UL_JOINERS_LEAVERS] = {"joiners_leavers", joiners},
	[UL_SMT] = {"smt", smt},
	[UL_BUSINESS_APPS] = {"business_apps", apps},
	[UL_MAILBOXES] = {"mailboxes", mailboxes},
	[UL_AUTHORISED] = {"authorised", authorised},
};

/* The name a person reads for each column in messages about an absent
 * column (when present, the file's own header text is used). */
static const char *
col_label(const struct coldef *c)
{
	static const struct {
		const char *key, *label;
	} labels[] = {
		{"full_name", "Full name"},	{"uid", "UID"},
		{"organisation", "Organisation"}, {"na", "NA"},
		{"csrd_domain", "CS/RD Domain"}, {"csrd_tst", "CS/RD TST"},
		{"csrd_prod", "CS/RD PROD"},	{"csmis_domain", "CS/MIS Domain"},
		{"csmis_profile", "CS/MIS"},	{"email", "E-mail"},
		{"deleted", "Deleted"},		{"user", "User"},
		{"profile", "Profile"},		{"info", "User info"},
		{"aging", "User aging"},	{"interest_group", "Interest group"},
		{"leader", "Interest group leader"}, {"userid", "Userid"},
		{"active", "Active Y/N"},	{"status", "Status"},
		{"rights", "Rights"},		{"disabled", "Disabled"},
		{"application", "Application"}, {"users", "Users"},
		{"team", "Team"},
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].key, c->key) == 0)
			return labels[i].label;
	return c->key;
}

int
columns_resource(const char *name, enum ul_resource *out)
{
	for (int i = 0; i < UL_NRESOURCES; i++)
		if (strcmp(resources[i].name, name) == 0) {
			*out = (enum ul_resource)i;
			return 0;
		}
	return -1;
}

const char *
columns_resource_name(enum ul_resource r)
{
	return r < UL_NRESOURCES ? resources[r].name : "?";
}

/* ---------------------------------------------------------------- */
/* Header                                                            */

/* Lowercase ASCII letters and digits of S, other ASCII dropped, other
 * bytes kept, into OUT (size N). */
static void
norm_header(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; *s && k + 1 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			out[k++] = (char)(c | 0x20);
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 c >= 0x80)
			out[k++] = (char)c;
	}
	out[k] = '\0';
}

/* Rank of normalised NAME among the names of C (0 = canonical); -1. */
static int
name_rank(const struct coldef *c, const char *name)
{
	const char *p = c->names;
	size_t n = strlen(name);
	int rank = 0;

	if (!n)
		return -1;
	while (*p) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && memcmp(p, name, n) == 0)
			return rank;
		rank++;
		p += len + (e ? 1 : 0);
	}
	return -1;
}

static int
required(const struct coldef *c, const struct columns_opts *o)
{
	return c->need == REQ || (c->need == REVIEW && o->review);
}

/* The mapping of a header row: where each column is. */
struct hdr {
	size_t at[MAX_COLS]; /* cell index of column i, or SIZE_MAX */
	int rank[MAX_COLS];
	size_t nreq_found, nreq;
	int dup; /* column index named twice with the same rank, or -1 */
	size_t dup_a, dup_b;
};

static void
map_header(const struct coldef *cols, const struct columns_opts *o,
	   const struct trow *row, struct hdr *h)
{
	char name[128];

	memset(h, 0, sizeof(*h));
	h->dup = -1;
	for (size_t i = 0; cols[i].key; i++) {
		h->at[i] = SIZE_MAX;
		h->nreq += required(&cols[i], o);
	}
	for (size_t j = 0; j < row->ncells; j++) {
		norm_header(row->cells[j], name, sizeof(name));
		for (size_t i = 0; cols[i].key; i++) {
			int r = name_rank(&cols[i], name);

			if (r < 0)
				continue;
			if (h->at[i] == SIZE_MAX || r < h->rank[i]) {
				h->at[i] = j;
				h->rank[i] = r;
			} else if (r == h->rank[i] && h->dup < 0) {
				h->dup = (int)i;
				h->dup_a = h->at[i];
				h->dup_b = j;
			}
			break;
		}
	}
	for (size_t i = 0; cols[i].key; i++)
		h->nreq_found += h->at[i] != SIZE_MAX && required(&cols[i], o);
}

/* "users.csv" or "book.xlsx: sheet \"Users\"". */
static void
sheet_where(const struct tabular *t, size_t sheet, char *out, size_t n)
{
	if (t->kind == TABULAR_CSV)
		snprintf(out, n, "%s", t->source);
	else
		snprintf(out, n, "%s: sheet \"%s\"", t->source,
			 t->sheets[sheet].name);
}

/* "users.csv:14" or "book.xlsx: sheet \"Users\" cell F14". */
static void
cell_where(const struct tabular *t, size_t sheet, size_t line, size_t col,
	   char *out, size_t n)
{
	char c[8];

	if (t->kind == TABULAR_CSV) {
		snprintf(out, n, "%s:%zu", t->source, line);
	} else {
		tabular_column_name(col, c);
		snprintf(out, n, "%s: sheet \"%s\" cell %s%zu", t->source,
			 t->sheets[sheet].name, c, line);
	}
}

/* Why sheet SHEET has no header row, into B: the best candidate row and
 * its missing columns.  Returns the number of required columns it found. */
static size_t
why_no_header(const struct tabular *t, size_t sheet, enum ul_resource res,
	      const struct columns_opts *o, struct buf *b)
{
	const struct sheet *sh = &t->sheets[sheet];
	const struct coldef *cols = resources[res].cols;
	struct hdr h, best = {0};
	size_t best_row = SIZE_MAX, k = 0;
	char where[512];

	sheet_where(t, sheet, where, sizeof(where));
	for (size_t r = 0; r < sh->nrows && r < HEADER_ROWS; r++) {
		map_header(cols, o, &sh->rows[r], &h);
		if (h.nreq_found && (best_row == SIZE_MAX ||
				     h.nreq_found > best.nreq_found)) {
			best = h;
			best_row = r;
		}
	}
	if (best_row == SIZE_MAX) {
		buf_addf(b, "%s: no header row with the columns of %s (", where,
			 resources[res].name);
		for (size_t i = 0; cols[i].key; i++)
			if (required(&cols[i], o))
				buf_addf(b, "%s\"%s\"", k++ ? ", " : "",
					 col_label(&cols[i]));
		buf_addf(b, ") in the first %d rows", HEADER_ROWS);
		return 0;
	}
	buf_addf(b, "%s: missing column%s ", where,
		 best.nreq - best.nreq_found > 1 ? "s" : "");
	for (size_t i = 0; cols[i].key; i++)
		if (required(&cols[i], o) && best.at[i] == SIZE_MAX)
			buf_addf(b, "%s\"%s\"", k++ ? ", " : "",
				 col_label(&cols[i]));
	buf_addf(b, " (header row %zu)", sh->rows[best_row].line);
	return best.nreq_found;
}

/* ---------------------------------------------------------------- */
/* Values                                                            */

/* CELL without white space (ASCII, NBSP) at either end: [*b, *e). */
static void
trim(const char *cell, const char **b, const char **e)
{
	const char *s = cell, *t = cell + strlen(cell);

	for (;;) {
		if (s < t && (*s == ' ' || *s == '\t' || *s == '\r' ||
			      *s == '\n'))
			s++;
		else if (t - s >= 2 && (unsigned char)s[0] == 0xC2 &&
			 (unsigned char)s[1] == 0xA0)
			s += 2;
		else
			break;
	}
	for (;;) {
		if (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r' ||
			      t[-1] == '\n'))
			t--;
		else if (t - s >= 2 && (unsigned char)t[-2] == 0xC2 &&
			 (unsigned char)t[-1] == 0xA0)
			t -= 2;
		else
			break;
	}
	*b = s;
	*e = t;
}

/* V lowercased (ASCII) with runs of spaces as one, into OUT (size N). */
static void
norm_value(const char *v, char *out, size_t n)
{
	size_t k = 0;
	int space = 0;

	for (; *v && k + 1 < n; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == ' ' || c == '\t') {
			space = 1;
			continue;
		}
		if (space && k > 0 && k + 2 < n)
			out[k++] = ' ';
		space = 0;
		out[k++] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
	}
	out[k] = '\0';
}

/* Index of normalised V among the "|"-separated WORDS; -1. */
static int
word_index(const char *words, const char *v)
{
	size_t n = strlen(v);
	int i = 0;

	for (const char *p = words;; i++) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && memcmp(p, v, n) == 0)
			return i;
		if (!e)
			return -1;
		p = e + 1;
	}
}

static bool
is_email(const char *v)
{
	const char *at = strchr(v, '@'), *dot;

	if (!at || at == v || strchr(at + 1, '@') || strpbrk(v, " \t\r\n"))
		return false;
	dot = strchr(at + 1, '.');
	return dot && dot > at + 1 && v[strlen(v) - 1] != '.';
}

static void quote_value(const char *v, size_t len, char *out, size_t n);

/* Check value V (trimmed, not empty) of kind K into *FIELD; on failure
 * write the reason into WHY (size N) and return -1. */
static int
parse_value(enum kind k, const char *v, void *field, char *why, size_t n)
{
	char nv[64];
	int i;

	/* Text needs no normalising: the common case, kept cheap. */
	if (k == K_TEXT)
		return 0;
	if (k == K_EMAIL) {
		if (is_email(v))
			return 0;
		snprintf(why, n, "is not an e-mail address");
		return -1;
	}
	norm_value(v, nv, sizeof(nv));
	switch (k) {
	case K_TEXT:
	case K_EMAIL:
		return 0;
	case K_RIGHTS:
		if ((i = word_index("|full|no|read|write", nv)) < 0 ||
		    strlen(v) >= sizeof(nv))
			break;
		*(enum ul_rights *)field = (enum ul_rights)i;
		return 0;
	case K_PROFILE:
		if ((i = word_index("|admin|nd admin|nd user|oper", nv)) < 0 ||
		    strlen(v) >= sizeof(nv))
			break;
		*(enum ul_profile *)field = (enum ul_profile)i;
		return 0;
	case K_BOOL:
		if ((i = word_index("false|true|no|yes|n|y|0|1", nv)) < 0)
			break;
		*(bool *)field = i % 2;
		return 0;
	case K_YN:
		if ((i = word_index("n|y|no|yes", nv)) < 0)
			break;
		*(bool *)field = i % 2;
		return 0;
	case K_STATUS:
		if ((i = word_index("created|disabled", nv)) < 0)
			break;
		*(enum ul_jl_status *)field = (enum ul_jl_status)i;
		return 0;
	case K_CSMIS: {
		unsigned set = 0;

		if (strcmp(nv, "ncts") == 0) {
			set = UL_CSMIS_N;
		} else if (strcmp(nv, "b") == 0) {
			set = UL_CSMIS_E | UL_CSMIS_I | UL_CSMIS_N;
		} else {
			for (const char *p = nv; *p; p++) {
				unsigned bit = *p == 'e'   ? UL_CSMIS_E
					       : *p == 'i' ? UL_CSMIS_I
					       : *p == 'n' ? UL_CSMIS_N
							   : 0;

				if (!bit || (set & bit)) {
					set = 0;
					break;
				}
				set |= bit;
			}
		}
		if (!set)
			break;
		*(unsigned *)field = set;
		return 0;
	}
	case K_CSRD: {
		unsigned set = 0;
		const char *p = v;

		while (*p) {
			size_t len = strcspn(p, ",;/+ \t\n\r");
			char tok[8];

			if (len == 0) {
				p++;
				continue;
			}
			for (size_t j = 0; j < len && j + 1 < sizeof(tok); j++)
				tok[j] = (char)(p[j] >= 'A' && p[j] <= 'Z'
							? p[j] | 0x20
							: p[j]);
			tok[len < sizeof(tok) ? len : sizeof(tok) - 1] = '\0';
			if (len >= sizeof(tok) ||
			    (i = word_index("ncts|ecs|ics|eo", tok)) < 0) {
				char q[80];

				quote_value(p, len, q, sizeof(q));
				snprintf(why, n,
					 "\"%s\" is not one of NCTS, ECS, ICS, "
					 "EO",
					 q);
				return -1;
			}
			set |= 1u << i;
			p += len;
		}
		*(unsigned *)field = set;
		return 0;
	}
	case K_COUNT: {
		char *e;
		double d;
		unsigned long u;

		if (*v == '-' || *v == '+')
			break;
		u = strtoul(v, &e, 10);
		if (e != v && *e == '\0') {
			*(unsigned long *)field = u;
			return 0;
		}
		d = strtod(v, &e);
		if (e != v && *e == '\0' && d >= 0 && d < 4e9 &&
		    d == (double)(unsigned long)d) {
			*(unsigned long *)field = (unsigned long)d;
			return 0;
		}
		snprintf(why, n, "is not a whole number");
		return -1;
	}
	}
	switch (k) {
	case K_RIGHTS:
		snprintf(why, n, "is not one of empty, Full, No, Read, Write");
		break;
	case K_PROFILE:
		snprintf(why, n,
			 "is not one of empty, Admin, ND Admin, ND User, Oper");
		break;
	case K_BOOL:
		snprintf(why, n, "is not one of TRUE, FALSE");
		break;
	case K_YN:
		snprintf(why, n, "is not one of Y, N");
		break;
	case K_STATUS:
		snprintf(why, n, "is not one of Created, Disabled");
		break;
	case K_CSMIS:
		snprintf(why, n, "is not one of empty, E, I, N, NCTS, EI, EN, "
				 "IN, EIN, B");
		break;
	default:
		snprintf(why, n, "is not valid");
		break;
	}
	return -1;
}

/* The first bytes of V for a message: at most 60, cut on a character
 * boundary, line breaks shown as spaces. */
static void
quote_value(const char *v, size_t len, char *out, size_t n)
{
	size_t k = 0, full = len;

	if (len > 60) {
		len = 60;
		while (len > 0 && ((unsigned char)v[len] & 0xC0) == 0x80)
			len--;
	}
	for (size_t i = 0; i < len && k + 4 < n; i++)
		out[k++] = v[i] == '\n' || v[i] == '\r' ? ' ' : v[i];
	if (len < full && k + 4 < n) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
}

/* ---------------------------------------------------------------- */
/* Rows                                                              */

static void
add_issue(struct ul_list *l, size_t sheet, size_t line, char *msg)
{
	if (l->nissues >= UL_MAX_ISSUES) {
		l->more_issues++;
		free(msg);
		return;
	}
	if (!l->issues)
		l->issues = xcalloc(UL_MAX_ISSUES, sizeof(*l->issues));
	l->issues[l->nissues].sheet = sheet;
	l->issues[l->nissues].line = line;
	l->issues[l->nissues].message = msg;
	l->nissues++;
}

static void
add_ignored(struct ul_list *l, char *what)
{
	l->ignored = xrealloc(l->ignored,
			      (l->nignored + 1) * sizeof(*l->ignored));
	l->ignored[l->nignored++] = what;
}

static int
has_prefix_nocase(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool
staff_domain(const char *email, const char *const *domains)
{
	const char *d = strrchr(email, '@');
	size_t n;

	if (!d || !domains)
		return false;
	d++;
	n = strlen(d);
	for (; *domains; domains++) {
		size_t m = strlen(*domains);

		if (m == 0 || m > n)
			continue;
		if (strcasecmp(d + n - m, *domains) == 0 &&
		    (m == n || d[n - m - 1] == '.'))
			return true;
	}
	return false;
}

/* Fill what the resource derives from the typed fields. */
static void
derive(enum ul_resource r, struct ul_record *rec,
       const struct columns_opts *o)
{
	const char *prefix = o->staff_prefix ? o->staff_prefix : "XXX.";

	switch (r) {
	case UL_COLLAB: {
		const char *u = rec->u.collab.userid;

		rec->u.collab.category =
			has_prefix_nocase(u, prefix) && *prefix ? UL_CAT_STAFF
			: has_prefix_nocase(u, "txd.")		? UL_CAT_DGTAXUD
			: has_prefix_nocase(u, "lot.")	? UL_CAT_CONTRACTOR
							: UL_CAT_OTHER;
		break;
	}
	case UL_SMT:
		rec->u.smt.staff =
			staff_domain(rec->u.smt.email, o->staff_domains);
		break;
	case UL_MAILBOXES:
		rec->u.mailbox.nominative =
			columns_nominative(rec->u.mailbox.full_name);
		break;
	default:
		break;
	}
}

/* Check the trimmed value V of column C into FIELD; WHY (size N) gets
 * the reason ("empty", "\"Wirte\" is not one of...") or "" when good. */
static void
check_cell(const struct coldef *c, const struct columns_opts *o,
	   const char *v, void *field, char *why, size_t n)
{
	why[0] = '\0';
	if (!*v) {
		if (required(c, o) && c->kind != K_RIGHTS &&
		    c->kind != K_CSRD && c->kind != K_CSMIS &&
		    c->kind != K_PROFILE)
			snprintf(why, n, "empty");
	} else if (parse_value(c->kind, v, field, why, n) == 0) {
		why[0] = '\0';
	} else if (why[0] != '"') {
		char tmp[160], val[80];

		quote_value(v, strlen(v), val, sizeof(val));
		snprintf(tmp, sizeof(tmp), "\"%s\" %s", val, why);
		snprintf(why, n, "%s", tmp);
	}
}

/*
 * Type row ROW of sheet SHEET with header H into REC.  Returns the
 * number of issues of the row (added to L).
 */
static size_t
type_row(const struct tabular *t, size_t sheet, const struct trow *hrow,
	 const struct trow *row, const struct coldef *cols, const struct hdr *h,
	 const struct columns_opts *o, struct ul_list *l, struct ul_record *rec)
{
	struct buf text;
	size_t offs[MAX_COLS], bad = 0;
	char why[160], val[80], where[512];

	buf_init(&text, 0);
	(void)buf_add(&text, "", 1);
	memset(rec, 0, sizeof(*rec));
	rec->sheet = sheet;
	rec->line = row->line;
	for (size_t i = 0; cols[i].key; i++) {
		const char *b, *e;
		char *v;

		offs[i] = 0;
		if (h->at[i] == SIZE_MAX)
			continue;
		trim(trow_cell(row, h->at[i]), &b, &e);
		v = xstrndup(b, (size_t)(e - b));
		check_cell(&cols[i], o, v, (char *)rec + cols[i].off, why,
			   sizeof(why));
		if (why[0]) {
			cell_where(t, sheet, row->line, h->at[i], where,
				   sizeof(where));
			quote_value(hrow->cells[h->at[i]],
				    strlen(hrow->cells[h->at[i]]), val,
				    sizeof(val));
			add_issue(l, sheet, row->line,
				  xasprintf("%s: column \"%s\": %s", where, val,
					    why));
			bad++;
		} else if (cols[i].kind == K_TEXT || cols[i].kind == K_EMAIL) {
			offs[i] = text.len;
			(void)buf_add(&text, v, strlen(v) + 1);
		}
		free(v);
	}
	if (bad) {
		buf_release(&text);
		return bad;
	}
	rec->mem = buf_detach(&text, NULL);
	buf_release(&text); /* detach re-inits it */
	for (size_t i = 0; cols[i].key; i++)
		if (cols[i].kind == K_TEXT || cols[i].kind == K_EMAIL)
			*(char **)((char *)rec + cols[i].off) =
				rec->mem + offs[i];
	derive(l->resource, rec, o);
	return 0;
}

static int
row_blank(const struct trow *row)
{
	for (size_t i = 0; i < row->ncells; i++) {
		const char *b, *e;

		trim(row->cells[i], &b, &e);
		if (b != e)
			return 0;
	}
	return 1;
}

/* Import sheet SHEET whose header is row HR with mapping H. */
static void
import_sheet(const struct tabular *t, size_t sheet, size_t hr,
	     const struct coldef *cols, const struct hdr *h,
	     const struct columns_opts *o, struct ul_list *l, size_t *cap)
{
	const struct sheet *sh = &t->sheets[sheet];
	const struct trow *hrow = &sh->rows[hr];
	char where[512];

	for (size_t j = 0; j < hrow->ncells; j++) {
		int used = 0;

		for (size_t i = 0; cols[i].key; i++)
			used |= h->at[i] == j;
		if (!used && hrow->cells[j][0]) {
			char val[80];

			sheet_where(t, sheet, where, sizeof(where));
			quote_value(hrow->cells[j], strlen(hrow->cells[j]), val,
				    sizeof(val));
			add_ignored(l, xasprintf("%s: column \"%s\"", where,
						 val));
		}
	}
	for (size_t i = 0; cols[i].key; i++)
		if (h->at[i] != SIZE_MAX)
			l->present |= 1ul << i;
	for (size_t r = hr + 1; r < sh->nrows; r++) {
		struct ul_record rec;

		if (row_blank(&sh->rows[r]))
			continue;
		if (type_row(t, sheet, hrow, &sh->rows[r], cols, h, o, l,
			     &rec)) {
			l->bad_rows++;
			continue;
		}
		if (l->n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			l->recs = xrealloc(l->recs, *cap * sizeof(*l->recs));
		}
		l->recs[l->n++] = rec;
	}
}

/* Header row of sheet SHEET (index in rows), or SIZE_MAX; *DUP set to an
 * error message when a column is named twice. */
static size_t
find_header(const struct tabular *t, size_t sheet, const struct coldef *cols,
	    const struct columns_opts *o, struct hdr *h, char **dup)
{
	const struct sheet *sh = &t->sheets[sheet];
	char where[512], a[8], b[8];

	*dup = NULL;
	for (size_t r = 0; r < sh->nrows && r < HEADER_ROWS; r++) {
		map_header(cols, o, &sh->rows[r], h);
		if (h->nreq_found < h->nreq)
			continue;
		if (h->dup >= 0) {
			sheet_where(t, sheet, where, sizeof(where));
			tabular_column_name(h->dup_a, a);
			tabular_column_name(h->dup_b, b);
			*dup = xasprintf("%s: column \"%s\" appears twice "
					 "(columns %s and %s of row %zu)",
					 where, col_label(&cols[h->dup]), a, b,
					 sh->rows[r].line);
		}
		return r;
	}
	return SIZE_MAX;
}

enum sf_status
columns_import(const struct tabular *t, enum ul_resource r,
	       const struct columns_opts *opts, struct ul_list *out,
	       struct sf_error *err)
{
	static const struct columns_opts none = {0};
	const struct columns_opts *o = opts ? opts : &none;
	const struct coldef *cols;
	size_t cap = 0, found = 0, best = SIZE_MAX, best_n = 0;
	struct hdr h;
	struct buf why;
	char *dup = NULL;
	enum sf_status s = SF_OK;

	memset(out, 0, sizeof(*out));
	buf_init(&why, 0);
	if (r >= UL_NRESOURCES)
		return sf_fail(err, SF_INTERNAL, NULL, "no resource %d", r);
	out->resource = r;
	out->source = xstrdup(t->source ? t->source : "input");
	cols = resources[r].cols;
	for (size_t i = 0; i < t->n; i++) {
		size_t hr;

		if (o->sheet && strcmp(t->sheets[i].name, o->sheet) != 0)
			continue;
		hr = find_header(t, i, cols, o, &h, &dup);
		if (dup) {
			s = sf_fail(err, SF_INVALID, NULL, "%s", dup);
			goto out;
		}
		if (hr == SIZE_MAX) {
			struct buf b;
			size_t n;

			buf_init(&b, 0);
			n = why_no_header(t, i, r, o, &b);
			if (best == SIZE_MAX || n > best_n) {
				buf_reset(&why);
				(void)buf_adds(&why, b.data);
				best = i;
				best_n = n;
			}
			add_ignored(out, buf_detach(&b, NULL));
			buf_release(&b);
			continue;
		}
		import_sheet(t, i, hr, cols, &h, o, out, &cap);
		found++;
	}
	if (!found) {
		if (o->sheet && best == SIZE_MAX)
			s = sf_fail(err, SF_INVALID, NULL, "%s: no sheet \"%s\"",
				    out->source, o->sheet);
		else if (best == SIZE_MAX)
			s = sf_fail(err, SF_INVALID, NULL, "%s: no sheet",
				    out->source);
		else
			s = sf_fail(err, SF_INVALID, NULL, "%s", why.data);
		goto out;
	}
	if (out->bad_rows && !o->skip_bad_rows) {
		s = sf_fail(err, SF_INVALID, NULL,
			    "%s (%zu bad row%s; nothing imported)",
			    out->issues[0].message, out->bad_rows,
			    out->bad_rows > 1 ? "s" : "");
	}
out:
	if (s) {
		for (size_t i = 0; i < out->n; i++)
			free(out->recs[i].mem);
		free(out->recs);
		out->recs = NULL;
		out->n = 0;
	}
	free(dup);
	buf_release(&why);
	return s;
}

/* ---------------------------------------------------------------- */
/* Streaming                                                         */

void
columns_map_init(struct columns_map *m, enum ul_resource r,
		 const struct columns_opts *opts, const char *source)
{
	static const struct columns_opts none = {0};

	memset(m, 0, sizeof(*m));
	m->resource = r < UL_NRESOURCES ? r : UL_WEBPORTAL;
	m->opts = opts ? opts : &none;
	m->source = source ? source : "input";
	m->best_row = SIZE_MAX;
}

void
columns_map_sheet(struct columns_map *m, const char *sheet,
		  enum tabular_kind kind)
{
	m->kind = kind;
	snprintf(m->sheet, sizeof(m->sheet), "%s", sheet ? sheet : "");
	m->found = 0;
	m->rows = 0;
	m->best_row = SIZE_MAX;
	m->best_found = 0;
}

int
columns_map_header(struct columns_map *m, const struct trow *row,
		   char *why, size_t n)
{
	const struct coldef *cols = resources[m->resource].cols;
	struct hdr h;
	char a[8], b[8];

	why[0] = '\0';
	if (m->found || m->rows >= HEADER_ROWS)
		return 0;
	m->rows++;
	map_header(cols, m->opts, row, &h);
	if (h.nreq_found < h.nreq) {
		if (h.nreq_found && (m->best_row == SIZE_MAX ||
				     h.nreq_found > m->best_found)) {
			m->best_row = row->line;
			m->best_found = h.nreq_found;
			for (size_t i = 0; cols[i].key; i++)
				m->at[i] = h.at[i];
		}
		return 0;
	}
	if (h.dup >= 0) {
		tabular_column_name(h.dup_a, a);
		tabular_column_name(h.dup_b, b);
		snprintf(why, n,
			 "%s%s%s%s: column \"%s\" appears twice (columns %s "
			 "and %s of row %zu)",
			 m->source, m->kind == TABULAR_XLSX ? ": sheet \"" : "",
			 m->kind == TABULAR_XLSX ? m->sheet : "",
			 m->kind == TABULAR_XLSX ? "\"" : "",
			 col_label(&cols[h.dup]), a, b, row->line);
		return -1;
	}
	m->found = 1;
	m->ncols = 0;
	for (size_t i = 0; cols[i].key; i++) {
		m->at[i] = h.at[i];
		m->ncols++;
		if (h.at[i] != SIZE_MAX)
			quote_value(row->cells[h.at[i]],
				    strlen(row->cells[h.at[i]]), m->label[i],
				    sizeof(m->label[i]));
	}
	return 1;
}

void
columns_map_why(const struct columns_map *m, struct buf *b)
{
	const struct coldef *cols = resources[m->resource].cols;
	size_t k = 0;

	if (m->kind == TABULAR_XLSX)
		buf_addf(b, "%s: sheet \"%s\": ", m->source, m->sheet);
	else
		buf_addf(b, "%s: ", m->source);
	if (m->best_row == SIZE_MAX) {
		buf_addf(b, "no header row with the columns of %s (",
			 resources[m->resource].name);
		for (size_t i = 0; cols[i].key; i++)
			if (required(&cols[i], m->opts))
				buf_addf(b, "%s\"%s\"", k++ ? ", " : "",
					 col_label(&cols[i]));
		buf_addf(b, ") in the first %d rows", HEADER_ROWS);
		return;
	}
	(void)buf_adds(b, "missing column(s) ");
	for (size_t i = 0; cols[i].key; i++)
		if (required(&cols[i], m->opts) && m->at[i] == SIZE_MAX)
			buf_addf(b, "%s\"%s\"", k++ ? ", " : "",
				 col_label(&cols[i]));
	buf_addf(b, " (header row %zu)", m->best_row);
}

int
columns_key(enum ul_resource r, const char *key)
{
	const struct coldef *cols;

	if (r >= UL_NRESOURCES)
		return -1;
	cols = resources[r].cols;
	for (int i = 0; cols[i].key; i++)
		if (strcmp(cols[i].key, key) == 0)
			return i;
	return -1;
}

/* S trimmed in place (see trim): the new start; a NUL ends it. */
static char *
trim_in_place(char *s)
{
	const char *b, *e;

	trim(s, &b, &e);
	s[e - s] = '\0';
	return s + (b - s);
}

size_t
columns_map_row(const struct columns_map *m, struct trow *row,
		struct ul_record *rec, char *why, size_t n)
{
	const struct coldef *cols = resources[m->resource].cols;
	size_t bad = 0, blank = 1;
	char reason[160], where[512], c[8];

	why[0] = '\0';
	memset(rec, 0, sizeof(*rec));
	for (size_t j = 0; j < row->ncells; j++) {
		row->cells[j] = trim_in_place(row->cells[j]);
		blank &= row->cells[j][0] == '\0';
	}
	if (blank)
		return 0; /* rec->line == 0: skip it */
	rec->line = row->line;
	for (size_t i = 0; i < m->ncols; i++) {
		const char *v;

		if (m->at[i] == SIZE_MAX) {
			if (cols[i].kind == K_TEXT || cols[i].kind == K_EMAIL)
				*(const char **)((char *)rec + cols[i].off) =
					"";
			continue;
		}
		v = trow_cell(row, m->at[i]);
		check_cell(&cols[i], m->opts, v, (char *)rec + cols[i].off,
			   reason, sizeof(reason));
		if (reason[0]) {
			if (!bad++) {
				if (m->kind == TABULAR_XLSX) {
					tabular_column_name(m->at[i], c);
					snprintf(where, sizeof(where),
						 "%s: sheet \"%s\" cell %s%zu",
						 m->source, m->sheet, c,
						 row->line);
				} else {
					snprintf(where, sizeof(where),
						 "%s:%zu", m->source,
						 row->line);
				}
				snprintf(why, n, "%s: column \"%s\": %s", where,
					 m->label[i], reason);
			}
			continue;
		}
		if (cols[i].kind == K_TEXT || cols[i].kind == K_EMAIL)
			*(const char **)((char *)rec + cols[i].off) = v;
	}
	if (!bad)
		derive(m->resource, rec, m->opts);
	return bad;
}

int
columns_present(const struct ul_list *l, const char *key)
{
	const struct coldef *cols = resources[l->resource].cols;

	for (size_t i = 0; cols[i].key; i++)
		if (strcmp(cols[i].key, key) == 0)
			return (l->present >> i) & 1;
	return 0;
}

void
columns_issues_text(const struct ul_list *l, struct buf *b)
{
	for (size_t i = 0; i < l->nissues; i++)
		buf_addf(b, "%s\n", l->issues[i].message);
	if (l->more_issues)
		buf_addf(b, "and %zu more\n", l->more_issues);
}

/* ---------------------------------------------------------------- */
/* Nominative mailboxes                                              */

static const char *const functional[] = {
	"account", "admin", "administrator", "backup", "central", "contact",
	"desk", "functional", "generic", "group", "helpdesk", "info",
	"itsm", "mailbox", "management", "monitoring", "noreply", "office",
	"operations", "project", "reply", "robot", "secretariat", "security",
	"service", "services", "shared", "support", "system", "taxud",
	"team", "test", "unit", NULL,
};

static int
is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

bool
columns_nominative(const char *name)
{
	const char *p, *comma;
	size_t words = 0, caps_only = 0;
	int any_letter = 0;

	for (p = name; *p; p++) {
		if ((*p >= '0' && *p <= '9') || *p == '@' || *p == '_')
			return false;
		any_letter |= is_letter((unsigned char)*p);
	}
	if (!any_letter)
		return false;
	/* Words (letters only) against the functional list. */
	for (p = name; *p;) {
		size_t n = 0;
		char w[32];

		while (*p && !is_letter((unsigned char)*p))
			p++;
		while (p[n] && is_letter((unsigned char)p[n]))
			n++;
		if (n && n < sizeof(w)) {
			for (size_t i = 0; i < n; i++)
				w[i] = (char)(p[i] >= 'A' && p[i] <= 'Z'
						      ? p[i] | 0x20
						      : p[i]);
			w[n] = '\0';
			for (size_t i = 0; functional[i]; i++)
				if (strcmp(w, functional[i]) == 0)
					return false;
		}
		p += n;
	}
	comma = strchr(name, ',');
	if (comma && !strchr(comma + 1, ',')) {
		int left = 0, right = 0;

		for (p = name; p < comma; p++)
			left |= is_letter((unsigned char)*p);
		for (p = comma + 1; *p; p++)
			right |= is_letter((unsigned char)*p);
		return left && right;
	}
	if (comma)
		return false;
	for (p = name; *p;) {
		int lower = 0;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (!is_letter((unsigned char)*p))
			return false;
		words++;
		for (; *p && *p != ' '; p++)
			lower |= (*p >= 'a' && *p <= 'z') ||
				 (unsigned char)*p >= 0x80;
		caps_only += !lower;
	}
	return words >= 2 && words <= 4 && caps_only < words;
}

void
ul_list_release(struct ul_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->recs[i].mem);
	free(l->recs);
	for (size_t i = 0; i < l->nissues; i++)
		free(l->issues[i].message);
	free(l->issues);
	for (size_t i = 0; i < l->nignored; i++)
		free(l->ignored[i]);
	free(l->ignored);
	free(l->source);
	memset(l, 0, sizeof(*l));
}
