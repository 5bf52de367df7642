#!/usr/bin/env bash
# t_crash.sh - SPEC §5: "a crash (kill -9) at any moment loses no committed
# transition and leaves the audit chain valid".
#
# crash_driver.py starts 100 samples (hosting dg: one review path) and
# drives 1,000 step requests from four keep-alive workers, while its killer
# thread SIGKILLs the server at random moments (12 times with requests in
# flight, and now and then once more while it starts up) and starts it
# again on the same database and port.  Every request is logged with its
# outcome; then the driver compares the log with the histories, the active
# steps and the audit trail, and `secflow audit verify` checks the chain.
# Uses only $SECFLOW_DB and lib.sh, so it runs on either backend.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

DRIVER="$SECFLOW_SOURCE_DIR/tests/integration/crash_driver.py"
PIDFILE="$T_DIR/server.pid"
SEED=${SECFLOW_CRASH_SEED:-$RANDOM}
T0=$SECONDS

# The driver restarts the server itself: whatever it started last goes
# down with the test, before lib.sh's own clean-up.
# shellcheck disable=SC2317 # called from the trap
crash_cleanup() {
	local pid
	pid=$(cat "$PIDFILE" 2>/dev/null)
	if [ -n "$pid" ] && [ "$pid" != "$T_SERVER_PID" ]; then
		kill -KILL "$pid" 2>/dev/null
	fi
}
prev_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
# shellcheck disable=SC2064
trap "crash_cleanup; $prev_trap" EXIT

finish() {
	if [ "$T_FAIL" -gt 0 ]; then
		echo "# server log (last 40 lines):"
		tail -n 40 "$T_DIR/server.log" | sed 's/^/#   /'
	fi
	echo "# seed $SEED (SECFLOW_CRASH_SEED reruns it), $((SECONDS - T0)) s"
	t_done
}

add_user crash.req dg_requester TAXUD || not_ok "add crash.req"
add_user crash.ds ds || not_ok "add crash.ds"
add_user crash.sig ds_signatory || not_ok "add crash.sig"
tok() { "$SECFLOW_BIN" --json user token "$1" | python3 -c \
	'import json,sys; print(json.load(sys.stdin)["token"])'; }
TOK_REQ=$(tok crash.req)
TOK_DS=$(tok crash.ds)
TOK_SIG=$(tok crash.sig)

start_server --tick-interval 1 || { not_ok "server starts"; finish; }
echo "$T_SERVER_PID" >"$PIDFILE"
# The driver kills this one: no "Killed" notice from the shell.
disown "$T_SERVER_PID" 2>/dev/null

timeout -k 5 90 python3 -S "$DRIVER" run --base "$BASE" --bin "$SECFLOW_BIN" \
	--pidfile "$PIDFILE" --server-pid "$T_SERVER_PID" \
	--server-log "$T_DIR/server.log" --log "$T_DIR/requests.json" \
	--tokens="req=$TOK_REQ,ds=$TOK_DS,sig=$TOK_SIG" \
	--instances 100 --requests 1000 --workers 4 --kills 12 \
	--seconds 60 --seed "$SEED" >"$T_DIR/run.out" 2>&1
RC=$?
ERR=$(cat "$T_DIR/run.out")
check_rc 0 "the driver ran to the end"
echo "# run: $(tail -n 1 "$T_DIR/run.out")"
# The first server was ours; the last one is the driver's.
T_SERVER_PID=$(cat "$PIDFILE")
[ -s "$T_DIR/requests.json" ] || { not_ok "the driver wrote its log"; finish; }

sf --json audit list
check_rc 0 "audit list after the run"
printf '%s' "$OUT" >"$T_DIR/audit.json"
timeout 60 python3 -S "$DRIVER" check --base "$BASE" --token="$TOK_DS" \
	--log "$T_DIR/requests.json" --audit "$T_DIR/audit.json" \
	--min-kills 10 --min-requests 1000 >"$T_DIR/check.out" 2>&1
RC=$?
ERR=
while IFS=$'\t' read -r res what detail; do
	case "$res" in
	ok) ok "$what" ;;
	"not ok") not_ok "$what" "$detail" ;;
	"#") echo "# $what" ;;
	*) not_ok "checker output" "$res $what $detail" ;;
	esac
done <"$T_DIR/check.out"
check_rc 0 "the checker ran"

sf audit verify
check_rc 0 "the audit chain verifies after $(
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kills"])' \
		"$T_DIR/requests.json") kills"

# One more kill with nothing in flight: the database still opens and the
# chain still holds.
kill -KILL "$T_SERVER_PID" 2>/dev/null
sleep 0.1
T_SERVER_PID=
: >"$PIDFILE"
sf --json audit verify
check_rc 0 "audit verify after the last kill"
check_nomatch 'AddressSanitizer|LeakSanitizer|runtime error:' \
	"$(cat "$T_DIR/server.log")" "no sanitizer report in the server log"
[ $((SECONDS - T0)) -lt 120 ] || not_ok "the test ran under 120 s" \
	"$((SECONDS - T0)) s"
finish
