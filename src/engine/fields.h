/*
 * fields.h - step and instance input checked against the field
 * declarations of a process definition (struct field_def, procdef.h).
 *
 * The rules for what a step accepts live in the YAML of processes/, never in
 * hand-written checks per step: this is the one place that applies them.
 */
#ifndef SF_FIELDS_H
#define SF_FIELDS_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"
#include "engine/procdef.h"

/*
 * Validate INPUT (a JSON object; NULL = {}) against FIELDS.  On success
 * *OUT is a new object holding only declared fields, normalised (dates as
 * YYYY-MM-DD, datetimes as UTC "...Z", enums as given, integers as
 * integers, text with LF line ends, hosts as canonical addresses, ranges
 * or lowercase names, ports as the string "443" or "8000-8100"), plus
 * "comment" when given as a string (every step accepts an optional
 * comment).  Absent, null and "" optional
 * fields are left out.  Unknown keys are an error naming the key.  Errors
 * are SF_INVALID with err->field the JSON path of the bad value, e.g.
 * "accesses[2].ports", and a message saying what was expected (for hosts
 * and ports also what was given, quoted, and why it is wrong).  INPUT is
 * not changed; the caller owns *OUT (json_decref).
 */
enum sf_status fields_validate(const struct field_def *fields, size_t n,
			       json_t *input, json_t **out,
			       struct sf_error *err);

/*
 * JSON description of FIELDS for the API and the web forms: an array of
 * {"name", "type", "required", "label", "help", "values", "min", "max",
 * "items", "fields"}, keys without a value left out ("max" of a string is
 * its effective maximum length; "min" and "max" of ports are 1 and 65535).
 * The caller owns the result.
 */
json_t *fields_describe(const struct field_def *fields, size_t n);

#endif
