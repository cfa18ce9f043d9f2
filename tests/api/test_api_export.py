"""/export: every download parses in rdflib and in an independent parser (raptor's `rapper`), says
what the store says, comes as an attachment, and the ontology loads in owlready2."""

from __future__ import annotations

import subprocess
import warnings

import owlready2
import pytest
import rdflib
from rdflib.compare import isomorphic

from support import BASE
from support.api import A002, parse_rdf, rapper, triples

RAPPER_INPUT = {"trig": "trig", "nq": "nquads", "ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml"}
GRAPHS = ["ontology", "entities", A002, f"inferred/{A002}"]


def rapper_count(path: str, ext: str, data: bytes, tmp_path) -> int:
    """How many triples (or quads) rapper parses from `data`; fails the test on any parse error."""
    f = tmp_path / f"data.{ext}"
    f.write_bytes(data)
    run = subprocess.run([path, "-q", "-i", RAPPER_INPUT[ext], "-o", "nquads" if ext in ("trig", "nq") else "ntriples",
                          str(f), BASE], capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    assert b"Error" not in run.stderr, run.stderr.decode()[-2000:]
    return len([line for line in run.stdout.splitlines() if line.strip()])


def test_the_list_of_downloads(client):
    listed = client.get("/export").json()
    assert listed["dataset"] == {"trig": "http://testserver/export/dataset.trig",
                                 "nq": "http://testserver/export/dataset.nq"}
    assert {"ontology", "entities", A002} <= set(listed["graphs"])
    assert listed["graphs"][A002]["ttl"] == f"http://testserver/export/graph/{A002}.ttl"


@pytest.mark.parametrize("ext", ["trig", "nq"])
def test_the_whole_dataset_parses_in_rdflib_and_rapper(client, api_store, ext, tmp_path):
    r = client.get(f"/export/dataset.{ext}")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="homs-kg.{ext}"'
    ds = parse_rdf(r)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {g.value for g in api_store.named_graphs()} <= names
    assert sum(len(g) for g in ds.graphs()) == len(api_store)
    assert rapper_count(rapper(), ext, r.content, tmp_path) == len(api_store)


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("ext", ["ttl", "nt", "jsonld", "rdf"])
def test_each_graph_in_each_format_parses_and_is_the_graph(client, name, ext, tmp_path):
    r = client.get(f"/export/graph/{name}.{ext}")
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="homs-kg-{name.replace("/", "-")}.{ext}"'
    reference = client.get(f"/export/graph/{name}.nt")
    expected = rdflib.Graph().parse(data=reference.content, format="nt")
    got = rdflib.Graph()
    for t in triples(parse_rdf(r)):
        got.add(t)
    assert len(got) == len(expected) > 10 and isomorphic(got, expected)
    if ext in RAPPER_INPUT:
        assert rapper_count(rapper(), ext, r.content, tmp_path) == len(expected)


def test_the_ontology_loads_in_owlready2(client, tmp_path):
    for ext, fmt in (("rdf", "rdfxml"), ("nt", "ntriples")):
        path = tmp_path / f"ontology.{ext}"
        path.write_bytes(client.get(f"/export/graph/ontology.{ext}").content)
        world = owlready2.World()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            onto = world.get_ontology(path.as_uri()).load(format=fmt)
        names = {c.name for c in world.classes()}
        assert {"Ceasefire", "Truce", "Agreement", "Place", "Actor", "Event"} <= names, ext
        truce = world.search_one(iri="https://w3id.org/homs-kg/ontology#Truce")
        ceasefire = world.search_one(iri="https://w3id.org/homs-kg/ontology#Ceasefire")
        assert ceasefire in truce.ancestors()
        assert onto is not None


@pytest.mark.parametrize("url", ["/export/dataset.ttl", "/export/graph/ontology.zip", "/export/graph/.ttl",
                                 "/export/graph/no-such-article.ttl", "/export/graph/inferred/nothing.nt"])
def test_what_is_not_there_is_404(client, url):
    assert client.get(url).status_code == 404
