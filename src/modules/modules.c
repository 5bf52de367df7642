/* modules.c - the table of module hooks.  A new module adds one line. */
#include "modules/modules.h"
#include "modules/conventions/conventions.h"
#include "modules/incidents/incidents.h"
#include "modules/userlists/ulprocess.h"
#include "modules/reviews/reviews.h"

static const struct module_hooks *const all_hooks[] = {
	&conventions_create_hooks,
	&conventions_amend_dg_hooks,
	&conventions_amend_ishs_hooks,
	&incidents_hooks,
	&userlist_monthly_hooks,
	&reviews_hooks,
	NULL,
};

const struct module_hooks *const *
modules_hooks(void)
{
	return all_hooks;
}
