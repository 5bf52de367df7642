/*
 * api_userlists.c - GET /api/v1/userlists/monthly?month=YYYY-MM: the
 * SEC.6.6 counts of a month and their three-month averages (SPEC 4.2),
 * for the Security Manager, the LISO and admins.  Without month: the
 * month before now.
 */
#include <string.h>

#include "http/api.h"
#include "modules/userlists/monthly.h"

int
api_userlists(struct api_call *c)
{
	struct sf_error err = {0};
	const char *month;
	char dflt[8];
	json_t *rep = NULL;

	if (c->nseg != 2 || strcmp(c->seg[0], "userlists") != 0 ||
	    strcmp(c->seg[1], "monthly") != 0)
		return 0;
	if (!api_need_user(c))
		return 1;
	if (strcmp(c->req->method, "GET") != 0) {
		api_fail(c, SF_NOT_FOUND, NULL, "no route %s %s",
			 c->req->method, c->req->path);
		return 1;
	}
	if (!actor_is_admin(&c->who) &&
	    !actor_has_role(&c->who, "security_manager") &&
	    !actor_has_role(&c->who, "liso")) {
		api_fail(c, SF_FORBIDDEN, NULL,
			 "the monthly counts are for a security manager, the "
			 "LISO or an admin");
		return 1;
	}
	month = http_query(c->req, "month");
	if (!month) {
		monthly_previous_month(clock_now(), dflt);
		month = dflt;
	}
	if (monthly_month_ok(month)) {
		api_fail(c, SF_INVALID, "month", "month \"%.20s\" is not YYYY-MM",
			 month);
		return 1;
	}
	if (monthly_report(c->st, month, &rep, &err)) {
		api_error(c, &err);
		return 1;
	}
	api_json(c, 200, rep);
	return 1;
}
