#!/usr/bin/env bash
# t_incidents.sh - security incident management end to end (seed 002
# SEC.4, seed 001 §6, SPEC 3.2, issue 5): intake by JSON and by e-mail
# (API and CLI), keyword flagging and the security mailbox, screening
# (false positive, routine, specific), correlation proposals, evidence
# from ILSOs and NISOs with log files, emergency actions in rounds, the
# computed high impact, the Security Incident Report in md/html/pdf and
# its delivery on paper, NISO scoping, and the audit chain.  The walk is
# in t_incidents.py.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

"$SECFLOW_BIN" migrate >/dev/null
add_user sm security_manager
add_user sd service_desk
add_user ilso1 ilso OPS
add_user ilso2 ilso NET
add_user nisobe niso BE
add_user nisofr niso FR
add_user liso1 liso
add_user adm admin
add_user req dg_requester TAXUD
"$SECFLOW_BIN" system set CCN --classification critical >/dev/null
"$SECFLOW_BIN" system set ECS --classification strategic >/dev/null
"$SECFLOW_BIN" system set Webportal --classification other >/dev/null
start_server || exit 1

py_checks "$SECFLOW_SOURCE_DIR/tests/integration/t_incidents.py" "$BASE" "$SECFLOW_BIN" "$SECFLOW_SOURCE_DIR"

sf audit verify
check_rc 0 "the audit chain verifies after the whole scenario"
t_done
