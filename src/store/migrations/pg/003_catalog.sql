-- 003_catalog.sql: numbered series (a convention's serial per DG) and
-- the small admin-kept catalogues of the modules (companies, systems and
-- their classification, organisation -> NA map, routine incident types).
CREATE TABLE counters (
	name TEXT PRIMARY KEY,
	value BIGINT NOT NULL
);
CREATE TABLE catalog (
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	data TEXT NOT NULL,
	updated BIGINT NOT NULL,
	PRIMARY KEY (kind, name)
);
-- The key Part 1 documents are sealed with (libsodium secretbox), made
-- once here so that every node of a cluster uses the same one: two
-- random UUIDs, 244 random bits (gen_random_uuid is built in since 13).
INSERT INTO settings(key, value) VALUES ('part1_key',
	replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
	ON CONFLICT (key) DO NOTHING;
