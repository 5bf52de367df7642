-- 004_access_keys.sql: who may perform an active step and who may see an
-- instance, as indexed rows (see "access key" in store.h), so task lists
-- and list pages are index lookups instead of a scan of every row.
-- scope '' means any grant of the role will do.

CREATE TABLE step_keys (
	role TEXT NOT NULL,
	scope TEXT NOT NULL,
	step_id INTEGER NOT NULL REFERENCES steps(id),
	PRIMARY KEY (role, scope, step_id)
) WITHOUT ROWID;
CREATE INDEX step_keys_step ON step_keys(step_id);

CREATE TABLE instance_keys (
	role TEXT NOT NULL,
	scope TEXT NOT NULL,
	object TEXT NOT NULL,
	instance_id INTEGER NOT NULL REFERENCES instances(id),
	PRIMARY KEY (role, scope, object, instance_id)
) WITHOUT ROWID;
CREATE INDEX instance_keys_instance ON instance_keys(instance_id);

-- The keys of the steps active now, from their roles (",ds,snet,") and
-- scopes (";dg_requester=TAXUD;"): a role absent from the scopes takes
-- any scope; a scoped role whose value is empty matches nobody.
INSERT INTO step_keys(role, scope, step_id)
WITH RECURSIVE split(step_id, scopes, rest, role) AS (
	SELECT id, scope, substr(roles, 2), NULL FROM steps
	WHERE state = 'active'
	UNION ALL
	SELECT step_id, scopes, substr(rest, instr(rest, ',') + 1),
	       substr(rest, 1, instr(rest, ',') - 1)
	FROM split WHERE instr(rest, ',') > 0
), found(step_id, role, tail) AS (
	SELECT step_id, role,
	       CASE WHEN instr(scopes, ';' || role || '=') = 0 THEN NULL
	       ELSE substr(scopes, instr(scopes, ';' || role || '=')
			   + length(role) + 2) END
	FROM split WHERE role IS NOT NULL AND role <> ''
)
SELECT DISTINCT role, coalesce(substr(tail, 1, instr(tail, ';') - 1), ''),
       step_id
FROM found WHERE tail IS NULL OR instr(tail, ';') > 1;

-- The instances' keys need their process definitions: the engine builds
-- them when it next opens the database (engine/access.c).
INSERT OR REPLACE INTO settings(key, value) VALUES ('instance_keys', 'rebuild');
