"""t_conventions.py BASE SECFLOW_BIN - the conventions walk for
t_conventions.sh.  The server runs with SECFLOW_NOW=2026-12-01 (a
Tuesday); steps that must happen on other days go through the CLI with
their own SECFLOW_NOW.  Prints "ok - WHAT" or "not ok - WHAT # DETAIL".
"""
import base64
import json
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import walk  # noqa: E402
from walk import active, call, check  # noqa: E402

walk.BASE, walk.BIN = sys.argv[1], sys.argv[2]


def cli(now, *args, user=None):
    return walk.cli(*args, user=user, now=now)


def step(cid, name, user, body=None, want=200):
    s, v = call("POST", "/api/v1/conventions/%d/steps/%s" % (cid, name),
                body or {}, user)
    check(s == want, "%s by %s -> %d" % (name, user, want), "%s %s" % (s, v))
    return v


ACC = [{"application": "CUST", "environment": "Production",
        "component": "WebLogic", "protocol": "HTTPS",
        "hosts": ["10.1.2.0/24", "cust.taxud.example.eu"], "ports": "443",
        "start": "2026-12-01", "end": "2027-06-30"},
       {"application": "CUST", "environment": "Test",
        "component": "Oracle", "protocol": "TCP",
        "hosts": ["2001:DB8::10"], "ports": "1521-1522",
        "start": "2026-12-01", "end": "2027-12-31"}]
PART2 = {"application": "CUST customs system", "rfc": "RFC-77",
         "accesses": ACC, "client_os": "Windows 11",
         "connection": "VPN from the company LAN",
         "support_contact": "ops@acme.example"}
DOC = b"%PDF-1.4 ACME Part 1: physical, logical and organisational " \
      b"protection measures\n" * 50


def create(hosting, expires="2027-12-31", company="ACME"):
    s, v = call("POST", "/api/v1/conventions",
                {"dg": "TAXUD", "company": company, "hosting": hosting,
                 "contract": "TAXUD/2026/OP/0001", "expires": expires},
                "req")
    check(s == 201, "req starts a %s convention" % hosting, "%s %s" % (s, v))
    return v["id"]


def to_signature(cid, hosting, part2=PART2):
    """From a fresh convention to the four signatures."""
    step(cid, "request_number", "req")
    v = step(cid, "assign_number", "ds1")
    check(active(v) == ["fill_part2", "send_part1"],
          "Part 1 and Part 2 tracks run in parallel", active(v))
    step(cid, "send_part1", "req")
    step(cid, "submit_part1", "acme",
         {"document_b64": base64.b64encode(DOC).decode(),
          "filename": "part1.pdf"})
    step(cid, "fill_part2", "req", part2)
    v = step(cid, "submit_part2", "req", {"channel": "smt",
                                          "smt_ref": "SMT-1001"})
    if hosting == "digit_dc":
        check("ishs_validate" in active(v), "digit_dc: ISHS validates first",
              active(v))
        step(cid, "ishs_validate", "ishs", {"decision": "accept"})
    else:
        check("snet_validate" in active(v) and "ishs_validate" not in
              active(v), "hosting dg: no ISHS validation", active(v))
    step(cid, "snet_validate", "snet1", {"decision": "accept"})
    v = step(cid, "ds_review_part1", "ds1", {"decision": "accept"})
    check(active(v) == ["sign_part1_ds", "sign_part2_dg", "sign_part2_digit",
                        "sign_part2_ds"],
          "both parts validated: the signature phase starts", active(v))


def to_implemented(cid):
    step(cid, "sign_company", "acme", {"ares_ref": "Ares(2026)1"}, 409)
    step(cid, "sign_part1_ds", "dsig", {"ares_ref": "Ares(2026)11"})
    step(cid, "sign_part2_ds", "dsig", {"ares_ref": "Ares(2026)12"})
    step(cid, "sign_part2_digit", "digsig", {"ares_ref": "Ares(2026)13"})
    step(cid, "sign_part2_dg", "dgsig", {"ares_ref": "Ares(2026)14"})
    step(cid, "sign_company", "acme", {"ares_ref": "Ares(2026)15"})
    step(cid, "distribute", "ds1", {"ares_ref": "Ares(2026)16"})
    step(cid, "submit_implementation", "ds1", {"smt_ref": "SMT-2001"})
    step(cid, "snet_implement", "snet1", {"smt_ref": "SMT-2001"})
    step(cid, "uaa_implement", "uaa1", {"smt_ref": "SMT-2001"})
    v = step(cid, "notify_implemented", "ds1", {"smt_ref": "SMT-2001"})
    check(v.get("implemented") == "2026-12-01" and
          all(a["state"] == "implemented" for a in v["accesses"]),
          "implemented: the accesses are implemented", v.get("accesses"))


def tokens(cid, serial):
    step(cid, "order_token", "req", {"holder": "J. Doe (ACME)", "count": 1})
    v = step(cid, "activate_token", "uaa1", {"serial": serial})
    t = [x for x in v["tokens"] if x["serial"] == serial]
    check(t and t[0]["expires"] == "2027-12-01" and t[0]["state"] == "active",
          "a token expires one year after activation by default", t)
    step(cid, "ship_token", "uaa1", {"serial": serial,
                                      "vpn_client": "hardware",
                                      "letter_ref": "RL-1"})
    step(cid, "release_pin", "uaa1", {"serial": serial}, 409)
    step(cid, "acknowledge_token", "acme", {"serial": "NOPE"}, 422)
    step(cid, "acknowledge_token", "acme", {"serial": serial})
    step(cid, "release_pin", "uaa1", {"serial": serial})
    v = step(cid, "first_connection", "acme")
    check(v.get("state") == "active", "after the first connection the "
          "convention is active", v.get("state"))


# --- companies ------------------------------------------------------------
s, v = call("POST", "/api/v1/companies", {"name": "ACME"}, "req")
check(s == 403, "only DS registers companies", s)
for name in ("ACME", "GLOBEX"):
    s, v = call("POST", "/api/v1/companies", {"name": name}, "ds1")
    check(s == 201, "DS registers %s" % name, "%s %s" % (s, v))
s, v = call("POST", "/api/v1/companies", {"name": "ACME"}, "ds1")
check(s == 409, "a company is registered once", s)
s, v = call("GET", "/api/v1/companies", None, "acme")
check(s == 200 and [c["name"] for c in v] == ["ACME"],
      "a company sees only itself in the list", v)

# --- start: roles and scopes ----------------------------------------------
s, v = call("POST", "/api/v1/conventions",
            {"dg": "TAXUD", "company": "ACME", "hosting": "dg",
             "expires": "2027-12-31"}, "agri")
check(s == 403, "a requester of another DG may not start for TAXUD", s)
s, v = call("POST", "/api/v1/conventions",
            {"dg": "TAXUD", "company": "NOSUCH", "hosting": "dg",
             "expires": "2027-12-31"}, "req")
check(s == 422 and v["error"]["field"] == "company",
      "an unregistered company is refused (422 company)", v)

# --- creation, hosted at the DIGIT data centre, with both loops -----------
A = create("digit_dc")
step(A, "assign_number", "ds1", want=409)
step(A, "request_number", "acme", want=403)
for who in ("globex", "agri"):
    s, v = call("GET", "/api/v1/conventions/%d" % A, None, who)
    check(s == 404, "%s cannot see another party's convention (404)" % who,
          s)
s, v = call("GET", "/api/v1/conventions", None, "globex")
check(s == 200 and all(x["id"] != A for x in v),
      "nor find it in the list", v)

# Part 2 validation: every bad field is refused with 422 naming row and
# field, and nothing is stored.
bad_cases = [
    ("hosts", ["10.1.2.3/24"], "accesses[1].hosts[0]"),
    ("hosts", ["exa_mple.com"], "accesses[1].hosts[0]"),
    ("hosts", ["2001:db8::zz"], "accesses[1].hosts[0]"),
    ("hosts", ["256.1.1.1"], "accesses[1].hosts[0]"),
    ("ports", "70000", "accesses[1].ports"),
    ("ports", "100-90", "accesses[1].ports"),
    ("environment", "Prod", "accesses[1].environment"),
    ("protocol", "XYZ", "accesses[1].protocol"),
    ("end", "2028-01-31", "accesses[1].end"),
    ("end", "2026-11-30", "accesses[1].end"),
    ("start", "2026-13-01", "accesses[1].start"),
]
step(A, "request_number", "req")
step(A, "assign_number", "ds1")
for field, value, want in bad_cases:
    body = json.loads(json.dumps(PART2))
    body["accesses"][1][field] = value
    s, v = call("POST", "/api/v1/conventions/%d/steps/fill_part2" % A,
                body, "req")
    check(s == 422 and v["error"]["field"] == want,
          "Part 2 %s=%r refused naming %s" % (field, value, want),
          "%s %s" % (s, v))
s, v = call("GET", "/api/v1/conventions/%d" % A, None, "req")
check(v["accesses"] == [] and "fill_part2" in active(v),
      "nothing of the refused Part 2 was stored", v.get("accesses"))
check(v["number"] == "TAXUD.1.T1", "DS assigned the number TAXUD.1.T1",
      v.get("number"))

# Finish the walk of A with both loops.
step(A, "send_part1", "req")
step(A, "submit_part1", "acme",
     {"document_b64": base64.b64encode(DOC).decode(),
      "filename": "part1.pdf"})
step(A, "fill_part2", "req", PART2)
v = step(A, "submit_part2", "req", {"channel": "smt", "smt_ref": "SMT-1001"})
step(A, "ishs_validate", "snet1", {"decision": "accept"}, 403)
step(A, "snet_validate", "snet1", {"decision": "accept"}, 409)
v = step(A, "ishs_validate", "ishs", {"decision": "request_changes",
                                       "feedback": "one port only"})
check("revise_part2" in active(v), "a change request goes back to the DG",
      active(v))
step(A, "revise_part2", "req", PART2)
v = step(A, "submit_part2", "req", {"channel": "mail"})
check("ishs_validate" in active(v), "and the validation repeats", active(v))
step(A, "ishs_validate", "ishs", {"decision": "accept"})
step(A, "snet_validate", "snet1", {"decision": "accept"})
v = step(A, "ds_review_part1", "ds1", {"decision": "request_changes",
                                        "feedback": "sign page 3"})
check("revise_part1" in active(v), "DS's comments go to the company",
      active(v))
step(A, "revise_part1", "acme",
     {"document_b64": base64.b64encode(DOC + b"v2").decode(),
      "filename": "part1-v2.pdf"})
v = step(A, "ds_review_part1", "ds1", {"decision": "accept"})
check(active(v) == ["sign_part1_ds", "sign_part2_dg", "sign_part2_digit",
                    "sign_part2_ds"],
      "both parts validated: the four signatures", active(v))

# Part 1 is for DS and the company only; every read is audited.
req = urllib.request.Request(BASE + "/api/v1/conventions/%d/part1" % A)
for who, want in (("ds1", 200), ("acme", 200), ("req", 403),
                  ("snet1", 403), ("adm", 403), ("globex", 404)):
    s, body = call("GET", "/api/v1/conventions/%d/part1" % A, None, who)
    ok = s == want and (want != 200 or body == DOC + b"v2")
    check(ok, "Part 1 read by %s -> %d" % (who, want), s)
s, body = call("GET", "/api/v1/conventions/%d/part1?version=1" % A, None,
               "acme")
check(s == 200 and body == DOC, "the first version is kept", s)
s, v = call("GET", "/api/v1/audit?object=conventions/%d" % A, None, "ds1")
reads = [r for r in v if r.get("action") == "read:part1"]
check(len(reads) == 3, "each Part 1 read is in the audit trail",
      len(reads))
check(base64.b64encode(DOC).decode()[:40] not in json.dumps(v),
      "the audit trail holds no Part 1 content", "")
s, v = call("GET", "/api/v1/conventions/%d" % A, None, "req")
check("part1" not in v and base64.b64encode(DOC).decode()[:40] not in
      json.dumps(v), "the DG sees no Part 1 in the convention", "")

to_implemented(A)
tokens(A, "TK-0001")

# Progress report and call.
s, v = call("GET", "/api/v1/conventions/%d/progress" % A, None, "req")
phases = [p["phase"] for p in v.get("phases", [])]
check(s == 200 and phases == ["preparation", "validation", "signature",
                              "implementation", "tokens"],
      "the progress report lists every phase", phases)
check(all(p.get("started") and p.get("completed") for p in v["phases"]),
      "each phase with its dates", v.get("phases"))
smts = {st.get("smt_ref") for p in v["phases"] for st in p["steps"]}
check({"SMT-1001", "SMT-2001"} <= smts, "with the SMT references", smts)
ishs_rows = [st for p in v["phases"] for st in p["steps"]
             if st["step"] == "ishs_validate"]
check(ishs_rows and ishs_rows[0].get("sla_working_days") == 5,
      "and the time against the SLA", ishs_rows[:1])
rc, out, err = cli("2026-12-01T10:00:00Z", "convention", "progress", str(A))
check(rc == 0 and "TAXUD.1.T1" in out, "secflow convention progress", err)

s, v = call("POST", "/api/v1/conventions/%d/call" % A,
            {"token": "TK-0001", "problem": "VPN drops after login"}, "req")
check(s == 200 and "TAXUD.1.T1" in v["text"] and "TK-0001" in v["text"],
      "the call text names the convention and the token", v)
s, v = call("POST", "/api/v1/conventions/%d/call" % A,
            {"token": "TK-9999", "problem": "x"}, "req")
check(s == 422, "a token of another convention is refused", s)
rc, out, err = cli("2026-12-01T10:00:00Z", "convention", "call", str(A),
                   "--token", "TK-0001", "--problem", "no route")
check(rc == 0 and "TK-0001" in out, "secflow convention call", err)

# --- amendment by the DG ----------------------------------------------------
s, v = call("POST", "/api/v1/conventions/%d/amendments" % A,
            {"kind": "dg"}, "acme")
check(s == 403, "a company may not start a DG amendment", s)
s, v = call("POST", "/api/v1/conventions/%d/amendments" % A,
            {"kind": "dg"}, "req")
check(s == 201 and "modify_part2" in active(v),
      "the DG amends the implemented convention", "%s %s" % (s, v))
s, v = call("POST", "/api/v1/conventions/%d/amendments" % A,
            {"kind": "dg"}, "req")
check(s == 409, "one open amendment at a time", s)
new = json.loads(json.dumps(PART2))
new["accesses"].append({"application": "CUST", "environment": "Acceptance",
                        "component": "Tomcat", "protocol": "HTTPS",
                        "hosts": ["acc.taxud.example.eu"], "ports": 8443,
                        "start": "2027-01-04", "end": "2027-12-31"})
step(A, "modify_part2", "req", new)
step(A, "submit_part2", "req", {"channel": "smt", "smt_ref": "SMT-3001"})
step(A, "ishs_validate", "ishs", {"decision": "accept"})
v = step(A, "snet_validate", "snet1", {"decision": "accept"})
check(sorted(active(v)) == ["sign_part2_dg", "sign_part2_digit",
                            "sign_part2_ds"],
      "the DG amendment signs Part 2 only", active(v))
step(A, "sign_part2_ds", "dsig", {"ares_ref": "Ares(2027)1"})
step(A, "sign_part2_digit", "digsig", {"ares_ref": "Ares(2027)2"})
step(A, "sign_part2_dg", "dgsig", {"ares_ref": "Ares(2027)3"})
step(A, "sign_company", "acme", {"ares_ref": "Ares(2027)4"})
step(A, "distribute", "ds1")
step(A, "submit_implementation", "ds1", {"smt_ref": "SMT-3002"})
step(A, "snet_implement", "snet1", {"smt_ref": "SMT-3002"})
step(A, "uaa_implement", "uaa1", {"smt_ref": "SMT-3002"})
v = step(A, "notify_implemented", "ds1")
check(len(v["accesses"]) == 3 and len(v["part2_versions"]) >= 3,
      "the amended Part 2 is the convention's now", v.get("accesses"))
v = step(A, "prolong_token", "req", {})
t = [x for x in v["tokens"] if x["serial"] == "TK-0001"]
check(t and t[0]["expires"] == "2028-12-01" and t[0].get("renewed"),
      "the token is prolonged by a year", t)

# --- amendment by DIGIT/C2/ISHS --------------------------------------------
s, v = call("POST", "/api/v1/conventions/%d/amendments" % A,
            {"kind": "ishs"}, "ccor")
check(s == 201, "CCOR starts an ISHS amendment", "%s %s" % (s, v))
step(A, "request_latest_part2", "ccor", {"smt_ref": "SMT-4001"})
step(A, "inform_dg", "ccor", {"change": "server migration to DC2"})
s, v = call("POST", "/api/v1/conventions/%d/steps/modify_part2" % A,
            {"migration_date": "2026-12-15", "months": 1, "impacted": [99],
             "accesses": [{k: x for k, x in ACC[0].items() if k != "end"}]},
            "ccor")
check(s == 422 and v["error"]["field"] == "impacted[0]",
      "an unknown impacted access is refused", v)
na = dict(ACC[0], hosts=["10.9.0.0/16"])
del na["end"]
v = step(A, "modify_part2", "ccor",
         {"migration_date": "2026-12-15", "months": 1, "impacted": [1],
          "accesses": [na]})
s, v = call("GET", "/api/v1/conventions/%d" % A, None, "ccor")
v = step(A, "submit_part2", "ccor", {"channel": "smt", "smt_ref": "SMT-4002"})
check(active(v) == ["snet_validate"], "no signature circuit: SNET validates",
      active(v))
step(A, "snet_validate", "snet1", {"decision": "accept"})
step(A, "submit_implementation", "ds1", {"smt_ref": "SMT-4003"})
step(A, "snet_implement", "snet1", {"smt_ref": "SMT-4003"})
step(A, "uaa_implement", "uaa1", {"smt_ref": "SMT-4003"})
v = step(A, "notify_implemented", "ds1")
acc = {a["id"]: a for a in v["accesses"]}
check(acc.get(1, {}).get("end") == "2027-01-15",
      "an impacted access ends at migration date + n months", acc.get(1))
newest = max(acc)
check(acc[newest]["end"] == "2027-12-31" and
      acc[newest]["hosts"] == ["10.9.0.0/16"],
      "a new access ends with the convention", acc[newest])
rc, out, err = cli("2027-01-15T09:00:00Z", "tick")
s, v = call("GET", "/api/v1/tasks", None, "snet1")
check(not any(t["step"] == "remove_obsolete" for t in v),
      "no removal before the old end date has passed", v)
rc, out, err = cli("2027-01-16T09:00:00Z", "tick")
s, v = call("GET", "/api/v1/tasks", None, "snet1")
check(any(t["step"] == "remove_obsolete" for t in v),
      "after it, tick raises remove_obsolete for SNET", v)
v = step(A, "remove_obsolete", "snet1", {"smt_ref": "SMT-4004"})
check(1 not in [a["id"] for a in v["accesses"]] and
      [a["id"] for a in v.get("removed_accesses", [])] == [1],
      "the obsolete access is removed", v.get("removed_accesses"))

# --- creation hosted at the DG ------------------------------------------------
B = create("dg")
to_signature(B, "dg")
to_implemented(B)
tokens(B, "TK-0002")
s, v = call("GET", "/api/v1/conventions/%d" % B, None, "req")
check(v.get("number") == "TAXUD.2.T1", "serials count per DG", v.get("number"))
s, v = call("GET", "/api/v1/conventions/%d" % B, None, "acme")
check(s == 200 and "part1" in v, "the company sees its own Part 1 list", s)

# --- after the expiry no step grants access -------------------------------
C = create("dg", expires="2026-12-20")
to_signature(C, "dg", part2=dict(PART2, accesses=[
    dict(a, end="2026-12-20") for a in ACC]))
for st, who, body in (("sign_part1_ds", "dsig", {"ares_ref": "A1"}),
                      ("sign_part2_ds", "dsig", {"ares_ref": "A2"}),
                      ("sign_part2_digit", "digsig", {"ares_ref": "A3"}),
                      ("sign_part2_dg", "dgsig", {"ares_ref": "A4"}),
                      ("sign_company", "acme", {}), ("distribute", "ds1", {})):
    step(C, st, who, body)
rc, out, err = cli("2026-12-21T09:00:00Z", "tick")
rc, out, err = cli("2026-12-21T09:00:00Z", "convention", "step", str(C),
                   "submit_implementation", "--body", '{"smt_ref":"S-9"}',
                   user="ds1")
check(rc == 1 and "expired" in err,
      "after the expiry submit_implementation is refused", err)
rc, out, err = cli("2026-12-21T09:00:00Z", "outbox", "list")
msgs = json.loads(out) if rc == 0 else []
check(any("expired" in m["subject"] and "TAXUD.3.T1" in m["subject"]
          for m in msgs), "the expiry lists the accesses for removal",
      [m["subject"] for m in msgs][:5])
s, v = call("GET", "/api/v1/conventions/%d" % C, None, "req")
check(v.get("state") == "expired" and v.get("to_remove"),
      "the convention shows expired with its accesses to remove", v.get("state"))

# --- SLAs over weekends and holidays (CLI with its own clock) -------------
def cstep(now, cid, name, user, body=None):
    rc, out, err = cli(now, "convention", "step", str(cid), name,
                       "--body", json.dumps(body or {}), user=user)
    check(rc == 0, "%s at %s" % (name, now[:10]), err)
    return json.loads(out) if rc == 0 else {}


rc, out, err = cli("2027-05-03T09:00:00Z", "convention", "create",
                   "--dg", "TAXUD", "--company", "ACME", "--hosting",
                   "digit_dc", "--expires", "2028-06-30", user="req")
D = json.loads(out)["id"] if rc == 0 else 0
check(rc == 0, "a convention started from the CLI", err)
T = "2027-05-04T09:00:00Z"  # Tuesday; Thu 6 and Fri 7 are holidays
cstep(T, D, "request_number", "req")
cstep(T, D, "assign_number", "ds1")
cstep(T, D, "fill_part2", "req", dict(PART2, accesses=[
    dict(ACC[0], start="2027-05-04", end="2028-06-30")]))
v = cstep(T, D, "submit_part2", "req", {"channel": "smt",
                                          "smt_ref": "SMT-5001"})
due = [a.get("due") for a in v.get("active_steps", [])
       if a["step"] == "ishs_validate"]
check(due == ["2027-05-13"], "ISHS has 5 working days (holidays and a "
      "weekend skipped)", due)


def overdue_of(cid, name):
    rc, out, err = cli("2027-05-04T09:00:00Z", "convention", "show",
                       str(cid))
    v = json.loads(out)
    return [a["overdue"] for a in v["active_steps"] if a["step"] == name]


cli("2027-05-13T09:00:00Z", "tick")
check(overdue_of(D, "ishs_validate") == [False],
      "ISHS is not overdue on the 5th working day", "")
cli("2027-05-14T09:00:00Z", "tick")
check(overdue_of(D, "ishs_validate") == [True],
      "ISHS is overdue on the 6th working day", "")
rc, out, err = cli("2027-05-14T09:00:00Z", "outbox", "list")
check(any("OVERDUE" in m["subject"] and "ds1@example.org" in m["to"]
          for m in json.loads(out)), "DS is told of the overdue review", "")
v = cstep("2027-05-14T10:00:00Z", D, "ishs_validate", "ishs",
          {"decision": "accept"})
due = [a.get("due") for a in v.get("active_steps", [])
       if a["step"] == "snet_validate"]
check(due == ["2027-05-20"], "SNET has 3 working days (Whit Monday "
      "skipped)", due)
cli("2027-05-20T09:00:00Z", "tick")
check(overdue_of(D, "snet_validate") == [False],
      "SNET is not overdue on the 3rd working day", "")
cli("2027-05-21T09:00:00Z", "tick")
check(overdue_of(D, "snet_validate") == [True],
      "SNET is overdue on the 4th working day", "")

# --- expiry warnings 90, 30 and 7 days ahead, once each ----------------------
def warnings(now):
    rc, out, err = cli(now, "outbox", "list")
    return sorted(m["subject"] for m in json.loads(out)
                  if "TAXUD.4.T1" in m["subject"] and "expires in" in
                  m["subject"] and "req@example.org" in m["to"])


cli("2028-03-31T09:00:00Z", "tick")
check(warnings("2028-03-31T09:00:00Z") == [],
      "no warning 91 days ahead", warnings("2028-03-31T09:00:00Z"))
for day, n in (("2028-04-01", 1), ("2028-04-02", 1), ("2028-05-31", 2),
               ("2028-06-23", 3), ("2028-06-24", 3)):
    cli(day + "T09:00:00Z", "tick")
    cli(day + "T09:00:00Z", "tick")
    w = warnings(day + "T09:00:00Z")
    check(len(w) == n, "%d warning(s) by %s, each once" % (n, day), w)
