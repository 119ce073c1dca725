"""§7: which integrations get a job for an event."""
import time

from dsupport import emit, hook, job_for, list_all, logs, wait_logs
from support import body_json, one_error

QUIET = 0.6   # how long "nothing else arrives" is watched after the expected traffic


def test_disabled_integration_gets_nothing(make_server, receiver):
    srv = make_server()
    c = srv.client()
    off = c.create(hook(receiver, "/off", enabled=False))
    on = c.create(hook(receiver, "/on"))
    ev = emit(c, "order.fulfilled")
    assert [j["integration_id"] for j in ev["jobs"]] == [on["id"]]
    receiver.wait_for(1, "/on")
    time.sleep(QUIET)
    assert receiver.requests("/off") == []
    assert list_all(c, f"/v2/integrations/{off['id']}/jobs")["data"] == []
    assert logs(c, f"/v2/integrations/{off['id']}/logs") == []


def test_integration_of_another_store_gets_nothing(make_server, receiver):
    srv = make_server()
    a, b = srv.client(), srv.client()
    ia = a.create(hook(receiver, "/store-a"))
    ib = b.create(hook(receiver, "/store-b"))
    ev = emit(a, "order.fulfilled")
    assert [j["integration_id"] for j in ev["jobs"]] == [ia["id"]]
    job = ev["jobs"][0]["id"]
    receiver.wait_for(1, "/store-a")
    wait_logs(a, ia["id"], job, 1)
    time.sleep(QUIET)
    assert receiver.requests("/store-b") == []
    assert logs(b, "/v2/integrations/logs") == []
    assert list_all(b, f"/v2/integrations/{ib['id']}/jobs")["data"] == []
    # the other store cannot see a's integration, its jobs or its logs
    one_error(b.get(f"/v2/integrations/{ia['id']}/logs"), 404, "Integration not found")
    one_error(b.get(f"/v2/integrations/{ia['id']}/jobs"), 404, "Integration not found")
    one_error(b.get(f"/v2/integrations/{ia['id']}/jobs/{job}/logs"), 404, "Integration not found")
    # a's job seen through b's own integration is not a job of it
    one_error(b.get(f"/v2/integrations/{ib['id']}/jobs/{job}/logs"), 404, "Job not found")


def test_two_integrations_on_one_trigger_get_their_own_jobs(make_server, receiver):
    srv = make_server()
    c = srv.client()
    one = c.create(hook(receiver, "/one", name="one"))
    two = c.create(hook(receiver, "/two", name="two", observes=["order.created", "order.fulfilled"]))
    ev = emit(c, "order.fulfilled")
    j1, j2 = job_for(ev, one["id"]), job_for(ev, two["id"])
    assert j1 != j2
    (r1,) = receiver.wait_for(1, "/one")
    (r2,) = receiver.wait_for(1, "/two")
    assert r1.json["id"] == j1 and r1.json["integration"]["id"] == one["id"]
    assert r2.json["id"] == j2 and r2.json["integration"]["id"] == two["id"]
    assert r1.json["payload"] == r2.json["payload"], "one event, one payload"
    assert list_all(c, f"/v2/integrations/{one['id']}/jobs")["data"] == [{"id": j1, "type": "integration-job"}]
    assert list_all(c, f"/v2/integrations/{two['id']}/jobs")["data"] == [{"id": j2, "type": "integration-job"}]
    # the job of one integration is not found under the other
    one_error(c.get(f"/v2/integrations/{two['id']}/jobs/{j1}/logs"), 404, "Job not found")
    wait_logs(c, one["id"], j1, 1)
    wait_logs(c, two["id"], j2, 1)
    store = logs(c, "/v2/integrations/logs")
    assert sorted(l["relationships"]["job"]["data"]["id"] for l in store) == sorted([j1, j2])


def test_jobs_list_newest_first(make_server, receiver):
    srv = make_server()
    c = srv.client()
    it = c.create(hook(receiver, "/jobs"))
    ids = [job_for(emit(c, "order.fulfilled"), it["id"]) for _ in range(3)]
    b = list_all(c, f"/v2/integrations/{it['id']}/jobs")
    assert [j["id"] for j in b["data"]] == ids[::-1]
    assert b["results"]["total"] == 3 and b["meta"]["results"]["total"] == 3
    page = body_json(c.get(f"/v2/integrations/{it['id']}/jobs", params={"page[limit]": "2",
                                                                        "page[offset]": "2"}), 200)
    assert [j["id"] for j in page["data"]] == [ids[0]]


def test_integration_events_reach_their_observers(make_server, receiver):
    """A new integration observing integration.created receives its own creation; updates carry
    the document as GET returns it; a deleted integration does not receive its own deletion."""
    srv = make_server()
    c = srv.client()
    watcher = c.create(hook(receiver, "/watcher", observes=["integration.deleted"]))
    self_obs = c.create(hook(receiver, "/self", secret="topsecret",
                             observes=["integration.created", "integration.updated", "integration.deleted"]))

    (created,) = receiver.wait_for(1, "/self")
    assert created.json["triggered_by"] == "integration.created"
    assert created.json["payload"] == {"data": self_obs}
    assert created.json["payload"] == body_json(c.get(f"/v2/integrations/{self_obs['id']}"), 200)
    assert isinstance(created.json["resources"], str)

    r = c.put(f"/v2/integrations/{self_obs['id']}", {"data": {"type": "integration", "name": "renamed"}})
    updated_doc = body_json(r, 200)
    got = receiver.wait_for(2, "/self")
    assert got[1].json["triggered_by"] == "integration.updated"
    assert got[1].json["payload"] == updated_doc
    assert got[1].json["integration"]["name"] == "renamed"

    body_json(c.delete(f"/v2/integrations/{self_obs['id']}"), 200)
    (deleted,) = receiver.wait_for(1, "/watcher")
    assert deleted.json["triggered_by"] == "integration.deleted"
    assert deleted.json["payload"] == {"type": "integration", "id": self_obs["id"]}
    assert deleted.json["resources"] == {"type": "integration", "id": self_obs["id"]}
    time.sleep(QUIET)
    assert [q.json["triggered_by"] for q in receiver.requests("/self")] == \
        ["integration.created", "integration.updated"], "a deleted integration got its own deletion"
    # the watcher did not observe integration.created / updated
    assert [q.json["triggered_by"] for q in receiver.requests("/watcher")] == ["integration.deleted"]
    assert watcher["id"] != self_obs["id"]


def test_existing_observer_sees_later_creations_but_a_disabled_new_one_not_its_own(
        make_server, receiver):
    srv = make_server()
    c = srv.client()
    older = c.create(hook(receiver, "/older", observes=["integration.created"]))
    newer = c.create(hook(receiver, "/newer", observes=["integration.created"], enabled=False))
    own, other = receiver.wait_for(2, "/older")
    assert own.json["payload"]["data"]["id"] == older["id"]
    assert other.json["payload"]["data"]["id"] == newer["id"]
    time.sleep(QUIET)
    assert receiver.requests("/newer") == []
    assert len(receiver.requests("/older")) == 2


def test_observers_of_integration_updated_are_chosen_after_the_update(make_server, receiver):
    srv = make_server()
    c = srv.client()
    x = c.create(hook(receiver, "/x", observes=["integration.updated"]))
    path = f"/v2/integrations/{x['id']}"
    body_json(c.put(path, {"data": {"type": "integration", "enabled": False}}), 200)
    time.sleep(QUIET)
    assert receiver.requests("/x") == [], "an integration got the event of its own disabling"
    enabled_doc = body_json(c.put(path, {"data": {"type": "integration", "enabled": True}}), 200)
    (req,) = receiver.wait_for(1, "/x")
    assert req.json["triggered_by"] == "integration.updated"
    assert req.json["payload"] == enabled_doc and enabled_doc["data"]["enabled"] is True
    # an update that stops observing integration.updated is not delivered to it either
    body_json(c.put(path, {"data": {"type": "integration", "observes": ["order.paid"]}}), 200)
    time.sleep(QUIET)
    assert len(receiver.requests("/x")) == 1


def test_an_integrations_jobs_go_out_one_at_a_time_in_order(make_server, receiver):
    """The jobs of one integration are attempted one at a time, first due first: a receiver that
    answers within a quarter of a second gets its events in the order they happened, never two at
    once (a slower one gets them in parallel, up to --delivery-concurrency)."""
    from receiver import ok
    srv = make_server()
    c = srv.client()
    it = c.create(hook(receiver, "/slow"))
    receiver.set("/slow", *[ok(delay=0.1) for _ in range(5)])
    ids = [f"o{i}" for i in range(5)]
    for i in ids:
        emit(c, "order.fulfilled", {"data": {"type": "order", "id": i}})
    got = receiver.wait_for(5, "/slow")
    assert [r.json["payload"]["data"]["id"] for r in got] == ids
    for before, after in zip(got, got[1:]):  # each came once the one before had its answer
        assert after.time - before.time >= 0.09, [r.time for r in got]
