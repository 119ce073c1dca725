"""§4.2 update (partial merge): the rows of tests/data/update.jsonl, and what a table cannot say."""
import json
import time
import uuid

import pytest

from cases import MASKED_KEYS, STORED_ID_MARK, UPDATE_ROWS, UPDATE_STORED
from support import RESOURCE_KEYS, assert_validation, body_json, mask, one_error

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
    """The stored integration of the update table (tests/data/update.jsonl), as the API shows it."""
    return client.create(dict(UPDATE_STORED, type="integration"))


def shown(fields):
    """Stored fields as a resource shows them (§3 masking)."""
    out = dict(fields)
    if "configuration" in out:
        out["configuration"] = {k: mask(v) if k in MASKED_KEYS else v for k, v in out["configuration"].items()}
    return out


def with_stored_id(body, iid):
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and data.get("id") == STORED_ID_MARK:
        body = dict(body, data=dict(data, id=iid))
    return body


OK_ROWS = [r for r in UPDATE_ROWS if r["status"] == 200]
ERROR_ROWS = [r for r in UPDATE_ROWS if r["status"] == 400]


@pytest.mark.parametrize("row", OK_ROWS, ids=[r["case"] for r in OK_ROWS])
def test_update_rows(server, client, created, row):
    time.sleep(0.01)
    r = client.put(f"{BASE}/{created['id']}", raw=json.dumps(with_stored_id(row["body"], created["id"])).encode())
    d = body_json(r, 200)["data"]
    assert list(d.keys()) == RESOURCE_KEYS
    want = dict(created, **shown(row["changes"]))
    assert stable(d) == stable(want)
    assert d["links"]["self"] == f"{server.base}/v2/integrations/{created['id']}"
    assert d["meta"]["timestamps"]["updated_at"] > created["meta"]["timestamps"]["updated_at"]
    g = body_json(client.get(f"{BASE}/{created['id']}"), 200)["data"]
    assert g == d


@pytest.mark.parametrize("row", ERROR_ROWS, ids=[r["case"] for r in ERROR_ROWS])
def test_update_error_rows(client, created, row):
    r = client.put(f"{BASE}/{created['id']}", raw=json.dumps(with_stored_id(row["body"], created["id"])).encode())
    assert_validation(r, [(e["title"], e["source"]) for e in row["errors"]])
    # a failed update changes nothing
    assert body_json(client.get(f"{BASE}/{created['id']}"), 200)["data"] == created


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


@pytest.mark.parametrize("iid", [str(uuid.uuid4()), "nope", "8CB9E689-EDE7-4F6D-B61A-6AA970D572D", "1"])
def test_update_unknown_or_malformed_id(client, iid):
    r = put(client, iid, {"type": "integration", "name": "x"})
    one_error(r, 404, "Integration not found")


def test_update_after_delete_404(client, created):
    assert client.delete(f"{BASE}/{created['id']}").status_code == 200
    one_error(put(client, created["id"], {"type": "integration", "name": "x"}), 404, "Integration not found")
