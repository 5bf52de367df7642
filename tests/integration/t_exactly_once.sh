#!/usr/bin/env bash
# t_exactly_once.sh - SPEC §1: several nodes share one database and
# background jobs run exactly once.
#
# Set A: 500 samples wait in review_ds (started on a Thursday); a few
# working days later their reminders (leased jobs) and SLA overdue notices
# (found in the steps table) are due: 1,000 jobs; with the reminders, the
# 7-day expiry warnings (leased jobs of the conventions module) of 300
# conventions made through the API fall due.  Two `secflow tick`
# processes with different --node-name race on the same database, several
# times; each reminder, overdue notice and expiry warning must be in the
# outbox and in the audit exactly once.  Set B: 500 more samples, and a ticking node is
# SIGKILLed mid-way (once in the reminders, once in the SLA pass): the
# other node does the rest, the jobs the dead node had leased wait for
# their lease (300 s) to run out and are then done, once.
# On SQLite the nodes are two processes on one file, and its write lock
# serialises them (one node usually runs every job of a race, the other
# finds them done); on PostgreSQL they are two clients of one database and
# interleave.  The test only uses $SECFLOW_DB and lib.sh.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

DRIVER="$SECFLOW_SOURCE_DIR/tests/integration/crash_driver.py"
N=500 # kill_midway picks samples 5..380 of these
T0=$SECONDS
SEED=${SECFLOW_EO_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}

finish() {
	if [ "$T_FAIL" -gt 0 ] && [ -f "$T_DIR/server.log" ]; then
		echo "# server log (last 20 lines):"
		tail -n 20 "$T_DIR/server.log" | sed 's/^/#   /'
	fi
	echo "# seed $SEED (SECFLOW_EO_SEED reruns it), $((SECONDS - T0)) s"
	t_done
}

add_user eo.req dg_requester TAXUD || not_ok "add eo.req"
add_user eo.ds ds || not_ok "add eo.ds"
tok() { "$SECFLOW_BIN" --json user token "$1" | python3 -S -c \
	'import json,sys; print(json.load(sys.stdin)["token"])'; }
TOK_REQ=$(tok eo.req)
TOK_DS=$(tok eo.ds)

# populate DAY FILE: a server whose "now" is DAY (a Thursday) starts N
# samples and submits each; their ids go to FILE.  The server stays up.
populate() {
	local keep=$SECFLOW_NOW
	export SECFLOW_NOW="${1}T09:00:00Z"
	start_server --tick-interval 0 ||
		{ not_ok "server starts on $1"; finish; }
	export SECFLOW_NOW=$keep
	timeout 100 python3 -S "$DRIVER" populate --base "$BASE" --token="$TOK_REQ" \
		--n "$N" --body '{"title":"eo","dg":"TAXUD","hosting":"dg"}' \
		--step submit --step-body '{"summary":"please"}' \
		>"$2" 2>"$T_DIR/populate.err"
	RC=$?
	ERR=$(cat "$T_DIR/populate.err")
	check_rc 0 "$N samples started and submitted on $1"
	check_eq "$(wc -l <"$2" | tr -d ' ')" "$N" "$N sample ids"
}

# counts: for set A and set B, then reminders and overdue notices, how
# many samples have 0, 1 and more than 1 message in the outbox, then the
# same for audit records (on review_ds).  Sets CA_REM, CA_OVD, CB_REM,
# CB_OVD to "o0 o1 o+ a0 a1 a+".
counts() {
	local r
	if ! "$SECFLOW_BIN" --json outbox list >"$T_DIR/outbox.json" ||
		! "$SECFLOW_BIN" --json audit list >"$T_DIR/audit.json"; then
		not_ok "outbox and audit lists"
	fi
	r=$(python3 -S - "$T_DIR" <<'PY'
import json, os, sys
d = sys.argv[1]
sets = []
for f in ("ids.a", "ids.b"):
    p = os.path.join(d, f)
    ids = open(p).read().split() if os.path.exists(p) else []
    sets.append({"samples/" + i for i in ids})
kinds = {"reminder": "[secflow] Reminder ", "overdue": "[secflow] OVERDUE "}
outbox = json.load(open(os.path.join(d, "outbox.json")))
audit = json.load(open(os.path.join(d, "audit.json")))
res = []
for objs in sets:
    for kind, prefix in kinds.items():
        mail, aud = dict.fromkeys(objs, 0), dict.fromkeys(objs, 0)
        for m in outbox:
            if m.get("object") in mail and m["subject"].startswith(prefix):
                mail[m["object"]] += 1
        for a in audit:
            if a["object"] in aud and a["action"] == kind and \
                    (a.get("after") or {}).get("step") == "review_ds":
                aud[a["object"]] += 1
        v, w = list(mail.values()), list(aud.values())
        res.append("%d %d %d %d %d %d" % (
            v.count(0), v.count(1), sum(1 for x in v if x > 1),
            w.count(0), w.count(1), sum(1 for x in w if x > 1)))
print(",".join(res))
PY
)
	IFS=, read -r CA_REM CA_OVD CB_REM CB_OVD <<<"$r"
}

ONCE="0 $N 0 0 $N 0"
NONE="$N 0 0 $N 0 0"

# race NOW: two nodes tick at NOW at the same time.
race() {
	local now=$1 a b
	SECFLOW_NOW=$now "$SECFLOW_BIN" --json tick --node-name node-a \
		>"$T_DIR/tick.a" 2>"$T_DIR/tick.a.err" &
	a=$!
	SECFLOW_NOW=$now "$SECFLOW_BIN" --json tick --node-name node-b \
		>"$T_DIR/tick.b" 2>"$T_DIR/tick.b.err" &
	b=$!
	wait $a
	RC_A=$?
	wait $b
	RC_B=$?
	JOBS_A=$(jget "$(cat "$T_DIR/tick.a")" jobs)
	JOBS_B=$(jget "$(cat "$T_DIR/tick.b")" jobs)
	RC="$RC_A $RC_B"
	ERR="$(cat "$T_DIR/tick.a.err" "$T_DIR/tick.b.err")"
	check_rc "0 0" "two nodes tick at $now"
	echo "# node-a ran ${JOBS_A:-?} jobs, node-b ${JOBS_B:-?} ($((SECONDS - T0)) s)"
	JOBS=$((${JOBS_A:-0} + ${JOBS_B:-0}))
}

plus() { # RFC3339 + SECONDS
	date -u -d "@$(($(date -u -d "$1" +%s) + $2))" +%Y-%m-%dT%H:%M:%SZ
}

wd() { "$SECFLOW_BIN" calendar add-working-days "$1" "$2"; }

# warnings: for each convention of FILE, its expiry warnings in the outbox
# and in the audit; prints how many conventions have 0, 1 and more of each
# ("o0 o1 o+ a0 a1 a+").
warnings() {
	"$SECFLOW_BIN" --json outbox list >"$T_DIR/outbox.json" &&
		"$SECFLOW_BIN" --json audit list >"$T_DIR/audit.json" ||
		not_ok "outbox and audit lists"
	python3 -S - "$T_DIR" "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
objs = {"conventions/" + i for i in open(sys.argv[2]).read().split()}
mail, aud = dict.fromkeys(objs, 0), dict.fromkeys(objs, 0)
for m in json.load(open(os.path.join(d, "outbox.json"))):
    if m.get("object") in mail and "expires in 7 days" in m["subject"]:
        mail[m["object"]] += 1
for a in json.load(open(os.path.join(d, "audit.json"))):
    if a["object"] in aud and a["action"] == "expiry_warning":
        aud[a["object"]] += 1
v, w = list(mail.values()), list(aud.values())
print("%d %d %d %d %d %d" % (v.count(0), v.count(1), sum(1 for x in v if x > 1),
                             w.count(0), w.count(1), sum(1 for x in w if x > 1)))
PY
}

# --- set A: two nodes racing ----------------------------------------------
THU_A=2026-12-03
check_eq "$(date -u -d $THU_A +%u)" 4 "$THU_A is a Thursday"
populate $THU_A "$T_DIR/ids.a"
REM_A="$(wd $THU_A 2)T09:00:00Z" # reminder due, SLA not run out
LATE_A="$(date -u -d "$(wd $THU_A 3) + 1 day" +%F)T09:00:00Z"
# NC conventions expiring 7 days after REM_A's day: their 7-day expiry
# warning (the 30- and 90-day ones are behind the start) falls due with
# the reminders; the expiry itself comes after every race here.
NC=300
EXP_A=$(date -u -d "${REM_A%T*} + 7 days" +%F)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK_DS" \
	-d '{"name":"ACME"}' "$BASE/api/v1/companies")
check_eq "$code" 201 "DS registers the company ACME"
timeout 100 python3 -S "$DRIVER" populate --base "$BASE" --object conventions \
	--token="$TOK_REQ" --n "$NC" \
	--body "{\"dg\":\"TAXUD\",\"company\":\"ACME\",\"hosting\":\"dg\",\"expires\":\"$EXP_A\"}" \
	>"$T_DIR/conv.a" 2>"$T_DIR/populate.err"
RC=$?
ERR=$(cat "$T_DIR/populate.err")
check_rc 0 "$NC conventions expiring on $EXP_A started"
stop_server
CONCE="0 $NC 0 0 $NC 0"

race "$REM_A"
check_eq "$JOBS" "$((N + NC))" \
	"the two nodes ran the $N reminders and $NC expiry warnings between them"
counts
check_eq "$CA_REM" "$ONCE" "race 1: every reminder once in outbox and audit"
check_eq "$CA_OVD" "$NONE" "race 1: no overdue notice before the SLA runs out"
check_eq "$(warnings "$T_DIR/conv.a")" "$CONCE" \
	"race 1: every expiry warning once in outbox and audit"
race "$REM_A"
check_eq "$JOBS" 0 "race 2 at the same time runs nothing"

race "$LATE_A"
race "$(plus "$LATE_A" 3600)"
check_eq "$JOBS" 0 "race 4 an hour later finds nothing left"
counts
check_eq "$CA_OVD" "$ONCE" "races 3-4: every overdue notice once in outbox and audit"
check_eq "$CA_REM" "$ONCE" "races 3-4: still every reminder once"
sf audit verify
check_rc 0 "the audit chain holds after the races"

# --- set B: a node killed mid-way -----------------------------------------
THU_B=2026-12-10
populate $THU_B "$T_DIR/ids.b" # the server stays: it shows the trail
REM_B="$(wd $THU_B 2)T09:00:00Z"
LATE_B="$(date -u -d "$(wd $THU_B 3) + 1 day" +%F)T09:00:00Z"

# kill_midway NOW KIND: node-x ticks at NOW and is SIGKILLed as soon as the
# KIND record of a random sample of set B is in its audit trail.  The node
# works through the samples in id order, 100 jobs a lease; the sample is
# kept 5..80 into a batch so that the node dies holding a lease.
kill_midway() {
	local k
	k=$(python3 -S -c 'import random, sys
r = random.Random(sys.argv[1])
print(r.randrange(4) * 100 + r.randrange(5, 81))' "$SEED-$2")
	SECFLOW_NOW=$1 timeout 100 python3 -S "$DRIVER" killat --base "$BASE" \
		--token="$TOK_DS" --object "samples/$(sed -n "${k}p" "$T_DIR/ids.b")" \
		--action "$2" -- "$SECFLOW_BIN" tick --node-name node-x \
		>"$T_DIR/killat.out" 2>&1
	RC=$?
	ERR=$(cat "$T_DIR/killat.out")
	echo "# node-x at $1: $ERR; sample $k of $N"
}

kill_midway "$REM_B" reminder
check_rc 0 "node-x was killed in the middle of the reminders"
counts
echo "# after the kill: reminders $CB_REM (zero/one/more: outbox, audit)"
check_eq "$(echo "$CB_REM" | cut -d' ' -f3,6)" "0 0" \
	"the killed node sent no reminder twice"
check_eq "$(echo "$CB_REM" | cut -d' ' -f1)" "$(echo "$CB_REM" | cut -d' ' -f4)" \
	"the killed node left no reminder without its audit record"
SECFLOW_NOW=$REM_B sf --json tick --node-name node-y
check_rc 0 "node-y ticks at the same time"
counts
LEASED=$(echo "$CB_REM" | cut -d' ' -f1)
echo "# after node-y: reminders $CB_REM: $LEASED still leased by node-x"
check_eq "$(echo "$CB_REM" | cut -d' ' -f3,6)" "0 0" "no reminder twice after node-y"
check_eq "$LEASED" "$(echo "$CB_REM" | cut -d' ' -f4)" \
	"outbox and audit agree on what is left"
check_match '^[1-9][0-9]?$' "$LEASED" \
	"node-x died holding a lease on 1..99 reminders, which node-y left alone"
SECFLOW_NOW=$(plus "$REM_B" 299) sf --json tick --node-name node-y
check_eq "$(jget "$OUT" jobs)" 0 "no lease is taken before it runs out (+299 s)"
race "$(plus "$REM_B" 301)"
check_eq "$JOBS" "$LEASED" \
	"once the lease ran out (+301 s) the nodes ran the $LEASED left"
counts
check_eq "$CB_REM" "$ONCE" "set B: every reminder once in outbox and audit"

kill_midway "$LATE_B" overdue
check_rc 0 "node-x was killed in the middle of the SLA pass"
counts
echo "# after the kill: overdue $CB_OVD (zero/one/more: outbox, audit)"
check_eq "$(echo "$CB_OVD" | cut -d' ' -f3,6)" "0 0" \
	"the killed node sent no overdue notice twice"
check_eq "$(echo "$CB_OVD" | cut -d' ' -f1)" "$(echo "$CB_OVD" | cut -d' ' -f4)" \
	"the killed node left no notice without its audit record"
race "$LATE_B"
counts
check_eq "$CB_OVD" "$ONCE" "set B: every overdue notice once in outbox and audit"
check_eq "$CB_REM" "$ONCE" "set B: still every reminder once"
check_eq "$CA_OVD $CA_REM" "$ONCE $ONCE" "set A: still every job once"
check_eq "$(warnings "$T_DIR/conv.a")" "$CONCE" "set A: still every expiry warning once"
stop_server

sf audit verify
check_rc 0 "the audit chain holds after the kills"
check_nomatch 'AddressSanitizer|LeakSanitizer|runtime error:' \
	"$(cat "$T_DIR/server.log" "$T_DIR"/tick.*.err)" \
	"no sanitizer report from the server or the nodes"
finish
