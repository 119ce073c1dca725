"""§9 operations (flags, env, health, signals), persistence across restarts, concurrency."""
import glob
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from support import SANITIZER_MARKERS, body_json, one_error, run_binary, valid_data

BASE = "/v2/integrations"
FLAGS = ["--bind", "--port", "--db", "--public-url", "--clients", "--token-ttl", "--max-body",
         "--max-integrations", "--help", "--version"]


def test_health(server):
    r = server.request("GET", "/health")
    assert body_json(r, 200) == {"status": "ok"}
    assert r.text.strip().replace(" ", "") == '{"status":"ok"}'


def test_startup_prints_open_mode(server):
    before = server.stdout_text.split("listening on")[0].lower()
    assert "open" in before, server.stdout_text


# --- flags and environment ---------------------------------------------------------------------

def test_env_sets_max_integrations(make_server):
    s = make_server(env={"INTEGRATIONSD_MAX_INTEGRATIONS": "2"})
    c = s.client()
    c.create()
    c.create()
    one_error(c.post(BASE, {"data": valid_data()}), 400, "You have reached the integration limit of 2")


def test_flag_beats_env(make_server):
    s = make_server(["--max-integrations", "3"], env={"INTEGRATIONSD_MAX_INTEGRATIONS": "1",
                                                       "INTEGRATIONSD_TOKEN_TTL": "50"})
    c = s.client()
    for _ in range(3):
        c.create()
    one_error(c.post(BASE, {"data": valid_data()}), 400, "You have reached the integration limit of 3")
    assert s.token_response().json()["expires_in"] == 50


def test_env_token_ttl_public_url_max_body(make_server):
    s = make_server(env={"INTEGRATIONSD_TOKEN_TTL": "77",
                         "INTEGRATIONSD_PUBLIC_URL": "http://public.example:8000",
                         "INTEGRATIONSD_MAX_BODY": "1500"})
    assert s.token_response().json()["expires_in"] == 77
    c = s.client()
    d = c.create()
    assert d["links"]["self"] == f"http://public.example:8000/v2/integrations/{d['id']}"
    one_error(c.post(BASE, {"data": valid_data(description="x" * 2000)}), 413)


def test_env_db_path(make_server, tmp_path):
    db = str(tmp_path / "from-env.sqlite")
    s = make_server(env={"INTEGRATIONSD_DB": db}, db_flag=False)
    c = s.client()
    iid = c.create()["id"]
    assert os.path.exists(db)
    s.restart()
    assert c.get(f"{BASE}/{iid}").status_code == 200


def test_env_clients(make_server):
    s = make_server(env={"INTEGRATIONSD_CLIENTS": "a:1,b:2"})
    assert s.token_response("a", "1").status_code == 200
    assert s.token_response("b", "2").status_code == 200
    assert s.token_response("c", "3").status_code == 401


BAD_ARGS = [
    ("port-word", ["--port", "abc"], {}),
    ("port-negative", ["--port", "-1"], {}),
    ("port-too-big", ["--port", "65536"], {}),
    ("port-empty", ["--port", ""], {}),
    ("port-trailing-junk", ["--port", "80x"], {}),
    ("token-ttl-word", ["--token-ttl", "abc"], {}),
    ("token-ttl-negative", ["--token-ttl", "-5"], {}),
    ("token-ttl-junk", ["--token-ttl", "10x"], {}),
    ("max-body-word", ["--max-body", "big"], {}),
    ("max-body-negative", ["--max-body", "-1"], {}),
    ("max-integrations-word", ["--max-integrations", "many"], {}),
    ("max-integrations-negative", ["--max-integrations", "-1"], {}),
    ("clients-no-colon", ["--clients", "nocolon"], {}),
    ("unknown-flag", ["--no-such-flag"], {}),
    ("missing-value", ["--max-body"], {}),
    ("env-max-body", [], {"INTEGRATIONSD_MAX_BODY": "abc"}),
    ("env-token-ttl", [], {"INTEGRATIONSD_TOKEN_TTL": "-1"}),
    ("env-max-integrations", [], {"INTEGRATIONSD_MAX_INTEGRATIONS": "x"}),
]


@pytest.mark.parametrize("name,args,env", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_bad_flag_value_exit_2(tmp_path, name, args, env):
    base = ["--bind", "127.0.0.1", "--db", str(tmp_path / "db.sqlite")]
    if not any(a == "--port" for a in args):
        base += ["--port", "0"]
    p = run_binary(base + args, env=env, timeout=5)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 2, (p.returncode, err, p.stdout)
    assert err.strip(), "no message on stderr"
    assert "\n" not in err.strip("\n"), f"stderr is not one line: {err!r}"
    assert "listening on" not in p.stdout.decode("utf-8", "replace")
    for m in SANITIZER_MARKERS:
        assert m not in err


def test_version(tmp_path):
    p = run_binary(["--version"])
    assert p.returncode == 0, p.stderr
    out = (p.stdout + p.stderr).decode()
    assert out.strip() and any(ch.isdigit() for ch in out), out
    assert "listening on" not in out


def test_help_lists_every_flag(tmp_path):
    p = run_binary(["--help"])
    assert p.returncode == 0, p.stderr
    out = (p.stdout + p.stderr).decode()
    for f in FLAGS:
        assert f in out, f"--help does not mention {f}"
    assert "listening on" not in out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_exits_zero(make_server, sig):
    s = make_server()
    s.client().create()
    assert s.stop(sig) == 0


# --- persistence -------------------------------------------------------------------------------

def test_restart_keeps_integrations_and_tokens(make_server):
    s = make_server()
    c = s.client()
    other = s.client()
    made = [c.create(valid_data(name="one")),
            c.create(valid_data(name="two", integration_type="aws_sqs", configuration={
                "url": "http://127.0.0.1:9324/0/q", "aws_access_key_id": "AKIAEXAMPLEKEY",
                "aws_secret_access_key": "secretsecret", "region": "us-east-1"}))]
    gone = c.create(valid_data(name="gone"))
    c.delete(f"{BASE}/{gone['id']}")
    c.put(f"{BASE}/{made[0]['id']}", {"data": {"type": "integration", "enabled": True,
                                               "observes": ["order.paid"]}})
    before = body_json(c.get(BASE), 200)["data"]
    old_port = s.port
    s.restart()
    # the old token still works after the restart, and sees the same store
    after = body_json(c.get(BASE), 200)["data"]

    def strip(ds):
        return [{k: v for k, v in d.items() if k != "links"} for d in ds]

    assert strip(after) == strip(before)
    assert [d["links"]["self"] for d in after] == [
        d["links"]["self"].replace(f":{old_port}/", f":{s.port}/") for d in before]
    one_error(c.get(f"{BASE}/{gone['id']}"), 404, "Integration not found")
    # stores are still separate, and the client's secret is remembered
    assert body_json(other.get(BASE), 200)["data"] == []
    one_error(s.token_response(c.client_id, "not-the-secret"), 401, "Unauthorized")
    assert s.token_response(c.client_id, c.secret).status_code == 200
    # and new ids keep coming
    assert c.create()["id"] not in {d["id"] for d in before}


def test_restart_keeps_token_expiry(make_server):
    s = make_server(["--token-ttl", "4"])
    c = s.client()
    issued = time.monotonic()
    s.restart()
    assert c.get(BASE).status_code == 200
    time.sleep(max(0.0, issued + 5.2 - time.monotonic()))
    one_error(c.get(BASE), 401, "Unable to validate access token")


# --- concurrency -------------------------------------------------------------------------------

def test_concurrent_creates_one_store(make_server):
    s = make_server(["--max-integrations", "500"])
    c = s.client()
    threads, per_thread = 32, 3
    barrier = threading.Barrier(threads)

    def work(i):
        barrier.wait(timeout=30)
        out = []
        for j in range(per_thread):
            r = c.post(BASE, {"data": valid_data(name=f"t{i}-{j}")})
            out.append((r.status_code, r.json()))
        return out

    with ThreadPoolExecutor(threads) as ex:
        results = [x for batch in ex.map(work, range(threads)) for x in batch]
    bad = [(st, b) for st, b in results if st != 201]
    assert not bad, bad[:3]
    ids = [b["data"]["id"] for _, b in results]
    assert len(set(ids)) == threads * per_thread
    b = body_json(c.get(BASE + "?page[limit]=100"), 200)
    assert b["results"]["total"] == threads * per_thread
    assert {d["id"] for d in b["data"]} == set(ids)
    names = {d["name"] for d in b["data"]}
    assert names == {f"t{i}-{j}" for i in range(threads) for j in range(per_thread)}


def test_concurrent_limit_is_not_exceeded(make_server):
    s = make_server(["--max-integrations", "10"])
    c = s.client()
    barrier = threading.Barrier(24)

    def work(i):
        barrier.wait(timeout=30)
        r = c.post(BASE, {"data": valid_data(name=f"r{i}")})
        return r.status_code, r.json()

    with ThreadPoolExecutor(24) as ex:
        results = list(ex.map(work, range(24)))
    ok = [b for st, b in results if st == 201]
    refused = [b for st, b in results if st == 400]
    assert len(ok) == 10 and len(refused) == 14, [st for st, _ in results]
    assert all(b["errors"][0]["title"] == "You have reached the integration limit of 10" for b in refused)
    assert c.get(BASE).json()["results"]["total"] == 10


def test_concurrent_mixed_stores_and_reads(make_server):
    s = make_server()
    clients = [s.client() for _ in range(8)]

    def work(i):
        c = clients[i % 8]
        iid = c.create(valid_data(name=f"m{i}"))["id"]
        assert c.get(f"{BASE}/{iid}").status_code == 200
        assert c.put(f"{BASE}/{iid}", {"data": {"type": "integration", "enabled": True}}).status_code == 200
        assert c.get(BASE).status_code == 200
        return c.client_id, iid

    with ThreadPoolExecutor(16) as ex:
        made = list(ex.map(work, range(32)))
    for c in clients:
        mine = {iid for cid, iid in made if cid == c.client_id}
        listed = {d["id"] for d in c.get(BASE).json()["data"]}
        assert listed == mine


def test_memory_database_is_one_database_for_every_thread_and_leaves_nothing(make_server):
    """--db :memory: is a throw-away database that every connection of the server shares (writes
    on one thread, reads on others), in a private folder removed at exit."""
    before = set(glob.glob("/dev/shm/integrationsd-*")) | set(glob.glob("/tmp/integrationsd-*"))
    srv = make_server(db=":memory:")
    c = srv.client()
    made = [c.create(name=f"n{i}")["id"] for i in range(20)]
    for i in made:  # reads on the HTTP threads see the writer's commits
        assert c.get(f"/v2/integrations/{i}").status_code == 200
    assert c.get("/v2/integrations").json()["results"]["total"] == 20
    assert srv.stop() == 0
    after = set(glob.glob("/dev/shm/integrationsd-*")) | set(glob.glob("/tmp/integrationsd-*"))
    assert after <= before, f"left behind: {after - before}"
