"""The benchmark scripts (bench/) at a tiny size, so they do not rot; and the fast paths of the loader
that the benchmark drove (kg.loading.reader's libyaml reader, kg.loading.quotes' quote finder, kg.loading.reasoning.Reasoner,
the bulk and parallel load) give what the reference paths give. The benchmark itself runs on demand:
bench/RESULTS.md."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import BlankNode

from bench import generate, serve_load
from bench import load as load_bench
from bench import queries as queries_bench
from bench import remote as remote_bench
from kg.cli import main as kg
from kg.errors import AnnotationError
from kg.loading.compiler import _Collapsed, compile_article, compile_entities
from kg.loading.load import load
from kg.loading.quotes import QuoteError, find
from kg.loading.reader import _plain, _read_fast, _read_round_trip
from kg.loading.reasoning import Reasoner, closure
from kg.namespaces import Iris
from kg.paths import QUERIES_DIR, SEEDS
from kg.storage.opening import open_store
from support import MINI

ARTICLES = 6


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "corpus"
    generate.generate(folder, ARTICLES, world="small")
    return folder


def test_the_generator_is_deterministic_and_writes_what_kg_validate_accepts(corpus, tmp_path):
    files = sorted(p.name for p in corpus.iterdir())
    assert len([f for f in files if f.endswith(".yaml")]) == ARTICLES + 1 and "entities.yaml" in files
    again = tmp_path / "again"
    generate.generate(again, ARTICLES, world="small")
    assert all((corpus / f).read_bytes() == (again / f).read_bytes() for f in files if f != generate.CORPUS_FILE)
    result = CliRunner().invoke(kg, ["validate", "--no-shacl", str(corpus)])
    assert result.exit_code == 0, result.output
    assert f"{ARTICLES} article file(s)" in result.output


def test_the_load_and_query_benchmarks_run(corpus, tmp_path):
    work = tmp_path / "work"
    results = load_bench.bench(corpus, work, log=lambda _: None,
                               phases=("ours", "dump", "bulk_load", "extend", "rdflib"))
    ours = results["ours"]
    assert ours["bulk"] is False and ours["quads"] > ARTICLES * 500  # a tiny load takes the transactional path
    for phase in ("bulk_load", "extend", "rdflib"):
        assert results[phase]["quads"] > 0 and results["ratios"][phase] > 0
    assert "| articles |" in load_bench.table([results])
    measured = queries_bench.bench(work, budget=0.01, min_runs=1, max_runs=1, log=lambda _: None)
    assert len(measured["queries"]) >= 12
    assert all({"disk", "memory"} <= set(row) for row in measured["queries"].values())
    ceasefires = measured["queries"]["ceasefires (city: homs)"]
    assert ceasefires["disk"]["rows"] == ceasefires["memory"]["rows"]
    assert "| query |" in queries_bench.table([measured])
    # a rewrite timed against the queries before it: here a copy with one query changed
    before = tmp_path / "before"
    shutil.copytree(QUERIES_DIR, before)
    (before / "event-actors.rq").write_text((QUERIES_DIR / "event-actors.rq").read_text() + "LIMIT 1\n")
    compared = queries_bench.bench(work, budget=0.01, min_runs=1, max_runs=1, memory=False, log=lambda _: None,
                                   only=["ceasefires (city", "event_actors"], against=before)
    rows = compared["queries"]
    assert rows["ceasefires (city: homs)"]["disk, same rows"] is True
    assert rows["event_actors (article 0)"]["disk, same rows"] is False  # LIMIT 1 dropped a row
    assert rows["event_actors (article 0)"]["disk, before"]["rows"] == 1 < rows["event_actors (article 0)"]["disk"]["rows"]
    assert "| event_actors (article 0) |" in queries_bench.before_after(compared)


def test_the_load_benchmark_can_run_our_loader_alone(corpus, tmp_path, capsys):
    """`--phases ours` (what a 100k run uses): our loader only, no baseline, and the work folder
    still tells bench.queries which corpus it holds."""
    work = tmp_path / "work"
    load_bench.main([str(corpus), "--work", str(work), "--phases", "ours", "--json", str(tmp_path / "r.json")])
    results = json.loads((tmp_path / "r.json").read_text())[0]
    assert set(results) >= {"ours", "ratios"} and "bulk_load" not in results and results["ratios"] == {}
    assert results["ours"]["quads"] > ARTICLES * 500 and (work / "store-ours").is_dir()
    assert not (work / "ours.nq").exists()
    measured = queries_bench.bench(work, budget=0.01, min_runs=1, max_runs=1, memory=False, log=lambda _: None)
    assert all(set(row) == {"disk"} for row in measured["queries"].values())
    assert "| articles |" in capsys.readouterr().out


@pytest.mark.server
def test_the_remote_store_benchmark_runs(corpus, tmp_path):
    """bench.remote at a tiny size: real `oxigraph serve` processes, the same rows on every store."""
    work = tmp_path / "work"
    load_bench.bench(corpus, work, log=lambda _: None, phases=("ours",))
    # Virtuoso left out: its runs cost minutes here, and tests/e2e/test_remote_store.py checks it
    result = remote_bench.bench(corpus, work, budget=0.01, batches=[4], log=lambda _: None, virtuoso=False)
    assert {"embedded, transactional (bulk=False)", "remote oxigraph serve, 4 article(s) per update"} <= set(result["load"])
    assert len(set(result["quads"].values())) == 1 and result["quads"]["remote"] > ARTICLES * 500
    assert result["queries"] and all(row["same_rows"] for row in result["queries"].values())
    assert "| load" in remote_bench.table(result)


@pytest.mark.server
def test_the_service_load_benchmark_runs(capsys):
    """bench.serve_load for a second against a real `kg serve` of the seeds: requests answered, none failed."""
    summary = serve_load.main(["--seconds", "1", "--clients", "2"])
    assert summary["requests"] > 0 and not summary["errors"]


# --- the fast paths give what the reference paths give ------------------------------------------

TRICKY_YAML = ["a: 1_000", "a: 0x1f", "a: 012", "a: 1e3", "a: 1.", "a: .inf", "a: yes", "a: ~", "a:",
               "a: 2014-05-07", "a: 2014", "a: !!str 12", "a: !foo x", "a: 1\na: 2", "<<: {a: 1}", "- 1", "",
               "%YAML 1.1\n---\na: yes", "a: &x [1]\nb: *x", "1: x", "true: y", "a: -0", "a: +3", "a: 00",
               "a: 1.50", "a: |\n  x\n", "a: 'x'\n", 'a: "\\u00e9"', "a: [1, {b: null}]", "? [1]\n: x",
               "a: b: c", "a:\n\t- 1", "x: 2001-12-14t21:59:43.10-05:00", "a: =", "a: 0.5e-3", "a: 10.0",
               "a: 1\n---\nb: 2", "'a': 1\na: 2", "a: null\nNull: 1", "a: !!int '12'", "\ufeffa: 1", "a: -.5"]


def _reference_tree(path: Path, text: str):
    try:
        return _plain(_read_round_trip(path, text))
    except AnnotationError as e:
        return e


def test_the_libyaml_reader_gives_ruamels_tree_or_steps_aside(corpus):
    files = [*SEEDS.glob("*.yaml"), *MINI.glob("*.yaml"), *corpus.glob("*.yaml")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = _read_fast(text)
        assert fast is not None, path
        assert repr(fast) == repr(_reference_tree(path, text)), path
    for text in TRICKY_YAML:
        fast = _read_fast(text)
        if fast is not None:  # None: ruamel reads it, as before
            assert repr(fast) == repr(_reference_tree(Path("x.yaml"), text)), text


def test_the_loaders_quote_finder_agrees_with_kg_quotes():
    rng = random.Random(6)
    pieces = ["a", "b", "ab", " ", "  ", "\n", "\u00a0", "\t", "a b", "\n\n "]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        quote = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        lo = rng.randint(0, len(text))
        hi = rng.randint(lo, len(text))
        try:
            span = find(text, quote, lo, hi)
            expected = [(span.start, span.end)]
        except QuoteError as e:
            expected = "ambiguous" if "ambiguous" in str(e) else []
        got = _Collapsed(text).find(quote, lo, hi)
        assert (got if len(got) < 2 else "ambiguous") == expected, (text, quote, lo, hi)


def test_the_incremental_reasoner_equals_the_closure(corpus):
    iris = Iris()
    for folder in (SEEDS, MINI, corpus):
        entities = compile_entities(folder / "entities.yaml", iris)
        base = closure(entities.triples)
        reasoner = Reasoner(entities.triples)
        assert reasoner.base == base
        context = set(entities.triples)
        for path in sorted(folder.glob("*.yaml")):
            if path.name != "entities.yaml":
                asserted = set(compile_article(path, entities, iris).triples)
                assert reasoner.inferred(asserted) == closure(asserted | base) - base - asserted - context, path


def _quads(store):
    return {q for q in store if not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)}


def test_bulk_parallel_and_transactional_loads_give_the_same_store(corpus):
    iris = Iris()
    stores = {}
    for name, kwargs in {"transactional": {"bulk": False, "workers": 1}, "bulk": {"bulk": True, "workers": 1},
                         "bulk-parallel": {"bulk": True, "workers": 2}}.items():
        stores[name] = open_store(":memory:")
        report = load(stores[name], [corpus], iris, **kwargs)
        assert report.bulk == kwargs["bulk"] and len(report.articles) == ARTICLES
    assert _quads(stores["bulk"]) == _quads(stores["transactional"]) == _quads(stores["bulk-parallel"])
    # a reload into the bulk-loaded store is transactional, and changes nothing
    assert load(stores["bulk"], [corpus], iris).bulk is False
    assert _quads(stores["bulk"]) == _quads(stores["transactional"])


def test_a_parallel_load_reports_the_first_bad_file_and_writes_nothing(corpus, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus, folder)
    bad = sorted(folder.glob("0*.yaml"))[2]
    bad.write_text(bad.read_text(encoding="utf-8").replace("  - id: e1-", "  - id: E1-", 1), encoding="utf-8")
    errors = []
    for workers in (1, 2):
        store = open_store(":memory:")
        with pytest.raises(AnnotationError) as caught:
            load(store, [folder], Iris(), bulk=True, workers=workers)
        assert len(store) == 0
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and errors[0].startswith(f"{bad}:")
