#!/usr/bin/env bash
# t_userlists_monthly.sh - user-list imports and the monthly user lists
# (seed 002 SEC.6, SPEC 3.4 and 4.2, issue 6): the tricky files (BOM,
# ';', quoted line breaks, Windows-1252, XLSX shared strings and dates as
# numbers, a missing column, an unknown right value) with each outcome and
# that a failed import changes nothing; three months of lists and every
# figure and rounded average against hand-computed values; the User List
# workbook read back with secflow's own reader; the API route and its
# roles; the userlist.monthly process and its due day; the NA table.
# The files are written by t_userlists_monthly.py.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

F="$T_DIR/files"
mkdir -p "$F"
python3 "$SECFLOW_SOURCE_DIR/tests/integration/t_userlists_monthly.py" "$F"

"$SECFLOW_BIN" migrate >/dev/null
add_user sm security_manager
add_user liso1 liso
add_user sd service_desk
add_user adm admin

nimports() { "$SECFLOW_BIN" userlist list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

# --- settings and the NA table ---------------------------------------------
sf userlist staff-domains itsm.example --as sm
check_rc 1 "only an admin sets the SMT staff domains"
sf userlist staff-domains itsm.example --as adm
check_rc 0 "an admin sets the SMT staff domains"
sf userlist staff-domains
check_eq "$OUT" "itsm.example" "the staff domains read back"
sf na map "Douane  Belge" be --as adm
check_rc 0 "na map: an admin maps an organisation"
sf na map "Bundesfinanz" "D E" --as adm
check_rc 1 "na map: a bad NA code is refused"
check_match 'field code' "$ERR" "na map: the error names the code"
sf na map "Douanes" FR --as sm
check_rc 1 "na map: only an admin"
sf na list --json
check_py "$OUT" 'j == [{"organisation": "Douane  Belge", "na": "BE", "updated": j[0]["updated"]}]' "na list: the organisation as given, the code in capitals"
sf na map "douane belge" LU --as adm
sf na list --json
check_py "$OUT" 'len(j) == 1 and j[0]["na"] == "LU"' "na map: the same organisation (case, spaces) is replaced"
sf audit list --object "na_map/douane belge" --json
check_py "$OUT" 'len(j) == 2' "na map: each change is audited"

# --- the tricky files ---------------------------------------------------------
N0=$(nimports)
sf userlist import --resource collab --month 2026-08 --json "$F/collab_bom.csv"
check_rc 0 "BOM, ';' and a quoted line break import"
check_py "$OUT" 'j[0]["rows"] == 3 and j[0]["month"] == "2026-08"' "three collab rows in 2026-08"
check_py "$OUT" 'any("Phone" in x for x in j[0]["ignored"])' "the useless Phone column is ignored and listed"
sf userlist read "$F/collab_bom.csv" --json
check_py "$OUT" 'j["collab_bom"][2][0] == "Smith,\nJohn; Jr" and j["collab_bom"][0][0] == "Full name"' "the quoted name keeps its line break and ';'; the BOM is gone"

sf userlist import --resource smt --month 2026-08 --json "$F/smt_1252.csv"
check_rc 0 "a Windows-1252 file imports"
sf userlist read "$F/smt_1252.csv" --json
check_py "$OUT" 'j["smt_1252"][1][0] == "Müller, Jürgen" and j["smt_1252"][3][0] == "Weiß, Stefan"' "Windows-1252 names are read as UTF-8"
sf userlist monthly --month 2026-08 --json
check_py "$OUT" 'j["counts"]["collab.nominative"] == 2 and j["counts"]["collab.non_nominative"] == 1 and j["counts"]["smt.total"] == 2 and j["counts"]["smt.itsm"] == 1 and j["counts"]["smt.non_itsm"] == 1 and j["counts"]["vpn.total"] is None and j["averages"] is None' "2026-08: the tricky lists counted; absent lists null; no averages"

N1=$(nimports)
check_eq "$N1" "$((N0 + 2))" "two imports so far"
sf userlist import --resource webportal --month 2026-08 "$F/wp_missing.csv"
check_rc 1 "a missing required column fails"
check_match 'wp_missing.csv.*CS/RD PROD' "$ERR" "the error names the file and the missing column"
check_eq "$(printf '%s\n' "$ERR" | wc -l)" 1 "the error is one line"
check_eq "$(nimports)" "$N1" "the failed import changed nothing"
sf userlist import --resource webportal --month 2026-08 "$F/wp_badright.csv"
check_rc 1 "an unknown right value fails the file"
check_match 'wp_badright.csv:3: column "CS/RD PROD": "Wirte" is not one of' "$ERR" "the error names file, line, column and value"
check_eq "$(nimports)" "$N1" "the failed import changed nothing"
sf userlist import --resource webportal --month 2026-08 --skip-bad-rows "$F/wp_badright.csv"
check_rc 0 "--skip-bad-rows imports the good rows"
check_match 'wp_badright.csv: skipped: .*:3: column "CS/RD PROD"' "$OUT" "the skipped row is printed"
check_match 'import [0-9]+, 2 rows' "$OUT" "two rows imported"
sf userlist import --resource webportal --month 2026-08 --skip-bad-rows --json "$F/wp_badright.csv"
check_py "$OUT" 'j[0]["skipped"][0]["line"] == 3 and "Wirte" in j[0]["skipped"][0]["message"]' "--json lists the skipped row with its line"
N2=$(nimports)
sf userlist import --resource webportal --month 2026-08 --json "$F/wp_missing.csv" "$F/wp_2026-09.csv"
check_rc 1 "two files, one bad: exit 1"
check_py "$OUT" '"error" in j[0] and j[1]["rows"] == 4' "the good file is still imported, each file its own transaction"
check_eq "$(nimports)" "$((N2 + 1))" "only the good file was stored"
sf userlist import --resource nosuch "$F/wp_2026-09.csv"
check_rc 1 "an unknown resource fails"
sf userlist import --resource vpn --month 2026-8 "$F/vpn_2026-09.csv"
check_rc 2 "a bad --month is a usage error"
sf userlist import --resource vpn --as sd "$F/vpn_2026-09.csv"
check_rc 1 "the service desk may not import"

# XLSX: shared strings, dates as numbers in a date style
sf userlist read "$F/jl_2026-11.xlsx" --json
check_py "$OUT" 'j["2026-11"][1] == ["Dupont, Jean", "Created", "VPN, JIRA", "2026-10-31"] and j["2026-11"][3][0] == "Dupont, Jean"' "XLSX shared strings and a date number read"
sf userlist import --resource joiners_leavers --json "$F/jl_2026-11.xlsx"
check_rc 0 "an XLSX list imports"
check_py "$OUT" 'j[0]["rows"] == 3 and j[0]["month"] == "2026-11"' "without --month the list is of the month before now (2026-11)"

# --- the process, before the lists of November --------------------------------
SECFLOW_NOW=2026-11-20T09:00:00Z sf monthly_list start --body '{"month":"2026-11"}' --as sm --json
check_rc 0 "the security manager starts userlist.monthly for 2026-11"
PID=$(jget "$OUT" id)
sf monthly_list show "$PID" --json
check_py "$OUT" 'j["data"]["due"] == "2026-12-01" and j["active_steps"][0]["step"] == "wait_month_end"' "due on the first working day of December; waiting for the month's end"
SECFLOW_NOW=2026-11-29T09:00:00Z sf tick
SECFLOW_NOW=2026-11-29T09:00:00Z sf monthly_list show "$PID" --json
check_py "$OUT" 'j["active_steps"][0]["step"] == "wait_month_end"' "still waiting on 2026-11-29"
SECFLOW_NOW=2026-11-30T09:00:00Z sf tick
SECFLOW_NOW=2026-11-30T09:00:00Z sf monthly_list show "$PID" --json
check_py "$OUT" 'j["active_steps"][0]["step"] == "collect" and j["active_steps"][0]["due"] == "2026-12-01"' "collect opens with its due day 2026-12-01"
sf monthly_list step "$PID" collect --as sm
check_rc 1 "collect is refused while lists are missing"
check_match 'collab, vpn, webportal, smt, business_apps, mailboxes missing' "$ERR" "the refusal names the missing lists"
SECFLOW_NOW=2026-12-01T18:00:00Z sf tick
sf monthly_list show "$PID" --json
check_py "$OUT" 'j["active_steps"][0]["overdue"] is False' "collect is not overdue on its due day"
SECFLOW_NOW=2026-12-02T09:00:00Z sf tick
sf monthly_list show "$PID" --json
check_py "$OUT" 'j["active_steps"][0]["overdue"] is True' "collect is overdue on 2026-12-02"

# --- three months ---------------------------------------------------------------
for M in 2026-09 2026-10; do
	for R in collab:collab vpn:vpn joiners_leavers:jl webportal:wp smt:smt business_apps:apps mailboxes:mb; do
		sf userlist import --resource "${R%%:*}" --month $M "$F/${R#*:}_$M.csv" --as sm
		[ "$RC" = 0 ] || not_ok "import ${R%%:*} $M" "$ERR"
	done
done
sf userlist monthly --month 2026-10 --json
check_py "$OUT" 'j["averages"] is None and j["missing"] == [] and j["counts"]["webportal.total"] == 4' "2026-10: complete but no averages (2026-08 is not)"
sf userlist import --resource vpn "$F/vpn_wrong.csv" --as sm
for R in collab:collab vpn:vpn webportal:wp smt:smt business_apps:apps mailboxes:mb; do
	sf userlist import --resource "${R%%:*}" "$F/${R#*:}_2026-11.csv" --as sm
	[ "$RC" = 0 ] || not_ok "import ${R%%:*} 2026-11" "$ERR"
done
sf userlist list --month 2026-11 --resource vpn --json
check_py "$OUT" 'len(j) == 2' "two VPN lists of 2026-11 (the later one counts)"

sf userlist monthly --month 2026-11 --json
check_rc 0 "userlist monthly 2026-11"
check_py "$OUT" 'set(j) >= {"month", "counts", "averages"} and j["month"] == "2026-11"' "the report's shape"
check_py "$OUT" 'j["counts"] == {
 "business_apps.users": 103, "webportal.total": 5,
 "webportal.csrd_domain.with": 3, "webportal.csrd_domain.without": 2,
 "webportal.csrd_tst.with": 3, "webportal.csrd_tst.without": 2,
 "webportal.csrd_prod.with": 2, "webportal.csrd_prod.without": 3,
 "webportal.csmis_domain.with": 3, "webportal.csmis_domain.without": 2,
 "webportal.csmis_profile.with": 2, "webportal.csmis_profile.without": 3,
 "smt.total": 4, "smt.itsm": 2, "smt.non_itsm": 2,
 "mailboxes.total": 4, "mailboxes.nominative": 2, "mailboxes.non_nominative": 2,
 "collab.nominative": 4, "collab.non_nominative": 2, "vpn.total": 3}' "every count of 2026-11 as computed by hand"
# Means of (2026-09, 2026-10, 2026-11); x.33 rounds down, x.67 up.  A mean
# of three whole numbers never ends in .5: that rounding is unit-tested.
check_py "$OUT" 'j["averages"] == {
 "business_apps.users": 101, "webportal.total": 4,
 "webportal.csrd_domain.with": 2, "webportal.csrd_domain.without": 2,
 "webportal.csrd_tst.with": 2, "webportal.csrd_tst.without": 2,
 "webportal.csrd_prod.with": 1, "webportal.csrd_prod.without": 3,
 "webportal.csmis_domain.with": 2, "webportal.csmis_domain.without": 2,
 "webportal.csmis_profile.with": 1, "webportal.csmis_profile.without": 3,
 "smt.total": 3, "smt.itsm": 2, "smt.non_itsm": 1,
 "mailboxes.total": 3, "mailboxes.nominative": 2, "mailboxes.non_nominative": 1,
 "collab.nominative": 4, "collab.non_nominative": 1, "vpn.total": 2}' "every three-month average, rounded, as computed by hand"
sf userlist monthly --json
check_py "$OUT" 'j["month"] == "2026-11"' "the default month is the month before now"

# --- the workbook, read back --------------------------------------------------------
mkdir -p "$T_DIR/out"
sf userlist monthly --month 2026-11 -o "$T_DIR/out"
check_rc 0 "the workbook is written"
check_match "wrote $T_DIR/out/2026-11 User List.xlsx" "$OUT" "named <yyyy-mm> User List.xlsx"
sf userlist read "$T_DIR/out/2026-11 User List.xlsx" --json
check_py "$OUT" 'list(j) == ["collab", "vpn", "joiners_leavers", "webportal", "smt", "business_apps", "mailboxes", "Counts"]' "one sheet per list, then Counts"
check_py "$OUT" 'len(j["vpn"]) == 5 and j["vpn"][0] == ["full_name", "active"] and j["joiners_leavers"][1][0] == "Dupont, Jean"' "the list sheets hold the latest lists' rows"
check_py "$OUT" 'j["Counts"][0] == ["Key", "Figure", "2026-11", "Three-month average"] and {r[0]: (r[2], r[3]) for r in j["Counts"][1:]}["vpn.total"] == ("3", "2") and {r[0]: (r[2], r[3]) for r in j["Counts"][1:]}["business_apps.users"] == ("103", "101") and len(j["Counts"]) == 22' "the Counts sheet has every figure with its average"

# --- the process ends ----------------------------------------------------------------
sf monthly_list step "$PID" collect --as sm
check_rc 0 "collect once every list of 2026-11 is in"
sf monthly_list step "$PID" report --body '{"file":"2026-11 User List.xlsx"}' --as sm
check_rc 0 "report"
sf monthly_list show "$PID" --json
check_py "$OUT" 'j["state"] == "done" and j["data"]["averages"] is True' "the instance is done and recorded the averages"

# --- the API --------------------------------------------------------------------------
start_server || exit 1
login liso1
http GET "/api/v1/userlists/monthly?month=2026-11"
check_rc 200 "GET monthly as the LISO"
check_py "$OUT" 'j["counts"]["smt.total"] == 4 and j["averages"]["collab.nominative"] == 4' "the API gives the same figures"
http GET "/api/v1/userlists/monthly?month=2026-13"
check_error 422 invalid month "a bad month is 422 naming the field"
login sd
http GET "/api/v1/userlists/monthly?month=2026-11"
check_error 403 forbidden '*' "the service desk may not read the counts"
TOKEN=
http GET "/api/v1/userlists/monthly?month=2026-11"
check_rc 401 "no login, no counts"

sf audit verify
check_rc 0 "the audit chain verifies"
t_done
