"""§4.2 update (partial merge)."""
import time
import uuid

import pytest

from cases import (ENUM, MISSING, NOT_UNIQUE, SQS_OK, TOO_SHORT_NAME, TYPE, EVENT_LIMIT, SIX_EVENTS)
from support import RESOURCE_KEYS, assert_validation, body_json, mask, one_error, valid_data

BASE = "/v2/integrations"


def put(client, iid, data):
    return client.put(f"{BASE}/{iid}", {"data": data})


def stable(d):
    """A resource without its update timestamp (which a successful update bumps)."""
    d = dict(d)
    d["meta"] = {"timestamps": {"created_at": d["meta"]["timestamps"]["created_at"]}}
    return d


@pytest.fixture
def created(client):
    return client.create(valid_data(configuration={"url": "http://127.0.0.1:9/a", "secret_key": "sk-1"},
                                    observes=["order.created", "order.paid"], enabled=False))


# (id, partial data, changes expected in the resource)
MERGES = [
    ("name", {"name": "Renamed"}, {"name": "Renamed"}),
    ("enabled", {"enabled": True}, {"enabled": True}),
    ("description", {"description": "new words"}, {"description": "new words"}),
    ("description-null-clears", {"description": None}, {"description": None}),
    ("observes", {"observes": ["cart.updated"]}, {"observes": ["cart.updated"]}),
    ("configuration-replaced-whole", {"configuration": {"url": "https://127.0.0.1:9/b"}},
     {"configuration": {"url": "https://127.0.0.1:9/b"}}),
    ("configuration-extra-dropped", {"configuration": {"url": "http://127.0.0.1:9/c", "x": 1}},
     {"configuration": {"url": "http://127.0.0.1:9/c"}}),
    ("type-to-sqs-with-config", {"integration_type": "aws_sqs", "configuration": dict(SQS_OK)},
     {"integration_type": "aws_sqs", "configuration": {
         "url": SQS_OK["url"], "aws_access_key_id": mask(SQS_OK["aws_access_key_id"]),
         "aws_secret_access_key": mask(SQS_OK["aws_secret_access_key"]), "region": SQS_OK["region"]}}),
    ("type-to-stomp-with-config", {"integration_type": "stomp", "configuration": {
        "addresses": ["stomp://127.0.0.1:61613"], "destination": "/queue/q", "password": "hunter22"}},
     {"integration_type": "stomp", "configuration": {
         "addresses": ["stomp://127.0.0.1:61613"], "destination": "/queue/q", "password": "****er22"}}),
    ("several", {"name": "N", "enabled": True, "observes": ["order.paid", "order.created"]},
     {"name": "N", "enabled": True, "observes": ["order.paid", "order.created"]}),
    ("only-type", {}, {}),
    ("ignored-keys", {"links": {"self": "x"}, "meta": {"a": 1}, "foo": "bar"}, {}),
]


@pytest.mark.parametrize("mid,partial,changes", MERGES, ids=[m[0] for m in MERGES])
def test_partial_merge(server, client, created, mid, partial, changes):
    time.sleep(0.01)
    r = put(client, created["id"], dict({"type": "integration"}, **partial))
    d = body_json(r, 200)["data"]
    assert list(d.keys()) == RESOURCE_KEYS
    want = dict(created, **changes)
    assert stable(d) == stable(want)
    assert d["links"]["self"] == f"{server.base}/v2/integrations/{created['id']}"
    assert d["meta"]["timestamps"]["updated_at"] > created["meta"]["timestamps"]["updated_at"]
    g = body_json(client.get(f"{BASE}/{created['id']}"), 200)["data"]
    assert g == d


def test_updated_at_bumps_created_at_stays(client, created):
    c0 = created["meta"]["timestamps"]["created_at"]
    last = created["meta"]["timestamps"]["updated_at"]
    for i in range(3):
        time.sleep(0.01)
        d = body_json(put(client, created["id"], {"type": "integration", "name": f"v{i}"}), 200)["data"]
        ts = d["meta"]["timestamps"]
        assert ts["created_at"] == c0
        assert ts["updated_at"] > last, (ts, last)
        last = ts["updated_at"]
    g = client.get(f"{BASE}/{created['id']}").json()["data"]["meta"]["timestamps"]
    assert g == {"created_at": c0, "updated_at": last}


def test_configuration_replaced_whole_drops_secret(client, created):
    d = body_json(put(client, created["id"], {"type": "integration",
                                              "configuration": {"url": "http://127.0.0.1:9/z"}}), 200)["data"]
    assert d["configuration"] == {"url": "http://127.0.0.1:9/z"}


def test_data_id_matching_is_fine(client, created):
    d = body_json(put(client, created["id"], {"type": "integration", "id": created["id"], "name": "same id"}), 200)
    assert d["data"]["id"] == created["id"] and d["data"]["name"] == "same id"


@pytest.mark.parametrize("other", [str(uuid.uuid4()), "not-a-uuid", ""])
def test_data_id_mismatch(client, created, other):
    r = put(client, created["id"], {"type": "integration", "id": other, "name": "x"})
    one_error(r, 400, "Id mismatch")
    assert client.get(f"{BASE}/{created['id']}").json()["data"] == created


# (id, partial data, expected errors) — each against the `created` webhook integration
UPDATE_ERRORS = [
    ("type-missing", {"name": "x"}, [(MISSING("type"), "data.type")]),
    ("type-wrong", {"type": "integrations"}, [(ENUM("integrations"), "data.type")]),
    ("name-null", {"type": "integration", "name": None}, [(MISSING("name"), "data.name")]),
    ("integration_type-null", {"type": "integration", "integration_type": None},
     [(MISSING("integration_type"), "data.integration_type")]),
    ("observes-null", {"type": "integration", "observes": None}, [(MISSING("observes"), "data.observes")]),
    ("configuration-null", {"type": "integration", "configuration": None},
     [(MISSING("configuration"), "data.configuration")]),
    ("name-empty", {"type": "integration", "name": ""}, [(TOO_SHORT_NAME, "data.name")]),
    ("name-number", {"type": "integration", "name": 5}, [(TYPE("number", "string"), "data.name")]),
    ("enabled-string", {"type": "integration", "enabled": "true"},
     [(TYPE("string", "boolean"), "data.enabled")]),
    ("description-number", {"type": "integration", "description": 1},
     [(TYPE("number", "string"), "data.description")]),
    ("integration_type-enum", {"type": "integration", "integration_type": "email"},
     [(ENUM("email"), "data.integration_type")]),
    ("observes-six", {"type": "integration", "observes": SIX_EVENTS}, [(EVENT_LIMIT, "data.observes")]),
    ("observes-dup", {"type": "integration", "observes": ["order.paid", "order.paid"]},
     [(NOT_UNIQUE, "data.observes[1]")]),
    ("observes-unknown", {"type": "integration", "observes": ["order.paid", "nope"]},
     [(ENUM("nope"), "data.observes[1]")]),
    ("configuration-missing-url", {"type": "integration", "configuration": {"secret_key": "x"}},
     [(MISSING("url"), "data.configuration.url")]),
    ("type-to-sqs-without-config", {"type": "integration", "integration_type": "aws_sqs"},
     [(MISSING("aws_access_key_id"), "data.configuration.aws_access_key_id"),
      (MISSING("aws_secret_access_key"), "data.configuration.aws_secret_access_key"),
      (MISSING("region"), "data.configuration.region")]),
    ("type-to-stomp-without-config", {"type": "integration", "integration_type": "stomp"},
     [(MISSING("addresses"), "data.configuration.addresses"),
      (MISSING("destination"), "data.configuration.destination")]),
    ("type-to-stomp-with-webhook-config", {"type": "integration", "integration_type": "stomp",
                                          "configuration": {"url": "http://127.0.0.1:9/"}},
     [(MISSING("addresses"), "data.configuration.addresses"),
      (MISSING("destination"), "data.configuration.destination")]),
    ("several", {"type": "integration", "name": "", "enabled": 0, "observes": []},
     [(TOO_SHORT_NAME, "data.name"), (TYPE("number", "boolean"), "data.enabled"),
      ("Array is too short (0), minimum 1", "data.observes")]),
]


@pytest.mark.parametrize("uid,partial,errors", UPDATE_ERRORS, ids=[u[0] for u in UPDATE_ERRORS])
def test_update_validation(client, created, uid, partial, errors):
    r = put(client, created["id"], partial)
    assert_validation(r, errors)
    # a failed update changes nothing
    assert body_json(client.get(f"{BASE}/{created['id']}"), 200)["data"] == created


@pytest.mark.parametrize("raw", [b"[]", b"{}", b'{"data": null}', b'{"data": []}', b"null", b'"x"'])
def test_update_body_without_data(client, created, raw):
    assert_validation(client.put(f"{BASE}/{created['id']}", raw=raw), [(MISSING("data"), "data")])


@pytest.mark.parametrize("iid", [str(uuid.uuid4()), "nope", "8CB9E689-EDE7-4F6D-B61A-6AA970D572D", "1"])
def test_update_unknown_or_malformed_id(client, iid):
    r = put(client, iid, {"type": "integration", "name": "x"})
    one_error(r, 404, "Integration not found")


def test_update_after_delete_404(client, created):
    assert client.delete(f"{BASE}/{created['id']}").status_code == 200
    one_error(put(client, created["id"], {"type": "integration", "name": "x"}), 404, "Integration not found")
