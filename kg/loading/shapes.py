"""SHACL, twice: shapes that lint the ontology, and shapes that check what the loader produces."""

from __future__ import annotations

from collections.abc import Iterable

import rdflib
from pyoxigraph import RdfFormat, Triple, serialize
from pyshacl import validate

from kg.namespaces import HK
from kg.ontology import ontology_triples
from kg.paths import ONTOLOGY_FILE, SHAPES_DIR

ONTOLOGY_SHAPES = SHAPES_DIR / "ontology-lint.ttl"
DATA_SHAPES = SHAPES_DIR / "data.ttl"


def to_rdflib(triples: Iterable[Triple]) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=serialize(list(triples), format=RdfFormat.N_TRIPLES), format="nt")
    return g


def check(data: rdflib.Graph, shapes_file, ontology: rdflib.Graph | None = None) -> tuple[bool, str]:
    """(conforms, report text). With `ontology`, SHACL sees its subclass hierarchy (rdfs inference)."""
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes, ont_graph=ontology,
                                 inference="rdfs" if ontology is not None else "none",
                                 allow_warnings=False, advanced=True)
    return bool(conforms), text


def lint_ontology(path=ONTOLOGY_FILE) -> tuple[bool, str]:
    return check(rdflib.Graph().parse(path, format="turtle"), ONTOLOGY_SHAPES)


def validate_data(compiled) -> tuple[bool, str]:
    """The compiled graphs of a load (kg.loading.corpus.Compiled) against the data shapes."""
    triples = []
    for article in compiled.articles:
        triples += article.triples
    compiled_events = {t.subject for t in triples}
    # a shared event's reports (hk:reportOf) name events of other articles; a check of some files
    # (kg validate FILE) sees only the reports of the articles it compiled
    triples += [t for t in compiled.entities.triples if t.predicate != HK.reportOf or t.subject in compiled_events]
    return check(to_rdflib(triples), DATA_SHAPES, to_rdflib(ontology_triples()))
