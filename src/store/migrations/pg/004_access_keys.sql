-- 004_access_keys.sql: who may perform an active step and who may see an
-- instance, as indexed rows (see "access key" in store.h), so task lists
-- and list pages are index lookups instead of a scan of every row.
-- scope '' means any grant of the role will do.

CREATE TABLE step_keys (
	role TEXT NOT NULL,
	scope TEXT NOT NULL,
	step_id BIGINT NOT NULL REFERENCES steps(id),
	PRIMARY KEY (role, scope, step_id)
);
CREATE INDEX step_keys_step ON step_keys(step_id);

CREATE TABLE instance_keys (
	role TEXT NOT NULL,
	scope TEXT NOT NULL,
	object TEXT NOT NULL,
	instance_id BIGINT NOT NULL REFERENCES instances(id),
	PRIMARY KEY (role, scope, object, instance_id)
);
CREATE INDEX instance_keys_instance ON instance_keys(instance_id);

-- The keys of the steps active now, from their roles (",ds,snet,") and
-- scopes (";dg_requester=TAXUD;"): a role absent from the scopes takes
-- any scope; a scoped role whose value is empty matches nobody.
INSERT INTO step_keys(role, scope, step_id)
SELECT DISTINCT role, coalesce(split_part(tail, ';', 1), ''), step_id
FROM (SELECT r.step_id, r.role,
	     CASE WHEN strpos(r.scopes, ';' || r.role || '=') = 0 THEN NULL
	     ELSE substr(r.scopes, strpos(r.scopes, ';' || r.role || '=')
			 + length(r.role) + 2) END AS tail
      FROM (SELECT s.id AS step_id, s.scope AS scopes, x.role
	    FROM steps s,
		 unnest(string_to_array(s.roles, ',')) AS x(role)
	    WHERE s.state = 'active' AND x.role <> '') r) f
WHERE tail IS NULL OR split_part(tail, ';', 1) <> '';

-- The instances' keys need their process definitions: the engine builds
-- them when it next opens the database (engine/access.c).
INSERT INTO settings(key, value) VALUES ('instance_keys', 'rebuild')
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
