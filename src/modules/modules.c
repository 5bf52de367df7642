/* modules.c - the table of module hooks.  A new module adds one line. */
#include "modules/modules.h"

static const struct module_hooks *const all_hooks[] = {
	NULL,
};

const struct module_hooks *const *
modules_hooks(void)
{
	return all_hooks;
}
