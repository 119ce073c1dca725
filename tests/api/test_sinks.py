"""The sinks: receivers built into the emulator (record, answer as told, list, wait, clear)."""
import threading
import time

import pytest

from support import body_json, errors_of, one_error

SINK = "/emulator/v1/sink/"
LIST = "/emulator/v1/sinks/{}/requests"


def records(client, name, **params):
    return body_json(client.get(LIST.format(name), params=params), 200)


def test_a_request_is_recorded_as_it_came(server, client):
    r = server.request("POST", SINK + "orders-1?a=1&b=two", data=b'{"hello":"world"}',
                       headers={"Content-Type": "application/json", "X-Custom": "yes"})
    assert body_json(r, 200) == {"received": True}
    (rec,) = records(client, "orders-1")["data"]
    assert rec["method"] == "POST" and rec["path"] == SINK + "orders-1"
    assert rec["query"] == {"a": "1", "b": "two"}
    assert rec["headers"]["X-Custom"] == "yes" and rec["headers"]["Content-Type"] == "application/json"
    assert rec["body"] == '{"hello":"world"}'
    assert "truncated" not in rec and rec["received_at"].endswith("Z")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_any_method(server, client, method):
    assert server.request(method, SINK + "any-" + method).status_code == 200
    assert [r["method"] for r in records(client, "any-" + method)["data"]] == [method]


def test_newest_first_and_paginated(server, client):
    for i in range(5):
        server.request("POST", SINK + "pages", data=str(i).encode())
    page = records(client, "pages", **{"page[limit]": "2", "page[offset]": "1"})
    assert [r["body"] for r in page["data"]] == ["3", "2"]
    assert page["results"]["total"] == 5 and page["meta"]["results"]["total"] == 5


def test_answer_as_the_query_says(server):
    r = server.request("POST", SINK + "told?status=503&body=down")
    assert r.status_code == 503 and r.text == "down"
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"  # a body that is not JSON
    r = server.request("POST", SINK + 'told?status=200&body={"ok":1}')
    assert r.json() == {"ok": 1} and r.headers["Content-Type"] == "application/json; charset=utf-8"
    r = server.request("POST", SINK + "told-201?status=201")
    assert r.status_code == 201 and r.json() == {"received": True}


def test_fail_first(server, client):
    codes = [server.request("POST", SINK + "flaky?fail_first=2&status=502").status_code for _ in range(4)]
    assert codes == [502, 502, 200, 200]
    assert client.delete(LIST.format("flaky")).status_code == 204     # clearing starts it over
    assert server.request("POST", SINK + "flaky?fail_first=1").status_code == 503


def test_delay_holds_the_answer(server):
    t0 = time.monotonic()
    assert server.request("POST", SINK + "slow?delay_ms=300").status_code == 200
    assert time.monotonic() - t0 >= 0.3


@pytest.mark.parametrize("query,param", [
    ("status=199", "status"), ("status=600", "status"), ("status=abc", "status"),
    ("fail_first=-1", "fail_first"), ("delay_ms=60001", "delay_ms"), ("delay_ms=1.5", "delay_ms"),
])
def test_bad_query_values(server, client, query, param):
    (e,) = errors_of(server.request("POST", SINK + "bad?" + query), 400)
    assert e["source"] == param, e
    assert records(client, "bad")["data"] == []                       # not recorded


@pytest.mark.parametrize("name", ["a" * 65, "with space", "bad!name"])
def test_bad_names(server, name):
    (e,) = errors_of(server.request("POST", SINK + name), 400)
    assert e["source"] == "name"


def test_a_long_body_is_cut(server, client):
    server.request("POST", SINK + "big", data=b"x" * (70 * 1024))
    (rec,) = records(client, "big")["data"]
    assert len(rec["body"]) == 64 * 1024 and rec["truncated"] is True


def test_a_sink_keeps_its_last_thousand(server, client):
    for i in range(1010):
        server.request("POST", SINK + "many", data=str(i).encode())
    page = records(client, "many", **{"page[limit]": "1"})
    assert page["results"]["total"] == 1000 and page["data"][0]["body"] == "1009"


def test_listing_needs_a_token_but_any_token(server):
    one_error(server.request("GET", LIST.format("x")), 401, "Unable to validate access token")
    implicit = server.token(grant="implicit", secret=None)
    assert server.request("GET", LIST.format("x"), headers={"Authorization": f"Bearer {implicit}"}).status_code == 200


def test_wait_returns_with_the_first_record(server, client):
    def later():
        time.sleep(0.3)
        server.request("POST", SINK + "awaited", data=b"here")
    threading.Thread(target=later).start()
    t0 = time.monotonic()
    page = records(client, "awaited", wait="10")
    assert [r["body"] for r in page["data"]] == ["here"]
    assert time.monotonic() - t0 < 5


def test_wait_ends_with_an_empty_list(client):
    t0 = time.monotonic()
    assert records(client, "silent", wait="1")["data"] == []
    assert time.monotonic() - t0 >= 1


@pytest.mark.parametrize("wait", ["61", "-1", "x", "1.5"])
def test_bad_wait(client, wait):
    (e,) = errors_of(client.get(LIST.format("w"), params={"wait": wait}), 400)
    assert e["source"] == "wait"


def test_many_waiting_readers_hold_no_thread(server, client):
    got = []
    threads = [threading.Thread(target=lambda: got.append(records(client, "crowd", wait="5")))
               for _ in range(40)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    assert client.get("/v2/integrations").status_code == 200
    assert time.monotonic() - t0 < 0.5
    server.request("POST", SINK + "crowd", data=b"one")
    for t in threads:
        t.join(10)
    assert len(got) == 40 and all(p["data"][0]["body"] == "one" for p in got)


def test_no_emulator_has_no_sink(make_server):
    srv = make_server(args=["--no-emulator"])
    (e,) = errors_of(srv.request("POST", SINK + "x"), 404)
    assert e["title"] == "Not Found"
