"""A real local HTTP endpoint for webhook deliveries (stdlib only).

Every request is recorded (method, path, headers, raw body, arrival time). What each path answers
is set with `set(path, *behaviours)`: the n-th request to that path gets the n-th behaviour, the
last one repeats. Unknown paths answer 200 "ok".
"""
import http.server
import json
import threading
import time


class Reply:
    """One answer: status, body bytes, extra headers; or a hang (answers `status` after release)."""

    def __init__(self, status=200, body=b"ok", headers=None, hang=False, delay=0.0):
        self.status = status
        self.delay = delay
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = dict(headers or {})
        self.hang = hang


def ok(body=b"ok", delay=0.0):
    return Reply(200, body, delay=delay)


def status(code, body=b"", delay=0.0):
    return Reply(code, body, delay=delay)


def not_found():
    return Reply(404, b"Not found")


def redirect(location, code=302):
    return Reply(code, b"moved", {"Location": location})


def hang(then=200):
    """Keep the connection open without answering until `release()` (or the receiver closes)."""
    return Reply(then, b"late", hang=True)


class Recorded:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers          # email.message.Message: case-insensitive get/get_all
        self.body = body                # raw bytes
        self.time = time.monotonic()
        self.answered = threading.Event()   # set once the reply was written (or the peer left)
        self.status = None
        try:
            self.json = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.json = None

    def __repr__(self):
        return f"<{self.method} {self.path} {self.body[:120]!r}>"


class _Server(http.server.ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: a burst of parallel deliveries would see SYNs
    # dropped and retried after 1 s, i.e. timeouts that come from the test peer, not the server
    request_queue_size = 128


class Receiver:
    HANG_LIMIT = 30.0   # a hanging handler never outlives this, even if nobody releases it

    def __init__(self):
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._records = []
        self._plans = {}
        self._counts = {}
        self._release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                rec = Recorded(self.command, self.path, self.headers, body)
                reply = receiver._record(rec)
                try:
                    if reply.hang:
                        receiver._release.wait(Receiver.HANG_LIMIT)
                    elif reply.delay:
                        time.sleep(reply.delay)
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    self.wfile.flush()
                    rec.status = reply.status
                except OSError:
                    pass
                finally:
                    rec.answered.set()

            do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = _handle

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    # -- configuration --------------------------------------------------------------------------
    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def set(self, path, *replies):
        with self._lock:
            self._plans[path] = list(replies)

    def release(self):
        """Let every hanging (and future hanging) handler answer."""
        self._release.set()

    def _record(self, rec):
        with self._cond:
            plan = self._plans.get(rec.path) or [ok()]
            i = self._counts.get(rec.path, 0)
            self._counts[rec.path] = i + 1
            self._records.append(rec)
            self._cond.notify_all()
            return plan[min(i, len(plan) - 1)]

    # -- inspection -----------------------------------------------------------------------------
    def requests(self, path=None):
        with self._lock:
            return [r for r in self._records if path is None or r.path == path]

    def wait_for(self, count, path=None, timeout=10.0):
        """Wait until at least `count` requests (to `path`) arrived; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [r for r in self._records if path is None or r.path == path]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"receiver: expected {count} request(s) to {path or 'any path'} "
                                         f"within {timeout}s, got {len(got)}: {got}")
                self._cond.wait(left)

    def close(self):
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)


def closed_port():
    """A local TCP port with nothing listening on it (connection refused)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
