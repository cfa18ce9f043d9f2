"""The HTTP benchmark (bench/http.py) at a smoke size, so it does not rot: real `kg serve` and
`oxigraph serve-read-only` processes over copies of the seeds' store, driven by wrk."""

from __future__ import annotations

import pytest

from bench import http as http_bench
from support.servers import needs_oxigraph, needs_wrk

pytestmark = pytest.mark.server


@needs_wrk
@needs_oxigraph
def test_the_http_benchmark_runs_and_compares_both_servers(tmp_path):
    out = tmp_path / "http.json"
    result = http_bench.main(["--smoke", "--json", str(out), "--work", str(tmp_path)])
    assert out.exists()
    cases = {(r["case"], r["kind"]) for r in result["summary"]}
    assert ("ASK {}", "light") in cases and any(kind == "canned" for _, kind in cases)
    for row in result["summary"]:
        for who in ("ours", "oxigraph"):
            assert row[who]["rps"] > 0 and row[who]["errors"] == 0 and 0 < row[who]["p50_ms"] <= row[who]["p99_ms"]
        assert row["ratio"] == pytest.approx(row["ours"]["rps"] / row["oxigraph"]["rps"])
    assert {r["server"] for r in result["runs"]} == {"ours", "oxigraph"}


def test_canned_parameters_are_inlined_as_constants_for_the_reference():
    text = """#+ summary: x
PREFIX hk: <https://w3id.org/homs-kg/ontology#>
SELECT ?place ?a (COUNT(?b) AS ?n) WHERE {
  { SELECT ?place ?a WHERE { ?a hk:locatedIn ?place } GROUP BY ?place ?a }
  ?a hk:p ?b . FILTER(?b != ?place)
} GROUP BY ?place ?a"""
    out = http_bench.inline(text, {"place": "<https://w3id.org/homs-kg/place/homs>"})
    homs = "<https://w3id.org/homs-kg/place/homs>"
    assert "?place" not in out.replace(f"({homs} AS ?place)", "")
    assert out.count(f"({homs} AS ?place)") == 1 and f"?a hk:locatedIn {homs}" in out
    assert "GROUP BY  ?a" in out and f"FILTER(?b != {homs})" in out
