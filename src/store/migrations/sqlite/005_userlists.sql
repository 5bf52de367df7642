-- 005_userlists.sql: imported user lists (seed 002 SEC.5, SEC.6): one
-- row per import (a file of a resource, for a month or a review campaign,
-- or a workbook answered by an NA) and one row per user row, with the
-- columns reconciliation looks at and the whole typed record as JSON.
CREATE TABLE userlist_imports (
	id INTEGER PRIMARY KEY,
	resource TEXT NOT NULL,
	month TEXT,
	review_id INTEGER,
	scope TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	filename TEXT NOT NULL,
	info TEXT,
	nrows INTEGER NOT NULL,
	imported INTEGER NOT NULL,
	by_user TEXT NOT NULL
);
CREATE INDEX userlist_imports_month ON userlist_imports(resource, month);
CREATE INDEX userlist_imports_review ON userlist_imports(review_id);
CREATE TABLE userlist_rows (
	import_id INTEGER NOT NULL REFERENCES userlist_imports(id),
	n INTEGER NOT NULL,
	line INTEGER NOT NULL,
	sheet TEXT,
	uid TEXT,
	full_name TEXT,
	na TEXT,
	email TEXT,
	disabled INTEGER NOT NULL DEFAULT 0,
	data TEXT NOT NULL,
	PRIMARY KEY (import_id, n)
);
CREATE INDEX userlist_rows_uid ON userlist_rows(import_id, uid);
