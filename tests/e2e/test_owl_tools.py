"""OWL tools: /ontology answers RDF/XML to a client that asks for no HTML (owlready2 sends no Accept
header) and HTML to a browser; /ontology.rdf|owl|ttl|nt|jsonld by suffix; ontology/homs-kg.rdf ships
beside the Turtle, generated from it and equal to it; owlready2 loads /ontology over HTTP from a
real `kg serve` and reasons with HermiT as docs/ontology-tools.md says."""

from __future__ import annotations

import subprocess
import urllib.request
import warnings

import owlready2
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.storage.readable import RDFXML_FILE, ontology_rdfxml
from support import ROOT
from support.api import rapper
from support.servers import running_server

TTL = ROOT / "ontology" / "homs-kg.ttl"
HK = "https://w3id.org/homs-kg/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDFLIB = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt",
          "application/ld+json": "json-ld"}


def turtle() -> rdflib.Graph:
    return rdflib.Graph().parse(TTL, format="turtle")


def parsed(reply) -> rdflib.Graph:
    media = reply.headers["content-type"].split(";")[0]
    return rdflib.Graph().parse(data=reply.content, format=RDFLIB[media])


def test_the_shipped_rdfxml_is_generated_from_the_turtle_and_says_the_same():
    assert RDFXML_FILE.read_bytes() == ontology_rdfxml(), "ontology/homs-kg.rdf is stale: run `kg docs`"
    assert isomorphic(rdflib.Graph().parse(RDFXML_FILE, format="xml"), turtle())


def test_rapper_reads_the_shipped_rdfxml():
    run = subprocess.run([rapper(), "-q", "-i", "rdfxml", "-o", "ntriples", str(RDFXML_FILE)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and "Error" not in run.stderr, run.stderr
    assert len([line for line in run.stdout.splitlines() if line.strip()]) == len(turtle())


@pytest.mark.parametrize("accept", [None, "*/*", "application/rdf+xml"])
def test_ontology_without_html_in_accept_is_rdfxml(client, accept):
    reply = client.get("/ontology", headers={"accept": accept} if accept else {})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/rdf+xml")
    assert reply.content == RDFXML_FILE.read_bytes()  # the store's ontology graph is the shipped file


def test_ontology_for_a_browser_is_html(client):
    reply = client.get("/ontology", headers={"accept": BROWSER})
    assert reply.headers["content-type"].startswith("text/html") and 'id="Truce"' in reply.text


@pytest.mark.parametrize("ext, media", [("rdf", "application/rdf+xml"), ("owl", "application/rdf+xml"),
                                        ("ttl", "text/turtle"), ("nt", "application/n-triples"),
                                        ("jsonld", "application/ld+json")])
def test_ontology_suffixes(client, ext, media):
    reply = client.get(f"/ontology.{ext}", follow_redirects=False)
    assert reply.status_code == 200 and reply.headers["content-type"].split(";")[0] == media
    assert isomorphic(parsed(reply), turtle())


def test_an_unknown_ontology_suffix_is_404(client):
    reply = client.get("/ontology.zip", follow_redirects=False)
    assert reply.status_code == 404 and "/ontology.rdf" in reply.json()["detail"]


def test_owlready2_loads_the_shipped_file_and_hermit_reasons_as_documented():
    world = owlready2.World()
    onto = world.get_ontology(RDFXML_FILE.as_uri()).load()
    reason_with_places(world, onto)


def reason_with_places(world, onto):
    """The documented call: HermiT with xsd:date set aside. Containment is transitive and hasPart
    its inverse; something both a place and an actor is inconsistent (disjoint classes)."""
    hk = world.get_namespace(HK)
    test = world.get_ontology("http://example.org/owl-tools-test#")
    with test:
        homs, governorate, syria = hk.City("homs"), hk.Governorate("governorate"), hk.Country("syria")
        homs.partOf = [governorate]
        governorate.partOf = [syria]
        owlready2.sync_reasoner(world, infer_property_values=True, ignore_unsupported_datatypes=True, debug=0)
    assert syria in homs.partOf and homs in syria.hasPart
    assert hk.Place in homs.is_a or hk.Place in homs.INDIRECT_is_a
    with test:
        both = hk.City("both")
        both.is_a.append(hk.Person)
        with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
            owlready2.sync_reasoner(world, ignore_unsupported_datatypes=True, debug=0)


def test_hermit_by_default_refuses_xsd_date_as_the_docs_say():
    world = owlready2.World()
    onto = world.get_ontology(RDFXML_FILE.as_uri()).load()
    with onto, pytest.raises(owlready2.OwlReadyJavaError) as error:
        owlready2.sync_reasoner(world, debug=0)
    assert "UnsupportedDatatype" in str(error.value) and "date" in str(error.value)


@pytest.mark.server
def test_owlready2_loads_ontology_over_http_from_kg_serve_and_reasons(tmp_path):
    with running_server(tmp_path) as url:
        request = urllib.request.Request(f"{url}/ontology")  # urllib sends no Accept header, as owlready2
        assert "Accept" not in request.headers
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert reply.headers["Content-Type"].startswith("application/rdf+xml")
        assert urllib.request.urlopen(f"{url}/ontology.owl", timeout=30).status == 200
        world = owlready2.World()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            onto = world.get_ontology(f"{url}/ontology").load()
        assert onto.base_iri == HK
        assert {"Ceasefire", "Truce", "Place"} <= {c.name for c in world.classes()}
        reason_with_places(world, onto)
