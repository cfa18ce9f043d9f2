"""The canned-answer cache (api/middleware/cache.py): what it keeps, the ETag round trip, and that a write
through the token-gated API changes the answer and its tag — on real stores (in memory, and on
disk behind the worker processes)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pyoxigraph import RdfFormat, Store

from api import create_app
from api.middleware.cache import AnswerCache, Entry, cache_for
from kg.executor.inline import InlineExecutor
from kg.executor.limits import Limits
from kg.querying import answers
from kg.querying import catalogue as canned
from support import BASE
from support.api import HOMS, TestClient

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTES = f"{BASE}graph/notes"
NOTE = f'<{HOMS}> <http://www.w3.org/2000/01/rdf-schema#comment> "a note added over HTTP" .\n'


def cache_of(client) -> AnswerCache:
    return client.app.state.answer_cache


def test_a_cached_answer_equals_a_fresh_one(client, api_store):
    first = client.get("/api/ceasefires", params={"place": "Homs"})
    assert first.status_code == 200 and len(first.json()["rows"]) == 2
    hits = cache_of(client).hits
    again = client.get("/api/ceasefires", params={"place": "Homs"})
    assert cache_of(client).hits == hits + 1  # served from the cache
    q = canned.catalogue()["ceasefires"]
    job = answers.CannedRequest(q, {"place": "Homs"}, BASE, "application/json", 100, 0, str(first.request.url))
    fresh = InlineExecutor(api_store).run(answers.canned_query, job)
    assert again.content == first.content == fresh.body
    assert again.headers["etag"] == first.headers["etag"] and again.headers["content-type"] == fresh.media_type


def test_the_key_is_the_resolved_parameters_the_format_and_the_page(client):
    cache = cache_of(client)
    a = client.get("/api/ceasefires", params={"place": "Bab Amr"})
    b = client.get("/api/ceasefires", params={"place": "baba-amr"})  # the same place, as a slug
    assert a.content == b.content and len(cache) == 1  # one answer, reached by two spellings
    homs = client.get("/api/ceasefires", params={"place": "homs"})
    default = client.get("/api/ceasefires")  # the default is homs
    assert homs.content == default.content and homs.content != a.content and len(cache) == 2
    assert len(homs.json()["rows"]) == 2 and a.json()["parameters"]["place"] == f"{BASE}place/baba-amr"
    csv = client.get("/api/ceasefires.csv", params={"place": "homs"})
    by_accept = client.get("/api/ceasefires", params={"place": "homs"}, headers={"accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.content == by_accept.content
    assert len(cache) == 3
    page = client.get("/api/ceasefires", params={"place": "homs", "limit": 1})
    rest = client.get("/api/ceasefires", params={"place": "homs", "limit": 1, "offset": 1})
    assert page.json()["rows"] != rest.json()["rows"] and page.json()["next"] and "link" in page.headers
    other = client.get("/api/ceasefires", params={"limit": 1})  # same page, another URL: its own `next`
    assert other.json()["next"] != page.json()["next"] and other.json()["rows"] == page.json()["rows"]
    assert client.get("/api/ceasefires", params={"place": "homs", "limit": 1}).content == page.content
    assert client.get("/api/ceasefires", params={"place": "Atlantis"}).status_code == 404  # never kept


def test_etag_round_trip_gives_304(client):
    r = client.get("/api/places")
    tag = r.headers["etag"]
    assert r.status_code == 200 and tag.startswith('"') and r.headers["cache-control"] == "no-cache"
    again = client.get("/api/places", headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get("/api/places", headers={"if-none-match": f'"other", W/{tag}'}).status_code == 304
    assert client.get("/api/places", headers={"if-none-match": '"other"'}).status_code == 200
    assert client.get("/api/places.csv", headers={"if-none-match": tag}).status_code == 200  # another answer


def _write_changes_the_answer(c: TestClient) -> None:
    r = c.get("/api/entity", params={"entity": HOMS, "limit": 10000})
    tag, rows = r.headers["etag"], r.json()["rows"]
    assert c.get("/api/entity", params={"entity": HOMS, "limit": 10000}, headers={"if-none-match": tag}).status_code == 304
    assert not any(row["value"] == "a note added over HTTP" for row in rows)
    put = c.put("/graph-store", params={"graph": NOTES}, content=NOTE.encode(),
                headers={**AUTH, "content-type": "application/n-triples"})
    assert put.status_code == 201
    after = c.get("/api/entity", params={"entity": HOMS, "limit": 10000}, headers={"if-none-match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag
    assert any(row["value"] == "a note added over HTTP" for row in after.json()["rows"])
    update = c.post("/sparql", data={"update": f"DROP GRAPH <{NOTES}>"}, headers=AUTH)
    assert update.status_code == 204
    back = c.get("/api/entity", params={"entity": HOMS, "limit": 10000}, headers={"if-none-match": after.headers["etag"]})
    assert back.status_code == 200 and back.json()["rows"] == rows and back.headers["etag"] == tag


def test_a_write_changes_the_etag_and_the_answer_in_memory(api_store):
    with TestClient(create_app(store=api_store, base=BASE, write_token=TOKEN)) as c:
        _write_changes_the_answer(c)


def test_a_write_changes_the_etag_and_the_answer_behind_the_worker_processes(tmp_path, seeds_nquads):
    disk = tmp_path / "store"
    s = Store(str(disk))
    s.bulk_load(seeds_nquads, format=RdfFormat.N_QUADS)
    s.flush()
    del s
    app = create_app(store=disk, base=BASE, write_token=TOKEN, isolation="process", workers=1,
                     limits=Limits(timeout=20))
    with TestClient(app) as c:
        assert app.state.executor.isolated
        _write_changes_the_answer(c)
        assert cache_of(c).version == app.state.executor.version == 2


def test_the_cache_is_bounded_in_entries_and_bytes():
    cache = AnswerCache(max_entries=2, max_bytes=8192)
    for i in range(3):
        cache.put(0, ("q", i), ("q", i), None, Entry(b"x" * 100, "application/json"))
    assert len(cache) == 2 and cache.get(0, ("q", 0), "u") is None and cache.get(0, ("q", 2), "u") is not None
    cache.put(0, ("big",), ("big",), None, Entry(b"x" * 2000, "application/json"))  # > an eighth of the bytes
    assert cache.get(0, ("big",), "u") is None
    for i in range(10):
        cache.put(0, ("m", i), ("m", i), None, Entry(b"x" * 1000, "application/json"))
        assert cache.size <= cache.max_bytes and len(cache) <= cache.max_entries
    cache.put(1, ("new",), ("new",), None, Entry(b"y", "text/csv"))  # a newer version empties it
    assert len(cache) == 1 and cache.get(0, ("new",), "u") is None  # an older version finds nothing
    cache.put(0, ("old",), ("old",), None, Entry(b"z", "text/csv"))  # computed before a write: dropped
    assert cache.get(1, ("old",), "u") is None and cache.get(1, ("new",), "u") is not None


def test_the_cache_is_off_unless_the_store_is_the_apps_own_pyoxigraph_store(client, api_store):
    from api.deps import get_store

    client.get("/api/places")
    app = client.app
    request = SimpleNamespace(app=app)
    assert cache_for(request, app.state.store, app.state.executor) is app.state.answer_cache
    remote_like = SimpleNamespace(query=api_store.query)  # anything that is not a pyoxigraph Store
    assert cache_for(request, remote_like, app.state.executor) is None
    assert cache_for(request, Store(), app.state.executor) is None  # not the app's store
    other = Store()
    other.load(api_store.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
    app.dependency_overrides[get_store] = lambda: other
    hits = cache_of(client).hits
    for _ in range(2):
        assert client.get("/api/places").status_code == 200
    assert cache_of(client).hits == hits  # a substituted store is never served from the cache


@pytest.mark.parametrize("path", ["/api/places", "/api/ceasefires.csv"])
def test_a_cached_answer_keeps_the_headers_of_a_fresh_one(client, path):
    first, again = client.get(path), client.get(path)
    for h in ("content-type", "vary", "etag", "cache-control"):
        assert first.headers.get(h) == again.headers.get(h), h
