"""walk.py - what the Python walks of the shell tests share (t_*.py):
one line per check ("ok - WHAT" / "not ok - WHAT # DETAIL", counted by
lib.sh's py_checks), JSON calls to the API with per-user bearer tokens,
and the CLI with its own clock."""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

BASE = None  # set by the walk: the server's URL
BIN = None   # the secflow binary
TOKENS = {}


def check(cond, what, detail=""):
    print(("ok - %s" % what) if cond else
          ("not ok - %s # %s" % (what, str(detail)[:600])))
    sys.stdout.flush()
    return cond


def call(method, path, body=None, user=None, ctype="application/json"):
    """(status, JSON or bytes) of one API call as USER (logged in once,
    password secflow-demo)."""
    if body is None:
        data = None
    elif isinstance(body, bytes):
        data = body
    else:
        data = json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", ctype)
    if user:
        if user not in TOKENS:
            s, v = call("POST", "/api/v1/session",
                        {"user": user, "password": "secflow-demo"})
            TOKENS[user] = v["token"]
        req.add_header("Authorization", "Bearer " + TOKENS[user])
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw, status = r.read(), r.status
            ct = r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
        ct = e.headers.get("Content-Type", "")
    if ct.startswith("application/json"):
        return status, json.loads(raw)
    return status, raw


def cli(*args, user=None, now=None):
    """(exit code, stdout, stderr) of `secflow --json [--as USER] ARGS`,
    with SECFLOW_NOW=NOW when given."""
    env = dict(os.environ)
    if now:
        env["SECFLOW_NOW"] = now
    cmd = [BIN, "--json"] + (["--as", user] if user else []) + list(args)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def active(v):
    """The names of an object's active steps, sorted."""
    return sorted(a["step"] for a in v.get("active_steps", []))
