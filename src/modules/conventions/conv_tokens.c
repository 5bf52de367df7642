/*
 * conv_tokens.c - the tokens of a convention (seed 000 steps 16-17, §3.1
 * step 11): ordered, activated (expiry one year later by default),
 * shipped with the VPN client, acknowledged, PIN released only after the
 * acknowledgement, prolonged; and the module's timed jobs: expiry
 * warnings 90, 30 and 7 days ahead to the DG requester, and the expiry
 * of the convention, after which its accesses are listed for removal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/audit.h"
#include "engine/notify.h"
#include "modules/conventions/conv_internal.h"

static const int warn_days[] = {90, 30, 7};

enum sf_status
conv_schedule_warnings(struct hook_ctx *c, int64_t inst, const char *serial,
		       const char *expires, struct sf_error *err)
{
	sf_date d, today = date_of(c->now);
	enum sf_status rc = SF_OK;

	if (date_parse(expires, &d))
		return SF_OK;
	for (size_t i = 0; i < 3 && !rc; i++) {
		json_t *p;
		char *text;

		/* A threshold already behind us is not announced late. */
		if (d - warn_days[i] < today)
			continue;
		p = json_pack("{s:s, s:i, s:s}", "what",
			      serial ? "token" : "convention", "days",
			      warn_days[i], "expires", expires);
		if (serial)
			json_object_set_new(p, "serial", json_string(serial));
		text = json_dumps(p, JSON_COMPACT);
		rc = c->e->st->ops->job_add(c->e->st, "expiry_warning", inst, 0,
					    date_start(d - warn_days[i]), text,
					    err);
		free(text);
		json_decref(p);
	}
	return rc;
}

static json_t *
token_find(json_t *data, const char *serial)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(data, "tokens"), i, t)
	{
		const char *s = json_string_value(json_object_get(t, "serial"));
		if (s && strcmp(s, serial) == 0)
			return t;
	}
	return NULL;
}

/* Are there tokens ordered but not yet activated? */
static int
more_tokens(json_t *data)
{
	json_int_t want = json_integer_value(
		json_object_get(json_object_get(data, "token_order"), "count"));
	return (size_t)want > json_array_size(json_object_get(data, "tokens"));
}

/* The token SERIAL must be in state WANT for step C. */
static enum sf_status
token_in(struct hook_ctx *c, json_t *data, const char *serial,
	 const char *want, json_t **out, struct sf_error *err)
{
	json_t *t = token_find(data, serial);
	const char *state;

	if (!t)
		return sf_fail(err, SF_INVALID, "serial",
			       "token %s is not a token of this convention",
			       serial);
	state = json_string_value(json_object_get(t, "state"));
	if (strcmp(state, want) != 0)
		return sf_fail(err, SF_CONFLICT, "serial",
			       "token %s is %s: %s needs it %s%s", serial,
			       state, c->step->id, want,
			       strcmp(c->step->id, "release_pin") == 0
				       ? " (the PIN is released only after "
					 "the company acknowledged the "
					 "delivery)"
				       : "");
	*out = t;
	return SF_OK;
}

enum sf_status
conv_token_step(struct hook_ctx *c, json_t *data, struct sf_error *err)
{
	const char *id = c->step->id;
	const char *serial =
		json_string_value(json_object_get(c->input, "serial"));
	char day[16];
	json_t *t = NULL;
	enum sf_status rc;

	conv_day(c->now, day);
	if (strcmp(id, "order_token") == 0) {
		json_t *n = json_object_get(c->input, "count");
		json_t *tokens = json_object_get(data, "tokens");
		json_object_set_new(
			data, "token_order",
			json_pack("{s:O, s:I, s:s, s:s}", "holder",
				  json_object_get(c->input, "holder"), "count",
				  (json_int_t)json_array_size(tokens) +
					  (n ? json_integer_value(n) : 1),
				  "ordered", day, "by", c->who->name));
		json_object_set_new(data, "more_tokens", json_true());
		return SF_OK;
	}
	if (strcmp(id, "activate_token") == 0) {
		const char *exp =
			json_string_value(json_object_get(c->input, "expires"));
		char dflt[16];

		if (token_find(data, serial))
			return sf_fail(err, SF_INVALID, "serial",
				       "token %s is activated already", serial);
		if (!exp) {
			date_format(date_add_months(date_of(c->now), 12), dflt);
			exp = dflt;
		}
		if (strcmp(exp, day) <= 0)
			return sf_fail(err, SF_INVALID, "expires",
				       "the token expiry %s is not after today",
				       exp);
		t = json_pack("{s:s, s:O, s:s, s:s, s:s}", "serial", serial,
			      "holder",
			      json_object_get(json_object_get(data,
							      "token_order"),
					      "holder"),
			      "state", "active", "activated", day, "expires",
			      exp);
		json_array_append_new(json_object_get(data, "tokens"), t);
		return conv_schedule_warnings(c, c->inst->id, serial, exp, err);
	}
	if (strcmp(id, "ship_token") == 0) {
		rc = token_in(c, data, serial, "active", &t, err);
		if (rc)
			return rc;
		json_object_set_new(t, "state", json_string("shipped"));
		json_object_set_new(t, "shipped", json_string(day));
		json_object_set(t, "vpn_client",
				json_object_get(c->input, "vpn_client"));
		if (json_object_get(c->input, "letter_ref"))
			json_object_set(t, "letter_ref",
					json_object_get(c->input, "letter_ref"));
		return SF_OK;
	}
	if (strcmp(id, "acknowledge_token") == 0) {
		rc = token_in(c, data, serial, "shipped", &t, err);
		if (rc)
			return rc;
		json_object_set_new(t, "state", json_string("acknowledged"));
		json_object_set_new(t, "acknowledged", json_string(day));
		return SF_OK;
	}
	if (strcmp(id, "release_pin") == 0) {
		rc = token_in(c, data, serial, "acknowledged", &t, err);
		if (rc)
			return rc;
		json_object_set_new(t, "state", json_string("pin_released"));
		json_object_set_new(t, "pin_released", json_string(day));
		json_object_set_new(data, "more_tokens",
				    json_boolean(more_tokens(data)));
		return SF_OK;
	}
	return SF_OK;
}

/* Tell ROLES about convention INST, dg_requester in the convention's DG
 * only. */
static enum sf_status
tell(struct engine *e, struct instance *inst, char *const *roles, size_t n,
     const char *subject, const char *body, const char *object, sf_time now,
     struct sf_error *err)
{
	const char *dg = json_string_value(json_object_get(inst->data, "dg"));
	char *scopes = xasprintf(";dg_requester=%s;", dg ? dg : "");
	enum sf_status rc =
		engine_notify(e, roles, n, scopes, subject, body, object, now, err);

	free(scopes);
	return rc;
}

enum sf_status
conv_on_job(struct engine *e, const struct actor *sys, struct instance *inst,
	    const struct procdef *def, const char *kind, json_t *payload,
	    sf_time now, struct sf_error *err)
{
	const char *number =
		json_string_value(json_object_get(inst->data, "number"));
	const char *expires =
		json_string_value(json_object_get(payload, "expires"));
	char object[64];
	enum sf_status rc = SF_OK;

	(void)def;
	snprintf(object, sizeof(object), "%s/%lld", inst->object,
		 (long long)inst->id);
	if (!number)
		number = object;
	if (!expires)
		return SF_OK;
	if (strcmp(kind, "expiry_warning") == 0) {
		const char *serial =
			json_string_value(json_object_get(payload, "serial"));
		int days = (int)json_integer_value(
			json_object_get(payload, "days"));
		json_t *now_exp;
		char *subject, *body;

		if (serial) {
			json_t *t = token_find(inst->data, serial);
			now_exp = t ? json_object_get(t, "expires") : NULL;
		} else {
			now_exp = json_object_get(inst->data, "expires");
		}
		/* Renewed or prolonged since: that warning is void. */
		if (!json_is_string(now_exp) ||
		    strcmp(json_string_value(now_exp), expires) != 0)
			return SF_OK;
		if (serial) {
			subject = xasprintf("[secflow] Token %s of convention "
					    "%s expires in %d days (%s)",
					    serial, number, days, expires);
			body = xasprintf(
				"The token %s of the security convention %s "
				"expires on %s.  If it is needed longer, "
				"order its prolongation (seed 000 §1.2).\n",
				serial, number, expires);
		} else {
			subject = xasprintf("[secflow] Security convention %s "
					    "expires in %d days (%s)",
					    number, days, expires);
			body = xasprintf(
				"The security convention %s expires on %s; "
				"after that day its accesses are removed.  "
				"If the contract goes on, amend the "
				"convention before then.\n",
				number, expires);
		}
		{
			json_t *after = json_pack("{s:s, s:i, s:s}", "what",
						  serial ? "token" : "convention",
						  "days", days, "expires",
						  expires);
			if (serial)
				json_object_set_new(after, "serial",
						    json_string(serial));
			char *roles[1] = {"dg_requester"};
			rc = tell(e, inst, roles, 1, subject, body, object,
				  now, err);
			if (!rc)
				rc = audit_append(e->st, sys, NULL, NULL,
						  object, "expiry_warning",
						  NULL, after, now, err);
			json_decref(after);
		}
		free(subject);
		free(body);
		return rc;
	}
	if (strcmp(kind, "convention_expired") == 0) {
		json_t *acc = json_object_get(inst->data, "accesses");
		json_t *a, *after;
		struct buf b;
		size_t i;

		if (!json_is_string(json_object_get(inst->data, "expires")) ||
		    strcmp(json_string_value(
				   json_object_get(inst->data, "expires")),
			   expires) != 0)
			return SF_OK;
		buf_init(&b, 1 << 20);
		buf_addf(&b,
			 "The security convention %s expired on %s.  Its "
			 "accesses are to be removed:\n\n",
			 number, expires);
		json_array_foreach(acc, i, a)
		{
			json_t *h;
			size_t j;
			buf_addf(&b, "  %lld. %s %s %s ports %s:",
				 (long long)json_integer_value(
					 json_object_get(a, "id")),
				 json_string_value(json_object_get(a, "application")),
				 json_string_value(json_object_get(a, "environment")),
				 json_string_value(json_object_get(a, "protocol")),
				 json_string_value(json_object_get(a, "ports")));
			json_array_foreach(json_object_get(a, "hosts"), j, h)
				buf_addf(&b, " %s", json_string_value(h));
			buf_adds(&b, "\n");
			json_object_set_new(a, "state",
					    json_string("to_remove"));
		}
		json_object_set_new(inst->data, "phase", json_string("expired"));
		char *sum = engine_summary(e, inst->process, inst->data);
		rc = e->st->ops->instance_update(e->st, inst->id, inst->state,
						 inst->data, sum, inst->rev,
						 now, err);
		free(sum);
		if (!rc) {
			char *subject = xasprintf("[secflow] Security "
						  "convention %s expired: "
						  "remove its accesses",
						  number);
			char *roles[2] = {"snet", "dg_requester"};
			rc = tell(e, inst, roles, 2, subject, b.data, object,
				  now, err);
			free(subject);
		}
		after = json_pack("{s:s, s:O}", "expires", expires, "to_remove",
				  acc);
		if (!rc)
			rc = audit_append(e->st, sys, NULL, NULL, object,
					  "expired", NULL, after, now, err);
		json_decref(after);
		buf_release(&b);
		return rc;
	}
	return SF_OK;
}
