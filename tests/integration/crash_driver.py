#!/usr/bin/env python3
"""crash_driver.py - the client side of t_crash.sh and t_exactly_once.sh.

  crash_driver.py populate --base URL --token=T --n N --body JSON
                           [--step STEP --step-body JSON --step-token=T]
                           [--object OBJECT]
      start N instances of OBJECT (default samples; "{i}" in a string of
      the body becomes the instance's number, and a title gets it
      appended) and perform STEP on each (as --step-token, default
      --token) over four keep-alive connections; print their ids in
      order, one a line.

  crash_driver.py run --base URL --bin SECFLOW --pidfile F --server-pid PID
                      --log LOG --tokens=req=T,ds=T,sig=T ...
      create the instances, then drive step requests from a few workers
      while a killer thread SIGKILLs the server at random moments and
      restarts it on the same database and port.  Every request is logged
      with its outcome: "ack" (2xx), "rejected" (an HTTP error answer) or
      "unknown" (sent, no answer: it may or may not have committed).

  crash_driver.py killat --base URL --token=T --object OBJ --action A -- CMD
      start CMD and SIGKILL it as soon as the audit trail of OBJECT holds
      a record ACTION (t_exactly_once.sh: kill a ticking node at a known
      point of its work).  Exit 0 when killed, 1 when CMD ended first.

  crash_driver.py check --base URL --token=T --log LOG --audit AUDIT.json
      compare the log with what the server holds; print one line per check,
      "ok<TAB>what" or "not ok<TAB>what<TAB>detail", for the shell test.

Standard library only.  Each instance belongs to one worker, so the
requests of one instance are sequential and their order is known.
"""
import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

TIMEOUT = 15.0


class Refused(Exception):
    """The request was never sent: the server was not listening."""


def connect(host, port):
    c = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        c.connect()
    except OSError as e:
        c.close()
        raise Refused(str(e))
    return c


def request(conn, method, path, token, body=None):
    """One request on CONN (kept alive); returns (status, parsed body)."""
    headers = {"Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    raw = r.read()
    try:
        j = json.loads(raw) if raw else None
    except ValueError:
        j = None
    return r.status, j


def alive(pid):
    """PID runs (a zombie waiting for its parent does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


# --------------------------------------------------------------- populate


def cmd_populate(a):
    host, port = a.base.replace("http://", "").split(":")
    body = json.loads(a.body)
    ids = [None] * a.n
    errors = []

    def one(w):
        conn = connect(host, int(port))
        for i in range(w, a.n, 4):
            b = {k: v.replace("{i}", str(i)) if isinstance(v, str) else v
                 for k, v in body.items()}
            if "title" in b:
                b["title"] = "%s %d" % (b["title"], i)
            st, j = request(conn, "POST", "/api/v1/" + a.object, a.token, b)
            if st != 201:
                errors.append("start answered %d: %s" % (st, j))
                return
            iid = j["id"]
            if a.step:
                st, j = request(conn, "POST", "/api/v1/%s/%d/steps/%s"
                                % (a.object, iid, a.step),
                                a.step_token or a.token,
                                json.loads(a.step_body))
                if st != 200:
                    errors.append("%s answered %d: %s" % (a.step, st, j))
                    return
            ids[i] = iid
        conn.close()

    threads = [threading.Thread(target=one, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit("populate: " + errors[0])
    # in id order: the order in which tick works through them
    for iid in sorted(ids):
        print(iid)


# ----------------------------------------------------------------- killat


def cmd_killat(a):
    """Start CMD, SIGKILL it as soon as OBJECT's audit trail holds ACTION;
    print how it ended.  Exit 0 when it was killed that way."""
    host, port = a.base.replace("http://", "").split(":")
    conn = connect(host, int(port))
    path = "/api/v1/audit?object=" + a.object
    hdr = {"Authorization": "Bearer " + a.token}
    conn.request("GET", path, headers=hdr)  # warm: the thread's store
    conn.getresponse().read()
    if not a.cmd:
        sys.exit("killat: no command after --")
    proc = subprocess.Popen(a.cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    killed = False
    while proc.poll() is None and time.monotonic() - t0 < a.timeout:
        st, j = request(conn, "GET", path, a.token)
        if st != 200:
            proc.kill()
            proc.wait()
            sys.exit("killat: GET %s answered %d: %s" % (path, st, j))
        if any(x["action"] == a.action for x in j):
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.001)
    if not killed and proc.poll() is None:  # timed out
        proc.kill()
    rc = proc.wait()
    print("%s after %.0f ms (%s %s; exit %s)" %
          ("killed" if killed and rc == -signal.SIGKILL else "not killed",
           (time.monotonic() - t0) * 1000, a.object, a.action, rc))
    sys.exit(0 if killed and rc == -signal.SIGKILL else 1)


# -------------------------------------------------------------------- run

# What a step of a hosting=dg sample leads to (review_snet is skipped).
USER_STEPS = ("submit", "review_ds", "revise_ds", "decide")


class Server:
    """The server process: kill it, start it again on the same port."""

    def __init__(self, a):
        self.a = a
        self.pid = a.server_pid
        self.proc = None  # a Popen when we started it
        self.host, port = a.base.replace("http://", "").split(":")
        self.port = int(port)
        self.kills = 0
        self.starting_kills = 0  # of those, while it started
        self.restarts = 0
        self.log = open(a.server_log, "ab")

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)
        self.kills += 1
        if self.proc:
            self.proc.wait()
        else:  # the shell's child: it reaps it, we wait for the zombie
            while alive(self.pid):
                time.sleep(0.005)

    def healthy(self):
        try:
            c = http.client.HTTPConnection(self.host, self.port, timeout=2)
            c.request("GET", "/healthz")
            ok = c.getresponse().status == 200
            c.close()
            return ok
        except (OSError, http.client.HTTPException):
            return False

    def spawn(self):
        self.proc = subprocess.Popen(
            [self.a.bin, "serve", "--listen",
             "%s:%d" % (self.host, self.port), "--tick-interval",
             str(self.a.tick_interval)],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        with open(self.a.pidfile, "w") as f:
            f.write("%d\n" % self.pid)

    def start(self):
        for attempt in range(20):
            self.spawn()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break  # port still held: try again
                if self.healthy():
                    self.restarts += 1
                    return
                time.sleep(0.01)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            time.sleep(0.1)
        raise RuntimeError("the server does not start again")


class Run:
    def __init__(self, a):
        self.a = a
        self.tok = dict(kv.split("=", 1) for kv in a.tokens.split(","))
        self.host, port = a.base.replace("http://", "").split(":")
        self.port = int(port)
        self.lock = threading.Condition()
        self.sent = 0
        self.records = []
        self.refused = 0
        self.done_workers = 0
        self.deadline = time.monotonic() + a.seconds
        self.server = Server(a)
        self.errors = []

    def claim_slot(self):
        with self.lock:
            if self.sent >= self.a.requests or \
                    time.monotonic() > self.deadline:
                return False
            self.sent += 1
            self.lock.notify_all()
            return True

    def choose(self, rng, active):
        """The next step and its input for ACTIVE (names), or None."""
        if "submit" in active:
            return "req", "submit", {"summary": "please"}
        if "review_ds" in active:
            d = "accept" if rng.random() < 0.6 else "request_changes"
            return "ds", "review_ds", {"decision": d, "feedback": "seen"}
        if "revise_ds" in active:
            return "req", "revise_ds", {"changes": "done"}
        if "decide" in active:
            d = "approve" if rng.random() < 0.15 else "send_back"
            return "sig", "decide", {"decision": d}
        return None

    def view(self, conn_box, iid):
        """GET the instance until the server answers; its active steps."""
        while time.monotonic() < self.deadline + 30:
            try:
                if conn_box[0] is None:
                    conn_box[0] = connect(self.host, self.port)
                st, j = request(conn_box[0], "GET", "/api/v1/samples/%d" % iid,
                                self.tok["ds"])
                if st == 200:
                    return [s["step"] for s in j["active_steps"]]
                raise RuntimeError("GET samples/%d answered %d" % (iid, st))
            except (Refused, OSError, http.client.HTTPException) as e:
                if isinstance(e, Refused):
                    with self.lock:
                        self.refused += 1
                if conn_box[0] is not None:
                    conn_box[0].close()
                conn_box[0] = None
                time.sleep(0.02)
        raise RuntimeError("no answer for samples/%d" % iid)

    def send_twin(self, iid, step, token, body, rec):
        try:
            conn = connect(self.host, self.port)
        except Refused:
            return  # never sent: no record
        try:
            st, j = request(conn, "POST", "/api/v1/samples/%d/steps/%s" %
                            (iid, step), token, body)
            rec["status"] = st
            rec["result"] = "ack" if 200 <= st < 300 else "rejected"
            if st >= 300:
                rec["error"] = (j or {}).get("error")
        except (OSError, http.client.HTTPException) as e:
            rec["result"] = "unknown"
            rec["error"] = type(e).__name__
        conn.close()
        with self.lock:
            self.records.append(rec)

    def worker(self, w, mine):
        rng = random.Random(self.a.seed * 1000 + w)
        box = [None]
        active = {iid: ["submit"] for iid in mine}
        seq = 0
        try:
            while True:
                live = [i for i in mine if self.choose(rng, active[i])]
                if not live:
                    break
                iid = rng.choice(live)
                who, step, body = self.choose(rng, active[iid])
                if not self.claim_slot():
                    break
                seq += 1
                rid = "w%d-%06d" % (w, seq)
                body = dict(body, comment=rid)
                rec = {"rid": rid, "worker": w, "seq": seq, "inst": iid,
                       "step": step, "decision": body.get("decision"),
                       "audit": "step:" + step}
                # Now and then a twin: the same step sent at the same time
                # on another connection (a client retrying too early).  At
                # most one of the two may be performed.
                twin = None
                if rng.random() < self.a.twins:
                    rec2 = dict(rec, rid=rid + "t", twin_of=rid)
                    twin = threading.Thread(
                        target=self.send_twin,
                        args=(iid, step, self.tok[who],
                              dict(body, comment=rid + "t"), rec2))
                    twin.start()
                while True:
                    try:
                        if box[0] is None:
                            box[0] = connect(self.host, self.port)
                    except Refused:
                        with self.lock:
                            self.refused += 1
                        if time.monotonic() > self.deadline + 30:
                            raise RuntimeError("the server stays down")
                        time.sleep(0.01)
                        continue
                    try:
                        st, j = request(box[0], "POST",
                                        "/api/v1/samples/%d/steps/%s" %
                                        (iid, step), self.tok[who], body)
                    except (OSError, http.client.HTTPException) as e:
                        box[0].close()
                        box[0] = None
                        rec["result"] = "unknown"
                        rec["error"] = type(e).__name__
                        active[iid] = self.view(box, iid)
                        break
                    rec["status"] = st
                    if 200 <= st < 300:
                        rec["result"] = "ack"
                        rec["active"] = [s["step"] for s in j["active_steps"]]
                        active[iid] = rec["active"]
                    else:
                        rec["result"] = "rejected"
                        rec["error"] = (j or {}).get("error")
                        active[iid] = self.view(box, iid)
                    break
                if twin:
                    twin.join()
                    rec["twin"] = rid + "t"
                    active[iid] = self.view(box, iid)
                with self.lock:
                    self.records.append(rec)
        except Exception as e:  # reported, and fails the test
            with self.lock:
                self.errors.append("worker %d: %r" % (w, e))
        finally:
            if box[0] is not None:
                box[0].close()
            with self.lock:
                self.done_workers += 1
                self.lock.notify_all()

    def killer(self):
        """Kill at a random request count in each of K+1 equal segments,
        so the kills spread over the run whatever its speed."""
        rng = random.Random(self.a.seed)
        k = self.a.kills
        seg = self.a.requests / (k + 1)
        targets = [seg * (i + 0.5) + rng.uniform(0, seg) for i in range(k)]
        try:
            for t in targets:
                with self.lock:
                    while self.sent < t and \
                            self.done_workers < self.a.workers:
                        self.lock.wait(0.5)
                    if self.done_workers >= self.a.workers:
                        return
                # somewhere inside the requests in flight
                time.sleep(rng.uniform(0, 0.004))
                self.server.kill()
                if rng.random() < 0.3:  # sometimes stay down a while
                    time.sleep(rng.uniform(0.05, 0.3))
                if rng.random() < 0.25:  # sometimes while it starts
                    self.server.spawn()
                    time.sleep(rng.uniform(0, 0.03))
                    self.server.kill()
                    self.server.starting_kills += 1
                self.server.start()
        except Exception as e:
            with self.lock:
                self.errors.append("killer: %r" % e)

    def start_instances(self):
        conn = connect(self.host, self.port)
        ids = []
        for i in range(self.a.instances):
            st, j = request(conn, "POST", "/api/v1/samples", self.tok["req"],
                            {"title": "crash %d" % i, "dg": "TAXUD",
                             "hosting": "dg"})
            if st != 201:
                raise RuntimeError("start answered %d: %s" % (st, j))
            ids.append(j["id"])
        conn.close()
        return ids

    def go(self):
        t0 = time.monotonic()
        ids = self.start_instances()
        workers = []
        for w in range(self.a.workers):
            mine = ids[w::self.a.workers]
            workers.append(threading.Thread(target=self.worker,
                                            args=(w, mine)))
        killer = threading.Thread(target=self.killer)
        for t in workers:
            t.start()
        killer.start()
        for t in workers:
            t.join()
        killer.join()
        # leave a server running for the checks
        if not self.server.healthy():
            self.server.start()
        with open(self.a.pidfile, "w") as f:
            f.write("%d\n" % self.server.pid)
        res = {}
        for r in self.records:
            res[r["result"]] = res.get(r["result"], 0) + 1
        out = {"instances": ids, "records": self.records,
               "kills": self.server.kills,
               "kills_while_starting": self.server.starting_kills,
               "restarts": self.server.restarts,
               "sent": len(self.records), "results": res,
               "refused_connects": self.refused, "errors": self.errors,
               "seconds": round(time.monotonic() - t0, 2)}
        with open(self.a.log, "w") as f:
            json.dump(out, f)
        print(json.dumps({k: v for k, v in out.items()
                          if k not in ("records", "instances")}))


def cmd_run(a):
    Run(a).go()


# ------------------------------------------------------------------ check

# The active steps a hosting=dg sample must wait for after its last done
# step (and decision); before any, it waits for submit.
IMPLIED = {
    (None, None): ["submit"],
    ("submit", None): ["review_ds"],
    ("review_ds", "accept"): ["decide"],
    ("review_ds", "request_changes"): ["revise_ds"],
    ("revise_ds", None): ["review_ds"],
    ("decide", "approve"): ["cool_off"],
    ("decide", "send_back"): ["submit"],
}


def cmd_check(a):
    log = json.load(open(a.log))
    audit = json.load(open(a.audit))
    host, port = a.base.replace("http://", "").split(":")
    conn = connect(host, int(port))
    recs = log["records"]
    by_rid = {r["rid"]: r for r in recs}
    results = []

    def check(what, bad):
        results.append((what, bad[:5]))

    by_obj = {}
    for x in audit:
        by_obj.setdefault(x["object"], []).append(x)

    missing, dup, stray, rejected_in, order, counts = [], [], [], [], [], []
    half, idle, audit_bad, snet_bad, last_audit = [], [], [], [], []
    done_total = 0
    for iid in log["instances"]:
        st, v = request(conn, "GET", "/api/v1/samples/%d" % iid, a.token)
        if st != 200:
            check("samples/%d can be read" % iid, ["status %d" % st])
            continue
        done = [h for h in v["history"] if h["state"] == "done"]
        done_total += len(done)
        rids = [(h.get("input") or {}).get("comment") for h in done]
        mine = [r for r in recs if r["inst"] == iid]
        acked = [r["rid"] for r in mine if r["result"] == "ack"]
        unknown = [r["rid"] for r in mine if r["result"] == "unknown"]
        # every acknowledged request is there exactly once
        for rid in acked:
            if rids.count(rid) == 0:
                missing.append("%s on samples/%d" % (rid, iid))
        for rid in set(rids):
            if rids.count(rid) > 1:
                dup.append("%s %d times on samples/%d" %
                           (rid, rids.count(rid), iid))
        # every done row comes from a request sent to this instance and
        # never from one that was refused
        for h, rid in zip(done, rids):
            r = by_rid.get(rid)
            if r is None or r["inst"] != iid or r["step"] != h["step"]:
                stray.append("samples/%d row %d %s comment %s" %
                             (iid, h["id"], h["step"], rid))
            elif r["result"] == "rejected":
                rejected_in.append("%s (%s) on samples/%d" %
                                   (rid, r.get("status"), iid))
            elif r["decision"] and \
                    (h.get("input") or {}).get("decision") != r["decision"]:
                stray.append("%s decision %s, sent %s" %
                             (rid, h["input"].get("decision"), r["decision"]))
        seqs = [by_rid[x]["seq"] for x in rids if x in by_rid]
        if seqs != sorted(seqs):
            order.append("samples/%d: %s" % (iid, rids))
        if not (len(acked) <= len(done) <= len(acked) + len(unknown)):
            counts.append("samples/%d: %d done, %d acknowledged, %d unanswered"
                          % (iid, len(done), len(acked), len(unknown)))
        # not half-moved
        active = sorted(s["step"] for s in v["active_steps"])
        last = done[-1] if done else None
        key = (last["step"] if last else None,
               (last.get("input") or {}).get("decision")
               if last and last["step"] in ("review_ds", "decide") else None)
        want = IMPLIED.get(key)
        if active != want:
            half.append("samples/%d after %s waits for %s" %
                        (iid, key, active))
        if v["state"] == "running" and not active:
            idle.append("samples/%d" % iid)
        nsubmit = sum(1 for h in done if h["step"] == "submit")
        nsnet = sum(1 for h in v["history"]
                    if h["step"] == "review_snet" and h["state"] == "skipped")
        if nsnet != nsubmit:
            snet_bad.append("samples/%d: %d submits, %d review_snet skipped"
                            % (iid, nsubmit, nsnet))
        # one audit record per done row, with the same request
        recs_a = by_obj.get("samples/%d" % iid, [])
        steps_a = [x for x in recs_a if x["action"].startswith("step:")]
        arids = sorted(((x.get("after") or {}).get("input") or {})
                       .get("comment") or "" for x in steps_a)
        if arids != sorted(r or "" for r in rids) or \
                sorted(x["action"] for x in steps_a) != \
                sorted("step:" + h["step"] for h in done) or \
                sum(1 for x in recs_a if x["action"] == "start") != 1:
            audit_bad.append("samples/%d: rows %s, audit %s" %
                             (iid, rids, arids))
        if recs_a and sorted((recs_a[-1].get("after") or {})
                             .get("active") or []) != active:
            last_audit.append("samples/%d: audit says %s, steps say %s" %
                              (iid, recs_a[-1].get("after"), active))
    conn.close()

    check("the server was killed at least %d times (%d)" %
          (a.min_kills, log["kills"]),
          [] if log["kills"] >= a.min_kills else ["%d kills" % log["kills"]])
    res = log["results"]
    check("%d step requests were sent (%d acknowledged, %d unanswered, "
          "%d answered with an error)" %
          (log["sent"], res.get("ack", 0), res.get("unknown", 0),
           res.get("rejected", 0)),
          [] if log["sent"] >= a.min_requests else
          ["only %d sent" % log["sent"]])
    check("the client and the killer ran without errors", log["errors"])
    check("every acknowledged step is in its instance's history", missing)
    check("no request's step is in a history twice", dup)
    check("every done step comes from a request sent for it", stray)
    check("no request answered with an error committed", rejected_in)
    check("each history keeps the order the requests were sent in", order)
    check("done rows per instance: acknowledged <= done <= acknowledged + "
          "unanswered", counts)
    twins = [r for r in recs if r.get("twin_of")]
    both = ["%s and %s" % (r["twin_of"], r["rid"]) for r in twins
            if r["result"] == "ack" and by_rid[r["twin_of"]]["result"] == "ack"]
    check("of %d twin requests sent at the same time, never both performed"
          % len(twins), both)
    wrong = ["%s: %s %s" % (r["rid"], r.get("status"), r.get("error"))
             for r in recs if r["result"] == "rejected" and
             not (r.get("status") == 409 and
                  (r.get("twin_of") or r.get("twin")))]
    check("the only error answers are 409 to the loser of a twin", wrong)
    check("no instance is half-moved (active steps = what its last step "
          "implies)", half)
    check("every running instance waits for at least one step", idle)
    check("every submit skipped review_snet exactly once", snet_bad)
    check("one audit record step:<id> per done step, same request, one "
          "start", audit_bad)
    check("each instance's last audit record names its active steps",
          last_audit)
    for what, bad in results:
        if bad:
            print("not ok\t%s\t%s" % (what, "; ".join(map(str, bad))))
        else:
            print("ok\t%s" % what)
    print("#\t%d done steps in %d instances; %d audit records" %
          (done_total, len(log["instances"]), len(audit)))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="verb", required=True)
    # Tokens may start with "-": pass them as --token=T.
    q = sub.add_parser("populate")
    q.add_argument("--base", required=True)
    q.add_argument("--token", required=True)
    q.add_argument("--n", type=int, required=True)
    q.add_argument("--body", required=True)
    q.add_argument("--step")
    q.add_argument("--step-body", default="{}")
    q.add_argument("--object", default="samples")
    q.add_argument("--step-token")
    q = sub.add_parser("killat")
    q.add_argument("--base", required=True)
    q.add_argument("--token", required=True)
    q.add_argument("--object", required=True)
    q.add_argument("--action", required=True)
    q.add_argument("--timeout", type=float, default=60)
    q = sub.add_parser("run")
    q.add_argument("--base", required=True)
    q.add_argument("--bin", required=True)
    q.add_argument("--pidfile", required=True)
    q.add_argument("--server-pid", type=int, required=True)
    q.add_argument("--server-log", required=True)
    q.add_argument("--log", required=True)
    q.add_argument("--tokens", required=True)
    q.add_argument("--instances", type=int, default=100)
    q.add_argument("--requests", type=int, default=1000)
    q.add_argument("--workers", type=int, default=4)
    q.add_argument("--kills", type=int, default=12)
    q.add_argument("--seconds", type=float, default=60)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--twins", type=float, default=0.1)
    q.add_argument("--tick-interval", type=int, default=1)
    q = sub.add_parser("check")
    q.add_argument("--base", required=True)
    q.add_argument("--token", required=True)
    q.add_argument("--log", required=True)
    q.add_argument("--audit", required=True)
    q.add_argument("--min-kills", type=int, default=10)
    q.add_argument("--min-requests", type=int, default=1000)
    argv = sys.argv[1:]
    cmd = []
    if "--" in argv:  # killat: the command to start follows
        cmd = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    a = p.parse_args(argv)
    a.cmd = cmd
    {"populate": cmd_populate, "killat": cmd_killat, "run": cmd_run,
     "check": cmd_check}[a.verb](a)


if __name__ == "__main__":
    main()
