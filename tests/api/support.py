"""Harness for the black-box API tests: start/stop the real binary, talk HTTP to it.

Only the standard library and `requests` (Debian python3-requests) are used.
Run with: /usr/bin/python3 -m pytest -q tests/api
"""
import http.client
import json
import os
import re
import signal
import subprocess
import time
import uuid

import requests

import openapi_check

# Every answer of a server started here, through requests, is checked against openapi.json.
openapi_check.install()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("INTEGRATIONSD_BIN") or os.path.join(REPO, "build", "integrationsd")

JSON_CT = "application/json; charset=utf-8"
UUID4_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LISTEN_RE = re.compile(r"^listening on http://127\.0\.0\.1:(\d+)\s*$")
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")
RESOURCE_KEYS = ["id", "type", "integration_type", "name", "description", "enabled",
                 "configuration", "observes", "links", "meta"]

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
HTTP_TIMEOUT = 30.0


def child_env(extra=None):
    """The test runner's environment without any INTEGRATIONSD_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTEGRATIONSD_")}
    env.update(extra or {})
    return env


def run_binary(args, env=None, timeout=STOP_TIMEOUT):
    """Run the binary to completion (for --help, --version, bad flags). Returns CompletedProcess."""
    try:
        return subprocess.run([BIN] + list(args), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=child_env(env), timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{BIN} {' '.join(args)} did not exit within {timeout}s") from e


class Server:
    """One integrationsd process on 127.0.0.1, ephemeral port, database in `workdir`."""

    def __init__(self, workdir, args=(), env=None, db=None, db_flag=True):
        self.workdir = str(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.db = db or os.path.join(self.workdir, "db.sqlite")
        self.args = list(args)
        self.env = dict(env or {})
        self.db_flag = db_flag
        self.proc = None
        self.port = None
        self.base = None
        self.starts = 0
        self.err_paths = []
        self.stdout_text = ""
        self.exit_codes = []

    # -- life cycle ---------------------------------------------------------------------------
    def start(self):
        assert self.proc is None, "already running"
        n = self.starts
        self.starts += 1
        out_path = os.path.join(self.workdir, f"stdout.{n}.log")
        err_path = os.path.join(self.workdir, f"stderr.{n}.log")
        self.err_paths.append(err_path)
        cmd = [BIN, "--bind", "127.0.0.1", "--port", "0"]
        if self.db_flag:
            cmd += ["--db", self.db]
        cmd += self.args
        self._out = open(out_path, "wb")
        self._err = open(err_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err, env=child_env(self.env))
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with open(out_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            for line in text.splitlines():
                m = LISTEN_RE.match(line)
                if m:
                    self.port = int(m.group(1))
                    self.base = f"http://127.0.0.1:{self.port}"
                    self.stdout_text = text
                    openapi_check.register(f"127.0.0.1:{self.port}")
                    return self
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self._close_files()
                self.proc = None
                raise AssertionError(f"server exited with {rc} before listening; cmd={cmd}\n"
                                     f"stdout={text!r}\nstderr={self.stderr()[-4000:]!r}")
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                self._close_files()
                self.proc = None
                raise AssertionError(f"no 'listening on' line within {START_TIMEOUT}s; "
                                     f"stdout={text!r} stderr={self.stderr()[-4000:]!r}")
            time.sleep(0.01)

    def _close_files(self):
        for f in (self._out, self._err):
            try:
                f.close()
            except Exception:
                pass

    def stop(self, sig=signal.SIGTERM):
        """Signal the process (by PID) and wait; returns the exit status."""
        if self.proc is None:
            return None
        proc = self.proc
        proc.send_signal(sig)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = "timeout"
        openapi_check.unregister(f"127.0.0.1:{self.port}")  # gone: its port may serve a peer next
        self._close_files()
        self.proc = None
        self.exit_codes.append(rc)
        return rc

    def restart(self):
        rc = self.stop()
        assert rc == 0, f"exit status on SIGTERM: {rc}"
        return self.start()

    def stdout(self):
        """Everything the server has printed on standard output so far (every start)."""
        chunks = []
        for n in range(self.starts):
            try:
                with open(os.path.join(self.workdir, f"stdout.{n}.log"), "rb") as f:
                    chunks.append(f.read().decode("utf-8", "replace"))
            except OSError:
                pass
        return "".join(chunks)

    def stderr(self):
        chunks = []
        for p in self.err_paths:
            try:
                with open(p, "rb") as f:
                    chunks.append(f.read().decode("utf-8", "replace"))
            except FileNotFoundError:
                pass
        return "".join(chunks)

    def finish(self):
        """Teardown: stop, then fail on a bad exit status or a sanitizer report."""
        self.stop()
        problems = []
        bad = [rc for rc in self.exit_codes if rc != 0]
        err = self.stderr()
        if bad:
            problems.append(f"exit status after SIGTERM: {bad} (expected 0); stderr: {err[-3000:]!r}")
        for marker in SANITIZER_MARKERS:
            if marker in err:
                i = err.index(marker)
                problems.append(f"stderr contains {marker!r}: {err[max(0, i - 200):i + 3000]}")
        if problems:
            raise AssertionError("; ".join(problems))

    # -- HTTP ---------------------------------------------------------------------------------
    def url(self, path):
        return self.base + path

    def request(self, method, path, **kw):
        kw.setdefault("timeout", HTTP_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        return requests.request(method, self.url(path), **kw)

    def raw(self, method, path, body=None, headers=None):
        """One request through http.client (no URL normalisation). Returns (status, headers, bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.headers, r.read()
        finally:
            conn.close()

    def token_response(self, client_id=None, secret="s3cret", grant="client_credentials", as_json=False):
        body = {"grant_type": grant, "client_id": client_id or str(uuid.uuid4())}
        if secret is not None:
            body["client_secret"] = secret
        if as_json:
            return self.request("POST", "/oauth/access_token", json=body)
        return self.request("POST", "/oauth/access_token", data=body)

    def token(self, client_id=None, secret="s3cret", grant="client_credentials"):
        r = self.token_response(client_id, secret, grant)
        assert r.status_code == 200, f"token request failed: {r.status_code} {r.text}"
        return r.json()["access_token"]

    def client(self, client_id=None, secret="s3cret"):
        return Client(self, client_id or str(uuid.uuid4()), secret)


class Client:
    """A store: one client_id with a client_credentials token."""

    def __init__(self, server, client_id, secret):
        self.server = server
        self.client_id = client_id
        self.secret = secret
        self.token = server.token(client_id, secret)

    @property
    def auth(self):
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method, path, body=None, raw=None, headers=None, **kw):
        h = dict(self.auth)
        if body is not None or raw is not None:
            h["Content-Type"] = "application/json"
            kw["data"] = raw if raw is not None else json.dumps(body).encode()
        h.update(headers or {})
        return self.server.request(method, path, headers=h, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def create(self, data=None, **overrides):
        """Create an integration from `data` (default: a valid webhook) and return the resource."""
        d = dict(data if data is not None else valid_data())
        d.update(overrides)
        r = self.post("/v2/integrations", {"data": d})
        assert r.status_code == 201, f"create failed: {r.status_code} {r.text}"
        return r.json()["data"]


def valid_data(**overrides):
    d = {
        "type": "integration",
        "integration_type": "webhook",
        "name": "Order created hook",
        "description": "Tell the shop",
        "enabled": False,
        "configuration": {"url": "http://127.0.0.1:9/hook"},
        "observes": ["order.created"],
    }
    d.update(overrides)
    return d


def mask(s):
    """§3 masking: every character but the last 4 becomes '*'; 4 or fewer: all '*'."""
    if len(s) <= 4:
        return "*" * len(s)
    return "*" * (len(s) - 4) + s[-4:]


def body_json(r, status):
    """Assert status + exact JSON content type; return the parsed body (keys in wire order)."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:2000]}"
    assert r.headers.get("Content-Type") == JSON_CT, f"Content-Type: {r.headers.get('Content-Type')!r}"
    return r.json()


def errors_of(r, status):
    """Assert an error envelope with `status`; return the list of error objects."""
    b = body_json(r, status)
    assert isinstance(b, dict) and list(b.keys()) == ["errors"], f"not an error envelope: {b}"
    errs = b["errors"]
    assert isinstance(errs, list) and errs, f"empty errors: {b}"
    for e in errs:
        assert type(e.get("status")) is int and e["status"] == status, f"status in body: {e}"
        assert isinstance(e.get("title"), str) and e["title"], f"title: {e}"
    return errs


def one_error(r, status, title=None):
    errs = errors_of(r, status)
    assert len(errs) == 1, f"expected one error, got {errs}"
    if title is not None:
        assert errs[0]["title"] == title, f"title {errs[0]['title']!r} != {title!r}"
    return errs[0]


def _match(expected, actual):
    if isinstance(expected, re.Pattern):
        return isinstance(actual, str) and expected.fullmatch(actual) is not None
    return expected == actual


def assert_validation(r, expected):
    """400 whose errors are exactly `expected`, a list of (title, source) in order.

    A title or source may be a compiled regex (full match) where the spec leaves wording open.
    Every validation error must also carry a non-empty `detail`.
    """
    errs = errors_of(r, 400)
    got = [(e.get("title"), e.get("source")) for e in errs]
    ok = len(got) == len(expected) and all(
        _match(et, gt) and _match(es, gs) for (et, es), (gt, gs) in zip(expected, got))
    assert ok, f"\nexpected {expected}\n     got {got}"
    for e in errs:
        assert isinstance(e.get("detail"), str) and e["detail"], f"no detail: {e}"


def page_query(url):
    """(path, {param: value}) of an absolute link, brackets decoded."""
    from urllib.parse import urlsplit, parse_qs
    u = urlsplit(url)
    q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
    return u.scheme + "://" + u.netloc, u.path, q


class ServerFactory:
    """Function-scoped servers for a test: make() starts one, finish_all() stops and checks every
    one (exit status 0 on SIGTERM, no sanitizer report) and fails the test on any problem."""

    def __init__(self, workdir):
        if not os.access(BIN, os.X_OK):
            raise AssertionError(f"binary not found: {BIN} (run make, or set INTEGRATIONSD_BIN)")
        self.workdir = workdir
        self.servers = []

    def make(self, args=(), env=None, db=None, db_flag=True, start=True, name=None):
        s = Server(os.path.join(str(self.workdir), name or f"srv{len(self.servers)}"), args=args, env=env,
                   db=db, db_flag=db_flag)
        self.servers.append(s)
        if start:
            s.start()
        return s

    def finish_all(self):
        problems = []
        for s in self.servers:
            try:
                s.finish()
            except AssertionError as e:
                problems.append(str(e))
        if problems:
            raise AssertionError("server teardown: " + " | ".join(problems))
