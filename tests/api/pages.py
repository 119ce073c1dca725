"""§5 list shape checks shared by the list and logs tests."""
import math

from support import page_query


def assert_page(b, origin, path, limit, offset, total, count=None):
    """Check the §5 envelope of list body `b` for the given page parameters and record total."""
    for k in ("data", "links", "meta", "results"):
        assert k in b, f"list body lacks {k!r}: {list(b)}"
    assert isinstance(b["data"], list)
    if count is not None:
        assert len(b["data"]) == count, f"{len(b['data'])} items, expected {count}"
    pages = math.ceil(total / limit) if total else 0
    assert b["meta"]["page"] == {"limit": limit, "offset": offset, "current": offset // limit + 1,
                                 "total": pages}, b["meta"]
    assert b["meta"]["results"] == {"total": total}, b["meta"]
    assert b["results"] == {"total": total}, b["results"]
    links = b["links"]
    assert set(links) == {"current", "first", "last", "prev", "next"}, links

    def link_offset(name, required=True):
        url = links[name]
        assert isinstance(url, str), f"links.{name} = {url!r}"
        o, p, q = page_query(url)
        assert o == origin, f"links.{name} {url!r} not absolute on {origin}"
        assert p.rstrip("/") == path.rstrip("/"), f"links.{name} path {p!r}"
        if "page[limit]" in q or required:
            assert q.get("page[limit]") == str(limit), f"links.{name} {url!r} limit"
        return int(q.get("page[offset]", "0"))

    assert link_offset("first") == 0
    assert link_offset("last") == (max(pages - 1, 0)) * limit
    assert link_offset("current", required=False) == offset
    if offset == 0:
        assert links["prev"] is None, links
    else:
        assert link_offset("prev") == max(offset - limit, 0)
    if offset + limit >= total:
        assert links["next"] is None, links
    else:
        assert link_offset("next") == offset + limit
