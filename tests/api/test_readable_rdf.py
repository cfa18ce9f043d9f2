"""RDF for people (kg/readable.py, kg/terminal.py): Turtle and TriG with the dataset's prefixes and
base, subjects grouped and sorted, the same bytes for the same graph, so a diff shows only what
changed; compact JSON-LD with the published @context; the union as Turtle over HTTP; `kg query`
with relative IRIs and full IRIs in its answers. Every output parsed back by rdflib and rapper."""

from __future__ import annotations

import difflib
import json
import subprocess

import pytest
import rdflib
from click.testing import CliRunner
from pyoxigraph import NamedNode, Quad, RdfFormat, Store
from rdflib.compare import isomorphic

from kg.cli import main
from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.storage.export import export
from kg.storage.opening import open_store
from kg.storage.readable import CONTEXT_FILE, context
from support import BASE
from support.api import A002, TRUCE, rapper

GRAPH = NamedNode(f"{BASE}graph/{A002}")


def fresh_store() -> Store:
    s = open_store(":memory:")
    load(s, [SEEDS], Iris(BASE))
    return s


def rdflib_graph(store: Store, graph: NamedNode) -> rdflib.Graph:
    g = rdflib.Graph()
    data = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph)
    return g.parse(data=data, format="nt")


def rapper_lines(data: bytes, syntax: str, tmp_path) -> int:
    path = tmp_path / f"data.{syntax}"
    path.write_bytes(data)
    run = subprocess.run([rapper(), "-q", "-i", syntax, "-o", "nquads" if syntax == "trig" else "ntriples",
                          str(path), BASE], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "Error" not in run.stderr, run.stderr[-2000:]
    return len([line for line in run.stdout.splitlines() if line.strip()])


def test_turtle_is_the_same_bytes_from_two_separate_loads(api_store):
    first = export(api_store, RdfFormat.TURTLE, GRAPH, BASE)
    assert first == export(fresh_store(), RdfFormat.TURTLE, GRAPH, BASE)


def test_turtle_uses_the_base_and_prefixes_and_groups_each_subject_once(api_store, tmp_path):
    text = export(api_store, RdfFormat.TURTLE, GRAPH, BASE).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == f"@base <{BASE}> ." and "@prefix hk: <https://w3id.org/homs-kg/ontology#> ." in lines
    body = "\n".join(line for line in lines if not line.startswith("@"))
    assert f"<{BASE}" not in body and "<place/old-homs>" in body  # the data's IRIs are relative
    truce = "<agreement/a002-syria-direct-fall-of-homs/old-homs-truce> a hk:Ceasefire , hk:EvacuationDeal , hk:Truce ;"
    starts = [line for line in lines if line.startswith("<agreement/") and not line.startswith(" ")]
    assert truce in "\n".join(starts) and len(starts) == len(set(s.split()[0] for s in starts))
    assert starts == sorted(starts, key=lambda s: f"<{BASE}{s.split()[0][1:-1]}>")
    assert isomorphic(rdflib.Graph().parse(data=text, format="turtle"), rdflib_graph(api_store, GRAPH))
    assert rapper_lines(text.encode("utf-8"), "turtle", tmp_path) == len(rdflib_graph(api_store, GRAPH))


def test_a_diff_between_two_exports_shows_only_the_change(api_store):
    before = export(api_store, RdfFormat.TURTLE, GRAPH, BASE).decode("utf-8").splitlines()
    label = next(api_store.quads_for_pattern(NamedNode(TRUCE), NamedNode(
        "http://www.w3.org/2000/01/rdf-schema#label"), None, GRAPH))
    api_store.remove(label)
    api_store.add(Quad(label.subject, label.predicate, rdflib_literal("Old Homs truce, renamed"), GRAPH))
    after = export(api_store, RdfFormat.TURTLE, GRAPH, BASE).decode("utf-8").splitlines()
    changed = [d for d in difflib.unified_diff(before, after, lineterm="", n=0)
               if d[:1] in "+-" and not d.startswith(("+++", "---"))]
    assert len(changed) == 2 and "renamed" in changed[1]


def rdflib_literal(text):
    from pyoxigraph import Literal
    return Literal(text, language="en")


def test_trig_of_the_dataset_is_deterministic_and_parses(api_store, tmp_path):
    data = export(api_store, RdfFormat.TRIG, base=BASE)
    assert data == export(fresh_store(), RdfFormat.TRIG, base=BASE)
    assert f"<graph/{A002}> {{" in data.decode("utf-8")
    assert rapper_lines(data, "trig", tmp_path) == len(api_store)


def test_jsonld_is_compact_with_the_published_context(api_store):
    document = json.loads(export(api_store, RdfFormat.JSON_LD, GRAPH, BASE))
    published = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert document["@context"] == published == context(BASE)
    ids = {node["@id"] for node in document["@graph"]}
    assert "agreement/a002-syria-direct-fall-of-homs/old-homs-truce" in ids
    truce = next(n for n in document["@graph"] if n["@id"].endswith("old-homs-truce"))
    assert truce["@type"] == ["hk:Ceasefire", "hk:EvacuationDeal", "hk:Truce"] and {"@id": "place/old-homs"} in truce["hk:locatedIn"]
    parsed = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    assert isomorphic(parsed, rdflib_graph(api_store, GRAPH))


def test_the_context_is_served_at_a_stable_url(client):
    reply = client.get("/context.jsonld")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/ld+json")
    assert reply.json() == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def test_the_union_as_turtle_over_http(client, api_store, tmp_path):
    reply = client.get("/export/union.ttl")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/turtle")
    distinct = len({q.triple for q in api_store})
    assert rapper_lines(reply.content, "turtle", tmp_path) == distinct
    assert client.get("/export").json()["union"]["ttl"].endswith("/export/union.ttl")
    assert client.get("/export/union.trig").status_code == 404


@pytest.fixture
def kg_store(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    assert CliRunner().invoke(main, ["load"]).exit_code == 0


QUERY = "SELECT ?truce ?label WHERE { ?truce a hk:Ceasefire ; hk:locatedIn <place/homs> ; rdfs:label ?label }"


def test_kg_query_resolves_relative_iris_and_prints_them_in_full(kg_store, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    out = CliRunner().invoke(main, ["query", QUERY], catch_exceptions=False).output
    assert TRUCE in out and "(2 rows)" in out and "…" not in out


def test_kg_query_wraps_to_the_terminal_and_has_records(kg_store, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = CliRunner().invoke(main, ["query", QUERY], catch_exceptions=False).output
    assert max(len(line) for line in out.splitlines()) <= 80 and "…" not in out
    assert TRUCE in "".join(line.split("  ")[0] for line in out.splitlines())  # wrapped, not cut
    records = CliRunner().invoke(main, ["query", QUERY, "-f", "records"], catch_exceptions=False).output
    assert f"truce  {TRUCE}" in records and "-- row 2" in records
