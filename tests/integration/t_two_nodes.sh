#!/usr/bin/env bash
# t_two_nodes.sh - two `secflow serve` nodes on one database: a session made
# on one works on the other, a role revoked through one is gone on the
# other at once (no stale cache), a logout on one ends the token on both,
# and /metrics names each node.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

add_user req.taxud dg_requester TAXUD
add_user admin1 admin
start_server --tick-interval 0 --node-name node-a || exit 1
A=$BASE
PORT_B=$(free_port)
B="http://127.0.0.1:$PORT_B"
"$SECFLOW_BIN" serve --listen "127.0.0.1:$PORT_B" --tick-interval 0 \
	--node-name node-b >"$T_DIR/server-b.log" 2>&1 &
PID_B=$!
trap 'kill -TERM $PID_B 2>/dev/null; wait $PID_B 2>/dev/null; t_cleanup' EXIT
for _ in $(seq 1 100); do
	curl -sf "$B/healthz" >/dev/null 2>&1 && break
	sleep 0.05
done

BASE=$A
login req.taxud
check_match '^[A-Za-z0-9_-]{40,}$' "$TOKEN" "logged in on node A"
BASE=$B
http GET /api/v1/me
check_rc 200 "the token from node A works on node B"
check_eq "$(jget "$OUT" name)" "req.taxud" "node B knows who it is"
body='{"title":"two nodes","dg":"TAXUD","hosting":"dg"}'
http POST /api/v1/samples "$body"
check_rc 201 "node B: start a sample (role held)"

# Revoke the role through node A's API; node B must refuse at once.
USER_TOKEN=$TOKEN
BASE=$A
login admin1
http DELETE "/api/v1/users/req.taxud/grants/dg_requester?scope=TAXUD"
check_rc 200 "node A: the admin revokes dg_requester"
TOKEN=$USER_TOKEN
BASE=$B
http POST /api/v1/samples "$body"
check_rc 403 "node B refuses at once: no stale role in its cache"

# Logout on node B ends the token on node A too.
http DELETE /api/v1/session
check_rc 200 "logout on node B"
BASE=$A
http GET /api/v1/me
check_rc 401 "the token is dead on node A"

check_match 'node="node-a"' "$(curl -s "$A/metrics")" "node A labels its metrics"
check_match 'node="node-b"' "$(curl -s "$B/metrics")" "node B labels its metrics"
kill -TERM $PID_B
wait $PID_B
RC=$?
check_rc 0 "node B stops cleanly"
t_done
