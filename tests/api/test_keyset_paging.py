"""Keyset paging of the whole-graph canned queries (kg.querying.keyset): every page's rows, one after
another, are the whole answer row for row, in its order; the next page is linked by an opaque
`after=` cursor (body `next` and `Link: rel="next"`); a cursor that is not ours is a 400. On the seeds
and on a generated corpus (bench.generate, 20 articles). Real stores, real HTTP (TestClient)."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from pyoxigraph import Literal, NamedNode, Store

from api import create_app
from kg.executor.limits import Context, Limits
from kg.querying import keyset
from kg.querying.catalogue import catalogue, run
from kg.querying.sparql import plain
from support import BASE, generated_store
from support.api import PROBLEM, TestClient

PAGED = ("agreements", "places", "actors", "conflicting_figures")
# GROUP_CONCAT columns: the order of the names inside one is the engine's (not defined by SPARQL, and
# not the same from one evaluation to another), so they are compared as sets of names
LISTS = {"types": ", ", "places": ", ", "parties": ", ", "mediators": ", ", "guarantors": ", ", "escorts": ", ",
         "terms": " | ", "aliases": ", "}


def normal(rows: list[dict]) -> list[dict]:
    return [{c: sorted(v.split(LISTS[c])) if c in LISTS and isinstance(v, str) else v for c, v in row.items()}
            for row in rows]


def whole(store: Store, name: str) -> list[dict]:
    """The unpaged answer: the query's text run as it is (its `# @page` marks are comments)."""
    result = run(store, catalogue()[name], {})
    columns = [v.value for v in result.variables]
    return [{c: plain(s[c]) for c in columns} for s in result]


def all_pages(client: TestClient, name: str, limit: int) -> tuple[list[dict], int]:
    url, rows, pages = f"/api/{name}?limit={limit}", [], 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["rows"]) <= limit
        pages += 1
        rows += body["rows"]
        url = body["next"]
        if url:
            assert r.headers["link"] == f'<{url}>; rel="next"'
            query = parse_qs(urlsplit(url).query)
            assert set(query) == {"limit", "after"} and "offset" not in query
            assert body["rows"], "a page that links a next one is not empty"
        else:
            assert "link" not in r.headers
        assert pages < 10_000
    return rows, pages


@pytest.mark.parametrize("name", PAGED)
def test_pages_together_are_the_whole_answer_on_the_seeds(client, api_store, name):
    expected = whole(api_store, name)
    assert expected, f"{name} answers nothing on the seeds: the comparison would prove nothing"
    for limit in (1, 3, 10000):
        rows, pages = all_pages(client, name, limit)
        assert normal(rows) == normal(expected), (name, limit)
        assert pages == (len(expected) if limit == 1 else -(-len(expected) // limit) if limit == 3 else 1)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Store:
    return generated_store(tmp_path_factory.mktemp("gen20"))


@pytest.mark.parametrize("name,limit", [("agreements", 7), ("places", 250), ("actors", 30), ("conflicting_figures", 9)])
def test_pages_together_are_the_whole_answer_on_a_generated_corpus(generated, name, limit):
    client = TestClient(create_app(store=generated, base=BASE))
    expected = whole(generated, name)
    assert len(expected) > 2 * limit, f"{name}: too few rows ({len(expected)}) for several pages"
    rows, pages = all_pages(client, name, limit)
    assert pages >= 3
    assert normal(rows) == normal(expected)


def test_the_order_is_the_documented_key(generated):
    """agreements by earliest date (none first) then IRI; places and actors by label then IRI."""
    agreements = whole(generated, "agreements")
    keys = [(a["earliest"] is not None, a["earliest"] or "", a["agreement"]) for a in agreements]
    assert keys == sorted(keys)
    for name, item in (("places", "place"), ("actors", "actor")):
        rows = whole(generated, name)
        assert [(r["label"], r[item]) for r in rows] == sorted((r["label"], r[item]) for r in rows)


def cursor(doc) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")


@pytest.mark.parametrize("after", [
    "not-a-cursor!",  # not base64url
    "e30",  # {}
    cursor({"q": "actors", "k": [["i", f"{BASE}place/homs"], ["l", "Homs", "en", ""]], "n": 0}),  # another query's
    cursor({"q": "places", "k": [["i", f"{BASE}place/homs"]], "n": 0}),  # a key of the wrong length
    cursor({"q": "places", "k": [["i", "x> } ; DROP ALL ; #"], ["l", "Homs", "en", ""]], "n": 0}),  # not an IRI
    cursor({"q": "places", "k": [["i", f"{BASE}place/homs"], ["l", "Homs", "en", ""]], "n": -1}),
    cursor({"q": "places", "k": [["i", f"{BASE}place/homs"], ["l", "Homs", "en", ""]], "n": 0, "x": 1}),
    cursor({"q": "places", "k": [None, ["l", "Homs", "en", ""]], "n": 0}),
    "A" * (keyset.MAX_CURSOR + 1),
])
def test_a_cursor_that_is_not_ours_is_a_400(client, after):
    r = client.get("/api/places", params={"after": after})
    assert r.status_code in (400, 422), r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    if len(after) <= keyset.MAX_CURSOR:
        assert r.status_code == 400 and "cursor" in r.json()["detail"]


def test_after_is_for_keyset_queries_and_not_with_an_offset(client):
    first = client.get("/api/places", params={"limit": 2}).json()
    after = parse_qs(urlsplit(first["next"]).query)["after"][0]
    r = client.get("/api/places", params={"after": after, "offset": 5})
    assert r.status_code == 400 and r.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/ceasefires", params={"after": after}).status_code == 422  # no such parameter there


def test_a_cursor_is_bound_as_a_term_never_pasted(client, api_store):
    """A label full of SPARQL is only a key: the page starts after it in the order, nothing else."""
    trick = 'M" } UNION { ?place ?p ?label } #'
    after = cursor({"q": "places", "k": [["i", f"{BASE}place/zzz"], ["l", trick, "en", ""]], "n": 0})
    r = client.get("/api/places", params={"after": after, "limit": 10000})
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    expected = [row for row in whole(api_store, "places") if row["label"] > trick]
    assert rows == expected and rows  # the places after "M…", exactly


def test_the_offset_pages_still_answer(client, api_store):
    """`offset` (the other queries' paging) still works for these: the whole answer, sorted, then skipped."""
    expected = whole(api_store, "actors")
    body = client.get("/api/actors", params={"offset": 5, "limit": 4}).json()
    assert normal(body["rows"]) == normal(expected[5:9]) and "offset=9" in body["next"]


def test_the_kept_keys_are_per_store_version(store):
    """The sorted keys are computed once per store version in the process that answers; a write (a new
    version) makes them anew. Without the new version the kept keys do not see the write."""
    q = catalogue()["actors"]
    keyset.forget()
    ctx = Context(store, Limits(), time.monotonic() + 60)
    first = keyset.fetch(ctx, "actors", q.sparql, q.keyset, {}, 1, 5, None)
    new = NamedNode(f"{BASE}actor/aaa-test-militia")
    hk = "https://w3id.org/homs-kg/ontology#"
    store.update(f"INSERT DATA {{ {new} a <{hk}ArmedGroup> , <{hk}Actor> ; "
                 f"<http://www.w3.org/2000/01/rdf-schema#label> {Literal('A first militia', language='en')} }}")
    kept = keyset.fetch(ctx, "actors", q.sparql, q.keyset, {}, 1, 5, None)
    assert [r[0] for r in kept.rows] == [r[0] for r in first.rows]  # version 1's keys: no new actor
    fresh = keyset.fetch(ctx, "actors", q.sparql, q.keyset, {}, 2, 5, None)
    assert fresh.rows[0][0] == new
    keyset.forget()
