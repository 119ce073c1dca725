"""§9 'SIGTERM/SIGINT: stop accepting, finish the requests in flight, … exit 0'."""
import json
import signal
import socket
import time

import pytest

from support import valid_data


def read_answer(sock, timeout=10.0):
    sock.settimeout(timeout)
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_request_in_flight_is_finished_and_new_ones_refused(make_server, sig):
    srv = make_server()
    c = srv.client()
    body = json.dumps({"data": valid_data(name="in flight")}).encode()
    head = (f"POST /v2/integrations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {c.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", srv.port))
    try:
        sock.sendall(head + body[:10])         # the request has begun: headers and part of the body
        time.sleep(0.3)
        srv.proc.send_signal(sig)
        time.sleep(0.3)
        with pytest.raises(OSError):           # no longer accepting
            socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()
        sock.sendall(body[10:])
        answer = read_answer(sock)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 201"), answer[:300]
    created = json.loads(answer.split(b"\r\n\r\n", 1)[1])["data"]
    assert srv.proc.wait(timeout=10) == 0
    srv.stop()                                 # collects the exit status, checks stderr
    srv.start()                                # the answered create was kept
    r = srv.client(c.client_id, c.secret).get(f"/v2/integrations/{created['id']}")
    assert r.status_code == 200 and r.json()["data"]["name"] == "in flight"


def test_idle_keep_alive_connections_do_not_delay_shutdown(make_server):
    srv = make_server()
    c = srv.client()
    sock = socket.create_connection(("127.0.0.1", srv.port))
    try:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")   # answered; the connection stays open
        t0 = time.monotonic()
        assert srv.stop() == 0
        assert time.monotonic() - t0 < 3, "shutdown waited for an idle connection"
        srv.exit_codes.clear()
    finally:
        sock.close()
    assert c.token


def test_a_stalled_request_does_not_hold_shutdown(make_server):
    """A client that stops mid-request (or vanished without closing) gets a short grace only."""
    srv = make_server()
    c = srv.client()
    sock = socket.create_connection(("127.0.0.1", srv.port))
    try:
        sock.sendall((f"POST /v2/integrations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {c.token}\r\n"
                      f"Content-Length: 100\r\n\r\n{{\"data\"").encode())
        time.sleep(0.3)
        t0 = time.monotonic()
        assert srv.stop() == 0
        assert time.monotonic() - t0 < 6, "shutdown waited too long for a stalled request"
        srv.exit_codes.clear()
    finally:
        sock.close()
