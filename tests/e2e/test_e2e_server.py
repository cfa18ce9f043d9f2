"""End to end: `kg serve` as a real process on a loopback port, driven by the clients people use —
httpx, SPARQLWrapper and rdflib's SPARQLStore — and the W3C SPARQL 1.1 Protocol query tests.

The protocol tests follow the W3C manifest (data-sparql11/protocol): the same requests, with the
dataset tests pointed at this graph's named graphs instead of the test suite's data0-3.rdf."""

from __future__ import annotations

import concurrent.futures
import warnings
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TURTLE, XML, SPARQLWrapper

from support import BASE
from support.servers import running_server

pytestmark = pytest.mark.server

A002, A000 = "a002-syria-direct-fall-of-homs", "a000-france24-final-offensive"
G002, G000, ENTITIES = f"{BASE}graph/{A002}", f"{BASE}graph/{A000}", f"{BASE}graph/entities"
ART002, ART000 = f"{BASE}article/{A002}", f"{BASE}article/{A000}"
TRUCE = f"{BASE}agreement/{A002}/old-homs-truce"
HOMS = f"{BASE}place/homs"
RESULT_TYPES = ("application/sparql-results+xml", "application/sparql-results+json")


@pytest.fixture(scope="module")
def server_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def server(server_dir):
    with running_server(server_dir) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(server) -> str:
    return f"{server}/sparql"


# --- httpx ------------------------------------------------------------------------------------------

def test_the_canned_endpoint_over_http(server):
    r = httpx.get(f"{server}/api/ceasefires", params={"place": "Bab Amr"})
    assert r.status_code == 200 and r.json()["parameters"]["place"] == f"{BASE}place/baba-amr"
    rows = httpx.get(f"{server}/api/ceasefires", params={"place": "homs"}).json()["rows"]
    assert {row["agreement"] for row in rows} == {TRUCE, f"{BASE}agreement/{A002}/april-72-hour-ceasefire"}
    unknown = httpx.get(f"{server}/api/ceasefires", params={"place": "Atlantis"})
    assert unknown.status_code == 404 and unknown.json()["title"] == "Not Found"
    r = httpx.get(f"{server}/api/ceasefires.csv")
    assert r.headers["content-type"].startswith("text/csv") and r.text.startswith("place,agreement,")


def test_pages_exports_and_docs_over_http(server):
    page = httpx.get(f"{server}/place/homs", headers={"accept": "text/html"})
    assert page.status_code == 200 and "<h1>Homs</h1>" in page.text
    g = rdflib.Graph().parse(data=httpx.get(f"{server}/place/homs", headers={"accept": "text/turtle"}).text,
                             format="turtle")
    assert (rdflib.URIRef(HOMS), rdflib.RDFS.label, rdflib.Literal("Homs", lang="en")) in g
    dump = httpx.get(f"{server}/export/dataset.nq")
    assert dump.headers["content-disposition"] == 'attachment; filename="homs-kg.nq"'
    assert len(dump.content.splitlines()) > 10000
    docs = httpx.get(f"{server}/docs")
    assert docs.status_code == 200 and "http" not in docs.text.replace(server, "")
    assert httpx.get(f"{server}/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
    spec = httpx.get(f"{server}/openapi.json").json()
    assert "/api/ceasefires" in spec["paths"] and "/sparql" in spec["paths"]


def test_concurrent_queries_all_answer(endpoint):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with httpx.Client() as c, concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: c.get(endpoint, params={"query": query}), range(32)))
    counts = {int(r.json()["results"]["bindings"][0]["n"]["value"]) for r in answers}
    assert all(r.status_code == 200 for r in answers) and len(counts) == 1 and counts.pop() > 10000


# --- SPARQLWrapper ----------------------------------------------------------------------------------

def wrapper(endpoint: str, query: str, fmt, method=None) -> SPARQLWrapper:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    return sw


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_select_as_json(endpoint, method):
    query = "SELECT ?label WHERE { <https://w3id.org/homs-kg/place/homs> rdfs:label ?label }"
    result = wrapper(endpoint, query, JSON, method).query().convert()
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == ["Homs"]


def test_sparqlwrapper_select_as_xml_and_csv(endpoint):
    query = "SELECT ?a WHERE { ?a a hk:Truce }"
    xml = wrapper(endpoint, query, XML).query().convert()  # a DOM document
    uris = [n.firstChild.nodeValue for n in xml.getElementsByTagName("uri")]
    assert TRUCE in uris
    csv_text = wrapper(endpoint, query, CSV).query().convert().decode("utf-8")
    assert csv_text.splitlines()[0] == "a" and TRUCE in csv_text


def test_sparqlwrapper_ask(endpoint):
    assert wrapper(endpoint, f"ASK {{ <{TRUCE}> a hk:Ceasefire }}", JSON).query().convert()["boolean"] is True
    assert wrapper(endpoint, f"ASK {{ <{TRUCE}> a hk:Event }}", JSON).query().convert()["boolean"] is False


def test_sparqlwrapper_construct_as_turtle(endpoint):
    query = f"CONSTRUCT {{ <{TRUCE}> ?p ?o }} WHERE {{ <{TRUCE}> ?p ?o }}"
    data = wrapper(endpoint, query, TURTLE).query().convert()
    g = rdflib.Graph().parse(data=data, format="turtle")
    assert (rdflib.URIRef(TRUCE), rdflib.RDF.type, rdflib.URIRef("https://w3id.org/homs-kg/ontology#Truce")) in g


def test_sparqlwrapper_construct_as_jsonld(endpoint):
    query = f"CONSTRUCT {{ <{TRUCE}> ?p ?o }} WHERE {{ <{TRUCE}> ?p ?o }}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        g = wrapper(endpoint, query, JSONLD).query().convert()  # SPARQLWrapper parses it into an rdflib graph
    assert isinstance(g, rdflib.Graph) and len(g) > 10
    assert (rdflib.URIRef(TRUCE), rdflib.RDFS.label, None) in g


# --- rdflib's SPARQLStore -----------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(endpoint, method):
    g = rdflib.Graph(store=SPARQLStore(endpoint, method=method))
    rows = list(g.query(f"SELECT ?status WHERE {{ <{TRUCE}> <https://w3id.org/homs-kg/ontology#status> ?status }}"))
    assert [str(r[0]) for r in rows] == ["https://w3id.org/homs-kg/ontology#implemented"]
    assert g.query(f"ASK {{ <{TRUCE}> ?p ?o }}").askAnswer is True
    labels = set(g.objects(rdflib.URIRef(HOMS), rdflib.RDFS.label))
    assert labels == {rdflib.Literal("Homs", lang="en")}


def test_rdflib_sparqlstore_construct(endpoint):
    g = rdflib.Graph(store=SPARQLStore(endpoint))
    result = g.query(f"CONSTRUCT {{ ?s rdfs:label ?l }} WHERE {{ ?s rdfs:label ?l FILTER(?s = <{HOMS}>) }}")
    assert (rdflib.URIRef(HOMS), rdflib.RDFS.label, rdflib.Literal("Homs", lang="en")) in set(result)


# --- the W3C SPARQL 1.1 Protocol query tests (and the update tests: this endpoint refuses updates) -----

@dataclass
class ProtocolTest:
    name: str
    method: str
    params: str = ""  # the URL's query string
    body: bytes | None = None
    content_type: str | None = None
    expect: str = "2xx"  # or "4xx"
    boolean: bool | None = None  # the ASK answer expected
    media: tuple[str, ...] = RESULT_TYPES


def q(text: str) -> str:
    return quote(text, safe="")


ASK_DATA = f"ASK {{ <{ART002}> ?p ?o }}"
W3C = [
    ProtocolTest("query_get", "GET", f"query={q('ASK {}')}", boolean=True),
    ProtocolTest("query_post_form", "POST", body=f"query={q('ASK {}')}".encode(),
                 content_type="application/x-www-form-urlencoded", boolean=True),
    ProtocolTest("query_post_direct", "POST", body=b"ASK {}", content_type="application/sparql-query", boolean=True),
    ProtocolTest("query_dataset_default_graph", "POST", f"default-graph-uri={q(G002)}", ASK_DATA.encode(),
                 "application/sparql-query", boolean=True),
    ProtocolTest("query_dataset_default_graph (not the union)", "POST", f"default-graph-uri={q(G000)}",
                 ASK_DATA.encode(), "application/sparql-query", boolean=False),
    ProtocolTest("query_dataset_default_graphs_get", "GET",
                 f"query={q(f'ASK {{ <{ART002}> a ?type . <{ART000}> a ?type . }}')}"
                 f"&default-graph-uri={q(G002)}&default-graph-uri={q(G000)}", boolean=True),
    ProtocolTest("query_dataset_default_graphs_post", "POST", f"default-graph-uri={q(G002)}&default-graph-uri={q(G000)}",
                 f"ASK {{ <{ART002}> ?p ?o . <{ART000}> ?p ?o }}".encode(), "application/sparql-query", boolean=True),
    ProtocolTest("query_dataset_named_graphs_get", "GET",
                 f"query={q(f'ASK {{ GRAPH ?g1 {{ <{ART002}> a ?type }} GRAPH ?g2 {{ <{ART000}> a ?type }} }}')}"
                 f"&named-graph-uri={q(G002)}&named-graph-uri={q(G000)}", boolean=True),
    ProtocolTest("query_dataset_named_graphs_post", "POST", f"named-graph-uri={q(G002)}&named-graph-uri={q(G000)}",
                 b"ASK { GRAPH ?g { ?s ?p ?o } }", "application/sparql-query", boolean=True),
    ProtocolTest("query_dataset_full", "POST",
                 f"default-graph-uri={q(ENTITIES)}&named-graph-uri={q(G002)}&named-graph-uri={q(G000)}",
                 b"SELECT ?g ?x ?s { ?x ?y ?o  GRAPH ?g { ?s ?p ?o } } LIMIT 5", "application/sparql-query"),
    ProtocolTest("query_multiple_dataset", "POST", f"default-graph-uri={q(G002)}",
                 f"ASK FROM <{G000}> {{ <{TRUCE}> ?p ?o }}".encode(), "application/sparql-query", boolean=True),
    ProtocolTest("query_content_type_select", "POST", body=b"SELECT (1 AS ?value) {}",
                 content_type="application/sparql-query",
                 media=RESULT_TYPES + ("text/tab-separated-values", "text/csv")),
    ProtocolTest("query_content_type_ask", "POST", body=b"ASK {}", content_type="application/sparql-query"),
    ProtocolTest("query_content_type_describe", "POST", body=b"DESCRIBE <http://example.org/>",
                 content_type="application/sparql-query", media=("application/rdf+xml", "text/turtle")),
    ProtocolTest("query_content_type_construct", "POST", body=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
                 content_type="application/sparql-query", media=("application/rdf+xml", "text/turtle")),
    ProtocolTest("bad_query_method", "PUT", f"query={q('ASK {}')}", expect="4xx"),
    ProtocolTest("bad_multiple_queries", "GET", f"query={q('ASK {}')}&query={q('SELECT * {}')}", expect="4xx"),
    ProtocolTest("bad_query_wrong_media_type", "POST", body=b"ASK {}", content_type="text/plain", expect="4xx"),
    ProtocolTest("bad_query_missing_form_type", "POST", body=b"query=ASK%20%7B%7D", expect="4xx"),
    ProtocolTest("bad_query_missing_direct_type", "POST", body=b"ASK {}", expect="4xx"),
    ProtocolTest("bad_query_non_utf8", "POST", body="ASK {}".encode("utf-16"),
                 content_type="application/sparql-query; charset=UTF-16", expect="4xx"),
    ProtocolTest("bad_query_syntax", "GET", f"query={q('ASK {')}", expect="4xx"),
    ProtocolTest("bad_update_get", "GET", f"update={q('CLEAR ALL')}", expect="4xx"),
    ProtocolTest("bad_multiple_updates", "POST", body=b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                 content_type="application/x-www-form-urlencoded", expect="4xx"),
    ProtocolTest("bad_update_wrong_media_type", "POST", body=b"CLEAR NAMED", content_type="text/plain", expect="4xx"),
    ProtocolTest("bad_update_missing_form_type", "POST", body=b"update=CLEAR%20NAMED", expect="4xx"),
    ProtocolTest("bad_update_non_utf8", "POST", body="CLEAR NAMED".encode("utf-16"),
                 content_type="application/sparql-update; charset=UTF-16", expect="4xx"),
    ProtocolTest("bad_update_syntax", "POST", body=b"update=CLEAR%20XYZ",
                 content_type="application/x-www-form-urlencoded", expect="4xx"),
    ProtocolTest("bad_update_dataset_conflict", "POST",
                 body=(f"using-named-graph-uri={q('http://example/people')}&update="
                       + q("WITH <http://example/addresses> DELETE { ?p ?x 'Bill' } WHERE { ?p ?x 'Bill' }")).encode(),
                 content_type="application/x-www-form-urlencoded", expect="4xx"),
    ProtocolTest("update_dataset_default_graph (refused: read-only)", "POST", f"using-graph-uri={q(G002)}",
                 b"CLEAR ALL", "application/sparql-update", expect="4xx"),
]


@pytest.mark.parametrize("test", W3C, ids=[t.name for t in W3C])
def test_w3c_sparql11_protocol(endpoint, test):
    headers = {"content-type": test.content_type} if test.content_type else {}
    url = f"{endpoint}?{test.params}" if test.params else endpoint
    r = httpx.request(test.method, url, content=test.body, headers=headers)
    if test.expect == "4xx":
        assert 400 <= r.status_code < 500, (r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        return
    assert 200 <= r.status_code < 400, r.text
    assert r.headers["content-type"].split(";")[0] in test.media
    if test.boolean is not None:
        assert r.json()["boolean"] is test.boolean
    if test.name == "query_dataset_full":
        graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
        assert graphs and graphs <= {G002, G000}


def test_the_store_is_unchanged_after_the_update_attempts(endpoint):
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    n = int(httpx.get(endpoint, params={"query": count}).json()["results"]["bindings"][0]["n"]["value"])
    for body in (b"update=CLEAR%20ALL", b"update=DROP%20ALL"):
        httpx.post(endpoint, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    httpx.post(endpoint, content=b"CLEAR ALL", headers={"content-type": "application/sparql-update"})
    assert int(httpx.get(endpoint, params={"query": count}).json()["results"]["bindings"][0]["n"]["value"]) == n > 10000


def test_the_server_logged_no_error(server, server_dir):
    """Run last: nothing the clients above did made the server log a traceback."""
    log = (server_dir / "serve.log").read_text(errors="replace")
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
