#!/usr/bin/env bash
# t_http_errors.sh - bad input and robustness of the HTTP server: malformed
# and oversized bodies, a burst of garbage, login throttling, cookie
# sessions with CSRF, logout, openapi.json, /metrics, unknown routes and a
# clean stop on SIGTERM (SPEC §2, §4, §5).
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"




alive() {
	local save=$TOKEN
	TOKEN=
	http GET /healthz
	TOKEN=$save
	check_rc 200 "$1"
}

finish() {
	[ -n "$T_SERVER_PID" ] && stop_server
	check_nomatch 'AddressSanitizer|LeakSanitizer|runtime error:' \
		"$(cat "$T_DIR/server.log")" "no sanitizer report in the server log"
	if [ "$T_FAIL" -gt 0 ]; then
		echo "# server log:"
		sed 's/^/#   /' "$T_DIR/server.log"
	fi
	t_done
}

add_user req.taxud dg_requester TAXUD || not_ok "add user req.taxud"
add_user victim dg_requester AGRI || not_ok "add user victim"
add_user bystander ds || not_ok "add user bystander"
start_server --tick-interval 0 --max-body 4096 ||
	{ not_ok "server starts"; finish; }

login req.taxud
check_rc 200 "req.taxud logs in"
TAXUD_TOKEN=$TOKEN

# --- malformed bodies -----------------------------------------------------
http POST /api/v1/samples '{"title": "t", "dg": '
check_error 400 bad_request body "truncated JSON -> 400 bad_request"
check_match 'line [0-9]+ column [0-9]+' "$(jget "$OUT" error.message)" \
	"the message says where the JSON broke"
alive "/healthz 200 after malformed JSON"
http POST /api/v1/samples '{"title": "t",, "dg": "TAXUD"}'
check_error 400 bad_request body "JSON syntax error -> 400"
http POST /api/v1/samples '[{"title":"t","dg":"TAXUD","hosting":"dg"}]'
check_error 400 bad_request body "a JSON array body -> 400"
http POST /api/v1/samples '"just a string"'
check_error 400 bad_request body "a JSON string body -> 400"
http POST /api/v1/samples "$(printf '{"title":"bad \xff\xfe utf-8","dg":"TAXUD","hosting":"dg"}')"
check_error 400 bad_request body "invalid UTF-8 in a JSON string -> 400"
http POST /api/v1/samples "$(printf '{"title":"overlong \xc0\xaf","dg":"TAXUD","hosting":"dg"}')"
check_error 400 bad_request body "an overlong UTF-8 sequence -> 400"
http POST /api/v1/samples '{"title":"a","title":"b","dg":"TAXUD","hosting":"dg"}'
check_error 400 bad_request body "a duplicate key -> 400"
http POST /api/v1/samples '{"title":"t\u0000x","dg":"TAXUD","hosting":"dg"}'
check_match '^4[0-9][0-9]$' "$RC" "an escaped NUL in a string -> 4xx"
http POST /api/v1/samples "$(printf '%0.s[' $(seq 1 3000))"
check_error 400 bad_request body "3000 nested arrays -> 400"
TOKEN=
http POST /api/v1/session '{"user": "req.taxud", "password": '
check_error 400 bad_request body "malformed login body -> 400"
http POST /api/v1/session '{"user": "req.taxud"}'
check_error 422 invalid password "login without password -> 422 field password"
http POST /api/v1/session '{"user": 7, "password": "x"}'
check_error 422 invalid user "login with a number for user -> 422 field user"
TOKEN=$TAXUD_TOKEN
http POST /api/v1/samples '{"title":"fine","dg":"TAXUD","hosting":"dg"}'
check_rc 201 "a good body after the bad ones -> 201"
S1=$(jget "$OUT" id)

# --- oversized bodies (--max-body 4096) -----------------------------------
BIG="{\"title\":\"$(head -c 10240 /dev/zero | tr '\0' x)\",\"dg\":\"TAXUD\",\"hosting\":\"dg\"}"
http POST /api/v1/samples "$BIG"
check_error 413 too_large "" "a 10 KB body over --max-body 4096 -> 413 too_large"
http POST /api/v1/samples "$BIG" -H 'Expect: 100-continue'
check_error 413 too_large "" "the same with Expect: 100-continue -> 413"
# Several requests on one connection: the 413 leaves it usable.
CODES=$(printf '%s' "$BIG" | curl -s -o /dev/null -w '%{http_code} ' \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-H 'Expect:' --data-binary @- "$BASE/api/v1/samples" \
	--next -s -o /dev/null -w '%{http_code} ' \
	-H "Authorization: Bearer $TOKEN" "$BASE/api/v1/samples/$S1")
check_eq "$CODES" "413 200 " "413 then 200 on the same connection"
head -c 3145728 /dev/zero | tr '\0' x >"$T_DIR/huge"
OUT=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' -H 'Expect:' \
	--data-binary @"$T_DIR/huge" "$BASE/api/v1/samples")
check_match '^(413|000)$' "$OUT" "a 3 MB body is refused (413 or cut off)"
http GET "/api/v1/samples/$S1"
check_rc 200 "a normal request after the oversized ones -> 200"

# --- a burst of garbage: 300 requests, 20 at a time, one curl -------------
# Ten kinds of bad request (path and body), escaped once for curl's config
# syntax; the loop itself forks nothing.
BURST_PATH=(/api/v1/samples /api/v1/session /api/v1/samples
	"/api/v1/samples/$S1/steps/submit" /api/v1/me/delegations
	/api/v1/samples "/api/v1/samples/$S1/steps/%00"
	/api/v1/samples/-1/steps/submit /api/v1/samples /api/v1/nope)
BURST_BODY=()
for b in '{"title":' '{"user":"req.taxud","password":}' '[1,2,3]' \
	'{"summary":"\ud800"}' '{"role":null,"to":[],"until":{}}' \
	'{"title":"t","dg":"TAXUD","hosting":"dg","amount":1e999}' '{}' '{}' \
	'{"title":"t","dg":"TAXUD","hosting":"dg","amount":"five"}' 'nonsense'; do
	BURST_BODY+=("$(printf '%s' "$b" | sed 's/\\/\\\\/g; s/"/\\"/g')")
done
{
	for i in $(seq 0 299); do
		k=$((i % 10))
		[ "$i" -gt 0 ] && echo next
		printf 'url = "%s%s"\n' "$BASE" "${BURST_PATH[k]}"
		printf 'header = "Authorization: Bearer %s"\n' "$TOKEN"
		printf 'header = "Content-Type: application/json"\n'
		printf 'data-binary = "%s"\n' "${BURST_BODY[k]}"
		printf 'output = "/dev/null"\nsilent\n'
		printf 'write-out = "%%{http_code}\\n"\n'
	done
} >"$T_DIR/burst.cfg"
T0=$(date +%s%N)
CODES=$(timeout 50 curl -s --parallel --parallel-max 20 -K "$T_DIR/burst.cfg" \
	2>/dev/null)
echo "# the burst took $((($(date +%s%N) - T0) / 1000000)) ms"
check_eq "$(printf '%s\n' "$CODES" | grep -c .)" 300 "the burst got 300 answers"
check_eq "$(printf '%s\n' "$CODES" | grep -vc '^4[0-9][0-9]$')" 0 \
	"every answer of the burst is 4xx ($(printf '%s\n' "$CODES" | sort | uniq -c | tr -s ' \n' ' '))"
alive "/healthz 200 after the burst"
http GET "/api/v1/samples/$S1"
check_py "$OUT" 'j["state"] == "running" and [s["step"] for s in j["active_steps"]] == ["submit"]' \
	"the burst changed nothing"

# --- login and throttling -------------------------------------------------
TOKEN=
http POST /api/v1/session '{"user":"victim","password":"wrong"}'
check_error 401 unauthorized "*" "wrong password -> 401"
WRONG_PW=$OUT
http POST /api/v1/session '{"user":"no.such.user","password":"wrong"}'
check_error 401 unauthorized "*" "unknown user -> 401"
check_eq "$OUT" "$WRONG_PW" "unknown user and wrong password answer alike"
for n in 2 3 4 5; do
	http POST /api/v1/session "{\"user\":\"victim\",\"password\":\"wrong$n\"}"
	check_error 401 unauthorized "*" "failed login $n of victim -> 401"
done
http POST /api/v1/session '{"user":"victim","password":"secflow-demo"}'
check_error 429 throttled "*" "6th attempt after 5 failures, right password -> 429"
http POST /api/v1/session '{"user":"victim","password":"wrong6"}'
check_error 429 throttled "*" "a wrong password while locked -> 429 too"
http POST /api/v1/session '{"user":"bystander","password":"secflow-demo"}'
check_rc 200 "another user is unaffected"

# --- cookie session and CSRF ----------------------------------------------
http POST /api/v1/session '{"user":"req.taxud","password":"secflow-demo"}' \
	-D "$T_DIR/login.h"
check_rc 200 "login for a cookie session -> 200"
SETCK=$(grep -i '^set-cookie:' "$T_DIR/login.h" | tr -d '\r')
check_match '^Set-Cookie: secflow_session=[^;]+;' "$SETCK" \
	"login sets the secflow_session cookie"
check_match '; *HttpOnly(;|$)' "$SETCK" "the cookie is HttpOnly"
check_match '; *SameSite=Strict(;|$)' "$SETCK" "the cookie is SameSite=Strict"
CK=$(printf '%s' "$SETCK" | sed -E 's/^[^=]*: secflow_session=([^;]*).*/\1/')
CSRF=$(jget "$OUT" csrf)
check_eq "$CK" "$(jget "$OUT" token)" "the cookie carries the session token"
check_match '^[0-9a-f]{64}$' "$CSRF" "the login answer gives a csrf value"
TOKEN=
http GET /api/v1/me "" -H "Cookie: secflow_session=$CK"
check_rc 200 "GET /me with only the cookie -> 200"
check_eq "$(jget "$OUT" name)" req.taxud "the cookie names req.taxud"
NEW='{"title":"by cookie","dg":"TAXUD","hosting":"dg"}'
http POST /api/v1/samples "$NEW" -H "Cookie: secflow_session=$CK"
check_error 403 forbidden X-CSRF-Token "POST with the cookie, no X-CSRF-Token -> 403"
http POST /api/v1/samples "$NEW" -H "Cookie: secflow_session=$CK" \
	-H "X-CSRF-Token: $(printf '%s' "$CSRF" | tr '0-9a-f' '1-9a-f0')"
check_error 403 forbidden X-CSRF-Token "POST with a wrong X-CSRF-Token -> 403"
http POST /api/v1/samples "$NEW" -H "Cookie: secflow_session=$CK" \
	-H "X-CSRF-Token: $CSRF"
check_rc 201 "POST with the cookie and X-CSRF-Token -> 201"
http DELETE /api/v1/session "" -H "Cookie: secflow_session=$CK"
check_error 403 forbidden X-CSRF-Token "cookie logout without X-CSRF-Token -> 403"
http DELETE /api/v1/session "" -H "Cookie: secflow_session=$CK" \
	-H "X-CSRF-Token: $CSRF" -D "$T_DIR/logout.h"
check_rc 200 "cookie logout with X-CSRF-Token -> 200"
check_match '^Set-Cookie: secflow_session=;.*Max-Age=0' \
	"$(grep -i '^set-cookie:' "$T_DIR/logout.h" | tr -d '\r')" \
	"logout clears the cookie"
http GET /api/v1/me "" -H "Cookie: secflow_session=$CK"
check_error 401 unauthorized "*" "the logged-out cookie -> 401"

TOKEN=$TAXUD_TOKEN
http GET /api/v1/me
check_rc 200 "the bearer token works before logout"
http DELETE /api/v1/session
check_rc 200 "DELETE /api/v1/session with the token -> 200"
http GET /api/v1/me
check_error 401 unauthorized "*" "the token after logout -> 401"
TOKEN=

# --- openapi, metrics, unknown routes -------------------------------------
http GET /api/v1/openapi.json
check_rc 200 "GET /api/v1/openapi.json -> 200"
check_py "$OUT" 'all(p in j["paths"] for p in ("/api/v1/session", "/api/v1/tasks", "/api/v1/samples/{id}/steps/review_ds"))' \
	"openapi.json is JSON with session, tasks and review_ds paths"
check_py "$OUT" '"post" in j["paths"]["/api/v1/samples/{id}/steps/review_ds"]' \
	"openapi.json describes POST on review_ds"

OUT=$(curl -s -D "$T_DIR/metrics.h" "$BASE/metrics")
check_match '^secflow_http_requests_total\{[^}]*code="413"[^}]*\} [1-9]' "$OUT" \
	"/metrics counts the 413 answers in secflow_http_requests_total"
check_match '^secflow_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} [1-9]' "$OUT" \
	"/metrics has secflow_http_request_duration_seconds_bucket"
check_match '^Content-Type: text/plain' "$(tr -d '\r' <"$T_DIR/metrics.h")" \
	"/metrics is text/plain"

# Outside /api/ a path without an extension is a route of the web UI
# (index.html, tests/integration/t_web.sh); a missing file is still 404.
for p in /nope.txt /api/v1/nope /api/v1; do
	http GET "$p"
	check_error 404 not_found "*" "unknown route GET $p -> 404 JSON error"
done
login bystander
for p in /nope.txt /api/v1/nope "/api/v1/samples/$S1/frobnicate/x" \
	/api/v1/samples/x1; do
	http GET "$p"
	check_error 404 not_found "*" "unknown route GET $p with a token -> 404"
done
http PUT /api/v1/samples "{}"
check_error 404 not_found "*" "unknown method PUT /api/v1/samples -> 404 JSON error"
TOKEN=

# --- SIGTERM --------------------------------------------------------------
alive "/healthz 200 before SIGTERM"
PID=$T_SERVER_PID
T0=$(date +%s%N)
kill -TERM "$PID"
# Bounded: tail ends when the server does, timeout after 10 s.
timeout 10 tail --pid="$PID" -s 0.05 -f /dev/null
ELAPSED_MS=$((($(date +%s%N) - T0) / 1000000))
kill -0 "$PID" 2>/dev/null && kill -KILL "$PID"
stop_server # reaps it: RC is its exit status
check_eq "$RC" 0 "SIGTERM: the server exits 0"
if [ "$ELAPSED_MS" -lt 5000 ]; then ok "SIGTERM: the server is gone in ${ELAPSED_MS} ms"; else
	not_ok "SIGTERM: the server is gone within 5 s" "took ${ELAPSED_MS} ms"
fi
OUT=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")
check_eq "$OUT" 000 "nothing listens after the stop"

finish
