"""`kg serve`: its options, and its clear one-line errors before any server starts."""

from __future__ import annotations

from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad

from api.cli import main
from kg.storage.opening import open_store


def test_serve_has_its_options():
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    for option in ("--host", "--port", "--store", "--base", "--no-load"):
        assert option in out


def test_serving_an_empty_store_without_loading_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--no-load", "--store", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "is empty" in result.output and "Traceback" not in result.output


def test_serving_a_store_built_under_another_base_is_a_clear_error(tmp_path):
    path = tmp_path / "store"
    s = open_store(path)
    s.add(Quad(NamedNode("https://w3id.org/homs-kg/place/homs"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
               Literal("Homs"), NamedNode("https://w3id.org/homs-kg/graph/entities")))
    s.flush()
    del s
    result = CliRunner().invoke(main, ["serve", "--store", str(path), "--base", "http://127.0.0.1:8000/"])
    assert result.exit_code == 1
    assert "another base" in result.output and "https://w3id.org/homs-kg/graph/entities" in result.output


def test_the_app_opens_a_store_path_when_it_starts(tmp_path):
    import pytest

    from api import create_app
    from support.api import TestClient

    path = tmp_path / "store"
    s = open_store(path)
    s.add(Quad(NamedNode("https://w3id.org/homs-kg/place/x"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
               Literal("X"), NamedNode("https://w3id.org/homs-kg/graph/entities")))
    s.flush()
    del s
    with TestClient(create_app(store=path)) as client:  # the lifespan opens it, read-only
        r = client.get("/sparql", params={"query": "SELECT ?l WHERE { <place/x> rdfs:label ?l }"})
        assert r.json()["results"]["bindings"][0]["l"]["value"] == "X"
    with pytest.raises(RuntimeError, match="no store at"):
        with TestClient(create_app(store=tmp_path / "nothing")):
            pass


def test_the_store_dependency_can_be_overridden():
    from pyoxigraph import Store

    from api import create_app
    from api.deps import get_store
    from support.api import TestClient

    other = Store()
    other.add(Quad(NamedNode("http://ex/a"), NamedNode("http://ex/p"), Literal("overridden")))
    app = create_app(store=Store())
    app.dependency_overrides[get_store] = lambda: other
    r = TestClient(app).get("/sparql", params={"query": "SELECT ?o WHERE { ?s ?p ?o }"})
    assert r.json()["results"]["bindings"][0]["o"]["value"] == "overridden"
