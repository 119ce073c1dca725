"""§8 CORS."""
import uuid

import pytest

from support import valid_data

METHODS = {"GET", "POST", "PUT", "DELETE", "OPTIONS"}
ORIGIN = "http://app.example.test:3000"


def _split(v):
    return {x.strip().lower() for x in (v or "").split(",") if x.strip()}


PREFLIGHT_PATHS = ["/v2/integrations", "/v2/integrations/{id}", "/v2/integrations/logs",
                   "/v2/integrations/{id}/jobs", "/v2/integrations/attributes",
                   "/oauth/access_token", "/health", "/v2/nope", "/", "/anything/at/all"]


@pytest.mark.parametrize("path", PREFLIGHT_PATHS)
def test_preflight_without_auth(server, path):
    p = path.replace("{id}", str(uuid.uuid4()))
    r = server.request("OPTIONS", p, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type, x-moltin-currency"})
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.content == b""
    assert r.headers.get("Access-Control-Allow-Origin") in (ORIGIN, "*")
    assert _split(r.headers.get("Access-Control-Allow-Methods")) == {m.lower() for m in METHODS}, \
        r.headers.get("Access-Control-Allow-Methods")
    assert _split(r.headers.get("Access-Control-Allow-Headers")) == {
        "authorization", "content-type", "x-moltin-currency"}, r.headers.get("Access-Control-Allow-Headers")
    assert r.headers.get("Access-Control-Max-Age") == "600"
    assert r.headers.get("X-Moltin-Request-Id")


def test_preflight_various_origins(server):
    for origin in ("https://shop.example.com", "http://localhost:8080"):
        r = server.request("OPTIONS", "/v2/integrations", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET"})
        assert r.status_code == 204
        assert r.headers.get("Access-Control-Allow-Origin") in (origin, "*")


def test_preflight_no_origin_no_request_headers(server):
    r = server.request("OPTIONS", "/v2/integrations")
    assert r.status_code == 204
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
    allowed = (r.headers.get("Access-Control-Allow-Headers") or "").lower()
    for h in ("authorization", "content-type", "x-moltin"):
        assert h in allowed, allowed
    # what the official SDK sends on every request (its headers when the browser lists none)
    for h in ("x-moltin-sdk-language", "x-moltin-sdk-version", "x-moltin-application"):
        assert h in _split(allowed), allowed
    assert _split(r.headers.get("Access-Control-Allow-Methods")) == {m.lower() for m in METHODS}
    assert r.headers.get("Access-Control-Max-Age") == "600"


def test_preflight_with_invalid_token_still_204(server):
    r = server.request("OPTIONS", "/v2/integrations", headers={"Authorization": "Bearer nope", "Origin": ORIGIN})
    assert r.status_code == 204


def test_preflight_does_not_touch_data(server, client):
    iid = client.create()["id"]
    assert server.request("OPTIONS", f"/v2/integrations/{iid}").status_code == 204
    assert client.get(f"/v2/integrations/{iid}").status_code == 200


ANSWERS = [
    ("health-200", lambda s, c: s.request("GET", "/health", headers={"Origin": ORIGIN})),
    ("list-200", lambda s, c: c.get("/v2/integrations", headers={"Origin": ORIGIN})),
    ("create-201", lambda s, c: c.post("/v2/integrations", {"data": valid_data()}, headers={"Origin": ORIGIN})),
    ("token-200", lambda s, c: s.request("POST", "/oauth/access_token", headers={"Origin": ORIGIN}, data={
        "grant_type": "client_credentials", "client_id": str(uuid.uuid4()), "client_secret": "x"})),
    ("token-401", lambda s, c: s.request("POST", "/oauth/access_token", headers={"Origin": ORIGIN},
                                         data={"grant_type": "nope"})),
    ("401", lambda s, c: s.request("GET", "/v2/integrations", headers={"Origin": ORIGIN})),
    ("400", lambda s, c: c.post("/v2/integrations", {"data": {}}, headers={"Origin": ORIGIN})),
    ("400-json", lambda s, c: c.post("/v2/integrations", raw=b"{", headers={"Origin": ORIGIN})),
    ("404-route", lambda s, c: c.get("/v2/nope", headers={"Origin": ORIGIN})),
    ("404-id", lambda s, c: c.get(f"/v2/integrations/{uuid.uuid4()}", headers={"Origin": ORIGIN})),
    ("405", lambda s, c: c.request("PATCH", "/v2/integrations", headers={"Origin": ORIGIN})),
    ("413", lambda s, c: c.post("/v2/integrations", raw=b" " * (1024 * 1024 + 10), headers={"Origin": ORIGIN})),
]


@pytest.mark.parametrize("name,call", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_allow_origin_on_every_response(server, client, name, call):
    r = call(server, client)
    assert r.headers.get("Access-Control-Allow-Origin") in (ORIGIN, "*"), (name, r.status_code, dict(r.headers))
