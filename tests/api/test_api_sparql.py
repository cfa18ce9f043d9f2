"""/sparql in process: the SPARQL 1.1 Protocol (queries), datasets, content negotiation, errors,
the Service Description and CORS. Every reply is parsed (rdflib, csv, json) before asserting."""

from __future__ import annotations

import csv
import inspect
import io
import json
from urllib.parse import quote

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.query import Result

from support import BASE
from support.api import A000, A002, HOMS, PROBLEM, TRUCE, parse_rdf, triples

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORM = "application/x-www-form-urlencoded"
SELECT_HOMS = "SELECT ?label WHERE { <place/homs> rdfs:label ?label }"
SELECT_TRUCES = "SELECT ?a ?label WHERE { ?a a hk:Truce ; rdfs:label ?label } ORDER BY ?a"
CONSTRUCT_TRUCE = f"CONSTRUCT {{ <{TRUCE}> ?p ?o }} WHERE {{ <{TRUCE}> ?p ?o }}"


def graph(name: str) -> str:
    return f"{BASE}graph/{name}"


def ask(client, query: str, **params) -> bool:
    r = client.get("/sparql", params={"query": query, **params})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/sparql-results+json"
    return r.json()["boolean"]


def results(response) -> Result:
    media = response.headers["content-type"].split(";")[0]
    fmt = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
           "text/csv": "csv", "text/tab-separated-values": "tsv"}[media]
    return Result.parse(io.BytesIO(response.content), format=fmt)


# --- the three ways to send a query ---------------------------------------------------------------

def test_get_post_form_and_post_direct_give_the_same_answer(client):
    get = client.get("/sparql", params={"query": SELECT_HOMS})
    form = client.post("/sparql", data={"query": SELECT_HOMS})
    direct = client.post("/sparql", content=SELECT_HOMS.encode(), headers={"content-type": "application/sparql-query"})
    for r in (get, form, direct):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/sparql-results+json"
        assert [b["label"]["value"] for b in r.json()["results"]["bindings"]] == ["Homs"]


def test_the_usual_prefixes_are_predeclared_and_relative_iris_resolve_against_the_base(client):
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE { BIND(<place/homs> AS ?x) }"})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == HOMS
    assert ask(client, f"ASK {{ <{TRUCE}> a hk:Ceasefire }}")


def test_the_default_graph_is_the_union_of_asserted_and_inferred_graphs(client):
    # the truce is a Truce in its article's graph and a Ceasefire only by inference
    assert ask(client, f"ASK {{ <{TRUCE}> a hk:Truce ; a hk:Ceasefire ; hk:locatedIn <{HOMS}> }}")
    r = client.get("/sparql", params={"query": SELECT_TRUCES})
    labels = [str(row.label) for row in results(r)]
    assert any("Old Homs" in label or "truce" in label.lower() for label in labels)


# --- the dataset: default-graph-uri, named-graph-uri, FROM ---------------------------------------

def test_default_graph_uri_restricts_the_default_graph(client):
    fact = f"ASK {{ <{TRUCE}> ?p ?o }}"
    assert ask(client, fact, **{"default-graph-uri": graph(A002)})
    assert not ask(client, fact, **{"default-graph-uri": graph(A000)})
    # two default graphs are merged
    both = f"ASK {{ <{TRUCE}> ?p ?o . <{BASE}article/{A000}> ?q ?v }}"
    r = client.get(f"/sparql?query={quote(both)}&default-graph-uri={quote(graph(A002))}"
                   f"&default-graph-uri={quote(graph(A000))}")
    assert r.json()["boolean"] is True


def test_named_graph_uri_names_the_graphs_graph_clauses_see(client):
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.post(f"/sparql?named-graph-uri={quote(graph(A002))}&named-graph-uri={quote(graph(A000))}",
                    content=q.encode(), headers={"content-type": "application/sparql-query"})
    assert {str(row.g) for row in results(r)} == {graph(A002), graph(A000)}
    # with named graphs only, the default graph is empty (SPARQL 1.1 Query 13.2)
    assert not ask(client, "ASK { ?s ?p ?o }", **{"named-graph-uri": graph(A002)})


def test_without_a_protocol_dataset_the_querys_from_applies(client):
    assert not ask(client, f"ASK FROM <{graph(A000)}> {{ <{TRUCE}> ?p ?o }}")
    assert ask(client, f"ASK FROM <{graph(A002)}> {{ <{TRUCE}> ?p ?o }}")
    # ... and the protocol's dataset overrides it (query_multiple_dataset)
    assert ask(client, f"ASK FROM <{graph(A000)}> {{ <{TRUCE}> ?p ?o }}", **{"default-graph-uri": graph(A002)})
    # a variable or string named "from" is no FROM clause
    assert ask(client, f'ASK {{ <{TRUCE}> ?from "FROM" }}') is False
    assert ask(client, f"ASK {{ <{TRUCE}> a ?from }}")


def test_dataset_and_form_parameters_may_share_the_body(client):
    r = client.post("/sparql", content=f"query={quote('ASK { ?s ?p ?o }')}&named-graph-uri={quote(graph(A002))}",
                    headers={"content-type": FORM})
    assert r.json()["boolean"] is False  # named graphs only: empty default graph


# --- content negotiation --------------------------------------------------------------------------

SELECT_CASES = [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",
     "application/sparql-results+json"),  # SPARQLWrapper's JSON
]


@pytest.mark.parametrize("accept,expected", SELECT_CASES)
def test_select_results_by_accept_header(client, accept, expected):
    r = client.get("/sparql", params={"query": SELECT_TRUCES}, headers={"accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected
    rows = results(r)
    assert len(rows) >= 1 and {str(v) for v in rows.vars} == {"a", "label"}
    assert TRUCE in {str(row.a) for row in rows}


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_ask_results_by_accept_header(client, accept):
    r = client.get("/sparql", params={"query": f"ASK {{ <{TRUCE}> a hk:Agreement }}"}, headers={"accept": accept})
    assert r.headers["content-type"].split(";")[0] == accept
    if accept.startswith("text/"):
        assert r.text.strip() == "true"
    else:
        assert results(r).askAnswer is True


CONSTRUCT_CASES = [
    (None, "text/turtle"), ("*/*", "text/turtle"), ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"), ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"), ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"), ("application/turtle,text/turtle", "text/turtle"),
    ("application/ld+json,application/x-json+ld", "application/ld+json"),
    ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
    ("text/turtle;q=0, */*", "application/n-triples"),
]


@pytest.mark.parametrize("accept,expected", CONSTRUCT_CASES)
def test_construct_results_by_accept_header(client, accept, expected, api_store):
    r = client.get("/sparql", params={"query": CONSTRUCT_TRUCE}, headers={"accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected
    got = triples(parse_rdf(r))
    reference = client.get("/sparql", params={"query": CONSTRUCT_TRUCE}, headers={"accept": "application/n-triples"})
    assert len(got) > 10 and isomorphic(rdflib.Graph().parse(data=reference.text, format="nt"),
                                       _graph(got))
    assert (rdflib.URIRef(TRUCE), rdflib.RDFS.label, None) in _graph(got)


def _graph(ts) -> rdflib.Graph:
    g = rdflib.Graph()
    for t in ts:
        g.add(t)
    return g


def test_describe_gives_rdf(client):
    r = client.get("/sparql", params={"query": f"DESCRIBE <{TRUCE}>"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert (rdflib.URIRef(TRUCE), rdflib.RDF.type, None) in _graph(triples(parse_rdf(r)))


@pytest.mark.parametrize("query,accept", [(SELECT_HOMS, "text/turtle"), (SELECT_HOMS, "image/png"),
                                          (CONSTRUCT_TRUCE, "application/sparql-results+json")])
def test_nothing_acceptable_is_406(client, query, accept):
    r = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert r.status_code == 406 and r.headers["content-type"] == PROBLEM
    assert "available as" in r.json()["detail"]


def test_a_browser_gets_an_html_table_of_the_results(client):
    r = client.get("/sparql", params={"query": SELECT_TRUCES}, headers={"accept": "text/html,*/*;q=0.8"})
    assert r.headers["content-type"].startswith("text/html")
    assert "<table>" in r.text and f'href="/agreement/{A002}/old-homs-truce"' in r.text


# --- errors: the client's mistakes are 4xx, never 500 -----------------------------------------------

@pytest.mark.parametrize("query", ["SELECT * WHERE {", "SELEC ?x {}", "ASK { ?s ?p }",
                                   "INSERT DATA { <a:b> <a:c> <a:d> }"])
def test_a_syntax_error_is_400_with_the_parsers_message(client, query):
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("SPARQL syntax error: ") and "error at" in r.json()["detail"]


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_updates_are_refused_and_the_store_is_unchanged(client, api_store, how):
    before = len(api_store)
    update = "CLEAR ALL"
    if how == "get":
        r = client.get("/sparql", params={"update": update})
    elif how == "form":
        r = client.post("/sparql", data={"update": update})
    else:
        r = client.post("/sparql", content=update.encode(), headers={"content-type": "application/sparql-update"})
    assert r.status_code == 403 and "read-only" in r.json()["detail"]
    assert len(api_store) == before > 10000


@pytest.mark.parametrize("content_type,body,status", [
    ("text/plain", b"ASK {}", 415),
    (None, b"query=ASK%20%7B%7D", 415),
    (None, b"ASK {}", 415),
    ("application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16"), 415),
    ("application/sparql-query", b"ASK { \xff }", 400),
    (FORM, b"query=ASK%20%7B%20%FF%20%7D", 400),
    (FORM, b"query=ASK%7B%7D&query=ASK%7B%7D", 400),
    (FORM, b"query=", 400),
    (FORM, b"default-graph-uri=x", 400),
])
def test_bad_posts_are_4xx(client, content_type, body, status):
    r = client.post("/sparql", content=body, headers={"content-type": content_type} if content_type else {})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM


def test_a_query_in_both_the_url_and_the_body_is_rejected(client):
    r = client.post("/sparql?query=ASK%7B%7D", content=b"ASK {}", headers={"content-type": "application/sparql-query"})
    assert r.status_code == 400 and "more than one query" in r.json()["detail"]


def test_federated_queries_and_bad_graph_iris_are_refused(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 400 and "SERVICE" in r.json()["detail"]
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "graph IRI" in r.json()["detail"]


# --- Service Description, CORS, handlers ---------------------------------------------------------

def test_get_without_a_query_is_the_service_description(client):
    r = client.get("/sparql")
    assert r.headers["content-type"].startswith("text/turtle")
    g = _graph(triples(parse_rdf(r)))
    endpoint = rdflib.URIRef("http://testserver/sparql")
    assert (endpoint, rdflib.RDF.type, SD.Service) in g
    assert (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in g
    assert (endpoint, SD.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in g
    names = {str(o) for o in g.objects(None, SD.name)}
    assert {graph(A002), graph("ontology"), graph("entities"), graph(f"inferred/{A002}")} <= names
    assert any(str(o).endswith("/void") for o in g.objects(endpoint, rdflib.RDFS.seeAlso))
    r = client.get("/sparql", headers={"accept": "application/ld+json"})
    assert (endpoint, rdflib.RDF.type, SD.Service) in _graph(triples(parse_rdf(r)))


def test_a_browser_gets_a_query_form_without_outside_assets(client):
    r = client.get("/sparql", headers={"accept": "text/html"})
    assert "<form" in r.text and 'name="query"' in r.text
    assert "<script" not in r.text and 'src="http' not in r.text and "stylesheet" not in r.text


def test_cors_lets_browser_clients_query(client):
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "http://yasgui.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = client.options("/sparql", headers={"origin": "http://yasgui.example", "access-control-request-method": "POST",
                                             "access-control-request-headers": "content-type"})
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


def test_handlers_are_plain_functions(client):
    """pyoxigraph releases the GIL: plain `def` handlers run queries in parallel in the thread pool.
    The query handlers (/sparql, /api/<name>) are the exception: `async def`, they hand every query
    to the executor (a worker process, or the thread pool: api/routing.run_job), never run it on the loop."""
    from fastapi.routing import APIRoute

    def walk(routes):  # FastAPI may keep an included router as one route holding the router
        for r in routes:
            inner = getattr(r, "original_router", None)
            yield from walk(inner.routes) if inner is not None else [r]

    routes = [r for r in walk(client.app.routes) if isinstance(r, APIRoute)]
    assert len(routes) > 20
    for route in routes:
        target = inspect.unwrap(route.endpoint)
        call = getattr(target, "__call__", target)
        if route.path == "/sparql" or (route.path.startswith("/api/") and route.name.startswith("canned_")):
            continue
        assert not inspect.iscoroutinefunction(target) and not inspect.iscoroutinefunction(call), route.path


def test_json_results_are_standard(client):
    r = client.get("/sparql", params={"query": SELECT_HOMS})
    body = json.loads(r.content)
    assert body["head"]["vars"] == ["label"]
    assert body["results"]["bindings"][0]["label"] == {"type": "literal", "value": "Homs", "xml:lang": "en"}
    rows = list(csv.reader(io.StringIO(client.get("/sparql", params={"query": SELECT_HOMS},
                                                  headers={"accept": "text/csv"}).text)))
    assert rows == [["label"], ["Homs"]]


# --- the logic under the endpoint, directly -------------------------------------------------------

@pytest.mark.parametrize("query,declares", [
    ("SELECT * FROM <g> WHERE { ?s ?p ?o }", True),
    ("select * from named <g> { graph ?g { ?s ?p ?o } }", True),
    ("SELECT ?from WHERE { ?s ?from ?o }", False),
    ('ASK { ?s ?p "FROM" }', False),
    ("ASK { ?s ?p ?o } # FROM <g>", False),
    ("ASK { ?s <http://ex/FROM> ?o }", False),
    ("PREFIX from: <http://ex/> ASK { ?s from:x ?o }", False),
    ('''ASK { ?s ?p """a "FROM" b""" }''', False),
])
def test_a_from_clause_is_told_from_the_word_from(query, declares):
    from kg.querying.sparql import declares_dataset

    assert declares_dataset(query) is declares


def test_negotiation_weighs_specific_ranges_over_wildcards():
    from kg.formats import negotiate

    offered = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
    assert negotiate(None, offered) == offered[0]
    assert negotiate("application/sparql-results+json;q=0, */*", offered) == offered[1]  # refused, not 406
    assert negotiate("text/*;q=0.5, text/csv;q=0.1, */*;q=0.2", offered) == offered[0]
    assert negotiate("text/csv, */*;q=0.9", offered) == "text/csv"
    assert negotiate("image/png", offered) is None


def test_plain_values_keep_numbers_and_booleans():
    from pyoxigraph import Literal, NamedNode

    from kg.namespaces import XSD
    from kg.querying.sparql import plain

    assert plain(Literal("3", datatype=XSD.integer)) == 3
    assert plain(Literal("2.5", datatype=XSD.decimal)) == 2.5
    assert plain(Literal("true", datatype=XSD.boolean)) is True
    assert plain(Literal("2014-05-07", datatype=XSD.date)) == "2014-05-07"
    assert plain(NamedNode(HOMS)) == HOMS and plain(None) is None
