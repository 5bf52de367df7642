#!/usr/bin/env bash
# t_access_matrix.sh - every route of GET /api/v1/openapi.json, called as
# every caller, against the statuses tests/access/matrix.tsv allows (SPEC
# section 2: 401 no token, 403 wrong role, 404 not visible, 409 not now,
# 422 bad input).
#
# The routes come from the running server's openapi.json, not from a list
# here: a route with no line in the matrix fails ("route not covered"), a
# 2xx the matrix does not allow fails (an access leak), and so does any
# other status outside the allowed ones.  How each route is called (its
# fixture, path values and body) is tests/access/requests.tsv; the calls
# are made by tests/access/run_matrix.py, in one process, since several
# hundred curl and python runs would not fit the time this test has.
# One "ok"/"not ok" line per (method, route, caller).
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

ACCESS="$SECFLOW_SOURCE_DIR/tests/access"
PY=$(command python3 -c 'import sys; print(sys.executable)')

# The callers: NAME ROLE [SCOPE] (run_matrix.py adds anonymous, no token).
CALLERS=(
	"admin1 admin"
	"ds1 ds"
	"dssign1 ds_signatory"
	"snet1 snet"
	"req.taxud dg_requester TAXUD"
	"req.agri dg_requester AGRI"
	"sign.taxud dg_signatory TAXUD"
	"acme company ACME"
	"globex company GLOBEX"
	"ishs ishs_sd"
	"ccor ishs_ccor"
	"uaa1 uaa"
	"digsig digit_signatory"
	"liso1 liso"
	"npm.be npm BE"
	"secmgr security_manager"
	"sd service_desk"
	"ilso1 ilso OPS"
	"ilso2 ilso NET"
	"niso.be niso BE"
	"niso.fr niso FR"
	"norole"
)

finish() {
	stop_server
	check_eq "${RC:-0}" 0 "the server stopped cleanly on SIGTERM"
	check_nomatch 'AddressSanitizer|LeakSanitizer|runtime error:' \
		"$(cat "$T_DIR/server.log" 2>/dev/null)" \
		"no sanitizer report in the server log"
	if [ "$T_FAIL" -gt 0 ] && [ -f "$T_DIR/server.log" ]; then
		echo "# server log (last 40 lines):"
		tail -n 40 "$T_DIR/server.log" | sed 's/^/#   /'
	fi
	t_done
}

# --- users: the callers, a delegation target and a grantee -----------------
sf migrate
check_rc 0 "migrate"
# Password hashing is slow on purpose: add the users three at a time.
add_one() { # NAME [ROLE [SCOPE]]
	if [ $# -gt 1 ]; then
		add_user "$@"
	else
		printf 'secflow-demo\n' | "$SECFLOW_BIN" user add "$1" \
			--email "$1@example.org" --password-stdin >/dev/null
	fi
}
n=0
for u in "${CALLERS[@]}" deleg.sink grantee; do
	# shellcheck disable=SC2086
	add_one $u &
	n=$((n + 1))
	[ $((n % 3)) -eq 0 ] && wait
done
wait
sf --json user list
for u in "${CALLERS[@]}" deleg.sink grantee; do
	case "$OUT" in
	*"\"${u%% *}\""*) ;;
	*) not_ok "user ${u%% *} was added" "$ERR" ;;
	esac
done

# deliver_report renders the report's PDF: fontconfig's and cairo's
# one-time caches are not the server's leaks (tests/lsan.supp).
export LSAN_OPTIONS="suppressions=$SECFLOW_SOURCE_DIR/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Four workers, so that logins hash on both cores while others answer.
start_server --tick-interval 0 --threads 4 || { not_ok "server starts"; finish; }

# --- the calls --------------------------------------------------------------
"$PY" -S "$ACCESS/run_matrix.py" "$BASE" "$ACCESS/matrix.tsv" \
	"$ACCESS/requests.tsv" "${CALLERS[@]}" >"$T_DIR/matrix.out" 2>&1
PRC=$?
while IFS=$'\t' read -r verdict what why; do
	case "$verdict" in
	ok) ok "$what" ;;
	"not ok") not_ok "$what" "$why" ;;
	*) echo "$verdict${what:+ $what}${why:+ $why}" ;;
	esac
done <"$T_DIR/matrix.out"
check_eq "$PRC" 0 "run_matrix.py went through the whole plan"

finish
