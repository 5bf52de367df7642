/* roles.c - the role table of SPEC section 2, as data. */
#include "roles.h"

#include <string.h>

static const struct role_info roles[] = {
	{"dg_requester", "dg", "DG requester"},
	{"dg_signatory", "dg", "DG signatory"},
	{"company", "company", "External company"},
	{"ds", NULL, "HR.DS security directorate"},
	{"ds_signatory", NULL, "HR.DS signatory"},
	{"ishs_ccor", NULL, "DIGIT/C2/ISHS CCOR"},
	{"ishs_sd", NULL, "DIGIT/C2/ISHS Service Desk"},
	{"snet", NULL, "DIGIT/C4/SNET"},
	{"uaa", NULL, "DIGIT/UAA"},
	{"digit_signatory", NULL, "DIGIT signatory"},
	{"liso", NULL, "DG TAXUD A3/LISO"},
	{"npm", "na", "National Project Manager"},
	{"niso", "na", "National IT Security Officer"},
	{"lsa", "na", "Local Security Administrator"},
	{"igl", "interest_group", "CIRCA interest group leader"},
	{"security_manager", NULL, "ITSM Security Manager"},
	{"ilso", "team", "ITSM Local Security Officer"},
	{"service_desk", NULL, "ITSM Service Desk"},
	{"csip_manager", NULL, "CSIP manager"},
	{"project_director", NULL, "Project director"},
	{"steering_committee", NULL, "Security Steering Committee"},
	{"working_group", NULL, "Security Working Group"},
	{"admin", NULL, "Administrator"},
};

const struct role_info *
role_find(const char *name)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].name, name) == 0)
			return &roles[i];
	return NULL;
}

const struct role_info *
role_at(size_t i)
{
	return i < sizeof(roles) / sizeof(roles[0]) ? &roles[i] : NULL;
}

size_t
role_count(void)
{
	return sizeof(roles) / sizeof(roles[0]);
}
