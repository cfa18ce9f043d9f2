"""Linked data: IRIs under the base dereference (a page for a browser, RDF for a client), with a
configurable base; the home page, the ontology, graphs, VoID, and /docs without the network."""

from __future__ import annotations

import html
import re

import pytest
import rdflib
from pyoxigraph import RdfFormat, Store

from api import create_app
from support import BASE
from support.api import A002, HOMS, TRUCE, TestClient, parse_rdf, seeded_dump, triples

HK = rdflib.Namespace("https://w3id.org/homs-kg/ontology#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


def graph_of(response) -> rdflib.Graph:
    g = rdflib.Graph()
    for t in triples(parse_rdf(response)):
        g.add(t)
    return g


def links(page: str) -> set[str]:
    return {html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)}


# --- a browser gets a page ---------------------------------------------------------------------------

def test_a_place_page_says_what_the_graph_says_with_quotes_and_links(client):
    r = client.get("/place/homs", headers={"accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers["vary"]
    page = r.text
    assert "<h1>Homs</h1>" in page and HOMS in page
    assert "Baba Amr" in page and "/place/baba-amr" in links(page)  # a part of Homs, linked here
    assert "/place/syria" in links(page)  # what it is part of
    assert "What the articles say" in page and "<blockquote>" in page  # the quotes that name it
    assert f"/article/{A002}" in links(page)
    assert "/ontology#City" in links(page)  # its type, dereferenced by the ontology page
    assert "badge inferred" in page and "badge reference" in page  # where each statement comes from


def test_an_agreement_page_quotes_the_article_that_states_it(client):
    page = client.get(f"/agreement/{A002}/old-homs-truce", headers={"accept": "text/html"}).text
    assert "Old Homs truce" in page
    assert "ceasefire agreement" in html.unescape(page)  # the article's words
    assert "Syria Direct" in page and "2014-05-22" in page
    assert "/actor/united-nations" in links(page)  # the escort


@pytest.mark.parametrize("path", [f"/event/{A002}/" , f"/article/{A002}", "/actor/osdh"])
def test_other_kinds_of_resource_have_pages(client, path):
    if path.endswith("/"):  # any event of the article
        event = client.get("/api/timeline", params={"limit": 1}).json()["rows"][0]["item"]
        path = event[len(BASE) - 1:]
    r = client.get(path, headers={"accept": "text/html"})
    assert r.status_code == 200 and "<h1>" in r.text


def test_pages_use_no_outside_assets(client):
    for path in ("/", "/place/homs", "/ontology", "/sparql", "/void", f"/graph/{A002}"):
        page = client.get(path, headers={"accept": "text/html"}).text
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', page), path
        assert "@import" not in page and "url(http" not in page, path


# --- an RDF client gets the description ----------------------------------------------------------------

@pytest.mark.parametrize("accept", RDF_TYPES)
def test_an_rdf_client_gets_the_description(client, accept):
    r = client.get(f"/agreement/{A002}/old-homs-truce", headers={"accept": accept})
    assert r.headers["content-type"].split(";")[0] == accept
    g = graph_of(r)
    truce = rdflib.URIRef(TRUCE)
    assert (truce, rdflib.RDF.type, HK.Truce) in g
    assert (truce, HK.escort, rdflib.URIRef(f"{BASE}actor/united-nations")) in g
    # its evidence, down to the quoted text, and the labels of what it mentions
    quotes = {str(q) for q in g.objects(None, rdflib.URIRef("http://www.w3.org/ns/oa#exact"))}
    assert any("ceasefire agreement" in q for q in quotes)
    assert (rdflib.URIRef(f"{BASE}actor/united-nations"), rdflib.RDFS.label, None) in g


def test_curl_without_accept_gets_html_and_a_suffix_picks_a_format(client):
    assert client.get("/place/homs").headers["content-type"].startswith("text/html")
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                       ("rdf", "application/rdf+xml")):
        r = client.get(f"/place/homs.{ext}")
        assert r.headers["content-type"].split(";")[0] == media
        g = graph_of(r)
        assert (rdflib.URIRef(HOMS), rdflib.RDFS.label, rdflib.Literal("Homs", lang="en")) in g
        assert (rdflib.URIRef(HOMS), HK.hasPart, rdflib.URIRef(f"{BASE}place/baba-amr")) in g


def test_hash_and_child_resources_come_with_their_owner(client):
    g = graph_of(client.get("/place/homs", headers={"accept": "text/turtle"}))
    geometry = rdflib.URIRef(f"{HOMS}/geometry")
    assert (geometry, rdflib.URIRef("http://www.opengis.net/ont/geosparql#asWKT"), None) in g


@pytest.mark.parametrize("path", ["/place/atlantis", "/actor/nobody", f"/event/{A002}/nothing", "/planet/earth"])
def test_unknown_resources_are_404(client, path):
    assert client.get(path, headers={"accept": "text/turtle"}).status_code == 404


def test_ontology_terms_dereference(client):
    page = client.get("/ontology", headers={"accept": BROWSER}).text
    assert 'id="Ceasefire"' in page and 'id="Truce"' in page
    g = graph_of(client.get("/ontology", headers={"accept": "text/turtle"}))
    assert (HK.Truce, rdflib.RDFS.subClassOf, HK.Ceasefire) in g


def test_graph_iris_dereference(client, api_store):
    r = client.get(f"/graph/{A002}", headers={"accept": "application/n-triples"})
    g = graph_of(r)
    assert (rdflib.URIRef(TRUCE), rdflib.RDF.type, HK.Truce) in g
    page = client.get(f"/graph/{A002}", headers={"accept": "text/html"}).text
    assert f"/export/graph/{A002}.ttl" in page


# --- the base is configurable: IRIs dereference where the service is deployed -----------------------

def test_iris_under_another_base_dereference_there():
    base = "http://kg.example.org/homs/"
    store = Store()
    store.load(seeded_dump(base), format=RdfFormat.N_QUADS)
    app = create_app(store=store, base=base)
    c = TestClient(app)
    r = c.get("/place/homs", headers={"accept": "text/turtle"})
    g = graph_of(r)
    assert (rdflib.URIRef(f"{base}place/homs"), rdflib.RDFS.label, rdflib.Literal("Homs", lang="en")) in g
    page = c.get("/place/homs", headers={"accept": "text/html"}).text
    assert "/place/baba-amr" in links(page)  # links to IRIs under the base stay on this server
    rows = c.get("/api/ceasefires", params={"place": "Bab Amr"}).json()
    assert rows["parameters"]["place"] == f"{base}place/baba-amr"
    assert c.get("/sparql", params={"query": "ASK { <place/homs> a hk:City }"}).json()["boolean"] is True


# --- home, VoID, docs ---------------------------------------------------------------------------------

def test_home_page_and_its_json(client):
    page = client.get("/", headers={"accept": BROWSER}).text
    assert "homs-kg" in page and "/place/homs" in links(page) and f"/article/{A002}" in links(page)
    assert "http://testserver/api/ceasefires" in links(page)
    body = client.get("/").json()
    assert body["links"]["sparql"] == "http://testserver/sparql" and body["base"] == BASE


def test_void_describes_the_dataset(client, api_store):
    for path in ("/void", "/.well-known/void"):
        r = client.get(path)
        assert r.headers["content-type"].startswith("text/turtle")
        g = graph_of(r)
        ds = rdflib.URIRef(f"{BASE}dataset")
        assert (ds, rdflib.RDF.type, VOID.Dataset) in g
        assert (ds, VOID.sparqlEndpoint, rdflib.URIRef("http://testserver/sparql")) in g
        assert (ds, VOID.dataDump, rdflib.URIRef("http://testserver/export/dataset.trig")) in g
        assert (ds, VOID.uriSpace, rdflib.Literal(BASE)) in g
        assert int(g.value(ds, VOID.triples)) == len({q.triple for q in api_store}) > 10000
        assert (ds, VOID.subset, rdflib.URIRef(f"{BASE}graph/{A002}")) in g
        classes = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities)) for p in g.objects(ds, VOID.classPartition)}
        assert classes[HK.Article] == 5 and classes[HK.Agreement] >= 4
    assert client.get("/dataset", follow_redirects=False).status_code == 303
    assert graph_of(client.get("/void", headers={"accept": "application/ld+json"}))


def test_docs_work_offline(client):
    r = client.get("/docs")
    assert r.status_code == 200
    page = r.text
    assert "https://" not in page and "http://" not in page  # no CDN, no outside favicon
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 500, asset
    assert "/openapi.json" in page and '"validatorUrl": null' in page
    assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN: not served


def test_every_iri_under_the_base_dereferences(client, api_store):
    """Every IRI the data uses under the base (fragment cut, as a client does) answers RDF that
    mentions it (a graph's name: the graph), and a page for one of each kind."""
    from pyoxigraph import NamedNode

    found = {t.value.split("#")[0] for q in api_store for t in (q.subject, q.predicate, q.object, q.graph_name)
             if isinstance(t, NamedNode) and t.value.startswith(BASE)}
    assert len(found) > 1000
    kinds = {}
    for iri in sorted(found):
        r = client.get("/" + iri[len(BASE):], headers={"accept": "application/n-triples"})
        assert r.status_code == 200, iri
        assert f"<{iri}" in r.text or (iri.startswith(f"{BASE}graph/") and r.text.count("\n") > 10), iri
        kinds.setdefault(iri[len(BASE):].split("/")[0], iri)
    assert {"place", "actor", "event", "agreement", "casualty", "claim", "article", "evidence", "graph"} <= set(kinds)
    for iri in kinds.values():
        assert client.get("/" + iri[len(BASE):], headers={"accept": "text/html"}).status_code == 200, iri
