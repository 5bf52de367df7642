/*
 * jobs.c - the timed work of the engine: SLA checks (active steps past
 * their due date, found in the steps table), reminders and wait steps
 * (leased jobs, so two nodes or two ticks never take the same one).  Each
 * is done in one transaction with its effects and audit record; the
 * conditional updates in that transaction (job_done, step_set_overdue)
 * make "exactly once" hold even if a lease ran out meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/notify.h"

/* engine.c internals shared with the job runner. */
enum sf_status engine_job_wait(struct engine *e, const struct actor *sys,
			       struct instance *inst,
			       const struct procdef *def,
			       const struct step_def *sd, sf_time now,
			       struct sf_error *err);

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
	if (j->step_id == 0) { /* a module's job */
		const struct module_hooks *h;
		json_t *payload;

		rc = st->ops->instance_get(st, j->instance_id, &inst, err);
		if (!rc)
			rc = registry_pinned(e->reg, st, inst.procdef_id, &def,
					     err);
		if (rc)
			goto fail;
		h = engine_hooks_for(e, inst.process);
		payload = j->payload ? json_loads(j->payload, 0, NULL) : NULL;
		if (h && h->on_job)
			rc = h->on_job(e, sys, &inst, def, j->kind, payload,
				       now, err);
		json_decref(payload);
		if (rc)
			goto fail;
		goto commit;
	}
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
	if (strcmp(j->kind, "reminder") == 0) {
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
		rc = engine_notify(e, roles, n, row.scope, subject, body, object,
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

/*
 * One active step past its due date: mark it overdue, tell the roles its
 * definition names, audit.  The conditional update makes it happen once
 * however many nodes tick.
 */
static enum sf_status
run_overdue(struct engine *e, const struct actor *sys,
	    const struct step_row *row, sf_time now, int *done,
	    struct sf_error *err)
{
	struct store *st = e->st;
	struct instance inst = {0};
	const struct procdef *def;
	const struct step_def *sd;
	char object[96];
	char *subject = NULL, *body = NULL;
	json_t *after = NULL;
	enum sf_status rc;

	*done = 0;
	rc = st->ops->begin(st, err);
	if (rc)
		return rc;
	rc = st->ops->step_set_overdue(st, row->id, err);
	if (rc == SF_CONFLICT) {
		st->ops->rollback(st);
		return SF_OK;
	}
	if (!rc)
		rc = st->ops->instance_get(st, row->instance_id, &inst, err);
	if (!rc)
		rc = registry_pinned(e->reg, st, inst.procdef_id, &def, err);
	if (rc)
		goto out;
	sd = procdef_step(def, row->step);
	snprintf(object, sizeof(object), "%s/%lld", inst.object,
		 (long long)inst.id);
	subject = xasprintf("[secflow] OVERDUE %s %s: %s", object, def->name,
			    sd && sd->title ? sd->title : row->step);
	body = xasprintf("The step \"%s\" of %s was due on %s and is not "
			 "done.\n",
			 sd && sd->title ? sd->title : row->step, object,
			 row->due);
	after = json_pack("{s:s, s:s}", "step", row->step, "due", row->due);
	if (sd && sd->nnotify_overdue)
		rc = engine_notify(e, sd->notify_overdue, sd->nnotify_overdue,
				  row->scope, subject, body, object, now, err);
	if (!rc)
		rc = audit_append(st, sys, NULL, NULL, object, "overdue", NULL,
				  after, now, err);
out:
	free(subject);
	free(body);
	json_decref(after);
	instance_release(&inst);
	if (rc) {
		st->ops->rollback(st);
		return rc;
	}
	rc = st->ops->commit(st, err);
	if (!rc) {
		*done = 1;
		if (e->on_job)
			e->on_job("sla");
	}
	return rc;
}

/* After every few jobs, leave the write lock free for a moment so the
 * requests of people are not starved by a long run of jobs. */
static void
job_pause(int n)
{
	struct timespec ts = {0, 2 * 1000 * 1000};

	if (n % 10 == 0)
		nanosleep(&ts, NULL);
}

/* Every active step whose due date is before TODAY and not yet overdue. */
static enum sf_status
check_slas(struct engine *e, const struct actor *sys, sf_time now, int *n,
	   struct sf_error *err)
{
	struct step_list l;
	char today[16];
	enum sf_status rc;

	date_format(date_of(now), today);
	rc = e->st->ops->steps_active_all(e->st, &l, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < l.n && !rc; i++) {
		int done = 0;
		if (!l.v[i].due || l.v[i].overdue ||
		    strcmp(l.v[i].due, today) >= 0)
			continue;
		rc = run_overdue(e, sys, &l.v[i], now, &done, err);
		*n += done;
		job_pause(*n);
	}
	step_list_release(&l);
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
	rc = check_slas(e, &sys, now, &n, err);
	for (; !rc;) {
		struct job_list l;

		rc = e->st->ops->jobs_claim(e->st, now, e->node, 300, 100, &l,
					    err);
		if (rc || l.n == 0) {
			job_list_release(&l);
			break;
		}
		for (size_t i = 0; i < l.n && !rc; i++) {
			rc = run_job(e, &sys, &l.v[i], now, err);
			job_pause(++n);
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
