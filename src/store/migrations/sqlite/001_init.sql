-- 001_init.sql: people, calendar, process engine, audit, outbox.
-- Never edit an applied migration: add a new numbered file instead.

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	email TEXT,
	pw_hash TEXT,
	created INTEGER NOT NULL,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until INTEGER NOT NULL DEFAULT 0,
	disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE grants (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',
	UNIQUE (user_id, role, scope)
);

CREATE TABLE delegations (
	id INTEGER PRIMARY KEY,
	from_user INTEGER NOT NULL REFERENCES users(id),
	to_user INTEGER NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',
	until TEXT NOT NULL,
	created INTEGER NOT NULL
);
CREATE INDEX delegations_to ON delegations(to_user);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	kind TEXT NOT NULL,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL
);

CREATE TABLE holidays (
	day TEXT PRIMARY KEY,
	name TEXT NOT NULL
);

CREATE TABLE procdefs (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	version INTEGER NOT NULL,
	hash TEXT NOT NULL UNIQUE,
	source TEXT NOT NULL,
	loaded INTEGER NOT NULL
);

CREATE TABLE instances (
	id INTEGER PRIMARY KEY,
	procdef_id INTEGER NOT NULL REFERENCES procdefs(id),
	process TEXT NOT NULL,
	object TEXT NOT NULL,
	state TEXT NOT NULL,
	data TEXT NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	rev INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX instances_object ON instances(object, id);

CREATE TABLE steps (
	id INTEGER PRIMARY KEY,
	instance_id INTEGER NOT NULL REFERENCES instances(id),
	step TEXT NOT NULL,
	state TEXT NOT NULL,
	activated INTEGER NOT NULL,
	due TEXT,
	overdue INTEGER NOT NULL DEFAULT 0,
	completed INTEGER,
	user_name TEXT,
	role TEXT,
	acting_for TEXT,
	input TEXT,
	roles TEXT NOT NULL DEFAULT '',
	scope TEXT NOT NULL DEFAULT ''
);
CREATE INDEX steps_instance ON steps(instance_id, id);
CREATE INDEX steps_active ON steps(instance_id) WHERE state = 'active';

CREATE TABLE join_arrivals (
	instance_id INTEGER NOT NULL REFERENCES instances(id),
	join_step TEXT NOT NULL,
	from_step TEXT NOT NULL,
	PRIMARY KEY (instance_id, join_step, from_step)
);

CREATE TABLE jobs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	instance_id INTEGER NOT NULL DEFAULT 0,
	step_id INTEGER NOT NULL DEFAULT 0,
	due_at INTEGER NOT NULL,
	payload TEXT NOT NULL DEFAULT '',
	done_at INTEGER,
	lease_owner TEXT,
	lease_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_due ON jobs(due_at) WHERE done_at IS NULL;
CREATE INDEX jobs_step ON jobs(step_id) WHERE done_at IS NULL;

CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	ts INTEGER NOT NULL,
	user_name TEXT NOT NULL,
	role TEXT NOT NULL,
	acting_for TEXT NOT NULL,
	object TEXT NOT NULL,
	action TEXT NOT NULL,
	before TEXT,
	after TEXT,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_object ON audit(object, id);

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	created INTEGER NOT NULL,
	mto TEXT NOT NULL,
	mcc TEXT NOT NULL,
	mbcc TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	attachments TEXT NOT NULL,
	format TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL,
	last_error TEXT,
	sent_at INTEGER,
	object TEXT NOT NULL DEFAULT '',
	lease_owner TEXT,
	lease_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_queued ON outbox(next_attempt) WHERE state = 'queued';

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
