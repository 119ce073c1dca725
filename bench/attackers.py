#!/usr/bin/env python3
"""Load for bench/soak.sh (Python 3 standard library only). One mode a process:

  client BASE TOKEN SECONDS RATE CONNS INTERVAL PID DB LOG
      The normal client: GET /v2/integrations on CONNS keep-alive connections, RATE requests a
      second in all, each sent at its scheduled time. A request's latency runs from the time it
      was due (not from when it went out), so a stall counts for every request it held back.
      A connection the server closed is reopened and the request sent again once (a reconnect;
      the time it took is in the latency). Every INTERVAL seconds one line:
        ROW t requests p50_ms p99_ms max_ms errors rss_kib fds db_bytes wal_bytes delivered failed late_p99_ms
      (late: how late the client itself sent its requests, its own share of the latency; rss_kib and fds: the server's VmRSS and open files now; db, wal: the sizes of DB and DB-wal;
      delivered, failed: delivery lines in the server's console LOG since the last line), then
        RESULT requests p50 p99 max errors reconnects rss_first rss_max rss_last fds_max late_p99
      over the whole run (the server sampled every second).

  slowloris HOST PORT CONNS SECONDS
      CONNS connections that send a request head one byte a second and never finish it; each one
      the server closes is opened again at once. One process, non-blocking sockets. At the end:
        RESULT opened closed answered_first lifetime_min lifetime_p50 lifetime_max open_at_end connect_failures bytes_sent
        STATUS code:count ...     (the answers the server sent before closing)

  idle HOST PORT CONNS SECONDS TOKEN
      CONNS connections that each send one GET /v2/integrations, read the answer, then sit idle;
      each one the server closes is opened again at once (and asks again). At the end:
        RESULT opened answered closed_idle closed_unanswered idle_min idle_p50 idle_max open_at_end connect_failures
        STATUS code:count ...

  mixed BASE TOKEN SECONDS RATE SINK_URL
      A store's everyday traffic, RATE operations a second in a fixed cycle: creates, updates and
      deletes of integrations (a pool of about 20), events through POST /emulator/v1/events, list,
      log and job reads. One integration (webhook to SINK_URL) observes the fired trigger and the
      integration.* events, so every event and every change is a delivery. At the end:
        RESULT ops errors creates updates deletes events reads jobs_queued

Every mode ends by itself after its SECONDS (and a bounded grace for the request under way)."""
import errno
import heapq
import http.client
import json
import math
import os
import resource
import selectors
import socket
import sys
import threading
import time
from urllib.parse import urlsplit


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, 65536), hard))
        except (ValueError, OSError):
            pass


def pct(sorted_xs, p):
    if not sorted_xs:
        return 0.0
    return sorted_xs[min(len(sorted_xs) - 1, max(0, int(math.ceil(p / 100.0 * len(sorted_xs))) - 1))]


# ---- the normal client ------------------------------------------------------------------------
def proc_sample(pid):
    rss = fds = 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        fds = len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        pass
    return rss, fds


def size_of(path):
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


class LogCounter:
    """Counts delivery lines appended to the server's console log since the last call."""
    def __init__(self, path):
        self.path, self.pos, self.rest = path, 0, b""

    def take(self):
        ok = bad = 0
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos += len(data)
        except OSError:
            return 0, 0
        data = self.rest + data
        lines = data.split(b"\n")
        self.rest = lines.pop()
        for line in lines:
            if b" delivery " in line:
                if line.rstrip().endswith(b"succeeded"):
                    ok += 1
                else:
                    bad += 1
        return ok, bad


def client(base, token, seconds, rate, conns, interval, pid, db, log):
    u = urlsplit(base)
    headers = {"Authorization": "Bearer " + token, "Host": u.netloc}
    samples = []            # (done, latency_ms, ok, late_ms), appended by the workers
    reconnects = [0] * conns
    t0 = time.monotonic() + 0.1
    end = t0 + seconds

    def worker(i):
        c, k = None, 0
        while True:
            due = t0 + (i + k * conns) / rate
            if due >= end:
                break
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            late = (time.monotonic() - due) * 1000.0     # the client's own delay in sending it
            ok = False
            for attempt in (0, 1):
                try:
                    if c is None:
                        if k or attempt:
                            reconnects[i] += 1
                        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
                    c.request("GET", "/v2/integrations", headers=headers)
                    r = c.getresponse()
                    r.read()
                    ok = r.status == 200
                    if r.will_close:
                        c.close()
                        c = None
                    break
                except (OSError, http.client.HTTPException):
                    if c is not None:
                        c.close()
                    c = None
            done = time.monotonic()
            samples.append((done, (done - due) * 1000.0, ok, late))
            k += 1
        if c is not None:
            c.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(conns)]
    for t in threads:
        t.start()
    deliveries = LogCounter(log) if log != "-" else None
    rss_all, fds_max = [], 0
    taken, row_start, next_row = 0, t0, t0 + interval

    def row(now):
        nonlocal taken, row_start
        chunk = samples[taken:]
        taken += len(chunk)
        lat = sorted(s[1] for s in chunk)
        errors = sum(1 for s in chunk if not s[2])
        rss, fds = proc_sample(pid)
        ok, bad = deliveries.take() if deliveries else (0, 0)
        late = sorted(s[3] for s in chunk)
        print("ROW %.0f %d %.3f %.3f %.3f %d %d %d %d %d %d %d %.3f" % (
            now - t0, len(lat), pct(lat, 50), pct(lat, 99), lat[-1] if lat else 0.0, errors, rss, fds,
            size_of(db), size_of(db + "-wal"), ok, bad, pct(late, 99)), flush=True)
        row_start = now

    while any(t.is_alive() for t in threads):
        time.sleep(min(1.0, max(0.0, next_row - time.monotonic())))
        rss, fds = proc_sample(pid)
        if rss:
            rss_all.append(rss)
        fds_max = max(fds_max, fds)
        now = time.monotonic()
        if now >= next_row - 0.01:
            row(now)
            next_row += interval
        if now > end + 15:      # a worker stuck past its timeout: give up on it
            break
    now = time.monotonic()
    if now - row_start > 1.0:
        row(now)
    lat = sorted(s[1] for s in samples)
    errors = sum(1 for s in samples if not s[2])
    late = sorted(s[3] for s in samples)
    print("RESULT %d %.3f %.3f %.3f %d %d %d %d %d %d %.3f" % (
        len(lat), pct(lat, 50), pct(lat, 99), lat[-1] if lat else 0.0, errors, sum(reconnects),
        rss_all[0] if rss_all else 0, max(rss_all) if rss_all else 0, rss_all[-1] if rss_all else 0, fds_max,
        pct(late, 99)), flush=True)


# ---- the attackers: one selector, many non-blocking sockets ----------------------------------
class Conn:
    __slots__ = ("sock", "connected_at", "answered_at", "buf", "sent", "dead", "statuses")

    def __init__(self, sock):
        self.sock, self.connected_at, self.answered_at = sock, None, None
        self.buf, self.sent, self.dead, self.statuses = b"", 0, False, []


class Swarm:
    """CONNS connections kept open against HOST:PORT: at most OPEN_BATCH opened every 50 ms (a
    closed one is replaced at the next batch), each told through on_connected, on_data, on_closed."""
    OPEN_BATCH = 100

    def __init__(self, host, port, conns):
        raise_file_limit()
        self.addr, self.want = (host, port), conns
        self.sel = selectors.DefaultSelector()
        self.live = 0
        self.opened = self.connect_failures = 0
        self.statuses = {}
        self.last_batch = 0.0

    def open_some(self, now):
        if now - self.last_batch < 0.05:
            return
        self.last_batch = now
        for _ in range(min(self.OPEN_BATCH, self.want - self.live)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(self.addr)
            if err not in (0, errno.EINPROGRESS):
                s.close()
                self.connect_failures += 1
                continue
            c = Conn(s)
            self.sel.register(s, selectors.EVENT_WRITE, c)
            self.live += 1

    def close(self, c, now, by_server=True):
        if c.dead:
            return
        c.dead = True
        self.sel.unregister(c.sock)
        c.sock.close()
        self.live -= 1
        if c.connected_at is not None and by_server:
            self.on_closed(c, now)

    def note_status(self, data):
        # the first line of an answer: HTTP/1.1 408 Request Timeout
        parts = data.split(b" ", 2)
        if len(parts) >= 2 and parts[0].startswith(b"HTTP/"):
            code = parts[1].decode("ascii", "replace")
            self.statuses[code] = self.statuses.get(code, 0) + 1

    def step(self, timeout):
        now = time.monotonic()
        for key, mask in self.sel.select(timeout):
            c = key.data
            if c.dead:
                continue
            now = time.monotonic()
            if c.connected_at is None:
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    self.connect_failures += 1
                    self.close(c, now, by_server=False)
                    continue
                c.connected_at = now
                self.opened += 1
                self.sel.modify(c.sock, selectors.EVENT_READ, c)
                self.on_connected(c, now)
                continue
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                self.close(c, now)
            else:
                self.on_data(c, data, now)

    def send(self, c, data, now):
        try:
            c.sock.send(data)
            return True
        except BlockingIOError:
            return True
        except OSError:
            self.close(c, now)
            return False

    def finish(self):
        for key in list(self.sel.get_map().values()):
            key.data.dead = True
            key.fileobj.close()
        self.sel.close()

    def status_line(self):
        return "STATUS " + " ".join("%s:%d" % kv for kv in sorted(self.statuses.items()))


class Slowloris(Swarm):
    HEAD = b"GET /v2/integrations HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nX-Slow: "

    def __init__(self, *a):
        super().__init__(*a)
        self.due = []          # (when, seq, conn): the next byte of each connection
        self.seq = 0
        self.closed, self.lifetimes, self.bytes_sent, self.answered_first = 0, [], 0, 0

    def on_connected(self, c, now):
        self.schedule(c, now)

    def schedule(self, c, when):
        self.seq += 1
        heapq.heappush(self.due, (when, self.seq, c))

    def on_data(self, c, data, now):
        if not c.statuses:
            self.answered_first += 1
        c.statuses.append(data[:12])
        self.note_status(data)

    def on_closed(self, c, now):
        self.closed += 1
        self.lifetimes.append(now - c.connected_at)

    def run(self, seconds):
        end = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            if now >= end:
                break
            self.open_some(now)
            while self.due and self.due[0][0] <= now:
                _, _, c = heapq.heappop(self.due)
                if c.dead:
                    continue
                byte = self.HEAD[c.sent:c.sent + 1] or b"a"   # the head, then a header value without end
                if self.send(c, byte, now):
                    c.sent += 1
                    self.bytes_sent += 1
                    self.schedule(c, now + 1.0)
            wait = 0.05 if not self.due else min(0.05, max(0.0, self.due[0][0] - time.monotonic()))
            self.step(wait)
        now = time.monotonic()
        still = sum(1 for k in self.sel.get_map().values() if k.data.connected_at is not None)
        lt = sorted(self.lifetimes)
        print("RESULT %d %d %d %.2f %.2f %.2f %d %d %d" % (
            self.opened, self.closed, self.answered_first, lt[0] if lt else 0, pct(lt, 50), lt[-1] if lt else 0,
            still, self.connect_failures, self.bytes_sent), flush=True)
        print(self.status_line(), flush=True)
        self.finish()


class Idle(Swarm):
    def __init__(self, host, port, conns, token):
        super().__init__(host, port, conns)
        self.request = ("GET /v2/integrations HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n\r\n"
                        % (host, port, token)).encode()
        self.answered = self.closed_idle = self.closed_unanswered = 0
        self.idle_times = []
        self.need = {}          # conn -> bytes of the answer still to come (None: head not complete)

    def on_connected(self, c, now):
        self.need[c] = None
        self.send(c, self.request, now)

    def on_data(self, c, data, now):
        if c.answered_at is not None:       # something after the answer (an answer before a close?)
            self.note_status(data)
            return
        c.buf += data
        if self.need.get(c) is None:
            head_end = c.buf.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = c.buf[:head_end].decode("latin-1")
            self.note_status(c.buf)
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            c.buf = c.buf[head_end + 4:]
            self.need[c] = length
        if len(c.buf) >= self.need[c]:
            c.answered_at = now
            c.buf = b""
            self.answered += 1

    def on_closed(self, c, now):
        self.need.pop(c, None)
        if c.answered_at is not None:
            self.closed_idle += 1
            self.idle_times.append(now - c.answered_at)
        else:
            self.closed_unanswered += 1

    def run(self, seconds):
        end = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            if now >= end:
                break
            self.open_some(now)
            self.step(0.05)
        still = sum(1 for k in self.sel.get_map().values() if k.data.connected_at is not None)
        it = sorted(self.idle_times)
        print("RESULT %d %d %d %d %.2f %.2f %.2f %d %d" % (
            self.opened, self.answered, self.closed_idle, self.closed_unanswered, it[0] if it else 0,
            pct(it, 50), it[-1] if it else 0, still, self.connect_failures), flush=True)
        print(self.status_line(), flush=True)
        self.finish()


# ---- the mixed load ---------------------------------------------------------------------------
def mixed(base, token, seconds, rate, sink_url):
    u = urlsplit(base)
    auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    conn = [None]
    counts = dict(ops=0, errors=0, creates=0, updates=0, deletes=0, events=0, reads=0, jobs=0)
    shown = [0]

    def call(method, path, body, expect):
        data = json.dumps(body) if body is not None else None
        for attempt in (0, 1):
            try:
                if conn[0] is None:
                    conn[0] = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
                conn[0].request(method, path, data, auth)
                r = conn[0].getresponse()
                text = r.read()
                if r.will_close:
                    conn[0].close()
                    conn[0] = None
                counts["ops"] += 1
                if r.status != expect:
                    counts["errors"] += 1
                    if shown[0] < 5:
                        shown[0] += 1
                        print("mixed: %s %s -> %d %s" % (method, path, r.status, text[:200]), file=sys.stderr)
                    return None
                return json.loads(text) if text else {}
            except (OSError, http.client.HTTPException, ValueError) as e:
                if conn[0] is not None:
                    conn[0].close()
                conn[0] = None
                if attempt:
                    counts["ops"] += 1
                    counts["errors"] += 1
                    if shown[0] < 5:
                        shown[0] += 1
                        print("mixed: %s %s -> %s" % (method, path, e), file=sys.stderr)
        return None

    def integration(name, observes):
        return {"data": {"type": "integration", "integration_type": "webhook", "name": name, "enabled": True,
                         "configuration": {"url": sink_url}, "observes": observes}}

    made = call("POST", "/v2/integrations", integration(
        "soak sink", ["order.paid", "integration.created", "integration.updated", "integration.deleted"]), 201)
    if not made:
        sys.exit("mixed: the sink integration could not be created")
    sink_id = made["data"]["id"]
    pool, serial = [], 0

    def create():
        nonlocal serial
        serial += 1
        doc = call("POST", "/v2/integrations", integration("soak %d" % serial, ["order.fulfilled"]), 201)
        if doc:
            pool.append(doc["data"]["id"])
            counts["creates"] += 1

    for _ in range(20):
        create()

    def update():
        if pool:
            i = pool[serial % len(pool)]
            if call("PUT", "/v2/integrations/" + i,
                    {"data": {"type": "integration", "description": "update %d" % counts["updates"]}}, 200):
                counts["updates"] += 1

    def delete():
        if len(pool) > 10:
            if call("DELETE", "/v2/integrations/" + pool.pop(0), None, 200):
                counts["deletes"] += 1

    def event():
        doc = call("POST", "/emulator/v1/events", {"data": {"type": "event", "trigger": "order.paid"}}, 202)
        if doc:
            counts["events"] += 1
            counts["jobs"] += len(doc["data"].get("jobs", []))

    def read(path):
        def go():
            if call("GET", path, None, 200) is not None:
                counts["reads"] += 1
        return go

    cycle = [create, event, update, read("/v2/integrations"), event, read("/v2/integrations/logs"),
             delete, event, read("/v2/integrations/%s/jobs" % sink_id), read("/v2/integrations/" + sink_id)]
    t0 = time.monotonic()
    end = t0 + seconds
    k = 0
    while True:
        due = t0 + k / rate
        if due >= end:
            break
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        cycle[k % len(cycle)]()
        k += 1
    if conn[0] is not None:
        conn[0].close()
    print("RESULT %d %d %d %d %d %d %d %d" % tuple(counts[k] for k in
          ("ops", "errors", "creates", "updates", "deletes", "events", "reads", "jobs")), flush=True)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    mode, a = argv[1], argv[2:]
    if mode == "client" and len(a) == 9:
        client(a[0], a[1], float(a[2]), float(a[3]), int(a[4]), float(a[5]), int(a[6]), a[7], a[8])
    elif mode == "slowloris" and len(a) == 4:
        Slowloris(a[0], int(a[1]), int(a[2])).run(float(a[3]))
    elif mode == "idle" and len(a) == 5:
        Idle(a[0], int(a[1]), int(a[2]), a[4]).run(float(a[3]))
    elif mode == "mixed" and len(a) == 5:
        mixed(a[0], a[1], float(a[2]), float(a[3]), a[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main(sys.argv)
