"""§7 attempts and logs: retries, failures of every kind, what a log records."""
import time

from dsupport import (NON_2XX, check_log, emit, hook, job_for, list_all, log_ms, logs, wait_logs)
from receiver import closed_port, hang, not_found, ok, redirect, status
from support import body_json

QUIET = 0.8


def test_500_then_200_retries_with_the_same_job_id(make_server, receiver):
    srv = make_server(schedule="0,0.2,0.4")
    c = srv.client()
    it = c.create(hook(receiver, "/flaky"))
    receiver.set("/flaky", status(500, b"boom"), ok(b"thanks"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    r1, r2 = receiver.wait_for(2, "/flaky")
    assert r1.json["id"] == r2.json["id"] == job
    assert (r1.json["attempt"], r2.json["attempt"]) == (1, 2)
    # apart from the attempt number the two bodies are the same delivery
    b1, b2 = dict(r1.json), dict(r2.json)
    b1.pop("attempt"), b2.pop("attempt")
    assert b1 == b2

    second, first = wait_logs(c, it["id"], job, 2)
    # the retry waits for its slot: the server's own times, not this test's clock, say so (a log's
    # time is its attempt's end; the next attempt starts no sooner than 0.2 s after it)
    assert log_ms(second) - log_ms(first) >= 200, (first, second)
    for log in (first, second):
        check_log(log, it["id"], job)
    assert (first["attempt"], first["succeeded"], first["status_code"], first["body"], first["error_detail"]) \
        == (1, False, 500, "boom", NON_2XX)
    assert (second["attempt"], second["succeeded"], second["status_code"], second["body"],
            second["error_detail"]) == (2, True, 200, "thanks", "")
    time.sleep(QUIET)      # the schedule has a third slot: a success must not use it
    assert len(receiver.requests("/flaky")) == 2
    assert len(logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs")) == 2
    # the same logs through the integration and the store lists, newest first
    assert [l["id"] for l in logs(c, f"/v2/integrations/{it['id']}/logs")] == [second["id"], first["id"]]
    assert [l["id"] for l in logs(c, "/v2/integrations/logs")] == [second["id"], first["id"]]
    assert list_all(c, f"/v2/integrations/{it['id']}/jobs")["data"] == [{"id": job, "type": "integration-job"}]


def test_404_until_the_schedule_runs_out(make_server, receiver):
    srv = make_server(schedule="0,0.1,0.1")
    c = srv.client()
    it = c.create(hook(receiver, "/missing"))
    receiver.set("/missing", not_found())
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    got = wait_logs(c, it["id"], job, 3)
    assert [l["attempt"] for l in got] == [3, 2, 1], "newest first"
    for log in got:
        check_log(log, it["id"], job)
        assert log["succeeded"] is False
        assert log["status_code"] == 404
        assert log["body"] == "Not found"
        assert log["error_detail"] == NON_2XX
    time.sleep(QUIET)
    reqs = receiver.requests("/missing")
    assert [r.json["attempt"] for r in reqs] == [1, 2, 3], "no attempt after the schedule ran out"
    assert {r.json["id"] for r in reqs} == {job}
    assert len(job_logs_now := logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs")) == 3, job_logs_now
    # §5 pagination of a logs list
    page = body_json(c.get(f"/v2/integrations/{it['id']}/jobs/{job}/logs",
                           params={"page[limit]": "2", "page[offset]": "2"}), 200)
    assert [l["attempt"] for l in page["data"]] == [1]
    assert page["results"]["total"] == 3 and page["meta"]["results"]["total"] == 3
    assert page["meta"]["page"] == {"limit": 2, "offset": 2, "current": 2, "total": 2}
    assert page["links"]["next"] is None and page["links"]["prev"] is not None


def test_single_attempt_schedule(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    it = c.create(hook(receiver, "/once"))
    receiver.set("/once", status(503, b"busy"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    (log,) = wait_logs(c, it["id"], job, 1)
    assert (log["attempt"], log["succeeded"], log["status_code"], log["body"]) == (1, False, 503, "busy")
    time.sleep(QUIET)
    assert len(receiver.requests("/once")) == 1


def test_any_2xx_is_a_success(make_server, receiver):
    srv = make_server(schedule="0,0.1")
    c = srv.client()
    it = c.create(hook(receiver, "/accepted"))
    receiver.set("/accepted", status(204, b""))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    (log,) = wait_logs(c, it["id"], job, 1)
    assert (log["succeeded"], log["status_code"], log["body"], log["error_detail"]) == (True, 204, "", "")
    time.sleep(QUIET)
    assert len(receiver.requests("/accepted")) == 1


def test_timeout(make_server, receiver):
    srv = make_server(schedule="0", timeout="1")
    c = srv.client()
    it = c.create(hook(receiver, "/slow"))
    receiver.set("/slow", hang())
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    receiver.wait_for(1, "/slow")
    (log,) = wait_logs(c, it["id"], job, 1)
    check_log(log, it["id"], job)
    assert log["succeeded"] is False
    assert log["status_code"] is None
    assert log["body"] == ""
    assert log["error_detail"] == "Request timed out after 1s"
    assert log["processing_time"] >= 0.5, log
    assert len(receiver.requests("/slow")) == 1


def test_connection_refused(make_server):
    srv = make_server(schedule="0,0.1")
    c = srv.client()
    cfg = {"url": f"http://127.0.0.1:{closed_port()}/nobody"}
    it = c.create({"type": "integration", "integration_type": "webhook", "name": "down", "enabled": True,
                   "configuration": cfg, "observes": ["order.fulfilled"]})
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    second, first = wait_logs(c, it["id"], job, 2)
    for log, n in ((first, 1), (second, 2)):
        check_log(log, it["id"], job)
        assert log["attempt"] == n and log["succeeded"] is False
        assert log["status_code"] is None and log["body"] == ""
        assert log["error_detail"].strip(), "a transport failure must say what went wrong"
        assert log["error_detail"] != NON_2XX and "timed out" not in log["error_detail"], log


def test_redirect_is_a_failure_and_not_followed(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    it = c.create(hook(receiver, "/moved"))
    receiver.set("/moved", redirect(receiver.url("/landing")))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    (log,) = wait_logs(c, it["id"], job, 1)
    assert (log["succeeded"], log["status_code"], log["error_detail"]) == (False, 302, NON_2XX)
    assert log["body"] == "moved"
    time.sleep(QUIET)
    assert receiver.requests("/landing") == [], "the redirect was followed"
    assert len(receiver.requests("/moved")) == 1


def test_large_response_body_is_cut_to_4096_bytes(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    it = c.create(hook(receiver, "/big", observes=["order.fulfilled"]))
    it2 = c.create(hook(receiver, "/big-utf8", observes=["order.fulfilled"]))
    receiver.set("/big", status(500, b"x" * 20000))
    receiver.set("/big-utf8", ok("€".encode() * 3000))     # 3-byte characters: 4096 falls inside one
    ev = emit(c, "order.fulfilled")
    (log,) = wait_logs(c, it["id"], job_for(ev, it["id"]), 1)
    assert log["body"] == "x" * 4096
    assert log["status_code"] == 500
    (log2,) = wait_logs(c, it2["id"], job_for(ev, it2["id"]), 1)
    assert log2["succeeded"] is True
    assert log2["body"] == "€" * 1365, f"cut at a UTF-8 boundary: {len(log2['body'].encode())} bytes"


def test_non_utf8_response_body_is_logged_as_valid_utf8(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    it = c.create(hook(receiver, "/bytes"))
    receiver.set("/bytes", status(500, b"bad \xff\xfe\xc3( nul\x00 end"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    wait_logs(c, it["id"], job, 1)
    r = c.get(f"/v2/integrations/{it['id']}/jobs/{job}/logs")
    r.content.decode("utf-8")    # strict: the answer itself is valid UTF-8
    (log,) = body_json(r, 200)["data"]
    assert log["status_code"] == 500 and log["error_detail"] == NON_2XX
    assert log["body"].startswith("bad ") and log["body"].endswith(" end"), log["body"]
    assert "\x00" not in log["body"]
    assert len(log["body"].encode()) <= 4096


def test_retry_delay_counts_from_the_end_of_the_previous_attempt(make_server, receiver):
    srv = make_server(schedule="0,0.5", timeout="1")
    c = srv.client()
    it = c.create(hook(receiver, "/late-retry"))
    receiver.set("/late-retry", hang(), ok())
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    receiver.wait_for(2, "/late-retry")
    second, first = wait_logs(c, it["id"], job, 2)
    assert first["error_detail"] == "Request timed out after 1s" and second["succeeded"] is True
    # attempt 1 ends by timing out after 1 s; attempt 2 starts 0.5 s after that end (a log's time
    # is its attempt's end, by the server's clock)
    assert log_ms(second) - log_ms(first) >= 500, (first, second)


def test_tls_to_a_plain_http_peer_fails_without_status(make_server, receiver):
    srv = make_server(schedule="0")
    c = srv.client()
    url = receiver.url("/tls").replace("http://", "https://")
    it = c.create({"type": "integration", "integration_type": "webhook", "name": "tls", "enabled": True,
                   "configuration": {"url": url}, "observes": ["order.fulfilled"]})
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    (log,) = wait_logs(c, it["id"], job, 1)
    assert log["succeeded"] is False and log["status_code"] is None and log["body"] == ""
    assert log["error_detail"].strip() and log["error_detail"] != NON_2XX, log


def test_first_attempt_waits_for_the_first_slot(make_server, receiver):
    # a first slot far longer than the test: the job is there and pending, not attempted
    srv = make_server(schedule="600,0.2")
    c = srv.client()
    it = c.create(hook(receiver, "/first-slot"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    time.sleep(QUIET)  # what a server that skipped the slot would have sent by now
    assert list_all(c, f"/v2/integrations/{it['id']}/jobs")["data"] == [{"id": job, "type": "integration-job"}]
    assert logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs") == []
    assert receiver.requests("/first-slot") == []
