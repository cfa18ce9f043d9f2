"""bench.map_pages (issue 17, the map's first page) runs on a small generated corpus and reports each
case with its rows: event_map's pages of 100 rows (keys kept and new) and the aggregates whole."""

from __future__ import annotations

import shutil

from bench import generate, map_pages
from kg.loading.load import load
from kg.namespaces import Iris
from kg.storage.opening import open_store


def test_the_map_pages_benchmark_runs(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    generate.generate(corpus, 15, world="small")
    work = tmp_path / "work"
    work.mkdir()
    store = open_store(str(work / "store-ours"))
    load(store, [corpus], Iris())
    del store
    shutil.copy(corpus / generate.CORPUS_FILE, work / generate.CORPUS_FILE)
    result = map_pages.bench(work, budget=0.01, log=lambda _: None)
    cases = result["cases"]
    assert cases["event_map, world, first page, kept keys"]["rows"] == 100  # a full page
    assert cases["event_map, world, first page, new keys"]["rows"] == 100
    assert 0 < cases["event_map, box of Homs city, first page, kept keys"]["rows"] <= 100
    assert cases["event_map_counts, world"]["rows"] == cases["event_map_places, world"]["rows"] > 10
    map_pages.main([str(work), "--budget", "0.01"])
    out = capsys.readouterr().out
    assert "| event_map, world, later page, kept keys |" in out and "| event_map_months, 2014 |" in out
