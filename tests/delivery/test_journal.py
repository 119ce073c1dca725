"""The emulator's wire journal: GET /emulator/v1/deliveries, for webhook deliveries (SQS and STOMP
records are checked with their peers in test_sqs.py and test_stomp.py)."""
import json
import threading
import time

import pytest

from dsupport import emit, hook, job_for, logs, wait_logs
from receiver import ok, status
from support import body_json, errors_of

DELIVERIES = "/emulator/v1/deliveries"


def records(client, **params):
    return body_json(client.get(DELIVERIES, params=params), 200)


def test_a_record_per_attempt_with_what_went_over_the_wire(make_server, receiver):
    srv = make_server(schedule="0,0.1", extra=["--sign-webhooks"])
    c = srv.client()
    it = c.create(hook(receiver, "/j", secret="whsec_c2VjcmV0"))
    receiver.set("/j", status(503, b"busy"), ok(b"thanks"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    second, first = wait_logs(c, it["id"], job, 2)
    page = records(c)
    assert page["results"]["total"] == 2
    newer, older = page["data"]
    assert (newer["id"], older["id"]) == (second["id"], first["id"])     # the log id of each attempt
    for rec, n in ((older, 1), (newer, 2)):
        assert rec["type"] == "delivery" and rec["job_id"] == job and rec["integration_id"] == it["id"]
        assert rec["trigger"] == "order.fulfilled" and rec["attempt"] == n and rec["transport"] == "webhook"
        assert rec["request"]["method"] == "POST" and rec["request"]["url"] == receiver.url("/j")
        assert rec["duration_ms"] >= 0 and rec["meta"]["timestamps"]["started_at"].endswith("Z")
    sent = receiver.requests("/j")
    # the bytes sent, and the headers as sent (the signature included)
    assert older["request"]["body"] == sent[0].body.decode()
    assert json.loads(older["request"]["body"])["attempt"] == 1
    for name in ("Content-Type", "X-MOLTIN-INTEGRATION-TRIGGER", "X-MOLTIN-SECRET-KEY", "webhook-signature"):
        assert older["request"]["headers"][name] == sent[0].headers[name], name
    assert older["succeeded"] is False and older["response"]["status"] == 503
    assert older["response"]["body"] == "busy" and older["error_detail"] == first["error_detail"]
    assert newer["succeeded"] is True and newer["response"]["status"] == 200 and newer["error_detail"] == ""
    assert "Content-Length" in newer["response"]["headers"]


def test_no_answer_is_a_null_response(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    from receiver import closed_port
    it = c.create(hook(receiver, "/x"))
    it = c.put(f"/v2/integrations/{it['id']}", {"data": {"type": "integration", "configuration": {
        "url": f"http://127.0.0.1:{closed_port()}/gone"}}}).json()["data"]
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    (log,) = wait_logs(c, it["id"], job, 1)
    (rec,) = records(c)["data"]
    assert rec["response"] is None and rec["error_detail"] == log["error_detail"] != ""


def test_filters(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    a = c.create(hook(receiver, "/a", observes=["order.paid", "order.fulfilled"]))
    b = c.create(hook(receiver, "/b"))
    receiver.set("/b", status(500))
    ja = job_for(emit(c, "order.paid"), a["id"])
    event = emit(c, "order.fulfilled")
    jb = job_for(event, b["id"])
    wait_logs(c, a["id"], ja, 1)
    wait_logs(c, b["id"], jb, 1)
    wait_logs(c, a["id"], job_for(event, a["id"]), 1)
    assert records(c)["results"]["total"] == 3
    assert {r["job_id"] for r in records(c, integration_id=b["id"])["data"]} == {jb}
    assert [r["job_id"] for r in records(c, job_id=ja)["data"]] == [ja]
    assert [r["trigger"] for r in records(c, trigger="order.paid")["data"]] == ["order.paid"]
    assert [r["job_id"] for r in records(c, succeeded="false")["data"]] == [jb]
    assert records(c, succeeded="true")["results"]["total"] == 2
    assert records(c, integration_id=b["id"], succeeded="true")["data"] == []


def test_wait_returns_with_the_first_matching_record(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    it = c.create(hook(receiver, "/w"))
    receiver.set("/w", ok(delay=0.3))

    def later():
        time.sleep(0.2)
        emit(c, "order.fulfilled")
    threading.Thread(target=later).start()
    t0 = time.monotonic()
    page = records(c, integration_id=it["id"], wait="10")
    assert len(page["data"]) == 1 and page["data"][0]["succeeded"] is True
    assert time.monotonic() - t0 < 5


def test_wait_for_a_filter_nothing_matches_ends_empty(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    it = c.create(hook(receiver, "/w2"))
    emit(c, "order.fulfilled")
    t0 = time.monotonic()
    assert records(c, integration_id=it["id"], succeeded="false", wait="1")["data"] == []
    assert time.monotonic() - t0 >= 1


@pytest.mark.parametrize("params,source", [({"wait": "61"}, "wait"), ({"wait": "x"}, "wait"),
                                           ({"succeeded": "yes"}, "succeeded"), ({"trigger": "x" * 200}, "trigger")])
def test_bad_parameters(make_server, params, source):
    c = make_server().client()
    errs = errors_of(c.get(DELIVERIES, params=params), 400)
    assert [e["source"] for e in errs] == [source]


def test_records_are_per_store_and_go_with_a_reset(make_server, receiver):
    srv = make_server(schedule="0")
    mine, other = srv.client(), srv.client()
    it = mine.create(hook(receiver, "/m"))
    job = job_for(emit(mine, "order.fulfilled"), it["id"])
    wait_logs(mine, it["id"], job, 1)
    assert records(mine)["results"]["total"] == 1
    assert records(other)["results"]["total"] == 0
    assert mine.post("/emulator/v1/reset").status_code == 204
    assert records(mine)["results"]["total"] == 0
    assert logs(mine, "/v2/integrations/logs") == []


def test_a_long_answer_is_kept_up_to_64_kib(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    it = c.create(hook(receiver, "/big"))
    receiver.set("/big", ok(b"y" * (70 * 1024)))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    (log,) = wait_logs(c, it["id"], job, 1)
    assert len(log["body"]) == 4096                                   # the log keeps its own 4 KiB
    (rec,) = records(c)["data"]
    assert len(rec["response"]["body"]) == 64 * 1024 and rec["response"]["truncated"] is True
    assert "truncated" not in rec["request"]
