"""SHACL shapes for the loader's output: they pass the seeds, and tell a good fixture from a bad one."""

from __future__ import annotations

import rdflib

from kg.loading.corpus import compile_files
from kg.loading.shapes import DATA_SHAPES, check, to_rdflib, validate_data
from kg.namespaces import Iris
from kg.ontology import ontology_triples
from kg.paths import SEEDS
from support import FIXTURES

SHAPES = FIXTURES / "shapes"


def _check(fixture: str):
    return check(rdflib.Graph().parse(SHAPES / fixture, format="turtle"), DATA_SHAPES,
                 to_rdflib(ontology_triples()))


def test_valid_fixture_conforms():
    conforms, report = _check("data-valid.ttl")
    assert conforms, report


def test_invalid_fixture_fails_for_each_of_its_faults():
    conforms, report = _check("data-invalid.ttl")
    assert not conforms
    for fault in ("reportedBy", "evidence", "minimum of a range exceeds its maximum",
                  "earliest date is after the latest date"):
        assert fault in report, fault


def test_the_seeds_conform_to_the_data_shapes():
    conforms, report = validate_data(compile_files([SEEDS], Iris()))
    assert conforms, report
