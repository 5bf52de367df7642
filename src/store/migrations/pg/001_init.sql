-- 001_init.sql: people, calendar, process engine, audit, outbox.
-- Never edit an applied migration: add a new numbered file instead.
--
-- The PostgreSQL twin of migrations/sqlite/001_init.sql, table by table
-- and column by column: INTEGER ids become BIGSERIAL (BIGINT where the
-- store gives the id itself, as for audit), times stay Unix seconds in
-- BIGINT, and JSON stays TEXT so both backends keep the same strings.
-- audit_head is PostgreSQL's own: the row that audit writers lock.

CREATE TABLE users (
	id BIGSERIAL PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	email TEXT,
	pw_hash TEXT,
	created BIGINT NOT NULL,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until BIGINT NOT NULL DEFAULT 0,
	disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE grants (
	id BIGSERIAL PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',
	UNIQUE (user_id, role, scope)
);

CREATE TABLE delegations (
	id BIGSERIAL PRIMARY KEY,
	from_user BIGINT NOT NULL REFERENCES users(id),
	to_user BIGINT NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',
	until TEXT NOT NULL,
	created BIGINT NOT NULL
);
CREATE INDEX delegations_to ON delegations(to_user);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id),
	kind TEXT NOT NULL,
	created BIGINT NOT NULL,
	expires BIGINT NOT NULL
);

CREATE TABLE holidays (
	day TEXT PRIMARY KEY,
	name TEXT NOT NULL
);

CREATE TABLE procdefs (
	id BIGSERIAL PRIMARY KEY,
	name TEXT NOT NULL,
	version INTEGER NOT NULL,
	hash TEXT NOT NULL UNIQUE,
	source TEXT NOT NULL,
	loaded BIGINT NOT NULL
);

CREATE TABLE instances (
	id BIGSERIAL PRIMARY KEY,
	procdef_id BIGINT NOT NULL REFERENCES procdefs(id),
	process TEXT NOT NULL,
	object TEXT NOT NULL,
	state TEXT NOT NULL,
	data TEXT NOT NULL,
	created BIGINT NOT NULL,
	updated BIGINT NOT NULL,
	rev BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX instances_object ON instances(object, id);

CREATE TABLE steps (
	id BIGSERIAL PRIMARY KEY,
	instance_id BIGINT NOT NULL REFERENCES instances(id),
	step TEXT NOT NULL,
	state TEXT NOT NULL,
	activated BIGINT NOT NULL,
	due TEXT,
	overdue INTEGER NOT NULL DEFAULT 0,
	completed BIGINT,
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
	instance_id BIGINT NOT NULL REFERENCES instances(id),
	join_step TEXT NOT NULL,
	from_step TEXT NOT NULL,
	PRIMARY KEY (instance_id, join_step, from_step)
);

CREATE TABLE jobs (
	id BIGSERIAL PRIMARY KEY,
	kind TEXT NOT NULL,
	instance_id BIGINT NOT NULL DEFAULT 0,
	step_id BIGINT NOT NULL DEFAULT 0,
	due_at BIGINT NOT NULL,
	payload TEXT NOT NULL DEFAULT '',
	done_at BIGINT,
	lease_owner TEXT,
	lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX jobs_due ON jobs(due_at) WHERE done_at IS NULL;
CREATE INDEX jobs_step ON jobs(step_id) WHERE done_at IS NULL;

CREATE TABLE audit (
	id BIGINT PRIMARY KEY,
	ts BIGINT NOT NULL,
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

-- The last record of the chain, one row: audit_head() locks it (SELECT
-- ... FOR UPDATE) and audit_insert() moves it, so two transactions can
-- never both append after the same record.
CREATE TABLE audit_head (
	one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
	id BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head(id, hash) VALUES (0, '');

CREATE TABLE outbox (
	id BIGSERIAL PRIMARY KEY,
	created BIGINT NOT NULL,
	mto TEXT NOT NULL,
	mcc TEXT NOT NULL,
	mbcc TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	attachments TEXT NOT NULL,
	format TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt BIGINT NOT NULL,
	last_error TEXT,
	sent_at BIGINT,
	object TEXT NOT NULL DEFAULT '',
	lease_owner TEXT,
	lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_queued ON outbox(next_attempt) WHERE state = 'queued';

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
