"""The ontology: consistent under a DL reasoner (HermiT via owlready2), and every term documented."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
import rdflib
from pyoxigraph import RdfFormat

from kg.loading.shapes import ONTOLOGY_SHAPES, check, lint_ontology
from kg.ontology import BRANCHES, index
from kg.paths import ONTOLOGY_FILE
from kg.storage.export import export
from support import FIXTURES

SHAPES = FIXTURES / "shapes"


def _reason(tmp_path: Path, ntriples: bytes) -> owlready2.World:
    """Load N-Triples into a fresh owlready2 world and run HermiT on it.

    HermiT knows only the OWL 2 datatype map; xsd:date and geo:wktLiteral are outside it, so their
    literals are ignored by the reasoner (everything else, classes and individuals, is reasoned on)."""
    path = tmp_path / "graph.nt"
    path.write_bytes(ntriples)
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    return world


def test_ontology_and_seed_data_are_consistent_for_hermit(store, tmp_path):
    world = _reason(tmp_path, export(store, RdfFormat.N_TRIPLES))
    assert list(world.inconsistent_classes()) == []
    assert len(list(world.classes())) >= 90
    homs = world["https://w3id.org/homs-kg/place/homs"]
    assert homs is not None and "Place" in {c.name for c in homs.is_a} | {a.name for c in homs.is_a for a in c.ancestors()}


def test_the_reasoner_catches_a_contradiction(tmp_path):
    """Actor and Place are disjoint: something typed as both makes the ontology inconsistent."""
    onto = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    x, a, hk = "<https://w3id.org/homs-kg/x>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "https://w3id.org/homs-kg/ontology#"
    bad = f"{x} {a} <{hk}Person> .\n{x} {a} <{hk}City> .\n"
    data = onto.serialize(format="nt", encoding="utf-8") + bad.encode()
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(tmp_path, data)


def test_the_five_core_classes_and_their_taxonomies():
    idx = index()
    sizes = {name: len(idx.types_under(cls)) for name, cls in BRANCHES.items()}
    assert sizes["place"] >= 20 and sizes["actor"] >= 18 and sizes["event"] >= 35 and sizes["agreement"] >= 6
    hk = "https://w3id.org/homs-kg/ontology#"
    casualty = [c for c in idx.classes if c.value == hk + "Casualty"]
    assert casualty, "Casualty is a class"


def test_every_event_type_maps_to_acled_cameo_or_plover():
    g = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    hk = rdflib.Namespace("https://w3id.org/homs-kg/ontology#")
    concrete = {"Shelling", "AirStrike", "Bombing", "Assassination", "Siege", "CaptureOfTerritory", "Withdrawal",
                "Surrender", "Evacuation", "Protest", "Negotiation", "Ceasefire", "Truce"}
    for name in concrete:
        mapped = {p for p in (hk.acledSubEventType, hk.cameoCode, hk.ploverType) if (hk[name], p, None) in g}
        assert len(mapped) >= 2, name


def test_ontology_passes_its_lint_shapes():
    conforms, report = lint_ontology()
    assert conforms, report


@pytest.mark.parametrize("fixture,expected", [("ontology-valid.ttl", True), ("ontology-invalid.ttl", False)])
def test_lint_shapes_tell_good_from_bad(fixture, expected):
    conforms, report = check(rdflib.Graph().parse(SHAPES / fixture, format="turtle"), ONTOLOGY_SHAPES)
    assert conforms is expected, report
    if not expected:
        assert "skos:definition" in report or "definition" in report
