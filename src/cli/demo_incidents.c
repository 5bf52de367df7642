/*
 * demo_incidents.c - the incidents of `secflow demo`: the DG TAXUD
 * systems of the seeds with their classification (the high-impact rule
 * reads them), and a few incidents in several states, registered by the
 * demo Service Desk and screened by the demo Security Manager.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "modules/incidents/impact.h"
#include "modules/incidents/incidents.h"

static const struct {
	const char *name, *classification;
} systems[] = {
	{"CCN", "critical"},	   {"CCN/TC", "critical"},
	{"NCTS", "critical"},	   {"ECS", "strategic"},
	{"ICS", "strategic"},	   {"EMCS", "strategic"},
	{"TARIC", "strategic"},	   {"ITSM Webportal", "other"},
	{"SMT", "other"},	   {"CIRCA", "other"},
	{"Collaborative tool", "other"},
};

static const struct {
	const char *json, *screen; /* screen body, or NULL */
} incidents[] = {
	{"{\"reference\":\"SD-2026-0411\",\"title\":\"Suspicious logins on the "
	 "CCN gateway\",\"description\":\"Repeated failed logins then a "
	 "successful one from 203.0.113.7 on gw1.ccn.example.eu; possible "
	 "intrusion.\",\"na\":\"BE\",\"systems\":[\"CCN\"],\"reporter\":\"ITSM "
	 "Monitoring\"}",
	 "{\"outcome\":\"specific\"}"},
	{"{\"reference\":\"SD-2026-0412\",\"title\":\"Phishing wave\","
	 "\"description\":\"Several users received a phishing mail imitating "
	 "the Webportal.\",\"na\":\"FR\",\"systems\":[\"ITSM Webportal\"]}",
	 NULL},
	{"{\"reference\":\"SD-2026-0413\",\"title\":\"Disk space low on "
	 "app02\",\"description\":\"Free space below 5%, a virus scan "
	 "filled the disk.\",\"systems\":[\"ECS\"]}",
	 "{\"outcome\":\"routine\",\"routine_type\":\"disk space low\"}"},
	{"{\"reference\":\"SD-2026-0414\",\"title\":\"Printer out of "
	 "toner\",\"description\":\"Floor 2 printer.\"}",
	 NULL},
};

enum sf_status demo_incidents(struct cli *c, int *started,
			      struct sf_error *err);

enum sf_status
demo_incidents(struct cli *c, int *started, struct sf_error *err)
{
	json_t *existing = NULL;
	struct actor sd, sm;
	enum sf_status r;

	if (!registry_find(c->reg, "incident.handle"))
		return SF_OK;
	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
		json_t *have = NULL;
		if (c->st->ops->catalog_get(c->st, "system", systems[i].name,
					    &have, err) == SF_NOT_FOUND) {
			r = system_set(c->st, &c->who, systems[i].name,
				       systems[i].classification, err);
			if (r)
				return r;
		}
		json_decref(have);
	}
	r = c->st->ops->instance_list(c->st, "incidents", 0, 1, &existing, err);
	if (r)
		return r;
	if (json_array_size(existing)) {
		json_decref(existing);
		return SF_OK;
	}
	json_decref(existing);
	r = actor_load(c->st, "servicedesk", 0, date_of(clock_now()), &sd, err);
	if (r)
		return r;
	r = actor_load(c->st, "secmgr", 0, date_of(clock_now()), &sm, err);
	if (r) {
		actor_release(&sd);
		return r;
	}
	for (size_t i = 0; i < sizeof(incidents) / sizeof(incidents[0]) && !r;
	     i++) {
		json_t *f = json_loads(incidents[i].json, 0, NULL);
		int64_t id = 0;
		int created = 0;

		r = incident_intake(&c->eng, &sd, f, NULL, 0, &id, &created,
				    err);
		json_decref(f);
		if (!r && incidents[i].screen) {
			json_t *in = json_loads(incidents[i].screen, 0, NULL);
			r = engine_perform(&c->eng, &sm, "incidents", id,
					   "screen", in, err);
			json_decref(in);
		}
		if (!r)
			(*started)++;
	}
	actor_release(&sd);
	actor_release(&sm);
	return r;
}
