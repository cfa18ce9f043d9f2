"""End to end with the base IRI where the service runs: `kg serve --base http://127.0.0.1:<port>/`
mints IRIs that dereference as they are, so linked-data tools follow them with no help."""

from __future__ import annotations

import re

import httpx
import pytest
import rdflib
from SPARQLWrapper import JSON, SPARQLWrapper

from support.servers import running_server

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("e2e-base"), "--base", "{url}/") as url:
        yield url


def test_an_iri_dereferences_as_it_is(server):
    homs = f"{server}/place/homs"
    g = rdflib.Graph().parse(homs)  # rdflib asks for RDF by content negotiation and follows the IRI
    assert (rdflib.URIRef(homs), rdflib.RDFS.label, rdflib.Literal("Homs", lang="en")) in g
    parts = set(g.objects(rdflib.URIRef(homs), rdflib.URIRef("https://w3id.org/homs-kg/ontology#hasPart")))
    assert rdflib.URIRef(f"{server}/place/baba-amr") in parts
    # follow your nose: every IRI it links to under the base dereferences too
    linked = {str(o) for o in g.objects() if isinstance(o, rdflib.URIRef) and str(o).startswith(server)}
    assert len(linked) > 10
    for iri in sorted(linked):
        r = httpx.get(iri.split("#")[0], headers={"accept": "text/turtle"})
        assert r.status_code == 200, iri


def test_the_sparql_endpoint_sees_the_same_iris(server):
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(f"SELECT ?part WHERE {{ <{server}/place/homs> hk:hasPart ?part }}")
    sw.setReturnFormat(JSON)
    parts = {b["part"]["value"] for b in sw.query().convert()["results"]["bindings"]}
    assert f"{server}/place/baba-amr" in parts


def test_a_browser_follows_the_links_of_a_page(server):
    page = httpx.get(f"{server}/agreement/a002-syria-direct-fall-of-homs/old-homs-truce",
                     headers={"accept": "text/html"}).text
    local = sorted({h for h in re.findall(r'href="(/[^"#?]+)', page)})
    assert len(local) > 5
    for path in local:
        assert httpx.get(f"{server}{path}", headers={"accept": "text/html"}).status_code == 200, path
