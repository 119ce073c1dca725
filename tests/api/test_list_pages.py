"""§5 lists are answered from pages kept in memory while the store does not change: every answered
change shows in the very next list, each Host gets its own links, each store its own pages."""
import threading

import requests

from support import valid_data


def listed(client, **params):
    r = client.get("/v2/integrations", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_answered_change_shows_in_the_next_list(client):
    it = client.create()
    for n in range(30):  # each list right after a change, many times over: a kept page never lags
        assert [i["name"] for i in listed(client)["data"]] == [f"name {n - 1}" if n else it["name"]]
        r = client.put(f"/v2/integrations/{it['id']}", {"data": {"type": "integration", "name": f"name {n}"}})
        assert r.status_code == 200, r.text
    assert listed(client)["data"][0]["name"] == "name 29"
    other = client.create()
    assert [i["id"] for i in listed(client)["data"]] == [it["id"], other["id"]]
    assert client.delete(f"/v2/integrations/{it['id']}").status_code == 200
    page = listed(client)
    assert [i["id"] for i in page["data"]] == [other["id"]] and page["results"]["total"] == 1


def test_each_host_and_page_gets_its_own_links(client):
    for _ in range(3):
        client.create()
    base = client.server.base
    for host in ("a.example:1", "b.example:2", "a.example:1"):
        page = client.get("/v2/integrations", headers={"Host": host}).json()
        assert page["links"]["first"].startswith(f"http://{host}/v2/integrations?")
        assert all(i["links"]["self"].startswith(f"http://{host}/") for i in page["data"])
    one = listed(client, **{"page[limit]": 1, "page[offset]": 1})
    assert len(one["data"]) == 1 and one["meta"]["page"]["current"] == 2
    assert len(listed(client)["data"]) == 3
    assert base


def test_stores_never_share_pages(server):
    a, b = server.client(), server.client()
    made = a.create(name="only in a")
    assert [i["id"] for i in listed(a)["data"]] == [made["id"]]
    assert listed(b)["data"] == [] and listed(b)["results"]["total"] == 0
    b.create(name="only in b")
    assert [i["name"] for i in listed(a)["data"]] == ["only in a"]
    assert [i["name"] for i in listed(b)["data"]] == ["only in b"]


def test_lists_during_writes_are_always_a_committed_state(client):
    """A writer renames one integration 0..N while readers list: every list shows a name the
    writer had already sent, never an older one than the last answered rename."""
    it = client.create(name="v0")
    answered = [0]
    stop = threading.Event()
    errors = []

    def reader():
        s = requests.Session()
        while not stop.is_set():
            floor = answered[0]  # answered before this list was asked for
            r = s.get(client.server.url("/v2/integrations"), headers=client.auth, timeout=30)
            seen = int(r.json()["data"][0]["name"][1:])
            if seen < floor:
                errors.append(f"listed v{seen} after v{floor} was answered")

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for n in range(1, 120):
            r = client.put(f"/v2/integrations/{it['id']}", {"data": {"type": "integration", "name": f"v{n}"}})
            assert r.status_code == 200, r.text
            answered[0] = n
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:5]
    assert listed(client)["data"][0]["name"] == "v119"
