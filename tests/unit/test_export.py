"""Exports are valid RDF that other tools load, and say exactly what the store says."""

from __future__ import annotations

import rdflib
from pyoxigraph import RdfFormat
from rdflib.compare import isomorphic

from kg.formats import rdf_format
from kg.storage.export import export, graph_for


def _store_graph(store, graph=None) -> rdflib.Graph:
    g = rdflib.Graph()
    data = export(store, RdfFormat.N_TRIPLES, graph)
    return g.parse(data=data, format="nt")


def test_turtle_export_reparses_isomorphic_to_the_store(store):
    ttl = export(store, RdfFormat.TURTLE)
    parsed = rdflib.Graph().parse(data=ttl, format="turtle")
    expected = _store_graph(store)
    assert len(parsed) == len(expected) > 10000
    assert isomorphic(parsed, expected)


def test_trig_export_keeps_every_named_graph(store):
    ds = rdflib.Dataset()
    ds.parse(data=export(store, RdfFormat.TRIG), format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {str(g.value) for g in store.named_graphs()} <= names
    assert sum(len(g) for g in ds.graphs()) == len(store)


def test_nquads_export_has_every_quad(store):
    ds = rdflib.Dataset()
    ds.parse(data=export(store, RdfFormat.N_QUADS), format="nquads")
    assert sum(len(g) for g in ds.graphs()) == len(store)


def test_one_article_graph_as_jsonld_and_rdfxml(store, iris):
    graph = graph_for(store, iris, "a002-syria-direct-fall-of-homs")
    expected = _store_graph(store, graph)
    for fmt, rdflib_format in (("jsonld", "json-ld"), ("rdfxml", "xml"), ("turtle", "turtle")):
        parsed = rdflib.Graph().parse(data=export(store, rdf_format(fmt), graph), format=rdflib_format)
        assert isomorphic(parsed, expected), fmt


def test_unknown_graph_is_a_clear_error(store, iris):
    import pytest

    with pytest.raises(ValueError, match="no graph 'a999'"):
        graph_for(store, iris, "a999")
