/*
 * jobs.c - the timer jobs of the engine: SLA checks, reminders and wait
 * steps.  Each due job is leased (so two nodes or two ticks never take the
 * same one) and then done in one transaction with its effects and audit
 * record; job_done() in that transaction makes "exactly once" hold even if
 * a lease ran out meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/audit.h"
#include "engine/engine.h"

/* engine.c internals shared with the job runner. */
enum sf_status engine_job_wait(struct engine *e, const struct actor *sys,
			       struct instance *inst,
			       const struct procdef *def,
			       const struct step_def *sd, sf_time now,
			       struct sf_error *err);

static enum sf_status
notify_roles(struct engine *e, char *const *roles, size_t n,
	     const char *scopes, const char *subject, const char *body,
	     const char *object, sf_time now, struct sf_error *err)
{
	json_t *to = json_array();
	char today[16];
	enum sf_status rc = SF_OK;

	date_format(date_of(now), today);
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *users = NULL, *u;
		size_t k;
		char *scope = NULL;
		const char *p;
		size_t rl = strlen(roles[i]);

		/* scopes is ";role=value;" (see engine.c) */
		for (p = scopes; p && (p = strchr(p, ';'));) {
			p++;
			if (strncmp(p, roles[i], rl) == 0 && p[rl] == '=') {
				const char *end = strchr(p + rl + 1, ';');
				scope = xstrndup(p + rl + 1,
						 end ? (size_t)(end - p - rl - 1)
						     : strlen(p + rl + 1));
				break;
			}
		}
		rc = e->st->ops->users_with_role(e->st, roles[i],
						 scope ? scope : "", today,
						 &users, err);
		free(scope);
		json_array_foreach(users, k, u)
		{
			json_t *m = json_object_get(u, "email");
			if (json_string_length(m))
				json_array_append(to, m);
		}
		json_decref(users);
	}
	if (!rc && json_array_size(to))
		rc = outbox_queue(e->st, to, NULL, NULL, subject, body, NULL,
				  "email", object, now, NULL, err);
	json_decref(to);
	return rc;
}

static enum sf_status
run_job(struct engine *e, const struct actor *sys, const struct job *j,
	sf_time now, struct sf_error *err)
{
	struct store *st = e->st;
	struct instance inst = {0};
	struct step_row row = {0};
	const struct procdef *def;
	const struct step_def *sd;
	char object[96];
	enum sf_status rc;

	rc = st->ops->begin(st, err);
	if (rc)
		return rc;
	rc = st->ops->job_done(st, j->id, e->node, now, err);
	if (rc == SF_CONFLICT) { /* another node did it */
		st->ops->rollback(st);
		return SF_OK;
	}
	if (rc)
		goto fail;
	rc = st->ops->step_get(st, j->step_id, &row, err);
	if (rc)
		goto fail;
	if (strcmp(row.state, "active") != 0) /* closed meanwhile */
		goto commit;
	rc = st->ops->instance_get(st, j->instance_id, &inst, err);
	if (!rc)
		rc = registry_pinned(e->reg, st, inst.procdef_id, &def, err);
	if (rc)
		goto fail;
	sd = procdef_step(def, row.step);
	if (!sd)
		goto commit;
	snprintf(object, sizeof(object), "%s/%lld", inst.object,
		 (long long)inst.id);
	if (strcmp(j->kind, "sla") == 0) {
		char *subject = xasprintf("[secflow] OVERDUE %s %s: %s", object,
					  def->name, sd->title ? sd->title
							       : sd->id);
		char *body = xasprintf("The step \"%s\" of %s was due on %s "
				       "and is not done.\n",
				       sd->title ? sd->title : sd->id, object,
				       row.due ? row.due : "?");
		json_t *after = json_pack("{s:s, s:s?}", "step", row.step,
					  "due", row.due);
		rc = st->ops->step_set_overdue(st, row.id, err);
		if (!rc && sd->nnotify_overdue)
			rc = notify_roles(e, sd->notify_overdue,
					  sd->nnotify_overdue, row.scope,
					  subject, body, object, now, err);
		if (!rc)
			rc = audit_append(st, sys, NULL, NULL, object,
					  "overdue", NULL, after, now, err);
		json_decref(after);
		free(subject);
		free(body);
	} else if (strcmp(j->kind, "reminder") == 0) {
		char *roles[64];
		size_t n = sd->nroles < 64 ? sd->nroles : 64;
		char *subject = xasprintf("[secflow] Reminder %s %s: %s",
					  object, def->name,
					  sd->title ? sd->title : sd->id);
		char *body = xasprintf("Reminder %s: the step \"%s\" of %s is "
				       "waiting for you%s%s.\n",
				       j->payload, sd->title ? sd->title
							     : sd->id,
				       object, row.due ? "; it is due on " : "",
				       row.due ? row.due : "");
		json_t *after = json_pack("{s:s, s:s}", "step", row.step,
					  "reminder", j->payload);
		for (size_t i = 0; i < n; i++)
			roles[i] = sd->roles[i];
		rc = notify_roles(e, roles, n, row.scope, subject, body, object,
				  now, err);
		if (!rc)
			rc = audit_append(st, sys, NULL, NULL, object,
					  "reminder", NULL, after, now, err);
		json_decref(after);
		free(subject);
		free(body);
	} else if (strcmp(j->kind, "wait") == 0) {
		rc = engine_job_wait(e, sys, &inst, def, sd, now, err);
	}
	if (rc)
		goto fail;
commit:
	step_row_release(&row);
	instance_release(&inst);
	rc = st->ops->commit(st, err);
	if (!rc && e->on_job)
		e->on_job(j->kind);
	return rc;
fail:
	step_row_release(&row);
	instance_release(&inst);
	st->ops->rollback(st);
	return rc;
}

enum sf_status
engine_tick(struct engine *e, sf_time now, int *ran, struct sf_error *err)
{
	struct actor sys;
	enum sf_status rc;
	int n = 0;

	rc = engine_reload_calendar(e, err);
	if (rc)
		return rc;
	actor_system(&sys);
	for (;;) {
		struct job_list l;

		rc = e->st->ops->jobs_claim(e->st, now, e->node, 300, 100, &l,
					    err);
		if (rc || l.n == 0) {
			job_list_release(&l);
			break;
		}
		for (size_t i = 0; i < l.n && !rc; i++) {
			rc = run_job(e, &sys, &l.v[i], now, err);
			n++;
		}
		job_list_release(&l);
		if (rc)
			break;
	}
	actor_release(&sys);
	if (ran)
		*ran = n;
	return rc;
}
