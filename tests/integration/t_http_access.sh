#!/usr/bin/env bash
# t_http_access.sh - role, scope, object and delegation checks over HTTP,
# walking the sample process (processes/sample.approval.yaml).
#
# Every refusal is checked for its exact status and the SPEC error body
# {"error": {"code", "message", "field"}} (SPEC §2).
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"


# Server logs of every server this test started, for the report on failure.
LOGS="$T_DIR/servers.log"
: >"$LOGS"



# as USER: act as USER from now on (sets TOKEN), logging in once per
# server run; a failed login is a failed check.
declare -A TOKENS=()
as() {
	if [ -n "${TOKENS[$1]:-}" ]; then
		TOKEN=${TOKENS[$1]}
		return
	fi
	login "$1"
	if [ -n "$TOKEN" ]; then
		TOKENS[$1]=$TOKEN
	else
		not_ok "log in as $1" "HTTP $RC $OUT"
	fi
}

stop_and_keep_log() {
	stop_server
	cat "$T_DIR/server.log" >>"$LOGS"
}

finish() {
	stop_and_keep_log
	check_eq "$RC" 0 "the server stopped cleanly on SIGTERM"
	check_nomatch 'AddressSanitizer|LeakSanitizer|runtime error:' \
		"$(cat "$LOGS")" "no sanitizer report in the server log"
	if [ "$T_FAIL" -gt 0 ]; then
		echo "# server log:"
		sed 's/^/#   /' "$LOGS"
	fi
	t_done
}

for u in "req.taxud dg_requester TAXUD" "req.agri dg_requester AGRI" \
	"ds1 ds" "snet1 snet" "sign1 ds_signatory" "admin1 admin" \
	"npm.be npm BE"; do
	# shellcheck disable=SC2086
	add_user $u || not_ok "add user $u"
done
start_server --tick-interval 0 || { not_ok "server starts"; finish; }

# --- authentication -------------------------------------------------------
TOKEN=
for p in /api/v1/me /api/v1/tasks /api/v1/samples; do
	http GET "$p"
	check_error 401 unauthorized "*" "no token: GET $p -> 401"
done
TOKEN=not-a-real-token
http GET /api/v1/me
check_error 401 unauthorized "*" "bad bearer token -> 401"
http GET /api/v1/samples
check_error 401 unauthorized "*" "bad bearer token on /samples -> 401"

as req.taxud
http GET /api/v1/me
check_rc 200 "GET /me with a token -> 200"
check_py "$OUT" 'j["name"] == "req.taxud" and {"role": "dg_requester", "scope": "TAXUD"} in j["roles"]' \
	"/me names the caller and the scoped role"

# --- starting a sample ----------------------------------------------------
http POST /api/v1/samples '{"title":"t","dg":"TAXUD","hosting":"digit_dc","amount":5}'
check_rc 201 "req.taxud starts a TAXUD sample -> 201"
S1=$(jget "$OUT" id)
check_match '^[0-9]+$' "$S1" "the new sample has an id"
check_eq "$(jget "$OUT" state)" running "the new sample is running"
check_py "$OUT" '"submit" in [s["step"] for s in j["active_steps"]]' \
	"active_steps holds submit"

as req.agri
http POST /api/v1/samples '{"title":"t","dg":"TAXUD","hosting":"digit_dc","amount":5}'
check_error 403 forbidden "*" "req.agri starting a TAXUD sample -> 403"
http POST /api/v1/samples '{"title":"agri","dg":"AGRI","hosting":"dg"}'
check_rc 201 "req.agri starts an AGRI sample -> 201"
SA=$(jget "$OUT" id)

as req.taxud
http POST /api/v1/samples '{"dg":"TAXUD","hosting":"digit_dc","amount":5}'
check_error 422 invalid title "missing title -> 422 field title"
http POST /api/v1/samples '{"title":"t","dg":"TAXUD","hosting":"moon","amount":5}'
check_error 422 invalid hosting "bad hosting enum -> 422 field hosting"
http POST /api/v1/samples '{"title":"t","dg":"TAXUD","hosting":"dg","colour":"red"}'
check_error 422 invalid colour "unknown key -> 422 field colour"
check_match colour "$(jget "$OUT" error.message)" "the message names the unknown key"
http POST /api/v1/samples '{"title":"t","dg":"TAXUD","hosting":"dg","amount":-1}'
check_error 422 invalid amount "amount under its minimum -> 422 field amount"

# --- object visibility ----------------------------------------------------
as req.agri
http GET "/api/v1/samples/$S1"
check_error 404 not_found "*" "req.agri GET the TAXUD sample -> 404, not 403"
NOTFOUND_MSG=$(jget "$OUT" error.message)
http GET /api/v1/samples/999999
check_error 404 not_found "*" "GET a sample that does not exist -> 404"
MSG=$(jget "$OUT" error.message)
check_eq "${MSG//[0-9]/}" "${NOTFOUND_MSG//[0-9]/}" \
	"hidden and missing samples answer alike"
http POST "/api/v1/samples/$S1/steps/submit" '{}'
check_error 404 not_found "*" "req.agri performing on the hidden sample -> 404"
http GET /api/v1/samples
check_rc 200 "req.agri lists samples -> 200"
check_py "$OUT" 'isinstance(j, list) and all(o["data"]["dg"] != "TAXUD" for o in j)' \
	"req.agri's list holds nothing of TAXUD's"
check_py "$OUT" "$SA in [o['id'] for o in j]" "req.agri's list holds its own sample"
http GET "/api/v1/audit?object=samples/$S1"
check_error 404 not_found "*" "req.agri reading the hidden sample's audit -> 404"

as npm.be
http GET "/api/v1/samples/$S1"
check_error 404 not_found "*" "npm.be GET the TAXUD sample -> 404"
http GET /api/v1/samples
check_py "$OUT" 'j == []' "npm.be lists no sample"
http POST "/api/v1/samples/$S1/steps/submit" '{}'
check_error 404 not_found "*" "npm.be performing submit -> 404"

as ds1
http GET "/api/v1/samples/$S1"
check_rc 200 "ds1 (reader) GET the TAXUD sample -> 200"
check_py "$OUT" 'all(not s["can_perform"] for s in j["active_steps"])' \
	"ds1 may not perform the sample's submit"
as admin1
http GET "/api/v1/samples/$S1"
check_rc 200 "admin1 GET the TAXUD sample -> 200"

# --- tasks before submit --------------------------------------------------
as req.agri
http GET /api/v1/tasks
check_rc 200 "req.agri GET /tasks -> 200"
check_py "$OUT" "all(t['id'] != $S1 for t in j)" \
	"req.agri's tasks hold none of TAXUD's"
as req.taxud
http GET /api/v1/tasks
check_py "$OUT" "any(t['id'] == $S1 and t['step'] == 'submit' for t in j)" \
	"req.taxud's tasks hold the submit of its sample"

# --- step checks ----------------------------------------------------------
as ds1
http POST "/api/v1/samples/$S1/steps/submit" '{"summary":"x"}'
check_error 403 forbidden step "ds1 performing submit -> 403"
as req.taxud
http POST "/api/v1/samples/$S1/steps/review_ds" '{"decision":"accept"}'
check_error 409 conflict step "review_ds before submit -> 409 field step"
http POST "/api/v1/samples/$S1/steps/no_such_step" '{}'
check_error 404 not_found "*" "unknown step -> 404"
http POST "/api/v1/samples/$S1/steps/submit" '{"summary":"please","bogus":1}'
check_error 422 invalid bogus "submit with an unknown field -> 422"
http POST "/api/v1/samples/$S1/steps/submit" '{"summary":"please"}'
check_rc 200 "req.taxud submit -> 200"
check_py "$OUT" 'sorted(s["step"] for s in j["active_steps"]) == ["review_ds", "review_snet"]' \
	"submit opens review_ds and review_snet"

as ds1
http POST "/api/v1/samples/$S1/steps/review_ds" '{"decision":"maybe"}'
check_error 422 invalid decision "review_ds decision maybe -> 422 field decision"
http POST "/api/v1/samples/$S1/steps/review_ds" '{}'
check_error 422 invalid decision "review_ds without decision -> 422 field decision"
http GET /api/v1/tasks
check_rc 200 "ds1 GET /tasks -> 200"
check_py "$OUT" "any(t['id'] == $S1 and t['step'] == 'review_ds' and t['object'] == 'samples' and __import__('re').fullmatch(r'\d{4}-\d{2}-\d{2}', t.get('due') or '') for t in j)" \
	"ds1's tasks hold review_ds of the sample with a due date"
check_py "$OUT" "all(t['step'] != 'review_snet' for t in j)" \
	"ds1's tasks do not hold SNET's review"

as snet1
http POST "/api/v1/samples/$S1/steps/review_snet" '{"decision":"accept"}'
check_rc 200 "snet1 review_snet accept -> 200"
check_py "$OUT" '[s["step"] for s in j["active_steps"]] == ["review_ds"]' \
	"review_ds still waits (the join needs both reviews)"
as req.taxud
http POST "/api/v1/samples/$S1/steps/submit" '{"summary":"again"}'
check_error 409 conflict step "submit again -> 409"
as sign1
http POST "/api/v1/samples/$S1/steps/decide" '{"decision":"approve"}'
check_error 409 conflict step "decide before the join -> 409"

# --- admin-only routes ----------------------------------------------------
as ds1
http GET /api/v1/outbox
check_error 403 forbidden "*" "ds1 GET /outbox -> 403"
http GET /api/v1/audit
check_error 403 forbidden "*" "ds1 GET /audit without object -> 403"
http GET "/api/v1/audit?object=samples/$S1"
check_rc 200 "ds1 GET the sample's audit -> 200"
check_py "$OUT" "[a['action'] for a in j] == ['start', 'step:submit', 'step:review_snet']" \
	"the audit shows start, submit and review_snet"
as admin1
http GET /api/v1/outbox
check_rc 200 "admin1 GET /outbox -> 200"
check_py "$OUT" 'isinstance(j, list) and any("ds1@example.org" in m["to"] for m in j)' \
	"the outbox is an array and holds ds1's notice of review_ds"
http GET /api/v1/audit
check_rc 200 "admin1 GET /audit -> 200"
check_py "$OUT" 'isinstance(j, list) and len(j) > 5' "the whole trail is an array"

# --- delegation -----------------------------------------------------------
# Days relative to "now", whatever SECFLOW_NOW the run was given.
UNTIL=$(date -u -d "$SECFLOW_NOW + 30 days" +%F)
PAST=$(date -u -d "$SECFLOW_NOW - 30 days" +%F)
AFTER=$(date -u -d "$UNTIL + 5 days" +%FT09:00:00Z)
as req.taxud
http POST /api/v1/me/delegations '{"role":"ds","to":"req.agri","until":"'"$UNTIL"'"}'
check_error 422 invalid role "delegating a role not held -> 422 field role"
http POST /api/v1/me/delegations '{"role":"dg_requester","scope":"AGRI","to":"req.agri","until":"'"$UNTIL"'"}'
check_error 422 invalid role "delegating a scope not held -> 422 field role"
http POST /api/v1/me/delegations '{"role":"dg_requester","scope":"TAXUD","to":"req.agri","until":"'"$PAST"'"}'
check_error 422 invalid until "delegating until a past day -> 422 field until"
http POST /api/v1/me/delegations '{"role":"dg_requester","scope":"TAXUD","to":"req.agri","until":"soon"}'
check_error 422 invalid until "delegating until a non-date -> 422 field until"
http POST /api/v1/me/delegations '{"role":"dg_requester","scope":"TAXUD","until":"'"$UNTIL"'"}'
check_error 422 invalid to "delegating without to -> 422 field to"
http POST /api/v1/me/delegations '{"scope":"TAXUD","to":"req.agri","until":"'"$UNTIL"'"}'
check_error 422 invalid role "delegating without role -> 422 field role"
http POST /api/v1/me/delegations '{"role":"dg_requester","scope":"TAXUD","to":"nobody.here","until":"'"$UNTIL"'"}'
check_error 422 invalid to "delegating to an unknown user -> 422 field to"
http GET /healthz
check_rc 200 "the server survives the bad delegations"
http POST /api/v1/me/delegations '{"role":"dg_requester","scope":"TAXUD","to":"req.agri","until":"'"$UNTIL"'"}'
check_rc 201 "req.taxud delegates dg_requester TAXUD to req.agri -> 201"
http POST /api/v1/samples '{"title":"second","dg":"TAXUD","hosting":"dg"}'
check_rc 201 "req.taxud starts a second TAXUD sample"
S2=$(jget "$OUT" id)

as req.agri
http GET /api/v1/me
check_py "$OUT" "{'role': 'dg_requester', 'scope': 'TAXUD', 'from': 'req.taxud', 'until': '$UNTIL'} in j['delegations']" \
	"req.agri's /me shows the delegation"
http GET "/api/v1/samples/$S1"
check_rc 200 "with the delegation req.agri sees the TAXUD sample"
http GET /api/v1/tasks
check_py "$OUT" "any(t['id'] == $S2 and t['step'] == 'submit' for t in j)" \
	"req.agri's tasks now hold the TAXUD submit"
http POST "/api/v1/samples/$S2/steps/submit" '{"summary":"for taxud"}'
check_rc 200 "req.agri performs submit on the new TAXUD sample -> 200"
check_py "$OUT" 'any(h["step"] == "submit" and h.get("user") == "req.agri" and h.get("acting_for") == "req.taxud" for h in j["history"])' \
	"the sample's history shows req.agri acting for req.taxud"
as ds1
http GET "/api/v1/audit?object=samples/$S2"
check_rc 200 "ds1 GET the second sample's audit -> 200"
check_py "$OUT" 'any(a["action"] == "step:submit" and a["user"] == "req.agri" and a["acting_for"] == "req.taxud" for a in j)' \
	"the audit shows user req.agri acting_for req.taxud"
as admin1
http GET "/api/v1/audit?object=users/req.taxud"
check_py "$OUT" 'any(a["action"] == "user:delegate" and a["after"]["to"] == "req.agri" for a in j)' \
	"the delegation itself is audited"

# --- expiry: later servers, since each reads "now" from its environment ---
# On the delegation's last day (until is inclusive) it still holds.
stop_and_keep_log
check_eq "$RC" 0 "the first server stops on SIGTERM with 0"
export SECFLOW_NOW=${UNTIL}T16:00:00Z
TOKENS=() # expired at the new now
start_server --tick-interval 0 || { not_ok "second server starts"; finish; }
as req.agri
http GET "/api/v1/samples/$S1"
check_rc 200 "on the delegation's last day req.agri still sees the sample"

# Days after it ended, it is gone.
stop_and_keep_log
check_eq "$RC" 0 "the second server stops on SIGTERM with 0"
export SECFLOW_NOW=$AFTER
TOKENS=()
start_server --tick-interval 0 || { not_ok "third server starts"; finish; }
as req.agri
http GET "/api/v1/samples/$S1"
check_error 404 not_found "*" "after the delegation ends req.agri gets 404 again"
http GET /api/v1/tasks
check_py "$OUT" "all(t['id'] not in ($S1, $S2) for t in j)" \
	"req.agri's tasks hold nothing of TAXUD's again"
http GET /api/v1/me
check_py "$OUT" 'j["delegations"] == []' "req.agri's /me shows no delegation"
as req.taxud
http GET "/api/v1/samples/$S1"
check_rc 200 "req.taxud still sees its sample"

# --- another process's change reaches the server's caches at once --------
# The session and task caches hold while nothing is committed; a commit
# by the CLI (another process, another connection) must end them.
as snet1
for _ in 1 2 3 4; do http GET /api/v1/tasks; done # cached by now, on both threads
check_py "$OUT" "all(t['step'] != 'review_ds' for t in j)" \
	"snet1's tasks hold no ds step before the grant"
"$SECFLOW_BIN" user grant snet1 ds >/dev/null
for _ in 1 2; do # both server threads
	http GET /api/v1/tasks
	check_py "$OUT" "any(t['step'] == 'review_ds' for t in j)" \
		"right after a grant by the CLI, snet1's tasks hold ds steps"
	http GET /api/v1/me
	check_py "$OUT" "'ds' in [r['role'] for r in j['roles']]" \
		"right after a grant by the CLI, snet1's /me shows ds"
done
"$SECFLOW_BIN" user revoke snet1 ds >/dev/null
for _ in 1 2; do
	http GET /api/v1/me
	check_py "$OUT" "'ds' not in [r['role'] for r in j['roles']]" \
		"right after a revoke by the CLI, snet1's /me no longer shows ds"
done

finish
