"""Access (issue 4): the public service is read-only; writes — SPARQL Update, the Graph Store
Protocol, POST /load — are off unless the app has a write token, and then need it (401 without,
403 with a wrong one), each in one transaction. Request size limits (413). In process, over a
fresh store per test; tests/e2e/test_hardening_server.py repeats the essentials against `kg serve`."""

from __future__ import annotations

import shutil

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from api import create_app
from kg.paths import SEEDS
from kg.storage.graphs import graph_sizes
from support import BASE
from support.api import A002, PROBLEM, TestClient

TOKEN = "s3cret-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
NOTES = "https://example.org/notes"
TURTLE = b"<https://example.org/a> <https://example.org/p> 'one' , 'two' ."
A002_FILE = "002_36c9516b5ee8d58f"


@pytest.fixture
def writable(api_store) -> TestClient:
    return TestClient(create_app(store=api_store, base=BASE, write_token=TOKEN))


def load_parts(annotation: bytes | None = None, text: bytes | None = None, name: str = f"{A002_FILE}.yaml") -> dict:
    return {"annotation": (name, annotation if annotation is not None else (SEEDS / f"{A002_FILE}.yaml").read_bytes()),
            "text": (f"{A002_FILE}.txt", text if text is not None else (SEEDS / f"{A002_FILE}.txt").read_bytes())}


def every_write(client: TestClient, headers: dict) -> dict:
    """Each kind of write, once, with `headers`: name -> response."""
    return {
        "update-form": client.post("/sparql", data={"update": "CLEAR ALL"}, headers=headers),
        "update-direct": client.post("/sparql", content=b"CLEAR ALL",
                                     headers={"content-type": "application/sparql-update", **headers}),
        "gsp-put": client.put("/graph-store", params={"graph": NOTES}, content=TURTLE,
                              headers={"content-type": "text/turtle", **headers}),
        "gsp-post": client.post("/graph-store", params={"graph": NOTES}, content=TURTLE,
                                headers={"content-type": "text/turtle", **headers}),
        "gsp-delete": client.delete("/graph-store", params={"graph": f"{BASE}graph/{A002}"}, headers=headers),
        "load": client.post("/load", files=load_parts(), headers=headers),
    }


# --- off by default; then only with the token ---------------------------------------------------------------

def test_without_a_token_the_service_refuses_every_write(client, api_store):
    before = set(api_store)
    for name, r in every_write(client, AUTH).items():
        assert r.status_code == 403, (name, r.text)
        assert r.headers["content-type"] == PROBLEM and "read-only" in r.json()["detail"], name
    assert set(api_store) == before


def test_with_a_token_writes_need_it(writable, api_store):
    before = set(api_store)
    for name, r in every_write(writable, {}).items():
        assert r.status_code == 401, (name, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer"), name
    for headers in ({"authorization": "Bearer wrong"}, {"authorization": f"Basic {TOKEN}"},
                    {"authorization": f"Bearer {TOKEN}x"}):
        for name, r in every_write(writable, headers).items():
            assert r.status_code in (401, 403), (name, headers, r.text)
    assert set(api_store) == before
    assert writable.get("/sparql", params={"query": "ASK {}"}).status_code == 200  # reading needs nothing


def test_a_sparql_update_with_the_token_runs_in_one_transaction(writable, api_store):
    r = writable.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{NOTES}> {{ <place/homs> rdfs:comment 'x' }} }}"},
                      headers=AUTH)
    assert r.status_code == 204, r.text
    assert Quad(NamedNode(f"{BASE}place/homs"), NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                Literal("x"), NamedNode(NOTES)) in api_store
    before = set(api_store)
    # the second operation fails (a graph that exists cannot be CREATEd): the first is undone with it
    r = writable.post("/sparql", content=f"DROP GRAPH <{NOTES}> ; CREATE GRAPH <{BASE}graph/{A002}>".encode(),
                      headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 400 and "nothing of it was written" in r.json()["detail"]
    assert set(api_store) == before
    for bad, message in (("INSERT DATA {", "syntax"), ("LOAD <http://example.org/x.ttl>", "LOAD"),
                         ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE")):
        r = writable.post("/sparql", data={"update": bad}, headers=AUTH)
        assert r.status_code == 400 and message in r.json()["detail"], r.text
    assert set(api_store) == before


def test_the_graph_store_protocol(writable, api_store):
    put = lambda body, media="text/turtle": writable.put("/graph-store", params={"graph": NOTES},  # noqa: E731
                                                         content=body, headers={"content-type": media, **AUTH})
    assert put(TURTLE).status_code == 201
    assert put(b"<https://example.org/a> <https://example.org/p> 'three' .").status_code == 204  # replaced
    got = writable.get("/graph-store", params={"graph": NOTES}, headers={"accept": "application/n-triples"})
    assert got.status_code == 200 and got.text.count("\n") == 1 and '"three"' in got.text
    r = writable.post("/graph-store", params={"graph": NOTES}, content=b'<https://example.org/a> <https://example.org/p> "four" .',
                      headers={"content-type": "application/n-triples", **AUTH})
    assert r.status_code == 204
    assert sum(1 for _ in api_store.quads_for_pattern(None, None, None, NamedNode(NOTES))) == 2
    assert put(b"not turtle at all").status_code == 400
    assert put(TURTLE, "text/plain-ish").status_code == 415
    assert writable.put("/graph-store", params={"graph": "not an iri"}, content=TURTLE,
                        headers={"content-type": "text/turtle", **AUTH}).status_code == 400
    assert writable.delete("/graph-store", params={"graph": NOTES}, headers=AUTH).status_code == 204
    assert writable.delete("/graph-store", params={"graph": NOTES}, headers=AUTH).status_code == 404
    assert writable.get("/graph-store", params={"graph": NOTES}).status_code == 404


def test_loading_an_annotation_file_over_http(writable, api_store):
    graph = NamedNode(f"{BASE}graph/{A002}")
    before = {q for q in api_store.quads_for_pattern(None, None, None, graph)}
    annotation = (SEEDS / f"{A002_FILE}.yaml").read_text(encoding="utf-8")
    changed = annotation.replace("    label: Homs Youth Council\n", "    label: Homs Youth Council (revised)\n", 1)
    assert changed != annotation
    r = writable.post("/load", files=load_parts(changed.encode()), headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["articles"] == [A002]
    after = {q for q in api_store.quads_for_pattern(None, None, None, graph)}
    assert len(after) == len(before) and after != before
    assert writable.get("/sparql", params={"query": "ASK { ?a rdfs:label 'Homs Youth Council (revised)'@en }"}).json()["boolean"]


@pytest.mark.parametrize("case,annotation,status,detail", [
    ("bad-yaml", b"article: [", 422, ":1: YAML syntax"),
    ("quote-not-in-text", None, 422, "quote not found"),
    ("text-outside-the-folder", b"article:\n  id: x\n  text: ../../etc/passwd\n", 422, "plain file name"),
    ("text-is-a-folder", b"article:\n  id: x\n  text: .\n", 422, "plain file name"),
])
def test_a_bad_annotation_over_http_is_a_422_and_writes_nothing(writable, api_store, case, annotation, status, detail):
    before = graph_sizes(api_store)
    text = (SEEDS / f"{A002_FILE}.txt").read_bytes().replace(b"For months", b"For weeks", 1) \
        if case == "quote-not-in-text" else None
    r = writable.post("/load", files=load_parts(annotation, text), headers=AUTH)
    assert r.status_code == status, r.text
    assert detail in r.json()["detail"] and "/tmp" not in r.json()["detail"], r.json()
    assert graph_sizes(api_store) == before


def test_a_load_missing_a_part_or_not_multipart_is_refused(writable):
    r = writable.post("/load", files={"annotation": load_parts()["annotation"]}, headers=AUTH)
    assert r.status_code == 422 and "text" in r.json()["detail"]
    r = writable.post("/load", content=b"article: {}", headers={"content-type": "application/yaml", **AUTH})
    assert r.status_code == 415


def test_the_process_pool_sees_each_write(api_store):
    """Behind the API, with worker processes: a write restarts them, and the next query sees it."""
    with TestClient(create_app(store=api_store, base=BASE, write_token=TOKEN, isolation="process", workers=2)) as c:
        ask = {"query": f"ASK {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}"}
        assert c.get("/sparql", params=ask).json()["boolean"] is False
        assert c.put("/graph-store", params={"graph": NOTES}, content=TURTLE,
                     headers={"content-type": "text/turtle", **AUTH}).status_code == 201
        assert c.get("/sparql", params=ask).json()["boolean"] is True


# --- request size limits --------------------------------------------------------------------------------------

def test_over_long_urls_and_over_large_bodies_are_413(api_store):
    c = TestClient(create_app(store=api_store, base=BASE, max_url=4096, max_body=64 * 1024))
    long_query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 5000
    r = c.get("/sparql", params={"query": long_query})
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM and "POST" in r.json()["detail"]
    assert c.post("/sparql", data={"query": long_query}).status_code == 200  # the same query by POST
    huge = ("ASK { VALUES ?x { " + "'y' " * 20000 + "} }").encode()
    r = c.post("/sparql", content=huge, headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413 and r.json()["status"] == 413
    chunks = (b"x" * 8192 for _ in range(20))  # no Content-Length: counted as it arrives
    r = c.post("/sparql", content=chunks, headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413
    assert c.get(f"/place/{'a' * 5000}").status_code == 413
    assert c.get("/api/ceasefires", params={"place": "x" * 5000}).status_code == 413


def test_a_canned_page_cut_by_the_byte_cap_links_the_rest(api_store):
    from kg.executor.limits import Limits

    c = TestClient(create_app(store=api_store, base=BASE, limits=Limits(max_bytes=4096)))
    r = c.get("/api/events_in_place", params={"place": "homs", "limit": 1000})  # paged by offset
    body = r.json()
    assert r.status_code == 200 and len(r.content) <= 4096
    assert body["truncated"] == "max-bytes=4096" and r.headers["kg-truncated"] == "max-bytes=4096"
    assert body["next"] and f"offset={len(body['rows'])}" in body["next"]
    rest = c.get(body["next"].replace("http://testserver", "")).json()
    assert rest["offset"] == len(body["rows"]) and rest["rows"][0] != body["rows"][-1]
    r = c.get("/api/places", params={"limit": 1000})  # paged by key: the rest after the last row sent
    body = r.json()
    assert r.status_code == 200 and len(r.content) <= 4096 and body["truncated"] == "max-bytes=4096"
    assert body["next"] and "after=" in body["next"]
    rest = c.get(body["next"].replace("http://testserver", "")).json()
    listed = [row["place"] for row in c.get("/api/places", params={"limit": 1000}).json()["rows"]]
    whole = [row["place"] for row in TestClient(create_app(store=api_store, base=BASE)).get(
        "/api/places", params={"limit": 1000}).json()["rows"]]
    assert listed == whole[:len(listed)] and rest["rows"][0]["place"] == whole[len(listed)]


def test_the_row_cap_applies_to_sparql_and_says_so(api_store):
    from kg.executor.limits import Limits

    c = TestClient(create_app(store=api_store, base=BASE, limits=Limits(max_rows=7)))
    r = c.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a hk:Place }"})
    assert r.status_code == 200 and r.headers["kg-truncated"] == "max-rows=7"
    assert len(r.json()["results"]["bindings"]) == 7
    assert "kg-truncated" in r.headers.get("access-control-expose-headers", "").lower() or \
        c.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "http://elsewhere"}).headers[
            "access-control-expose-headers"]


def test_entities_of_another_corpus_are_never_rewritten_over_http(tmp_path, api_store):
    folder = tmp_path / "other"
    shutil.copytree(SEEDS, folder)
    entities = folder / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace("label: Homs, aliases", "label: Hims, aliases", 1), encoding="utf-8")
    c = TestClient(create_app(store=api_store, base=BASE, write_token=TOKEN, entities_file=entities))
    before = graph_sizes(api_store)
    r = c.post("/load", files=load_parts(), headers=AUTH)
    assert r.status_code in (409, 422), r.text
    assert graph_sizes(api_store) == before
