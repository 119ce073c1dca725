"""The console's access log: a line a request and a delivery attempt; --log-format; --quiet."""
import json
import re
import subprocess
import time

from support import BIN

LINE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) (\S+) (\d{3}) (\d+\.\d)ms request=([0-9a-f-]{36})"
                     r"(?: store=([0-9a-f-]{36}))?$")


def lines_after_listening(srv, want, timeout=5):
    """The lines printed after `listening on`, once at least `want` of them are there."""
    deadline = time.monotonic() + timeout
    while True:
        out = srv.stdout().splitlines()
        after = out[[i for i, l in enumerate(out) if l.startswith("listening on ")][0] + 1:]
        if len(after) >= want or time.monotonic() > deadline:
            return after
        time.sleep(0.05)


def test_a_text_line_a_request(make_server):
    srv = make_server()
    c = srv.client()
    r = c.get("/v2/integrations")
    srv.request("GET", "/nope")
    got = [LINE_RE.match(l) for l in lines_after_listening(srv, 3)]
    assert all(got), lines_after_listening(srv, 3)
    token, listed, missing = got[:3]
    assert (token[1], token[2], token[3]) == ("POST", "/oauth/access_token", "200")
    assert (listed[1], listed[2], listed[3]) == ("GET", "/v2/integrations", "200")
    assert listed[5] == r.headers["X-Moltin-Request-Id"]              # the id the client got
    assert listed[6] is not None                                     # the caller's store
    assert (missing[1], missing[2], missing[3], missing[6]) == ("GET", "/nope", "404", None)


def test_json_lines_and_a_delivery(make_server):
    srv = make_server(args=["--log-format", "json", "--retry-schedule", "0"])
    c = srv.client()
    it = c.create({"type": "integration", "integration_type": "webhook", "name": "to the sink", "enabled": True,
                   "configuration": {"url": srv.base + "/emulator/v1/sink/log"}, "observes": ["order.paid"]})
    c.post("/emulator/v1/events", {"data": {"type": "event", "trigger": "order.paid"}})
    deadline = time.monotonic() + 5
    while True:
        docs = [json.loads(l) for l in lines_after_listening(srv, 1)]
        deliveries = [d for d in docs if d.get("event") == "delivery"]
        if deliveries or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    requests = [d for d in docs if "method" in d]
    assert {"time", "method", "path", "status", "duration_ms", "request_id"} <= set(requests[0])
    create = [d for d in requests if d["path"] == "/v2/integrations"][0]
    assert create["method"] == "POST" and create["status"] == 201 and "store" in create
    (d,) = deliveries
    assert (d["trigger"], d["integration"], d["transport"], d["attempt"], d["outcome"]) == \
        ("order.paid", it["id"], "webhook", 1, "succeeded")


def test_quiet(make_server):
    srv = make_server(args=["--quiet"])
    srv.client().get("/v2/integrations")
    time.sleep(0.3)
    assert lines_after_listening(srv, 0, timeout=0) == []


def test_a_bad_log_format(tmp_path):
    p = subprocess.run([BIN, "--port", "0", "--db", str(tmp_path / "db"), "--log-format", "xml"],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "--log-format" in p.stderr and "text or json" in p.stderr, p.stderr
