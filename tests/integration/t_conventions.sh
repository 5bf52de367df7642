#!/usr/bin/env bash
# t_conventions.sh - security conventions end to end (seed 000, SPEC 3.1,
# issue 4): the whole creation for both hosting kinds through the HTTP
# API with a user of the right role for every step, change-request loops,
# both amendments, token prolongation, Part 1 confidentiality, Part 2
# validation, SLAs over a weekend and holidays, expiry warnings, the
# expiry rule, the progress report, the call text, and the audit chain.
# The walk is in t_conventions.py; it prints one "ok"/"not ok" line per
# check.
. "$SECFLOW_SOURCE_DIR/tests/integration/lib.sh"

"$SECFLOW_BIN" migrate >/dev/null
add_user ds1 ds
add_user dsig ds_signatory
add_user digsig digit_signatory
add_user req dg_requester TAXUD
add_user dgsig dg_signatory TAXUD
add_user agri dg_requester AGRI
add_user acme company ACME
add_user globex company GLOBEX
add_user ishs ishs_sd
add_user ccor ishs_ccor
add_user snet1 snet
add_user uaa1 uaa
add_user adm admin
start_server || exit 1

py_checks "$SECFLOW_SOURCE_DIR/tests/integration/t_conventions.py" "$BASE" "$SECFLOW_BIN"

sf audit verify
check_rc 0 "the audit chain verifies after the whole scenario"
t_done
