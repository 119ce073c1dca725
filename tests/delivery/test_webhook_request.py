"""§7.1: what one webhook request looks like on the wire (headers and body)."""
import json

from dsupport import (emit, emit_response, hook, is_uuid4, job_for, version, wait_logs)
from support import assert_validation, one_error

SIGNING_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def single(headers, name):
    values = headers.get_all(name) or []
    assert len(values) == 1, f"header {name}: {values!r} (expected exactly one)"
    return values[0]


def test_headers_with_secret_key(make_server, receiver):
    srv = make_server()
    c = srv.client()
    it = c.create(hook(receiver, "/orders?src=integrationsd", secret="s3cr3t-Value_42"))
    ev = emit(c, "order.fulfilled", {"data": {"type": "order", "id": "o-1"}})
    job = job_for(ev, it["id"])
    (req,) = receiver.wait_for(1, "/orders?src=integrationsd")
    assert req.method == "POST"
    h = req.headers
    assert single(h, "Content-Type") == "application/json"
    assert single(h, "X-MOLTIN-INTEGRATION-TRIGGER") == "order.fulfilled"
    assert single(h, "X-MOLTIN-SECRET-KEY") == "s3cr3t-Value_42"
    assert single(h, "User-Agent") == f"integrationsd/{version()}"
    assert int(single(h, "Content-Length")) == len(req.body)
    for name in SIGNING_HEADERS:     # no --sign-webhooks: never signed
        assert h.get(name) is None, f"unexpected {name}: {h.get(name)}"
    assert req.json["id"] == job
    (log,) = wait_logs(c, it["id"], job, 1)
    assert log["succeeded"] is True and log["status_code"] == 200 and log["body"] == "ok"
    assert log["error_detail"] == ""


def test_no_secret_header_without_secret_key(make_server, receiver):
    srv = make_server()
    c = srv.client()
    c.create(hook(receiver, "/plain", observes=["cart.updated"]))
    emit(c, "cart.updated")
    (req,) = receiver.wait_for(1, "/plain")
    assert req.headers.get("X-MOLTIN-SECRET-KEY") is None, dict(req.headers)
    assert single(req.headers, "X-MOLTIN-INTEGRATION-TRIGGER") == "cart.updated"
    assert single(req.headers, "Content-Type") == "application/json"
    assert "secret_key" not in req.json["configuration"]
    assert req.json["configuration"] == {"url": receiver.url("/plain")}


def test_body_of_a_normal_trigger(make_server, receiver):
    srv = make_server()
    c = srv.client()
    it = c.create(hook(receiver, "/body", secret="abcdefghij", name="Ship it", description="Shipping mail"))
    payload = {"data": {"type": "order", "id": "8f1c", "status": "complete", "amount": 10000,
                        "ratio": 0.5, "paid": True, "note": None, "tags": ["a", "b"],
                        "customer": {"name": "Zoë «Ω» 日本", "email": "z@example.com"}}}
    ev = emit(c, "order.fulfilled", payload)
    job = job_for(ev, it["id"])
    (req,) = receiver.wait_for(1, "/body")
    b = req.json
    assert b is not None, f"body is not JSON: {req.body[:500]!r}"
    assert set(b) == {"id", "triggered_by", "attempt", "integration", "resources", "payload",
                      "configuration", "store_id"}, sorted(b)
    assert b["id"] == job
    assert b["triggered_by"] == "order.fulfilled"
    assert type(b["attempt"]) is int and b["attempt"] == 1
    assert b["integration"] == {"id": it["id"], "integration_type": "webhook", "name": "Ship it",
                                "description": "Shipping mail"}
    assert isinstance(b["resources"], str), f"resources must be a string: {b['resources']!r}"
    assert json.loads(b["resources"]) == payload
    assert b["payload"] == payload
    assert b["configuration"] == {"url": receiver.url("/body"), "secret_key": "abcdefghij"}
    assert is_uuid4(b["store_id"]), b["store_id"]


def test_store_id_is_stable_per_store_and_differs_between_stores(make_server, receiver):
    srv = make_server()
    a, b = srv.client(), srv.client()
    a.create(hook(receiver, "/a"))
    b.create(hook(receiver, "/b"))
    emit(a, "order.fulfilled")
    emit(a, "order.fulfilled")
    emit(b, "order.fulfilled")
    ra = receiver.wait_for(2, "/a")
    (rb,) = receiver.wait_for(1, "/b")
    assert ra[0].json["store_id"] == ra[1].json["store_id"]
    assert is_uuid4(ra[0].json["store_id"]) and is_uuid4(rb.json["store_id"])
    assert ra[0].json["store_id"] != rb.json["store_id"]
    assert ra[0].json["id"] != ra[1].json["id"], "two events, two jobs"


def test_description_null_when_not_set(make_server, receiver):
    srv = make_server()
    c = srv.client()
    it = c.create(hook(receiver, "/nodesc", description=None))
    emit(c, "order.fulfilled")
    (req,) = receiver.wait_for(1, "/nodesc")
    assert req.json["integration"] == {"id": it["id"], "integration_type": "webhook",
                                       "name": "Delivery hook", "description": None}


def test_body_of_a_deleted_trigger(make_server, receiver):
    srv = make_server()
    c = srv.client()
    it = c.create(hook(receiver, "/del", observes=["product.deleted"]))
    payload = {"type": "product", "id": "5b9c-gone"}
    ev = emit(c, "product.deleted", payload)
    job = job_for(ev, it["id"])
    (req,) = receiver.wait_for(1, "/del")
    b = req.json
    assert b["id"] == job and b["triggered_by"] == "product.deleted" and b["attempt"] == 1
    assert b["payload"] == payload
    assert b["resources"] == payload, f"resources of a deletion is the object itself: {b['resources']!r}"
    assert single(req.headers, "X-MOLTIN-INTEGRATION-TRIGGER") == "product.deleted"


def test_emulator_answer_shape(make_server, receiver):
    srv = make_server()
    c = srv.client()
    one = c.create(hook(receiver, "/one"))
    two = c.create(hook(receiver, "/two", observes=["order.paid", "order.fulfilled"]))
    r = emit_response(c, "order.fulfilled")
    assert r.status_code == 202, r.text
    b = r.json()
    assert list(b) == ["data"] and set(b["data"]) == {"type", "id", "trigger", "jobs"}, b
    jobs = b["data"]["jobs"]
    assert sorted(j["integration_id"] for j in jobs) == sorted([one["id"], two["id"]])
    for j in jobs:
        assert set(j) == {"type", "id", "integration_id"} and j["type"] == "integration-job", j
        assert is_uuid4(j["id"]), j
    assert jobs[0]["id"] != jobs[1]["id"]


def test_event_nobody_observes_has_no_jobs(make_server, receiver):
    srv = make_server()
    c = srv.client()
    c.create(hook(receiver, "/x", observes=["order.paid"]))
    ev = emit(c, "order.created")
    assert ev["jobs"] == []


def test_sample_payload_for_a_normal_trigger(make_server, receiver):
    srv = make_server()
    c = srv.client()
    c.create(hook(receiver, "/sample"))
    emit(c, "order.fulfilled")
    (req,) = receiver.wait_for(1, "/sample")
    p = req.json["payload"]
    assert list(p) == ["data"], p
    assert p["data"]["type"] == "order" and is_uuid4(p["data"]["id"]), p
    assert isinstance(req.json["resources"], str) and json.loads(req.json["resources"]) == p


def test_sample_payload_for_a_deleted_trigger(make_server, receiver):
    srv = make_server()
    c = srv.client()
    c.create(hook(receiver, "/sample-del", observes=["customer.deleted"]))
    emit(c, "customer.deleted")
    (req,) = receiver.wait_for(1, "/sample-del")
    p = req.json["payload"]
    assert set(p) == {"type", "id"} and p["type"] == "customer" and is_uuid4(p["id"]), p
    assert req.json["resources"] == p


def test_sample_payloads_differ_per_event(make_server, receiver):
    srv = make_server()
    c = srv.client()
    c.create(hook(receiver, "/s2", observes=["product.created"]))
    emit(c, "product.created")
    emit(c, "product.created")
    r1, r2 = receiver.wait_for(2, "/s2")
    assert r1.json["payload"]["data"]["type"] == "product"
    assert r1.json["payload"]["data"]["id"] != r2.json["payload"]["data"]["id"]


def test_unknown_trigger_is_rejected(make_server):
    srv = make_server()
    c = srv.client()
    assert_validation(emit_response(c, "order.exploded"),
                      [('No enum match for: "order.exploded"', "data.trigger")])


def test_emulator_needs_a_token(make_server):
    srv = make_server()
    r = srv.request("POST", "/emulator/v1/events",
                    json={"data": {"type": "event", "trigger": "order.fulfilled"}})
    one_error(r, 401)


def test_custom_api_entry_trigger(make_server, receiver):
    srv = make_server()
    c = srv.client()
    it = c.create(hook(receiver, "/ext", observes=["wishlist_ext.created"]))
    ev = emit(c, "wishlist_ext.created", {"data": {"type": "wishlist_ext", "id": "w1"}})
    job = job_for(ev, it["id"])
    (req,) = receiver.wait_for(1, "/ext")
    assert req.json["id"] == job and req.json["triggered_by"] == "wishlist_ext.created"


def test_emulator_validation_reports_every_problem(make_server):
    srv = make_server()
    c = srv.client()
    r = c.post("/emulator/v1/events", {"data": {"type": "evt"}})
    assert_validation(r, [('No enum match for: "evt"', "data.type"),
                          ("Missing required property: trigger", "data.trigger")])
    r = c.post("/emulator/v1/events", {"data": {"type": "event", "trigger": "order.paid", "payload": "x"}})
    assert_validation(r, [("Invalid type: string (expected object)", "data.payload")])
    r = c.post("/emulator/v1/events", {"nodata": 1})
    assert_validation(r, [("Missing required property: data", "data")])


def test_long_secret_key_is_sent_whole(make_server, receiver):
    """§7.1 `X-MOLTIN-SECRET-KEY: <secret_key>`: a long (but accepted) secret must not be cut."""
    secret = "k" * 1500
    srv = make_server(extra=["--max-text-length", "2000"])
    c = srv.client()
    c.create(hook(receiver, "/long-secret", secret=secret))
    emit(c, "order.fulfilled")
    (req,) = receiver.wait_for(1, "/long-secret")
    assert req.json["configuration"]["secret_key"] == secret
    got = single(req.headers, "X-MOLTIN-SECRET-KEY")
    assert got == secret, f"X-MOLTIN-SECRET-KEY has {len(got)} of {len(secret)} characters"


def test_secret_key_cannot_inject_headers(make_server, receiver):
    """A secret_key with CR LF must be refused at create (400 on data.configuration.secret_key)
    or at least never split into extra request headers on delivery."""
    srv = make_server()
    c = srv.client()
    evil = "abc\r\nX-Injected: yes"
    r = c.post("/v2/integrations", {"data": hook(receiver, "/inject", secret=evil)})
    if r.status_code == 400:
        errs = r.json()["errors"]
        assert [e.get("source") for e in errs] == ["data.configuration.secret_key"], errs
        return
    assert r.status_code == 201, r.text
    emit(c, "order.fulfilled")
    (req,) = receiver.wait_for(1, "/inject")
    assert req.headers.get("X-Injected") is None, \
        f"secret_key split into request headers: {dict(req.headers)}"
