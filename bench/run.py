"""The whole benchmark in one command: generate the corpora (unless they exist), measure the load
against Oxigraph's own bulk_load / extend and rdflib, then every canned query on disk and in memory.

    python -m bench.run --sizes 1000 10000 [--repeat 2] [--out bench/out]

Writes OUT/corpus-<n>/ (the corpora), OUT/work-corpus-<n>/ (stores and N-Quads), OUT/results.json
(every figure) and prints the two markdown tables of bench/RESULTS.md. Everything under bench/out/
is git-ignored. Disk: about 0.7 GB per 1,000 articles while it runs (store, N-Quads, loader spool)."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from bench import generate, load, queries

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    import os

    import pyoxigraph
    import rdflib
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__,
            "system": platform.platform()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--repeat", type=int, default=1, help="runs of ours and bulk_load, alternating (best counts)")
    ap.add_argument("--jobs", type=int, default=2, help="processes generating a corpus")
    ap.add_argument("--budget", type=float, default=5.0, help="seconds per query and store")
    args = ap.parse_args(argv)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    results = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "load": [], "queries": []}
    for n in args.sizes:
        corpus = args.out / f"corpus-{n // 1000}k" if n % 1000 == 0 else args.out / f"corpus-{n}"
        if not (corpus / generate.CORPUS_FILE).exists():
            log(f"generating {corpus}")
            results.setdefault("generate", []).append(generate.generate(corpus, n, jobs=args.jobs))
        work = args.out / f"work-{corpus.name}"
        log(f"load: {corpus}")
        results["load"].append(load.bench(corpus, work, repeat=args.repeat, log=log))
        log(f"queries: {work}")
        results["queries"].append(queries.bench(work, budget=args.budget, log=log))
        (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(load.table(results["load"]))
    print()
    print(queries.table(results["queries"]))


if __name__ == "__main__":
    main()
