"""§7.1 Standard Webhooks signing (--sign-webhooks)."""
import base64
import hashlib
import hmac
import time

from dsupport import emit, hook, job_for
from receiver import ok, status

SIGNING_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def signing_key(secret):
    """The key of §7.1: base64 after `whsec_`, else the secret's raw bytes."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):], validate=True)
    return secret.encode("utf-8")


def sign(secret, msg_id, timestamp, body):
    """`v1,<base64 HMAC-SHA256>` of "<id>.<timestamp>.<body>" (body: raw bytes)."""
    message = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(signing_key(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify(req, secret):
    """Check one recorded request's signing headers; returns (id, timestamp)."""
    h = req.headers
    for name in SIGNING_HEADERS:
        assert len(h.get_all(name) or []) == 1, f"{name}: {h.get_all(name)!r}"
    msg_id, ts, sig = h["webhook-id"], h["webhook-timestamp"], h["webhook-signature"]
    assert ts.isdigit(), f"webhook-timestamp is not integer seconds: {ts!r}"
    assert abs(int(ts) - time.time()) < 300, f"webhook-timestamp far from now: {ts}"
    expected = sign(secret, msg_id, ts, req.body)
    given = sig.split(" ")
    assert all(s.startswith("v1,") for s in given), sig
    assert expected in given, f"signature mismatch: got {sig!r}, computed {expected!r}"
    return msg_id, ts


def test_standard_webhooks_published_test_vector():
    # The routine used on the server's requests reproduces the published vector.
    assert sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                b'{"test": 2432232314}') == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signed_with_a_whsec_secret_on_every_attempt(make_server, receiver):
    secret = "whsec_" + base64.b64encode(b"\x00\x01binary key\xff\xfe" * 2).decode()
    srv = make_server(schedule="0,0.2", extra=["--sign-webhooks"])
    c = srv.client()
    it = c.create(hook(receiver, "/signed", secret=secret))
    receiver.set("/signed", status(500, b"again"), ok())
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    r1, r2 = receiver.wait_for(2, "/signed")
    for req, attempt in ((r1, 1), (r2, 2)):
        msg_id, _ = verify(req, secret)
        assert msg_id == job == req.json["id"]
        assert req.json["attempt"] == attempt
        assert req.headers["X-MOLTIN-SECRET-KEY"] == secret


def test_signed_with_a_plain_secret_uses_its_raw_bytes(make_server, receiver):
    secret = "plain-secret-ü"
    srv = make_server(extra=["--sign-webhooks"])
    c = srv.client()
    it = c.create(hook(receiver, "/plain", secret=secret))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    (req,) = receiver.wait_for(1, "/plain")
    msg_id, ts = verify(req, secret)
    assert msg_id == job
    # and it is not the whsec interpretation or a signature over another body
    assert req.headers["webhook-signature"] != sign(secret, msg_id, ts, req.body + b" ")


def test_signed_deleted_trigger(make_server, receiver):
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    srv = make_server(extra=["--sign-webhooks"])
    c = srv.client()
    it = c.create(hook(receiver, "/sdel", secret=secret, observes=["product.deleted"]))
    job = job_for(emit(c, "product.deleted"), it["id"])
    (req,) = receiver.wait_for(1, "/sdel")
    assert verify(req, secret)[0] == job


def test_no_secret_key_means_no_signing_headers(make_server, receiver):
    srv = make_server(extra=["--sign-webhooks"])
    c = srv.client()
    c.create(hook(receiver, "/nosecret"))
    emit(c, "order.fulfilled")
    (req,) = receiver.wait_for(1, "/nosecret")
    for name in SIGNING_HEADERS:
        assert req.headers.get(name) is None, f"{name}: {req.headers.get(name)}"


def test_without_the_flag_no_signing_headers(make_server, receiver):
    srv = make_server()
    c = srv.client()
    c.create(hook(receiver, "/noflag", secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
    emit(c, "order.fulfilled")
    (req,) = receiver.wait_for(1, "/noflag")
    for name in SIGNING_HEADERS:
        assert req.headers.get(name) is None, f"{name}: {req.headers.get(name)}"
    assert req.headers["X-MOLTIN-SECRET-KEY"] == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_flag_from_the_environment(receiver, tmp_path):
    # §9: every flag also works as INTEGRATIONSD_<FLAG>
    from support import Server
    srv = Server(tmp_path / "envsrv", args=["--retry-schedule", "0"], env={"INTEGRATIONSD_SIGN_WEBHOOKS": "1"})
    srv.start()
    try:
        c = srv.client()
        c.create(hook(receiver, "/env", secret="k"))
        emit(c, "order.fulfilled")
        (req,) = receiver.wait_for(1, "/env")
        verify(req, "k")
    finally:
        srv.finish()
