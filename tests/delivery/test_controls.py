"""Emulator controls: POST /emulator/v1/reset, POST /emulator/v1/jobs/flush, --no-emulator."""
import json

import pytest

from dsupport import emit, hook, job_for, list_all, logs, wait_logs
from receiver import hang, ok, status
from support import body_json, errors_of, one_error

RESET = "/emulator/v1/reset"
FLUSH = "/emulator/v1/jobs/flush"


def total(client, path):
    return list_all(client, path)["results"]["total"]


# -- reset -----------------------------------------------------------------------------------
def test_reset_empties_the_store_and_keeps_its_token(make_server, receiver):
    srv = make_server(schedule="0,600")
    c = srv.client()
    it = c.create(hook(receiver, "/r"))
    receiver.set("/r", status(500))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    wait_logs(c, it["id"], job, 1)                           # a log, and the job pending its retry
    r = c.post(RESET)
    assert r.status_code == 204 and r.content == b"", r.text
    # the same token goes on working; everything of the store is gone
    assert total(c, "/v2/integrations") == 0
    assert total(c, "/v2/integrations/logs") == 0
    assert c.get(f"/v2/integrations/{it['id']}").status_code == 404
    assert c.get(f"/v2/integrations/{it['id']}/jobs").status_code == 404
    # the store is as new: the kept count starts again, events find no observer
    assert emit(c, "order.fulfilled")["jobs"] == []
    again = c.create(hook(receiver, "/r2"))
    assert total(c, "/v2/integrations") == 1 and again["id"] != it["id"]


def test_reset_leaves_other_stores_alone(make_server, receiver):
    srv = make_server(schedule="0")
    mine, other = srv.client(), srv.client()
    mine.create(hook(receiver, "/mine"))
    theirs = other.create(hook(receiver, "/theirs"))
    job = job_for(emit(other, "order.fulfilled"), theirs["id"])
    wait_logs(other, theirs["id"], job, 1)
    assert mine.post(RESET).status_code == 204
    assert total(mine, "/v2/integrations") == 0
    assert [i["id"] for i in list_all(other, "/v2/integrations")["data"]] == [theirs["id"]]
    assert [l["relationships"]["job"]["data"]["id"] for l in logs(other, "/v2/integrations/logs")] == [job]


def test_reset_during_an_attempt_leaves_no_log(make_server, receiver):
    # one worker: the outcome of the attempt under way is written before it takes the next job
    srv = make_server(schedule="0", timeout="5", extra=["--delivery-concurrency", "1"])
    c = srv.client()
    it = c.create(hook(receiver, "/slow"))
    receiver.set("/slow", hang())
    emit(c, "order.fulfilled")
    receiver.wait_for(1, "/slow")                            # the attempt is under way
    assert c.post(RESET).status_code == 204
    after = c.create(hook(receiver, "/after"))
    job = job_for(emit(c, "order.fulfilled"), after["id"])
    receiver.release()                                       # the attempt ends after the reset
    wait_logs(c, after["id"], job, 1)                        # so its outcome has been written
    assert [l["relationships"]["job"]["data"]["id"] for l in logs(c, "/v2/integrations/logs")] == [job]
    assert c.get(f"/v2/integrations/{it['id']}/logs").status_code == 404


def test_reset_keeps_the_list_pages_fresh(make_server, receiver):
    srv = make_server()
    c = srv.client()
    c.create(hook(receiver, "/a"))
    assert total(c, "/v2/integrations") == 1                 # a page kept in memory
    assert c.post(RESET).status_code == 204
    assert total(c, "/v2/integrations") == 0


# -- flush -----------------------------------------------------------------------------------
def test_flush_drives_a_job_through_every_attempt(make_server, receiver):
    # the real service's schedule: without flush the second attempt would come after 5 s
    srv = make_server(schedule="0,5,30,120,600,1800")
    c = srv.client()
    it = c.create(hook(receiver, "/down"))
    receiver.set("/down", *[status(503) for _ in range(6)])
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    for attempt in range(1, 7):
        wait_logs(c, it["id"], job, attempt)
        r = c.post(FLUSH)
        d = body_json(r, 202)["data"]
        assert d == {"type": "flush", "jobs": 1 if attempt < 6 else 0}, (attempt, d)
    got = receiver.wait_for(6, "/down")
    assert [req.json["attempt"] for req in got] == [1, 2, 3, 4, 5, 6]
    assert [l["attempt"] for l in logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs")] == [6, 5, 4, 3, 2, 1]


def test_flush_touches_only_the_callers_store(make_server, receiver):
    srv = make_server(schedule="0,600")
    mine, other = srv.client(), srv.client()
    a = mine.create(hook(receiver, "/mine"))
    b = other.create(hook(receiver, "/theirs"))
    receiver.set("/mine", status(500), status(500))
    receiver.set("/theirs", status(500), status(500))
    ja = job_for(emit(mine, "order.fulfilled"), a["id"])
    jb = job_for(emit(other, "order.fulfilled"), b["id"])
    wait_logs(mine, a["id"], ja, 1)
    wait_logs(other, b["id"], jb, 1)
    assert body_json(mine.post(FLUSH), 202)["data"]["jobs"] == 1
    wait_logs(mine, a["id"], ja, 2)
    assert len(logs(other, f"/v2/integrations/{b['id']}/jobs/{jb}/logs")) == 1
    assert body_json(other.post(FLUSH), 202)["data"]["jobs"] == 1


def test_flush_of_a_store_without_jobs(make_server):
    c = make_server().client()
    assert body_json(c.post(FLUSH), 202)["data"] == {"type": "flush", "jobs": 0}


# -- auth and --no-emulator ------------------------------------------------------------------
@pytest.mark.parametrize("path", [RESET, FLUSH])
def test_controls_need_a_client_credentials_token(make_server, path):
    srv = make_server()
    one_error(srv.request("POST", path), 401, "Unable to validate access token")
    implicit = srv.token(grant="implicit", secret=None)
    r = srv.request("POST", path, headers={"Authorization": f"Bearer {implicit}"})
    one_error(r, 403, "Forbidden")


@pytest.mark.parametrize("path", [RESET, FLUSH, "/emulator/v1/events"])
def test_no_emulator_answers_404(make_server, path):
    srv = make_server(extra=["--no-emulator"])
    c = srv.client()
    (e,) = errors_of(c.post(path, {"data": {"type": "event", "trigger": "order.paid"}}), 404)
    assert e["title"] == "Not Found"
    assert c.get("/v2/integrations").status_code == 200      # the real API is all there


def test_no_emulator_from_the_environment(make_server):
    srv = make_server(start=False)
    srv.env["INTEGRATIONSD_NO_EMULATOR"] = "1"
    srv.start()
    c = srv.client()
    errors_of(c.post(RESET), 404)


# -- the sink as the delivery target: the server delivers to itself -----------------------------
def test_delivery_to_the_built_in_sink(make_server):
    """The CI recipe: no receiver of one's own, the real retry schedule, flush and wait."""
    srv = make_server(schedule="0,5,30,120,600,1800")
    c = srv.client()
    sink = srv.base + "/emulator/v1/sink/ci-orders?fail_first=2&status=503"
    it = c.create({"type": "integration", "integration_type": "webhook", "name": "to the sink", "enabled": True,
                   "configuration": {"url": sink}, "observes": ["order.fulfilled"]})
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    for attempt in (1, 2):
        wait_logs(c, it["id"], job, attempt)
        assert body_json(c.post(FLUSH), 202)["data"]["jobs"] == 1
    (third, second, first) = wait_logs(c, it["id"], job, 3)
    assert (first["status_code"], second["status_code"], third["status_code"]) == (503, 503, 200)
    got = body_json(c.get("/emulator/v1/sinks/ci-orders/requests", params={"wait": "5"}), 200)["data"]
    assert [json.loads(r["body"])["attempt"] for r in got] == [3, 2, 1]
    assert all(json.loads(r["body"])["id"] == job for r in got)
    assert got[0]["headers"]["X-MOLTIN-INTEGRATION-TRIGGER"] == "order.fulfilled"


# -- resend ------------------------------------------------------------------------------------
def resend(client, job):
    return client.post(f"/emulator/v1/jobs/{job}/resend")


def test_resend_a_succeeded_job(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    it = c.create(hook(receiver, "/again"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    wait_logs(c, it["id"], job, 1)
    assert body_json(resend(c, job), 202)["data"] == {"type": "integration-job", "id": job, "attempt": 2}
    second, first = wait_logs(c, it["id"], job, 2)
    assert (first["attempt"], second["attempt"]) == (1, 2) and second["succeeded"] is True
    got = receiver.wait_for(2, "/again")
    assert [r.json["attempt"] for r in got] == [1, 2] and got[1].json["id"] == job
    (rec,) = body_json(c.get("/emulator/v1/deliveries", params={"job_id": job, "page[limit]": "1"}), 200)["data"]
    assert rec["attempt"] == 2 and rec["id"] == second["id"]


def test_resend_keeps_the_schedule(make_server, receiver):
    """A pending job keeps its scheduled retry: the resend is one more attempt beside it."""
    srv = make_server(schedule="0,600")
    c = srv.client()
    it = c.create(hook(receiver, "/sched"))
    receiver.set("/sched", status(500), status(500))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    wait_logs(c, it["id"], job, 1)
    assert body_json(resend(c, job), 202)["data"]["attempt"] == 2
    wait_logs(c, it["id"], job, 2)
    # the job is still pending its 600 s retry: flush makes it due, and it is attempt 3
    assert body_json(c.post(FLUSH), 202)["data"]["jobs"] == 1
    third, _, _ = wait_logs(c, it["id"], job, 3)
    assert third["attempt"] == 3


def test_resend_of_a_cancelled_job(make_server, receiver):
    srv = make_server(schedule="0,600")
    c = srv.client()
    it = c.create(hook(receiver, "/cancelled"))
    receiver.set("/cancelled", status(500), ok())
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    wait_logs(c, it["id"], job, 1)
    c.put(f"/v2/integrations/{it['id']}", {"data": {"type": "integration", "enabled": False}})
    assert body_json(resend(c, job), 202)["data"]["attempt"] == 2
    second, _ = wait_logs(c, it["id"], job, 2)
    assert second["succeeded"] is True
    assert body_json(c.post(FLUSH), 202)["data"]["jobs"] == 0        # still cancelled


def test_resend_errors(make_server, receiver):
    srv = make_server(schedule="0")
    c, other = srv.client(), srv.client()
    it = c.create(hook(receiver, "/gone"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    wait_logs(c, it["id"], job, 1)
    one_error(resend(other, job), 404, "Job not found")               # another store's job
    one_error(resend(c, "not-a-uuid"), 404, "Job not found")
    one_error(resend(c, "00000000-0000-4000-8000-000000000000"), 404, "Job not found")
    c.delete(f"/v2/integrations/{it['id']}")
    one_error(resend(c, job), 404, "Integration not found")
