"""§3 the integration resource and §4.1 create (validation rows as data, §6 events)."""
import json
import time

import pytest

from cases import (CREATE_CASES, CREATE_OK_CASES, EVENT_LIMIT, MASKED_KEYS, INVALID_EVENTS, STOMP_DEFAULT_PORTS, VALID_CONFIGS,
                   VALID_EVENTS, ENUM, body)
from support import (RESOURCE_KEYS, TS_RE, UUID4_RE, assert_validation, body_json, mask,
                     one_error, valid_data)

BASE = "/v2/integrations"

SEED = {
    "data": {
        "id": "8cb9e689-ede7-4f6d-b61a-6aa970d572dd",
        "type": "integration",
        "integration_type": "webhook",
        "name": "Order shipping notification",
        "description": "Send a shipping notification via email with discount code.",
        "enabled": True,
        "configuration": {"url": "https://yourwebsite.com/order-created-notification"},
        "observes": ["order.fulfilled"],
        "links": {"self": "http://127.0.0.1:8080/v2/integrations/8cb9e689-ede7-4f6d-b61a-6aa970d572dd"},
        "meta": {"timestamps": {"created_at": "2018-04-30T09:35:32.202Z",
                                "updated_at": "2018-04-30T09:35:32.202Z"}},
    }
}


def assert_resource(d, server=None):
    assert list(d.keys()) == RESOURCE_KEYS, f"key order {list(d.keys())}"
    assert UUID4_RE.match(d["id"]), d["id"]
    assert d["type"] == "integration"
    assert d["integration_type"] in ("webhook", "aws_sqs", "stomp")
    assert isinstance(d["name"], str) and d["name"]
    assert d["description"] is None or isinstance(d["description"], str)
    assert type(d["enabled"]) is bool
    assert isinstance(d["configuration"], dict)
    assert isinstance(d["observes"], list) and 1 <= len(d["observes"]) <= 5
    assert list(d["links"].keys()) == ["self"]
    if server is not None:
        assert d["links"]["self"] == f"{server.base}/v2/integrations/{d['id']}"
    assert list(d["meta"].keys()) == ["timestamps"]
    assert TS_RE.match(d["meta"]["timestamps"]["created_at"])
    assert TS_RE.match(d["meta"]["timestamps"]["updated_at"])


# --- §3 resource shape -------------------------------------------------------------------------

def test_seed_example_from_spec(server, client):
    t0 = time.time()
    r = client.post(BASE, SEED)
    b = body_json(r, 201)
    assert list(b.keys()) == ["data"]
    d = b["data"]
    assert_resource(d, server)
    assert d["id"] != SEED["data"]["id"], "id in the body must be ignored"
    for k in ("type", "integration_type", "name", "description", "enabled", "configuration", "observes"):
        assert d[k] == SEED["data"][k], k
    assert d["meta"]["timestamps"]["created_at"] != "2018-04-30T09:35:32.202Z"
    assert d["meta"]["timestamps"]["created_at"][:4] == time.strftime("%Y", time.gmtime(t0))
    got = body_json(client.get(f"{BASE}/{d['id']}"), 200)
    assert list(got.keys()) == ["data"] and got["data"] == d


def test_defaults_description_null_enabled_false(server, client):
    data = valid_data()
    del data["description"]
    del data["enabled"]
    d = client.create(data)
    assert_resource(d, server)
    assert d["description"] is None and d["enabled"] is False
    g = client.get(f"{BASE}/{d['id']}").json()["data"]
    assert g["description"] is None and g["enabled"] is False
    assert list(g.keys()) == RESOURCE_KEYS


def test_description_null_and_enabled_true_accepted(client):
    d = client.create(valid_data(description=None, enabled=True))
    assert d["description"] is None and d["enabled"] is True


def test_ignored_keys_in_data(server, client):
    data = valid_data(id="00000000-0000-4000-8000-000000000000", links={"self": "http://evil/"},
                      meta={"timestamps": {"created_at": "1999-01-01T00:00:00.000Z"}},
                      attributes={"name": "x"}, relationships={}, foo="bar")
    d = client.create(data)
    assert_resource(d, server)
    assert d["id"] != data["id"]
    assert d["links"]["self"] == f"{server.base}/v2/integrations/{d['id']}"
    assert not d["meta"]["timestamps"]["created_at"].startswith("1999")
    assert body_json(client.get(f"{BASE}/{data['id']}"), 404)


def test_unknown_top_level_keys_ignored(client):
    r = client.post(BASE, {"data": valid_data(), "included": [], "meta": {"x": 1}})
    assert_resource(body_json(r, 201)["data"])


@pytest.mark.parametrize("cid,itype,config,expected", VALID_CONFIGS, ids=[v[0] for v in VALID_CONFIGS])
def test_valid_configuration_examples(server, client, cid, itype, config, expected):
    r = client.post(BASE, {"data": valid_data(integration_type=itype, configuration=config)})
    d = body_json(r, 201)["data"]
    assert_resource(d, server)
    assert d["integration_type"] == itype

    def check(conf):
        conf = dict(conf)
        exp = dict(expected)
        assert list(conf.keys()) == list(exp.keys()), f"configuration keys {list(conf)} != {list(exp)}"
        if itype == "stomp":
            # the default port may or may not be written out; nothing else may change
            got_addr = conf.pop("addresses")
            exp_addr = exp.pop("addresses")
            assert len(got_addr) == len(exp_addr)
            for g, e in zip(got_addr, exp_addr):
                scheme = e.split("://")[0]
                with_port = e if e.rsplit(":", 1)[-1].isdigit() else f"{e}:{STOMP_DEFAULT_PORTS[scheme]}"
                assert g in (e, with_port), f"{g!r} vs {e!r}"
        assert conf == exp

    check(d["configuration"])
    check(body_json(client.get(f"{BASE}/{d['id']}"), 200)["data"]["configuration"])
    listed = [x for x in body_json(client.get(BASE), 200)["data"] if x["id"] == d["id"]]
    assert len(listed) == 1
    check(listed[0]["configuration"])


MASK_CASES = ["s3cret-pass", "abcd", "abc", "a", "abcde", "0123456789abcdefghijklmnopqrstuvwxyz",
              "pàsswörd€x"]


@pytest.mark.parametrize("secret", MASK_CASES)
def test_masking_everywhere(client, secret):
    stomp_conf = {"addresses": ["stomp://127.0.0.1"], "destination": "/queue/a", "username": "user1",
                  "password": secret}
    sqs_conf = {"url": "http://127.0.0.1:9324/0/q", "aws_access_key_id": secret,
                "aws_secret_access_key": secret[::-1], "region": "us-east-1"}
    s = client.create(valid_data(integration_type="stomp", configuration=stomp_conf))
    q = client.create(valid_data(integration_type="aws_sqs", configuration=sqs_conf))
    want_s = dict(stomp_conf, password=mask(secret))
    want_q = dict(sqs_conf, aws_access_key_id=mask(secret), aws_secret_access_key=mask(secret[::-1]))
    assert s["configuration"] == want_s
    assert q["configuration"] == want_q
    assert client.get(f"{BASE}/{s['id']}").json()["data"]["configuration"] == want_s
    assert client.get(f"{BASE}/{q['id']}").json()["data"]["configuration"] == want_q
    listed = {d["id"]: d["configuration"] for d in client.get(BASE).json()["data"]}
    assert listed == {s["id"]: want_s, q["id"]: want_q}
    # update responses are masked too (a partial update that keeps the configuration, and a new one)
    r = client.put(f"{BASE}/{s['id']}", {"data": {"type": "integration", "name": "renamed"}})
    assert body_json(r, 200)["data"]["configuration"] == want_s
    new_q = dict(sqs_conf, aws_access_key_id="NEWKEY" + secret)
    r = client.put(f"{BASE}/{q['id']}", {"data": {"type": "integration", "configuration": new_q}})
    assert body_json(r, 200)["data"]["configuration"] == dict(
        want_q, aws_access_key_id=mask("NEWKEY" + secret))


def test_webhook_secret_key_clear_and_absent_when_unset(client):
    w = client.create(valid_data(configuration={"url": "http://127.0.0.1:9/a", "secret_key": "topsecret-value"}))
    assert w["configuration"] == {"url": "http://127.0.0.1:9/a", "secret_key": "topsecret-value"}
    n = client.create(valid_data(configuration={"url": "http://127.0.0.1:9/b"}))
    assert n["configuration"] == {"url": "http://127.0.0.1:9/b"}
    assert "secret_key" not in client.get(f"{BASE}/{n['id']}").json()["data"]["configuration"]
    assert client.get(f"{BASE}/{w['id']}").json()["data"]["configuration"]["secret_key"] == "topsecret-value"


def test_unicode_round_trip(client):
    d = client.create(valid_data(name="Überweisung 🚀 \"quoted\" \\ \n tab\t", description="日本語"))
    g = client.get(f"{BASE}/{d['id']}").json()["data"]
    assert g["name"] == "Überweisung 🚀 \"quoted\" \\ \n tab\t" and g["description"] == "日本語"


def test_observes_order_kept(client):
    obs = ["order.paid", "cart.updated", "product.deleted", "wishlists_ext.created", "account.created"]
    d = client.create(valid_data(observes=obs))
    assert d["observes"] == obs
    assert client.get(f"{BASE}/{d['id']}").json()["data"]["observes"] == obs


# --- §6 events ---------------------------------------------------------------------------------

@pytest.mark.parametrize("event", VALID_EVENTS)
def test_every_observable_event_accepted(client, event):
    d = client.create(valid_data(observes=[event]))
    assert d["observes"] == [event]


@pytest.mark.parametrize("event", INVALID_EVENTS)
def test_invalid_event_keys_rejected(client, event):
    r = client.post(BASE, body(observes=["order.paid", event]))
    assert_validation(r, [(ENUM(event), "data.observes[1]")])


def test_five_observes_is_fine(client):
    five = ["order.created", "order.updated", "order.paid", "order.authorized", "order.fulfilled"]
    assert client.create(valid_data(observes=five))["observes"] == five


# --- §4.1 validation rows ----------------------------------------------------------------------

@pytest.mark.parametrize("c", CREATE_CASES, ids=[c["id"] for c in CREATE_CASES])
def test_create_validation(client, c):
    r = client.post(BASE, raw=json.dumps(c["body"]).encode())
    assert_validation(r, c["errors"])
    # nothing was stored
    assert client.get(BASE).json()["results"]["total"] == 0


@pytest.mark.parametrize("c", CREATE_OK_CASES, ids=[c["id"] for c in CREATE_OK_CASES])
def test_create_valid_rows(client, c):
    r = client.post(BASE, raw=json.dumps(c["body"]).encode())
    d = body_json(r, 201)["data"]
    stored = c["stored"]
    for key in ("integration_type", "name", "description", "enabled", "observes"):
        assert d[key] == stored[key], key
    shown = {k: mask(v) if k in MASKED_KEYS else v for k, v in stored["configuration"].items()}
    assert d["configuration"] == shown


def test_ten_thousand_observes(server, client):
    obs = [f"s{i}_ext.created" for i in range(10000)]
    r = client.post(BASE, body(observes=obs))
    assert_validation(r, [(EVENT_LIMIT, "data.observes")])
    assert server.request("GET", "/health").status_code == 200
    assert client.get(BASE).json()["results"]["total"] == 0


@pytest.mark.parametrize("raw", [
    b"[" * 100000 + b"]" * 100000,
    b'{"a":' * 100000 + b"1" + b"}" * 100000,
    b'{"data":{"type":"integration","configuration":' + b"[" * 50000 + b"]" * 50000 + b"}}",
    b"[" * 100000,
], ids=["arrays", "objects", "inside-data", "unterminated"])
def test_deeply_nested_json(server, client, raw):
    r = client.post(BASE, raw=raw)
    assert 400 <= r.status_code < 500, r.status_code
    errs = body_json(r, r.status_code)["errors"]
    assert errs and errs[0]["status"] == r.status_code
    assert server.request("GET", "/health").status_code == 200
    assert client.get(BASE).json()["results"]["total"] == 0


# --- §3 integration limit ----------------------------------------------------------------------

def test_integration_limit_small(make_server):
    s = make_server(["--max-integrations", "3"])
    a = s.client()
    ids = [a.create()["id"] for _ in range(3)]
    r = a.post(BASE, {"data": valid_data()})
    one_error(r, 400, "You have reached the integration limit of 3")
    assert a.get(BASE).json()["results"]["total"] == 3
    # per store: another store still has room
    b = s.client()
    b.create()
    # deleting one makes room again
    assert a.delete(f"{BASE}/{ids[0]}").status_code == 200
    a.create()
    one_error(a.post(BASE, {"data": valid_data()}), 400, "You have reached the integration limit of 3")


def test_integration_limit_default_100(server):
    c = server.client()
    for i in range(100):
        c.create(valid_data(name=f"n{i}"))
    r = c.post(BASE, {"data": valid_data(name="one too many")})
    e = one_error(r, 400, "You have reached the integration limit of 100")
    assert isinstance(e.get("detail"), str) and e["detail"]
    assert c.get(BASE).json()["results"]["total"] == 100
