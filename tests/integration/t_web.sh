#!/usr/bin/env bash
# t_web.sh - the web UI's files as `secflow serve` gives them (http/web.c):
# index.html for client routes, each file with its type, the security
# headers of every UI answer (CSP without inline script, no-referrer,
# nosniff), ETag / 304, HEAD, and what stays the API's (404 in JSON for
# /api/..., a missing file, a POST).  The pages themselves are tested in
# Chromium by tests/browser.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

sf migrate >/dev/null || not_ok "migrate"
start_server --tick-interval 0 || { not_ok "server starts"; t_done; }

hdr() { curl -s -D - -o "$T_DIR/.web" "$@"; }

H=$(hdr "$BASE/")
check_match '^HTTP/1.1 200' "$H" "GET / is 200"
check_match 'Content-Type: text/html; charset=utf-8' "$H" "/ is HTML"
check_match "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" "$H" "/ has the CSP"
check_match 'X-Content-Type-Options: nosniff' "$H" "/ has nosniff"
check_match 'Referrer-Policy: no-referrer' "$H" "/ has no-referrer"
check_match 'Cache-Control: no-cache' "$H" "/ is revalidated"
check_match 'type="module" src="/app.js"' "$(cat "$T_DIR/.web")" "index.html loads app.js"
check_nomatch '<script>|style=' "$(cat "$T_DIR/.web")" "index.html has no inline script or style"

H=$(hdr "$BASE/conventions/4")
check_match '^HTTP/1.1 200' "$H" "a client route gets index.html"
check_match 'text/html' "$H" "... as HTML"
cmp -s "$T_DIR/.web" "$SECFLOW_SOURCE_DIR/web/index.html" && ok "... the same bytes" || not_ok "client route body"

for f in app.js style.css favicon.svg; do
	H=$(hdr "$BASE/$f")
	check_match '^HTTP/1.1 200' "$H" "GET /$f is 200"
	cmp -s "$T_DIR/.web" "$SECFLOW_SOURCE_DIR/web/$f" && ok "/$f is web/$f" || not_ok "/$f body"
done
check_match 'Content-Type: text/javascript' "$(hdr "$BASE/app.js")" "JavaScript type"
check_match 'Content-Type: text/css' "$(hdr "$BASE/style.css")" "CSS type"
check_match 'Content-Type: image/svg\+xml' "$(hdr "$BASE/favicon.svg")" "SVG type"

ETAG=$(hdr "$BASE/app.js" | tr -d '\r' | sed -n 's/^ETag: //p')
check_match '^"[0-9a-f]{16}"$' "$ETAG" "app.js has an ETag"
check_match '^HTTP/1.1 304' "$(hdr -H "If-None-Match: $ETAG" "$BASE/app.js")" "If-None-Match gives 304"
check_match '^HTTP/1.1 200' "$(hdr -H 'If-None-Match: "x"' "$BASE/app.js")" "another ETag gives 200"
H=$(curl -s -I "$BASE/app.js")
check_match "Content-Length: $(wc -c <"$SECFLOW_SOURCE_DIR/web/app.js")" "$H" "HEAD gives the length"

http GET /nope.js
check_rc 404 "a missing file is 404"
check_match '"code":"not_found"' "$OUT" "... in the API's JSON"
http GET /x/app.js
check_rc 404 "a file below a folder is not ours"
http GET /api/v1/nope
check_rc 404 "an unknown API route stays a JSON 404"
check_match '"error"' "$OUT" "... with an error body"
http POST /conventions '{}'
check_rc 404 "a POST outside the API is 404"
http GET /healthz
check_rc 200 "/healthz is still the API's"

stop_server
check_nomatch 'AddressSanitizer|LeakSanitizer|runtime error:' \
	"$(cat "$T_DIR/server.log")" "no sanitizer report in the server log"
t_done
