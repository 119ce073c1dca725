"""§5 lists and pagination of GET /v2/integrations."""
import time

import pytest

from pages import assert_page
from support import body_json, one_error, valid_data

BASE = "/v2/integrations"
N = 7


@pytest.fixture(scope="module")
def store(server):
    """A store with N integrations; expected order = oldest first (created_at, then id)."""
    c = server.client()
    made = []
    for i in range(N):
        made.append(c.create(valid_data(name=f"p{i}")))
        if i % 2:
            time.sleep(0.002)
    order = [d["id"] for d in sorted(made, key=lambda d: (d["meta"]["timestamps"]["created_at"], d["id"]))]
    return c, order, {d["id"]: d for d in made}


def q(limit=None, offset=None):
    parts = []
    if limit is not None:
        parts.append(f"page[limit]={limit}")
    if offset is not None:
        parts.append(f"page[offset]={offset}")
    return BASE + ("?" + "&".join(parts) if parts else "")


# (query limit, query offset, effective limit, effective offset)
PAGES = [
    (None, None, 25, 0),
    ("0", None, 25, 0),
    ("3", None, 3, 0),
    ("3", "0", 3, 0),
    ("3", "3", 3, 3),
    ("3", "6", 3, 6),
    ("3", "2", 3, 2),
    ("2", "4", 2, 4),
    ("7", None, 7, 0),
    ("1", "6", 1, 6),
    ("100", None, 100, 0),
    ("101", None, 100, 0),
    ("1000", "0", 100, 0),
    (None, "5", 25, 5),
    ("3", "7", 3, 7),
    ("0", "3", 25, 3),
]


@pytest.mark.parametrize("limit,offset,eff_limit,eff_offset", PAGES,
                         ids=[f"limit={p[0]},offset={p[1]}" for p in PAGES])
def test_pages(server, store, limit, offset, eff_limit, eff_offset):
    c, order, made = store
    b = body_json(c.get(q(limit, offset)), 200)
    expected = order[eff_offset:eff_offset + eff_limit]
    assert [d["id"] for d in b["data"]] == expected
    for d in b["data"]:
        assert d == made[d["id"]]
    assert_page(b, server.base, BASE, eff_limit, eff_offset, N, count=len(expected))


def test_links_walk_the_whole_list(store):
    c, order, _ = store
    seen = []
    url = c.server.url(q(2))
    pages = 0
    while url:
        b = body_json(c.server.request("GET", url.replace(c.server.base, ""), headers=c.auth), 200)
        seen += [d["id"] for d in b["data"]]
        url = b["links"]["next"]
        pages += 1
        assert pages <= 10
    assert seen == order and pages == 4
    last = body_json(c.get(q(2, 6)), 200)
    back = []
    url = last["links"]["current"]
    while url:
        b = body_json(c.server.request("GET", url.replace(c.server.base, ""), headers=c.auth), 200)
        back = [d["id"] for d in b["data"]] + back
        url = b["links"]["prev"]
    assert back == order


def test_empty_list(server, client):
    b = body_json(client.get(BASE), 200)
    assert b["data"] == []
    assert_page(b, server.base, BASE, 25, 0, 0, count=0)


@pytest.mark.parametrize("param,value", [
    ("page[limit]", "-1"), ("page[limit]", "abc"), ("page[limit]", "1.5"), ("page[limit]", "1e2"),
    ("page[limit]", "10abc"), ("page[limit]", "-0x1"),
    ("page[offset]", "-1"), ("page[offset]", "x"), ("page[offset]", "2.0"), ("page[offset]", " 3x"),
])
def test_bad_page_params_400(client, param, value):
    r = client.get(f"{BASE}?{param}={value}")
    e = one_error(r, 400)
    assert e.get("source") == param, e
    assert isinstance(e.get("detail"), str) and e["detail"]


def test_bad_page_param_encoded_brackets_source(client):
    r = client.get(f"{BASE}?page%5Blimit%5D=-3")
    assert one_error(r, 400).get("source") == "page[limit]"


def test_order_is_oldest_first_and_stable_under_updates(client):
    made = [client.create(valid_data(name=f"o{i}")) for i in range(4)]
    time.sleep(0.01)
    client.put(f"{BASE}/{made[0]['id']}", {"data": {"type": "integration", "name": "touched"}})
    client.delete(f"{BASE}/{made[2]['id']}")
    kept = [made[0], made[1], made[3]]
    expected = [d["id"] for d in sorted(kept, key=lambda d: (d["meta"]["timestamps"]["created_at"], d["id"]))]
    assert [d["id"] for d in client.get(BASE).json()["data"]] == expected


def test_offset_beyond_the_end(store):
    c, order, _ = store
    b = body_json(c.get(q(3, 100)), 200)
    assert b["data"] == []
    assert b["meta"]["page"] == {"limit": 3, "offset": 100, "current": 34, "total": 3}
    assert b["results"] == {"total": N} and b["meta"]["results"] == {"total": N}
    assert b["links"]["next"] is None


def test_list_items_have_resource_shape(client):
    client.create()
    d = client.get(BASE).json()["data"][0]
    assert list(d.keys()) == ["id", "type", "integration_type", "name", "description", "enabled",
                              "configuration", "observes", "links", "meta"]
