#!/usr/bin/env bash
# t_cli.sh - the CLI contract: help, exit codes, one-line errors, migrate,
# users and roles, calendar, process definitions, backup, audit verify.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

sf help
check_rc 0 "help exits 0"
check_match "migrate" "$OUT" "help lists the verbs"
sf
check_rc 2 "no verb is a usage error"
sf frobnicate
check_rc 2 "an unknown verb is a usage error"
check_match 'unknown verb "frobnicate"' "$ERR" "the error names the verb"
sf user --help
check_rc 0 "VERB --help exits 0"
check_match "user grant NAME ROLE" "$OUT" "user --help documents grant"
sf migrate --bogus
check_rc 2 "an unknown option is a usage error"

sf migrate
check_rc 0 "migrate on an empty database"
check_match "schema version [0-9]+ \([1-9][0-9]* migrations? applied\)" "$OUT" "migrations applied"
sf --json migrate
check_rc 0 "migrate again"
check_eq "$(jget "$OUT" applied)" "0" "nothing applied the second time"

add_user alice dg_requester TAXUD
sf user add alice
check_rc 1 "a duplicate user is refused"
check_match 'already exists' "$ERR" "the error says why"
sf user grant alice nosuchrole
check_rc 1 "an unknown role is refused"
sf user grant alice dg_requester
check_rc 1 "a scoped role needs a scope"
check_match "scope" "$ERR" "the error names the scope"
sf user grant alice ds --scope X
check_rc 1 "an unscoped role takes no scope"
sf --json user show alice
check_eq "$(jget "$OUT" roles.0.scope)" "TAXUD" "user show gives the scoped role"
printf '\n' | "$SECFLOW_BIN" user passwd alice 2>/dev/null
RC=$?; check_rc 1 "an empty password is refused"
ERR=$(printf 'short\n' | "$SECFLOW_BIN" user passwd alice 2>&1 >/dev/null)
RC=$?; check_rc 0 "a short password is accepted"
check_match "warning: the password is shorter than 8" "$ERR" "with a warning"

sf --json process list
check_match '"name": "sample.approval"' "$OUT" "process list"
sf process show sample.approval --dot
check_match '^digraph "sample.approval"' "$OUT" "process show --dot prints DOT"
check_match '"review_ds" -> "revise_ds"' "$OUT" "DOT has the loop edge"
sf process show nosuch
check_rc 1 "an unknown process is an error"

# A broken definition is refused with file and line.
mkdir -p bad
cp "$SECFLOW_SOURCE_DIR/processes/sample.approval.yaml" bad/
sed -i 's/roles: \[snet\]/roles: [snett]/' bad/sample.approval.yaml
line=$(grep -n 'roles: \[snett\]' bad/sample.approval.yaml | cut -d: -f1)
sf process check bad
check_rc 1 "process check refuses an unknown role"
check_match "sample.approval.yaml:$line:.*snett" "$ERR" "the error names file and line"

sf calendar add-working-days 2026-05-21 3
check_eq "$OUT" "2026-05-27" "3 working days from Thu 21 May 2026 skip Whit Monday"
cat > extra.ics <<'ICS'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//secflow//test//EN
BEGIN:VEVENT
UID:t1@secflow
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260526
SUMMARY:Test holiday
END:VEVENT
END:VCALENDAR
ICS
sf calendar import extra.ics
check_rc 0 "calendar import"
sf calendar add-working-days 2026-05-21 3
check_eq "$OUT" "2026-05-28" "the imported holiday counts"
printf 'garbage' > bad.ics
sf calendar import bad.ics
check_rc 1 "a bad calendar is refused"
check_match "bad.ics" "$ERR" "the error names the file"

SECFLOW_NOW=yesterday "$SECFLOW_BIN" tick 2>.e; RC=$?; ERR=$(cat .e)
check_rc 2 "a bad SECFLOW_NOW is a usage error"
check_match "SECFLOW_NOW" "$ERR" "the error names SECFLOW_NOW"

sf --as alice sample start --body '{"title":"x","dg":"TAXUD","hosting":"dg"}'
check_rc 0 "alice starts a sample"
sf --as alice sample start --body '{"title":"x","dg":"TAXUD","hosting":"dg"'
check_rc 2 "a malformed body is a usage error"
sf --as alice sample step 1 submit --body '{"nosuch":1}'
check_rc 1 "an unknown field is refused"
check_match "nosuch" "$ERR" "the error names the field"
sf --as alice --json sample step 1 submit
check_rc 0 "alice submits"
check_eq "$(jget "$OUT" active_steps.0.step)" "review_ds" "review_ds waits"

sf backup copy.db
if on_pg; then
	# PostgreSQL is backed up with pg_dump: a clear refusal, no file.
	check_rc 2 "backup refuses a PostgreSQL database"
	check_match "pg_dump" "$ERR" "the refusal points to pg_dump"
	check_eq "$(ls copy.db 2>/dev/null)" "" "no backup file is written"
else
	check_rc 0 "backup"
	sf --db copy.db audit verify
	check_rc 0 "the backup's audit chain holds"
	sf --db copy.db --json user show alice
	check_eq "$(jget "$OUT" name)" "alice" "the backup holds the users"
fi

sf audit verify
check_rc 0 "audit verify passes"
n=$(db_exec "SELECT id FROM audit WHERE action = 'step:submit'")
db_exec "UPDATE audit SET after = replace(after, 'review_ds', 'review_xx') WHERE id = $n"
sf audit verify
check_rc 1 "audit verify fails on an altered record"
check_match "record $n" "$ERR" "it names the first broken record"

t_done
