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
