"""The emulator's `Prefer: code=…, delay=…` on the real routes: forced answers and delays."""
import signal
import threading
import time

import pytest

from support import body_json, errors_of, valid_data

BASE = "/v2/integrations"


def forced(r, status, title):
    (e,) = errors_of(r, status)
    assert e == {"status": status, "title": title, "detail": f"Forced by Prefer: code={status}"}, e


@pytest.mark.parametrize("status,title", [
    (503, "Service Unavailable"), (500, "Internal Server Error"), (429, "Too Many Requests"),
    (404, "Not Found"), (400, "Bad Request"), (599, "Server Error"), (499, "Client Error"),
])
def test_code_forces_the_answer(client, status, title):
    forced(client.get(BASE, headers={"Prefer": f"code={status}"}), status, title)


def test_code_comes_before_authentication(server):
    forced(server.request("GET", BASE, headers={"Prefer": "code=401"}), 401, "Unauthorized")
    forced(server.request("GET", BASE, headers={"Prefer": "code=503"}), 503, "Service Unavailable")


def test_a_forced_answer_does_nothing(client):
    r = client.post(BASE, {"data": valid_data()}, headers={"Prefer": "code=500"})
    forced(r, 500, "Internal Server Error")
    assert body_json(client.get(BASE), 200)["results"]["total"] == 0


def test_code_on_the_token_route(server):
    r = server.request("POST", "/oauth/access_token", headers={"Prefer": "code=429"},
                       data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"})
    forced(r, 429, "Too Many Requests")


@pytest.mark.parametrize("path", ["/health", "/emulator/v1/jobs/flush"])
def test_not_on_health_or_the_emulator(client, path):
    method = "GET" if path == "/health" else "POST"
    assert client.request(method, path, headers={"Prefer": "code=503"}).status_code in (200, 202)


@pytest.mark.parametrize("value", [
    "code=200", "code=600", "code=abc", "code=", "code", "code=50.3", "code=-500",
    "delay=-1", "delay=60001", "delay=x", "delay=1e3", "code=503, delay=soon",
])
def test_a_bad_value_is_a_400_naming_the_header(client, value):
    (e,) = errors_of(client.get(BASE, headers={"Prefer": value}), 400)
    assert e["title"] == "Bad Request" and e["source"] == "Prefer", e
    assert e["detail"].startswith("Prefer: "), e


@pytest.mark.parametrize("value", ["return=minimal", "respond-async, wait=10", "handling=lenient; x=1", ""])
def test_other_preferences_are_ignored(client, value):
    assert client.get(BASE, headers={"Prefer": value}).status_code == 200


def test_names_ignore_case_and_params_and_quotes(client):
    forced(client.get(BASE, headers={"Prefer": 'Code="418"; foo=bar'}), 418, "Client Error")


def test_delay_then_the_request_as_usual(client):
    t0 = time.monotonic()
    r = client.post(BASE, {"data": valid_data()}, headers={"Prefer": "delay=400"})
    assert time.monotonic() - t0 >= 0.4   # the server waited at least that long before answering
    body_json(r, 201)
    assert body_json(client.get(BASE), 200)["results"]["total"] == 1


def test_delay_and_code(client):
    t0 = time.monotonic()
    r = client.get(BASE, headers={"Prefer": "code=503, delay=300"})
    assert time.monotonic() - t0 >= 0.3
    forced(r, 503, "Service Unavailable")


def test_fifty_delayed_requests_hold_no_thread(client):
    """50 requests delayed by 1 s are answered together, about 1 s after they came; meanwhile a
    plain request is answered at once (a delay holds no HTTP thread)."""
    results = []

    def delayed():
        r = client.get(BASE, headers={"Prefer": "delay=1000"})
        results.append((r.status_code, time.monotonic()))

    threads = [threading.Thread(target=delayed) for _ in range(50)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(0.2)                                   # they are all waiting now
    plain = time.monotonic()
    assert client.get(BASE).status_code == 200
    assert time.monotonic() - plain < 0.5, "a plain request waited behind the delayed ones"
    for t in threads:
        t.join(10)
    assert len(results) == 50 and all(status == 200 for status, _ in results)
    assert all(done - t0 >= 1.0 for _, done in results)


def test_no_emulator_ignores_prefer(make_server):
    srv = make_server(args=["--no-emulator"])
    c = srv.client()
    assert c.get(BASE, headers={"Prefer": "code=503"}).status_code == 200


def test_shutdown_answers_delayed_requests_at_once(make_server):
    srv = make_server()
    c = srv.client()
    answers = []
    t = threading.Thread(target=lambda: answers.append(c.get(BASE, headers={"Prefer": "delay=30000"})))
    t.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    srv.proc.send_signal(signal.SIGTERM)
    t.join(10)
    assert answers and answers[0].status_code == 200
    assert srv.proc.wait(10) == 0
    assert time.monotonic() - t0 < 5, "a pending delay held the shutdown"
