-- 007_summaries.sql: each instance's list summary (the data fields its
-- process's "list:" names, as JSON text), written with the data so a
-- list page reads neither the whole data nor parses it.  NULL: not made
-- yet; the engine makes them all when it next starts (setting
-- list_fields, engine/summary.c) and lists a NULL one from the data.
ALTER TABLE instances ADD COLUMN summary TEXT;
DELETE FROM settings WHERE key = 'list_fields';
