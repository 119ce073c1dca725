"""Limits against hostile or careless clients: deadlines that trickling cannot extend, idle
connections closed first when connections run short, and the sizes of credentials, stores and
texts, each refused with a JSON error that names its flag."""
import json
import socket
import time

import pytest

from support import one_error, valid_data


def open_trickling(port, first=b"GET /health HTTP/1.1\r\nHost: x\r\n"):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(first)
    return s


def read_all(sock, limit_s):
    """Everything the server sends until it closes the connection (or limit_s passes)."""
    sock.settimeout(limit_s)
    out = b""
    try:
        while True:
            d = sock.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def is_closed(sock, wait_s):
    """True when the server closed the connection within wait_s without sending anything more."""
    sock.settimeout(wait_s)
    try:
        return sock.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def test_trickled_headers_get_408_at_the_header_deadline(make_server):
    s = make_server(["--header-timeout", "1"])
    sock = open_trickling(s.port)
    started = time.monotonic()
    answer = b""
    sock.settimeout(0.1)
    while time.monotonic() - started < 5:  # a byte every 0.1 s: each would reset an idle timer
        try:
            sock.send(b"a")
        except OSError:
            break
        try:
            d = sock.recv(4096)
            if not d:
                break
            answer += d
        except socket.timeout:
            pass
    answer += read_all(sock, 1)
    sock.close()
    assert time.monotonic() - started < 4, "trickling extended the header deadline"
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:200]
    assert "--header-timeout" in json.loads(body)["errors"][0]["detail"]
    assert s.request("GET", "/health").status_code == 200


def test_trickled_body_gets_408_at_the_body_deadline(make_server):
    s = make_server(["--body-timeout", "1"])
    tok = s.token()
    sock = open_trickling(s.port, b"POST /v2/integrations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          tok.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
    started = time.monotonic()
    for _ in range(30):
        try:
            sock.send(b" ")
        except OSError:
            break
        time.sleep(0.1)
    answer = read_all(sock, 2)
    sock.close()
    assert time.monotonic() - started < 5
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"--body-timeout" in answer


def test_idle_keep_alive_connection_closed_after_idle_timeout(make_server):
    s = make_server(["--idle-timeout", "1"])
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    assert is_closed(sock, 4)
    assert 0.5 < time.monotonic() - started < 3.5
    sock.close()


def test_idle_connections_make_room_when_connections_run_short(make_server):
    """With --max-connections 10, nine idle keep-alive connections do not lock a tenth client
    out: the oldest idle ones are closed to make room."""
    s = make_server(["--max-connections", "10"])
    idle = []
    for _ in range(9):
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        idle.append(sock)
    for _ in range(5):
        r = s.request("GET", "/health", timeout=3)
        assert r.status_code == 200
    closed = [is_closed(sock, 0.3) for sock in idle]
    assert closed[0], "the oldest idle connection should go first"
    assert not all(closed), "every idle connection was closed, not only enough to make room"
    for sock in idle:
        sock.close()


def test_a_thousand_trickling_connections_do_not_lock_others_out(make_server):
    """1 000 connections that have sent part of their headers: every normal request still gets
    its answer (a limit of 1 000 connections once made most of them wait 30 s)."""
    s = make_server()
    slow = []
    try:
        for _ in range(1000):
            slow.append(open_trickling(s.port, b"GET /health HTTP/1.1\r\nHo"))
        for _ in range(20):
            assert s.request("GET", "/health", timeout=2).status_code == 200
    finally:
        for sock in slow:
            sock.close()


def test_credentials_longer_than_the_limit(make_server):
    s = make_server(["--max-credential-length", "10"])
    assert s.token_response("a" * 10, "b" * 10).status_code == 200
    r = s.token_response("a" * 11, "b")
    one_error(r, 401, "Unauthorized")
    assert "--max-credential-length" in r.json()["errors"][0]["detail"]
    r = s.token_response("c", "é" * 11)
    one_error(r, 401, "Unauthorized")
    assert r.json()["errors"][0]["detail"].startswith("client_secret is longer than 10")
    assert s.token_response("d", "é" * 10).status_code == 200  # characters, not bytes


def test_open_mode_store_limit(make_server):
    s = make_server(["--max-stores", "2"])
    assert s.token_response("one", "x").status_code == 200
    assert s.token_response("two", "x").status_code == 200
    r = s.token_response("three", "x")
    one_error(r, 401, "Unauthorized")
    assert "--max-stores" in r.json()["errors"][0]["detail"]
    assert s.token_response("one", "x").status_code == 200  # a client it holds still gets tokens


def test_text_length_flag(make_server):
    s = make_server(["--max-text-length", "5"])
    c = s.client()
    r = c.post("/v2/integrations", {"data": valid_data(name="abcdef", description="short")})
    err = one_error(r, 400)
    assert err["title"] == "String is too long (6 chars), maximum 5" and err["source"] == "data.name", err
    assert "--max-text-length" in err["detail"]
    assert c.post("/v2/integrations", {"data": valid_data(name="abcde", description="ééééé")}).status_code == 201


def test_idle_connections_past_the_limit_are_closed_oldest_first(make_server):
    """An idle keep-alive connection keeps the memory its request used: past
    --max-idle-connections the oldest idle one is closed."""
    s = make_server(["--max-idle-connections", "3"])
    socks = []
    for _ in range(5):
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        socks.append(sock)
    assert [is_closed(sock, 0.3) for sock in socks] == [True, True, False, False, False]
    for sock in socks[2:]:  # the three kept still serve
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    for sock in socks:
        sock.close()
