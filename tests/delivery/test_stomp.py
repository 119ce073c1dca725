"""§7.3 STOMP delivery against a real broker (Debian's ActiveMQ, started once per module).

Everything goes through the API: a stomp integration is created, the emulator raises the event,
and a test-side STOMP consumer reads the message back from the queue. The logs of the job are read
through the API too. A scripted fake broker shows the frames on the wire, and a TLS forwarder
with a certificate for another name checks host-name verification. Peers only on 127.0.0.1 /
localhost; the broker is stopped by PID. Helpers: tests/peers/stomp/ (Debian package `activemq`).
"""
import json
import os
import re
import socket
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from dsupport import check_log, emit, hook, job_for, job_logs, wait_logs
from support import TS_RE, UUID4_RE

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers", "stomp"))
from stomp_broker import FORBIDDEN_PREFIX, QUEUE_PREFIX, Broker, closed_port  # noqa: E402
from stomp_client import StompClient, StompError  # noqa: E402
from stomp_fake_broker import CLOSE, FakeBroker, frame, polite  # noqa: E402
from stomp_tls_proxy import TlsProxy, make_cert  # noqa: E402

SCHEDULE = "0,0.3,0.6"          # three attempts
TIMEOUT = "5"
QUIET = 0.8                     # longer than any gap of SCHEDULE: no further attempt may come
WAIT = 10.0
CE_KEYS = {"specversion", "id", "type", "source", "time", "datacontenttype", "integrationid",
           "storeid", "data"}
CERT_VERIFY_RE = re.compile(r"(?i)certificate.*verif|verif.*certificate")


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    b = Broker(tmp_path_factory.mktemp("activemq"))
    b.start()
    yield b
    b.stop()


@pytest.fixture
def fake_broker():
    made = []

    def make(answer=polite):
        f = FakeBroker(answer)
        made.append(f)
        return f

    yield make
    for f in made:
        f.close()


@pytest.fixture
def consumers(broker):
    """Factory of subscribed consumers; all are closed at teardown."""
    made = []

    def make(destination, tls=False):
        c = broker.client(tls=tls)
        made.append(c)
        c.subscribe(destination)
        return c

    yield make
    for c in made:
        c.close()


def stomp_server(make_server, ca_file=None, schedule=SCHEDULE, timeout=TIMEOUT, extra=()):
    args = list(extra)
    if ca_file:
        args += ["--stomp-ca-file", str(ca_file)]
    return make_server(schedule=schedule, timeout=timeout, extra=args)


def queue():
    return f"{QUEUE_PREFIX}{uuid.uuid4()}"


def stomp_integration(addresses, destination, username="moltin", password="s3cret",
                      observes=("order.fulfilled",), name="Broker feed"):
    cfg = {"addresses": list(addresses), "destination": destination}
    if username is not None:
        cfg["username"] = username
    if password is not None:
        cfg["password"] = password
    return {"type": "integration", "integration_type": "stomp", "name": name,
            "description": "Events to the message broker", "enabled": True,
            "configuration": cfg, "observes": list(observes)}


def parse_ts(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def check_message(msg, destination, job, trigger, integration_id, source, before, after):
    """The MESSAGE frame of one delivery: headers of §7.3, body = the CloudEvent of §7.2."""
    h = msg.headers
    assert h.get("destination") == destination, h
    assert h.get("content-type") == "application/json", h
    assert h.get("persistent") == "true", h
    # the SEND carried content-length (ActiveMQ then keeps the body as bytes and reports it back)
    assert h.get("content-length") == str(len(msg.body)), h
    ce = json.loads(msg.body.decode("utf-8"))
    assert isinstance(ce, dict) and set(ce) == CE_KEYS, f"CloudEvent keys: {sorted(ce)}"
    assert ce["specversion"] == "1.0", ce
    assert ce["id"] == job, ce
    assert ce["type"] == trigger, ce
    assert ce["source"] == source, ce
    assert ce["datacontenttype"] == "application/json", ce
    assert ce["integrationid"] == integration_id, ce
    assert isinstance(ce["storeid"], str) and UUID4_RE.match(ce["storeid"]), ce
    assert isinstance(ce["time"], str) and TS_RE.match(ce["time"]), ce
    t = parse_ts(ce["time"])
    slack = timedelta(seconds=2)
    assert before - slack <= t <= after + slack, f"time {ce['time']} not between {before} and {after}"
    return ce


def now():
    return datetime.now(timezone.utc)


def ok_log(log, integration_id, job, attempt=1):
    check_log(log, integration_id, job)
    assert (log["attempt"], log["succeeded"], log["status_code"], log["error_detail"], log["body"]) \
        == (attempt, True, None, "", ""), log


def failed_logs(c, integration_id, job, n=3):
    """Wait for the `n` attempts of the schedule, check there is no further one; oldest first."""
    got = wait_logs(c, integration_id, job, n)
    time.sleep(QUIET)
    got = job_logs(c, integration_id, job)
    assert [l["attempt"] for l in got] == list(range(n, 0, -1)), f"attempts (newest first): {got}"
    for log in got:
        check_log(log, integration_id, job)
        assert log["succeeded"] is False and log["status_code"] is None, log
        assert log["error_detail"], log
    return list(reversed(got))


# -- broker and consumer on their own (no server involved) -----------------------------------------
def test_broker_and_consumer_round_trip(broker, consumers):
    q = queue()
    sub = consumers(q)
    for tls in (False, True):
        p = broker.client(tls=tls)
        p.send(q, b'{"hello":1}', {"content-type": "application/json", "persistent": "true"}, receipt="r")
        p.close()
        m = sub.receive(WAIT)
        assert m.body == b'{"hello":1}' and m.headers["persistent"] == "true", m
    with pytest.raises(StompError) as e:
        broker.client(passcode="wrong")
    assert "invalid" in e.value.frame.headers["message"], e.value.frame
    with pytest.raises(OSError, match="(?i)certificate verify failed"):
        StompClient("127.0.0.1", broker.tls_port, tls_ca="/etc/ssl/certs/ca-certificates.crt",
                    server_hostname="localhost")


# -- plain STOMP ----------------------------------------------------------------------------------
def test_plain_delivery_is_the_cloudevent(make_server, broker, consumers, receiver):
    srv = stomp_server(make_server)
    c = srv.client()
    q = queue()
    sub = consumers(q)
    it = c.create(stomp_integration([broker.address()], q))
    assert it["configuration"] == {"addresses": [broker.address()], "destination": q,
                                   "username": "moltin", "password": "**cret"}, it
    web = c.create(hook(receiver, "/same-event"))      # the same event as a webhook, to compare
    before = now()
    ev = emit(c, "order.fulfilled")
    job = job_for(ev, it["id"])
    msg = sub.receive(WAIT)
    ce = check_message(msg, q, job, "order.fulfilled", it["id"], srv.base, before, now())
    # data = payload.data: the emulator's sample order, as the webhook delivery of the event shows it
    assert isinstance(ce["data"], dict) and ce["data"].get("type") == "order", ce
    assert UUID4_RE.match(ce["data"].get("id") or ""), ce
    (w,) = receiver.wait_for(1, "/same-event")
    assert w.json["id"] == job_for(ev, web["id"])
    assert w.json["payload"] == {"data": ce["data"]}, (w.json, ce)
    assert w.json["store_id"] == ce["storeid"], (w.json, ce)

    (log,) = wait_logs(c, it["id"], job, 1)
    ok_log(log, it["id"], job)
    sub.receive_none(QUIET)                                 # exactly one message ...
    assert len(job_logs(c, it["id"], job)) == 1             # ... and one attempt
    # the emulator's wire journal: the SEND frame and the broker's RECEIPT
    (rec,) = c.get("/emulator/v1/deliveries", params={"job_id": job}).json()["data"]
    assert rec["transport"] == "stomp" and rec["succeeded"] is True and rec["id"] == log["id"]
    assert rec["request"]["method"] == "SEND" and rec["request"]["url"] == broker.address()
    assert rec["request"]["headers"]["destination"] == q
    assert rec["request"]["headers"]["receipt"] == f"{job}-1"
    assert json.loads(rec["request"]["body"])["id"] == job
    assert rec["response"]["status"] is None and rec["response"]["headers"]["command"] == "RECEIPT"
    assert rec["response"]["headers"]["receipt-id"] == f"{job}-1"


def test_explicit_payload_deleted_trigger_and_public_url(make_server, broker, consumers):
    public = "https://shop.example.test"
    srv = stomp_server(make_server, extra=["--public-url", public])
    c = srv.client()
    q = queue()
    sub = consumers(q)
    it = c.create(stomp_integration([broker.address()], q, observes=["order.fulfilled", "product.deleted"]))

    order = {"data": {"type": "order", "id": str(uuid.uuid4()), "status": "complete",
                      "meta": {"display_price": {"with_tax": {"amount": 1000, "currency": "USD"}}},
                      "note": "ünïcödé \"quoted\" \\ / \n"}}
    before = now()
    job1 = job_for(emit(c, "order.fulfilled", order), it["id"])
    m1 = sub.receive(WAIT)
    ce1 = check_message(m1, q, job1, "order.fulfilled", it["id"], public, before, now())
    assert ce1["data"] == order["data"], ce1

    before = now()
    job2 = job_for(emit(c, "product.deleted"), it["id"])
    m2 = sub.receive(WAIT)
    ce2 = check_message(m2, q, job2, "product.deleted", it["id"], public, before, now())
    assert set(ce2["data"]) == {"id", "type"} and ce2["data"]["type"] == "product", ce2
    assert UUID4_RE.match(ce2["data"]["id"]), ce2
    assert ce1["storeid"] == ce2["storeid"], "one store, one storeid"
    for job in (job1, job2):
        (log,) = wait_logs(c, it["id"], job, 1)
        ok_log(log, it["id"], job)


def test_destination_header_is_escaped(make_server, broker, consumers):
    """STOMP 1.2 escaping of SEND headers: a literal backslash-c in the destination must stay one
    (sent unescaped, the broker would read `\\c` as ':' and fill another queue)."""
    srv = stomp_server(make_server)
    c = srv.client()
    u = uuid.uuid4()
    literal, colon = f"{QUEUE_PREFIX}esc-\\c-{u}", f"{QUEUE_PREFIX}esc-:-{u}"
    sub, wrong = consumers(literal), consumers(colon)
    it = c.create(stomp_integration([broker.address()], literal))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    msg = sub.receive(WAIT)
    assert json.loads(msg.body)["id"] == job
    (log,) = wait_logs(c, it["id"], job, 1)
    ok_log(log, it["id"], job)
    wrong.receive_none(0.2)


# -- TLS ------------------------------------------------------------------------------------------
def test_tls_with_ca_file(make_server, broker, consumers):
    srv = stomp_server(make_server, ca_file=broker.cert)
    c = srv.client()
    cases = []
    for host in ("localhost", "127.0.0.1"):        # DNS and IP subjectAltName
        q = queue()
        sub = consumers(q)
        it = c.create(stomp_integration([broker.tls_address(host)], q))
        cases.append((q, sub, it))
    before = now()
    ev = emit(c, "order.fulfilled")
    for q, sub, it in cases:
        job = job_for(ev, it["id"])
        msg = sub.receive(WAIT)
        check_message(msg, q, job, "order.fulfilled", it["id"], srv.base, before, now())
        (log,) = wait_logs(c, it["id"], job, 1)
        ok_log(log, it["id"], job)


def test_tls_without_ca_file_fails_verification(make_server, broker, consumers):
    srv = stomp_server(make_server)
    c = srv.client()
    q = queue()
    sub = consumers(q)
    it = c.create(stomp_integration([broker.tls_address("localhost")], q))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    for log in failed_logs(c, it["id"], job):
        assert CERT_VERIFY_RE.search(log["error_detail"]), log
        assert log["body"] == "", log
    sub.receive_none(0.2)


def test_tls_host_name_is_verified(make_server, broker, consumers, tmp_path):
    """A trusted certificate for another name is refused (host-name verification), while a CA
    file holding several certificates trusts each of them."""
    other_cert, other_key = make_cert(str(tmp_path), "elsewhere", "DNS:elsewhere.invalid")
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(open(other_cert).read() + open(broker.cert).read())
    proxy = TlsProxy(other_cert, other_key, broker.port)
    try:
        # the proxy itself works for a client that dials the certificate's name
        own = StompClient("127.0.0.1", proxy.port, tls_ca=other_cert, server_hostname="elsewhere.invalid")
        own.connect("moltin", "s3cret")
        own.close()

        srv = stomp_server(make_server, ca_file=bundle)
        c = srv.client()
        good_q = queue()
        good_sub = consumers(good_q)
        good = c.create(stomp_integration([broker.tls_address("localhost")], good_q))
        bad = []
        for host in ("localhost", "127.0.0.1"):        # a DNS name and an IP address not in the cert
            q = queue()
            bad.append((consumers(q), c.create(stomp_integration([f"stomp+ssl://{host}:{proxy.port}"], q))))
        ev = emit(c, "order.fulfilled")
        good_job = job_for(ev, good["id"])
        assert json.loads(good_sub.receive(WAIT).body)["id"] == good_job   # 2nd cert of the bundle
        (log,) = wait_logs(c, good["id"], good_job, 1)
        ok_log(log, good["id"], good_job)
        for sub, it in bad:
            for log in failed_logs(c, it["id"], job_for(ev, it["id"])):
                assert re.search(r"(?i)host|name|verif|certificate", log["error_detail"]), log
            sub.receive_none(0.2)
        assert proxy.handshakes_failed >= 6, "the server gave up before the TLS handshake"
    finally:
        proxy.close()


# -- failures -------------------------------------------------------------------------------------
def test_wrong_password_logs_the_error_frame(make_server, broker, consumers):
    with pytest.raises(StompError) as e:           # what the broker answers to this login
        broker.client(passcode="not-the-password")
    error = e.value.frame
    assert error.headers.get("message"), error

    srv = stomp_server(make_server)
    c = srv.client()
    q = queue()
    sub = consumers(q)
    it = c.create(stomp_integration([broker.address()], q, password="not-the-password"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    for log in failed_logs(c, it["id"], job):
        assert log["error_detail"] == error.headers["message"], log
        assert log["body"] == error.body.decode(), log
        assert "not-the-password" not in json.dumps(log), "the password leaked into a log"
    sub.receive_none(0.2)


def test_error_frame_after_send_fails_the_attempt(make_server, broker):
    """The broker refuses the SEND (no write permission on the queue): the ERROR frame that answers
    it fails the attempt. ActiveMQ escapes the ':' of that message header (`\\c`): the log holds the
    unescaped text."""
    q = f"{FORBIDDEN_PREFIX}{uuid.uuid4()}"
    p = broker.client()
    with pytest.raises(StompError) as e:           # what the broker answers to this SEND
        p.send(q, b"{}", {"content-type": "application/json"}, receipt="r")
    p.close()
    error = e.value.frame
    assert ":" in error.headers.get("message", ""), error

    srv = stomp_server(make_server)
    c = srv.client()
    it = c.create(stomp_integration([broker.address()], q))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    for log in failed_logs(c, it["id"], job):
        assert log["error_detail"] == error.headers["message"], log
        assert log["body"] == error.body.decode(), log


def test_failover_to_the_next_address_in_one_attempt(make_server, broker, consumers):
    srv = stomp_server(make_server)
    c = srv.client()
    q = queue()
    sub = consumers(q)
    addresses = [f"stomp://127.0.0.1:{closed_port()}", broker.address()]
    it = c.create(stomp_integration(addresses, q))
    before = now()
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    msg = sub.receive(WAIT)
    check_message(msg, q, job, "order.fulfilled", it["id"], srv.base, before, now())
    (log,) = wait_logs(c, it["id"], job, 1)
    ok_log(log, it["id"], job)
    sub.receive_none(QUIET)
    assert len(job_logs(c, it["id"], job)) == 1


def test_all_addresses_down_fails_and_retries_per_schedule(make_server):
    srv = stomp_server(make_server)
    c = srv.client()
    p1, p2 = closed_port(), closed_port()
    it = c.create(stomp_integration([f"stomp://127.0.0.1:{p1}", f"stomp+ssl://localhost:{p2}"], queue()))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    for log in failed_logs(c, it["id"], job, 3):
        assert re.search(r"(?i)refused", log["error_detail"]), log
        assert log["body"] == "", log


def test_silent_broker_times_out(make_server):
    """A peer that accepts the TCP connection but never answers CONNECT: the attempt ends after
    --delivery-timeout with the §7 timeout text."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)                     # never accepted: the kernel completes the handshake
        srv = stomp_server(make_server, schedule="0", timeout="1")
        c = srv.client()
        it = c.create(stomp_integration([f"stomp://127.0.0.1:{silent.getsockname()[1]}"], queue()))
        job = job_for(emit(c, "order.fulfilled"), it["id"])
        (log,) = failed_logs(c, it["id"], job, 1)
        assert log["error_detail"] == "Request timed out after 1s", log
        assert log["body"] == "", log


# -- the wire, seen by a scripted fake broker -------------------------------------------------------
def test_frames_on_the_wire(make_server, fake_broker):
    """CONNECT and SEND headers of §7.3, login/passcode only when set, DISCONNECT after the RECEIPT;
    heart-beat EOLs and a RECEIPT for another id before ours are skipped."""
    def answer(f):
        if f.command == "CONNECT":
            return b"\n\r\n" + frame("CONNECTED", [("version", "1.2")]) + b"\n"
        if f.command == "SEND":
            return (b"\n" + frame("RECEIPT", [("receipt-id", "someone-else")]) + b"\n\n"
                    + frame("RECEIPT", [("receipt-id", f.headers.get("receipt", ""))]))
        return b""

    fake = fake_broker(answer)
    srv = stomp_server(make_server)
    c = srv.client()
    q1, q2 = queue(), queue()
    with_login = c.create(stomp_integration([fake.address()], q1))
    anonymous = c.create(stomp_integration([fake.address()], q2, username=None, password=None))
    ev = emit(c, "order.fulfilled")
    jobs = {q1: job_for(ev, with_login["id"]), q2: job_for(ev, anonymous["id"])}
    for it, q in ((with_login, q1), (anonymous, q2)):
        (log,) = wait_logs(c, it["id"], jobs[q], 1)
        ok_log(log, it["id"], jobs[q])
    fake.wait_frames("DISCONNECT", 2)
    assert len(fake.connections) == 2, fake.connections
    seen = set()
    for frames in fake.connections:
        assert [f.command for f in frames] == ["CONNECT", "SEND", "DISCONNECT"], frames
        connect, send, _ = frames
        q = send.headers.get("destination")
        seen.add(q)
        ch = connect.headers
        assert ch.get("accept-version") == "1.2" and ch.get("heart-beat") == "0,0" and "host" in ch, ch
        if q == q1:
            assert (ch.get("login"), ch.get("passcode")) == ("moltin", "s3cret"), ch
        else:
            assert "login" not in ch and "passcode" not in ch, ch
        h = send.headers
        assert h.get("content-type") == "application/json" and h.get("persistent") == "true", h
        assert h.get("content-length") == str(len(send.body)), h
        assert h.get("receipt") == f"{jobs[q]}-1", h
        ce = json.loads(send.body)
        assert ce["id"] == jobs[q] and ce["specversion"] == "1.0", ce
    assert seen == {q1, q2}


def test_no_matching_receipt_is_a_failed_attempt(make_server, fake_broker):
    """Success is the RECEIPT of our SEND, nothing less: a broker that only acknowledges someone
    else's receipt fails the attempt at the timeout; each attempt uses its own receipt id."""
    def answer(f):
        if f.command == "CONNECT":
            return frame("CONNECTED", [("version", "1.2")])
        if f.command == "SEND":
            return frame("RECEIPT", [("receipt-id", "not-" + f.headers.get("receipt", ""))])
        return b""

    fake = fake_broker(answer)
    srv = stomp_server(make_server, schedule="0,0.3", timeout="1")
    c = srv.client()
    it = c.create(stomp_integration([fake.address()], queue()))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    for log in failed_logs(c, it["id"], job, 2):
        assert re.search(r"(?i)timed out", log["error_detail"]), log
        assert log["body"] == "", log
    sends = fake.wait_frames("SEND", 2)
    assert [f.headers.get("receipt") for f in sends] == [f"{job}-1", f"{job}-2"], sends
    assert [json.loads(f.body)["id"] for f in sends] == [job, job]


@pytest.mark.parametrize("when,broker_does,detail", [
    ("CONNECT", CLOSE, "closed the connection"),
    ("SEND", CLOSE, "closed the connection"),
    ("CONNECT", b"HTTP/1.1 400 Bad Request\r\n\r\n\0", "not a STOMP frame"),
])
def test_broken_connection_is_a_failed_attempt(make_server, fake_broker, when, broker_does, detail):
    """§7.3 / issue: a broker that hangs up or answers something that is not STOMP fails the attempt
    with a useful error_detail (no HTTP answer: status_code null); the job is retried."""
    def answer(f):
        if f.command == when:
            return broker_does
        return polite(f)

    fake = fake_broker(answer)
    srv = stomp_server(make_server, schedule="0,0.3", timeout="3")
    c = srv.client()
    it = c.create(stomp_integration([fake.address()], queue()))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    for log in failed_logs(c, it["id"], job, 2):
        assert detail in log["error_detail"], log
        assert fake.address() in log["error_detail"], log
        assert log["status_code"] is None and log["succeeded"] is False, log
    fake.wait_frames(when, 2)


def test_error_frame_with_invalid_utf8_is_logged_readably(make_server, fake_broker):
    """A broker's ERROR message and body that are not UTF-8 still give a JSON log (U+FFFD for
    the bad bytes), never a broken or missing log."""
    def answer(f):
        if f.command == "CONNECT":
            return b"ERROR\nmessage:bad \xff\xfe login\n\nbody \xc3\0"
        return b""

    fake = fake_broker(answer)
    srv = stomp_server(make_server, schedule="0", timeout="3")
    c = srv.client()
    it = c.create(stomp_integration([fake.address()], queue()))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    (log,) = failed_logs(c, it["id"], job, 1)
    assert log["error_detail"] == "bad \ufffd\ufffd login", log
    assert log["body"] == "body \ufffd", log
    r = c.get("/v2/integrations/logs")
    assert r.status_code == 200 and r.json()["results"]["total"] >= 1, r.text
