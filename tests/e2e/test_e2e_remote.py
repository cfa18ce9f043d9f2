"""End to end over a remote store: a real `oxigraph serve`, then a private Virtuoso (bench/virtuoso.py),
loaded by a real `kg load --store URL`, served by a real `kg serve --store URL`; replies parsed before
anything is asserted. Virtuoso's endpoints and credentials reach `kg` by the environment
(KG_UPDATE_URL, KG_GRAPH_STORE_URL, KG_STORE_USER/PASSWORD, KG_STORE_AUTH=digest)."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib

from support import BASE
from support.servers import SPARQL_SERVERS, SparqlServer, kg_command, running_server, running_sparql_server

pytestmark = pytest.mark.server

A002 = "a002-syria-direct-fall-of-homs"
TRUCE = f"{BASE}agreement/{A002}/old-homs-truce"
CEASEFIRE_72H = f"{BASE}agreement/{A002}/april-72-hour-ceasefire"
TOKEN = "remote-test-token"
QUERY_LIMIT = 3.0


def kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*kg_command(), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env} if env else None)


@pytest.fixture(scope="module", params=SPARQL_SERVERS)
def sparql_server(request, tmp_path_factory):
    with running_sparql_server(request.param, tmp_path_factory.mktemp(request.param), timeout_s=20) as server:
        yield server


@pytest.fixture(scope="module")
def oxigraph(sparql_server) -> str:
    """The SPARQL server's query URL (the name from when it was Oxigraph's only)."""
    return sparql_server.query_url


@pytest.fixture(scope="module")
def loaded(sparql_server):
    url = sparql_server.query_url
    done = kg("load", "--store", url, env=sparql_server.env)
    assert done.returncode == 0, done.stderr
    assert "loaded 5 article(s)" in done.stdout and url in done.stdout
    return url


@pytest.fixture(scope="module")
def server(loaded, sparql_server, tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("serve"), "--no-load", "--query-timeout", str(QUERY_LIMIT),
                        "--write-token", TOKEN, store=loaded, env=sparql_server.env) as url:
        yield url


def direct(oxigraph: str, query: str) -> list[dict]:
    """A SELECT asked of the SPARQL server itself, not through homs-kg."""
    r = httpx.post(oxigraph, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def direct_update(server: SparqlServer, update: str) -> httpx.Response:
    """A SPARQL update sent to the server itself (with its credentials), not through homs-kg."""
    return httpx.post(server.update_url, content=update, auth=server.auth,
                      headers={"Content-Type": "application/sparql-update"})


def test_the_cli_works_on_the_remote_store(loaded, sparql_server):
    env = sparql_server.env
    stats = kg("stats", "--store", loaded, env=env)
    assert stats.returncode == 0 and "quads in all" in stats.stdout
    assert int(stats.stdout.split("quads in all")[0].split()[-1]) > 19000
    found = kg("query", "ceasefires", "-p", "place=Old City", "--format", "csv", "--store", loaded, env=env)
    assert found.returncode == 0, found.stderr
    assert {TRUCE, CEASEFIRE_72H} <= set(found.stdout.split(","))
    dump = kg("export", "--format", "turtle", "--graph", A002, "--store", loaded, env=env)
    graph = rdflib.Graph().parse(data=dump.stdout, format="turtle")
    assert (rdflib.URIRef(TRUCE), rdflib.RDFS.label, None) in graph and len(graph) > 3000


def test_sparql_select_ask_and_construct(server):
    r = httpx.get(f"{server}/sparql", params={"query": "SELECT ?l WHERE { <place/homs> rdfs:label ?l }"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    assert [b["l"]["value"] for b in r.json()["results"]["bindings"]] == ["Homs"]
    r = httpx.post(f"{server}/sparql", data={"query": f"ASK {{ <{TRUCE}> a hk:Truce }}"},
                   headers={"Accept": "application/sparql-results+xml"})
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert ET.fromstring(r.content).find("r:boolean", ns).text == "true"
    r = httpx.post(f"{server}/sparql", content=f"CONSTRUCT {{ <{TRUCE}> ?p ?o }} WHERE {{ <{TRUCE}> ?p ?o }}",
                   headers={"Content-Type": "application/sparql-query", "Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(TRUCE), rdflib.URIRef("https://w3id.org/homs-kg/ontology#status"),
            rdflib.URIRef("https://w3id.org/homs-kg/ontology#implemented")) in graph
    bad = httpx.get(f"{server}/sparql", params={"query": "SELECT WHERE {"})
    assert bad.status_code == 400 and bad.json()["status"] == 400


def test_the_canned_endpoint(server):
    r = httpx.get(f"{server}/api/ceasefires", params={"place": "homs"})
    assert r.status_code == 200
    rows = {row["agreement"]: row for row in r.json()["rows"]}
    assert set(rows) == {TRUCE, CEASEFIRE_72H}
    assert rows[TRUCE]["earliest"] == "2014-05-07" and "United Nations" in rows[TRUCE]["escorts"]
    unknown = httpx.get(f"{server}/api/ceasefires", params={"place": '"} ; DROP ALL ; #'})
    assert unknown.status_code == 404 and unknown.json()["title"] == "Not Found"
    # a keyset page (kg.querying.keyset): on Virtuoso its items' labels in a VALUES block found no row
    page = httpx.get(f"{server}/api/actors", params={"limit": 5})
    assert page.status_code == 200 and len(page.json()["rows"]) == 5 and page.json()["next"]
    after = httpx.get(page.json()["next"])
    assert after.status_code == 200 and after.json()["rows"]
    assert {r["actor"] for r in after.json()["rows"]}.isdisjoint(r["actor"] for r in page.json()["rows"])


def test_a_write_by_another_client_of_the_server_shows_at_once(server, sparql_server):
    """No canned answer is cached over a remote store: others may write to it."""
    homs = f"{BASE}place/homs"
    values = lambda: {r["value"] for r in httpx.get(f"{server}/api/entity", params={"entity": homs, "limit": 1000}).json()["rows"]}  # noqa: E731
    assert "written by another client" not in values()
    graph = f"{BASE}graph/another-client"
    r = direct_update(sparql_server, f'INSERT DATA {{ GRAPH <{graph}> {{ <{homs}> '
                                     f'<http://www.w3.org/2000/01/rdf-schema#comment> "written by another client" }} }}')
    assert r.status_code in (200, 204), r.text
    try:
        assert "written by another client" in values()
    finally:
        direct_update(sparql_server, f"DROP SILENT GRAPH <{graph}>")


def test_exports_pages_and_void(server):
    """(Generous client timeouts: a page walks the graph one request a step, slower on Virtuoso.)"""
    dump = httpx.get(f"{server}/export/dataset.nq", timeout=60)
    dataset = rdflib.Dataset()
    dataset.parse(data=dump.text, format="nquads")
    assert len(list(dataset.quads())) > 19000
    graph = rdflib.Graph().parse(data=httpx.get(f"{server}/export/graph/{A002}.ttl", timeout=60).text, format="turtle")
    assert (rdflib.URIRef(TRUCE), None, None) in graph
    page = httpx.get(f"{server}/place/homs", headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200 and "<h1>Homs</h1>" in page.text
    described = rdflib.Graph().parse(data=httpx.get(f"{server}/place/homs", headers={"Accept": "text/turtle"}, timeout=60).text,
                                     format="turtle")
    assert (rdflib.URIRef(f"{BASE}place/homs"), rdflib.RDFS.label, rdflib.Literal("Homs", lang="en")) in described
    void = rdflib.Graph().parse(data=httpx.get(f"{server}/void", headers={"Accept": "text/turtle"}, timeout=60).text, format="turtle")
    triples = void.value(rdflib.URIRef(f"{BASE}dataset"), rdflib.URIRef("http://rdfs.org/ns/void#triples"))
    assert int(triples) > 19000


def test_writes_with_the_token_reach_the_remote_store(server, oxigraph):
    graph = f"{BASE}graph/remote-write-test"
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <{BASE}place/homs> rdfs:comment \"written through homs-kg\" }} }}"
    assert httpx.post(f"{server}/sparql", data={"update": update}).status_code == 401
    assert httpx.post(f"{server}/sparql", data={"update": update},
                      headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert direct(oxigraph, f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?s ?p ?c }} }}") == []
    r = httpx.post(f"{server}/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204, r.text
    rows = direct(oxigraph, f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?s ?p ?c }} }}")
    assert [row["c"]["value"] for row in rows] == ["written through homs-kg"]
    # the Graph Store Protocol: PUT replaces the graph, DELETE drops it
    turtle = f"<{BASE}place/homs> <http://www.w3.org/2000/01/rdf-schema#comment> \"replaced\" ."
    assert httpx.put(f"{server}/graph-store", params={"graph": graph}, content=turtle,
                     headers={"Content-Type": "text/turtle"}).status_code == 401
    r = httpx.put(f"{server}/graph-store", params={"graph": graph}, content=turtle,
                  headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204, r.text
    assert [row["c"]["value"] for row in direct(oxigraph, f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?s ?p ?c }} }}")] \
        == ["replaced"]
    got = rdflib.Graph().parse(data=httpx.get(f"{server}/graph-store", params={"graph": graph},
                                              headers={"Accept": "text/turtle"}).text, format="turtle")
    assert len(got) == 1
    r = httpx.delete(f"{server}/graph-store", params={"graph": graph}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204
    assert direct(oxigraph, f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?s ?p ?c }} }}") == []


def test_load_over_http_reaches_the_remote_store(server, oxigraph, seeds_copy, sparql_server):
    # on Virtuoso too, whose stored entities differ in form (single-precision WKT points:
    # kg.storage.stored_forms), not in value
    path = seeds_copy / "002_36c9516b5ee8d58f.yaml"
    text = path.read_text(encoding="utf-8")
    files = {"annotation": (path.name, text.replace("status: implemented", "status: agreed", 1).encode()),
             "text": ("a.txt", b"")}
    assert httpx.post(f"{server}/load", files=files).status_code == 401
    text_name = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("text:"))
    files["text"] = (text_name, (seeds_copy / text_name).read_bytes())
    r = httpx.post(f"{server}/load", files=files, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    assert r.status_code == 200, r.text
    rows = direct(oxigraph, f"SELECT ?s WHERE {{ <{TRUCE}> <https://w3id.org/homs-kg/ontology#status> ?s }}")
    assert [row["s"]["value"] for row in rows] == ["https://w3id.org/homs-kg/ontology#agreed"]
    back = httpx.post(f"{server}/load", files={"annotation": (path.name, text.encode()), "text": files["text"]},
                      headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    assert back.status_code == 200


def test_a_query_past_the_limit_is_a_503(server):
    """Last in the module: the server may go on counting until it is stopped."""
    r = httpx.get(f"{server}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
                  timeout=60)
    assert r.status_code == 503, r.text
    assert r.json()["status"] == 503 and "limit" in r.json()["detail"] and r.headers["retry-after"]
