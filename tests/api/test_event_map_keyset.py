"""event_map paged by key (issue 17; kg.querying.keyset): the pages of the map's items, one after
another, are the whole answer row for row, in its order (earliest date, latest date, item, place),
in the world, in a box and in a period; the next page is an `after=` cursor. On the seeds and on a
generated corpus (bench.generate, 20 articles). Real stores, real HTTP (TestClient)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from pyoxigraph import Store

from api import create_app
from kg.namespaces import Iris
from kg.querying.catalogue import catalogue, run
from kg.querying.sparql import plain
from support import BASE, generated_store
from support.api import TestClient

# GROUP_CONCAT columns: the order inside one is the engine's, so they are compared as sets
LISTS = {"types": ", ", "classes": ", ", "places": " ", "actors": " ", "reports": " "}
HOMS_BOX = {"south": 34.69, "west": 36.65, "north": 34.77, "east": 36.75}
MAY_2014 = {"from": "2014-05-01", "to": "2014-05-31"}


def normal(rows: list[dict]) -> list[dict]:
    return [{c: sorted(v.split(LISTS[c])) if c in LISTS and isinstance(v, str) else v for c, v in row.items()}
            for row in rows]


def whole(store: Store, params: dict) -> list[dict]:
    """The unpaged answer: the query's text run as it is (its `# @page` mark is a comment)."""
    result = run(store, catalogue()["event_map"], params, Iris(BASE))
    columns = [v.value for v in result.variables]
    return [{c: plain(s[c]) for c in columns} for s in result]


def all_pages(client: TestClient, params: dict, limit: int) -> tuple[list[dict], int]:
    r = client.get("/api/event_map", params={**params, "limit": limit})
    rows, pages = [], 0
    while True:
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["rows"]) <= limit
        pages += 1
        rows += body["rows"]
        if not body["next"]:
            assert "link" not in r.headers
            return rows, pages
        assert r.headers["link"] == f'<{body["next"]}>; rel="next"'
        query = parse_qs(urlsplit(body["next"]).query)
        assert "after" in query and "offset" not in query
        assert pages < 10_000
        r = client.get(body["next"])


@pytest.mark.parametrize("params", [{}, HOMS_BOX, MAY_2014], ids=["world", "homs-box", "may-2014"])
def test_event_map_pages_together_are_the_whole_answer_on_the_seeds(client, api_store, params):
    expected = whole(api_store, params)
    assert len(expected) > 3, f"event_map answers {len(expected)} rows for {params}: the comparison would prove little"
    for limit in (1, 3, 10000):
        rows, pages = all_pages(client, params, limit)
        assert normal(rows) == normal(expected), (params, limit)
        assert pages == (len(expected) if limit == 1 else -(-len(expected) // limit) if limit == 3 else 1)


def test_a_box_s_pages_hold_only_the_box_s_places(client, api_store):
    rows, _ = all_pages(client, HOMS_BOX, 5)
    world = {(r["item"], r["place"]) for r in whole(api_store, {})}
    assert {(r["item"], r["place"]) for r in rows} < world
    assert all(r["place"] for r in rows), "in a box, an item is listed at its places in the box only"
    assert {r["place"].rsplit("/", 1)[1] for r in rows} & {"homs", "old-homs", "baba-amr"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Store:
    return generated_store(tmp_path_factory.mktemp("gen20map"))


@pytest.mark.parametrize("params,limit", [({}, 37), ({"south": 33, "west": 35, "north": 36, "east": 38}, 11),
                                          ({"from": "2013-01-01", "to": "2013-12-31"}, 7)],
                         ids=["world", "box", "2013"])
def test_event_map_pages_together_are_the_whole_answer_on_a_generated_corpus(generated, params, limit):
    client = TestClient(create_app(store=generated, base=BASE))
    expected = whole(generated, params)
    assert len(expected) > 3 * limit, f"too few rows ({len(expected)}) for several pages"
    rows, pages = all_pages(client, params, limit)
    assert pages >= 3
    assert normal(rows) == normal(expected)


def test_the_order_is_the_documented_key(generated, api_store):
    """By earliest date (none first), then latest date (none first), then item IRI, then place IRI."""
    for store in (generated, api_store):
        rows = whole(store, {})
        keys = [(r["earliest"] is not None, r["earliest"] or "", r["latest"] is not None, r["latest"] or "",
                 r["item"], r["place"] is not None, r["place"] or "") for r in rows]
        assert keys == sorted(keys)
        assert len({r["earliest"] for r in rows}) > 10
    assert any(r["earliest"] is None for r in whole(api_store, {})), "the seeds have items with no earliest date"
