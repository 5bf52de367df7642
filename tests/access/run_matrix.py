#!/usr/bin/env python3
"""run_matrix.py - the caller of tests/integration/t_access_matrix.sh.

usage: run_matrix.py BASE_URL MATRIX REQUESTS "NAME ROLE [SCOPE]"...

Reads the routes of BASE_URL/api/v1/openapi.json, the expected statuses of
MATRIX (matrix.tsv) and how to call each route from REQUESTS
(requests.tsv), then calls every (method, route) as every caller: the
users given (logged in with their own correct password, never a wrong
one, so no account is ever locked) and "anonymous" (no token).

Prints, per (method, route, caller), one line "ok<TAB>WHAT" or
"not ok<TAB>WHAT<TAB>WHY", in the order of the plan; lines starting with
"#" are remarks.  The shell test turns them into its numbered checks.

Calls that change nothing shared run for all callers at once (password
hashing makes logins slow on purpose); calls on a fixture run one after
the other, and a fixture that a call changed (a 2xx of a write) is made
anew for the next caller, so that one caller's success never turns
another's answer into 409.

Before the plan, ds1 registers the companies ACME and GLOBEX.  The
convention fixtures ("conv:STEP", "dg:STEP", "ishs:STEP"; see
requests.tsv) are walked through the HTTP API by the user of the right
role for every step (CONV_WALK, DG_WALK, ISHS_WALK below); a fixture used
up by the walk's own step and body is kept as the next step's fixture.

admin1 also classifies the system CCN critical and adds the routine type
"matrix routine" (DELETE /routine_types removes it).  The incident
fixtures ("inc:STEP") are incidents of NA BE on system CCN that sd
registers with "malware" in the description (so they are flagged and
screened), walked by secmgr, ilso1 (ilso OPS, asked for evidence and
assigned the emergency action) and the rest of INC_WALK.

The environment gives SECFLOW_BIN and SECFLOW_NOW (for `secflow tick`,
which ends the sample's cooling-off wait and raises the ISHS amendment's
remove_obsolete) and the database.
"""
import base64
import datetime
import http.client
import itertools
import json
import os
import re
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

PASSWORD = "secflow-demo"
FIX_STATES = ("new", "submitted", "revise_ds", "revise_snet", "decide",
              "archive")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
TODAY = datetime.date.fromisoformat(
    os.environ.get("SECFLOW_NOW", "2026-12-01")[:10])
EXPIRES = (TODAY + datetime.timedelta(days=365)).isoformat()
PLACES = {"{today}": TODAY.isoformat(), "{expires}": EXPIRES}

# The conventions the fixtures are: TAXUD for company ACME, hosted at the
# DIGIT data centre.  Each walk is (step, user, body); "{id}" in a body is
# the convention's id (token serials MTX-ID are the convention's own).
ACCESS = {"application": "CUST", "environment": "Production",
          "component": "WebLogic", "protocol": "HTTPS",
          "hosts": ["10.1.2.0/24", "cust.taxud.example.eu"], "ports": "443",
          "start": TODAY.isoformat(),
          "end": (TODAY + datetime.timedelta(days=180)).isoformat()}
PART2 = {"application": "CUST", "rfc": "RFC-1", "accesses": [ACCESS],
         "client_os": "Linux", "connection": "VPN",
         "support_contact": "ops@acme.example"}
PART1 = {"document_b64": base64.b64encode(b"%PDF-1.4 matrix Part 1\n"
                                          ).decode(),
         "filename": "part1.pdf"}
ACCEPT = {"decision": "accept"}
SMT = {"smt_ref": "SMT-MTX"}
SERIAL = {"serial": "MTX-{id}"}
CONV_WALK = [
    ("request_number", "req.taxud", {}),
    ("assign_number", "ds1", {}),
    ("send_part1", "req.taxud", {}),
    ("submit_part1", "acme", PART1),
    ("fill_part2", "req.taxud", PART2),
    ("submit_part2", "req.taxud", {"channel": "smt", "smt_ref": "SMT-MTX"}),
    ("ishs_validate", "ishs", ACCEPT),
    ("snet_validate", "snet1", ACCEPT),
    ("ds_review_part1", "ds1", ACCEPT),
    ("sign_part1_ds", "dssign1", {"ares_ref": "Ares(MTX)1"}),
    ("sign_part2_ds", "dssign1", {"ares_ref": "Ares(MTX)2"}),
    ("sign_part2_digit", "digsig", {"ares_ref": "Ares(MTX)3"}),
    ("sign_part2_dg", "sign.taxud", {"ares_ref": "Ares(MTX)4"}),
    ("sign_company", "acme", {"ares_ref": "Ares(MTX)5"}),
    ("distribute", "ds1", {}),
    ("submit_implementation", "ds1", SMT),
    ("snet_implement", "snet1", SMT),
    ("uaa_implement", "uaa1", SMT),
    ("notify_implemented", "ds1", SMT),
    ("order_token", "req.taxud", {"holder": "J. Doe (ACME)", "count": 1}),
    ("activate_token", "uaa1", SERIAL),
    ("ship_token", "uaa1", {"serial": "MTX-{id}", "vpn_client": "hardware",
                            "letter_ref": "RL-MTX"}),
    ("acknowledge_token", "acme", SERIAL),
    ("release_pin", "uaa1", SERIAL),
    ("first_connection", "acme", {}),
]
DG_WALK = [
    ("modify_part2", "req.taxud", dict(PART2, application="CUST v2")),
    ("submit_part2", "req.taxud", {"channel": "smt", "smt_ref": "SMT-MTX"}),
    ("ishs_validate", "ishs", ACCEPT),
    ("snet_validate", "snet1", ACCEPT),
    ("sign_part2_ds", "dssign1", {"ares_ref": "Ares(MTX)6"}),
    ("sign_part2_digit", "digsig", {"ares_ref": "Ares(MTX)7"}),
    ("sign_part2_dg", "sign.taxud", {"ares_ref": "Ares(MTX)8"}),
    ("sign_company", "acme", {"ares_ref": "Ares(MTX)9"}),
    ("distribute", "ds1", {}),
    ("submit_implementation", "ds1", SMT),
    ("snet_implement", "snet1", SMT),
    ("uaa_implement", "uaa1", SMT),
    ("notify_implemented", "ds1", SMT),
    ("prolong_token", "req.taxud", {}),
]
# The impacted access ends at the migration date (today, 0 months): the
# next tick raises remove_obsolete.
ISHS_WALK = [
    ("request_latest_part2", "ccor", SMT),
    ("inform_dg", "ccor", {"change": "server migration"}),
    ("modify_part2", "ccor", {"migration_date": TODAY.isoformat(),
                              "months": 0, "impacted": [1],
                              "accesses": [dict((k, v) for k, v in
                                                ACCESS.items()
                                                if k != "end")]}),
    ("submit_part2", "ccor", {"channel": "smt", "smt_ref": "SMT-MTX"}),
    ("snet_validate", "snet1", ACCEPT),
    ("submit_implementation", "ds1", SMT),
    ("snet_implement", "snet1", SMT),
    ("uaa_implement", "uaa1", SMT),
    ("notify_implemented", "ds1", SMT),
]
# Steps off the straight walk: (walk step done otherwise, user, body) and
# the body the step itself is given.
DETOURS = {
    ("conv", "revise_part2"): (("ishs_validate", "ishs", {
        "decision": "request_changes", "feedback": "one port only"}),
        PART2),
    ("conv", "revise_part1"): (("ds_review_part1", "ds1", {
        "decision": "request_changes", "feedback": "sign page 3"}),
        PART1),
}
# The incident fixtures: registered by the Service Desk (flagged: the
# description names malware), then walked; its emergency action (id 1)
# goes to ilso1, whose team OPS was asked for evidence.
INCIDENT = {"reference": "MTX-INC-{uniq}", "title": "matrix incident",
            "description": "possible malware on the CCN gateway",
            "na": "BE", "systems": ["CCN"], "reporter": "ITSM Monitoring"}
INC_WALK = [
    ("screen", "secmgr", {"outcome": "specific", "caused_by_staff": False}),
    ("correlate", "secmgr", {"links": [], "root_cause": "matrix"}),
    ("request_evidence", "secmgr", {"from": [{"role": "ilso",
                                               "scope": "OPS"}],
                                     "question": "gateway logs"}),
    ("provide_evidence", "ilso1", {"text": "gateway logs"}),
    ("analyse_evidence", "secmgr", {"complete": True}),
    ("request_emergency_actions", "secmgr",
     {"actions": [{"system": "CCN", "impact": "high", "urgency": "high",
                   "assignee": "ilso1", "description": "block"}]}),
    ("report_action", "ilso1", {"action": 1, "result": "success",
                                "observed": "blocked"}),
    ("close_actions", "secmgr", {}),
    ("assess_impact", "secmgr",
     {"systems": [{"name": "CCN", "availability": "significant",
                   "integrity": "minor"}], "information": [],
      "under_control": True, "service_restored": True}),
    ("start_report", "secmgr", {}),
    ("contribute", "ilso1", {"self_assessment": "passwords not rotated",
                             "gap_analysis": "policy 4.2",
                             "recommendations": "MFA"}),
    ("review_report", "secmgr", {}),
    ("finalise_report", "secmgr", {}),
    ("deliver_report", "secmgr", {}),
]
# Incident fixtures off the straight walk: name -> (the walk step done
# otherwise, its user and body, the step then active).  inc:linked: the
# evidence is asked from ILSO team OPS and from the NISO of another NA
# (FR), which links FR's NISO to the incident.
INC_DETOURS = {
    "linked": (("request_evidence", "secmgr",
                {"from": [{"role": "ilso", "scope": "OPS"},
                          {"role": "niso", "scope": "FR"}],
                 "question": "gateway logs, both sides"}),
               "provide_evidence"),
}
# kind -> (API plural, walk, who starts an amendment of that kind)
KINDS = {"conv": ("conventions", CONV_WALK, None),
         "dg": ("dg_amendments", DG_WALK, "req.taxud"),
         "ishs": ("ishs_amendments", ISHS_WALK, "ccor"),
         "inc": ("incidents", INC_WALK, "sd")}


def fixture_ok(name):
    """Is NAME a fixture run_matrix.py can make?"""
    name = name[:-3] if name.endswith("/ro") else name
    if name in FIX_STATES + ("-", "granted"):
        return True
    kind, _, step = name.partition(":")
    if kind not in KINDS:
        return False
    walk = KINDS[kind][1]
    return (step in [w[0] for w in walk] or (kind, step) in DETOURS
            or (kind == "inc" and step in INC_DETOURS)
            or (kind, step) in (("conv", "active"),
                                ("ishs", "remove_obsolete")))


def walk_body(fixture, step):
    """The body the walk of FIXTURE's kind gives STEP (JSON), or None."""
    kind = fixture.partition(":")[0]
    if kind not in KINDS:
        return None
    if (kind, step) in DETOURS:
        return json.dumps(DETOURS[(kind, step)][1])
    if (kind, step) == ("ishs", "remove_obsolete"):
        return json.dumps(SMT)
    for s, _, b in KINDS[kind][1]:
        if s == step:
            return json.dumps(b)
    return None


def fixture_object(fixture):
    """The GET route of the object FIXTURE is (its matrix line says who
    may see it)."""
    kind = fixture.partition(":")[0]
    if kind in KINDS:
        return "/api/v1/%s/{id}" % KINDS[kind][0]
    return "/api/v1/samples/{id}"


class Fatal(Exception):
    """A fixture or the plan could not be made: nothing after it counts."""


def emit(*fields):
    print("\t".join(f.replace("\t", " ").replace("\n", " ")
                    for f in fields), flush=True)


# --- HTTP -------------------------------------------------------------------

class Client:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port

    def call(self, method, path, body=None, token=None):
        """(status, text) of one request; status 0 when it did not answer."""
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = body.encode()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as e:
            return 0, "no answer: %s" % e
        finally:
            conn.close()


def jload(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


# --- the plan -----------------------------------------------------------------

def read_tsv(path, nfields):
    """(line number, fields) of each data line; the last field keeps its
    spaces."""
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield n, line.split(None, nfields - 1)


def example(s):
    """A plain valid value for the JSON Schema S."""
    if s.get("enum"):
        return s["enum"][0]
    t = s.get("type", "string")
    if t in ("integer", "number"):
        return 1
    if t == "boolean":
        return True
    if t == "array":
        return []
    if t == "object":
        return {}
    today = os.environ.get("SECFLOW_NOW", "2026-12-01T09:00:00Z")[:10]
    return {"date": today, "date-time": today + "T09:00:00Z",
            "email": "matrix@example.org"}.get(s.get("format"), "x")


def derived_body(op):
    """The body of the required properties of OP's requestBody schema."""
    try:
        s = op["requestBody"]["content"]["application/json"]["schema"]
    except (KeyError, TypeError):
        return "{}"
    props = s.get("properties", {})
    return json.dumps({k: example(props.get(k, {}))
                       for k in s.get("required", [])},
                      separators=(",", ":"))


def bare(route):
    """ROUTE without its query and #variant: the openapi.json path."""
    return route.split("#")[0].split("?")[0]


def make_plan(doc, matrix_file, requests_file, callers):
    """The routes to call, each {method, route, path, body, fixture, check,
    want: {caller: [status]}}, and the faults of the matrix files."""
    ops, faults = {}, []
    for path, methods in doc.get("paths", {}).items():
        for m, op in methods.items():
            ops[(m.upper(), path)] = op

    matrix = {}
    for n, f in read_tsv(matrix_file, 4):
        where = "matrix.tsv:%d" % n
        if len(f) != 4 or len(f[3].split()) != 1:
            faults.append("%s: expected METHOD ROUTE CALLER STATUSES" % where)
            continue
        m, route, caller, st = f
        if caller != "*" and caller not in callers:
            faults.append("%s: unknown caller %s" % (where, caller))
        elif not re.fullmatch(r"[1-5][0-9][0-9](,[1-5][0-9][0-9])*", st):
            faults.append("%s: bad statuses %s" % (where, st))
        elif (m, bare(route)) not in ops:
            faults.append("%s: %s %s is not a route of openapi.json"
                          % (where, m, route))
        elif caller in matrix.get((m, route), {}):
            faults.append("%s: a second line for %s %s %s"
                          % (where, m, route, caller))
        else:
            matrix.setdefault((m, route), {})[caller] = st.split(",")

    requests = {}
    for n, f in read_tsv(requests_file, 5):
        if len(f) != 5:
            faults.append("requests.tsv:%d: expected METHOD ROUTE FIXTURE "
                          "PARAMS BODY" % n)
        elif not fixture_ok(f[2]):
            faults.append("requests.tsv:%d: unknown fixture %s" % (n, f[2]))
        else:
            requests[(f[0], f[1])] = f[2:]

    def want_of(m, route, caller):
        row = matrix.get((m, route), {})
        return row.get(caller, row.get("*"))

    # Every route of openapi.json, then the matrix's query and #variant
    # checks of them.
    # Logging in comes first (its tokens are kept), logging out last.
    keys = sorted(ops) + sorted(k for k in matrix if bare(k[1]) != k[1])
    first_last = {("POST", "/api/v1/session"): 0,
                  ("DELETE", "/api/v1/session"): 2}
    keys.sort(key=lambda k: first_last.get(k, 1))
    plan = []
    for m, route in keys:
        fixture, params, body = requests.get((m, route), (None, "-", "-"))
        step = re.fullmatch(r"/api/v1/(\w+)/\{id\}/steps/(\w+)", route)
        kind = [k for k, v in KINDS.items()
                if step and v[0] == step.group(1)]
        if fixture is None and kind:
            fixture, body = kind[0] + ":" + step.group(2), "@walk"
        if fixture is None:
            fixture = "submitted" if "{id}" in route else "-"
        if body == "@walk":
            body = walk_body(fixture, step.group(2) if step else "")
            if body is None:
                faults.append("%s %s: no walk body for fixture %s"
                              % (m, route, fixture))
                continue
        if body == "-":
            body = (derived_body(ops[(m, bare(route))])
                    if m in ("POST", "PUT", "PATCH") else None)
        path = route.split("#")[0]
        if params != "-":
            for kv in params.split(","):
                k, _, v = kv.partition("=")
                path = path.replace("{%s}" % k, v)
        left = [p for p in re.findall(r"\{(\w+)\}", path) if p != "id"]
        if left:
            faults.append("%s %s: no value for {%s} (requests.tsv PARAMS)"
                          % (m, route, left[0]))
            continue
        # A collection given a sample fixture checks what it lists.
        check = None
        if m == "GET" and fixture != "-" and "{id}" not in route:
            check = "exact" if ("GET", route + "/{id}") in ops else "hidden"
        obj = fixture_object(fixture)
        plan.append({"method": m, "route": route, "path": path,
                     "body": body, "fixture": fixture, "check": check,
                     "want": {c: want_of(m, route, c) for c in callers},
                     "visible": {c: want_of("GET", obj, c) == ["200"]
                                 for c in callers}})
    return plan, faults


# --- the run ------------------------------------------------------------------

class Run:
    def __init__(self, client, callers, order):
        self.http = client
        self.callers = callers  # name -> (role, scope)
        self.order = order      # anonymous, then the users
        self.tokens = {}
        self.no_login = set()   # a login failed: never try again (lockout)
        self.fix = {}           # state -> sample id
        self.granted = False
        self.uniq = itertools.count(1)
        self.ticks = 0
        self.until = (datetime.date.fromisoformat(
            os.environ.get("SECFLOW_NOW", "2026-12-01")[:10])
            + datetime.timedelta(days=30)).isoformat()

    def token(self, who):
        """WHO's token (None for anonymous), logging in once."""
        if who == "anonymous":
            return None
        if who not in self.tokens:
            if who in self.no_login:
                raise Fatal("%s could not log in before" % who)
            st, text = self.http.call("POST", "/api/v1/session", json.dumps(
                {"user": who, "password": PASSWORD}))
            tok = (jload(text) or {}).get("token") if st == 200 else None
            if not tok:
                self.no_login.add(who)
                raise Fatal("log in as %s: HTTP %d %s" % (who, st, text[:200]))
            self.tokens[who] = tok
        return self.tokens[who]

    def as_(self, who, method, path, body=None):
        return self.http.call(method, path, body, self.token(who))

    # fixtures
    def step(self, who, sid, step, body, obj="samples"):
        st, text = self.as_(who, "POST", "/api/v1/%s/%s/steps/%s"
                            % (obj, sid, step), json.dumps(body))
        if st != 200:
            raise Fatal("fixture: %s performs %s on %s %s: HTTP %d %s"
                        % (who, step, obj, sid, st, text[:300]))

    def setup(self):
        """The companies the conventions name, registered by DS; the
        system and the routine type the incidents use, by admin1."""
        for name in ("ACME", "GLOBEX"):
            st, text = self.as_("ds1", "POST", "/api/v1/companies",
                                json.dumps({"name": name}))
            if st != 201:
                raise Fatal("set-up: ds1 registers company %s: HTTP %d %s"
                            % (name, st, text[:300]))
        for path, body in (("/api/v1/systems",
                            {"name": "CCN", "classification": "critical"}),
                           ("/api/v1/routine_types",
                            {"name": "matrix routine"})):
            st, text = self.as_("admin1", "POST", path, json.dumps(body))
            if st != 201:
                raise Fatal("set-up: admin1 POST %s %s: HTTP %d %s"
                            % (path, body, st, text[:300]))

    def walk(self, kind, oid, cid, until):
        """Walk KIND's object OID (of convention CID) up to step UNTIL
        (None: to the end)."""
        obj, steps, _ = KINDS[kind]
        for s, who, body in steps:
            if s == until:
                return
            self.step(who, oid, s, json.loads(
                json.dumps(body).replace("{id}", str(cid))), obj)

    def make_incident(self, state):
        """An incident registered by sd (flagged), walked until STATE's
        step is active."""
        body = json.dumps(INCIDENT).replace("{uniq}", str(next(self.uniq)))
        st, text = self.as_("sd", "POST", "/api/v1/incidents", body)
        iid = (jload(text) or {}).get("id") if st == 201 else None
        if not iid:
            raise Fatal("fixture: sd registers an incident: HTTP %d %s"
                        % (st, text[:300]))
        detour, want = INC_DETOURS.get(state, (None, state))
        self.walk("inc", iid, iid, detour[0] if detour else state)
        if detour:
            self.step(detour[1], iid, detour[0], detour[2], "incidents")
        st, text = self.as_("secmgr", "GET", "/api/v1/incidents/%s" % iid)
        steps = [s.get("step") for s in (jload(text) or {}).get(
            "active_steps", [])]
        if st != 200 or want not in steps:
            raise Fatal("fixture inc:%s: incident %s waits for %s"
                        % (state, iid, steps))
        return iid

    def make_conv(self, kind, state):
        """A convention (kind conv) or an amendment of a fresh implemented
        convention, walked until STATE's step is active."""
        if kind == "inc":
            return self.make_incident(state)
        st, text = self.as_("req.taxud", "POST", "/api/v1/conventions",
                            json.dumps({"dg": "TAXUD", "company": "ACME",
                                        "hosting": "digit_dc",
                                        "contract": "TAXUD/MTX",
                                        "expires": EXPIRES}))
        cid = (jload(text) or {}).get("id") if st == 201 else None
        if not cid:
            raise Fatal("fixture: req.taxud starts a convention: HTTP %d %s"
                        % (st, text[:300]))
        oid, obj = cid, "conventions"
        if kind != "conv":
            self.walk("conv", cid, cid, None)
            obj, _, who = KINDS[kind]
            st, text = self.as_(who, "POST",
                                "/api/v1/conventions/%s/amendments" % cid,
                                json.dumps({"kind": kind}))
            oid = (jload(text) or {}).get("amendment") if st == 201 else None
            if not oid:
                raise Fatal("fixture: %s starts a %s amendment of "
                            "convention %s: HTTP %d %s"
                            % (who, kind, cid, st, text[:300]))
        detour = DETOURS.get((kind, state))
        self.walk(kind, oid, cid, detour[0][0] if detour else
                  None if state in ("active", "remove_obsolete") else state)
        if detour:
            self.step(detour[0][1], oid, detour[0][0], detour[0][2], obj)
        if state == "remove_obsolete":
            self.ticks += 1
            self.tick(2 + self.ticks)
        st, text = self.as_("ds1", "GET", "/api/v1/%s/%s" % (obj, oid))
        v = jload(text) or {}
        steps = [s.get("step") for s in v.get("active_steps", [])]
        if st != 200 or (state not in steps and not (
                state == "active" and v.get("state") == "active")):
            raise Fatal("fixture %s:%s: %s %s waits for %s (state %s)"
                        % (kind, state, obj, oid, steps, v.get("state")))
        return oid

    def tick(self, days):
        env = dict(os.environ)
        now = datetime.datetime.strptime(env["SECFLOW_NOW"][:19],
                                         "%Y-%m-%dT%H:%M:%S")
        env["SECFLOW_NOW"] = (now + datetime.timedelta(days=days)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        r = subprocess.run([env["SECFLOW_BIN"], "tick"], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True)
        if r.returncode:
            raise Fatal("fixture: secflow tick: %s" % r.stderr.strip())

    def make_sample(self, state):
        st, text = self.as_("req.taxud", "POST", "/api/v1/samples",
                            json.dumps({"title": "matrix fixture",
                                        "dg": "TAXUD",
                                        "hosting": "digit_dc"}))
        sid = (jload(text) or {}).get("id") if st == 201 else None
        if not sid:
            raise Fatal("fixture: req.taxud starts a sample: HTTP %d %s"
                        % (st, text[:300]))
        if state != "new":
            self.step("req.taxud", sid, "submit", {"summary": "fixture"})
        if state == "revise_ds":
            self.step("ds1", sid, "review_ds",
                      {"decision": "request_changes", "feedback": "f"})
        if state == "revise_snet":
            self.step("snet1", sid, "review_snet",
                      {"decision": "request_changes", "feedback": "f"})
        if state in ("decide", "archive"):
            self.step("ds1", sid, "review_ds", {"decision": "accept"})
            self.step("snet1", sid, "review_snet", {"decision": "accept"})
        if state == "archive":
            self.step("dssign1", sid, "decide", {"decision": "approve"})
            # The cooling-off wait ends two days on: run the jobs due
            # then (each time a little later, as the jobs run once).
            self.ticks += 1
            self.tick(2 + self.ticks)
        want = {"new": "submit", "submitted": "review_ds"}.get(state, state)
        st, text = self.as_("req.taxud", "GET", "/api/v1/samples/%s" % sid)
        steps = [s.get("step") for s in (jload(text) or {}).get(
            "active_steps", [])]
        if st != 200 or want not in steps:
            raise Fatal("fixture %s: sample %s waits for %s, not %s"
                        % (state, sid, steps, want))
        return sid

    def fixture(self, state):
        """The object id for STATE ("" for fixtures without one)."""
        if state.endswith("/ro"):
            state = state[:-3]
        if state == "-":
            return ""
        if state == "granted":
            if not self.granted:
                st, text = self.as_("admin1", "POST",
                                    "/api/v1/users/grantee/grants",
                                    json.dumps({"role": "uaa"}))
                if st != 201:
                    raise Fatal("fixture: grant uaa to grantee: HTTP %d %s"
                                % (st, text[:300]))
                self.granted = True
            return ""
        if state not in self.fix:
            kind, _, step = state.partition(":")
            self.fix[state] = (self.make_conv(kind, step) if kind in KINDS
                               else self.make_sample(state))
        return str(self.fix[state])

    def use_up(self, state, body):
        """STATE's fixture was changed by a call with BODY: drop it, or
        keep it as the next step's when that call was the walk's."""
        if state == "granted":
            self.granted = False
            return
        sid = self.fix.pop(state, None)
        kind, _, step = state.partition(":")
        if kind not in KINDS or sid is None:
            return
        steps = [w[0] for w in KINDS[kind][1]]
        if step not in steps or body != walk_body(state, step):
            return
        i = steps.index(step) + 1
        after = (steps[i] if i < len(steps) else
                 {"conv": "active"}.get(kind))
        if after and (kind + ":" + after) not in self.fix:
            self.fix[kind + ":" + after] = sid

    # one call
    def one(self, r, caller, sid):
        """(ok, what, why) of R as CALLER on sample SID."""
        what = "%s %s as %s" % (r["method"], r["route"], caller)
        want = r["want"][caller]
        if want is None:
            return False, what, "route not covered by tests/access/matrix.tsv"
        role, scope = self.callers.get(caller, ("", ""))
        path = r["path"].replace("{id}", sid)
        body = r["body"]
        if body is not None:
            for k, v in list(PLACES.items()) + [
                    ("{id}", sid), ("{me}", caller),
                         ("{password}", PASSWORD), ("{myrole}", role),
                         ("{myscope}", scope), ("{until}", self.until),
                         ("{uniq}", str(next(self.uniq)))]:
                body = body.replace(k, v)
        try:
            st, text = self.as_(caller, r["method"], path, body)
        except Fatal as e:
            return False, what, str(e)
        got = str(st)
        if got not in want:
            if got.startswith("2"):
                return False, what, ("ACCESS LEAK: HTTP %s, which the matrix "
                                     "does not allow (%s); %s %s: %s"
                                     % (got, ",".join(want), r["method"],
                                        path, text[:300]))
            return False, what, ("HTTP %s, wanted %s; %s %s: %s"
                                 % (got, ",".join(want), r["method"], path,
                                    text[:300]))
        j = jload(text)
        if got.startswith("4"):
            e = j.get("error") if isinstance(j, dict) else None
            if not (isinstance(e, dict) and isinstance(e.get("code"), str)
                    and isinstance(e.get("message"), str)):
                return False, what, "HTTP %s without the SPEC error body: %s" \
                    % (got, text[:300])
        if got == "200" and r["check"]:
            if not isinstance(j, list):
                return False, what, "not a list: %s" % text[:300]
            has = any(isinstance(o, dict) and str(o.get("id")) == sid
                      for o in j)
            vis = r["visible"][caller]
            if has and not vis:
                return False, what, ("ACCESS LEAK: the list shows %s %s, "
                                     "hidden from %s"
                                     % (r["fixture"], sid, caller))
            if r["check"] == "exact" and vis and not has:
                return False, what, ("the list lacks %s %s, which %s "
                                     "may see" % (r["fixture"], sid, caller))
        if r["method"] == "POST" and r["route"] == "/api/v1/session" \
                and got == "200" and caller not in self.tokens:
            self.tokens[caller] = (j or {}).get("token")
        if r["method"] == "DELETE" and r["route"] == "/api/v1/session" \
                and got.startswith("2"):
            self.tokens.pop(caller, None)
        return True, what + " -> " + got, got

    def route(self, r, pool):
        names = self.order
        shared = (r["method"] == "GET" or r["fixture"] == "-"
                  or r["fixture"].endswith("/ro"))
        if shared:
            sid = self.fixture(r["fixture"])
            # Tokens first, one login at a time per caller.
            if not (r["method"] == "POST" and r["route"] == "/api/v1/session"):
                for c in names:
                    if r["want"][c] is not None and c not in self.no_login:
                        try:
                            self.token(c)
                        except Fatal:
                            pass
            results = list(pool.map(lambda c: self.one(r, c, sid), names))
        else:
            results = []
            for c in names:
                sid = self.fixture(r["fixture"])
                res = self.one(r, c, sid)
                if res[0] and res[2].startswith("2"):
                    self.use_up(r["fixture"], r["body"])
                results.append(res)
        for ok, what, why in results:
            if ok:
                emit("ok", what)
            else:
                emit("not ok", what, why)
        return len(results)


def main():
    base, matrix_file, requests_file = sys.argv[1:4]
    callers = {}
    order = ["anonymous"]
    for spec in sys.argv[4:]:
        f = spec.split()
        callers[f[0]] = (f[1] if len(f) > 1 else "",
                         f[2] if len(f) > 2 else "")
        order.append(f[0])
    client = Client(base)
    st, text = client.call("GET", "/api/v1/openapi.json")
    doc = jload(text)
    if st != 200 or not isinstance(doc, dict):
        emit("not ok", "GET /api/v1/openapi.json", "HTTP %d %s"
             % (st, text[:300]))
        return 1
    plan, faults = make_plan(doc, matrix_file, requests_file, order)
    for f in faults:
        emit("not ok", "the matrix files", f)
    run = Run(client, callers, order)
    calls = 0
    try:
        run.setup()
    except Fatal as e:
        emit("not ok", "set-up", str(e))
        return 1
    with ThreadPoolExecutor(max_workers=len(order)) as pool:
        for r in plan:
            try:
                calls += run.route(r, pool)
            except Fatal as e:
                emit("not ok", "%s %s" % (r["method"], r["route"]), str(e))
                return 1
    nops = sum(len(v) for v in doc.get("paths", {}).values())
    emit("# %d calls: %d routes x %d callers (%d routes of openapi.json, "
         "the rest the matrix's query checks)"
         % (calls, len(plan), len(order), nops))
    return 0


if __name__ == "__main__":
    sys.exit(main())
