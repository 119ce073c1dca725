"""Helpers of the delivery tests: events, integrations, logs, bounded waits."""
import re
import time
import uuid
from datetime import datetime, timezone

from support import TS_RE, UUID4_RE, body_json, run_binary

WAIT = 10.0
NON_2XX = "Received a status code outside of 2xx range - treating webhook as a fail"
LOG_KEYS = {"id", "type", "succeeded", "attempt", "processing_time", "body", "status_code",
            "error_detail", "relationships", "meta"}


def version():
    r = run_binary(["--version"])
    assert r.returncode == 0, r
    m = re.search(r"(\d+\.\d+\.\d+\S*)", r.stdout.decode())
    assert m, f"no version in {r.stdout!r}"
    return m.group(1)


def wait_until(fn, timeout=WAIT, interval=0.02, what="condition"):
    """Poll fn() until it returns something truthy; return that. Fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last={last!r}")
        time.sleep(interval)


def hook(receiver, path="/hook", observes=("order.fulfilled",), enabled=True, secret=None,
         name="Delivery hook", description="Sends events", **extra):
    cfg = {"url": receiver.url(path)}
    if secret is not None:
        cfg["secret_key"] = secret
    d = {"type": "integration", "integration_type": "webhook", "name": name, "enabled": enabled,
         "configuration": cfg, "observes": list(observes)}
    if description is not None:
        d["description"] = description
    d.update(extra)
    return d


def emit_response(client, trigger, payload=None, with_payload=True):
    data = {"type": "event", "trigger": trigger}
    if payload is not None or not with_payload:
        data["payload"] = payload
    return client.post("/emulator/v1/events", {"data": data})


def emit(client, trigger, payload=None):
    """Raise an event through the emulator; return its `data` (id, trigger, jobs)."""
    data = {"type": "event", "trigger": trigger}
    if payload is not None:
        data["payload"] = payload
    r = client.post("/emulator/v1/events", {"data": data})
    b = body_json(r, 202)
    d = b["data"]
    assert d["type"] == "event" and d["trigger"] == trigger, b
    assert UUID4_RE.match(d["id"]), b
    return d


def job_for(event, integration_id):
    ids = [j["id"] for j in event["jobs"] if j["integration_id"] == integration_id]
    assert len(ids) == 1, f"expected one job for {integration_id}: {event}"
    return ids[0]


def list_all(client, path):
    r = client.get(path, params={"page[limit]": "100"})
    return body_json(r, 200)


def logs(client, path):
    return list_all(client, path)["data"]


def job_logs(client, integration_id, job_id):
    return logs(client, f"/v2/integrations/{integration_id}/jobs/{job_id}/logs")


def wait_logs(client, integration_id, job_id, count, timeout=WAIT):
    """Wait until the job has at least `count` logs; return them (newest first)."""
    return wait_until(lambda: (lambda l: l if len(l) >= count else None)(job_logs(client, integration_id, job_id)),
                      timeout, 0.05, f"{count} log(s) of job {job_id}")


def check_log(log, integration_id, job_id):
    """Shape of one log object (§7)."""
    assert set(log) == LOG_KEYS, f"log keys: {sorted(log)}"
    assert log["type"] == "integration-log" and UUID4_RE.match(log["id"]), log
    assert type(log["succeeded"]) is bool, log
    assert type(log["attempt"]) is int and log["attempt"] >= 1, log
    assert type(log["processing_time"]) in (int, float) and log["processing_time"] >= 0, log
    assert isinstance(log["body"], str), log
    assert log["status_code"] is None or type(log["status_code"]) is int, log
    assert isinstance(log["error_detail"], str), log
    assert log["relationships"] == {
        "integration": {"data": {"type": "integration", "id": integration_id}},
        "job": {"data": {"type": "integration-job", "id": job_id}},
    }, log
    assert list(log["meta"]) == ["timestamps"] and list(log["meta"]["timestamps"]) == ["created_at"], log
    assert TS_RE.match(log["meta"]["timestamps"]["created_at"]), log


def log_ms(log):
    """A log's created_at (the end of its attempt, by the server's clock) as unix milliseconds."""
    stamp = datetime.strptime(log["meta"]["timestamps"]["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return round(stamp.replace(tzinfo=timezone.utc).timestamp() * 1000)


def is_uuid4(s):
    return isinstance(s, str) and UUID4_RE.match(s) is not None


def new_id():
    return str(uuid.uuid4())
