"""The remote store beside the embedded one: load rate and canned-query latency, same data, same run.

    flock /tmp/bench.lock .venv/bin/python -m bench.remote bench/out/corpus-1k bench/out/work-corpus-1k \\
        [--budget 2] [--batches 16,1] [--no-virtuoso] [--json FILE]

Load: the corpus's annotation files through our loader (kg.loading.load), files on disk to a
queryable store, into
- a new embedded on-disk store, by the transactional path (bulk=False: one SPARQL update per
  article, as a remote load does) and by the default path for a first load (Store.bulk_load);
- a new `oxigraph serve --union-default-graph` (the Rust server from PyPI's `oxigraph`) on a
  loopback port, by SPARQL Update requests carrying REMOTE_BATCH articles each (`--batches`: the
  batch sizes to measure; the first one's server is kept for the queries);
- a new private Virtuoso (bench/virtuoso.py: Debian's virtuoso-opensource, `VIRTUOSO_BUFFERS` pages
  of cache) by the same requests, the first batch size (unless --no-virtuoso).
Queries: each canned query with bench.queries' parameters (`cases`, `time_query`: kg.querying.catalogue.run,
rows read to the end; median and p95), in process on the embedded on-disk store that bench.load
built (WORK/store-ours); over HTTP on the same files served by `oxigraph serve-read-only` (the
like-for-like comparison: only the protocol differs); and over HTTP on the server loaded above
(its recent writes still in RocksDB's memory); over HTTP on the Virtuoso loaded above; and whether
each gives the embedded store's rows (Virtuoso apart: docs/remote-store.md says where it differs).

Client and server share the machine's cores, as a service and a store on one host would."""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pyoxigraph import Store

import kg.loading.load
from bench.generate import corpus_meta
from bench.processes import free_port, oxigraph_command, running
from bench.queries import cases, paged_cases, time_query
from bench.virtuoso import running_virtuoso
from kg.errors import QueryTimeout
from kg.loading.load import load
from kg.namespaces import Iris
from kg.querying.catalogue import catalogue, run
from kg.storage.opening import open_store

VIRTUOSO_BUFFERS = 170_000  # 8 kB pages: ~1.3 GB of cache (Virtuoso's guide for 2 GB given to it)
VIRTUOSO_TIMEOUT_S = 120  # its own limit on a query (MaxQueryExecutionTime), and the client's


@contextlib.contextmanager
def oxigraph(location: Path, read_only: bool = False):
    """`oxigraph serve` (or `serve-read-only`) over `location` on a free loopback port, its default
    graph the union; yields its query URL once it answers, ends it after."""
    port = free_port()
    location.mkdir(parents=True, exist_ok=True)
    with running([*oxigraph_command(), "serve-read-only" if read_only else "serve", "--location", str(location),
                  "--bind", f"127.0.0.1:{port}", "--union-default-graph"], f"http://127.0.0.1:{port}/query"):
        yield f"http://127.0.0.1:{port}/query"


def timed_load(store, corpus: Path, **options) -> dict:
    t0 = time.perf_counter()
    report = load(store, [corpus], Iris(), **options)
    seconds = time.perf_counter() - t0
    quads = sum(report.triples.values())
    return {"seconds": round(seconds, 2), "quads": quads, "quads_per_s": round(quads / seconds),
            "bulk": report.bulk, "articles": len(report.articles)}


def bench(corpus: Path, work: Path, budget: float, batches: list[int], log=print, virtuoso: bool = True,
          embedded_loads: bool = True, which: str = "all") -> dict:
    out: dict = {"corpus": str(corpus), "load": {}, "queries": {}}
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-remote-"))
    servers = contextlib.ExitStack()  # the servers the query phase uses
    try:
        for label, options in (("embedded, transactional (bulk=False)", {"bulk": False}),
                               ("embedded, first load (bulk path)", {})) if embedded_loads else ():
            store = open_store(tmp / f"embedded-{len(out['load'])}")
            out["load"][label] = timed_load(store, corpus, **options)
            store.flush()
            del store
            shutil.rmtree(tmp / f"embedded-{len(out['load']) - 1}", ignore_errors=True)
            log(f"  load {label}: {out['load'][label]}")
        remote = None
        default_batch = kg.loading.load.REMOTE_BATCH
        for n in batches:
            server = contextlib.ExitStack()
            store = open_store(server.enter_context(oxigraph(tmp / f"oxigraph-{n}")))
            kg.loading.load.REMOTE_BATCH = n
            try:
                label = f"remote oxigraph serve, {n} article(s) per update"
                out["load"][label] = timed_load(store, corpus)
            finally:
                kg.loading.load.REMOTE_BATCH = default_batch
            log(f"  load {label}: {out['load'][label]}")
            if remote is None:
                remote = store
                servers.enter_context(server)
            else:
                store.close()
                server.close()
                shutil.rmtree(tmp / f"oxigraph-{n}", ignore_errors=True)
        other = None  # a Virtuoso, loaded by the same requests
        if virtuoso:
            v = servers.enter_context(running_virtuoso(tmp, buffers=VIRTUOSO_BUFFERS, timeout_s=VIRTUOSO_TIMEOUT_S))
            other = v.open(timeout=VIRTUOSO_TIMEOUT_S)
            kg.loading.load.REMOTE_BATCH = batches[0] if batches else default_batch
            try:
                label = f"remote Virtuoso, {kg.loading.load.REMOTE_BATCH} article(s) per update"
                out["load"][label] = timed_load(other, corpus)
            finally:
                kg.loading.load.REMOTE_BATCH = default_batch
            log(f"  load {label}: {out['load'][label]}")
        embedded = Store.read_only(str(work / "store-ours"))
        # the very same files, served: `oxigraph serve-read-only` over WORK/store-ours
        same_files = open_store(servers.enter_context(oxigraph(work / "store-ours", read_only=True)))
        out["quads"] = {"embedded": len(embedded), "same files": len(same_files)}
        if remote is not None:
            out["quads"]["remote"] = len(remote)
        if other is not None:
            out["virtuoso_quads"] = len(other)
        meta = corpus_meta(work)
        chosen = (cases(embedded, Iris(), meta["seed"], meta["world"]) if which in ("all", "both") else []) + \
            ([c for c in paged_cases() if "first page" in c[0]] if which in ("paged", "both") else [])
        for label, name, params in chosen:
            q = catalogue()[name]
            row = {"embedded": time_query(embedded, name, params, budget, 3, 50),
                   "same files": time_query(same_files, name, params, budget, 3, 50)}
            if "@page" in params:  # a page as /api/<name> answers it (bench.queries._paged): timed, rows counted
                for kind, store in (("remote", remote), ("virtuoso", other)):
                    if store is not None:
                        try:
                            row[kind] = time_query(store, name, params, budget, 3, 50)
                        except (OSError, RuntimeError, SyntaxError, QueryTimeout) as e:
                            row[kind] = {"error": str(e)[:300]}
                row["same_rows"] = row["virtuoso_same_rows"] = None
                out["queries"][label] = row
                log(f"  {label:<58} {row}")
                continue
            expected = [tuple(r) for r in run(embedded, q, params)]
            row["same_rows"] = expected == [tuple(r) for r in run(same_files, q, params)]
            if remote is not None:
                row["remote"] = time_query(remote, name, params, budget, 3, 50)
                row["same_rows"] = row["same_rows"] and expected == [tuple(r) for r in run(remote, q, params)]
            if other is not None:
                try:
                    row["virtuoso"] = time_query(other, name, params, budget, 3, 50)
                    row["virtuoso_same_rows"] = expected == [tuple(r) for r in run(other, q, params)]
                except (OSError, RuntimeError, SyntaxError, QueryTimeout) as e:
                    row["virtuoso"], row["virtuoso_same_rows"] = {"error": str(e)[:300]}, False
            out["queries"][label] = row
            log(f"  {label:<58} embedded {row['embedded']['median_ms']:>9.2f} ms  same files "
                f"{row['same files']['median_ms']:>9.2f} ms  loaded {row.get('remote', {}).get('median_ms')} ms  "
                f"same rows: {row['same_rows']}" + (f"  virtuoso {row['virtuoso']} same: {row['virtuoso_same_rows']}"
                                                    if other is not None else ""))
        if other is not None:
            other.close()
        if remote is not None:
            remote.close()
        same_files.close()
    finally:
        servers.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _same(same: bool | None) -> str:
    return "—" if same is None else "yes" if same else "NO"  # None: a page, timed only


def table(result: dict) -> str:
    loads = result["load"]
    base = loads.get("embedded, transactional (bulk=False)", {}).get("quads_per_s", float("nan"))
    lines = ["| load (files on disk -> queryable store) | seconds | quads/s | × embedded transactional |",
             "|---|---|---|---|"]
    for label, m in loads.items():
        ratio = f"{m['quads_per_s'] / base:.2f}×" if base == base else "—"  # (no embedded load timed: --no-embedded-loads)
        lines.append(f"| {label} | {m['seconds']:.1f} | {m['quads_per_s']:,} | {ratio} |")
    lines += ["", f"Queries, median (p95) ms: the embedded on-disk store WORK/store-ours "
              f"({result['quads']['embedded']:,} quads) in process; the same files served by `oxigraph "
              f"serve-read-only`, over HTTP; and the server our loader just filled ({result['quads'].get('remote', 0):,} "
              "quads), over HTTP.", "",
              "| query | rows | embedded | same files, HTTP | ÷ embedded | loaded server, HTTP | ÷ embedded | same rows |",
              "|---|---|---|---|---|---|---|---|"]
    for label, row in result["queries"].items():
        e = row["embedded"]
        cells = []
        for kind in ("same files", "remote"):
            if kind not in row:
                cells.append("— | —")
                continue
            r = row[kind]
            if "error" in r:
                cells.append(f"failed: {r['error'][:80]} | —")
                continue
            ratio = r["median_ms"] / e["median_ms"] if e["median_ms"] else float("nan")
            cells.append(f"{r['median_ms']:.1f} ({r['p95_ms']:.1f}) | {ratio:.2f}×")
        lines.append(f"| {label} | {e['rows']} | {e['median_ms']:.1f} ({e['p95_ms']:.1f}) | " + " | ".join(cells)
                     + f" | {_same(row['same_rows'])} |")
    if any("virtuoso" in row for row in result["queries"].values()):
        lines += ["", f"Virtuoso (loaded by our loader, {result.get('virtuoso_quads', 0):,} quads) beside Oxigraph server "
                  "(the server our loader filled, else `serve-read-only` over the embedded store's files), over HTTP, "
                  "median (p95) ms; rows: each store's own count.", "",
                  "| query | oxigraph serve | rows | Virtuoso | rows | Virtuoso ÷ oxigraph | Virtuoso = embedded rows |",
                  "|---|---|---|---|---|---|---|"]
        for label, row in result["queries"].items():
            o, v = row.get("remote", row["same files"]), row["virtuoso"]
            if "error" in v:
                lines.append(f"| {label} | {o['median_ms']:.1f} ({o['p95_ms']:.1f}) | {o['rows']} | failed: "
                             f"{v['error'][:120]} | | | {_same(row['virtuoso_same_rows'])} |")
                continue
            ratio = v["median_ms"] / o["median_ms"] if o["median_ms"] else float("nan")
            lines.append(f"| {label} | {o['median_ms']:.1f} ({o['p95_ms']:.1f}) | {o['rows']} | {v['median_ms']:.1f} "
                         f"({v['p95_ms']:.1f}) | {v['rows']} | {ratio:.2f}× | {_same(row['virtuoso_same_rows'])} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="a folder of annotation files (bench.generate)")
    ap.add_argument("work", type=Path, help="bench.load's work folder for that corpus (its store-ours)")
    ap.add_argument("--budget", type=float, default=2.0, help="seconds per query and store (default 2)")
    ap.add_argument("--batches", default=f"{kg.loading.load.REMOTE_BATCH},1",
                    help="articles per update request to measure, comma-separated (the first serves the queries)")
    ap.add_argument("--no-virtuoso", dest="virtuoso", action="store_false", help="leave Virtuoso out")
    ap.add_argument("--no-embedded-loads", dest="embedded_loads", action="store_false",
                    help="do not time the embedded loads (--batches '' leaves out the oxigraph serve loads too)")
    ap.add_argument("--cases", choices=("all", "paged", "both"), default="all",
                    help="bench.queries' cases (all: every canned query unpaged; paged: the whole-graph queries' "
                         "first page as /api answers it, keys kept and new)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    result = bench(args.corpus, args.work, args.budget, [int(b) for b in args.batches.split(",") if b],
                   log=lambda s: print(s, file=sys.stderr), virtuoso=args.virtuoso, embedded_loads=args.embedded_loads,
                   which=args.cases)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(table(result))


if __name__ == "__main__":
    main()
