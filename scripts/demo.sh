#!/usr/bin/env bash
# demo.sh - the first README command: install what is missing, build,
# create ./secflow.db with the demo users and objects, and serve on
# http://127.0.0.1:8080 until Ctrl-C.  Demo password: secflow-demo.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" build
cd "$top"
./build/secflow migrate
./build/secflow demo
echo "secflow: open http://${SECFLOW_LISTEN:-127.0.0.1:8080}/ and log in as taxud.requester, ds.officer, acme.security, secmgr, npm.be ... (password secflow-demo); the API is under /api/v1 (see /api/v1/openapi.json)."
exec ./build/secflow serve --listen "${SECFLOW_LISTEN:-127.0.0.1:8080}"
