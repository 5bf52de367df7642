-- 006_admin_keys.sql: every instance gets the key ("admin", "") so an
-- admin's list pages use the instance_keys index like everyone else's;
-- the engine rebuilds the keys of the existing instances on next open.
INSERT OR REPLACE INTO settings(key, value) VALUES ('instance_keys', 'rebuild');
