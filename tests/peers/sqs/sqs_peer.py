"""Start and stop the real SQS peer of the delivery tests; read back what it received.

    local-aws-sqs (npm, pinned in package-lock.json)   127.0.0.1:<free port>, queues `events`, `events.fifo`
    sigv4_proxy.py (Debian python3-botocore)           127.0.0.1:<free port> -> local-aws-sqs, checks SigV4

local-aws-sqs checks no signatures, so the server under test is pointed at the proxy, which answers
403 SignatureDoesNotMatch unless the request is signed with ACCESS_KEY/SECRET_KEY. Two proxies run:
`proxy` answers its 403 as an AWS JSON-protocol error (`{"__type":"…#SignatureDoesNotMatch",
"message":…}`), `proxy_xml` as the Query-protocol XML `ErrorResponse` AWS also sends.

Usable from pytest (`SqsPeer(workdir).start()` in a fixture, `.stop()` at teardown) or by hand:
    /usr/bin/python3 tests/peers/sqs/sqs_peer.py      # start, self-check with curl --aws-sigv4, stop
Every process is started here and stopped by its PID, never by name.
"""
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ACCOUNT = "000000000000"
REGION = "us-east-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
JSON_CT = "application/x-amz-json-1.0"
# Debian's python3 has python3-botocore; the pyenv python3 first on PATH does not.
DEBIAN_PYTHON = "/usr/bin/python3"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
NPM_TIMEOUT = 300.0


def _lock_version():
    with open(os.path.join(HERE, "package-lock.json"), encoding="utf-8") as f:
        return json.load(f)["packages"]["node_modules/local-aws-sqs"]["version"]


def _installed_version():
    try:
        with open(os.path.join(HERE, "node_modules", "local-aws-sqs", "package.json"), encoding="utf-8") as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return None


def _install_is_current():
    hidden = os.path.join(HERE, "node_modules", ".package-lock.json")   # written by npm ci
    lock = os.path.join(HERE, "package-lock.json")
    return (_installed_version() == _lock_version() and os.path.exists(hidden)
            and os.path.getmtime(hidden) >= os.path.getmtime(lock))


def ensure_node_modules():
    """`npm ci` in this folder when node_modules is missing or older than package-lock.json."""
    if _install_is_current():
        return
    npm = shutil.which("npm")
    if not npm:
        raise RuntimeError("npm not found: the SQS peer needs nodejs and npm")
    with open(os.path.join(tempfile.gettempdir(), "integrationsd-sqs-peer-npm.lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)          # one install at a time (parallel test runs)
        if _install_is_current():
            return
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=NPM_TIMEOUT)
        if r.returncode != 0 or not _install_is_current():
            raise RuntimeError(f"npm ci in {HERE} failed ({r.returncode}):\n{r.stdout.decode(errors='replace')}")


class _Proc:
    """One child process whose first stdout line is `listening <port>`."""

    def __init__(self, name, cmd, workdir, cwd=None):
        self.name = name
        self.out_path = os.path.join(workdir, f"{name}.out")
        self.err_path = os.path.join(workdir, f"{name}.err")
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err, start_new_session=True)
        self.pid = self.proc.pid
        self.port = None

    def wait_listening(self, deadline):
        while True:
            with open(self.out_path, "rb") as f:
                for line in f.read().decode("utf-8", "replace").splitlines():
                    if line.startswith("listening "):
                        self.port = int(line.split()[1])
                        return self.port
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before listening: "
                                   f"{self.stderr()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not listening within {START_TIMEOUT}s: {self.stderr()[-3000:]}")
            time.sleep(0.02)

    def stderr(self):
        try:
            with open(self.err_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        """SIGTERM by PID, then SIGKILL by PID after STOP_TIMEOUT. Returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self._out, self._err):
            f.close()
        return self.proc.returncode


class Proxy:
    """A running sigv4_proxy.py; `requests()` are its JSON log lines, oldest first."""

    def __init__(self, name, upstream, workdir, errors):
        self.log_path = os.path.join(workdir, f"{name}.jsonl")
        cmd = [DEBIAN_PYTHON, os.path.join(HERE, "sigv4_proxy.py"), "--port", "0", "--upstream", upstream,
               "--access-key", ACCESS_KEY, "--secret", SECRET_KEY, "--errors", errors, "--log", self.log_path]
        self.proc = _Proc(name, cmd, workdir)
        self.port = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def queue_url(self, name="events"):
        return f"{self.base}/{ACCOUNT}/{name}"

    def requests(self):
        try:
            with open(self.log_path, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except OSError:
            return []

    def requests_for(self, queue_url):
        """Logged requests whose body names `queue_url` as QueueUrl (any protocol)."""
        out = []
        for r in self.requests():
            try:
                q = json.loads(r["body"]).get("QueueUrl")
            except (ValueError, AttributeError):
                q = None
            if q == queue_url or (q is None and queue_url in r["body"]):
                out.append(r)
        return out


class SqsPeer:
    def __init__(self, workdir):
        self.workdir = str(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.sqs = None
        self.proxy = None
        self.proxy_xml = None
        self.port = None
        self._seen = {}      # queue name -> list of messages already received and deleted

    # -- life cycle -------------------------------------------------------------------------
    def start(self):
        if not os.access(DEBIAN_PYTHON, os.X_OK):
            raise RuntimeError(f"{DEBIAN_PYTHON} missing")
        chk = subprocess.run([DEBIAN_PYTHON, "-c", "import botocore"], capture_output=True)
        if chk.returncode != 0:
            raise RuntimeError("the SigV4 proxy needs Debian's python3-botocore "
                               "(apt-get install python3-botocore): " + chk.stderr.decode(errors="replace"))
        ensure_node_modules()
        node = shutil.which("node") or shutil.which("nodejs")
        if not node:
            raise RuntimeError("node not found: the SQS peer needs nodejs")
        deadline = time.monotonic() + START_TIMEOUT
        try:
            self.sqs = _Proc("local-aws-sqs", [node, os.path.join(HERE, "sqs_server.js"), "0"], self.workdir, cwd=HERE)
            self.port = self.sqs.wait_listening(deadline)
            self.proxy = Proxy("proxy", self.base, self.workdir, "json")
            self.proxy_xml = Proxy("proxy-xml", self.base, self.workdir, "xml")
            for p in (self.proxy, self.proxy_xml):
                p.port = p.proc.wait_listening(deadline)
            # ready = both queues answer, directly and through a proxy (an unsigned call gets its 403)
            for q in ("events", "events.fifo"):
                st, body = self.call("GetQueueAttributes", {"QueueUrl": self.queue_url(q), "AttributeNames": ["All"]})
                assert st == 200, f"queue {q}: {st} {body}"
            st, _ = _post(self.proxy.base + "/", b"{}", {"Content-Type": JSON_CT,
                                                           "X-Amz-Target": "AmazonSQS.ListQueues"})
            assert st == 403, f"unsigned request through the proxy answered {st}, expected 403"
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        problems = []
        for p in (self.proxy and self.proxy.proc, self.proxy_xml and self.proxy_xml.proc, self.sqs):
            if p is not None and p.proc.returncode is None:
                rc = p.stop()
                if rc not in (0, -signal.SIGTERM):
                    problems.append(f"{p.name} exit status {rc}: {p.stderr()[-2000:]}")
        return problems

    # -- local-aws-sqs, direct ---------------------------------------------------------------
    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def queue_url(self, name="events"):
        return f"{self.base}/{ACCOUNT}/{name}"

    def call(self, action, payload):
        """One JSON-protocol call straight to local-aws-sqs (unsigned). Returns (status, parsed body)."""
        st, raw = _post(self.base + "/", json.dumps(payload).encode(),
                        {"Content-Type": JSON_CT, "X-Amz-Target": "AmazonSQS." + action})
        try:
            return st, json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            return st, raw.decode("utf-8", "replace")

    def create_queue(self, name, fifo=False):
        attrs = {"FifoQueue": "true", "ContentBasedDeduplication": "false"} if fifo else {}
        st, body = self.call("CreateQueue", {"QueueName": name, "Attributes": attrs})
        assert st == 200, f"CreateQueue {name}: {st} {body}"
        return name

    def receive(self, queue="events"):
        """Everything now in `queue`: received with all attributes, then deleted. Also kept in history."""
        got = []
        while True:
            st, body = self.call("ReceiveMessage", {
                "QueueUrl": self.queue_url(queue), "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0,
                "VisibilityTimeout": 30, "AttributeNames": ["All"], "MessageSystemAttributeNames": ["All"],
                "MessageAttributeNames": ["All"]})
            assert st == 200, f"ReceiveMessage {queue}: {st} {body}"
            msgs = (body or {}).get("Messages") or []
            if not msgs:
                break
            for m in msgs:
                st, b = self.call("DeleteMessage", {"QueueUrl": self.queue_url(queue),
                                                    "ReceiptHandle": m["ReceiptHandle"]})
                assert st == 200, f"DeleteMessage: {st} {b}"
                try:
                    m["json"] = json.loads(m["Body"])
                except ValueError:
                    m["json"] = None
            got.extend(msgs)
        self._seen.setdefault(queue, []).extend(got)
        return got

    def messages(self, queue="events", pred=None):
        """All messages ever received from `queue` (oldest first) that match `pred`, after a fresh receive."""
        self.receive(queue)
        return [m for m in self._seen.get(queue, []) if pred is None or pred(m)]

    def wait_messages(self, queue="events", pred=None, count=1, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages(queue, pred)
            if len(got) >= count:
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {count} message(s) in {queue}; "
                                     f"got {len(got)}: {[m['Body'][:200] for m in got]}")
            time.sleep(0.05)

    def messages_for_job(self, job_id, queue="events"):
        return self.messages(queue, lambda m: isinstance(m.get("json"), dict) and m["json"].get("id") == job_id)

    def wait_job_message(self, job_id, queue="events", timeout=10.0):
        return self.wait_messages(queue, lambda m: isinstance(m.get("json"), dict) and m["json"].get("id") == job_id,
                                  1, timeout)


def _post(url, data, headers, timeout=10):
    req = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def curl_send(proxy_base, queue_url, body, secret=SECRET_KEY, access_key=ACCESS_KEY, extra=None):
    """SendMessage signed by curl --aws-sigv4 (independent of botocore). Returns (status, text)."""
    payload = {"QueueUrl": queue_url, "MessageBody": body}
    payload.update(extra or {})
    r = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--aws-sigv4", f"aws:amz:{REGION}:sqs",
                        "--user", f"{access_key}:{secret}", "-H", f"Content-Type: {JSON_CT}",
                        "-H", "X-Amz-Target: AmazonSQS.SendMessage", "--data-binary", json.dumps(payload),
                        proxy_base + "/"], capture_output=True, timeout=20)
    assert r.returncode == 0, f"curl failed: {r.stderr.decode(errors='replace')}"
    text, _, code = r.stdout.decode().rpartition("\n")
    return int(code), text


def self_check(peer):
    """The peer on its own, signed by curl: right key -> 200 + message in the queue; wrong -> 403."""
    out = []
    p = peer.proxy
    st, text = curl_send(p.base, p.queue_url("events"), '{"id":"self-check"}')
    assert st == 200 and "MessageId" in text, (st, text)
    out.append(f"signed SendMessage -> {st} {text}")
    st, text = curl_send(p.base, p.queue_url("events.fifo"), '{"id":"self-check-fifo"}',
                         extra={"MessageGroupId": "g-1", "MessageDeduplicationId": "d-1"})
    assert st == 200 and "MessageId" in text, (st, text)
    st, text = curl_send(p.base, p.queue_url("events"), "x", secret="wrong")
    assert st == 403 and "SignatureDoesNotMatch" in text, (st, text)
    out.append(f"wrong secret (json errors) -> {st} {text}")
    st, text = curl_send(peer.proxy_xml.base, peer.proxy_xml.queue_url("events"), "x", secret="wrong")
    assert st == 403 and "<Code>SignatureDoesNotMatch</Code>" in text, (st, text)
    out.append(f"wrong secret (xml errors) -> {st} {text}")
    (m,) = peer.messages("events", lambda m: m["Body"] == '{"id":"self-check"}')
    (f,) = peer.messages("events.fifo", lambda m: m["Body"] == '{"id":"self-check-fifo"}')
    assert (f["Attributes"]["MessageGroupId"], f["Attributes"]["MessageDeduplicationId"]) == ("g-1", "d-1"), f
    out.append(f"received: {m['Body']} and {f['Body']} {f['Attributes']}")
    out.append("proxy verdicts: " + " ".join(r["verdict"] for r in p.requests()))
    return out


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        t0 = time.monotonic()
        peer = SqsPeer(d).start()
        try:
            print(f"ready in {time.monotonic() - t0:.2f}s: local-aws-sqs {peer.base}, proxy {peer.proxy.base}, "
                  f"proxy-xml {peer.proxy_xml.base}")
            for line in self_check(peer):
                print(line)
        finally:
            problems = peer.stop()
        if problems:
            sys.exit("; ".join(problems))
        print("self-check ok")
