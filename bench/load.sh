#!/usr/bin/env bash
# bench/load.sh DB INSTANCES AUDIT - grow a secflow database to INSTANCES
# sample instances and AUDIT audit records, fast, for the list benchmarks.
#
# DB (a SQLite file or a postgresql:// URL) must already hold some sample
# instances made the real way (through the API: bench/run.sh starts and
# submits them): they are the templates.  Their rows (instance, steps) are
# copied by INSERT ... SELECT in one transaction until there are INSTANCES,
# each copy under one of 20 DGs (TAXUD, DG01..DG19; the templates are TAXUD),
# and one third of the copies are marked done.  Their access keys
# (instance_keys, and step_keys of the steps still active) are copied the
# same way, with the DG as scope, so a copy is listed and offered as a task
# exactly as an instance made through the API would be.  Jobs are not
# copied.
# Audit records are then generated raw, about ten per instance, up to AUDIT
# in all: they look like the engine's, but their hashes are made up, so
# the bench database is NOT chain-valid (`secflow audit verify` fails on
# it); that is fine for a load benchmark, never do it to a real database.
set -euo pipefail
db=$1
want=${2:-100000}
audit=${3:-1000000}

case "$db" in
postgres://* | postgresql://*)
	sql() { psql "$db" -qAtX -v ON_ERROR_STOP=1 "$@"; }
	pg=1
	;;
*)
	sql() { sqlite3 -batch "$db" "$@"; }
	pg=0
	;;
esac

m=$(echo "SELECT coalesce(max(id), 0) FROM instances;" | sql)
[ "$m" -gt 0 ] || {
	echo "load.sh: no template instances in $db" >&2
	exit 1
}
s=$(echo "SELECT coalesce(max(id), 0) FROM steps;" | sql)
a=$(echo "SELECT coalesce(max(id), 0) FROM audit;" | sql)
copies=$(((want + m - 1) / m - 1))
naudit=$((audit - a))
[ "$naudit" -gt 0 ] || naudit=0

if [ "$pg" = 1 ]; then
	k_series="SELECT generate_series(1, $copies) AS k"
	a_series="SELECT generate_series(1, $naudit) AS n"
else
	k_series="WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < $copies) SELECT k FROM c"
	a_series="WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $naudit) SELECT n FROM c"
fi
# dg ID: the DG of the copy K of template ID
# (DG00 is TAXUD, the bench dg_requester's scope: it sees one in 20)
dg() { if [ "$pg" = 1 ]; then echo "replace('DG' || lpad((($1 + k) % 20)::text, 2, '0'), 'DG00', 'TAXUD')"; else echo "replace('DG' || substr('0' || (($1 + k) % 20), -2, 2), 'DG00', 'TAXUD')"; fi; }
# audit body ~ what the engine writes for a step
after="'{\"step\":\"review_ds\",\"input\":{\"decision\":\"accept\",\"feedback\":\"looks fine, record ' || n || '\"},\"state\":\"running\"}'"
hash="'bench0000000000000000000000000000000000000000000000000000' || n"

sql <<SQL
BEGIN;
INSERT INTO instances(id, procdef_id, process, object, state, data, created, updated, rev)
SELECT i.id + k * $m, i.procdef_id, i.process, i.object,
       CASE WHEN (i.id + k) % 3 = 0 THEN 'done' ELSE i.state END,
       replace(i.data, '"TAXUD"', '"' || $(dg i.id) || '"'),
       i.created + k, i.updated + k, i.rev
FROM instances i, ($k_series) s WHERE i.id <= $m AND i.id + k * $m <= $want;
INSERT INTO steps(id, instance_id, step, state, activated, due, overdue, completed,
                  user_name, role, acting_for, input, roles, scope)
SELECT t.id + k * $s, t.instance_id + k * $m, t.step,
       CASE WHEN t.state = 'active' AND (t.instance_id + k) % 3 = 0 THEN 'done' ELSE t.state END,
       t.activated, t.due, t.overdue, t.completed, t.user_name, t.role,
       t.acting_for, t.input, t.roles,
       replace(t.scope, '=TAXUD;', '=' || $(dg t.instance_id) || ';')
FROM steps t, ($k_series) s WHERE t.id <= $s AND t.instance_id + k * $m <= $want;
INSERT INTO instance_keys(role, scope, object, instance_id)
SELECT x.role, CASE WHEN x.scope = 'TAXUD' THEN $(dg x.instance_id) ELSE x.scope END,
       x.object, x.instance_id + k * $m
FROM instance_keys x, ($k_series) s WHERE x.instance_id <= $m AND x.instance_id + k * $m <= $want;
INSERT INTO step_keys(role, scope, step_id)
SELECT y.role, CASE WHEN y.scope = 'TAXUD' THEN $(dg t.instance_id) ELSE y.scope END,
       y.step_id + k * $s
FROM step_keys y JOIN steps t ON t.id = y.step_id, ($k_series) s
WHERE y.step_id <= $s AND t.instance_id + k * $m <= $want AND (t.instance_id + k) % 3 <> 0;
INSERT INTO audit(id, ts, user_name, role, acting_for, object, action, before, after, prev_hash, hash)
SELECT $a + n, 1796288400 + n, 'bench.ds', 'ds', '',
       'samples/' || (1 + (n - 1) % $want), 'step:review_ds', NULL, $after,
       $hash, $hash
FROM ($a_series) s;
COMMIT;
SQL
if [ "$pg" = 1 ]; then
	sql <<'SQL'
UPDATE audit_head SET (id, hash) = (SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1);
SELECT setval('instances_id_seq', (SELECT max(id) FROM instances));
SELECT setval('steps_id_seq', (SELECT max(id) FROM steps));
ANALYZE;
SQL
else
	echo "ANALYZE;" | sql
fi >/dev/null
echo "load.sh: $(echo "SELECT count(*) FROM instances;" | sql) instances," \
	"$(echo "SELECT count(*) FROM steps;" | sql) steps," \
	"$(echo "SELECT count(*) FROM audit;" | sql) audit records"
