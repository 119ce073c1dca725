"""The emulator's fault rules per store: PUT/GET/DELETE /emulator/v1/faults, and what they do."""
import time

import pytest

from support import UUID4_RE, body_json, errors_of, one_error, valid_data

FAULTS = "/emulator/v1/faults"
BASE = "/v2/integrations"


def put(client, *rules):
    return client.put(FAULTS, {"data": list(rules)})


def forced_by(r, status, rule_id):
    (e,) = errors_of(r, status)
    assert e["detail"] == f"Forced by fault rule {rule_id}", e


def test_put_get_delete(client):
    r = put(client, {"method": "GET", "path": "/v2/integrations*", "status": 503, "delay_ms": 10,
                     "probability": 0.5, "times": 3}, {"path": "/v2/*", "delay_ms": 5})
    rules = body_json(r, 200)["data"]
    assert [UUID4_RE.match(x["id"]) is not None for x in rules] == [True, True]
    assert [{k: v for k, v in x.items() if k != "id"} for x in rules] == [
        {"method": "GET", "path": "/v2/integrations*", "status": 503, "delay_ms": 10, "probability": 0.5,
         "times": 3},
        {"method": "*", "path": "/v2/*", "status": None, "delay_ms": 5, "probability": 1.0, "times": None}]
    assert body_json(client.get(FAULTS), 200)["data"] == rules
    assert client.delete(FAULTS).status_code == 204
    assert body_json(client.get(FAULTS), 200)["data"] == []
    assert client.get(BASE).status_code == 200


def test_a_rule_forces_the_answer(client):
    (rule,) = body_json(put(client, {"method": "GET", "path": "/v2/integrations*", "status": 503}), 200)["data"]
    forced_by(client.get(BASE), 503, rule["id"])
    forced_by(client.get(BASE + "/anything/logs"), 503, rule["id"])
    assert client.post(BASE, {"data": valid_data()}).status_code == 201   # another method


def test_times_counts_down_and_the_rule_goes(client):
    (rule,) = body_json(put(client, {"path": "/v2/integrations", "status": 500, "times": 2}), 200)["data"]
    forced_by(client.get(BASE), 500, rule["id"])
    assert body_json(client.get(FAULTS), 200)["data"][0]["times"] == 1
    forced_by(client.get(BASE), 500, rule["id"])
    assert client.get(BASE).status_code == 200
    assert body_json(client.get(FAULTS), 200)["data"] == []


def test_the_first_matching_rule_wins(client):
    rules = body_json(put(client, {"path": "/v2/integrations", "status": 418},
                          {"path": "/v2/*", "status": 503}), 200)["data"]
    forced_by(client.get(BASE), 418, rules[0]["id"])
    forced_by(client.get(BASE + "/logs"), 503, rules[1]["id"])


def test_probability_zero_never_and_still_counts(client):
    put(client, {"path": "/v2/*", "status": 503, "probability": 0, "times": 3})
    assert [client.get(BASE).status_code for _ in range(3)] == [200, 200, 200]
    assert body_json(client.get(FAULTS), 200)["data"] == []


def test_probability_half_forces_some(client):
    put(client, {"path": "/v2/*", "status": 503, "probability": 0.5})
    codes = [client.get(BASE).status_code for _ in range(60)]
    assert 0 < codes.count(503) < 60 and set(codes) == {200, 503}


def test_delay_only(client):
    put(client, {"path": "/v2/integrations", "delay_ms": 300})
    t0 = time.monotonic()
    assert client.get(BASE).status_code == 200
    assert time.monotonic() - t0 >= 0.3


def test_rules_are_per_store(server, client):
    put(client, {"path": "/v2/*", "status": 503})
    other = server.client()
    assert other.get(BASE).status_code == 200
    assert body_json(other.get(FAULTS), 200)["data"] == []


def test_not_without_a_token_nor_on_the_emulator_or_health(server, client):
    put(client, {"path": "/*", "status": 503})
    one_error(server.request("GET", BASE), 401, "Unable to validate access token")
    assert client.get("/health").status_code == 200
    assert client.get(FAULTS).status_code == 200
    assert server.request("POST", "/oauth/access_token", data={"grant_type": "client_credentials",
                          "client_id": client.client_id, "client_secret": client.secret}).status_code == 200


def test_prefer_wins_over_rules(client):
    put(client, {"path": "/v2/*", "status": 503})
    (e,) = errors_of(client.get(BASE, headers={"Prefer": "code=429"}), 429)
    assert e["detail"] == "Forced by Prefer: code=429"


def test_a_put_replaces_the_list(client):
    put(client, {"path": "/v2/*", "status": 503})
    put(client)
    assert client.get(BASE).status_code == 200


def test_reset_drops_the_rules(client):
    put(client, {"path": "/v2/*", "status": 503})
    assert client.post("/emulator/v1/reset").status_code == 204
    assert body_json(client.get(FAULTS), 200)["data"] == []
    assert client.get(BASE).status_code == 200


@pytest.mark.parametrize("rule,source", [
    ({"status": 503}, "data[0].path"),
    ({"path": "v2/x", "status": 503}, "data[0].path"),
    ({"path": "/v2/*", "status": 399}, "data[0].status"),
    ({"path": "/v2/*", "status": "503"}, "data[0].status"),
    ({"path": "/v2/*", "delay_ms": 60001}, "data[0].delay_ms"),
    ({"path": "/v2/*", "status": 503, "probability": 1.5}, "data[0].probability"),
    ({"path": "/v2/*", "status": 503, "times": 0}, "data[0].times"),
    ({"path": "/v2/*", "status": 503, "method": "FETCH"}, "data[0].method"),
    ({"path": "/v2/*"}, "data[0]"),
    ("rule", "data[0]"),
])
def test_a_bad_rule(client, rule, source):
    put(client, {"path": "/v2/ok", "status": 500})
    errs = errors_of(put(client, {"path": "/v2/fine", "status": 503}, rule), 400)
    assert [e["source"] for e in errs] == [source.replace("data[0]", "data[1]", 1)], errs
    # nothing half-applied: the rules before the bad PUT are still there
    assert [r["path"] for r in body_json(client.get(FAULTS), 200)["data"]] == ["/v2/ok"]


@pytest.mark.parametrize("body", [{}, {"data": {}}, {"data": "x"}, [1]])
def test_a_bad_document(client, body):
    errs = errors_of(client.put(FAULTS, body), 400)
    assert errs[0]["source"] == "data"


def test_at_most_32_rules(client):
    errs = errors_of(put(client, *[{"path": f"/v2/{i}", "status": 503} for i in range(33)]), 400)
    assert errs[0]["source"] == "data"


def test_needs_a_client_credentials_token(server):
    one_error(server.request("GET", FAULTS), 401, "Unable to validate access token")
    implicit = server.token(grant="implicit", secret=None)
    one_error(server.request("GET", FAULTS, headers={"Authorization": f"Bearer {implicit}"}), 403, "Forbidden")
