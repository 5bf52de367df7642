"""t_incidents.py BASE SECFLOW_BIN SOURCE_DIR - the incidents walk for
t_incidents.sh.  Prints "ok - WHAT" or "not ok - WHAT # DETAIL"."""
import base64
import json
import os
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import walk  # noqa: E402
from walk import active, call, check, cli  # noqa: E402

walk.BASE, walk.BIN, SRC = sys.argv[1], sys.argv[2], sys.argv[3]


def step(iid, name, user, body=None, want=200):
    s, v = call("POST", "/api/v1/incidents/%d/steps/%s" % (iid, name),
                body or {}, user)
    check(s == want, "%s by %s -> %d" % (name, user, want), "%s %s" % (s, v))
    return v


def outbox():
    rc, out, err = cli("outbox", "list")
    return json.loads(out) if rc == 0 else []


# --- intake by JSON ----------------------------------------------------------
s, v = call("POST", "/api/v1/incidents",
            {"reference": "SD-1", "title": "Disk almost full on app01",
             "description": "Free space below 5%"}, "req")
check(s == 403, "only the Service Desk or the Security Manager register", s)
s, v = call("POST", "/api/v1/incidents",
            {"reference": "SD-1", "title": "Disk almost full on app01",
             "description": "Free space below 5%", "bogus": 1}, "sd")
check(s == 422 and v["error"]["field"] == "bogus",
      "an unknown field is refused and names the field", v)
s, v = call("POST", "/api/v1/incidents", b'{"reference": ', "sd")
check(s == 400, "malformed JSON is refused (400)", s)
s, v = call("POST", "/api/v1/incidents",
            {"reference": "SD-1", "title": "Disk almost full on app01",
             "description": "Free space below 5%", "na": "BE",
             "systems": ["Webportal"]}, "sd")
check(s == 201 and v["flagged"] is False and v["matches"] == [],
      "an incident without keywords is registered, not flagged", v)
check(v.get("state") == "done" and active(v) == [],
      "and does not reach the Security Manager", active(v))
UNFLAGGED = v["id"]

DESC = ("Repeated failed logins then a successful login from 203.0.113.7 "
        "on gw1.ccn.example.eu; possible intrusion, malware dropped.")
s, v = call("POST", "/api/v1/incidents",
            {"reference": "SD-2", "title": "CCN gateway alert",
             "description": DESC, "na": "BE",
             "systems": ["CCN"], "reporter": "ITSM Monitoring"}, "sd")
check(s == 201 and v["flagged"] is True, "a keyword flags the incident",
      v.get("matches"))
kws = {(m["keyword"], m["field"]) for m in v["matches"]}
check(("intrusion", "description") in kws and ("malware", "description")
      in kws, "each keyword is recorded with where it matched", kws)
off = [m["offset"] for m in v["matches"] if m["keyword"] == "intrusion"][0]
check(DESC[off:off + 9].lower() == "intrusion",
      "the offset points at the keyword", off)
A = v["id"]
check(active(v) == ["screen"], "the Security Manager screens it", active(v))
msgs = [m for m in outbox() if "SD-2" in m["subject"]]
check(any("security@itsmtaxud.europa.eu" in m["to"] for m in msgs),
      "the security mailbox is told with the reference", msgs[:2])

# --- intake by e-mail (HTTP message/rfc822 and the CLI) ---------------------
EML = (b"From: =?ISO-8859-1?Q?Ren=E9_Martin?= <rene.martin@douane.example.fr>\r\n"
       b"To: servicedesk@itsmtaxud.example\r\n"
       b"Subject: =?UTF-8?B?VmlydXMgb24gRUNTIHdvcmtzdGF0aW9u?=\r\n"
       b"Message-ID: <m1@douane.example.fr>\r\n"
       b"Date: Tue, 01 Dec 2026 08:00:00 +0100\r\n"
       b"MIME-Version: 1.0\r\n"
       b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
       b"--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
       b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
       b"Un poste ECS a re=E7u une pi=E8ce jointe, ransomware probable, "
       b"contact 203.0.113.7.\r\n"
       b"--b1\r\nContent-Type: application/octet-stream; name=\"log.txt\"\r\n"
       b"Content-Disposition: attachment; filename=\"log.txt\"\r\n"
       b"Content-Transfer-Encoding: base64\r\n\r\n" +
       base64.b64encode(b"trojan backdoor exploit in the attachment\n") +
       b"\r\n--b1--\r\n")
s, v = call("POST", "/api/v1/incidents", EML, "sd", "message/rfc822")
check(s == 201 and v["flagged"] is True, "an e-mail is registered (rfc822)",
      "%s %s" % (s, v))
fields = {m["field"] for m in v.get("matches", [])}
kws = {m["keyword"] for m in v.get("matches", [])}
check("virus" in kws and "ransomware" in kws and "header:Subject" in fields,
      "decoded headers and the QP Latin-1 body are scanned", v.get("matches"))
check(not kws & {"trojan", "backdoor", "exploit"},
      "the attachment is not scanned", kws)
check(v.get("email", {}).get("from") == "rene.martin@douane.example.fr" and
      v["email"]["attachments"][0]["filename"] == "log.txt",
      "the sender and the attachment are kept", v.get("email"))
MAIL = v["id"]
s, v = call("POST", "/api/v1/incidents", b"\x00\x01 not a message",
            "sd", "message/rfc822")
check(s == 422, "a message that cannot be parsed is refused", s)
s, v = call("GET", "/api/v1/incidents", None, "sm")
check(len(v) == 3, "and nothing of it is stored", len(v))
BEFORE_SET = len(v)
path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "t_inc_%d.eml" % os.getpid())
with open(path, "wb") as f:
    f.write(EML.replace(b"m1@", b"m2@"))
rc, out, err = cli("incident", "ingest", path, user="sd")
os.unlink(path)
res = json.loads(out) if rc == 0 else [{}]
check(rc == 0 and res[0].get("flagged") is True and res[0].get("matches"),
      "secflow incident ingest --json prints flagged and matches", err)
rc, out, err = cli("keywords", "scan", "--list", "/dev/null", "/dev/null")
check(rc in (1, 2), "keywords scan runs from the CLI", err)

# --- a set of real-looking e-mails: flagged or not, and where ----------------
edir = os.path.join(SRC, "tests", "data", "incidents")
want = {}
for line in open(os.path.join(edir, "expected.tsv")):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    want[f[0]] = (f[1] == "true", [] if f[2] == "-" else f[2].split())
files = sorted(want)
rc, out, err = cli("incident", "ingest", *[os.path.join(edir, f) for f in files],
                   user="sd")
got = {os.path.basename(x["file"]): x for x in json.loads(out)} if rc == 0 else {}
check(rc == 0 and len(got) == len(files), "the e-mail set is ingested", err)
for f in files:
    x = got.get(f, {})
    have = {"%s@%s" % (m["keyword"], m["field"]) for m in x.get("matches", [])}
    check(x.get("flagged") is want[f][0] and set(want[f][1]) <= have,
          "%s: flagged %s at %s" % (f, want[f][0], " ".join(want[f][1]) or "-"),
          "%s %s" % (x.get("flagged"), sorted(have)))
for x in got.values():  # the set is screened away: not part of the walk below
    if x.get("flagged"):
        call("POST", "/api/v1/incidents/%d/steps/screen" % x["id"],
             {"outcome": "false_positive"}, "sm")

# --- modify: rescan -----------------------------------------------------------
s, v = call("POST", "/api/v1/incidents",
            {"reference": "SD-1", "description":
             "Free space below 5%, a virus scanner filled the disk"}, "sd")
check(s == 200 and v["flagged"] is True,
      "a modification is scanned again and flags", v.get("flagged"))
check(v.get("state") == "running" and active(v) == ["screen"],
      "the newly flagged incident goes to screening", active(v))

# --- screening ------------------------------------------------------------------
s, v = call("POST", "/api/v1/incidents",
            {"reference": "SD-3", "title": "phishing test", "description":
             "A phishing awareness test mail"}, "sd")
FP = v["id"]
step(FP, "screen", "sd", {"outcome": "false_positive"}, 403)
v = step(FP, "screen", "sm", {"outcome": "false_positive"})
check(v["state"] == "done", "a false positive stops the process", v["state"])
check(any("remove" in m["subject"] and "SD-3" in m["subject"] and
          "sd@example.org" in m["to"] for m in outbox()),
      "the Service Desk is asked to remove the flag", "")
s, v = call("POST", "/api/v1/incidents",
            {"reference": "SD-4", "title": "spam wave",
             "description": "spam"}, "sd")
R = v["id"]
step(R, "screen", "sm", {"outcome": "routine", "routine_type": "coffee"}, 422)
v = step(R, "screen", "sm", {"outcome": "routine",
                             "routine_type": "disk space low"})
check(v["state"] == "done", "a routine incident stops the process", "")

# --- specific: correlation, evidence, actions -------------------------------
v = step(A, "screen", "sm", {"outcome": "specific", "caused_by_staff": False})
check(active(v) == ["correlate"], "a specific incident is correlated",
      active(v))
s, v = call("GET", "/api/v1/incidents/%d" % A, None, "sm")
prop = {c["incident"]: c for c in v["correlations"]}
check(MAIL in prop and any(r["kind"] == "address" and "203.0.113.7" in
                           r["values"] for r in prop[MAIL]["reasons"]),
      "secflow proposes the e-mail incident (shared address)", v["correlations"])
step(A, "correlate", "sm", {"links": [99999]}, 422)
step(A, "correlate", "sm", {"links": [MAIL],
                            "root_cause": "stolen VPN credentials"})
s, v = call("GET", "/api/v1/incidents/%d" % A, None, "nisofr")
check(s == 404, "a NISO of another NA cannot see the incident", s)
s, v = call("GET", "/api/v1/incidents/%d" % A, None, "nisobe")
check(s == 200, "the NISO of its NA can", s)
s, v = call("GET", "/api/v1/incidents/%d" % A, None, "ilso1")
check(s == 404, "an ILSO not asked yet cannot see it", s)
step(A, "request_evidence", "sm",
     {"from": [{"role": "ilso", "scope": "OPS"}], "question": "VPN logs"})
LOG = base64.b64encode(b"Dec 1 07:59 sshd accepted password for admin "
                       b"from 203.0.113.7\n").decode()
step(A, "provide_evidence", "ilso2", {"text": "x"}, 404)
v = step(A, "provide_evidence", "ilso1",
         {"text": "VPN and gateway logs attached",
          "files": [{"filename": "gw1.log", "content_b64": LOG}]})
check(v.get("evidence") and v["evidence"][0]["files"][0]["size"] > 10,
      "the ILSO's log file is kept as evidence", v.get("evidence"))
check(LOG not in json.dumps(v), "its content is not in the incident view", "")
v = step(A, "analyse_evidence", "sm", {"complete": False})
check(active(v) == ["provide_evidence"], "incomplete evidence is asked again",
      active(v))
step(A, "provide_evidence", "nisobe", {"text": "No trace on the BE side"})
step(A, "analyse_evidence", "sm", {"complete": True})
step(A, "request_emergency_actions", "sm",
     {"actions": [{"system": "CCN", "impact": "high", "urgency": "high",
                   "assignee": "nobody"}]}, 422)
v = step(A, "request_emergency_actions", "sm",
         {"actions": [{"system": "CCN", "impact": "high", "urgency": "high",
                       "assignee": "ilso1",
                       "description": "Block 203.0.113.7"},
                      {"system": "CCN", "impact": "medium",
                       "urgency": "high", "assignee": "nisofr",
                       "description": "Reset the admin password"}]})
check([a["state"] for a in v["actions"]] == ["requested", "requested"],
      "two actions are requested", v.get("actions"))
check(any("Emergency action" in m["subject"] and
          "ilso1@example.org" in m["to"] for m in outbox()),
      "each assignee is told", "")
s, v = call("GET", "/api/v1/incidents/%d" % A, None, "nisofr")
check(s == 200, "the impacted NA's NISO is linked by its action", s)
step(A, "report_action", "ilso1", {"action": 2, "result": "success"}, 403)
step(A, "report_action", "ilso1", {"action": 1, "result": "failure",
                                   "observed": "rule not applied"})
v = step(A, "report_action", "nisofr", {"action": 2, "result": "success",
                                        "observed": "password reset"})
check(active(v) == ["close_actions"], "all reported: the round can close",
      active(v))
step(A, "close_actions", "sm", {}, 409)
v = step(A, "close_actions", "sm", {"retry": [1]})
check(active(v) == ["report_action"], "a failed action is retried",
      active(v))
step(A, "report_action", "ilso1", {"action": 1, "result": "success",
                                   "observed": "blocked"})
v = step(A, "close_actions", "sm", {})
check(active(v) == ["assess_impact"], "the round is closed", active(v))

# --- impact and report ---------------------------------------------------------
step(A, "assess_impact", "sm",
     {"systems": [{"name": "Unknown", "availability": "significant",
                   "integrity": "none"}], "information": [],
      "under_control": True, "service_restored": True}, 422)
v = step(A, "assess_impact", "sm",
         {"systems": [{"name": "CCN", "availability": "significant",
                       "integrity": "minor"}],
          "information": [{"classification": "limited",
                           "confidentiality": False, "integrity": False}],
          "under_control": False, "service_restored": False})
check(v["high_impact"] is True and active(v) == ["assess_impact"],
      "high impact, not under control yet: no report", active(v))
s, v = call("GET", "/api/v1/incidents/%d/report" % A, None, "sm")
check(s == 409, "no report before start_report", s)
v = step(A, "assess_impact", "sm",
         {"systems": [{"name": "CCN", "availability": "significant",
                       "integrity": "minor"}], "information": [],
          "under_control": True, "service_restored": True})
check(active(v) == ["start_report"], "under control and restored: the "
      "report starts", active(v))
step(A, "contribute", "ilso1", {"self_assessment": "x"}, 409)
step(A, "start_report", "sm")
step(A, "contribute", "ilso2", {"self_assessment": "x"}, 404)
step(A, "contribute", "ilso1",
     {"self_assessment": "VPN passwords were not rotated",
      "gap_analysis": "Policy 4.2 requires 90-day rotation",
      "recommendations": "Enforce MFA on the VPN"})
step(A, "review_report", "sm")
step(A, "finalise_report", "sm")
s, md = call("GET", "/api/v1/incidents/%d/report?format=md" % A, None, "sm")
md = md.decode() if isinstance(md, bytes) else ""
heads = ["## 1. Management Summary", "## 2. Security Incident Short "
         "Description", "### 2.1 Identification", "### 2.2 Overview",
         "### 2.3 Parties Involved", "### 2.4 Customer Services Affected",
         "## 3. Security Incident Analysis", "### 3.1 Analysis of e-mail "
         "exchanges related to incident", "### 3.2 Log File Analysis / "
         "Identification of origin", "### 3.3 Chain of Events",
         "#### 3.3.1 Detection", "#### 3.3.2 Registration",
         "#### 3.3.3 Resolution", "#### 3.3.4 Recovery",
         "#### 3.3.5 Closure", "### 3.4 Gap Analysis",
         "## 4. Recommendations"]
pos = [md.find(h) for h in heads]
check(s == 200 and all(p >= 0 for p in pos) and pos == sorted(pos),
      "the report has Table 8's structure, in order",
      [h for h, p in zip(heads, pos) if p < 0])
check("Enforce MFA" in md and "gw1.log" in md and "CCN" in md and
      "stolen VPN credentials" in md,
      "filled from the incident's data", md[:300])
s, html = call("GET", "/api/v1/incidents/%d/report?format=html" % A, None,
               "sm")
check(s == 200 and b"<h2>1. Management Summary</h2>" in html,
      "HTML report", html[:200])
hpos = [html.find(h.split(" ", 1)[1].encode()) for h in heads]
check(all(p >= 0 for p in hpos) and hpos == sorted(hpos),
      "the HTML report has the same headings in order",
      [h for h, p in zip(heads, hpos) if p < 0])
s, pdf = call("GET", "/api/v1/incidents/%d/report?format=pdf" % A, None,
              "sm")
check(s == 200 and pdf[:5] == b"%PDF-" and len(pdf) > 2000, "PDF report",
      pdf[:20])
p = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf,
                   capture_output=True, timeout=60)
txt = p.stdout.decode("utf-8", "replace")
tpos = [txt.find(h.split(" ", 1)[1]) for h in heads]
check(p.returncode == 0 and all(x >= 0 for x in tpos) and tpos == sorted(tpos),
      "the PDF's text (pdftotext) has the same headings in order",
      [h for h, x in zip(heads, tpos) if x < 0])
check(" 2\n" in txt or "\n2\n" in txt or txt.count("\f") >= 1,
      "the PDF has page numbers", txt[-200:])
s, v = call("GET", "/api/v1/incidents/%d/report?format=doc" % A, None, "sm")
check(s == 422, "an unknown format is refused", s)
step(A, "deliver_report", "sm")
paper = [m for m in outbox() if m["format"] == "paper"]
check(paper and "liso1@example.org" in paper[0]["to"] and
      "nisobe@example.org" in paper[0]["to"] and
      "nisofr@example.org" in paper[0]["to"] and
      paper[0]["attachments"] ==
      ["security-incident-report-SD-2.pdf"],
      "delivered on paper to the LISO, A4/PSU and the NISOs", paper[:1])
rc, out, err = cli("incident", "report", str(A), "--format", "md", "-o", "-")
check(rc == 0 and "Security Incident Report: SD-2" in out,
      "secflow incident report", err)

# --- low impact: no report -------------------------------------------------------
v = step(MAIL, "screen", "sm", {"outcome": "specific"})
step(MAIL, "correlate", "sm", {"links": [A]})
step(MAIL, "request_evidence", "sm", {"smt_ref": "DIGIT-SMT-77"})
step(MAIL, "provide_evidence", "sm", {"text": "DIGIT answered by ticket"})
step(MAIL, "analyse_evidence", "sm", {"complete": True})
v = step(MAIL, "request_emergency_actions", "sm", {"actions": []})
check(active(v) == ["assess_impact"], "no actions needed: straight to the "
      "impact", active(v))
v = step(MAIL, "assess_impact", "sm",
         {"systems": [{"name": "ECS", "availability": "minor",
                       "integrity": "minor"},
                      {"name": "Webportal", "availability": "significant",
                       "integrity": "significant"}],
          "information": [{"classification": "public",
                           "confidentiality": True, "integrity": True}],
          "under_control": True, "service_restored": True})
check(v["high_impact"] is False and v["state"] == "done",
      "not high impact (seed 001 §6.2): the process ends without a report",
      v.get("assessment"))

# --- catalogues ------------------------------------------------------------------
s, v = call("POST", "/api/v1/systems", {"name": "EMCS",
                                        "classification": "strategic"}, "sm")
check(s == 403, "only an admin classifies systems", s)
s, v = call("POST", "/api/v1/systems", {"name": "EMCS",
                                        "classification": "vital"}, "adm")
check(s == 422 and v["error"]["field"] == "classification",
      "an unknown classification is refused", v)
s, v = call("POST", "/api/v1/routine_types", {"name": "printer jam"}, "adm")
check(s == 201 and "printer jam" in v and "disk space low" in v,
      "an admin adds a routine type to the seed's three", v)

# --- the awareness indicator -------------------------------------------------
rc, out, err = cli("incident", "stats", "--year", "2026")
st = json.loads(out) if rc == 0 else {}
check(rc == 0 and st.get("caused_by_staff") == 0 and
      st["by_outcome"]["false_positive"] >= 1 and
      st["by_outcome"]["routine"] == 1 and st["by_outcome"]["specific"] == 2
      and st["high_impact"] == 1,
      "secflow incident stats counts by outcome and staff cause", st)
