#!/usr/bin/env bash
# t_backup_restore.sh - back up a living database and restore it, on the
# backend under test: SQLite through `secflow backup` (online, while a
# server writes), PostgreSQL through pg_dump / pg_restore as
# docs/operations.md says; the restored copy holds the data and its audit
# chain verifies.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

add_user req.taxud dg_requester TAXUD
for i in 1 2 3; do
	"$SECFLOW_BIN" --as req.taxud sample start --body "{\"title\":\"b$i\",\"dg\":\"TAXUD\",\"hosting\":\"dg\"}" >/dev/null
done
"$SECFLOW_BIN" --as req.taxud sample step 2 submit >/dev/null
start_server --tick-interval 0 || exit 1
login req.taxud

if [ "${SECFLOW_TEST_BACKEND:-sqlite}" = pg ]; then
	restored="${T_PG_DB}_r"
	pg_dump --format=custom --file="$T_DIR/dump" "$SECFLOW_DB" 2>"$T_DIR/.e"
	RC=$?; ERR=$(cat "$T_DIR/.e")
	check_rc 0 "pg_dump of the running database"
	psql "$SECFLOW_TEST_PG" -qAtX -c "CREATE DATABASE $restored" >/dev/null
	RESTORED=$(printf '%s' "$SECFLOW_TEST_PG" |
		sed -E "s#^([a-z]+://[^/?]*)(/[^?]*)?#\\1/$restored#")
	pg_restore --no-owner --dbname="$RESTORED" "$T_DIR/dump" 2>"$T_DIR/.e"
	RC=$?; ERR=$(cat "$T_DIR/.e")
	check_rc 0 "pg_restore into a new database"
	trap 'psql "$SECFLOW_TEST_PG" -qAtX -c "DROP DATABASE IF EXISTS $restored" >/dev/null 2>&1; t_cleanup' EXIT
else
	# Writes go on while the backup is taken.
	( for i in 4 5 6; do
		http POST /api/v1/samples "{\"title\":\"b$i\",\"dg\":\"TAXUD\",\"hosting\":\"dg\"}"
	done ) &
	writer=$!
	sf backup "$T_DIR/copy.db"
	check_rc 0 "secflow backup while the server writes"
	wait $writer
	RESTORED="$T_DIR/restored.db"
	cp "$T_DIR/copy.db" "$RESTORED"
fi

sf --db "$RESTORED" audit verify
check_rc 0 "the restored copy's audit chain verifies"
sf --db "$RESTORED" --json sample show 2
check_eq "$(jget "$OUT" active_steps.0.step)" "review_ds" "the restored copy holds the step done before the backup"
sf --db "$RESTORED" --json user show req.taxud
check_eq "$(jget "$OUT" roles.0.scope)" "TAXUD" "and the users with their roles"
sf --db "$RESTORED" --as req.taxud --json sample step 1 submit
check_rc 0 "the restored copy works: a step on it"
sf --db "$RESTORED" audit verify
check_rc 0 "and its chain still verifies after the step"
t_done
