/*
 * columns.h - the columns of the user lists of seed 002 SEC.5 and SEC.6:
 * find the header row of a table (tabular.h), map its cells to canonical
 * columns, and validate and type every row into a record of the resource.
 *
 * Header names match case-, space-, underscore- and punctuation-
 * insensitively: only ASCII letters and digits count ("CS/RD PROD",
 * "cs_rd prod" and "CSRD-Prod" are one name).  The header row is the first
 * row (of the first 30 of a sheet) that holds every required column, so a
 * title row and a date row above it do not matter.  When two cells name
 * the same column, the one earlier in the list below wins and the other is
 * ignored; the same name twice is an error.  Other cells of the header are
 * ignored columns, listed in ul_list.ignored ("remove useless
 * information").  R = required, r = required with columns_opts.review.
 *
 * resource        column        R  names (first = canonical, from the seed)
 * webportal       full_name     R  Full name, Name, Display name
 *                 uid           r  New UID, UID, User ID, Userid, Login
 *                 organisation  R  Organisation, Organization, Org, Company
 *                 na               NA, NA code, National administration
 *                 csrd_domain   R  CS/RD Domain, CS/RD Domains
 *                 csrd_tst      R  CS/RD TST, CS/RD Test
 *                 csrd_prod     R  CS/RD PROD, CS/RD Production
 *                 csmis_domain  R  CS/MIS Domain, CS/MIS Domains
 *                 csmis_profile r  CS/MIS, CS/MIS Profile
 *                 email         r  E-mail, E-mail address, Mail
 *                 deleted       R  Deleted, Disabled
 * ccn             user          R  User, User ID, UID
 *                 profile       R  Profile, User profile
 *                 info          R  User info, Info, Description
 *                 aging            User aging, Aging, Last use
 * circa           interest_group R Interest group, Group, IG
 *                 leader        R  Interest group leader, Leader, IGL
 *                 email         R  E-mail, E-mail address, Mail
 * collab          full_name     R  Full name, Name, Display name
 *                 userid        R  Userid, User ID, UID, Login
 * vpn             full_name     R  Full name, Name, Display name
 *                 active        R  Active Y/N, Active
 * joiners_leavers full_name     R  Full name, Name, Display name
 *                 status        R  Status
 *                 rights           Rights, Access rights
 * smt             full_name     R  Full name, Name, Display name
 *                 email         R  E-mail address, E-mail, Mail
 *                 disabled         Disabled, Deleted
 * business_apps   application   R  Application, Business application, App
 *                 users         R  Users, Registered users, User count,
 *                                  Count, Number of users
 * mailboxes       full_name     R  Full name, Name, Display name
 *                 email         R  E-mail address, E-mail, Mail
 * authorised      team          R  Team
 *                 uid           R  UID, User ID, Userid, Login
 *                 full_name        Full name, Name
 *
 * Values (cells are trimmed of white space, NBSP included; words match
 * case-insensitively with runs of spaces as one):
 *   - rights (CS/RD TST, PROD): empty, Full, No, Read, Write.
 *   - CS/RD domain: a set of NCTS, ECS, ICS, EO separated by , ; / + or
 *     white space; empty is no domain.
 *   - CS/MIS domain (seed's table): E = ECS, I = ICS, N or NCTS = NCTS,
 *     EI, EN, IN, EIN or B = all three; the letters are also accepted in
 *     another order (IE = EI); empty is no domain.
 *   - CS/MIS profile: empty, Admin, ND Admin, ND User, Oper.
 *   - Deleted, Disabled: TRUE/FALSE, also YES/NO, Y/N, 1/0 (a checkbox
 *     column exported by other tools); empty is an error for Deleted (the
 *     seed's lists always fill it) and FALSE for the optional Disabled.
 *   - Active Y/N: Y or N (also Yes/No); Status: Created or Disabled;
 *     users: a whole number >= 0 ("12" or "12.0").
 *   - E-mail: one @ with text before it and a dotted domain after it, no
 *     white space; empty only where the column is optional.
 *   - Names, UIDs, user ids, teams, applications, interest groups: not
 *     empty where required.
 *
 * Derived values:
 *   - collab category, from the user id prefix, case-insensitively:
 *     columns_opts.staff_prefix (default "XXX.", the seed's placeholder
 *     for the contractor) = staff, "txd." = DG TAXUD, "lot." = other
 *     contractors, anything else = other (support or disabled accounts).
 *   - smt staff: the e-mail's domain is one of columns_opts.staff_domains
 *     or a subdomain of one (case-insensitive); no list, no staff.
 *   - mailboxes nominative: columns_nominative() below.
 *
 * Rows with no text at all are skipped.  A bad value is an issue naming
 * the file, sheet, row, column and reason, e.g.
 *   users.csv:14: column "CS/RD PROD": "Wirte" is not one of empty, Full,
 *   No, Read, Write
 *   book.xlsx: sheet "Users" cell F14: column "CS/RD PROD": ...
 */
#ifndef SF_COLUMNS_H
#define SF_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"
#include "tabular.h"

enum ul_resource {
	UL_WEBPORTAL,
	UL_CCN,
	UL_CIRCA,
	UL_COLLAB,
	UL_VPN,
	UL_JOINERS_LEAVERS,
	UL_SMT,
	UL_BUSINESS_APPS,
	UL_MAILBOXES,
	UL_AUTHORISED,
	UL_NRESOURCES
};

enum ul_rights {
	UL_RIGHTS_EMPTY,
	UL_RIGHTS_FULL,
	UL_RIGHTS_NO,
	UL_RIGHTS_READ,
	UL_RIGHTS_WRITE
};

/* CS/RD domains (bits) */
#define UL_CSRD_NCTS 1u
#define UL_CSRD_ECS 2u
#define UL_CSRD_ICS 4u
#define UL_CSRD_EO 8u

/* CS/MIS domains (bits) */
#define UL_CSMIS_E 1u /* ECS */
#define UL_CSMIS_I 2u /* ICS */
#define UL_CSMIS_N 4u /* NCTS */

enum ul_profile {
	UL_PROFILE_NONE,
	UL_PROFILE_ADMIN,
	UL_PROFILE_ND_ADMIN,
	UL_PROFILE_ND_USER,
	UL_PROFILE_OPER
};

enum ul_category {
	UL_CAT_STAFF,	   /* XXX. */
	UL_CAT_DGTAXUD,	   /* txd. */
	UL_CAT_CONTRACTOR, /* lot. */
	UL_CAT_OTHER	   /* support or disabled */
};

enum ul_jl_status { UL_JL_CREATED, UL_JL_DISABLED };

/* Text fields are never NULL: "" when the column is absent or empty. */
struct ul_webportal {
	char *full_name, *uid, *organisation, *na, *email;
	unsigned csrd_domain; /* UL_CSRD_ bits */
	enum ul_rights csrd_tst, csrd_prod;
	unsigned csmis_domain; /* UL_CSMIS_ bits */
	enum ul_profile csmis_profile;
	bool deleted;
};

struct ul_ccn {
	char *user, *profile, *info, *aging;
};

struct ul_circa {
	char *interest_group, *leader, *email;
};

struct ul_collab {
	char *full_name, *userid;
	enum ul_category category;
};

struct ul_vpn {
	char *full_name;
	bool active;
};

struct ul_joiner {
	char *full_name, *rights;
	enum ul_jl_status status;
};

struct ul_smt {
	char *full_name, *email;
	bool disabled;
	bool staff;
};

struct ul_business_app {
	char *application;
	unsigned long users;
};

struct ul_mailbox {
	char *full_name, *email;
	bool nominative;
};

struct ul_authorised {
	char *team, *uid, *full_name;
};

struct ul_record {
	size_t sheet; /* index in the tabular's sheets */
	size_t line;  /* of the row in its sheet */
	char *mem;    /* holds every string of the record */
	union {
		struct ul_webportal webportal;
		struct ul_ccn ccn;
		struct ul_circa circa;
		struct ul_collab collab;
		struct ul_vpn vpn;
		struct ul_joiner joiner;
		struct ul_smt smt;
		struct ul_business_app app;
		struct ul_mailbox mailbox;
		struct ul_authorised authorised;
	} u;
};

/* One bad value, or a bad row's first words; MESSAGE says where. */
struct ul_issue {
	size_t sheet, line;
	char *message;
};

#define UL_MAX_ISSUES 100

struct ul_list {
	enum ul_resource resource;
	char *source;
	struct ul_record *recs;
	size_t n;
	size_t bad_rows;	  /* rows with at least one issue */
	struct ul_issue *issues; /* at most UL_MAX_ISSUES */
	size_t nissues;
	size_t more_issues; /* issues past the cap, not kept */
	char **ignored;	    /* ignored columns and sheets, as text */
	size_t nignored;
	unsigned long present; /* bit i: column i of the resource is there */
};

struct columns_opts {
	const char *sheet; /* only this sheet; NULL: every sheet that has a
			      header row (the others are listed as ignored) */
	bool review;	   /* webportal: also require the SEC.5.1 columns */
	bool skip_bad_rows;
	const char *staff_prefix;	  /* collab; NULL: "XXX." */
	const char *const *staff_domains; /* smt; NULL-terminated */
};

/* The resource called NAME ("webportal"...); -1 when there is none. */
int columns_resource(const char *name, enum ul_resource *out);
const char *columns_resource_name(enum ul_resource r);

/*
 * Map the header and type every row of T as resource R into OUT (released
 * by the caller with ul_list_release, also after a failure).  OPTS may be
 * NULL.
 *
 * A missing sheet or required column is SF_INVALID with ERR naming the
 * file, the sheet and the columns, and OUT holds no records (its ignored
 * list says why each sheet was passed over).  Bad values are
 * issues in OUT (the first UL_MAX_ISSUES, then a count): without
 * opts.skip_bad_rows they make the import fail with SF_INVALID, ERR
 * holding the first issue and the count, and OUT has no records ("an
 * import with errors changes nothing"); with it, the bad rows are left
 * out, the issues list them and the status is SF_OK.
 */
enum sf_status columns_import(const struct tabular *t, enum ul_resource r,
			      const struct columns_opts *opts,
			      struct ul_list *out, struct sf_error *err);

/* 1 when column KEY ("na", "uid"...) of L's resource was in the file. */
int columns_present(const struct ul_list *l, const char *key);

/* Append L's issues to B, one per line, then "and N more" when some were
 * not kept. */
void columns_issues_text(const struct ul_list *l, struct buf *b);

/*
 * Whether a mailbox's FULL_NAME is a person's: not when it holds a digit,
 * '@' or '_', or a word of a list of functional words (admin, team,
 * service, desk, support, helpdesk, security, mailbox, info, noreply,
 * test, ...); yes for "Last, First" (one comma, letters on both sides);
 * else yes for 2 to 4 words that start with a letter, not all of them in
 * capitals ("DUPONT Jean" yes, "ITSM SD" no).
 */
bool columns_nominative(const char *full_name);

void ul_list_release(struct ul_list *l);

/*
 * Streaming: the header search and the row checks of columns_import, one
 * row at a time and without allocating, for readers that keep nothing
 * but what they count (ulrecon.h).  Same rules, same messages.
 *
 *	columns_map_init(&m, UL_WEBPORTAL, &opts, "users.csv");
 *	columns_map_sheet(&m, sheet_name, kind);     -- before each sheet
 *	per row, until the header is found:
 *		columns_map_header(&m, row, why, n)  -- 1: it is the header
 *	per later row:
 *		columns_map_row(&m, row, &rec, why, n)  -- 0: REC is good
 *
 * The map keeps no pointer into the rows.  OPTS and SOURCE must outlive
 * it (opts.sheet and opts.skip_bad_rows are the caller's business).
 */
struct columns_map {
	enum ul_resource resource;
	const struct columns_opts *opts;
	const char *source;
	enum tabular_kind kind;
	char sheet[128];
	int found;	       /* the header row has been seen */
	size_t rows;	       /* rows looked at for the header */
	size_t at[32];	       /* cell index of column i, or SIZE_MAX */
	size_t ncols;	       /* columns of the resource */
	char label[32][80];    /* the header's text of column i */
	size_t best_row;       /* the best candidate so far (for why) */
	size_t best_found;
};

void columns_map_init(struct columns_map *m, enum ul_resource r,
		      const struct columns_opts *opts, const char *source);
/* A new sheet (or the one sheet of a CSV file) begins: look for its
 * header again. */
void columns_map_sheet(struct columns_map *m, const char *sheet,
		       enum tabular_kind kind);
/*
 * Whether ROW (one of the first 30 rows of the sheet) is the header: 1
 * yes (the map is set), 0 no (or past the first 30 rows), -1 when it
 * names a column twice (WHY, size N, says where).
 */
int columns_map_header(struct columns_map *m, const struct trow *row,
		       char *why, size_t n);
/* Why no header was found in the sheet, appended to B (as columns_import
 * says it). */
void columns_map_why(const struct columns_map *m, struct buf *b);
/* Index of column KEY ("uid"...) of resource R in columns_map.at; -1. */
int columns_key(enum ul_resource r, const char *key);
/*
 * Check and type ROW (after the header) into REC.  The cells of ROW are
 * trimmed in place and REC's text fields point into them (valid as long
 * as the row is); absent columns are "".  Returns 0 when the row is good,
 * else the number of bad values, WHY (size N) holding the first one as
 * columns_import words it.  A row with no text at all returns 0 with
 * rec->line == 0: skip it, as columns_import does.
 */
size_t columns_map_row(const struct columns_map *m, struct trow *row,
		       struct ul_record *rec, char *why, size_t n);

#endif
