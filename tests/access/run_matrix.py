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

The environment gives SECFLOW_BIN and SECFLOW_NOW (for `secflow tick`,
which ends the sample's cooling-off wait) and the database.
"""
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
# The object the sample fixtures are: whether a caller may see them is this
# route's GET line in the matrix.
FIX_OBJECT = "/api/v1/samples/{id}"
FIX_STATES = ("new", "submitted", "revise_ds", "revise_snet", "decide",
              "archive")
WRITES = ("POST", "PUT", "PATCH", "DELETE")


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
        elif (m, route.split("?")[0]) not in ops:
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
        elif f[2] not in FIX_STATES + ("-", "granted"):
            faults.append("requests.tsv:%d: unknown fixture %s" % (n, f[2]))
        else:
            requests[(f[0], f[1])] = f[2:]

    def want_of(m, route, caller):
        row = matrix.get((m, route), {})
        return row.get(caller, row.get("*"))

    # Every route of openapi.json, then the matrix's query checks of them.
    # Logging in comes first (its tokens are kept), logging out last.
    keys = sorted(ops) + sorted(k for k in matrix if "?" in k[1])
    first_last = {("POST", "/api/v1/session"): 0,
                  ("DELETE", "/api/v1/session"): 2}
    keys.sort(key=lambda k: first_last.get(k, 1))
    plan = []
    for m, route in keys:
        fixture, params, body = requests.get((m, route), (None, "-", "-"))
        if fixture is None:
            fixture = "submitted" if "{id}" in route else "-"
        if body == "-":
            body = (derived_body(ops[(m, route.split("?")[0])])
                    if m in ("POST", "PUT", "PATCH") else None)
        path = route
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
        if m == "GET" and fixture in FIX_STATES and "{id}" not in route:
            check = "exact" if ("GET", route + "/{id}") in ops else "hidden"
        plan.append({"method": m, "route": route, "path": path,
                     "body": body, "fixture": fixture, "check": check,
                     "want": {c: want_of(m, route, c) for c in callers},
                     "visible": {c: want_of("GET", FIX_OBJECT, c) == ["200"]
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
    def step(self, who, sid, step, body):
        st, text = self.as_(who, "POST", "/api/v1/samples/%s/steps/%s"
                            % (sid, step), json.dumps(body))
        if st != 200:
            raise Fatal("fixture: %s performs %s on sample %s: HTTP %d %s"
                        % (who, step, sid, st, text[:300]))

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
        """The sample id for STATE ("" for fixtures without one)."""
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
            self.fix[state] = self.make_sample(state)
        return str(self.fix[state])

    def use_up(self, state):
        if state == "granted":
            self.granted = False
        else:
            self.fix.pop(state, None)

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
            for k, v in (("{id}", sid), ("{me}", caller),
                         ("{password}", PASSWORD), ("{myrole}", role),
                         ("{myscope}", scope), ("{until}", self.until),
                         ("{uniq}", str(next(self.uniq)))):
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
                return False, what, ("ACCESS LEAK: the list shows sample %s, "
                                     "hidden from %s" % (sid, caller))
            if r["check"] == "exact" and vis and not has:
                return False, what, ("the list lacks sample %s, which %s "
                                     "may see" % (sid, caller))
        if r["method"] == "POST" and r["route"] == "/api/v1/session" \
                and got == "200" and caller not in self.tokens:
            self.tokens[caller] = (j or {}).get("token")
        if r["method"] == "DELETE" and r["route"] == "/api/v1/session" \
                and got.startswith("2"):
            self.tokens.pop(caller, None)
        return True, what + " -> " + got, got

    def route(self, r, pool):
        names = self.order
        shared = r["method"] == "GET" or r["fixture"] == "-"
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
                    self.use_up(r["fixture"])
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
