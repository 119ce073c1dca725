"""§7: disabling or deleting an integration stops its pending jobs for good."""
import time

from dsupport import emit, hook, job_for, logs, wait_logs
from receiver import status
from support import body_json

SCHEDULE = "0," + ",".join(["0.3"] * 15)   # 16 attempts, one every 0.3 s
WATCH = 1.5                                 # five retry slots


def attempts_of(receiver, path, job):
    return [r.json["attempt"] for r in receiver.requests(path) if r.json and r.json["id"] == job]


def test_disable_stops_pending_retries_and_reenable_does_not_revive(make_server, receiver):
    srv = make_server(schedule=SCHEDULE)
    c = srv.client()
    it = c.create(hook(receiver, "/failing"))
    receiver.set("/failing", status(500, b"no"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    receiver.wait_for(2, "/failing")
    body_json(c.put(f"/v2/integrations/{it['id']}", {"data": {"type": "integration", "enabled": False}}), 200)
    seen = len(attempts_of(receiver, "/failing", job))
    time.sleep(WATCH)
    after = attempts_of(receiver, "/failing", job)
    # an attempt already on the wire when the PUT was answered may still land, nothing more
    assert len(after) <= seen + 1, f"attempts went on after disabling: {seen} at disable, now {after}"

    body_json(c.put(f"/v2/integrations/{it['id']}", {"data": {"type": "integration", "enabled": True}}), 200)
    time.sleep(WATCH)
    revived = attempts_of(receiver, "/failing", job)
    assert revived == after, f"re-enabling revived the cancelled job: {after} -> {revived}"
    assert len(logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs")) == len(after)

    # new events go through again
    receiver.set("/failing", status(200, b"ok"))
    job2 = job_for(emit(c, "order.fulfilled"), it["id"])
    (log,) = wait_logs(c, it["id"], job2, 1)
    assert log["succeeded"] is True
    assert attempts_of(receiver, "/failing", job) == after


def test_disable_before_the_first_attempt_stops_the_job(make_server, receiver):
    srv = make_server(schedule="0.8,0.3")      # the first attempt waits 0.8 s
    c = srv.client()
    it = c.create(hook(receiver, "/late"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    body_json(c.put(f"/v2/integrations/{it['id']}", {"data": {"type": "integration", "enabled": False}}), 200)
    time.sleep(1.5)
    assert receiver.requests("/late") == [], "a job of a disabled integration was delivered"
    assert logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs") == []


def test_delete_stops_pending_retries(make_server, receiver):
    srv = make_server(schedule=SCHEDULE)
    c = srv.client()
    it = c.create(hook(receiver, "/doomed"))
    keep = c.create(hook(receiver, "/kept"))
    receiver.set("/doomed", status(500, b"no"))
    receiver.set("/kept", status(500, b"no"))
    ev = emit(c, "order.fulfilled")
    job, kept_job = job_for(ev, it["id"]), job_for(ev, keep["id"])
    receiver.wait_for(2, "/doomed")
    body_json(c.delete(f"/v2/integrations/{it['id']}"), 200)
    seen = len(attempts_of(receiver, "/doomed", job))
    kept_seen = len(attempts_of(receiver, "/kept", kept_job))
    time.sleep(WATCH)
    after = attempts_of(receiver, "/doomed", job)
    assert len(after) <= seen + 1, f"attempts went on after deleting: {seen} at delete, now {after}"
    # the other integration's job keeps retrying: the cancel is per integration
    assert len(attempts_of(receiver, "/kept", kept_job)) >= kept_seen + 2
