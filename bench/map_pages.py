"""The map's queries as /explore and /api/event_map answer them (issue 17), in process on the on-disk store:
event_map a page at a time (kg.querying.keyset: keys kept, or computed anew as after a write) in the
whole world and in a city-sized box, and the aggregates whole.

    python -m bench.map_pages WORK... [--budget 3] [--only TEXT...] [--json FILE]

Each WORK folder is what bench.load leaves (`store-ours`, `corpus.json`); the smallest first (the
last column is each size's time over the first's). Run under `flock /tmp/bench.lock`."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from pyoxigraph import Store

from bench.generate import corpus_meta
from bench.queries import PAGE, map_cases
from kg.executor.limits import Context, Limits
from kg.namespaces import Iris
from kg.querying import keyset
from kg.querying.catalogue import bindings, catalogue, run
from kg.querying.sparql import plain


def cases(work: Path) -> list[tuple[str, str, dict, str]]:
    """(label, query, parameters, how): how is "first"/"later" page with "kept"/"new" keys, or "whole"."""
    meta = corpus_meta(work)
    box = next({k: v for k, v in params.items() if not k.startswith("@")}  # bench.queries' own page marks
               for _, name, params, _ in map_cases(meta["seed"], meta["world"]) if name == "event_map" and "south" in params)
    out = []
    for where, params in (("world", {}), ("box of Homs city", box)):
        for how in ("first, kept", "later, kept", "first, new"):
            out.append((f"event_map, {where}, {how.replace(', ', ' page, ')} keys", "event_map", params, how))
    for name in ("event_map_counts", "event_map_places", "event_map_months"):
        out.append((f"{name}, world", name, {}, "whole"))
        if name != "event_map_counts":
            out.append((f"{name}, 2014", name, {"from": "2014-01-01", "to": "2014-12-31"}, "whole"))
        out.append((f"{name}, box of Homs city", name, box, "whole"))
    return out


def runner(store: Store, name: str, params: dict, how: str):
    q = catalogue()[name]
    iris = Iris()
    if how == "whole":
        return lambda: sum(1 for _ in run(store, q, params, iris))
    bound = bindings(store, iris, q, params)
    ctx = Context(store, Limits(timeout=3600), time.monotonic() + 3600)
    listed = keyset.key_list(store, name, q.keyset, bound, 0)
    after = keyset.encode_cursor(name, listed.keys[len(listed.keys) // 2], 0) if how.startswith("later") else None

    def page() -> int:
        if how.endswith("new"):
            keyset.forget()
        ctx.deadline = time.monotonic() + 3600
        found = keyset.fetch(ctx, name, q.sparql, q.keyset, bound, 0, PAGE, after)
        json.dumps([{c: plain(t) for c, t in zip(found.columns, row)} for row in found.rows[:PAGE]])
        return len(found.rows[:PAGE])
    return page


def timed(fn, budget: float, min_runs: int = 3, max_runs: int = 20) -> dict:
    times, rows = [], 0
    while len(times) < max_runs and (len(times) < min_runs or sum(times) < budget):
        t0 = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - t0)
        if len(times) == 1 and times[0] > budget:
            break
    times.sort()
    return {"median_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] * 1000, 1),
            "runs": len(times), "rows": rows}


def bench(work: Path, budget: float, log=print, only: list[str] | None = None) -> dict:
    store = Store.read_only(str(work / "store-ours"))
    out = {"work": str(work), "cases": {}}
    keyset.forget()
    for label, name, params, how in cases(work):
        if only and not any(o in label for o in only):
            continue
        out["cases"][label] = r = timed(runner(store, name, params, how), budget)
        log(f"  {label:<52} {r['median_ms']:>9.1f} ms (p95 {r['p95_ms']:.1f}, {r['runs']} runs, {r['rows']} rows)")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("work", type=Path, nargs="+", help="work folders of bench.load (smallest first)")
    ap.add_argument("--budget", type=float, default=3.0, help="seconds per case (default 3)")
    ap.add_argument("--only", nargs="+", default=None, metavar="TEXT", help="only the cases whose label has one of these")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    results = []
    for work in args.work:
        print(f"{work}:", file=sys.stderr)
        results.append(bench(work, args.budget, log=lambda s: print(s, file=sys.stderr), only=args.only))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    head = "| case | " + " | ".join(Path(r["work"]).name for r in results) + \
        "".join(f" | {Path(r['work']).name} / {Path(results[0]['work']).name}" for r in results[1:]) + " |"
    print(head + "\n|" + "---|" * (head.count("|") - 1))
    for label in results[0]["cases"]:
        cells = [f"{r['cases'][label]['median_ms']:,.0f} ({r['cases'][label]['p95_ms']:,.0f}) ms, "
                 f"{r['cases'][label]['rows']} rows" for r in results]
        base = results[0]["cases"][label]["median_ms"]
        cells += [f"{r['cases'][label]['median_ms'] / base:.1f}×" for r in results[1:]]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
