"""Group commit keeps every answer durable: a create answered 201 survives a kill -9 that comes in
the middle of a burst of concurrent creates, and the per-store count agrees with the rows."""
import signal
import threading
import time

import requests

from support import valid_data

WRITERS_PER_STORE = 6
STORES = 3


def list_ids(client):
    ids, offset = [], 0
    while True:
        r = client.get("/v2/integrations", params={"page[limit]": 100, "page[offset]": offset})
        assert r.status_code == 200, r.text
        page = r.json()
        ids += [i["id"] for i in page["data"]]
        if not page["links"]["next"]:
            return ids, page["results"]["total"]
        offset += 100


def test_sigkill_during_a_burst_of_creates_loses_no_answered_create(make_server):
    srv = make_server(args=["--max-integrations", "1000000"])
    clients = [srv.client() for _ in range(STORES)]
    answered = {c.client_id: [] for c in clients}
    lock = threading.Lock()
    stop = threading.Event()

    def write(client):
        session = requests.Session()
        url = srv.url("/v2/integrations")
        body = {"data": valid_data()}
        while not stop.is_set():
            try:
                r = session.post(url, json=body, headers=client.auth, timeout=10)
            except requests.RequestException:
                return  # the server is gone
            if r.status_code == 201:
                with lock:
                    answered[client.client_id].append(r.json()["data"]["id"])

    threads = [threading.Thread(target=write, args=(c,)) for c in clients for _ in range(WRITERS_PER_STORE)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while sum(len(v) for v in answered.values()) < 1500 and time.monotonic() < deadline:
        time.sleep(0.05)
    rc = srv.stop(sig=signal.SIGKILL)  # mid-burst: every writer has a request under way
    stop.set()
    for t in threads:
        t.join()
    assert rc == -signal.SIGKILL, rc
    srv.exit_codes.remove(rc)  # the one exit status that is not 0 on purpose
    total_answered = sum(len(v) for v in answered.values())
    assert total_answered >= 100, f"only {total_answered} creates were answered before the kill"

    srv.start()  # the same database
    for c in clients:
        c.token = srv.token(c.client_id, c.secret)
        ids, total = list_ids(c)
        lost = set(answered[c.client_id]) - set(ids)
        assert not lost, f"{len(lost)} of {len(answered[c.client_id])} answered creates are gone: {sorted(lost)[:3]}"
        assert total == len(ids) == len(set(ids)), (total, len(ids))
        # the store still takes writes where it left off
        assert c.create()["id"]


def test_concurrent_partial_updates_of_one_integration_all_take_effect(client):
    """§4.2 partial updates of different fields, sent at the same time: each is applied to the
    version it read or read again, so none undoes another."""
    it = client.create(name="n", description="d")
    url = f"/v2/integrations/{it['id']}"
    errors = []

    def put(field, value):
        r = client.put(url, {"data": {"type": "integration", field: value}})
        if r.status_code != 200:
            errors.append(r.text)

    for n in range(20):
        threads = [threading.Thread(target=put, args=("name", f"name {n}")),
                   threading.Thread(target=put, args=("description", f"description {n}"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        got = client.get(url).json()["data"]
        assert (got["name"], got["description"]) == (f"name {n}", f"description {n}"), got
    assert not errors, errors[:3]
