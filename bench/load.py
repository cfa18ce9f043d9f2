"""The loader measured end to end (annotation files on disk -> a queryable store), against what
Oxigraph itself does with the very same quads, measured in the same run.

    python -m bench.load bench/out/corpus-1k [--work bench/out/work-1k] [--json FILE] [--phases ours]

Each measurement runs in a fresh process, so its peak memory (RSS high-water mark,
getrusage ru_maxrss) is its own:

  ours          kg.loading.load(store, [corpus]) into a new on-disk store: read, check and compile
                every file, derive the inferences, write (a first load: the bulk path); then flush.
                The store is kept (WORK/store-ours) for bench/queries.py.
  dump          the quads our loader produced, written out as N-Quads (WORK/ours.nq); not timed.
  bulk_load     pyoxigraph Store.bulk_load of that N-Quads file into a new on-disk store: the limit.
  extend        pyoxigraph Store.extend of the same quads, parsed from the file, in transactions of
                ~1,000 quads (about one article's graphs): the transactional route.
  ours-tx       our loader with bulk=False: one SPARQL update transaction per article (the path of a
                reload), skipped above --tx-max-quads.
  ours-memory   our loader into an in-memory Store (when it fits: --memory-max-quads).
  rdflib        rdflib parsing the same N-Quads into a Dataset (the Python user's route), skipped above
                --rdflib-max-quads, where it would not finish in reasonable time.

Ratios are our rate over theirs (quads/s): "ours / bulk_load" 0.5 means half the limit."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import CORPUS_FILE, corpus_meta

ROOT = Path(__file__).resolve().parent.parent


def _peak_mib(who=resource.RUSAGE_SELF) -> float:
    """RSS high-water mark in MiB (of this process, or of the largest child it waited for)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def _cpu() -> float:
    """CPU seconds of this process (all its threads) and of its finished children."""
    return sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    return path


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


# --- the phases, each run in its own process ----------------------------------------------------


def phase_ours(corpus: Path, work: Path, memory: bool = False, bulk: bool | None = None) -> dict:
    from kg.loading.load import load
    from kg.storage.opening import open_store

    target = ":memory:" if memory else _fresh(work / ("store-ours" if bulk is None else "store-ours-tx"))
    t0 = time.perf_counter()
    store = open_store(target)
    report = load(store, [corpus], bulk=bulk, optimize=False)  # the load alone, beside bulk_load; compaction apart
    store.flush() if not memory else None
    seconds = time.perf_counter() - t0
    peak, workers_peak, cpu = _peak_mib(), _peak_mib(resource.RUSAGE_CHILDREN), _cpu()
    # queryable: the canned ceasefires query answers
    from kg.querying.catalogue import catalogue, run
    rows = len(list(run(store, catalogue()["ceasefires"], {"place": "homs"})))
    quads = len(store)
    out = {"seconds": seconds, "quads": quads, "peak_mib": peak, "worker_peak_mib": workers_peak, "cpu_s": round(cpu, 1),
           "steps_s": {k: round(v, 2) for k, v in report.seconds.items()}, "bulk": report.bulk,
           "ceasefires_in_homs": rows, "articles": len(report.articles)}
    if not memory:
        out["store_bytes"] = _du(Path(target))
    return out


def phase_dump(work: Path) -> dict:
    from pyoxigraph import RdfFormat, Store

    store = Store.read_only(str(work / "store-ours"))
    t0 = time.perf_counter()
    store.dump(str(work / "ours.nq"), RdfFormat.N_QUADS)
    return {"seconds": time.perf_counter() - t0, "bytes": (work / "ours.nq").stat().st_size}


def _baseline(target: Path, fill) -> dict:
    """Time `fill(store)` into a new on-disk store at `target`, flushed; the store is deleted after."""
    from pyoxigraph import Store

    target = _fresh(target)
    t0 = time.perf_counter()
    store = Store(str(target))
    fill(store)
    store.flush()
    seconds = time.perf_counter() - t0
    peak, cpu = _peak_mib(), _cpu()
    quads = len(store)
    del store  # closed before its folder goes
    shutil.rmtree(target)
    return {"seconds": seconds, "quads": quads, "peak_mib": peak, "cpu_s": round(cpu, 1)}


def phase_bulk_load(work: Path, lenient: bool = False) -> dict:
    from pyoxigraph import RdfFormat

    return _baseline(work / "store-bulk", lambda store: store.bulk_load(
        path=str(work / "ours.nq"), format=RdfFormat.N_QUADS, lenient=lenient))


def phase_extend(work: Path, batch: int = 1000) -> dict:
    from pyoxigraph import RdfFormat, parse

    def fill(store) -> None:  # transactions of `batch` quads
        chunk = []
        with open(work / "ours.nq", "rb") as f:
            for quad in parse(f, RdfFormat.N_QUADS):
                chunk.append(quad)
                if len(chunk) >= batch:
                    store.extend(chunk)
                    chunk = []
        if chunk:
            store.extend(chunk)

    return {**_baseline(work / "store-extend", fill), "batch": batch}


def phase_rdflib(work: Path) -> dict:
    import rdflib

    t0 = time.perf_counter()
    ds = rdflib.Dataset()
    ds.parse(str(work / "ours.nq"), format="nquads")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "quads": len(ds), "peak_mib": _peak_mib(), "cpu_s": round(_cpu(), 1)}


PHASES = {"ours": lambda a: phase_ours(a.corpus, a.work),
          "ours-tx": lambda a: phase_ours(a.corpus, a.work, bulk=False),
          "ours-memory": lambda a: phase_ours(a.corpus, a.work, memory=True),
          "dump": lambda a: phase_dump(a.work),
          "bulk_load": lambda a: phase_bulk_load(a.work),
          "bulk_load-lenient": lambda a: phase_bulk_load(a.work, lenient=True),
          "extend": lambda a: phase_extend(a.work),
          "rdflib": lambda a: phase_rdflib(a.work)}


def _run_phase(name: str, corpus: Path, work: Path) -> dict:
    """Run one phase in a new interpreter; its last stdout line is the JSON result."""
    cmd = [sys.executable, "-m", "bench.load", str(corpus), "--work", str(work), "--phase", name]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        raise RuntimeError(f"phase {name} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result.get("quads") and result.get("seconds"):
        result["quads_per_s"] = round(result["quads"] / result["seconds"])
    result["seconds"] = round(result["seconds"], 2)
    return result


def bench(corpus: Path, work: Path, rdflib_max_quads: int = 2_000_000, tx_max_quads: int = 2_000_000,
          memory_max_quads: int = 20_000_000, extend_max_quads: int = 20_000_000, repeat: int = 1,
          keep: bool = True, log=print, phases: tuple | None = None) -> dict:
    """All phases on one corpus. The machine is shared and noisy: with repeat > 1, ours and bulk_load
    run that many times each, alternating, and the fastest run of each counts (all are listed)."""
    work.mkdir(parents=True, exist_ok=True)
    meta = corpus_meta(corpus)
    (work / CORPUS_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")  # for bench.queries
    results: dict = {"corpus": str(corpus), "articles": sum(1 for f in corpus.glob("*.yaml")) - 1,
                     "generator": meta}
    order = ["ours", "dump", "bulk_load", "bulk_load-lenient"]
    order += ["ours", "bulk_load"] * (repeat - 1)
    order += ["extend", "ours-tx", "ours-memory", "rdflib"]
    order = [name for name in order if phases is None or name in phases]
    for name in order:
        if name in results and name in ("ours", "bulk_load", "bulk_load-lenient"):
            again = _run_phase(name, corpus, work)
            log(f"  {name:<18} {json.dumps(again)}")
            runs = results[name].setdefault("runs_s", [results[name]["seconds"]]) + [again["seconds"]]
            if again["seconds"] < results[name]["seconds"]:
                results[name] = again
            results[name]["runs_s"] = runs
            continue
        quads = results.get("ours", {}).get("quads", 0)
        limit = {"rdflib": rdflib_max_quads, "ours-tx": tx_max_quads, "ours-memory": memory_max_quads,
                 "extend": extend_max_quads}.get(name)
        if limit is not None and quads > limit:
            results[name] = {"skipped": f"{quads} quads > {limit}"}
            log(f"  {name:<18} skipped ({quads} quads > --{name.replace('ours-', '')}-max-quads {limit})")
            continue
        results[name] = _run_phase(name, corpus, work)
        log(f"  {name:<18} {json.dumps(results[name])}")
    ours = results["ours"]
    results["ratios"] = {k: round(ours["quads_per_s"] / results[k]["quads_per_s"], 2)
                         for k in ("bulk_load", "bulk_load-lenient", "extend", "ours-tx", "ours-memory", "rdflib")
                         if "quads_per_s" in results.get(k, {})}
    if not keep:
        (work / "ours.nq").unlink(missing_ok=True)
    return results


def table(all_results: list[dict]) -> str:
    """A markdown table: one row per corpus size."""
    head = ("| articles | quads | ours (s) | ours quads/s | peak RSS ours | bulk_load quads/s | ours / bulk_load "
            "| ours / bulk_load (lenient) | extend quads/s | ours / extend | ours-tx quads/s | rdflib quads/s "
            "| ours / rdflib | peak RSS bulk_load |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]

    def rate(r, k):
        return f"{r[k]['quads_per_s']:,}" if "quads_per_s" in r.get(k, {}) else "—"

    for r in all_results:
        ours, ratios = r["ours"], r["ratios"]
        lines.append(f"| {r['articles']:,} | {ours['quads']:,} | {ours['seconds']} | {ours['quads_per_s']:,} "
                     f"| {ours['peak_mib']:,} MiB | {rate(r, 'bulk_load')} | {ratios.get('bulk_load', '—')}× "
                     f"| {ratios.get('bulk_load-lenient', '—')}× | {rate(r, 'extend')} | {ratios.get('extend', '—')}× "
                     f"| {rate(r, 'ours-tx')} | {rate(r, 'rdflib')} | {ratios.get('rdflib', '—')}× "
                     f"| {r.get('bulk_load', {}).get('peak_mib', '—')} MiB |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, nargs="+", help="corpus folder(s) made by bench.generate")
    ap.add_argument("--work", type=Path, default=None, help="where stores and the N-Quads go (default: bench/out/work-<corpus>)")
    ap.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    ap.add_argument("--rdflib-max-quads", type=int, default=2_000_000)
    ap.add_argument("--tx-max-quads", type=int, default=2_000_000)
    ap.add_argument("--memory-max-quads", type=int, default=20_000_000)
    ap.add_argument("--extend-max-quads", type=int, default=20_000_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs of ours and of bulk_load, alternating; the best counts")
    ap.add_argument("--json", type=Path, default=None, help="write all results here")
    ap.add_argument("--phases", nargs="+", choices=sorted(PHASES), default=None,
                    help="run only these phases (e.g. --phases ours: our loader alone, no baselines)")
    args = ap.parse_args(argv)
    if args.phase:
        args.corpus, args.work = args.corpus[0], args.work
        print(json.dumps(PHASES[args.phase](args)))
        return
    results = []
    for corpus in args.corpus:
        work = args.work if args.work and len(args.corpus) == 1 else ROOT / "bench" / "out" / f"work-{corpus.name}"
        print(f"{corpus}:", file=sys.stderr)
        results.append(bench(corpus, work, args.rdflib_max_quads, args.tx_max_quads, args.memory_max_quads,
                             args.extend_max_quads, args.repeat, log=lambda s: print(s, file=sys.stderr),
                             phases=tuple(args.phases) if args.phases else None))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
