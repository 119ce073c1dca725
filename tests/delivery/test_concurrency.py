"""A hanging receiver holds up neither the other deliveries nor the API."""
import collections
import time

from dsupport import emit, hook, job_for, list_all, logs, wait_logs, wait_until
from receiver import hang
from support import body_json


def test_a_slow_receiver_does_not_hold_up_the_others(make_server, receiver):
    srv = make_server(schedule="0", timeout="8")
    c = srv.client()
    slow = c.create(hook(receiver, "/slow", observes=["order.paid"]))
    fast = c.create(hook(receiver, "/fast", observes=["order.fulfilled"]))
    receiver.set("/slow", hang())
    slow_job = job_for(emit(c, "order.paid"), slow["id"])
    (stuck,) = receiver.wait_for(1, "/slow")
    fast_jobs = [job_for(emit(c, "order.fulfilled"), fast["id"]) for _ in range(3)]
    got = receiver.wait_for(3, "/fast", timeout=6)
    assert sorted(r.json["id"] for r in got) == sorted(fast_jobs)
    for j in fast_jobs:
        assert wait_logs(c, fast["id"], j, 1, timeout=6)[0]["succeeded"] is True
    # all of that happened while the slow delivery was still waiting for its answer
    assert not stuck.answered.is_set(), "the fast deliveries only came after the slow one ended"
    assert logs(c, f"/v2/integrations/{slow['id']}/jobs/{slow_job}/logs") == []
    receiver.release()
    (log,) = wait_logs(c, slow["id"], slow_job, 1)
    assert log["succeeded"] is True and log["body"] == "late"


def test_the_api_answers_while_a_delivery_hangs(make_server, receiver):
    srv = make_server(schedule="0", timeout="8")
    c = srv.client()
    it = c.create(hook(receiver, "/stuck"))
    receiver.set("/stuck", hang())
    emit(c, "order.fulfilled")
    (stuck,) = receiver.wait_for(1, "/stuck")
    other = srv.client()                                  # token endpoint
    made = other.create(hook(receiver, "/unused", enabled=False))
    assert [i["id"] for i in list_all(other, "/v2/integrations")["data"]] == [made["id"]]
    assert body_json(c.get(f"/v2/integrations/{it['id']}"), 200)["data"]["id"] == it["id"]
    assert list_all(c, "/v2/integrations/logs")["data"] == []
    ev = emit(c, "order.created")
    assert ev["jobs"] == []
    r = srv.request("GET", "/health")
    assert r.status_code == 200
    assert not stuck.answered.is_set(), "the API calls above only returned after the delivery ended"
    receiver.release()


def test_delivery_concurrency_caps_the_attempts_under_way(make_server, receiver):
    srv = make_server(schedule="0", timeout="8", extra=["--delivery-concurrency", "2"])
    c = srv.client()
    it = c.create(hook(receiver, "/capped"))
    receiver.set("/capped", hang())
    jobs = [job_for(emit(c, "order.fulfilled"), it["id"]) for _ in range(3)]
    receiver.wait_for(2, "/capped", timeout=5)
    time.sleep(0.6)
    assert len(receiver.requests("/capped")) == 2, "more attempts under way than --delivery-concurrency"
    receiver.release()
    got = receiver.wait_for(3, "/capped")
    assert sorted(r.json["id"] for r in got) == sorted(jobs)


def test_a_burst_of_events_is_delivered_exactly_once_each(make_server, receiver):
    srv = make_server(schedule="0,0.2", extra=["--delivery-concurrency", "8"])
    c = srv.client()
    a = c.create(hook(receiver, "/burst-a"))
    b = c.create(hook(receiver, "/burst-b"))
    jobs = []
    for _ in range(25):
        ev = emit(c, "order.fulfilled")
        jobs += [job_for(ev, a["id"]), job_for(ev, b["id"])]
    receiver.wait_for(25, "/burst-a")
    receiver.wait_for(25, "/burst-b")
    wait_until(lambda: list_all(c, "/v2/integrations/logs")["results"]["total"] >= 50, what="50 logs")
    time.sleep(0.5)
    got = receiver.requests("/burst-a") + receiver.requests("/burst-b")
    n = collections.Counter(r.json["id"] for r in got)
    assert sorted(n) == sorted(jobs)
    assert set(n.values()) == {1}, {j: k for j, k in n.items() if k != 1}
    assert {r.json["attempt"] for r in got} == {1}
    store_logs = list_all(c, "/v2/integrations/logs")
    assert store_logs["results"]["total"] == 50
    assert all(l["succeeded"] and l["attempt"] == 1 for l in store_logs["data"])
