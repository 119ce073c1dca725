"""Known state: --seed at every start, reset back to the seed, GET/PUT /emulator/v1/state."""
import json
import signal
import threading
import subprocess
import time

import pytest

from support import BIN, body_json, errors_of

BASE = "/v2/integrations"
STATE = "/emulator/v1/state"
ID1 = "2da46671-b4c2-44ac-b133-d1221aafc77b"
ID2 = "6f7a0b0e-3c1d-4a52-9d2b-6a3f0d1e2c44"


def webhook(id, name="Order shipping notification", **extra):
    d = {"id": id, "integration_type": "webhook", "name": name, "description": "Tell the shop", "enabled": True,
         "configuration": {"url": "http://127.0.0.1:9/hook", "secret_key": "whsec_c2VjcmV0"},
         "observes": ["order.fulfilled"]}
    d.update(extra)
    return d


SEED = {"stores": [
    {"clients": [{"client_id": "storefront-ci", "client_secret": "s3cret"}],
     "integrations": [webhook(ID1, created_at="2026-01-01T00:00:00.000Z"), webhook(ID2, name="Second")]},
    {"clients": [{"client_id": "other-team", "client_secret": "pw"}, {"client_id": "other-team-2"}],
     "integrations": []},
]}


def seed_file(tmp_path, doc, name="seed.json"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def names(client):
    return [i["name"] for i in body_json(client.get(BASE), 200)["data"]]


def test_a_seed_is_there_at_start(make_server, tmp_path):
    srv = make_server(args=["--seed", seed_file(tmp_path, SEED)])
    c = srv.client("storefront-ci", "s3cret")
    data = body_json(c.get(BASE), 200)["data"]
    assert [i["id"] for i in data] == [ID1, ID2]
    assert data[0]["meta"]["timestamps"]["created_at"] == "2026-01-01T00:00:00.000Z"
    assert data[0]["configuration"]["secret_key"] == "whsec_c2VjcmV0"
    # the seeded secret is the client's; the second store has its clients too
    assert srv.token_response("storefront-ci", "wrong").status_code == 401
    other = srv.client("other-team", "pw")
    assert names(other) == []
    assert srv.client("other-team-2", "any").get(BASE).status_code == 200


def test_a_seed_applied_again_neither_duplicates_nor_overwrites(make_server, tmp_path):
    db = str(tmp_path / "db.sqlite")
    path = seed_file(tmp_path, SEED)
    srv = make_server(args=["--seed", path], db=db)
    c = srv.client("storefront-ci", "s3cret")
    assert c.put(f"{BASE}/{ID1}", {"data": {"type": "integration", "name": "Renamed"}}).status_code == 200
    assert c.delete(f"{BASE}/{ID2}").status_code == 200
    srv.stop()
    srv.start()                                      # the seed again, on the same database
    c = srv.client("storefront-ci", "s3cret")
    # the change made since stays; the one deleted since comes back, as a fixture does
    assert names(c) == ["Renamed", "Second"]


def test_reset_puts_the_seed_back(make_server, tmp_path):
    srv = make_server(args=["--seed", seed_file(tmp_path, SEED)])
    c = srv.client("storefront-ci", "s3cret")
    c.create()
    assert c.delete(f"{BASE}/{ID1}").status_code == 200
    assert c.post("/emulator/v1/reset").status_code == 204
    assert [i["id"] for i in body_json(c.get(BASE), 200)["data"]] == [ID1, ID2]
    # a store without a seed is left empty by a reset
    o = srv.client()
    o.create()
    assert o.post("/emulator/v1/reset").status_code == 204 and names(o) == []


def test_seeded_integrations_raise_no_event(make_server, tmp_path):
    seed = {"stores": [{"clients": [{"client_id": "watcher", "client_secret": "x"}],
                        "integrations": [webhook(ID1, observes=["integration.created"])]}]}
    srv = make_server(args=["--seed", seed_file(tmp_path, seed)])
    c = srv.client("watcher", "x")
    assert c.post("/emulator/v1/reset").status_code == 204
    assert body_json(c.get(f"{BASE}/{ID1}/jobs"), 200)["data"] == []


@pytest.mark.parametrize("doc,where", [
    ("{not json", "not JSON"),
    ({"stores": []}, "stores"),
    ({"stores": [{"clients": [], "integrations": []}]}, "stores[0].clients"),
    ({"stores": [{"clients": [{"client_id": "a"}], "integrations": [webhook("not-a-uuid")]}]},
     "stores[0].integrations[0].id"),
    ({"stores": [{"clients": [{"client_id": "a"}], "integrations": [webhook(ID1, observes=["order.nope"])]}]},
     "stores[0].integrations[0].observes[0]"),
    ({"stores": [{"clients": [{"client_id": "a"}], "integrations": [webhook(ID1), webhook(ID1)]}]},
     "stores[0].integrations[1].id"),
    ({"stores": [{"clients": [{"client_id": "a"}], "integrations": [webhook(ID1, created_at="yesterday")]}]},
     "stores[0].integrations[0].created_at"),
    ({"stores": [{"clients": [{"client_id": "a"}]}, {"clients": [{"client_id": "a"}]}]},
     "stores[1].clients[0].client_id"),
])
def test_a_bad_seed_stops_the_start(tmp_path, doc, where):
    path = seed_file(tmp_path, doc)
    db = str(tmp_path / "db.sqlite")
    p = subprocess.run([BIN, "--port", "0", "--db", db, "--seed", path], capture_output=True,
                       text=True, timeout=20)
    assert p.returncode == 2, p
    assert path in p.stderr and where in p.stderr, p.stderr
    assert "listening on" not in p.stdout


def test_a_bad_seed_applies_nothing(make_server, tmp_path):
    db = str(tmp_path / "db.sqlite")
    bad = {"stores": [{"clients": [{"client_id": "first"}], "integrations": [webhook(ID1)]},
                      {"clients": [{"client_id": "second"}], "integrations": [webhook(ID2, observes=[])]}]}
    p = subprocess.run([BIN, "--port", "0", "--db", db, "--seed", seed_file(tmp_path, bad)],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 2
    srv = make_server(db=db)
    assert names(srv.client("first", "x")) == []    # "first" is a new client: nothing was stored


def test_seed_from_the_environment(make_server, tmp_path):
    srv = make_server(env={"INTEGRATIONSD_SEED": seed_file(tmp_path, SEED)})
    assert len(names(srv.client("storefront-ci", "s3cret"))) == 2


def test_seed_in_configured_mode_adds_its_clients(make_server, tmp_path):
    seed = {"stores": [SEED["stores"][0]]}
    srv = make_server(args=["--clients", "configured:pw", "--seed", seed_file(tmp_path, seed)])
    assert srv.token_response("storefront-ci", "s3cret").status_code == 200
    assert srv.token_response("configured", "pw").status_code == 200
    assert srv.token_response("stranger", "x").status_code == 401


def test_seed_in_configured_mode_needs_secrets(tmp_path):
    p = subprocess.run([BIN, "--port", "0", "--db", str(tmp_path / "db.sqlite"), "--clients", "configured:pw",
                        "--seed", seed_file(tmp_path, SEED)], capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "stores[1].clients[1].client_secret" in p.stderr, p.stderr


# -- GET and PUT /emulator/v1/state ----------------------------------------------------------------
def test_get_state(make_server, tmp_path):
    srv = make_server(args=["--seed", seed_file(tmp_path, SEED)])
    c = srv.client("storefront-ci", "s3cret")
    doc = body_json(c.get(STATE), 200)
    (store,) = doc["stores"]
    assert store["clients"] == [{"client_id": "storefront-ci", "client_secret": None}]
    assert [i["id"] for i in store["integrations"]] == [ID1, ID2]
    first = store["integrations"][0]
    assert first == {**webhook(ID1), "created_at": "2026-01-01T00:00:00.000Z"}


def test_put_state_replaces_the_store(client):
    client.create()
    doc = {"stores": [{"integrations": [webhook(ID2, name="From state"),
                                        webhook(ID1, name="Older", created_at="2020-05-05T05:05:05.005Z")]}]}
    got = body_json(client.put(STATE, doc), 200)
    assert [i["name"] for i in got["stores"][0]["integrations"]] == ["Older", "From state"]   # oldest first
    assert names(client) == ["Older", "From state"]
    # the state read back is a document PUT accepts as it is
    assert body_json(client.put(STATE, got), 200) == got


def test_put_state_errors_name_the_path_and_change_nothing(client):
    kept = client.create()
    doc = {"stores": [{"integrations": [webhook(ID1), webhook(ID2, observes=["order.nope"], name="")]}]}
    errs = errors_of(client.put(STATE, doc), 400)
    assert [e["source"] for e in errs] == ["stores[0].integrations[1].name", "stores[0].integrations[1].observes[0]"]
    assert [i["id"] for i in body_json(client.get(BASE), 200)["data"]] == [kept["id"]]


def test_put_state_with_an_id_of_another_store(server, client):
    other = server.client()
    taken = other.create()
    doc = {"stores": [{"integrations": [webhook(taken["id"])]}]}
    (e,) = errors_of(client.put(STATE, doc), 400)
    assert e["source"] == "stores[0].integrations[0].id"
    assert names(other) == [taken["name"]]


def test_kill_during_put_state_leaves_old_or_new(make_server, tmp_path):
    """kill -9 while states are being written: the store holds one whole state, never a mix."""
    db = str(tmp_path / "db.sqlite")
    srv = make_server(db=db)
    c = srv.client("killer", "pw")
    states = [{"stores": [{"integrations": [webhook(f"{n:08x}-0000-4000-8000-{k:012x}", name=f"state {n}")
                                             for k in range(20)]}]} for n in range(1, 6)]
    assert c.put(STATE, states[0]).status_code == 200
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            try:
                c.put(STATE, states[n % len(states)])
            except Exception:
                return
            n += 1
    t = threading.Thread(target=writer)
    t.start()
    time.sleep(0.5)
    assert srv.stop(sig=signal.SIGKILL) == -signal.SIGKILL
    srv.exit_codes.remove(-signal.SIGKILL)  # the one exit status that is not 0 on purpose
    stop.set()
    t.join(10)
    srv.start()
    c = srv.client("killer", "pw")
    got = names(c)
    assert len(got) == 20 and len(set(got)) == 1, got


def test_state_needs_a_client_credentials_token(server):
    (e,) = errors_of(server.request("GET", STATE), 401)
    implicit = server.token(grant="implicit", secret=None)
    (e,) = errors_of(server.request("GET", STATE, headers={"Authorization": f"Bearer {implicit}"}), 403)
