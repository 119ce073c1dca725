"""Raw HTTP over a socket: malformed and unusual requests (§1: JSON bodies only, server stays up)."""
import http.client
import io
import json
import socket

import pytest

from support import JSON_CT, valid_data

AUTH = b"Authorization: Bearer {token}\r\n"
CREATE_DOC = json.dumps({"data": valid_data()}).encode()


class _KeptFile(io.BufferedReader):
    """One buffered reader shared by successive responses; http.client must not close it."""

    def close(self):
        pass


class _SockShim:
    def __init__(self, f):
        self._f = f

    def makefile(self, *args, **kw):
        return self._f


def exchange(port, data, read_timeout=3.0, close_write=False):
    """Send raw bytes; return the list of (status, headers, body) answered before the server
    closed the connection or went quiet (100 Continue is skipped by http.client)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    answers = []
    try:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        shim = _SockShim(_KeptFile(socket.SocketIO(sock, "rb")))
        while True:
            resp = http.client.HTTPResponse(shim)
            try:
                resp.begin()
                body = resp.read()
            except (http.client.RemoteDisconnected, http.client.BadStatusLine,
                    http.client.IncompleteRead, ConnectionResetError, socket.timeout):
                break
            answers.append((resp.status, resp.headers, body))
            if resp.will_close:
                break
    finally:
        sock.close()
    return answers


# (id, raw request, allowed statuses of the first answer, None = no answer is also fine)
RAW_CASES = [
    ("http10-no-host", b"GET /health HTTP/1.0\r\n\r\n", {200}),
    ("http11-no-host", b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n", {400}),
    ("two-hosts", b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", {400}),
    ("host-not-utf8", b"GET /v2/integrations HTTP/1.1\r\nHost: \xff\r\n" + AUTH + b"Connection: close\r\n\r\n",
     {400}),
    ("host-with-space", b"GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n", {400}),
    # framings two parties could read differently: each would store an integration if accepted
    ("two-content-lengths", b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: " +
     str(len(CREATE_DOC)).encode() + b"\r\nContent-Length: 5\r\nConnection: close\r\n\r\n" + CREATE_DOC, {400}),
    ("length-and-chunked", b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\n" + AUTH +
     b"Content-Length: 7\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
     b"%x\r\n" % len(CREATE_DOC) + CREATE_DOC + b"\r\n0\r\n\r\n", {400}),
    ("500-query-parameters", b"GET /v2/integrations?" + b"&".join(b"p%d=1" % i for i in range(500)) +
     b" HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Connection: close\r\n\r\n", {200}),
    ("url-over-the-limit", b"GET /health?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     {414}),
    ("headers-over-the-limit", b"GET /health HTTP/1.1\r\nHost: x\r\n" +
     b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(180)) + b"Connection: close\r\n\r\n", {431}),
    ("huge-body-announced", b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\n" + AUTH +
     b"Content-Length: 1000000000000\r\n\r\n" + b"a" * 1000, {413}),
    ("http10-list", b"GET /v2/integrations HTTP/1.0\r\n" + AUTH + b"\r\n", {200}),
    ("garbage-line", b"BLAH\r\n\r\n", {400, None}),
    ("bad-version", b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n", {400, 505}),
    ("header-without-colon", b"GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n",
     {400}),
    ("long-url", b"GET /v2/" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     {414}),
    ("huge-header", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 24000 +
     b"\r\nConnection: close\r\n\r\n", {431}),
    ("url-beyond-the-room", b"GET /v2/" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     {414}),
    ("head-beyond-the-room", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 +
     b"\r\nConnection: close\r\n\r\n", {431}),
    ("bad-content-length", b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\n" + AUTH +
     b"Content-Length: abc\r\nConnection: close\r\n\r\n{}", {400}),
    ("bad-chunk-size", b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\n" + AUTH +
     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", {400}),
    ("body-shorter-than-length", b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\n" + AUTH +
     b"Content-Length: 100\r\n\r\n{\"data\"", {400, None}),
    ("truncated-request-line", b"GET /hea", {400, None}),
    ("expect-100-continue", b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\n" + AUTH +
     b"Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", {400}),
    ("percent-zz", b"GET /v2/integrations/%zz HTTP/1.1\r\nHost: x\r\n" + AUTH +
     b"Connection: close\r\n\r\n", {404}),
]

HALF_CLOSED = ("truncated-request-line", "body-shorter-than-length")


def _send(server, client, name, raw):
    """Cases in HALF_CLOSED end the request stream early (shutdown of our write side); the server
    may then keep the connection until its own timeout, so do not wait long for an answer."""
    data = raw.replace(b"{token}", client.token.encode())
    half = name in HALF_CLOSED
    return exchange(server.port, data, read_timeout=1.0 if half else 3.0, close_write=half)


@pytest.mark.parametrize("name,raw,statuses", RAW_CASES, ids=[c[0] for c in RAW_CASES])
def test_raw_request_answered_and_server_survives(server, client, name, raw, statuses):
    answers = _send(server, client, name, raw)
    assert server.request("GET", "/health").status_code == 200
    assert client.get("/v2/integrations").status_code == 200
    if not answers:
        assert None in statuses, f"no answer at all, expected one of {statuses}"
        return
    status, headers, body = answers[0]
    assert status in statuses, (status, body[:300])


# Refused by libmicrohttpd itself before any handler runs (malformed HTTP framing or request line,
# a head beyond the room its connection memory gives, about 30 KiB): it answers with its own fixed
# HTML page. The README documents this exception to §1; the cases above still prove the status and
# that the server survives. A URL over 8 KiB or headers over 16 KiB within that room are the
# server's own JSON 414 and 431.
LIBRARY_ANSWERED = ("bad-version", "header-without-colon", "url-beyond-the-room", "head-beyond-the-room",
                    "bad-content-length", "bad-chunk-size")
ANSWERED = [c for c in RAW_CASES if c[0] not in HALF_CLOSED + LIBRARY_ANSWERED]


@pytest.mark.parametrize("name,raw,statuses", ANSWERED, ids=[c[0] for c in ANSWERED])
def test_raw_request_answer_body_is_json(server, client, name, raw, statuses):
    """§1: 'Every body is JSON ... Never HTML or plain text' — also for HTTP-level errors."""
    answers = _send(server, client, name, raw)
    for status, headers, body in answers:
        if not body:
            continue
        assert headers.get("Content-Type") == JSON_CT, \
            f"{status} answered with Content-Type {headers.get('Content-Type')!r}: {body[:200]!r}"
        doc = json.loads(body)
        if status >= 400:
            assert doc["errors"][0]["status"] == status, doc


def test_pipelined_requests(server, client):
    tok = client.token.encode()
    data = (b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /v2/integrations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok + b"\r\n\r\n"
            b"GET /v2/nope HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
            b"\r\nConnection: close\r\n\r\n")
    answers = exchange(server.port, data)
    assert [a[0] for a in answers] == [200, 200, 404]
    assert json.loads(answers[0][2]) == {"status": "ok"}
    assert json.loads(answers[1][2])["data"] == []
    assert json.loads(answers[2][2])["errors"][0]["detail"] == "No route for GET /v2/nope"


def test_links_without_host_header_use_bind_address(server, client):
    iid = client.create()["id"]
    answers = exchange(server.port, b"GET /v2/integrations/" + iid.encode() + b" HTTP/1.0\r\n" +
                       b"Authorization: Bearer " + client.token.encode() + b"\r\n\r\n")
    assert answers and answers[0][0] == 200
    assert json.loads(answers[0][2])["data"]["links"]["self"] == f"{server.base}/v2/integrations/{iid}"


@pytest.mark.parametrize("suffix", ["%00", "%00x", "%00/logs"])
def test_nul_byte_in_id_is_not_the_id(client, suffix):
    """`<id>%00x` is not a UUID: §4 'A malformed id (not a UUID) is also 404' (no C-string cut)."""
    iid = client.create()["id"]
    path = f"/v2/integrations/{iid}{suffix}"
    r = client.get(path)
    assert r.status_code == 404, (r.status_code, r.text[:200])
    # /{id}/logs is GET-only: PUT and DELETE there are 405 whatever the id; never the integration
    refused = (404, 405) if suffix.endswith("/logs") else (404,)
    r = client.put(path, {"data": {"type": "integration", "name": "nul"}})
    assert r.status_code in refused, (r.status_code, r.text[:200])
    r = client.delete(path)
    assert r.status_code in refused, (r.status_code, r.text[:200])
    d = client.get(f"/v2/integrations/{iid}").json()["data"]
    assert d["name"] == valid_data()["name"]


def test_nul_byte_in_collection_path(client):
    r = client.get("/v2/integrations/%00")
    assert r.status_code == 404 and r.json()["errors"][0]["title"] == "Integration not found", r.text[:200]
    r = client.post("/v2/integrations%00x", {"data": valid_data()})
    assert r.status_code == 404, (r.status_code, r.text[:200])
    assert client.get("/v2/integrations").json()["results"]["total"] == 0


def test_huge_body_announced_is_refused_before_it_is_read(server, client):
    """A declared 10^12-byte body without Expect: 100-continue gets its 413 at once, without the
    server reading (and discarding) what follows; the connection is then closed."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=3)
    try:
        sock.sendall(b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                     client.token.encode() + b"\r\nContent-Length: 1000000000000\r\n\r\n")
        head = sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert b"larger than the limit of" in head or b"larger than the limit of" in sock.recv(65536)
    finally:
        sock.close()
    assert client.get("/v2/integrations").json()["results"]["total"] == 0


def test_bad_host_stores_nothing(server, client):
    """A Host the answer's links could not be built from is refused before the create runs: the
    integration is not stored behind an answer the client cannot read."""
    body = json.dumps({"data": valid_data()}).encode()
    answers = exchange(server.port, b"POST /v2/integrations HTTP/1.1\r\nHost: \xff\r\nAuthorization: Bearer " +
                       client.token.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: " +
                       str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    assert [a[0] for a in answers] == [400]
    assert json.loads(answers[0][2])["errors"][0]["detail"].startswith("The Host header is not")
    assert client.get("/v2/integrations").json()["results"]["total"] == 0
