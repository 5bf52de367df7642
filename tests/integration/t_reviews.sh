#!/usr/bin/env bash
# t_reviews.sh - a whole bi-annual user access review (seed 002 SEC.5,
# SPEC 3.3, issue 6) with SECFLOW_NOW and secflow tick: start by API,
# imports (CLI and API, a bad file changing nothing), reconciliation
# (disabled, exact and typo duplicates, NA by column and by the map, a
# user without NA listed), workbooks with their exact names, B2 date and
# protection, e-mails with recipients, subjects and attachments (and the
# SMT copy without), reminders at +14 and +28 days to non-responders
# only, answers with a quality-check violation raising a new query, the
# ILSO/director/LISO/LSA steps, the change list, the result (md, xlsx),
# the NPM's filtered view.  File checks are in t_reviews.py.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"
PYC="$SECFLOW_SOURCE_DIR/tests/integration/t_reviews.py"

"$SECFLOW_BIN" migrate >/dev/null
add_user sm security_manager
add_user sd service_desk
add_user npmbe npm BE
add_user npmfr npm FR
add_user npmde npm DE
add_user lsabe lsa GW-BE
add_user lsafr lsa GW-FR
add_user igl1 igl IG1
add_user ilso1 ilso OPS
add_user liso1 liso
add_user pd1 project_director
# The organisation -> NA map (secflow na map, another branch's verb).
db_exec "INSERT INTO catalog (kind, name, data, updated) VALUES ('na_map', 'Douane FR', '{\"na\":\"FR\"}', 0), ('na_map', 'European Commission', '{\"na\":\"-\"}', 0)"
start_server || exit 1

cat >wp.csv <<'E'
Full name;New UID;Organisation;NA;CS/RD Domain;CS/RD TST;CS/RD PROD;CS/MIS Domain;CS/MIS;E-mail;Deleted;Phone
Dupont, Jean;u001;BE customs;BE;NCTS;Read;Write;E;ND User;jean@be.example;FALSE;123
Dupont, Jaen;u002;BE customs;BE;NCTS;;;;;;FALSE;
Martin, Anna;u003;BE customs;BE;NCTS;Read;Write;E;ND User;anna@be.example;FALSE;
Martin, Anna;u003;BE customs;BE;NCTS;Read;Write;E;ND User;anna@be.example;FALSE;
Rossi, Paolo;u004;BE customs;BE;NCTS;Read;Read;;;p@be.example;FALSE;
Old, User;u005;BE customs;BE;;;;;;;TRUE;
Durand, Marie;u010;Douane FR;;ECS;Read;Read;;;m@fr.example;FALSE;
Weber, Hans;u011;Zoll DE;DE;NCTS;Read;;;;h@de.example;FALSE;
Smith, John;u020;European Commission;;;;;;;j@ec.example;FALSE;
Nobody, Known;u030;Mystery Org;;;;;;;n@x.example;FALSE;
Staff, One;XXX.one;ITSM OPS;;;;;;;one@itsm.example;FALSE;
Staff, Two;XXX.two;ITSM;;;;;;;two@itsm.example;FALSE;
Staff, Three;XXX.three;ITSM OPS;;;;;;;three@itsm.example;FALSE;
E
printf 'Team;UID;Full name\nOPS;XXX.three;Staff Three\n' >auth.csv
printf 'User,Profile,User info,User aging\nbe.u1,ADMIN,Jean,2026-01-01\nbe.u2,USER,Marc,\n' >GW-BE.csv
printf 'User,Profile,User info,User aging\nfr.u1,USER,Marie,\n' >GW-FR.csv
printf 'Interest group;Interest group leader;E-mail\nIG1;Leader One;lead1@example.org\n' >circa.csv
printf 'Full name;New UID;Organisation;CS/RD Domain;CS/RD TST;CS/RD PROD;CS/MIS Domain;CS/MIS;E-mail;Deleted\nX;u1;O;NCTS;Wirte;;;;x@y.example;FALSE\n' >bad.csv

# --- start (API), imports ---
login sm
http POST /api/v1/reviews '{"quarter":"2026-4"}'
check_error 422 invalid quarter "a malformed quarter is 422 naming the field"
http POST /api/v1/reviews '{"quarter":"2026Q4"}'
ID=$(jget "$OUT" id)
check_eq "$RC" 201 "POST /reviews starts the campaign"
B64=$(base64 -w0 wp.csv)
http POST "/api/v1/reviews/$ID/imports" "{\"resource\":\"webportal\",\"filename\":\"wp.csv\",\"content_b64\":\"$B64\"}"
check_py "$OUT" 'j["rows"] == 13 and "Phone" in " ".join(j["ignored"])' "the Webportal list is imported by the API, the useless column ignored"
http POST "/api/v1/reviews/$ID/imports" "{\"resource\":\"webportal\",\"filename\":\"bad.csv\",\"content_b64\":\"$(base64 -w0 bad.csv)\"}"
check_error 422 invalid '.*' "a bad value is refused"
check_match 'bad.csv:2: .*CS/RD TST.*Wirte' "$OUT" "the error names file, line, column and value"
sf review import "$ID" --resource authorised auth.csv
sf review import "$ID" --resource ccn GW-BE.csv GW-FR.csv
sf review import "$ID" --resource circa circa.csv
check_rc 0 "the other lists are imported by the CLI"
sf --json review show "$ID"
check_py "$OUT" 'len(j["imports"]) == 5 and len(j["resources"]) >= 8' "the campaign shows its resources and its 5 imports (the bad one changed nothing)"

# --- reconciliation ---
sf --json review reconcile "$ID"
check_py "$OUT" 'j["counts"]["disabled"] == 1' "the disabled user is removed"
check_py "$OUT" '[g["kind"] for g in j["duplicates"]["resolved"]] == ["clear", "exact"] or sorted(g["kind"] for g in j["duplicates"]["resolved"]) == ["clear", "exact"]' "the exact and the typo duplicates are resolved"
check_py "$OUT" '[d["uid"] for d in j["duplicates"]["disable"]] == ["u002"]' "the wrong duplicate is put on the disable request"
check_py "$OUT" 'sorted(j["nas"]) == ["BE", "DE", "FR"] and j["nas"]["FR"][0]["na_from"] == "map"' "the NA comes from the column or the organisation map"
check_py "$OUT" '[u["uid"] for u in j["na_unknown"]] == ["u030"] and sorted(u["uid"] for u in j["liso"]) == ["u020", "u030"]' "the user without NA is listed, never dropped, and the non-NA users go to the LISO"
check_py "$OUT" 'j["absent_staff"] == {"OPS": [{"uid": "XXX.one", "full_name": "Staff, One", "source": "wp.csv"}], "": [{"uid": "XXX.two", "full_name": "Staff, Two", "source": "wp.csv"}]}' "staff absent from the authorised list, per team"

sf --as sm review step "$ID" extract_webportal
sf --as sm review step "$ID" process_webportal
check_rc 0 "SEC.5.1 and 5.2 are walked"

# --- workbooks ---
sf review workbooks "$ID" --dir wb
check_rc 0 "review workbooks writes the files"
for f in TAXUD-ITSM-Portal-UAM-2026Q4-BE.xlsx TAXUD-ITSM-Portal-UAM-2026Q4-FR.xlsx TAXUD-ITSM-Portal-UAM-2026Q4-DE.xlsx TAXUD-CCN-UAM-2026Q4-GW-BE.xlsx; do
	[ -f "wb/$f" ] && ok "workbook $f" || not_ok "workbook $f" "$(ls wb)"
done
check_eq "$(python3 "$PYC" protection wb/TAXUD-ITSM-Portal-UAM-2026Q4-BE.xlsx)" yes "every sheet of the NA workbook is protected"
check_eq "$(python3 "$PYC" protection wb/TAXUD-CCN-UAM-2026Q4-GW-BE.xlsx)" yes "the CCN workbook is protected"
check_eq "$(python3 "$PYC" unlocked wb/TAXUD-CCN-UAM-2026Q4-GW-BE.xlsx E)" yes "only the Change D/K cells are unlocked"
# B2 read back with secflow's own reader (tabular_read): the workbook
# imports as a Webportal list, and the unit test test_reviews checks B2.

# --- send ---
sf --as sm --json review send "$ID"
check_py "$OUT" 'len(j["npm"]) == 3 and len(j["lsa"]) == 2 and j["igl"]["bcc"]' "send queues per NA, per gateway and the IGLs"
sf --as sm review send "$ID"
check_match 'sent' "$OUT" "a second send sends nothing more"
sf --json outbox list
check_py "$OUT" 'any(m["subject"].endswith("2026Q4 - BE") and m["to"] == ["npmbe@example.org"] and m["attachments"] == ["TAXUD-ITSM-Portal-UAM-2026Q4-BE.xlsx"] for m in j)' "the BE e-mail goes to its NPM, NA code at the end, workbook attached"
check_py "$OUT" 'any(m["subject"].startswith("SMT copy") and m["subject"].endswith("- BE") and m["to"] == ["sd@example.org"] and m["attachments"] == [] for m in j)' "the SMT copy goes to the Service Desk without the workbook"
check_py "$OUT" 'any(m["subject"].endswith("- GW-BE") and m["to"] == ["lsabe@example.org"] and m["attachments"] == ["TAXUD-CCN-UAM-2026Q4-GW-BE.xlsx"] for m in j)' "the gateway e-mail goes to its LSA"
check_py "$OUT" 'any(m["subject"].startswith("CIRCA") and sorted(m["bcc"]) == ["igl1@example.org", "lead1@example.org"] for m in j)' "one e-mail to all IGLs in BCC"
sf outbox deliver
check_eq "$(python3 "$PYC" spool "$SECFLOW_SPOOL" "2026Q4 - BE" npmbe@example.org TAXUD-ITSM-Portal-UAM-2026Q4-BE.xlsx)" yes "the .eml in the spool carries the workbook"
check_eq "$(python3 "$PYC" spool "$SECFLOW_SPOOL" "2026Q4 - BE" sd@example.org -)" yes "the SMT copy in the spool has none"

# --- answers: FR accepts unchanged, BE violates, DE stays silent ---
sf --as npmfr review answer "$ID" --na FR wb/TAXUD-ITSM-Portal-UAM-2026Q4-FR.xlsx
check_match 'FR: accepted' "$OUT" "the FR workbook comes back unchanged: accepted (read with the XLSX reader)"
sf --as npmfr review answer "$ID" --na BE wb/TAXUD-ITSM-Portal-UAM-2026Q4-BE.xlsx
check_rc 1 "an NPM cannot answer for another NA"
cat >be.csv <<'E'
Full name;New UID;Organisation;NA;CS/RD Domain;CS/RD TST;CS/RD PROD;CS/MIS Domain;CS/MIS;E-mail;Deleted
Dupont, Jean;u001;BE customs;BE;NCTS;Read;Write;E;ND User;jean@be.example;FALSE
Martin, Anna;u003;BE customs;BE;NCTS;Read;Write;E;ND User;anna@be.example;FALSE
Rossi, Paolo;u004;BE customs;BE;NCTS;Read;Write;;;p@be.example;FALSE
E
db_exec "INSERT INTO settings (key, value) VALUES ('review_max_prod_writers', '2')"
sf --as npmbe --json review answer "$ID" --na BE be.csv
check_py "$OUT" 'j["status"] == "query" and [f["kind"] for f in j["findings"]] == ["prod_writers"]' "three PROD writers with a limit of 2: a quality-check violation"
sf --json outbox list
check_py "$OUT" 'any(m["subject"].startswith("Query on your answer") and m["subject"].endswith("- BE") and m["to"] == ["npmbe@example.org"] for m in j)' "the violation raises a new query to the NPM"
sed -i 's/^Rossi, Paolo;u004;BE customs;BE;NCTS;Read;Write;;;p@be.example;FALSE/Rossi, Paolo;u004;BE customs;BE;NCTS;Read;Read;;;p@be.example;TRUE/' be.csv
sf --as npmbe --json review answer "$ID" --na BE be.csv
check_py "$OUT" 'j["status"] == "accepted" and [d["action"] for d in j["decisions"]] == ["keep", "keep", "disable"]' "the corrected answer is accepted with its decisions"

# --- NPM view ---
login npmbe
http GET "/api/v1/reviews/$ID"
check_py "$OUT" 'set(w["scope"] for w in j["workbooks"]) == {"BE"} and all(m["scope"] == "BE" for m in j["emails"]) and list(j["answers"]) == ["BE"]' "an NPM sees only its NA's items"
login npmfr
http GET "/api/v1/reviews/$ID/result"
check_eq "$RC" 403 "an NPM does not get the consolidated result"

# --- reminders ---
SECFLOW_NOW=2026-12-14T09:00:00Z sf tick
sf --json outbox list
check_py "$OUT" 'not any(m["subject"].startswith("Reminder") for m in j)' "no reminder before two weeks"
SECFLOW_NOW=2026-12-15T09:00:00Z sf tick
SECFLOW_NOW=2026-12-15T10:00:00Z sf tick
sf --json outbox list
check_py "$OUT" '[m["to"] for m in j if m["subject"].startswith("Reminder 1:") and "UAM" not in m["subject"] and m["subject"].startswith("Reminder 1: bi")] == [["npmde@example.org"]]' "at +14 days only the silent NA (DE) is reminded, once"
check_py "$OUT" 'sorted(m["to"][0] for m in j if m["subject"].startswith("Reminder 1: CCN")) == ["lsabe@example.org", "lsafr@example.org"]' "and the silent gateways"
sf --as npmde review answer "$ID" --na DE wb/TAXUD-ITSM-Portal-UAM-2026Q4-DE.xlsx
sf review answer "$ID" --gateway GW-FR wb/TAXUD-CCN-UAM-2026Q4-GW-FR.xlsx
sf review answer "$ID" --igl igl1@example.org
SECFLOW_NOW=2026-12-29T09:00:00Z sf tick
sf --json outbox list
check_py "$OUT" 'not any(m["subject"].startswith("Reminder 2: bi") for m in j)' "at +28 days the NAs have all answered: no NPM reminder"
check_py "$OUT" '[m["to"][0] for m in j if m["subject"].startswith("Reminder 2: CCN")] == ["lsabe@example.org"]' "the second reminder goes only to the gateway still silent"
check_py "$OUT" '[m["bcc"] for m in j if m["subject"].startswith("Reminder 2: CIRCA")] == [["lead1@example.org"]]' "and only to the IGL who has not answered"

# --- the rest of the process ---
sf --as sm review step "$ID" send_npm
sf --as sm review step "$ID" quality_check
sf --as sm review step "$ID" collect_infra
sf --as sm review step "$ID" collect_sd
sf --as sm review step "$ID" collect_sm
sf --as sm review step "$ID" compare_authorised
check_rc 0 "SEC.5.3 to 5.8 are walked"
sf --json outbox list
check_py "$OUT" 'any(m["to"] == ["ilso1@example.org"] and m["subject"].endswith("- OPS") for m in j)' "the OPS list goes to its ILSO"
sf --as ilso1 review step "$ID" confirm_leavers --body '{"team":"OPS","left":[],"still_working":[]}'
check_rc 0 "the ILSO answers for its team"
sf --as pd1 --json review step "$ID" confirm_directors --body '{"left":["XXX.one","XXX.two"]}'
check_rc 0 "the project director confirms the unconfirmed users"
sf --as liso1 review step "$ID" liso_check --body '{"disable":["u020"]}'
sf --as sm review step "$ID" request_ccn
sf --as sm review step "$ID" process_ccn
sf --as sm review step "$ID" send_lsa
sf --as lsafr review step "$ID" lsa_confirmation --body '{"gateway":"GW-BE","reference":"x"}'
check_rc 1 "an LSA cannot confirm for another gateway"
sf --as lsafr review step "$ID" lsa_confirmation --body '{"gateway":"GW-FR","reference":"signed form 12"}'
sf --as lsabe review step "$ID" lsa_confirmation --body '{"gateway":"GW-BE","reference":"signed form 13"}'
check_rc 0 "the LSAs' signed confirmations are recorded"
sf --as sm review step "$ID" consolidate
check_rc 0 "SEC.5.13 consolidates"
sf --json outbox list
check_py "$OUT" 'any(m["subject"].startswith("User access review 2026Q4: changes to make (5)") and m["to"] == ["sd@example.org"] and m["attachments"] == ["TAXUD-ITSM-UAM-2026Q4-changes.csv"] for m in j)' "one change list goes to the Service Desk"
check_py "$OUT" 'sorted(m["to"][0] for m in j if m["subject"].startswith("Your answer was accepted")) == ["npmbe@example.org", "npmde@example.org", "npmfr@example.org"]' "the NPMs are informed"
sf --as sm review step "$ID" send_igl
sf --as sm review step "$ID" submit_result
sf --json review show "$ID"
check_py "$OUT" 'j["state"] == "done"' "the campaign is done"

# --- result ---
sf review result "$ID"
check_match '\| BE \| 3 \| accepted \| 1 \| 0 \| 2 \| 0 \| 0 \|' "$OUT" "the Markdown result has the BE row"
check_match '\| DE \| 1 \| accepted \| 0 \| 0 \| 1 \| 0 \| 1 \|' "$OUT" "and DE reminded once"
login sm
http GET "/api/v1/reviews/$ID/result?format=xlsx"
check_eq "$RC" 200 "the XLSX result by the API"
sf review result "$ID" --format xlsx -o result.xlsx
check_match 'Microsoft Excel|Zip' "$(file result.xlsx)" "the XLSX result is a workbook"
sf audit verify
check_rc 0 "the audit chain verifies after the whole campaign"
t_done
