"""bench.queries --alternate: each case timed on two sizes taking turns, in one process, so the size
ratio does not carry the load's drift between a run's halves (bench/RESULTS.md, "Per-row cost at
scale, second round"). Two small generated corpora, each loaded into an on-disk store."""

from __future__ import annotations

import shutil

from bench import generate
from bench import queries as queries_bench
from kg.loading.load import load
from kg.namespaces import Iris
from kg.storage.opening import open_store
from support import BASE

SENTINEL_CASE = f"ceasefires (sentinel: {generate.SENTINEL}, same truces at every size)"


def test_alternate_times_each_case_on_both_sizes(tmp_path):
    works = []
    for n in (3, 6):
        corpus, work = tmp_path / f"corpus-{n}", tmp_path / f"work-{n}"
        generate.generate(corpus, n, world="small")
        work.mkdir()
        shutil.copy(corpus / generate.CORPUS_FILE, work / generate.CORPUS_FILE)
        store = open_store(str(work / "store-ours"))
        load(store, [corpus], Iris(BASE))
        store.flush()
        del store
        works.append(work)
    logged = []
    out = queries_bench.alternate(*works, rounds=2, budget=0.01, max_runs=1, log=logged.append,
                                  only=["sentinel", "ceasefires (city: homs)"])
    assert SENTINEL_CASE in out and "ceasefires (city: homs)" in out
    assert all("sentinel" in label or label == "ceasefires (city: homs)" for label in out)
    assert len(logged) == len(out)
    for label, r in out.items():
        assert len(r["median_ms"]) == 2 and all(ms > 0 for ms in r["median_ms"]), label
    # the sentinel's truces are the same at every size, and found at both
    assert out[SENTINEL_CASE]["rows"][0] == out[SENTINEL_CASE]["rows"][1] > 0
    table = queries_bench.alternate_table(out)
    assert table.count("\n") == len(out) + 1 and SENTINEL_CASE in table
