"""The kg command, through click's runner, against a real on-disk store."""

from __future__ import annotations

import json

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import main
from kg.paths import SEEDS


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


@pytest.fixture
def loaded(run):
    result = run("load")
    assert result.exit_code == 0, result.output
    return run


def test_load_then_stats(loaded):
    out = loaded("stats").output
    assert "articles                   5" in out
    assert "/graph/inferred/a002-syria-direct-fall-of-homs" in out


def test_query_a_sparql_string_with_predeclared_prefixes(loaded):
    result = loaded("query", "SELECT (COUNT(*) AS ?n) WHERE { ?a a hk:Truce }", "--format", "json")
    assert json.loads(result.output)["results"]["bindings"][0]["n"]["value"] == "1"


def test_canned_query_with_a_parameter_as_csv(loaded):
    result = loaded("query", "ceasefires", "-p", "place=Old City", "-f", "csv")
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("place,agreement,label") and len(lines) == 3


def test_table_output(loaded):
    out = loaded("query", "agreements").output
    assert out.splitlines()[0].split()[:2] == ["agreement", "label"] and "(5 rows)" in out


def test_construct_gives_turtle(loaded):
    out = loaded("query", "CONSTRUCT { ?a a hk:Truce } WHERE { ?a a hk:Truce }").output
    assert len(rdflib.Graph().parse(data=out, format="turtle")) == 1


def test_export_one_article_as_turtle(loaded, tmp_path):
    target = tmp_path / "a002.ttl"
    result = loaded("export", "-f", "turtle", "-g", "a002-syria-direct-fall-of-homs", "-o", str(target))
    assert result.exit_code == 0
    assert len(rdflib.Graph().parse(target, format="turtle")) > 3000


def test_errors_are_one_clear_line(loaded, tmp_path):
    bad = loaded("query", "SELECT WHERE {")
    assert bad.exit_code == 1 and bad.output.startswith("Error: SPARQL syntax error")
    unknown = loaded("query", "ceasefires", "-p", "place=Atlantis")
    assert unknown.exit_code == 1 and "unknown place 'Atlantis'" in unknown.output
    missing = loaded("export", "-g", "nope")
    assert "no graph 'nope'" in missing.output


def test_a_bad_annotation_is_reported_with_file_and_line_and_nothing_is_loaded(run, tmp_path):
    import shutil

    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    path = folder / "002_36c9516b5ee8d58f.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: implemented", "status: maybe", 1), encoding="utf-8")
    result = run("load", str(folder))
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "status" in result.output
    assert "articles                   0" in run("stats").output


def test_validate(run):
    result = run("validate", "--no-shacl")
    assert result.exit_code == 0 and "5 article file(s)" in result.output
