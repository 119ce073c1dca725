"""§1 Conventions for every response."""
import http.client
import json
import re
import uuid

import pytest

from support import (JSON_CT, TS_RE, UUID4_RE, body_json, errors_of, one_error, valid_data)

CREATE = "/v2/integrations"


def _create_body():
    return json.dumps({"data": valid_data()}).encode()


# Every kind of answer the server gives, each a function (server, client, existing id) -> response.
RESPONSES = [
    ("health", 200, lambda s, c, i: s.request("GET", "/health")),
    ("token", 200, lambda s, c, i: s.token_response()),
    ("token-401", 401, lambda s, c, i: s.token_response(grant="password")),
    ("token-400-bad-json", 400, lambda s, c, i: s.request(
        "POST", "/oauth/access_token", data=b"{nope", headers={"Content-Type": "application/json"})),
    ("list", 200, lambda s, c, i: c.get(CREATE)),
    ("create", 201, lambda s, c, i: c.post(CREATE, {"data": valid_data()})),
    ("get", 200, lambda s, c, i: c.get(f"{CREATE}/{i}")),
    ("update", 200, lambda s, c, i: c.put(f"{CREATE}/{i}", {"data": {"type": "integration", "name": "x"}})),
    ("logs", 200, lambda s, c, i: c.get(f"{CREATE}/logs")),
    ("jobs", 200, lambda s, c, i: c.get(f"{CREATE}/{i}/jobs")),
    ("attributes", 200, lambda s, c, i: c.get(f"{CREATE}/attributes")),
    ("unknown-path", 404, lambda s, c, i: c.get("/v2/nope")),
    ("unknown-path-root", 404, lambda s, c, i: s.request("GET", "/")),
    ("not-found-id", 404, lambda s, c, i: c.get(f"{CREATE}/{uuid.uuid4()}")),
    ("method-not-allowed", 405, lambda s, c, i: c.request("PATCH", CREATE, body={"data": {}})),
    ("no-token", 401, lambda s, c, i: s.request("GET", CREATE)),
    ("implicit-token", 403, lambda s, c, i: s.request(
        "GET", CREATE, headers={"Authorization": "Bearer " + s.token(c.client_id, None, "implicit")})),
    ("bad-json", 400, lambda s, c, i: c.post(CREATE, raw=b"{")),
    ("validation", 400, lambda s, c, i: c.post(CREATE, {"data": {}})),
    ("too-large", 413, lambda s, c, i: c.post(CREATE, raw=b" " * (2 * 1024 * 1024))),
    ("delete", 200, lambda s, c, i: c.delete(f"{CREATE}/{i}")),
]


@pytest.mark.parametrize("name,status,call", RESPONSES, ids=[r[0] for r in RESPONSES])
def test_every_response_is_json_with_request_id_and_cors(server, client, name, status, call):
    existing = client.create()["id"]
    r = call(server, client, existing)
    b = body_json(r, status)
    assert isinstance(b, dict)
    if status >= 400:
        errs = errors_of(r, status)
        assert all(type(e["status"]) is int for e in errs)
    assert r.headers.get("X-Moltin-Request-Id"), "X-Moltin-Request-Id missing"
    # no Origin in the request: §8 says the allowed origin is then "*"
    assert r.headers.get("Access-Control-Allow-Origin") == "*", \
        f"Access-Control-Allow-Origin: {r.headers.get('Access-Control-Allow-Origin')!r}"


@pytest.mark.parametrize("method,path", [
    ("GET", "/v2/nope"), ("POST", "/v2/nope"), ("GET", "/v3/integrations"),
    ("DELETE", "/nope/deeper/path"), ("GET", "/v2"), ("GET", "/oauth"),
])
def test_unknown_path_404_envelope(client, method, path):
    r = client.request(method, path)
    b = body_json(r, 404)
    assert b == {"errors": [{"status": 404, "title": "Not Found", "detail": f"No route for {method} {path}"}]}


def test_unknown_path_exact_body_from_spec(server, client):
    r = client.get("/v2/nope")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == JSON_CT
    assert r.json() == {"errors": [{"status": 404, "title": "Not Found", "detail": "No route for GET /v2/nope"}]}


@pytest.mark.parametrize("method,path,allowed", [
    ("PATCH", "/v2/integrations", {"GET", "POST"}),
    ("DELETE", "/v2/integrations", {"GET", "POST"}),
    ("PUT", "/v2/integrations", {"GET", "POST"}),
    ("POST", "/v2/integrations/{id}", {"GET", "PUT", "DELETE"}),
    ("PATCH", "/v2/integrations/{id}", {"GET", "PUT", "DELETE"}),
    ("POST", "/v2/integrations/logs", {"GET"}),
    ("DELETE", "/v2/integrations/attributes", {"GET"}),
    ("POST", "/v2/integrations/{id}/jobs", {"GET"}),
    ("GET", "/oauth/access_token", {"POST"}),
    ("POST", "/health", {"GET"}),
])
def test_wrong_method_405_with_allow(client, method, path, allowed):
    iid = client.create()["id"]
    r = client.request(method, path.replace("{id}", iid), body={"data": valid_data()})
    e = one_error(r, 405)
    assert e["title"]
    allow = {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed <= allow, f"Allow: {r.headers.get('Allow')!r}"
    extra = (allow & {"GET", "POST", "PUT", "DELETE", "PATCH"}) - allowed
    assert not extra, f"Allow lists {extra} that the route does not serve: {r.headers.get('Allow')!r}"
    # the 405 did not do anything: the integration still exists unchanged
    assert client.get(f"/v2/integrations/{iid}").status_code == 200


def test_body_over_default_limit_413_and_server_stays_up(server, client):
    big = json.dumps({"data": valid_data(description="x" * (2 * 1024 * 1024))}).encode()
    r = client.post(CREATE, raw=big)
    one_error(r, 413)
    assert server.request("GET", "/health").status_code == 200
    # and a normal create still works on a new connection
    client.create()
    assert client.get(CREATE).json()["results"]["total"] == 1


def test_chunked_body_over_limit_413(server, client):
    def gen():
        chunk = b" " * 65536
        for _ in range(32):  # 2 MiB, no Content-Length
            yield chunk
    r = client.request("POST", CREATE, headers={"Content-Type": "application/json"}, data=gen())
    one_error(r, 413)
    assert server.request("GET", "/health").status_code == 200


def test_max_body_flag_boundary(make_server):
    s = make_server(["--max-body", "2048"])
    c = s.client()
    doc = json.dumps({"data": valid_data()}).encode()
    exact = doc + b" " * (2048 - len(doc))
    assert len(exact) == 2048
    r = c.post(CREATE, raw=exact)
    assert r.status_code == 201, r.text
    r = c.post(CREATE, raw=exact + b" ")
    one_error(r, 413)
    assert s.request("GET", "/health").status_code == 200


@pytest.mark.parametrize("raw", [
    b"{", b"not json", b'{"data": }', b'{"data": {"type": "integration",}}', b"{'data': {}}",
    b'{"data": {}} trailing', b"\xff\xfe{}", b'{"data": "\x01"}', b"[1, 2",
])
def test_malformed_json_400(client, raw):
    r = client.post(CREATE, raw=raw)
    e = one_error(r, 400, "Bad Request")
    assert e["detail"].startswith("Request body is not valid JSON: "), e
    assert re.search(r" at line \d+ column \d+$", e["detail"]), e


def test_malformed_json_reports_line(client):
    raw = b'{\n  "data": {\n    "type": oops\n  }\n}'
    e = one_error(client.post(CREATE, raw=raw), 400, "Bad Request")
    m = re.search(r" at line (\d+) column (\d+)$", e["detail"])
    assert m and m.group(1) == "3", e


def test_malformed_json_on_update(client):
    iid = client.create()["id"]
    e = one_error(client.put(f"{CREATE}/{iid}", raw=b'{"data":'), 400, "Bad Request")
    assert e["detail"].startswith("Request body is not valid JSON: ")


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "application/vnd.api+json", "application/json; charset=latin1",
                                   "garbage"])
def test_json_parsed_whatever_the_content_type(server, client, ctype):
    headers = dict(client.auth)
    if ctype:
        headers["Content-Type"] = ctype
    pretty = json.dumps({"data": valid_data(name="ct")}, indent=4).encode()
    r = server.request("POST", CREATE, headers=headers, data=pretty)
    d = body_json(r, 201)["data"]
    assert d["name"] == "ct"
    r = server.request("PUT", f"{CREATE}/{d['id']}", headers=headers,
                       data=b'\r\n\t {"data" : {"type":"integration", "name" : "ct2"}}\n')
    assert body_json(r, 200)["data"]["name"] == "ct2"


def test_request_id_present_and_unique(server, client):
    iid = client.create()["id"]
    responses = [
        server.request("GET", "/health"), server.request("GET", "/health"),
        client.get(CREATE), client.get(CREATE), client.get(f"{CREATE}/{iid}"),
        client.get("/v2/nope"), server.request("GET", CREATE),
        server.request("OPTIONS", CREATE), server.token_response(),
        client.post(CREATE, raw=b"{"),
    ]
    ids = [r.headers.get("X-Moltin-Request-Id") for r in responses]
    assert all(ids), ids
    assert len(set(ids)) == len(ids), ids


def test_keep_alive_two_requests_on_one_connection(server, client):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/health")
        r1 = conn.getresponse()
        assert r1.status == 200 and json.loads(r1.read()) == {"status": "ok"}
        assert not r1.will_close, "server closed the connection after a GET"
        sock = conn.sock
        assert sock is not None
        conn.request("GET", CREATE, headers=client.auth)
        r2 = conn.getresponse()
        assert r2.status == 200 and json.loads(r2.read())["data"] == []
        assert conn.sock is sock, "second request went over a new connection"
        assert not r2.will_close
        conn.request("POST", CREATE, body=_create_body(),
                     headers=dict(client.auth, **{"Content-Type": "application/json"}))
        r3 = conn.getresponse()
        iid = json.loads(r3.read())["data"]["id"]
        assert r3.status == 201 and conn.sock is sock and not r3.will_close
        conn.request("GET", f"{CREATE}/{iid}", headers=client.auth)
        r4 = conn.getresponse()
        assert r4.status == 200 and json.loads(r4.read())["data"]["id"] == iid
        assert conn.sock is sock
        conn.request("GET", "/v2/nope", headers=client.auth)
        r5 = conn.getresponse()
        assert r5.status == 404 and json.loads(r5.read())["errors"][0]["status"] == 404
        assert conn.sock is sock
    finally:
        conn.close()


def test_keep_alive_after_error_responses(server, client):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", CREATE)  # 401
        r = conn.getresponse()
        r.read()
        assert r.status == 401
        sock = conn.sock
        conn.request("POST", CREATE, body=b"{", headers=client.auth)  # 400
        r = conn.getresponse()
        r.read()
        assert r.status == 400
        conn.request("GET", "/health")
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        assert conn.sock is sock, "connection was not kept after error answers"
    finally:
        conn.close()


def test_timestamps_and_ids(client):
    d = client.create()
    assert UUID4_RE.match(d["id"]), d["id"]
    ts = d["meta"]["timestamps"]
    assert set(ts) == {"created_at", "updated_at"}
    assert TS_RE.match(ts["created_at"]) and TS_RE.match(ts["updated_at"]), ts
    assert ts["created_at"] == ts["updated_at"]
    ids = {client.create()["id"] for _ in range(5)} | {d["id"]}
    assert len(ids) == 6 and all(UUID4_RE.match(i) for i in ids)


def test_links_self_from_request(server, client):
    d = client.create()
    assert d["links"] == {"self": f"http://127.0.0.1:{server.port}/v2/integrations/{d['id']}"}
    r = client.get(f"{CREATE}/{d['id']}", headers={"Host": "api.example.test:8443"})
    assert body_json(r, 200)["data"]["links"]["self"] == f"http://api.example.test:8443/v2/integrations/{d['id']}"
    r = client.get(CREATE, headers={"Host": "shop.local"})
    b = body_json(r, 200)
    assert b["data"][0]["links"]["self"] == f"http://shop.local/v2/integrations/{d['id']}"
    for k in ("current", "first", "last"):
        assert b["links"][k].startswith("http://shop.local/v2/integrations"), b["links"]
    r = client.post(CREATE, {"data": valid_data()}, headers={"Host": "h.example:1"})
    d2 = body_json(r, 201)["data"]
    assert d2["links"]["self"] == f"http://h.example:1/v2/integrations/{d2['id']}"


def test_public_url_wins_over_host(make_server):
    s = make_server(["--public-url", "https://integrations.example.com"])
    c = s.client()
    d = c.create()
    assert d["links"]["self"] == f"https://integrations.example.com/v2/integrations/{d['id']}"
    r = c.get(f"{CREATE}/{d['id']}", headers={"Host": "other.example:9"})
    assert r.json()["data"]["links"]["self"] == f"https://integrations.example.com/v2/integrations/{d['id']}"
    b = c.get(CREATE, headers={"Host": "other.example:9"}).json()
    assert b["data"][0]["links"]["self"].startswith("https://integrations.example.com/v2/integrations/")
    for k in ("current", "first", "last"):
        assert b["links"][k].startswith("https://integrations.example.com/v2/integrations"), b["links"]
    r = c.put(f"{CREATE}/{d['id']}", {"data": {"type": "integration", "name": "n2"}})
    assert r.json()["data"]["links"]["self"] == f"https://integrations.example.com/v2/integrations/{d['id']}"
