"""Compaction after a load (kg.loading.load.compact): a bulk load leaves RocksDB's tables as written,
and every lookup then reads several of them; `kg load` compacts after a bulk load into an empty
store, `--no-optimize` skips it, `kg optimize` does it on demand. Real on-disk stores."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from pyoxigraph import Store

from kg.cli import main
from kg.loading.load import load
from kg.paths import SEEDS


def tables(path: Path) -> set[str]:
    """The store's table files (RocksDB's .sst): compaction merges them into new ones."""
    found = {f.name for f in path.iterdir() if f.suffix == ".sst"}
    assert found, f"no table files in {path}"  # a glob that finds nothing proves nothing
    return found


def loaded(path: Path, **options):
    store = Store(str(path))
    report = load(store, [SEEDS], bulk=True, **options)
    store.flush()
    return store, report


def test_a_bulk_load_is_compacted_by_default(tmp_path):
    plain_store, plain = loaded(tmp_path / "plain", optimize=False)
    compact_store, compacted = loaded(tmp_path / "compact")
    assert plain.bulk and compacted.bulk
    assert not plain.optimized and "optimize" not in plain.seconds
    assert compacted.optimized and compacted.seconds["optimize"] >= 0
    assert len(tables(tmp_path / "compact")) < len(tables(tmp_path / "plain"))
    assert len(compact_store) == len(plain_store)  # the same quads, fewer tables


def test_a_transactional_load_is_not_compacted_unless_asked(tmp_path):
    store = Store(str(tmp_path / "s"))
    assert not load(store, [SEEDS], bulk=False).optimized
    before = tables(tmp_path / "s")
    assert load(store, [SEEDS], bulk=False, optimize=True).optimized
    assert tables(tmp_path / "s") != before


def test_kg_optimize_compacts_a_store_on_demand(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    for _ in range(2):  # the second load replaces every article's graphs: tables with dead entries
        result = runner.invoke(main, ["load", "--no-optimize"], catch_exceptions=False)
        assert result.exit_code == 0 and "compacted" not in result.output, result.output
    before = tables(tmp_path / "store")
    result = runner.invoke(main, ["optimize"], catch_exceptions=False)
    assert result.exit_code == 0 and "compacted" in result.output, result.output
    after = tables(tmp_path / "store")
    assert after != before and len(after) <= len(before)
    result = runner.invoke(main, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?a a hk:Truce }", "--format", "json"],
                           catch_exceptions=False)
    assert '"value":"1"' in result.output.replace(" ", "")  # still answers


def test_kg_load_optimize_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    result = CliRunner().invoke(main, ["load", "--optimize"], catch_exceptions=False)
    assert result.exit_code == 0 and "compacted in" in result.output, result.output


def test_kg_optimize_refuses_a_remote_store():
    result = CliRunner().invoke(main, ["optimize", "--store", "http://127.0.0.1:9/query"])
    assert result.exit_code != 0 and "remote store" in result.output
