"""§4 rows 5-10: delete, logs and jobs routes (empty until delivery exists), attributes, routing."""
import json
import uuid

import pytest

from pages import assert_page
from support import JSON_CT, body_json, one_error, valid_data

BASE = "/v2/integrations"


# --- row 5: delete -----------------------------------------------------------------------------

def test_delete(client):
    keep = client.create(name="keep")
    d = client.create(name="drop")
    r = client.delete(f"{BASE}/{d['id']}")
    b = body_json(r, 200)
    assert b == {"data": {"type": "integration", "id": d["id"]}}
    assert list(b["data"].keys()) == ["type", "id"]
    one_error(client.get(f"{BASE}/{d['id']}"), 404, "Integration not found")
    one_error(client.delete(f"{BASE}/{d['id']}"), 404, "Integration not found")
    one_error(client.get(f"{BASE}/{d['id']}/logs"), 404, "Integration not found")
    one_error(client.get(f"{BASE}/{d['id']}/jobs"), 404, "Integration not found")
    lst = client.get(BASE).json()
    assert [x["id"] for x in lst["data"]] == [keep["id"]] and lst["results"]["total"] == 1
    assert client.get(f"{BASE}/{keep['id']}").json()["data"] == keep


# --- rows 6-9: logs and jobs -------------------------------------------------------------------

def _empty_list_ok(server, b, path, limit=25, offset=0):
    assert b["data"] == []
    assert_page(b, server.base, path, limit, offset, 0, count=0)


def test_store_logs_empty(server, client):
    client.create()
    b = body_json(client.get(f"{BASE}/logs"), 200)
    _empty_list_ok(server, b, f"{BASE}/logs")


def test_integration_logs_and_jobs_empty(server, client):
    iid = client.create()["id"]
    for sub in ("logs", "jobs"):
        path = f"{BASE}/{iid}/{sub}"
        _empty_list_ok(server, body_json(client.get(path), 200), path)
        b = body_json(client.get(path + "?page[limit]=5&page[offset]=10"), 200)
        _empty_list_ok(server, b, path, 5, 10)


def test_logs_pagination_parameters(server, client):
    b = body_json(client.get(f"{BASE}/logs?page[limit]=7"), 200)
    _empty_list_ok(server, b, f"{BASE}/logs", 7, 0)
    b = body_json(client.get(f"{BASE}/logs?page[limit]=1000"), 200)
    _empty_list_ok(server, b, f"{BASE}/logs", 100, 0)
    b = body_json(client.get(f"{BASE}/logs?page[limit]=0"), 200)
    _empty_list_ok(server, b, f"{BASE}/logs", 25, 0)


@pytest.mark.parametrize("sub", ["logs", "{id}/logs", "{id}/jobs"])
@pytest.mark.parametrize("param,value", [("page[limit]", "-1"), ("page[limit]", "abc"),
                                         ("page[offset]", "-5"), ("page[offset]", "1.5")])
def test_logs_bad_page_params(client, sub, param, value):
    iid = client.create()["id"]
    r = client.get(f"{BASE}/{sub.replace('{id}', iid)}?{param}={value}")
    e = one_error(r, 400)
    assert e.get("source") == param, e


def test_job_logs_unknown_job(client):
    iid = client.create()["id"]
    for job in (str(uuid.uuid4()), "not-a-uuid"):
        one_error(client.get(f"{BASE}/{iid}/jobs/{job}/logs"), 404, "Job not found")


NOT_FOUND_IDS = [str(uuid.uuid4()), "not-a-uuid", "12345", "8cb9e689-ede7-4f6d-b61a-6aa970d572d",
                 "8cb9e689-ede7-4f6d-b61a-6aa970d572ddd", "8cb9e689ede74f6db61a6aa970d572dd",
                 "%20", "null", "00000000-0000-0000-0000-000000000000", "zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz"]


@pytest.mark.parametrize("iid", NOT_FOUND_IDS)
@pytest.mark.parametrize("method,tmpl", [
    ("GET", "{id}"), ("PUT", "{id}"), ("DELETE", "{id}"), ("GET", "{id}/logs"), ("GET", "{id}/jobs"),
    ("GET", "{id}/jobs/{job}/logs"),
])
def test_unknown_or_malformed_id_404(client, iid, method, tmpl):
    client.create()
    path = f"{BASE}/" + tmpl.replace("{id}", iid).replace("{job}", str(uuid.uuid4()))
    body = {"data": {"type": "integration", "name": "x"}} if method == "PUT" else None
    e = one_error(client.request(method, path, body=body), 404, "Integration not found")
    assert isinstance(e.get("detail"), str) and e["detail"]
    assert client.get(BASE).json()["results"]["total"] == 1


def test_foreign_id_with_job_404(server):
    a = server.client()
    b = server.client()
    ia = a.create()["id"]
    one_error(b.get(f"{BASE}/{ia}/jobs/{uuid.uuid4()}/logs"), 404, "Integration not found")


# --- routing details ---------------------------------------------------------------------------

def test_trailing_slash_tolerated(server, client):
    r = client.post(BASE + "/", {"data": valid_data(name="slash")})
    d = body_json(r, 201)["data"]
    assert d["links"]["self"] == f"{server.base}/v2/integrations/{d['id']}"
    assert [x["id"] for x in body_json(client.get(BASE + "/"), 200)["data"]] == [d["id"]]
    assert body_json(client.get(f"{BASE}/{d['id']}/"), 200)["data"] == d
    r = client.put(f"{BASE}/{d['id']}/", {"data": {"type": "integration", "name": "slash2"}})
    assert body_json(r, 200)["data"]["name"] == "slash2"
    for p in ("logs/", f"{d['id']}/logs/", f"{d['id']}/jobs/"):
        assert body_json(client.get(f"{BASE}/{p}"), 200)["data"] == []
    assert body_json(client.get(f"{BASE}/attributes/"), 200)["data"]
    one_error(client.get(f"{BASE}/{d['id']}/jobs/{uuid.uuid4()}/logs/"), 404, "Job not found")
    assert body_json(client.delete(f"{BASE}/{d['id']}/"), 200) == {"data": {"type": "integration", "id": d["id"]}}
    r = server.request("POST", "/oauth/access_token/", data={"grant_type": "client_credentials",
                                                             "client_id": str(uuid.uuid4()), "client_secret": "s"})
    assert body_json(r, 200)["token_type"] == "Bearer"


def test_literal_routes_before_id(client):
    """logs and attributes are not taken for an integration id."""
    client.create()
    assert body_json(client.get(f"{BASE}/logs"), 200)["data"] == []
    assert body_json(client.get(f"{BASE}/attributes"), 200)["meta"]["entity"] == "integration"


@pytest.mark.parametrize("query", [
    "page%5Blimit%5D=1&page%5Boffset%5D=1", "page%5blimit%5d=1&page%5boffset%5d=1",
    "page[limit]=1&page[offset]=1", "page%5Blimit]=1&page[offset%5D=1",
])
def test_query_brackets_raw_and_encoded(server, client, query):
    ids = [client.create(name=f"q{i}")["id"] for i in range(3)]
    status, headers, raw = server.raw("GET", f"{BASE}?{query}", headers=client.auth)
    assert status == 200 and headers["Content-Type"] == JSON_CT
    b = json.loads(raw)
    assert b["meta"]["page"]["limit"] == 1 and b["meta"]["page"]["offset"] == 1, b["meta"]
    assert [x["id"] for x in b["data"]] == [ids[1]]


# --- row 10: attributes ------------------------------------------------------------------------

def _lists_in(x):
    if isinstance(x, list):
        yield x
        for v in x:
            yield from _lists_in(v)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _lists_in(v)


def _option_values(entry):
    """All string values of option lists in an attribute entry (enums may be listed as strings
    or as objects with a value)."""
    vals = set()
    for lst in _lists_in(entry):
        for v in lst:
            if isinstance(v, str):
                vals.add(v)
            elif isinstance(v, dict):
                vals.update(x for x in v.values() if isinstance(x, str))
    return vals


def test_attributes(client):
    b = body_json(client.get(f"{BASE}/attributes"), 200)
    assert b["meta"] == {"entity": "integration", "version": "2.0.0"}
    assert isinstance(b["data"], list)
    by = {}
    for e in b["data"]:
        assert {"label", "value", "type", "required"} <= set(e), e
        assert isinstance(e["label"], str) and e["label"]
        assert isinstance(e["type"], str) and type(e["required"]) is bool
        by[e["value"]] = e
    fields = {"type", "integration_type", "name", "description", "enabled", "configuration", "observes"}
    assert fields <= set(by), sorted(by)
    assert by["name"]["label"] == "Name" and by["name"]["type"] == "string" and by["name"]["required"] is True
    for f in ("type", "integration_type", "name", "configuration", "observes"):
        assert by[f]["required"] is True, by[f]
    for f in ("description", "enabled"):
        assert by[f]["required"] is False, by[f]
    assert by["enabled"]["type"] == "boolean" and by["enabled"].get("default") is False, by["enabled"]
    assert by["observes"]["type"] == "array"
    assert by["configuration"]["type"] == "object"
    assert "integration" in _option_values(by["type"]), by["type"]
    assert {"webhook", "aws_sqs", "stomp"} <= _option_values(by["integration_type"]), by["integration_type"]


def test_head_is_answered_like_get_without_a_body(server, client):
    """HEAD of a GET route: the same status and headers, no body (HTTP semantics; curl -I)."""
    iid = client.create()["id"]
    for path, status in ((f"/v2/integrations/{iid}", 200), ("/v2/integrations", 200),
                         ("/v2/integrations/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12, 404)):
        get = client.request("GET", path)
        head = client.request("HEAD", path)
        assert head.status_code == get.status_code == status, (path, head.status_code)
        assert head.content == b""
        assert head.headers["Content-Type"] == get.headers["Content-Type"]
        assert "X-Moltin-Request-Id" in head.headers
    assert server.request("HEAD", "/health").status_code == 200
