/*
 * engine.h - the process engine: one mechanism that runs every process
 * definition (starts instances, performs steps, routes outcomes, forks
 * and joins branches, skips conditional steps, keeps SLAs, reminders and
 * wait timers) for every module.
 *
 * Each call that changes something runs in one transaction that also
 * writes the audit record and any queued message: either all of it
 * commits or nothing does.
 */
#ifndef SF_ENGINE_H
#define SF_ENGINE_H

#include <jansson.h>

#include "auth/actor.h"
#include "core/buf.h"
#include "core/calendar.h"
#include "engine/outbox.h"
#include "engine/procdef.h"
#include "engine/registry.h"
#include "store/store.h"

struct engine;

/*
 * What a module hook sees: the instance (its data may be changed; the
 * engine writes it back), the step being performed (NULL at start), the
 * validated input, who acts and in which role.  Hooks run inside the
 * engine's transaction: a hook that fails rolls back everything, and its
 * error (409 when the step is not allowed now, 422 naming a field) is the
 * caller's answer.
 */
struct hook_ctx {
	struct engine *e;
	const struct actor *who;
	const char *role;
	struct instance *inst;
	const struct procdef *def;
	const struct step_def *step;
	json_t *input;
	sf_time now;
	const char *object; /* "conventions/12" */
};

/* A module's behaviour around the generic engine.  Every member but
 * process may be NULL. */
struct module_hooks {
	const char *process; /* process name, or a prefix ending in '.' */
	enum sf_status (*on_start)(struct hook_ctx *c, struct sf_error *err);
	/* Before the step is closed and routed: refuse or prepare. */
	enum sf_status (*before_step)(struct hook_ctx *c,
				      struct sf_error *err);
	/* After routing, before the commit. */
	enum sf_status (*after_step)(struct hook_ctx *c, struct sf_error *err);
	/* A job the module scheduled (engine_job_add with step 0) is due:
	 * do it in the caller's transaction.  INST is the job's instance. */
	enum sf_status (*on_job)(struct engine *e, const struct actor *sys,
				 struct instance *inst,
				 const struct procdef *def, const char *kind,
				 json_t *payload, sf_time now,
				 struct sf_error *err);
	/* Add the module's own parts to the instance view OUT. */
	enum sf_status (*view)(struct engine *e, const struct actor *who,
			       struct instance *inst, json_t *out,
			       struct sf_error *err);
};

struct engine {
	struct store *st;
	struct registry *reg;
	struct calendar *cal;
	struct outbox_config mail;
	const char *node; /* job lease owner */
	void (*on_job)(const char *kind); /* counts jobs (metrics); or NULL */
	/* The modules' hooks, ended by NULL; or NULL for none. */
	const struct module_hooks *const *hooks;
};

/* Borrow ST and REG; load the holiday calendar from the store. */
enum sf_status engine_init(struct engine *e, struct store *st,
			   struct registry *reg, struct sf_error *err);
void engine_release(struct engine *e);
/* Reload the calendar (after `calendar import`). */
enum sf_status engine_reload_calendar(struct engine *e, struct sf_error *err);

/*
 * Start PROCESS with instance DATA (validated against the definition's
 * fields).  WHO must hold a role of one of the start steps, in the scope
 * the data names.  *ID gets the new instance's id.
 */
enum sf_status engine_start(struct engine *e, const struct actor *who,
			    const char *process, json_t *data, int64_t *id,
			    struct sf_error *err);

/*
 * Perform STEP of instance ID (which must be of API plural OBJECT) with
 * INPUT (validated against the step's fields).  A step the instance has
 * not active but one of its running children has (instance data
 * "_children": ids, e.g. a convention's amendments) is performed on that
 * child.  Errors: SF_NOT_FOUND when
 * the instance is absent or WHO may not see it; SF_NOT_FOUND for a step
 * the process does not have; SF_CONFLICT when the step is not active now;
 * SF_FORBIDDEN when WHO may not perform it; SF_INVALID naming the field.
 */
enum sf_status engine_perform(struct engine *e, const struct actor *who,
			      const char *object, int64_t id,
			      const char *step, json_t *input,
			      struct sf_error *err);

/*
 * Inside the caller's transaction: make INST running again with STEP
 * active (an incident flagged by a later modification goes to
 * screening), writing INST and an audit record ACTION (AFTER_EXTRA, not
 * stolen, joins its "after").
 */
enum sf_status engine_reopen(struct engine *e, const struct actor *who,
			     struct instance *inst, const char *step,
			     const char *action, json_t *after_extra,
			     sf_time now, struct sf_error *err);

/* Instance ID of OBJECT into OUT when WHO may see it (SF_NOT_FOUND
 * otherwise, as for every read): for modules that need the data, not
 * the whole view. */
enum sf_status engine_load(struct engine *e, const struct actor *who,
			   const char *object, int64_t id, struct instance *out,
			   struct sf_error *err);

/* The instance as JSON: id, process, version, state, data, active_steps
 * (with the fields of the steps WHO may perform), history. */
enum sf_status engine_view(struct engine *e, const struct actor *who,
			   const char *object, int64_t id, json_t **out,
			   struct sf_error *err);
/* The instances of OBJECT that WHO may see, newest first: those with an
 * id below BEFORE (0: from the newest), at most LIMIT (0: all).  *NEXT
 * (may be NULL) gets the BEFORE of the next page, or 0 on the last. */
enum sf_status engine_list(struct engine *e, const struct actor *who,
			   const char *object, int64_t before, size_t limit,
			   json_t **out, int64_t *next, struct sf_error *err);
/* A list page: engine_list with each instance's list summary (the data
 * fields its process's "list:" names) as its data, written as the JSON
 * array's text to OUT (appended; the caller owns OUT).  Neither reads
 * nor parses the instances' whole data. */
enum sf_status engine_list_summaries(struct engine *e,
				     const struct actor *who,
				     const char *object, int64_t before,
				     size_t limit, struct buf *out,
				     int64_t *next, struct sf_error *err);
/* The list summary of DATA for PROCESS (engine/summary.h), for a
 * module's own instance_update/instance_add; NULL when PROCESS is not
 * loaded (the row is then summarised when listed).  Caller frees. */
char *engine_summary(const struct engine *e, const char *process,
		     json_t *data);
/* Every active step WHO may perform now, soonest due first. */
enum sf_status engine_tasks(struct engine *e, const struct actor *who,
			    json_t **out, struct sf_error *err);

/* Run every job due at NOW (SLA checks, reminders, wait steps) once,
 * each in its own transaction; *RAN counts them. */
enum sf_status engine_tick(struct engine *e, sf_time now, int *ran,
			   struct sf_error *err);

/* The hooks of the module that owns PROCESS, or NULL. */
const struct module_hooks *engine_hooks_for(const struct engine *e,
					    const char *process);
/* Drop the private keys ("_last", "_children", a module's "_x") of
 * instance DATA before it is shown. */
void engine_hide_private(json_t *data);

/* May WHO see instance INST of DEF? */
int engine_can_see(const struct procdef *def, const struct actor *who,
		   json_t *data);

/* The process definition as Graphviz DOT. */
char *engine_dot(const struct procdef *def);
/* The process definition as JSON (steps, roles, fields, next). */
json_t *engine_def_json(const struct procdef *def);

#endif
