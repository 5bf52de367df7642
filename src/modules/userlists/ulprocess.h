/*
 * ulprocess.h - the engine hooks of process userlist.monthly
 * (processes/userlist.monthly.yaml): at start, the month is checked and
 * the due day (first working day of the next month) and the wake day set;
 * the collect step is refused while a list of the month is missing; the
 * report step records whether the three-month averages were available.
 */
#ifndef SF_ULPROCESS_H
#define SF_ULPROCESS_H

#include "engine/engine.h"

extern const struct module_hooks userlist_monthly_hooks;

/* The first working day of the month after MONTH ("YYYY-MM", valid) in
 * CAL. */
sf_date ulprocess_due(const struct calendar *cal, const char *month);

#endif
