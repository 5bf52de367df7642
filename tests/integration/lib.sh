# lib.sh - shared by the shell-level tests (tests/integration/t_*.sh).
#
# Each test sources this file, gets a fresh temporary folder as its working
# directory with an empty database, and calls the real binary.  Checks
# print "ok N - what" or "not ok N - what"; the test exits non-zero when
# any check failed.  SECFLOW_BIN and SECFLOW_SOURCE_DIR come from ctest.
#
# The database is SQLite ($T_DIR/secflow.db) unless SECFLOW_TEST_BACKEND=pg:
# then a fresh PostgreSQL database is created on the server of
# $SECFLOW_TEST_PG (a URL; missing, the test fails) and dropped at the end.
# Either way SECFLOW_DB names it, and db_exec runs SQL on it.

set -u
: "${SECFLOW_BIN:?set SECFLOW_BIN to the secflow binary}"
: "${SECFLOW_SOURCE_DIR:?set SECFLOW_SOURCE_DIR to the source tree}"

T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/secflow-it-XXXXXX")
T_PASS=0
T_FAIL=0
T_SERVER_PID=
cd "$T_DIR" || exit 1
T_PG_DB=
if [ "${SECFLOW_TEST_BACKEND:-sqlite}" = pg ]; then
	: "${SECFLOW_TEST_PG:?SECFLOW_TEST_BACKEND=pg needs SECFLOW_TEST_PG, a PostgreSQL URL (scripts/pg-test-cluster.sh start DIR prints one)}"
	T_PG_DB="t_$$_${T_DIR##*-}"
	T_PG_DB=$(printf '%s' "$T_PG_DB" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_')
	if ! psql "$SECFLOW_TEST_PG" -qAtX -v ON_ERROR_STOP=1 \
		-c "CREATE DATABASE $T_PG_DB" >/dev/null; then
		echo "# cannot create database $T_PG_DB on $SECFLOW_TEST_PG"
		exit 1
	fi
	# The base URL with the database name replaced.
	SECFLOW_DB=$(printf '%s' "$SECFLOW_TEST_PG" |
		sed -E "s#^([a-z]+://[^/?]*)(/[^?]*)?#\\1/$T_PG_DB#")
	export SECFLOW_DB
else
	export SECFLOW_DB="$T_DIR/secflow.db"
fi
export SECFLOW_SPOOL="$T_DIR/spool"
unset SECFLOW_USER SECFLOW_SMTP_URL SECFLOW_PROCESSES
export SECFLOW_NOW="${SECFLOW_NOW:-2026-12-01T09:00:00Z}"

t_cleanup() {
	if [ -n "$T_SERVER_PID" ]; then
		kill -TERM "$T_SERVER_PID" 2>/dev/null
		wait "$T_SERVER_PID" 2>/dev/null
	fi
	if [ -n "$T_PG_DB" ]; then
		psql "$SECFLOW_TEST_PG" -qAtX \
			-c "DROP DATABASE IF EXISTS $T_PG_DB WITH (FORCE)" >/dev/null 2>&1
	fi
	cd / && rm -rf "$T_DIR"
}
trap t_cleanup EXIT

# on_pg: true when the test runs on PostgreSQL.
on_pg() { [ -n "$T_PG_DB" ]; }

# db_exec SQL: run SQL on the test's database behind secflow's back
# (sqlite3 or psql); rows are printed one a line, columns split by "|".
db_exec() {
	if on_pg; then
		psql "$SECFLOW_DB" -qAtX -v ON_ERROR_STOP=1 -c "$1"
	else
		sqlite3 "$SECFLOW_DB" "$1"
	fi
}

# A version manager's python3 shim costs a process tree per call and the
# tests parse JSON hundreds of times: call the interpreter itself, without
# site (json is in the standard library).  jget uses it too.
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else
	PY=$(command python3 -c 'import sys; print(sys.executable)')
fi
python3() { "$PY" -S "$@"; }

# check_py JSON EXPR WHAT: the Python expression EXPR, over the parsed
# JSON as j, is true.
check_py() {
	local res
	res=$(printf '%s' "$1" | python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
    print("yes" if eval(sys.argv[1]) else "no")
except Exception as e:
    print("error: %s" % e)
' "$2")
	if [ "$res" = yes ]; then ok "$3"; else
		not_ok "$3" "$res: ($2) over: ${1:0:500}"
	fi
}

# check_error STATUS CODE FIELD WHAT: the last http call answered STATUS
# with the SPEC error body, code CODE and field FIELD: a regular expression
# ("amount|body"), or "*" for any field.
check_error() {
	local got field=$3
	[ "$field" = "*" ] && field='.*'
	got=$(printf '%s' "$OUT" | python3 -c '
import json, sys
try:
    e = json.load(sys.stdin)["error"]
    for k in ("code", "message", "field"):
        if not isinstance(e.get(k), str):
            raise ValueError("no string %s" % k)
    if not e["message"]:
        raise ValueError("empty message")
    print("%s|%s" % (e["code"], e["field"]))
except Exception as x:
    print("bad error body: %s" % x)
')
	if [ "$RC" = "$1" ] && printf '%s' "$got" | grep -Eqx -- "$2\\|($field)"; then
		ok "$4"
	else
		not_ok "$4" "HTTP $RC ($got) ${OUT:0:300}; wanted $1 $2 field '$3'"
	fi
}

ok() { T_PASS=$((T_PASS + 1)); echo "ok $((T_PASS + T_FAIL)) - $1"; }
not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $((T_PASS + T_FAIL)) - $1"
	[ $# -gt 1 ] && printf '#   %s\n' "$2"
	return 0
}

# sf ARGS...: run secflow; output in $OUT, stderr in $ERR, status in $RC.
sf() {
	OUT=$("$SECFLOW_BIN" "$@" 2>"$T_DIR/.err")
	RC=$?
	ERR=$(cat "$T_DIR/.err")
	return 0
}

# check_rc WANT WHAT: the last sf/http exit status was WANT.
check_rc() {
	if [ "$RC" = "$1" ]; then ok "$2"; else
		not_ok "$2" "exit $RC, wanted $1; stderr: $ERR; out: ${OUT:0:300}"
	fi
}

# check_match REGEX TEXT WHAT
check_match() {
	if printf '%s' "$2" | grep -Eq -- "$1"; then ok "$3"; else
		not_ok "$3" "no match for /$1/ in: ${2:0:500}"
	fi
}

check_nomatch() {
	if printf '%s' "$2" | grep -Eq -- "$1"; then
		not_ok "$3" "unexpected match for /$1/ in: ${2:0:500}"
	else ok "$3"; fi
}

check_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else
		not_ok "$3" "got '$1', wanted '$2'"
	fi
}

# jq_get JSON EXPR: a value out of JSON with python3's json module.
jget() {
	printf '%s' "$1" | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    if k == "": continue
    if isinstance(v, list): v = v[int(k)]
    else: v = v.get(k) if isinstance(v, dict) else None
print(json.dumps(v) if isinstance(v, (dict, list)) else ("" if v is None else (str(v).lower() if isinstance(v, bool) else v)))
' "$2"
}

# demo_users: the demo users (password secflow-demo) without demo objects.
add_user() { # NAME ROLE [SCOPE]
	printf 'secflow-demo\n' | "$SECFLOW_BIN" user add "$1" --email "$1@example.org" --password-stdin >/dev/null || return 1
	if [ -n "${3:-}" ]; then
		"$SECFLOW_BIN" user grant "$1" "$2" --scope "$3" >/dev/null
	else
		"$SECFLOW_BIN" user grant "$1" "$2" >/dev/null
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_server [ARGS...]: serve on a free port; BASE is its URL.
start_server() {
	T_PORT=$(free_port)
	BASE="http://127.0.0.1:$T_PORT"
	"$SECFLOW_BIN" serve --listen "127.0.0.1:$T_PORT" "$@" >"$T_DIR/server.log" 2>&1 &
	T_SERVER_PID=$!
	for _ in $(seq 1 100); do
		curl -sf "$BASE/healthz" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "# server did not start: $(cat "$T_DIR/server.log")"
	return 1
}

stop_server() {
	if [ -n "$T_SERVER_PID" ]; then
		kill -TERM "$T_SERVER_PID" 2>/dev/null
		wait "$T_SERVER_PID" 2>/dev/null
		RC=$?
		T_SERVER_PID=
	fi
}

# http METHOD PATH [BODY] [extra curl args...]: $OUT body, $RC HTTP status.
http() {
	local m=$1 p=$2 body=${3:-}
	shift 2
	[ $# -gt 0 ] && shift
	if [ -n "$body" ]; then
		OUT=$(curl -s -o "$T_DIR/.body" -w '%{http_code}' -X "$m" \
			-H 'Content-Type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} \
			--data-binary "$body" "$@" "$BASE$p")
	else
		OUT=$(curl -s -o "$T_DIR/.body" -w '%{http_code}' -X "$m" \
			${TOKEN:+-H "Authorization: Bearer $TOKEN"} "$@" "$BASE$p")
	fi
	RC=$OUT
	OUT=$(cat "$T_DIR/.body")
	ERR=
}

# login NAME: sets TOKEN for the following http calls.
login() {
	TOKEN=
	http POST /api/v1/session "{\"user\":\"$1\",\"password\":\"${2:-secflow-demo}\"}"
	TOKEN=$(jget "$OUT" token)
}

# py_checks SCRIPT ARGS...: run a Python walk (bounded by timeout) and
# count its "ok - WHAT" and "not ok - WHAT # DETAIL" lines as checks;
# other lines are shown as comments.
py_checks() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*)
			line=${line#not ok - }
			not_ok "${line%% # *}" "${line#* # }"
			;;
		*) echo "# $line" ;;
		esac
	done < <(timeout 600 /usr/bin/python3 -S "$@" 2>&1)
}

t_done() {
	echo "# $(basename "$0"): $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}
