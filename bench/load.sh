#!/usr/bin/env bash
# bench/load.sh DB INSTANCES AUDIT - grow a secflow database to INSTANCES
# samples, INSTANCES conventions and INSTANCES incidents, and AUDIT audit
# records, fast, for the list benchmarks.
#
# DB (a SQLite file or a postgresql:// URL) must already hold some
# instances made the real way, the templates: samples started and
# submitted through the API by bench/run.sh, conventions and incidents
# made by bench/templates.sh.  For each kind that has templates, their
# rows are copied by INSERT ... SELECT in one transaction until there are
# INSTANCES of it: the instance (its list summary changed as its data),
# its steps, its access keys (instance_keys, and step_keys of the active
# steps), its jobs (a convention's expiry
# warnings) and its catalogue entries (an incident's reference), each copy
# with other scope values, so visibility differs per user: samples under
# one of 20 DGs (TAXUD, DG01..DG19; a third of the copies done),
# conventions under one of 20 DGs and one of 7 companies (ACME,
# CO01..CO06), incidents for one of 10 NAs (BE, NA01..NA09) with their own
# references.  A copy is listed, shown and offered as a task exactly as
# an instance made through the API would be; with the users of
# bench/templates.sh present, a few are checked by showing them as the
# right and the wrong users, and whole lists as a company, a DG requester
# and a NISO (SECFLOW_BIN, default build-bench/secflow); a failure stops
# the script.
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

[ "$(echo "SELECT count(*) FROM instances;" | sql)" -gt 0 ] || {
	echo "load.sh: no template instances in $db" >&2
	exit 1
}
a=$(echo "SELECT coalesce(max(id), 0) FROM audit;" | sql)
naudit=$((audit - a))
[ "$naudit" -gt 0 ] || naudit=0
# series NAME N: the integers 1..N as column NAME
series() {
	if [ "$pg" = 1 ]; then
		echo "SELECT generate_series(1, $2) AS $1"
	else
		echo "WITH RECURSIVE c($1) AS (SELECT 1 UNION ALL SELECT $1 + 1 FROM c WHERE $1 < $2) SELECT $1 FROM c"
	fi
}
# code PREFIX MOD FIRST V: PREFIX followed by V % MOD on two digits, or
# FIRST when that is 0 (the templates' own value)
code() { echo "CASE WHEN ($4) % $2 = 0 THEN '$3' ELSE '$1' || CASE WHEN ($4) % $2 < 10 THEN '0' ELSE '' END || (($4) % $2) END"; }

# copy OBJECT: copies of OBJECT's templates until there are $want of them.
# In the statements, ti/ts/tj number the templates' instances, steps and
# jobs (r), copy k of template r gets instance id I0 + (k-1)*m + r, and
# v = r + k picks its scope values.
copy() {
	local obj=$1 m ms mj i0 s0 j0 copies data sscope kscope extra=
	m=$(echo "SELECT count(*) FROM instances WHERE object = '$obj';" | sql)
	if [ "$m" = 0 ]; then
		echo "load.sh: no $obj templates: none copied"
		return 0
	fi
	[ "$m" -lt "$want" ] || return 0
	ms=$(echo "SELECT count(*) FROM steps s JOIN instances i ON i.id = s.instance_id WHERE i.object = '$obj';" | sql)
	mj=$(echo "SELECT count(*) FROM jobs j JOIN instances i ON i.id = j.instance_id WHERE i.object = '$obj';" | sql)
	i0=$(echo "SELECT coalesce(max(id), 0) FROM instances;" | sql)
	s0=$(echo "SELECT coalesce(max(id), 0) FROM steps;" | sql)
	j0=$(echo "SELECT coalesce(max(id), 0) FROM jobs;" | sql)
	copies=$(((want + m - 1) / m - 1))
	local nid="$i0 + (k - 1) * $m"
	local done_when="0 = 1" # the copies of samples: a third are done
	case $obj in
	samples)
		# (DG00 is TAXUD, the bench dg_requester's scope: it sees one in 20)
		local dg; dg=$(code DG 20 TAXUD v)
		data="replace(i.data, '\"TAXUD\"', '\"' || $dg || '\"')"
		sscope="replace(t.scope, '=TAXUD;', '=' || $dg || ';')"
		kscope="CASE WHEN x.scope = 'TAXUD' THEN $dg ELSE x.scope END"
		done_when="v % 3 = 0"
		;;
	conventions)
		# 20 DGs (TAXUD one of them) and 7 companies (ACME, CO01..CO06)
		local dg co; dg=$(code DG 20 TAXUD v); co=$(code CO 7 ACME v)
		data="replace(replace(i.data, '\"dg\":\"TAXUD\"', '\"dg\":\"' || $dg || '\"'), '\"company\":\"ACME\"', '\"company\":\"' || $co || '\"')"
		sscope="replace(replace(t.scope, '=TAXUD;', '=' || $dg || ';'), '=ACME;', '=' || $co || ';')"
		kscope="CASE x.scope WHEN 'TAXUD' THEN $dg WHEN 'ACME' THEN $co ELSE x.scope END"
		;;
	incidents)
		# 10 NAs (BE, NA01..NA09); references BENCH-K-N, in the catalogue
		local na; na=$(code NA 10 BE v)
		data="replace(replace(i.data, '\"BE\"', '\"' || $na || '\"'), '\"reference\":\"BENCH-', '\"reference\":\"BENCH-' || k || '-')"
		sscope="t.scope"
		kscope="CASE WHEN x.scope = 'BE' THEN $na ELSE x.scope END"
		extra="INSERT INTO catalog(kind, name, data, updated)
SELECT 'incident_ref', 'BENCH-' || k || '-' || substr(c.name, 7),
       '{\"id\":' || ($nid + ti.r) || '}', c.updated
FROM catalog c JOIN ti ON c.kind = 'incident_ref' AND c.data = '{\"id\":' || ti.id || '}'
JOIN cp ON cp.r = ti.r WHERE c.name LIKE 'BENCH-%';"
		;;
	*)
		echo "load.sh: no copy rule for $obj" >&2
		exit 1
		;;
	esac
	sql <<SQL
BEGIN;
CREATE TEMP TABLE ti AS SELECT id, row_number() OVER (ORDER BY id) AS r FROM instances WHERE object = '$obj';
CREATE TEMP TABLE ts AS SELECT s.id, s.instance_id, ti.r AS ir, row_number() OVER (ORDER BY s.id) AS r FROM steps s JOIN ti ON ti.id = s.instance_id;
CREATE TEMP TABLE tj AS SELECT j.id, ti.r AS ir, row_number() OVER (ORDER BY j.id) AS r FROM jobs j JOIN ti ON ti.id = j.instance_id;
CREATE TEMP TABLE cp AS SELECT ti.r AS r, k, ti.r + k AS v FROM ti, ($(series k "$copies")) s WHERE (k - 1) * $m + ti.r <= $want - $m;
INSERT INTO instances(id, procdef_id, process, object, state, data, summary, created, updated, rev)
SELECT $nid + ti.r, i.procdef_id, i.process, i.object,
       CASE WHEN $done_when THEN 'done' ELSE i.state END,
       $data, ${data//i.data/i.summary}, i.created + k, i.updated + k, i.rev
FROM instances i JOIN ti ON ti.id = i.id JOIN cp ON cp.r = ti.r;
INSERT INTO steps(id, instance_id, step, state, activated, due, overdue, completed,
                  user_name, role, acting_for, input, roles, scope)
SELECT $s0 + (k - 1) * $ms + ts.r, $nid + ts.ir, t.step,
       CASE WHEN t.state = 'active' AND $done_when THEN 'done' ELSE t.state END,
       t.activated, t.due, t.overdue, t.completed, t.user_name, t.role,
       t.acting_for, t.input, t.roles, $sscope
FROM steps t JOIN ts ON ts.id = t.id JOIN cp ON cp.r = ts.ir;
INSERT INTO instance_keys(role, scope, object, instance_id)
SELECT x.role, $kscope, x.object, $nid + ti.r
FROM instance_keys x JOIN ti ON ti.id = x.instance_id JOIN cp ON cp.r = ti.r;
INSERT INTO step_keys(role, scope, step_id)
SELECT x.role, $kscope, $s0 + (k - 1) * $ms + ts.r
FROM step_keys x JOIN ts ON ts.id = x.step_id JOIN cp ON cp.r = ts.ir
WHERE NOT ($done_when);
INSERT INTO jobs(id, kind, instance_id, step_id, due_at, payload, done_at, lease_owner, lease_until)
SELECT $j0 + (k - 1) * $mj + tj.r, j.kind, $nid + tj.ir,
       CASE WHEN j.step_id = 0 THEN 0 ELSE $s0 + (k - 1) * $ms + (SELECT ts.r FROM ts WHERE ts.id = j.step_id) END,
       j.due_at, j.payload, j.done_at, j.lease_owner, j.lease_until
FROM jobs j JOIN tj ON tj.id = j.id JOIN cp ON cp.r = tj.ir;
$extra
DROP TABLE ti;
DROP TABLE ts;
DROP TABLE tj;
DROP TABLE cp;
COMMIT;
SQL
	echo "load.sh: $obj: $m templates, $((copies)) rounds of copies"
}
for obj in samples conventions incidents; do
	copy "$obj"
done

# audit body ~ what the engine writes for a step
after="'{\"step\":\"review_ds\",\"input\":{\"decision\":\"accept\",\"feedback\":\"looks fine, record ' || n || '\"},\"state\":\"running\"}'"
hash="'bench0000000000000000000000000000000000000000000000000000' || n"
sql <<SQL
BEGIN;
INSERT INTO audit(id, ts, user_name, role, acting_for, object, action, before, after, prev_hash, hash)
SELECT $a + n, 1796288400 + n, 'bench.ds', 'ds', '',
       'samples/' || (1 + (n - 1) % $want), 'step:review_ds', NULL, $after,
       $hash, $hash
FROM ($(series n "$naudit")) s;
COMMIT;
SQL
if [ "$pg" = 1 ]; then
	sql <<'SQL'
UPDATE audit_head SET (id, hash) = (SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1);
SELECT setval('instances_id_seq', (SELECT max(id) FROM instances));
SELECT setval('steps_id_seq', (SELECT max(id) FROM steps));
SELECT setval('jobs_id_seq', (SELECT max(id) FROM jobs));
ANALYZE;
SQL
else
	echo "ANALYZE;" | sql
fi >/dev/null
# The copies must be seen exactly as real ones: a few GETs (the CLI's
# show, as a user) by the right and the wrong users, and whole lists.
# Needs the users of bench/templates.sh; SECFLOW_BIN is the program.
sf=${SECFLOW_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build-bench/secflow}
fail() {
	echo "load.sh: FAILED: $*" >&2
	exit 1
}
# sees USER OBJECT ID: 0 when USER may read OBJECT/ID
sees() { SECFLOW_DB=$db "$sf" --as "$1" --json "$2" show "$3" >/dev/null 2>&1; }
# one OBJECT LIKE: the id of the newest instance of OBJECT whose data is LIKE
one() { echo "SELECT max(id) FROM instances WHERE object = '$1' AND data LIKE '$2';" | sql; }
if SECFLOW_DB=$db "$sf" user list 2>/dev/null | grep -q '^bench.co2 '; then
	c=$(one conventions '%"dg":"TAXUD","company":"CO03"%')
	[ -n "$c" ] || fail "no copied convention of TAXUD and CO03"
	sees bench.req conventions "$c" || fail "TAXUD's requester does not see conventions/$c"
	sees bench.co2 conventions "$c" || fail "company CO03 does not see its conventions/$c"
	! sees bench.co conventions "$c" || fail "company ACME sees CO03's conventions/$c"
	c=$(one conventions '%"dg":"DG05","company":"ACME"%')
	sees bench.co conventions "$c" || fail "company ACME does not see its conventions/$c"
	! sees bench.req conventions "$c" || fail "TAXUD's requester sees DG05's conventions/$c"
	i=$(one incidents '%"nisos":["NA03"]%')
	[ -n "$i" ] || fail "no copied incident of NA03"
	sees bench.niso2 incidents "$i" || fail "the NISO of NA03 does not see incidents/$i"
	sees bench.sm incidents "$i" || fail "the Security Manager does not see incidents/$i"
	! sees bench.niso incidents "$i" || fail "the NISO of BE sees NA03's incidents/$i"
	! sees bench.req incidents "$i" || fail "a DG requester sees incidents/$i"
	for w in "bench.co2 conventions company CO03" "bench.req conventions dg TAXUD" \
		"bench.niso incidents na BE"; do
		set -- $w
		want=$(echo "SELECT count(*) FROM instances WHERE object = '$2' AND data LIKE '%\"$3\":\"$4\"%';" | sql)
		SECFLOW_DB=$db "$sf" --as "$1" --json "$2" list | python3 -c '
import json, sys
v = json.load(sys.stdin)
f, val, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
bad = [o["id"] for o in v if o["data"].get(f) != val]
if bad or len(v) != want:
    sys.exit("%d listed (%d expected), %d with another %s" % (len(v), want, len(bad), f))
' "$3" "$4" "$want" || fail "$1's list of $2"
	done
	echo "load.sh: copies seen and listed as real ones (conventions: DG, company; incidents: NA)"
fi
echo "load.sh: $(echo "SELECT count(*) FROM instances;" | sql) instances," \
	"$(echo "SELECT count(*) FROM steps;" | sql) steps," \
	"$(echo "SELECT count(*) FROM audit;" | sql) audit records"
