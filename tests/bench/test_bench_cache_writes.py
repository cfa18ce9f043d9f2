"""bench.cache_writes at a tiny size: a generated store, one article loaded over HTTP, some answers
kept and none of them stale."""

from __future__ import annotations

import re

from bench import cache_writes


def test_the_cache_across_writes_benchmark_runs(tmp_path, capsys):
    cache_writes.main(["--articles", "12", "--places", "6", "--actors", "4", "--work", str(tmp_path / "w")])
    out = capsys.readouterr().out
    kept, asked = map(int, re.search(r"kept after the load: (\d+)/(\d+)", out).groups())
    assert asked == 4 * (14 + 30 + 6) + 2 * 4 + 1  # 4 place queries for 14 governorates, 30 cities, 6 more; 4 actors
    assert kept < asked  # `actors` (whole graph) is always dropped
    assert kept > asked // 2 and "stale kept answers: 0" in out
