"""/sparql's fast path (api/routers/sparql.py `Direct`): a query answered before FastAPI routes it gets
the very answer the handlers give (status, headers, bytes), errors included; what it does not
answer (updates, the Service Description, an app with overridden dependencies) reaches the handlers."""

from __future__ import annotations

import pytest

from api import create_app
from api.deps import get_settings
from api.routers import sparql
from support import BASE
from support.api import TestClient

FORM = "application/x-www-form-urlencoded"
JSON = "application/sparql-results+json"
SELECT_HOMS = "SELECT ?label WHERE { <place/homs> rdfs:label ?label }"
SELECT_TRUCES = "SELECT ?a ?label WHERE { ?a a hk:Truce ; rdfs:label ?label } ORDER BY ?a"

QUERIES = {  # requests Direct answers
    "get json": ("GET", {"query": SELECT_HOMS}, {"accept": JSON}, None),
    "post direct csv": ("POST", {}, {"content-type": "application/sparql-query", "accept": "text/csv"}, SELECT_TRUCES),
    "post form xml": ("POST", {}, {"content-type": FORM, "accept": "application/sparql-results+xml"},
                      "query=" + SELECT_TRUCES.replace(" ", "+").replace("?", "%3F")),
    "construct turtle": ("GET", {"query": "CONSTRUCT { <place/homs> ?p ?o } WHERE { <place/homs> ?p ?o }"},
                         {"accept": "text/turtle"}, None),
    "ask": ("POST", {}, {"content-type": "application/sparql-query"}, "ASK { <place/homs> ?p ?o }"),
    "html page": ("GET", {"query": SELECT_TRUCES}, {"accept": "text/html"}, None),
    "syntax error": ("GET", {"query": "SELEC ?x"}, {}, None),
    "bad media type": ("POST", {}, {"content-type": "text/plain"}, "ASK {}"),
    "two queries": ("GET", [("query", "ASK {}"), ("query", "ASK {}")], {}, None),
    "not utf-8": ("POST", {}, {"content-type": FORM}, b"query=%FF"),
    "not acceptable": ("GET", {"query": "ASK {}"}, {"accept": "image/png"}, None),
    "service": ("GET", {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}, {}, None),
    "dataset": ("GET", [("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                        ("default-graph-uri", BASE + "graph/ontology")], {"accept": JSON}, None),
}
HANDED_ON = {  # requests it leaves to the handlers
    "update": ("POST", {}, {"content-type": FORM}, "update=CLEAR+ALL"),
    "direct update": ("POST", {}, {"content-type": "application/sparql-update"}, "CLEAR ALL"),
    "service description": ("GET", {}, {"accept": "text/turtle"}, None),
    "no query": ("POST", {}, {"content-type": FORM}, "default-graph-uri=x"),
}


def send(client, request):
    method, params, headers, body = request
    return client.request(method, "/sparql", params=params, headers=headers, content=body)


@pytest.fixture
def direct(api_store):
    """An app whose lifespan ran (its executor is set): Direct answers queries."""
    with TestClient(create_app(store=api_store, base=BASE)) as client:
        yield client


@pytest.fixture
def handlers(seeds_nquads):
    """An app over its own copy of the seeds, without its lifespan: every request reaches the handlers."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.load(seeds_nquads, format=RdfFormat.N_QUADS)
    return TestClient(create_app(store=store, base=BASE))


def without_sparql_routes(client) -> None:
    """The app without api/routers/sparql.py's router (included routers are kept as such)."""
    routes = client.app.router.routes
    kept = [r for r in routes if getattr(r, "original_router", None) is not sparql.router]
    assert len(kept) == len(routes) - 1
    routes[:] = kept


@pytest.mark.parametrize("name", list(QUERIES))
def test_same_answer_as_the_handlers(direct, handlers, name):
    fast, slow = send(direct, QUERIES[name]), send(handlers, QUERIES[name])
    assert fast.status_code == slow.status_code, (fast.text[:300], slow.text[:300])
    assert fast.content == slow.content
    assert dict(fast.headers) == dict(slow.headers)


@pytest.mark.parametrize("name", list(HANDED_ON))
def test_same_status_as_the_handlers(direct, handlers, name):
    """(The Service Description's blank nodes differ from one answer to the next: status and type here.)"""
    fast, slow = send(direct, HANDED_ON[name]), send(handlers, HANDED_ON[name])
    assert (fast.status_code, fast.headers["content-type"]) == (slow.status_code, slow.headers["content-type"])


def test_known_answers(direct):
    r = send(direct, QUERIES["get json"])
    assert r.status_code == 200 and r.headers["content-type"] == JSON
    assert {b["label"]["value"] for b in r.json()["results"]["bindings"]} >= {"Homs"}
    assert send(direct, QUERIES["syntax error"]).json()["status"] == 400
    assert send(direct, QUERIES["bad media type"]).status_code == 415
    assert send(direct, QUERIES["service"]).status_code == 400
    assert send(direct, QUERIES["not acceptable"]).status_code == 406


@pytest.mark.parametrize("name", [n for n in QUERIES if n != "html page"])  # (the page links to the route)
def test_queries_need_no_route(direct, name):
    """With the /sparql routes gone, Direct still answers every query (it is what answered them)."""
    expected = send(direct, QUERIES[name])
    without_sparql_routes(direct)
    r = send(direct, QUERIES[name])
    assert (r.status_code, r.content) == (expected.status_code, expected.content)


@pytest.mark.parametrize("name", list(HANDED_ON))
def test_the_rest_reaches_the_handlers(direct, name):
    assert send(direct, HANDED_ON[name]).status_code in (200, 400, 403)
    without_sparql_routes(direct)
    assert send(direct, HANDED_ON[name]).status_code in (404, 405)  # no handler left: it went to the router


def test_overridden_dependencies_reach_the_handlers(direct):
    """A test's stand-ins (dependency_overrides) are FastAPI's: Direct leaves such an app's queries alone."""
    direct.app.dependency_overrides[get_settings] = lambda: direct.app.state.settings
    assert send(direct, QUERIES["get json"]).status_code == 200
    without_sparql_routes(direct)
    assert send(direct, QUERIES["get json"]).status_code == 404


def test_body_of_a_handed_on_request_arrives_whole(direct):
    """An update's body, read by Direct, reaches the handler: refused for what it is (403, read-only)."""
    r = send(direct, HANDED_ON["update"])
    assert r.status_code == 403 and "read-only" in r.json()["detail"]
