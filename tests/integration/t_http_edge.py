"""t_http_edge.py - socket-level clients for t_http_edge.sh.

    t_http_edge.py slow PORT TOKEN   a trickled POST and two slowloris
                                     connections while 50 normal requests
                                     run
    t_http_edge.py idle PORT TOKEN N N idle connections, then normal requests
    t_http_edge.py long PORT         a 100 KiB request line, then a 100 KiB
                                     header

Prints one line a check, "ok - WHAT" or "not ok - WHAT # DETAIL", for the
shell test to count.  Every socket operation has a timeout, and every wait
a deadline: nothing here can hang the test.
"""
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def check(cond, what, detail=""):
    if cond:
        print("ok - %s" % what)
    else:
        print("not ok - %s # %s" % (what, detail))
    sys.stdout.flush()


def read_answer(sock, deadline):
    """Read until the peer closes or DEADLINE (monotonic) passes.  Returns
    (status, how): status is the HTTP status, or None; how is "answered",
    "closed" (EOF or reset before any status line) or "timeout"."""
    data = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            how = "timeout"
            break
        sock.settimeout(min(left, 1.0))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            how = "closed"
            break
        if not chunk:
            how = "closed"
            break
        data += chunk
        # Connection: close was asked, but stop as soon as the head and
        # the declared body are in.
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            n = None
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    n = int(v.strip())
            if n is not None and len(body) >= n:
                how = "answered"
                break
    status = None
    if data.startswith(b"HTTP/1."):
        try:
            status = int(data.split(b" ", 2)[1])
        except (IndexError, ValueError):
            pass
    if status is not None and how == "closed":
        how = "answered"
    return status, how


def request(port, method, path, token=None, body=b"", timeout=1.0):
    """One request on a fresh connection; (status, how, seconds)."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    head = "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n" % (
        method, path, HOST, port)
    if token:
        head += "Authorization: Bearer %s\r\n" % token
    if body:
        head += "Content-Type: application/json\r\n"
        head += "Content-Length: %d\r\n" % len(body)
    try:
        s = socket.create_connection((HOST, port), timeout=timeout)
    except OSError as e:
        return None, "connect: %s" % e, time.monotonic() - t0
    try:
        s.sendall(head.encode() + b"\r\n" + body)
        status, how = read_answer(s, deadline)
    except OSError as e:
        status, how = None, "send: %s" % e
    finally:
        s.close()
    return status, how, time.monotonic() - t0


def normal_requests(port, token, n, label, first=0):
    """N requests alternating GET /healthz and GET /api/v1/tasks, each
    within 1 s; returns (failures, slowest seconds)."""
    bad = []
    slowest = 0.0
    for i in range(n):
        path = "/healthz" if (i + first) % 2 == 0 else "/api/v1/tasks"
        status, how, secs = request(port, "GET", path, token, timeout=1.0)
        slowest = max(slowest, secs)
        if status != 200 or secs >= 1.0:
            bad.append("%s %s: %s %s %.3fs" % (label, path, status, how, secs))
    return bad, slowest


def cmd_slow(port, token):
    # Two slowloris connections: one sends nothing, one half a head.
    silent = socket.create_connection((HOST, port), timeout=2)
    half = socket.create_connection((HOST, port), timeout=2)
    half.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")

    body = b'{"title":"trickled","dg":"TAXUD","hosting":"dg"}'
    body += b" " * (64 - len(body))
    head = ("POST /api/v1/samples HTTP/1.1\r\nHost: %s:%d\r\n"
            "Connection: close\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (HOST, port, token, len(body))).encode()
    trickle = {"status": None, "how": "not run", "secs": 0.0}

    def run_trickle():
        t0 = time.monotonic()
        try:
            s = socket.create_connection((HOST, port), timeout=2)
        except OSError as e:
            trickle["how"] = "connect: %s" % e
            return
        try:
            s.sendall(head)
            for i, b in enumerate(body):
                s.sendall(bytes([b]))
                time.sleep(0.1 if i % 2 == 0 else 0.2)
            trickle["status"], trickle["how"] = read_answer(
                s, time.monotonic() + 5)
        except OSError as e:
            # The server may close a slow client; that is allowed.
            trickle["how"] = "closed while sending: %s" % e
        finally:
            s.close()
            trickle["secs"] = time.monotonic() - t0

    th = threading.Thread(target=run_trickle, daemon=True)
    th.start()
    time.sleep(0.3)  # the trickle is under way
    # Spread over the trickle: about 50 x (request + 0.1 s).
    bad = []
    slowest = 0.0
    for i in range(50):
        b, secs = normal_requests(port, token, 1, "trickle", first=i % 2)
        bad += b
        slowest = max(slowest, secs)
        time.sleep(0.1)
    during = th.is_alive()
    check(not bad, "50 GET /healthz and /api/v1/tasks during a trickled POST "
          "and two slowloris connections, each 200 within 1 s "
          "(slowest %.0f ms)" % (slowest * 1000), "; ".join(bad[:5]))
    check(during, "the trickle was still under way after the 50 requests",
          "it ended first")
    th.join(timeout=20)
    check(not th.is_alive(), "the trickled POST ends (answered or closed)",
          "still running after 20 s")
    st, how = trickle["status"], trickle["how"]
    check((st is not None and (200 <= st < 300 or 400 <= st < 500))
          or how.startswith("closed"),
          "the trickled POST got %s (%s) after %.1f s"
          % (st, how, trickle["secs"]),
          "wanted a 2xx/4xx answer or a close")
    check(trickle["secs"] >= 0.1 * len(body),
          "the body really trickled (%.1f s for %d bytes)"
          % (trickle["secs"], len(body)), "too fast")
    # The slowloris connections are still held and no one else suffers.
    status, how, secs = request(port, "GET", "/healthz", timeout=1.0)
    check(status == 200, "GET /healthz with the slowloris connections "
          "still open -> 200", "%s %s %.3fs" % (status, how, secs))
    silent.close()
    half.close()


def cmd_idle(port, token, n):
    socks = []
    err = None
    for _ in range(n):
        try:
            socks.append(socket.create_connection((HOST, port), timeout=2))
        except OSError as e:
            err = e
            break
    check(len(socks) == n, "%d idle connections opened" % n,
          "only %d: %s" % (len(socks), err))
    time.sleep(0.2)
    bad, slowest = normal_requests(port, token, 10, "idle")
    check(not bad, "10 GET /healthz and /api/v1/tasks with %d idle "
          "connections open, each 200 within 1 s (slowest %.0f ms)"
          % (len(socks), slowest * 1000), "; ".join(bad[:5]))
    status, how, secs = request(
        port, "POST", "/api/v1/samples", token,
        b'{"title":"among idle ones","dg":"TAXUD","hosting":"dg"}', 2.0)
    check(status == 201, "a POST among the idle connections -> 201",
          "%s %s %.3fs" % (status, how, secs))
    # Half of them now send one byte of a request line and stop.
    for s in socks[: n // 2]:
        try:
            s.sendall(b"G")
        except OSError:
            pass
    bad, slowest = normal_requests(port, token, 4, "idle+1byte")
    check(not bad, "requests still served with %d connections stuck after "
          "one byte (slowest %.0f ms)" % (n // 2, slowest * 1000),
          "; ".join(bad[:5]))
    for s in socks:
        s.close()


def cmd_long(port):
    pad = "a" * (100 * 1024)
    cases = [
        ("a 100 KiB request line",
         "GET /%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % pad),
        ("a 100 KiB query string",
         "GET /healthz?q=%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
         % pad),
        ("a 100 KiB header",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n"
         "Connection: close\r\n\r\n" % pad),
        ("1000 headers of 100 bytes",
         "GET /healthz HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n"
         % "".join("X-H%d: %s\r\n" % (i, "b" * 100) for i in range(1000))),
    ]
    for what, raw in cases:
        t0 = time.monotonic()
        status, how = None, "?"
        try:
            s = socket.create_connection((HOST, port), timeout=2)
            try:
                try:
                    s.sendall(raw.encode())
                except OSError:
                    pass  # closed early: read what was answered
                status, how = read_answer(s, t0 + 5)
            finally:
                s.close()
        except OSError as e:
            how = "connect: %s" % e
        secs = time.monotonic() - t0
        check(status in (400, 413, 414, 431) or
              (status is None and how == "closed"),
              "%s -> %s (%s, %.0f ms)" % (what, status, how, secs * 1000),
              "wanted 400/413/414/431 or a close")
        st, h2, _ = request(port, "GET", "/healthz", timeout=1.0)
        check(st == 200, "/healthz 200 after %s" % what, "%s %s" % (st, h2))


def main():
    cmd = sys.argv[1]
    port = int(sys.argv[2])
    if cmd == "slow":
        cmd_slow(port, sys.argv[3])
    elif cmd == "idle":
        cmd_idle(port, sys.argv[3], int(sys.argv[4]))
    elif cmd == "long":
        cmd_long(port)
    else:
        sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
