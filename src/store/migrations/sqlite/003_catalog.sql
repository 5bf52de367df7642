-- 003_catalog.sql: numbered series (a convention's serial per DG) and
-- the small admin-kept catalogues of the modules (companies, systems and
-- their classification, organisation -> NA map, routine incident types).
CREATE TABLE counters (
	name TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
CREATE TABLE catalog (
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	data TEXT NOT NULL,
	updated INTEGER NOT NULL,
	PRIMARY KEY (kind, name)
);
-- The key Part 1 documents are sealed with (libsodium secretbox), made
-- once here so that every node of a cluster uses the same one.
INSERT INTO settings(key, value) VALUES ('part1_key', lower(hex(randomblob(32))))
	ON CONFLICT(key) DO NOTHING;
