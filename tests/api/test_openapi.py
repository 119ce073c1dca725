"""The server's own OpenAPI document (openapi.json, served at /emulator/v1/openapi.json): a valid
OpenAPI 3.1 document, served as it is. That it describes every answer the suites get is
openapi_check's work; that it names every route of the table, test_router's."""
import json
import os

import jsonschema
import pytest
import requests

import openapi_check
from support import REPO, errors_of

DOCUMENT = os.path.join(REPO, "openapi.json")
META_SCHEMA = os.path.join(REPO, "tests", "data", "openapi-3.1-schema.json")
PATH = "/emulator/v1/openapi.json"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def meta_validator():
    meta = load(META_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(meta)
    return jsonschema.Draft202012Validator(meta)


def test_the_document_is_openapi_3_1():
    doc = load(DOCUMENT)
    errors = sorted(meta_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:10])
    assert doc["openapi"].startswith("3.1.")


def test_the_meta_schema_rejects_what_is_not_openapi():
    """The check above has teeth: a small valid document passes, each broken copy of it fails."""
    v = meta_validator()

    def small():
        return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                "paths": {"/x": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                                         "responses": {"200": {"description": "ok"}}}}}}
    assert v.is_valid(small())
    bad = small()
    del bad["info"]["version"]
    assert not v.is_valid(bad)
    bad = small()
    bad["paths"]["/x"]["get"]["responses"]["200"] = {"content": {}}  # a response without its description
    assert not v.is_valid(bad)
    bad = small()
    bad["paths"]["/x"]["get"]["parameters"][0]["in"] = "body"
    assert not v.is_valid(bad)
    bad = small()
    bad["openapi"] = "3.0.3"
    assert not v.is_valid(bad)


def test_every_ref_resolves():
    doc = load(DOCUMENT)
    resolver = jsonschema.RefResolver(base_uri="", referrer=doc)

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                try:
                    resolver.resolve(node["$ref"])
                except jsonschema.RefResolutionError as e:
                    pytest.fail(f"{where}: {node['$ref']} does not resolve: {e}")
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")
    walk(doc, "#")


def test_served_as_it_is_without_a_token(server):
    with open(DOCUMENT, "rb") as f:
        want = f.read()
    r = server.request("GET", PATH)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"].split(";")[0].strip() == "application/json", r.headers["Content-Type"]
    assert r.content == want, "the served document differs from openapi.json: rebuild (make)"


def test_absent_under_no_emulator(make_server):
    srv = make_server(args=["--no-emulator"])
    (e,) = errors_of(srv.request("GET", PATH), 404)
    assert e["title"] == "Not Found"


def fake_answer(method, path, status, body=b"", content_type="application/json; charset=utf-8", headers=None):
    r = requests.Response()
    r.status_code = status
    r._content = body
    r.headers.update({"Content-Type": content_type} if content_type else {})
    r.headers.update(headers or {})
    r.request = requests.Request(method, "http://127.0.0.1:1" + path).prepare()
    return r


def test_the_answer_check_has_teeth():
    """openapi_check finds what the document does not describe, and passes what it does."""
    err = json.dumps({"errors": [{"status": 404, "title": "Not Found", "detail": "No route."}]}).encode()
    ok = [
        fake_answer("GET", "/health", 200, b'{"status":"ok"}'),
        fake_answer("GET", "/v2/nope", 404, err),
        fake_answer("PATCH", "/v2/integrations", 405, err.replace(b"404", b"405"), headers={"Allow": "GET, POST"}),
        fake_answer("OPTIONS", "/anything", 204, content_type=None),
        fake_answer("POST", "/emulator/v1/reset", 204, content_type=None),
        fake_answer("GET", "/v2/integrations/logs", 418,  # forced by Prefer: any status, the error envelope
                    json.dumps({"errors": [{"status": 418, "title": "Client Error", "detail": "x"}]}).encode()),
    ]
    for r in ok:
        assert openapi_check.check(r) == [], (r.request.method, r.request.url)
    bad = [
        fake_answer("GET", "/health", 200, b'{"status":"ok","extra":1}'),          # additionalProperties
        fake_answer("GET", "/health", 201, b'{"status":"ok"}'),                    # a status not listed
        fake_answer("GET", "/v2/nope", 200, b'{}'),                                # no operation
        fake_answer("GET", "/emulator/v1/faults", 418, err),                      # no such status, no default
        fake_answer("GET", "/v2/integrations/attributes", 200, b'{"data":[]}'),   # meta missing
        fake_answer("GET", "/health", 200, b'{"status":"ok"}', "text/plain"),      # content type
        fake_answer("POST", "/emulator/v1/reset", 204, b'{}'),                     # a body where none is
        fake_answer("GET", "/v2/integrations/logs", 404, err.replace(b"404", b"400")),  # status in the body
    ]
    for r in bad:
        assert openapi_check.check(r), (r.request.method, r.request.url, r.status_code, r.content)
    (problem,) = openapi_check.check(bad[0])
    assert "GET /health" in problem and "200" in problem and "extra" in problem, problem
