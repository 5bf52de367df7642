#!/usr/bin/env bash
# bench/templates.sh DB NOW N - the template conventions and incidents of
# the list benchmark, made the real way: through the HTTP API of a
# `secflow serve` on DB (its clock at NOW), by users of the right roles,
# so every table the modules touch (instances, steps, step_keys,
# instance_keys, jobs, catalog) holds what a real one gives.
#
#   users    bench.req (dg_requester TAXUD), bench.ds (ds), bench.admin
#            (admin) unless there; bench.co (company ACME), bench.co2
#            (company CO03), bench.sd (service_desk), bench.sm
#            (security_manager), bench.niso (niso BE), bench.niso2 (niso
#            NA03); password secflow-demo
#   catalog  companies ACME and CO01..CO06 registered by DS (bench/load.sh
#            gives the copies one of these seven)
#   N conventions of TAXUD and ACME, each with its number asked for
#            (request_number by bench.req), expiring 2028-06-30
#   N incidents registered by the Service Desk for NA BE with a security
#            keyword (flagged: screening waits for the Security Manager),
#            references BENCH-1..BENCH-N
# bench/load.sh then copies them.  SECFLOW_BIN is the program (default
# build-bench/secflow).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
db=$1
now=$2
n=${3:-200}
sf=${SECFLOW_BIN:-$top/build-bench/secflow}
export SECFLOW_DB=$db

user() { # NAME ROLE [SCOPE]: a user who is there already is kept
	! "$sf" user list 2>/dev/null | grep -q "^$1 " || return 0
	printf 'secflow-demo\n' | "$sf" user add "$1" --email "$1@example.org" \
		--password-stdin >/dev/null
	if [ -n "${3:-}" ]; then
		"$sf" user grant "$1" "$2" --scope "$3" >/dev/null
	else
		"$sf" user grant "$1" "$2" >/dev/null
	fi
}
while read -r name role scope; do
	user "$name" "$role" $scope
done <<'USERS'
bench.req dg_requester TAXUD
bench.ds ds
bench.admin admin
bench.co company ACME
bench.co2 company CO03
bench.sd service_desk
bench.sm security_manager
bench.niso niso BE
bench.niso2 niso NA03
USERS

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
log=$(mktemp "${TMPDIR:-/tmp}/secflow-templates-XXXXXX")
SECFLOW_NOW=$now "$sf" serve --listen "127.0.0.1:$port" --tick-interval 0 >"$log" 2>&1 &
srv=$!
trap 'kill -TERM $srv 2>/dev/null || true; wait $srv 2>/dev/null || true; rm -f "$log"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 200); do
	curl -sf "$base/healthz" >/dev/null 2>&1 && break
	sleep 0.05
done
tok() { "$sf" --json user token "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }

for c in ACME CO01 CO02 CO03 CO04 CO05 CO06; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $(tok bench.ds)" \
		-d "{\"name\":\"$c\"}" "$base/api/v1/companies")
	case $code in 201 | 409) ;; *)
		echo "templates.sh: registering company $c answered $code" >&2
		exit 1
		;;
	esac
done
drv="$top/tests/integration/crash_driver.py"
python3 -S "$drv" populate --base "$base" --object conventions \
	--token="$(tok bench.req)" --n "$n" \
	--body '{"dg":"TAXUD","company":"ACME","hosting":"dg","contract":"TAXUD/2026/OP/{i}","expires":"2028-06-30"}' \
	--step request_number >/dev/null
python3 -S "$drv" populate --base "$base" --object incidents \
	--token="$(tok bench.sd)" --n "$n" \
	--body '{"reference":"BENCH-{i}","title":"Gateway alert","description":"possible intrusion, malware dropped on the gateway","na":"BE","systems":["CCN"],"reporter":"bench"}' \
	>/dev/null
echo "templates.sh: $n conventions and $n incidents"
