/*
 * procdef.h - process definitions: the YAML files of processes/ as C data.
 *
 * A definition is loaded once, validated whole, and never changed; running
 * instances point at the exact version (source hash) they started with.
 * The file format is documented in docs/process-format.md.
 */
#ifndef SF_PROCDEF_H
#define SF_PROCDEF_H

#include <stddef.h>

#include "core/status.h"

enum field_type {
	FT_STRING,   /* one line, max_len (default 200) */
	FT_TEXT,     /* several lines, max_len (default 20000) */
	FT_INTEGER,  /* min / max */
	FT_NUMBER,
	FT_BOOLEAN,
	FT_DATE,     /* YYYY-MM-DD */
	FT_DATETIME, /* RFC 3339 */
	FT_ENUM,     /* one of values */
	FT_EMAIL,
	FT_LIST,     /* a JSON array of item_type, or of objects (fields) */
	FT_OBJECT,   /* a JSON object with fields */
	FT_FILE,     /* {"filename","content_b64"} or a multipart part */
	FT_HOST,     /* IPv4/IPv6 address or CIDR range, or an FQDN */
	FT_PORTS,    /* a port 1-65535 or a range "8000-8100" */
};

struct field_def {
	char *name;
	char *label;
	char *help;
	enum field_type type;
	int required;
	char **values; /* FT_ENUM, or allowed items of a list of strings */
	size_t nvalues;
	int has_min, has_max;
	double min, max;	  /* numbers; list length for FT_LIST */
	size_t max_len;		  /* strings: bytes; 0 = type default */
	enum field_type item_type; /* FT_LIST of scalars */
	struct field_def *fields;  /* FT_OBJECT, FT_LIST of objects */
	size_t nfields;
	int line;
};

enum cond_op {
	COND_EQ,    /* field: value */
	COND_IN,    /* field: [a, b] */
	COND_NE,    /* field: {not: value} or {not: [a, b]} */
	COND_SET,   /* field: {set: true} */
	COND_UNSET, /* field: {set: false} */
};

/* One test of instance data; a list of them holds when all hold. */
struct cond {
	char *field;
	enum cond_op op;
	char **values; /* compared as strings; true/false for booleans */
	size_t nvalues;
	int line;
};

enum dur_unit { DUR_WORKING_DAYS, DUR_DAYS, DUR_WEEKS, DUR_MONTHS };

/* "3 working days", "14 days", "2 weeks", "1 month" */
struct duration {
	int amount;
	enum dur_unit unit;
};

struct outcome {
	struct cond *when; /* empty: the default outcome */
	size_t nwhen;
	char **next; /* step ids; several = parallel branches */
	size_t nnext;
	int end;     /* ends the whole instance */
	int line;
};

enum step_kind {
	STEP_TASK, /* performed by a person holding one of roles */
	STEP_WAIT, /* completed by the timer job when its wait is over */
};

struct step_def {
	char *id;
	char *title;
	char *description;
	enum step_kind kind;
	char **roles; /* who may perform it */
	size_t nroles;
	struct field_def *fields;
	size_t nfields;
	struct cond *when; /* run only when these hold; else skipped */
	size_t nwhen;
	char **join; /* wait until every step listed here has routed here */
	size_t njoin;
	struct outcome *outcomes; /* first whose when holds; "next:" is
				     one default outcome */
	size_t noutcomes;
	int has_sla;
	struct duration sla;
	char **notify_overdue; /* roles told when the SLA runs out */
	size_t nnotify_overdue;
	struct duration *reminders; /* after activation, to the step roles */
	size_t nreminders;
	char **notify; /* roles told when the step becomes active */
	size_t nnotify;
	int has_wait;
	struct duration wait;	/* STEP_WAIT: after activation ... */
	char *wait_until;	/* ... or until this date field of the data */
	int line;
};

/* Which instance data field scopes a scoped role in this process. */
struct scope_map {
	char *role;
	char *field;
	int line;
};

struct procdef {
	char *name;   /* "sample.approval" */
	char *title;
	int version;  /* as written in the file */
	char *object; /* API plural: "samples" */
	char *file;   /* where it was loaded from */
	char *hash;   /* SHA-256 hex of the source */
	char *source; /* the YAML text, kept for version pinning */
	struct field_def *fields; /* instance data given at start */
	size_t nfields;
	struct scope_map *scopes;
	size_t nscopes;
	char **readers; /* roles that may read every instance */
	size_t nreaders;
	/* Roles that may start an instance; none: the roles of the start
	 * steps (the first performer starts it). */
	char **starters;
	size_t nstarters;
	char **start; /* steps active at start */
	size_t nstart;
	/* The data fields a list page shows of each instance (its summary):
	 * "list:", or the names of FIELDS when absent. */
	char **list;
	size_t nlist;
	struct step_def *steps;
	size_t nsteps;
};

/*
 * Parse and validate one definition.  FILENAME is used in errors, which read
 * "FILE:LINE: what".  On success *OUT is owned by the caller
 * (procdef_free).  Validation: unknown role, unknown field type, unknown
 * step in next/join/start, a step no path reaches, a join one of whose
 * predecessors can never route to it, a condition on an undeclared field,
 * a scope for an unscoped role, a bad duration, a duplicate id, a list
 * field that is neither declared nor written by a module (procdef_list_keys).
 */
enum sf_status procdef_parse(const char *text, size_t len,
			     const char *filename, struct procdef **out,
			     struct sf_error *err);
void procdef_free(struct procdef *def);

/* The data keys the modules write themselves, which "list:" may name
 * though no fields: declares them (NULL-terminated). */
extern const char *const procdef_list_keys[];

const struct step_def *procdef_step(const struct procdef *def, const char *id);
/* Instance data field that scopes ROLE in DEF, or NULL. */
const char *procdef_scope_field(const struct procdef *def, const char *role);
/* Parse "3 working days" etc.  Returns 0 or -1. */
int duration_parse(const char *s, struct duration *out);
const char *field_type_name(enum field_type t);

#endif
