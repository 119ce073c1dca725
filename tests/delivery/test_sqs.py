"""§7.2 AWS SQS delivery against a real SQS peer, through the API only.

The peer (tests/peers/sqs): local-aws-sqs from npm (pinned) on 127.0.0.1, behind a SigV4-verifying
proxy (Debian python3-botocore) that answers 403 SignatureDoesNotMatch to a bad signature. The
server under test is given the proxy's queue URL; messages are read back with ReceiveMessage
straight from local-aws-sqs. Needs: nodejs, npm, curl, python3-botocore (Debian python).
"""
import json
import os
import sys
import time
from datetime import datetime, timezone

import pytest

from dsupport import NON_2XX, check_log, emit, hook, is_uuid4, job_for, log_ms, logs, wait_logs
from receiver import closed_port
from support import TS_RE, body_json, mask

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers", "sqs"))
from sqs_peer import ACCESS_KEY, SECRET_KEY, SqsPeer, self_check  # noqa: E402

SCHEDULE = "0,0.3,0.6"
TIMEOUT = "5"
QUIET = 0.8
NON_2XX_SQS = "Received a status code outside of 2xx range - treating message as a fail"
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
CE_KEYS = ["specversion", "id", "type", "source", "time", "datacontenttype", "integrationid", "storeid", "data"]


@pytest.fixture(scope="session")
def sqs(tmp_path_factory):
    peer = SqsPeer(tmp_path_factory.mktemp("sqs-peer"))
    peer.start()
    yield peer
    problems = peer.stop()
    if problems:
        pytest.fail("SQS peer teardown: " + "; ".join(problems))


@pytest.fixture
def server(make_server):
    def make(extra=()):
        return make_server(schedule=SCHEDULE, timeout=TIMEOUT, extra=extra)
    return make


def sqs_integration(queue_url, secret=SECRET_KEY, access_key=ACCESS_KEY, region="us-east-1",
                    observes=("order.fulfilled",), name="To the queue"):
    return {"type": "integration", "integration_type": "aws_sqs", "name": name, "enabled": True,
            "configuration": {"url": queue_url, "aws_access_key_id": access_key,
                              "aws_secret_access_key": secret, "region": region},
            "observes": list(observes)}


def proxy_requests_for_job(proxy, job):
    """The proxy's log entries of SendMessage requests that carry the CloudEvent of `job`."""
    out = []
    for r in proxy.requests():
        try:
            body = json.loads(r["body"])
            if json.loads(body["MessageBody"])["id"] == job:
                out.append(r)
        except (ValueError, KeyError, TypeError):
            continue
    return out


def delivered(c, sqs, integration_id, job, queue="events"):
    """Wait for the job's first log; it must be a success; return (log, the message in `queue`)."""
    log = wait_logs(c, integration_id, job, 1)[-1]
    assert log["succeeded"] is True, f"attempt 1 failed: {log}"
    (msg,) = sqs.wait_job_message(job, queue=queue, timeout=5)
    return log, msg


def header(entry, name):
    vals = [v for k, v in entry["headers"] if k.lower() == name.lower()]
    assert len(vals) == 1, f"header {name}: {vals!r} in {entry['headers']}"
    return vals[0]


def iso_ms(ts):
    assert TS_RE.match(ts), f"not ISO 8601 UTC with ms: {ts!r}"
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


# -- the peer itself ---------------------------------------------------------------------------
def test_peer_checks_signatures_and_queues_messages(sqs):
    """The harness on its own (curl --aws-sigv4 signs): if this fails, the other failures are ours."""
    self_check(sqs)


# -- success -----------------------------------------------------------------------------------
def test_message_body_is_the_cloudevent(server, sqs, receiver):
    srv = server()
    c = srv.client()
    url = sqs.proxy.queue_url("events")
    it = c.create(sqs_integration(url))
    # a webhook of the same store tells us the store id the server uses
    c.create(hook(receiver, "/same-store"))
    payload = {"data": {"type": "order", "id": "ord-1", "status": "complete", "amount": 1250, "ratio": 0.25,
                        "paid": True, "note": None, "tags": ["a", "b"],
                        "customer": {"name": "Zoë «Ω» 日本 \"quoted\" \\ back", "email": "z@example.com"}},
               "meta": {"ignored": "by the CloudEvent"}}
    before = datetime.now(timezone.utc)
    ev = emit(c, "order.fulfilled", payload)
    job = job_for(ev, it["id"])
    _, msg = delivered(c, sqs, it["id"], job)
    ce = msg["json"]
    assert ce is not None, f"MessageBody is not JSON: {msg['Body'][:500]!r}"
    assert sorted(ce) == sorted(CE_KEYS), f"CloudEvent keys: {list(ce)}"
    assert ce["specversion"] == "1.0"
    assert ce["id"] == job
    assert ce["type"] == "order.fulfilled"
    assert ce["source"] == srv.base, f"source {ce['source']!r}: expected the server's base URL {srv.base!r}"
    t = iso_ms(ce["time"])
    assert abs((t - before).total_seconds()) < 60, (ce["time"], before)
    assert ce["datacontenttype"] == "application/json"
    assert ce["integrationid"] == it["id"]
    assert is_uuid4(ce["storeid"]), ce["storeid"]
    assert ce["data"] == payload["data"], "data must be payload.data itself"
    (hooked,) = receiver.wait_for(1, "/same-store")
    assert ce["storeid"] == hooked.json["store_id"], "storeid differs from the webhook's store_id"

    (log,) = wait_logs(c, it["id"], job, 1)
    check_log(log, it["id"], job)
    assert (log["attempt"], log["succeeded"], log["status_code"], log["error_detail"]) == (1, True, 200, ""), log
    answer = json.loads(log["body"])
    assert answer["MessageId"] == msg["MessageId"], (log["body"], msg["MessageId"])
    time.sleep(QUIET)        # success: no retry, no second message
    assert len(sqs.messages_for_job(job)) == 1
    assert len(logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs")) == 1


def test_send_message_request_on_the_wire(server, sqs):
    srv = server()
    c = srv.client()
    url = sqs.proxy.queue_url("events")
    it = c.create(sqs_integration(url))
    job = job_for(emit(c, "order.fulfilled", {"data": {"type": "order", "id": "ord-wire"}}), it["id"])
    wait_logs(c, it["id"], job, 1)
    (req,) = proxy_requests_for_job(sqs.proxy, job)
    assert req["verdict"] == "ok", f"the SigV4 proxy refused the signature: {req['verdict']}"
    assert req["method"] == "POST"
    assert req["path"] == "/", f"SendMessage must go to the endpoint root, not {req['path']!r}"
    assert "?" not in req["path"], "no query string"
    assert req["host"] == f"127.0.0.1:{sqs.proxy.port}"
    assert header(req, "X-Amz-Target") == "AmazonSQS.SendMessage"
    assert header(req, "Content-Type") == "application/x-amz-json-1.0"
    auth = req["auth"]
    assert (auth["access_key"], auth["region"], auth["service"]) == (ACCESS_KEY, "us-east-1", "sqs"), auth
    assert {"host", "x-amz-date"} <= set(auth["signed_headers"]), auth
    body = json.loads(req["body"])
    assert sorted(body) == ["MessageBody", "QueueUrl"], f"a standard queue gets no FIFO keys: {body}"
    assert body["QueueUrl"] == url, "QueueUrl must be configuration.url"
    log, msg = delivered(c, sqs, it["id"], job)
    assert body["MessageBody"] == msg["Body"]
    assert "MessageGroupId" not in msg["Attributes"], msg["Attributes"]
    assert log["body"] == req["answer"], (log, req["answer"])
    # the emulator's wire journal: the signed request as it went, the answer as it came
    (rec,) = c.get("/emulator/v1/deliveries", params={"job_id": job}).json()["data"]
    assert rec["transport"] == "sqs" and rec["succeeded"] is True and rec["id"] == log["id"]
    assert rec["request"]["method"] == "POST" and rec["request"]["url"] == f"http://127.0.0.1:{sqs.proxy.port}/"
    assert rec["request"]["body"] == req["body"]
    assert rec["request"]["headers"]["Authorization"] == header(req, "Authorization")
    assert rec["request"]["headers"]["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY)
    assert rec["request"]["headers"]["X-Amz-Target"] == "AmazonSQS.SendMessage"
    assert rec["response"]["status"] == 200 and rec["response"]["body"] == req["answer"]


def test_deleted_trigger_data_is_type_and_id(server, sqs):
    srv = server()
    c = srv.client()
    it = c.create(sqs_integration(sqs.proxy.queue_url("events"), observes=["customer.deleted", "product.deleted"]))
    job = job_for(emit(c, "customer.deleted", {"type": "customer", "id": "cus-9"}), it["id"])
    _, msg = delivered(c, sqs, it["id"], job)
    assert msg["json"]["type"] == "customer.deleted"
    assert msg["json"]["data"] == {"type": "customer", "id": "cus-9"}
    # without a payload the emulator's sample: still just {"type","id"}
    job2 = job_for(emit(c, "product.deleted"), it["id"])
    _, msg2 = delivered(c, sqs, it["id"], job2)
    data = msg2["json"]["data"]
    assert sorted(data) == ["id", "type"] and data["type"] == "product", data
    assert isinstance(data["id"], str) and data["id"], data


def test_public_url_is_the_source(server, sqs):
    srv = server(extra=["--public-url", "https://shop.example.test"])
    c = srv.client()
    it = c.create(sqs_integration(sqs.proxy.queue_url("events")))
    job = job_for(emit(c, "order.fulfilled", {"data": {"type": "order", "id": "o-src"}}), it["id"])
    _, msg = delivered(c, sqs, it["id"], job)
    assert msg["json"]["source"] == "https://shop.example.test"


def test_fifo_queue_gets_group_and_deduplication_ids(server, sqs):
    srv = server()
    c = srv.client()
    url = sqs.proxy.queue_url("events.fifo")
    it = c.create(sqs_integration(url, region="eu-west-1"))
    job = job_for(emit(c, "order.fulfilled", {"data": {"type": "order", "id": "o-fifo"}}), it["id"])
    wait_logs(c, it["id"], job, 1)
    (req,) = proxy_requests_for_job(sqs.proxy, job)
    body = json.loads(req["body"])
    assert (body["QueueUrl"], body.get("MessageGroupId"), body.get("MessageDeduplicationId")) == (url, it["id"], job), \
        f"SendMessage to a .fifo queue: {body}"
    assert req["auth"]["region"] == "eu-west-1", "SigV4 scope must use configuration.region"
    assert req["verdict"] == "ok", f"the SigV4 proxy refused the signature: {req['verdict']}"
    log, msg = delivered(c, sqs, it["id"], job, queue="events.fifo")
    assert log["status_code"] == 200, log
    a = msg["Attributes"]
    assert a.get("MessageGroupId") == it["id"], a
    assert a.get("MessageDeduplicationId") == job, a
    assert msg["json"]["id"] == job and msg["json"]["integrationid"] == it["id"]


# -- configuration -----------------------------------------------------------------------------
def test_keys_are_masked_but_delivery_uses_the_real_ones(server, sqs):
    srv = server()
    c = srv.client()
    url = sqs.proxy.queue_url("events")
    want_cfg = {"url": url, "aws_access_key_id": mask(ACCESS_KEY), "aws_secret_access_key": mask(SECRET_KEY),
                "region": "us-east-1"}
    assert want_cfg["aws_access_key_id"] == "*******MPLE"
    assert want_cfg["aws_secret_access_key"] == "*" * 36 + "EKEY"
    r = c.post("/v2/integrations", {"data": sqs_integration(url)})
    it = body_json(r, 201)["data"]
    assert it["integration_type"] == "aws_sqs"
    assert it["configuration"] == want_cfg
    assert body_json(c.get(f"/v2/integrations/{it['id']}"), 200)["data"]["configuration"] == want_cfg
    listed = [x for x in body_json(c.get("/v2/integrations"), 200)["data"] if x["id"] == it["id"]]
    assert [x["configuration"] for x in listed] == [want_cfg]
    # a partial update without configuration keeps the stored (real) keys
    r = c.put(f"/v2/integrations/{it['id']}", {"data": {"type": "integration", "name": "Renamed"}})
    assert body_json(r, 200)["data"]["configuration"] == want_cfg
    job = job_for(emit(c, "order.fulfilled", {"data": {"type": "order", "id": "o-mask"}}), it["id"])
    log = wait_logs(c, it["id"], job, 1)[-1]
    req = proxy_requests_for_job(sqs.proxy, job)[0]
    assert req["verdict"] == "ok", f"the SigV4 proxy refused the delivery: {req['verdict']} (masked key stored?)"
    assert req["auth"]["access_key"] == ACCESS_KEY, req["auth"]
    assert log["succeeded"] is True, log
    sqs.wait_job_message(job)
    for text in (json.dumps(log), json.dumps(logs(c, "/v2/integrations/logs"))):
        assert SECRET_KEY not in text, "a log shows the secret key"


# -- failures ----------------------------------------------------------------------------------
@pytest.mark.parametrize("style", ["json", "xml"])
def test_wrong_secret_is_a_failed_attempt_with_the_aws_error(server, sqs, style):
    proxy = sqs.proxy if style == "json" else sqs.proxy_xml
    srv = server()
    c = srv.client()
    url = proxy.queue_url("events")
    it = c.create(sqs_integration(url, secret="wJalrXUtnFEMI/K7MDENG+bPxRfiCYWRONGKEY"))
    job = job_for(emit(c, "order.fulfilled", {"data": {"type": "order", "id": "o-403"}}), it["id"])
    third, second, first = wait_logs(c, it["id"], job, 3)
    reqs = proxy_requests_for_job(proxy, job)
    assert [r["verdict"] for r in reqs] == ["SignatureDoesNotMatch"] * 3, [r["verdict"] for r in reqs]
    for n, (log, req) in enumerate(zip((first, second, third), reqs), 1):
        check_log(log, it["id"], job)
        assert (log["attempt"], log["succeeded"], log["status_code"]) == (n, False, 403), log
        assert log["body"] == req["answer"], f"log body must be the SQS answer: {log['body']!r}"
        assert log["error_detail"].startswith("SignatureDoesNotMatch"), log["error_detail"]
        assert MISMATCH in log["error_detail"], f"the AWS message is missing: {log['error_detail']!r}"
        assert log["error_detail"] != NON_2XX_SQS
    # retried per --retry-schedule 0,0.3,0.6, delays from the end of the previous attempt (a log's
    # time is its attempt's end, by the server's clock)
    assert log_ms(second) - log_ms(first) >= 300, (first, second)
    assert log_ms(third) - log_ms(second) >= 600, (second, third)
    time.sleep(QUIET)
    assert len(proxy_requests_for_job(proxy, job)) == 3, "an attempt after the schedule ran out"
    assert len(logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs")) == 3
    assert sqs.messages_for_job(job) == [], "a refused request reached the queue"


def test_unknown_queue_keeps_the_sqs_error(server, sqs):
    srv = server()
    c = srv.client()
    it = c.create(sqs_integration(sqs.proxy.queue_url("no-such-queue")))
    job = job_for(emit(c, "order.fulfilled", {"data": {"type": "order", "id": "o-400"}}), it["id"])
    logs3 = wait_logs(c, it["id"], job, 3)
    (req, *_) = proxy_requests_for_job(sqs.proxy, job)
    assert req["verdict"] == "ok", f"the SigV4 proxy refused the signature: {req['verdict']}"
    assert req["status"] == 400, req
    for log in logs3:
        check_log(log, it["id"], job)
        assert (log["succeeded"], log["status_code"]) == (False, 400), log
        assert log["body"] == req["answer"], log["body"]
        assert log["error_detail"] in ("QueueDoesNotExist: The specified queue does not exist.",
                                       "AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist."), \
            f"expected the AWS error code and message, got {log['error_detail']!r}"


def test_endpoint_down_is_a_transport_failure(server, sqs):
    srv = server()
    c = srv.client()
    it = c.create(sqs_integration(f"http://127.0.0.1:{closed_port()}/000000000000/events"))
    job = job_for(emit(c, "order.fulfilled", {"data": {"type": "order", "id": "o-down"}}), it["id"])
    got = wait_logs(c, it["id"], job, 3)
    assert [l["attempt"] for l in got] == [3, 2, 1]
    for log in got:
        check_log(log, it["id"], job)
        assert (log["succeeded"], log["status_code"], log["body"]) == (False, None, ""), log
        d = log["error_detail"]
        assert d.strip(), "a transport failure must say what went wrong"
        assert d not in (NON_2XX, NON_2XX_SQS) and "timed out" not in d, d
        assert "connect" in d.lower() or "refused" in d.lower(), f"not a useful connection error: {d!r}"
    time.sleep(QUIET)
    assert len(logs(c, f"/v2/integrations/{it['id']}/jobs/{job}/logs")) == 3
