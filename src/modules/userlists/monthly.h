/*
 * monthly.h - the monthly user lists of seed 002 SEC.6 (SPEC 3.4, 4.2):
 * for a month M, the figures of SEC.6.6 counted from the latest import of
 * each of the seven monthly lists with month M, their three-month sliding
 * averages, and the `<yyyy-mm> User List.xlsx` workbook.
 *
 * The lists (SEC.6.1-6.4) and what is counted (SEC.6.5, SEC.6.6):
 *   business_apps    business_apps.users = the sum of the user counts of
 *                    the rows (one row per application).
 *   webportal        deleted users are not counted.  total; with/without
 *                    pairs: csrd_domain (with = at least one of NCTS, ECS,
 *                    ICS; EO alone or empty is without), csrd_tst and
 *                    csrd_prod (with = Full, Read or Write; without =
 *                    empty or No), csmis_domain (with = any domain),
 *                    csmis_profile (with = Admin, ND Admin, ND User or
 *                    Oper).
 *   smt              disabled users are not counted; rows are
 *                    de-duplicated by e-mail address, compared without
 *                    case; total = distinct addresses, itsm = those whose
 *                    domain is a staff domain (setting smt_staff_domains,
 *                    marked "staff" at import), non_itsm = the others.
 *   mailboxes        total, nominative / non_nominative by the full name
 *                    (columns_nominative(), decided at import).
 *   collab           nominative = user ids with the prefix of a person
 *                    (SEC.6.1: "XXX." staff, "txd." DG TAXUD, "lot."
 *                    other contractors); non_nominative = every other id
 *                    (the seed: "support users ... or disabled ones"; the
 *                    collaborative-tool list has no other disabled flag,
 *                    so those accounts are counted here, not dropped).
 *   vpn              vpn.total = rows with Active Y/N = Y.
 *   joiners_leavers  no figure; it is one of the lists of the month (a
 *                    sheet of the workbook, and needed for averages).
 *
 * A figure whose list has no import for the month is -1 (JSON null).
 * The average of a figure is the mean of the month and the two before,
 * rounded half away from zero, given only when each of the three months
 * has all seven lists (SEC.6.6: "after 3 months of process execution").
 */
#ifndef SF_MONTHLY_H
#define SF_MONTHLY_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"
#include "modules/userlists/columns.h"
#include "store/store.h"

#define MONTHLY_NLISTS 7
#define MONTHLY_NKEYS 21

/* The I-th list of the month (0 <= I < MONTHLY_NLISTS), in sheet order. */
enum ul_resource monthly_list(size_t i);
/* The I-th figure's key ("webportal.csrd_tst.with"), its list and a label
 * for the counts sheet. */
const char *monthly_key(size_t i);
enum ul_resource monthly_key_list(size_t i);
const char *monthly_key_label(size_t i);

/*
 * Counting one list: init for resource R, add each stored row (see
 * store.h's struct ulist_row; DATA is the typed record of ulimport), then
 * end, which sets R's figures in V (the others are left alone) and frees
 * what the tally holds.  Rows of another shape are counted as far as
 * they can be, never a crash.
 */
struct monthly_tally {
	enum ul_resource r;
	long long v[MONTHLY_NKEYS];
	char **emails; /* smt: lower-cased addresses, with a staff flag */
	unsigned char *staff;
	size_t nemails, cap;
};
void monthly_tally_init(struct monthly_tally *t, enum ul_resource r);
void monthly_tally_add(struct monthly_tally *t, const struct ulist_row *row);
void monthly_tally_end(struct monthly_tally *t, long long v[MONTHLY_NKEYS]);

/* The mean of V[0..N) rounded to the nearest unit, half away from zero
 * (N >= 1). */
long long monthly_round_mean(const long long *v, size_t n);

/* "YYYY-MM" of a real month (years 1900-9999): 0, else -1. */
int monthly_month_ok(const char *month);
/* The month DELTA months from MONTH (valid) into OUT ("2026-01", -1 →
 * "2025-12"). */
void monthly_month_add(const char *month, int delta, char out[8]);
/* The month before the one of NOW: the default month of a list. */
void monthly_previous_month(sf_time now, char out[8]);

/* The figures of one month. */
struct monthly_counts {
	char month[8];
	int64_t import_id[MONTHLY_NLISTS]; /* 0: no import of that list */
	long long v[MONTHLY_NKEYS];	   /* -1: its list is missing */
	int complete;			   /* every list imported */
};

/* Count MONTH (valid) from ST (in the caller's read transaction, if
 * any). */
enum sf_status monthly_count(struct store *st, const char *month,
			     struct monthly_counts *out,
			     struct sf_error *err);

/*
 * The report of MONTH: {"month", "counts": {KEY: n|null}, "averages":
 * {KEY: n} | null, "lists": {RESOURCE: {"import", "file", "rows"} |
 * null}, "missing": [RESOURCE...]} into *OUT (new reference).  SF_INVALID
 * for a bad month.
 */
enum sf_status monthly_report(struct store *st, const char *month,
			      json_t **out, struct sf_error *err);

/*
 * Write DIR/"<yyyy-mm> User List.xlsx" from REPORT (monthly_report's):
 * one sheet per imported list of the month with its rows, then the
 * "Counts" sheet (key, figure, count, three-month average).  *PATH (may
 * be NULL) gets the file's path (caller frees).  SF_IO naming the file
 * when it cannot be written.
 */
enum sf_status monthly_workbook(struct store *st, json_t *report,
				const char *dir, char **path,
				struct sf_error *err);

#endif
