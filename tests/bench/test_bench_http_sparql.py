"""/sparql beside `oxigraph serve` (bench/http_sparql.py) at a smoke size, so it does not rot: real
`kg serve` processes (this checkout, and this checkout again as a `--compare` one) and
`oxigraph serve-read-only` over copies of the seeds' store, driven by wrk."""

from __future__ import annotations

import json

import pytest

from bench import http as http_bench
from bench import http_sparql
from support.servers import needs_oxigraph, needs_wrk

pytestmark = pytest.mark.server


@needs_wrk
@needs_oxigraph
def test_sparql_beside_oxigraph_runs_all_servers_in_the_same_rounds(tmp_path):
    store = http_bench.seeds_store(tmp_path)
    out = tmp_path / "out.json"
    result = http_sparql.main(["--store", str(store), "--work", str(tmp_path / "work"), "--seconds", "1",
                               "--repeat", "1", "--compare", f"again={http_bench.ROOT}", "--json", str(out)])
    assert json.loads(out.read_text())["summary"] == result["summary"]
    kinds = {(r["case"], r["kind"]) for r in result["summary"]}
    assert ("point lookup (one event's triples)", "light") in kinds and any(k == "query-bound" for _, k in kinds)
    for row in result["summary"]:
        assert row["rows"] > 0
        assert set(row["servers"]) == {"ours", "again", "oxigraph"}
        for who, s in row["servers"].items():
            assert s["rps"] > 0 and s["errors"] == 0 and 0 < s["p50_ms"] <= s["p99_ms"]
            assert ("server_cpu_ms" in s) == (who != "oxigraph")
        assert row["servers"]["ours"]["server_cpu_ms"] > 0
    assert {r["server"] for r in result["runs"]} == {"ours", "again", "oxigraph"}
    assert "**" in http_sparql.table(result["summary"])  # the ratios


@needs_wrk
@needs_oxigraph
def test_a_variant_of_this_checkout_runs_in_the_same_rounds_on_linked_copies(tmp_path):
    """`--variant NAME=OPTIONS` serves this checkout with those options beside the others; `--only` keeps
    the cases named; the copies share the store's table files (hard links), not its LOCK; the CPU of
    the workers is counted apart from the server's."""
    store = http_bench.seeds_store(tmp_path)
    work = tmp_path / "work"
    result = http_sparql.main(["--store", str(store), "--work", str(work), "--seconds", "1", "--repeat", "1",
                               "--only", "point", "--variant", "w1=--query-workers 1"])
    assert [r["case"] for r in result["summary"]] == ["point lookup (one event's triples)"]
    servers = result["summary"][0]["servers"]
    assert set(servers) == {"ours", "w1", "oxigraph"}
    for who in ("ours", "w1"):
        assert servers[who]["errors"] == 0 and servers[who]["server_cpu_ms"] > 0 and servers[who]["workers_cpu_ms"] > 0
    tables = sorted(store.glob("*.sst"))  # (a served copy may have compacted its own: RocksDB never rewrites one)
    copy = http_sparql.copy_of(store, tmp_path / "again", "x")
    assert tables and all((copy / t.name).stat().st_ino == t.stat().st_ino for t in tables)
    assert (copy / "LOCK").stat().st_ino != (store / "LOCK").stat().st_ino
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in store.iterdir())
