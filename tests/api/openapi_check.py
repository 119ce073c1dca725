"""Keeps openapi.json true: every answer integrationsd gives the test suites through `requests` is
checked against the document.

install() wraps requests.Session.send (requests.request and every Session go through it). An answer
from a server started by support.Server (its address is registered while it runs) is matched to its
operation: the method, and the path template the way the server's router picks it (literal
segments win over {captures}); then to its response: the exact status, else "default". Its
Content-Type must be one the response lists; a JSON body is validated with Draft 2020-12 against
the response's schema, $refs into components resolved in the document (one validator is built
per operation and response, and a body that passed is not checked again). An answer with no
operation must be the router's own 404 (no path) or 405 (another method), or a refusal of the HTTP
layer (HTTP_LAYER); an OPTIONS request the CORS preflight (204, no body). HEAD is checked as GET,
without a body; a streamed answer (stream=True, which no test uses) is not read.

A mismatch fails the test that received the answer: at once (an AssertionError out of the call)
when the main thread made the request, and in every case through take_problems(), which the
conftests' pytest_runtest_makereport hook reads (requests made on other threads).

Answers from anything else (webhook receivers, brokers, SQS) are left alone.
"""
import json
import os
import threading
from urllib.parse import unquote, urlsplit

import jsonschema
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DOCUMENT_PATH = os.path.join(REPO, "openapi.json")

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
HTTP_LAYER = {400, 408, 413, 414, 431}  # refused before any route runs (src/http/request_head.c, server.c)
ANNOTATIONS = {"description", "title", "examples", "$comment"}
MAX_SEGMENTS = 16  # the router's (src/http/router.c)

_lock = threading.Lock()
_servers = set()          # "127.0.0.1:port" of every integrationsd that is running
_problems = []            # mismatches not yet reported to a test
_validators = {}          # (method, template, response key, media type) -> validator, or None: no body check
_state = {}
_valid_bodies = set()     # (validator, body bytes) that passed: a body seen again is not checked again


def _document():
    if "doc" not in _state:
        with open(DOCUMENT_PATH, encoding="utf-8") as f:
            doc = json.load(f)
        _state["doc"] = doc
        _state["resolver"] = jsonschema.RefResolver(base_uri="", referrer=doc)
        _state["routes"] = [(template, _split(template)) for template in doc["paths"]]
    return _state["doc"]


def register(netloc):
    with _lock:
        _servers.add(netloc)


def unregister(netloc):
    with _lock:
        _servers.discard(netloc)


def take_problems():
    with _lock:
        got = list(_problems)
        _problems.clear()
    return got


# ---- matching ---------------------------------------------------------------------------------------

def _split(path):
    """The segments of a path as the router splits it: None when it has an empty inner segment."""
    if not path.startswith("/"):
        return None
    segs = path[1:].split("/")
    if segs and segs[-1] == "":
        segs.pop()  # a trailing slash
    if any(s == "" for s in segs) or len(segs) > MAX_SEGMENTS:
        return None
    return segs


def _is_capture(seg):
    return len(seg) >= 2 and seg[0] == "{" and seg[-1] == "}"


def match_template(path):
    """The document's path template the router would pick for `path` (literal segments earlier
    weigh more), or None."""
    _document()
    segs = _split(path)
    if segs is None:
        return None
    best, best_score = None, -1
    for template, pat in _state["routes"]:
        if pat is None or len(pat) != len(segs):
            continue
        score = 0
        for p, s in zip(pat, segs):
            score <<= 1
            if _is_capture(p):
                continue
            if p != s:
                score = -1
                break
            score |= 1
        if score > best_score:
            best, best_score = template, score
    return best


def _resolve(node):
    doc = _document()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json(media):
    return media == "application/json" or media.endswith("+json")


def _listed_media(content, media):
    """The key of `content` that covers `media` (exact, type/*, */*), or None."""
    if media in content:
        return media
    major = media.split("/", 1)[0]
    for key in (major + "/*", "*/*"):
        if key in content:
            return key
    return None


def _inline(node):
    """The schema with each plain {"$ref": "#/…"} replaced by its target (the document has no
    cycles): the validator then walks a tree instead of resolving a reference at every step."""
    if isinstance(node, list):
        return [_inline(n) for n in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"$ref"} and node["$ref"].startswith("#/"):
        ref = node["$ref"]
        if ref not in _inlined:
            _inlined[ref] = _inline(_resolve(node))
        return _inlined[ref]
    return {k: (_inline(v) if k not in ("const", "enum", "default", "examples") else v) for k, v in node.items()}


_inlined = {}


def _validator(key, schema):
    v = _validators.get(key, False)
    if v is False:
        target = _resolve(schema)
        if target is True or (isinstance(target, dict) and set(target) <= ANNOTATIONS):
            v = None  # any body at all (the sink answers as told): nothing to parse or check
        else:
            v = jsonschema.Draft202012Validator(_inline(schema), resolver=_state["resolver"])
        _validators[key] = v
    return v


def _schema_errors(validator, body):
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    out = []
    for e in errors[:5]:
        where = "/".join(str(p) for p in e.absolute_path) or "(the body)"
        schema_at = "/".join(str(p) for p in e.absolute_schema_path)
        out.append(f"at {where}: {e.message[:300]} (schema: {schema_at})")
    return out


def _json_body(r):
    try:
        return json.loads(r.content), None
    except ValueError as e:
        return None, f"the body is not JSON ({e}): {r.content[:200]!r}"


def _router_answer(r, method, path, expected, why):
    """An answer no operation covers must be the router's own error: `expected` (404: no path
    matches; 405: the path is known, the method is not), or one the HTTP layer gives before any
    route (HTTP_LAYER)."""
    status = r.status_code
    if status != expected and status not in HTTP_LAYER:
        return [f"{method} {path}: no operation of the document ({why}), and the answer is {status}, "
                f"not the router's {expected}"]
    if status == 405 and "Allow" not in r.headers:
        return [f"{method} {path}: a 405 without an Allow header"]
    if method == "HEAD":
        return []
    body, err = _json_body(r)
    if err:
        return [f"{method} {path} answered {status}: {err}"]
    v = _validator(("router",), {"$ref": "#/components/schemas/ErrorDocument"})
    errors = _schema_errors(v, body)
    if not errors and any(e["status"] != status for e in body["errors"]):
        errors = [f"an error's status is not {status}"]
    return [f"{method} {path} answered {status}: not the error document: {e}" for e in errors]


def check(r):
    """The problems of one answer, as text (empty: it is what the document says)."""
    _document()
    method = r.request.method.upper()
    path = unquote(urlsplit(r.request.url).path)
    status = r.status_code
    if method == "OPTIONS":  # the CORS preflight, answered before any route is looked up
        if status == 204 and not r.content:
            return []
        if status in HTTP_LAYER:
            return []
        return [f"an OPTIONS request is a preflight: 204 with no body, got {status} {r.content[:200]!r}"]
    template = match_template(path)
    if template is None:
        return _router_answer(r, method, path, 404, "no path matches")
    item = _state["doc"]["paths"][template]
    op_method = "get" if method == "HEAD" else method.lower()
    operation = item.get(op_method) if op_method in METHODS else None
    if operation is None:
        return _router_answer(r, method, path, 405, f"{template} has no {op_method}")
    responses = operation["responses"]
    key = str(status) if str(status) in responses else ("default" if "default" in responses else None)
    where = f"{method} {path} (operation {op_method} {template}) answered {status}"
    if key is None:
        return [f"{where}: the operation lists no such status and no default (it lists {sorted(responses)})"]
    response = _resolve(responses[key])
    content = response.get("content")
    media = _media_type(r.headers.get("Content-Type"))
    if not content:
        if r.content or (method != "HEAD" and media):
            return [f"{where}: the document gives response {key} no body, got {media!r} {r.content[:200]!r}"]
        return []
    listed = _listed_media(content, media)
    if listed is None:
        return [f"{where}: Content-Type {r.headers.get('Content-Type')!r} is not one of {sorted(content)} "
                f"(response {key})"]
    if method == "HEAD" or not _is_json(media):
        return []
    v = _validator((op_method, template, key, listed), content[listed].get("schema", {}))
    if v is None:
        return []
    seen_key = (id(v), r.content)
    if seen_key in _valid_bodies:  # the very same bytes passed this schema already
        return []
    body, err = _json_body(r)
    if err:
        return [f"{where}: {err}"]
    errors = _schema_errors(v, body)
    if not errors and status >= 400 and isinstance(body, dict) and isinstance(body.get("errors"), list):
        # what a schema cannot say of "default": every error carries the answer's own status
        errors = [f"at errors/{i}/status: {e.get('status')!r} is not the answer's status"
                  for i, e in enumerate(body["errors"]) if isinstance(e, dict) and e.get("status") != status]
    if not errors:
        with _lock:
            if len(_valid_bodies) >= 4096:
                _valid_bodies.clear()
            _valid_bodies.add(seen_key)
    return [f"{where}: the body does not match response {key}: {e}" for e in errors]


_original_send = requests.Session.send


def _checked_send(self, request, **kw):
    r = _original_send(self, request, **kw)
    netloc = urlsplit(request.url).netloc
    with _lock:
        ours = netloc in _servers
    if not ours or kw.get("stream"):
        return r
    problems = check(r)
    if problems:
        text = "openapi.json does not describe this answer:\n  " + "\n  ".join(problems)
        with _lock:
            _problems.append(text)
        if threading.current_thread() is threading.main_thread():
            raise AssertionError(text)
    return r


def install():
    if requests.Session.send is not _checked_send:
        requests.Session.send = _checked_send


def makereport_hook(call, rep):
    """For pytest_runtest_makereport: a passed test whose answers did not match fails."""
    problems = take_problems()
    if problems and rep.passed:
        rep.outcome = "failed"
        rep.longrepr = "\n".join(problems)
