#!/usr/bin/env bash
# bench/run.sh - every benchmark, each printed as a ratio against a
# baseline measured in the same run on the same machine:
#   1. durable steps/s vs raw SQLite transactions (bench_steps);
#   2. GET /api/v1/tasks under wrk vs a libmicrohttpd hello-world server
#      with the same threading (bench/hello.c): req/s and p99 latency.
# usage: bench/run.sh [SECONDS per wrk run, default 10]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-10}
"$top/scripts/deps.sh"
"$top/scripts/build.sh" build-bench -DCMAKE_BUILD_TYPE=Release
work=$(mktemp -d "${TMPDIR:-/tmp}/secflow-bench-XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== durable step rate"
"$top/build-bench/bench_steps" "$work" 2000

echo "== HTTP: GET /api/v1/tasks vs hello-world (wrk -t2 -c64 -d${secs}s)"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
"$top/bench/build-hello.sh" "$work/hello"
hp=$(port)
"$work/hello" "$hp" >/dev/null 2>&1 &
pids+=($!)

export SECFLOW_DB="$work/bench.db" SECFLOW_SPOOL="$work/spool"
sf="$top/build-bench/secflow"
"$sf" migrate >/dev/null
"$sf" demo >/dev/null
sp=$(port)
"$sf" serve --listen "127.0.0.1:$sp" --tick-interval 0 >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$sp/healthz" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$hp/" >/dev/null 2>&1 && break
	sleep 0.05
done
token=$(curl -s -X POST "http://127.0.0.1:$sp/api/v1/session" \
	-d '{"user":"ds.officer","password":"secflow-demo"}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
tasks=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$sp/api/v1/tasks")
echo "tasks answer: ${#tasks} bytes"

# wrk_run URL [HEADER]: prints "REQS P99_MS"
wrk_run() {
	local out
	if [ $# -gt 1 ]; then
		out=$(wrk -t2 -c64 -d"${secs}s" --latency -H "$2" "$1")
	else
		out=$(wrk -t2 -c64 -d"${secs}s" --latency "$1")
	fi
	local reqs p99
	reqs=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
	echo "$reqs $p99"
}
read -r hr hp99 < <(wrk_run "http://127.0.0.1:$hp/")
read -r tr tp99 < <(wrk_run "http://127.0.0.1:$sp/api/v1/tasks" "Authorization: Bearer $token")
python3 - "$hr" "$hp99" "$tr" "$tp99" <<'PY'
import sys
hr, hp, tr, tp = map(float, sys.argv[1:])
print(f"hello-world: {hr:.0f} req/s, p99 {hp:.2f} ms")
print(f"GET /api/v1/tasks: {tr:.0f} req/s, p99 {tp:.2f} ms")
print(f"ratio {tr/hr:.2f} of the hello-world rate (target >= 0.50); p99 {tp/hp if hp else 0:.1f}x")
PY
