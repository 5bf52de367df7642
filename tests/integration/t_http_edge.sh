#!/usr/bin/env bash
# t_http_edge.sh - edge cases of the HTTP server that t_http_errors.sh
# leaves out: numbers JSON can write but no integer holds, a 10 MiB string
# field (422 under a large --max-body, 413 under a small one), slow and
# silent clients, many idle connections, a 100 KiB request line or header,
# NUL inside a JSON string (SPEC §2, §4).  The socket-level clients are in
# t_http_edge.py; every socket operation there has a timeout.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

EDGE_PY="$SECFLOW_SOURCE_DIR/tests/integration/t_http_edge.py"


alive() {
	local save=$TOKEN
	TOKEN=
	http GET /healthz
	TOKEN=$save
	check_rc 200 "$1"
}

# edge CMD ARGS...: run t_http_edge.py (bounded by timeout) and count its
# "ok - " and "not ok - WHAT # DETAIL" lines as checks.
edge() {
	local line n=0
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }"; n=$((n + 1)) ;;
		"not ok - "*)
			line=${line#not ok - }
			not_ok "${line%% # *}" "${line#* # }"
			n=$((n + 1))
			;;
		*) echo "# $line" ;;
		esac
	done < <(timeout 40 "$PY" -S "$EDGE_PY" "$@" 2>&1)
	[ "$n" -gt 0 ] || not_ok "t_http_edge.py $1 printed no check"
}

finish() {
	[ -n "$T_SERVER_PID" ] && stop_server
	check_nomatch 'AddressSanitizer|LeakSanitizer|runtime error:' \
		"$(cat "$T_DIR/server.log" "$T_DIR"/server-*.log 2>/dev/null)" \
		"no sanitizer report in the server logs"
	if [ "$T_FAIL" -gt 0 ]; then
		echo "# server log:"
		sed 's/^/#   /' "$T_DIR/server.log"
	fi
	t_done
}

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

T_START=$(date +%s%N)
add_user req.taxud dg_requester TAXUD || not_ok "add user req.taxud"
start_server --tick-interval 0 --max-body 16777216 ||
	{ not_ok "server starts"; finish; }
login req.taxud
check_rc 200 "req.taxud logs in"

# --- numbers no integer holds ---------------------------------------------
# jansson refuses 1e400 and 99999999999999999999999 while parsing (400,
# field body); what it reads is judged by the field (422, field amount),
# the same numbers given as strings too (a numeric string is read as its
# number, as forms send them).
S='"title":"x","dg":"TAXUD","hosting":"dg"'
for n in 1e400 -1e400 99999999999999999999999 -99999999999999999999999 \
	9223372036854775808 1e19 1.5 '"1e400"' '"99999999999999999999999"' \
	'"-0x1"' '"12x"' true '[1]' '{}'; do
	http POST /api/v1/samples "{$S,\"amount\":$n}"
	if [ "$RC" = 400 ]; then
		check_error 400 bad_request 'body|amount' "amount $n -> 400"
	else
		check_error 422 invalid amount "amount $n -> 422 field amount"
	fi
done
http POST /api/v1/samples "{$S,\"amount\":-1}"
check_error 422 invalid amount "amount -1 (under min 0) -> 422 field amount"
http POST /api/v1/samples "{$S,\"amount\":1000001}"
check_error 422 invalid amount "amount 1000001 (over max) -> 422 field amount"
# -0 and 1e-400 (underflows to 0) are the number 0, which amount allows:
# either taken as 0 or refused, never a 500 or a stored "-0".
for n in -0 1e-400 -1e-400 0.0; do
	http POST /api/v1/samples "{$S,\"amount\":$n}"
	case $RC in
	201)
		check_eq "$(jget "$OUT" data.amount)" 0 "amount $n -> 201 stored as 0"
		;;
	*) check_error 422 invalid amount "amount $n -> 422 field amount" ;;
	esac
done
alive "/healthz 200 after the numbers"

# --- a 10 MiB string field ------------------------------------------------
{
	printf '{"title":"'
	head -c 10485760 /dev/zero | tr '\0' x
	printf '","dg":"TAXUD","hosting":"dg"}'
} >"$T_DIR/big.json"
T0=$(date +%s%N)
OUT=$(timeout 20 curl -s -o "$T_DIR/.body" -w '%{http_code}' \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data-binary @"$T_DIR/big.json" "$BASE/api/v1/samples")
MS=$(ms_since "$T0")
RC=$OUT
OUT=$(cat "$T_DIR/.body")
check_error 422 invalid title "a 10 MiB title under --max-body 16 MiB -> 422 field title"
check_match 'at most 200 bytes' "$(jget "$OUT" error.message)" \
	"the message says the title is too long"
if [ "$MS" -lt 5000 ]; then ok "the 10 MiB body answered in $MS ms"; else
	not_ok "the 10 MiB body answered within 5 s" "took $MS ms"
fi
alive "/healthz 200 after the 10 MiB body"
http POST /api/v1/samples "{$S,\"amount\":5}"
check_rc 201 "a normal POST after the 10 MiB body -> 201"

# The same body on a server with a 1 MiB limit (the default of `serve` is
# 16 MiB, so the limit is given).
MAIN_PORT=$T_PORT MAIN_PID=$T_SERVER_PID MAIN_BASE=$BASE
T_SERVER_PID=
mv "$T_DIR/server.log" "$T_DIR/server-main.log"
start_server --tick-interval 0 --max-body 1048576 ||
	not_ok "second server (--max-body 1 MiB) starts"
mv "$T_DIR/server.log" "$T_DIR/server-small.log"
for expect in '100-continue' ''; do
	T0=$(date +%s%N)
	OUT=$(timeout 20 curl -s -o "$T_DIR/.body" -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-H "Expect: $expect" --data-binary @"$T_DIR/big.json" \
		"$BASE/api/v1/samples")
	MS=$(ms_since "$T0")
	RC=$OUT
	OUT=$(cat "$T_DIR/.body")
	if [ -n "$expect" ]; then
		check_error 413 too_large "" \
			"10 MiB with Expect: 100-continue under --max-body 1 MiB -> 413 in $MS ms"
	else
		# Far over the limit: answered at once, then the connection
		# closes, which may cut the upload before curl reads the 413.
		check_match '^(413|000)$' "$RC" \
			"10 MiB without Expect under --max-body 1 MiB -> 413 or cut off ($MS ms)"
	fi
done
http GET /healthz
check_rc 200 "the 1 MiB server is alive after the 10 MiB bodies"
stop_server
T_PORT=$MAIN_PORT T_SERVER_PID=$MAIN_PID BASE=$MAIN_BASE
mv "$T_DIR/server-main.log" "$T_DIR/server.log"

# --- NUL in a JSON string -------------------------------------------------
http POST /api/v1/samples '{"title":"t\u0000x","dg":"TAXUD","hosting":"dg"}'
check_error 400 bad_request body '\u0000 in a string value -> 400 field body'
http POST /api/v1/samples '{"title":"t","dg":"TAXUD","hosting":"dg","a\u0000b":1}'
check_error 400 bad_request body '\u0000 in a key -> 400 field body'
printf '{"title":"t\0x","dg":"TAXUD","hosting":"dg"}' >"$T_DIR/nul.json"
OUT=$(curl -s -o "$T_DIR/.body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data-binary @"$T_DIR/nul.json" \
	"$BASE/api/v1/samples")
RC=$OUT
OUT=$(cat "$T_DIR/.body")
check_error 400 bad_request body "a raw NUL byte inside a string -> 400 field body"
printf '{"title":"t","dg":"TAXUD","hosting":"dg"}\0trailing' >"$T_DIR/nul2.json"
OUT=$(curl -s -o "$T_DIR/.body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data-binary @"$T_DIR/nul2.json" \
	"$BASE/api/v1/samples")
RC=$OUT
OUT=$(cat "$T_DIR/.body")
check_error 400 bad_request body "a NUL byte after the JSON object -> 400 field body"
alive "/healthz 200 after the NUL bodies"

# --- long request lines and headers --------------------------------------
edge long "$T_PORT"

# --- slow clients and idle connections ------------------------------------
edge slow "$T_PORT" "$TOKEN"
edge idle "$T_PORT" "$TOKEN" 200
alive "/healthz 200 after the slow and idle clients"
http GET /api/v1/samples
check_rc 200 "GET /api/v1/samples after everything -> 200"

echo "# t_http_edge.sh took $(ms_since "$T_START") ms"
finish
