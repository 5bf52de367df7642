#!/usr/bin/env bash
# t_http_paging.sh - object lists come in pages, newest first, and a page
# counts only what the caller may see.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

add_user req.taxud dg_requester TAXUD
add_user req.agri dg_requester AGRI
for i in 1 2 3 4 5; do
	"$SECFLOW_BIN" --as req.taxud sample start --body "{\"title\":\"t$i\",\"dg\":\"TAXUD\",\"hosting\":\"dg\"}" >/dev/null
	"$SECFLOW_BIN" --as req.agri sample start --body "{\"title\":\"a$i\",\"dg\":\"AGRI\",\"hosting\":\"dg\"}" >/dev/null
done
start_server --tick-interval 0 || exit 1
login req.taxud

http GET "/api/v1/samples?limit=2" "" -D "$T_DIR/h1"
check_rc 200 "first page"
check_eq "$(jget "$OUT" 0.data.title),$(jget "$OUT" 1.data.title)" "t5,t4" "newest first, own objects only"
next=$(tr -d '\r' < "$T_DIR/h1" | awk -F': ' 'tolower($1) == "x-next-before" {print $2}')
check_match '^[0-9]+$' "$next" "X-Next-Before names where the next page starts"
http GET "/api/v1/samples?limit=2&before=$next" "" -D "$T_DIR/h2"
check_eq "$(jget "$OUT" 0.data.title),$(jget "$OUT" 1.data.title)" "t3,t2" "second page"
next=$(tr -d '\r' < "$T_DIR/h2" | awk -F': ' 'tolower($1) == "x-next-before" {print $2}')
http GET "/api/v1/samples?limit=2&before=$next" "" -D "$T_DIR/h3"
check_eq "$(jget "$OUT" 0.data.title)" "t1" "last page"
check_eq "$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$OUT")" "1" "the last page holds the rest"
check_nomatch '[Xx]-[Nn]ext-[Bb]efore' "$(cat "$T_DIR/h3")" "no next page after the last"
http GET "/api/v1/samples"
check_eq "$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$OUT")" "5" "without limit: all 5 visible"
http GET "/api/v1/samples?limit=0"
check_rc 422 "limit 0 is refused"
check_eq "$(jget "$OUT" error.field)" "limit" "the error names limit"
http GET "/api/v1/samples?before=x"
check_rc 422 "a bad before is refused"
t_done
