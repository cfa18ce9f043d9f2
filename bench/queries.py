"""Each canned query's latency in process, on the on-disk store and on an in-memory copy of it.

    python -m bench.queries bench/out/work-corpus-1k bench/out/work-corpus-10k [--budget 5] [--json FILE]
    python -m bench.queries WORK --against /tmp/before/queries   # a rewrite: before and after, same run
    python -m bench.queries SMALL LARGE --alternate 5   # the two sizes alternated, case by case

A WORK folder is what bench.load leaves: `store-ours` (the on-disk store our loader built) and
`ours.nq` (its quads, from which the in-memory Store is bulk-loaded). Every query runs through
kg.querying.catalogue.run, as the API and the CLI run it (parameters resolved and bound as RDF terms), and its
rows are read to the end; the whole-graph queries also a page at a time (`paged_cases`), as
kg.querying.answers pages them. Each (query, parameters) runs once to warm up, then until `--budget`
seconds or `--max-runs` runs have passed (at least `--min-runs`; for a query slower than the
budget, the warm-up run is the one measurement); we report the median and p95.

The parameters are the same at every size: the generator's world (places, actors) does not depend
on the number of articles, and article i is the same article in every corpus."""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from bench.generate import SEED, SENTINEL, build_world, corpus_meta
from kg.executor.limits import Context, Limits
from kg.namespaces import SPARQL_PREFIXES, Iris
from kg.querying import keyset
from kg.querying.catalogue import bindings, catalogue, run
from kg.querying.sparql import plain


def cases(store: Store, iris: Iris, seed: int = SEED, world_name: str = "full") -> list[tuple[str, str, dict]]:
    """(label, canned query, parameters): every canned query, the place ones at several scales."""
    world = build_world(seed, world_name)
    # the busiest neighbourhood of Homs in the generator's skew, and its district
    homs_hoods = [(w, n) for w, n in zip(world.place_weights, world.neighbourhoods)
                  if any(d.id == n.parent and d.parent == "homs" for d in world.districts)]
    hood = max(homs_hoods, key=lambda x: x[0])[1]
    first = next(iter(store.query(SPARQL_PREFIXES + """
        SELECT ?event ?agreement WHERE {
          ?article dcterms:identifier ?id FILTER(STRSTARTS(?id, "s000000-"))
          ?event prov:wasDerivedFrom ?article ; a hk:Event .
          OPTIONAL { ?agreement prov:wasDerivedFrom ?article ; a hk:Agreement }
        } ORDER BY ?event LIMIT 1""", use_default_graph_as_union=True)))
    event = first["event"].value
    fact = first["agreement"].value if first["agreement"] else event
    return [
        ("ceasefires (city: homs)", "ceasefires", {"place": "homs"}),
        (f"ceasefires (neighbourhood: {hood.id})", "ceasefires", {"place": hood.id}),
        (f"ceasefires (sentinel: {SENTINEL}, same truces at every size)", "ceasefires", {"place": SENTINEL}),
        ("ceasefires (governorate: homs-governorate)", "ceasefires", {"place": "homs-governorate"}),
        ("agreements (all)", "agreements", {}),
        ("events_in_place (homs, one month)", "events_in_place", {"place": "homs", "from": "2014-05-01", "to": "2014-05-31"}),
        (f"events_in_place ({hood.id}, all dates)", "events_in_place", {"place": hood.id}),
        (f"events_in_place (sentinel: {SENTINEL}, all dates)", "events_in_place", {"place": SENTINEL}),
        (f"timeline ({hood.id})", "timeline", {"place": hood.id}),
        (f"timeline (sentinel: {SENTINEL})", "timeline", {"place": SENTINEL}),
        (f"casualties_in_place ({hood.id})", "casualties_in_place", {"place": hood.id}),
        (f"casualties_in_place (sentinel: {SENTINEL})", "casualties_in_place", {"place": SENTINEL}),
        ("casualties_of_event (article 0)", "casualties_of_event", {"event": event}),
        ("conflicting_figures (all)", "conflicting_figures", {}),
        ("event_actors (article 0)", "event_actors", {"event": event}),
        (f"entity ({hood.id})", "entity", {"entity": iris.place(hood.id).value}),
        (f"entity (sentinel: {SENTINEL})", "entity", {"entity": iris.place(SENTINEL).value}),
        ("sources (article 0)", "sources", {"fact": fact}),
        ("places (all)", "places", {}),
        ("actors (all)", "actors", {}),
        ("event_places (article 0)", "event_places", {"event": event}),
        (f"place_events ({hood.id})", "place_events", {"place": hood.id}),
        (f"place_events (sentinel: {SENTINEL})", "place_events", {"place": SENTINEL}),
        (f"mentions ({hood.id})", "mentions", {"entity": iris.place(hood.id).value}),
        ("casualties_of_category (civilians)", "casualties_of_category", {"category": "civilians"}),
        (f"control_at ({hood.id}, 2014-04-15)", "control_at", {"place": hood.id, "date": "2014-04-15"}),
        (f"control_timeline ({hood.id})", "control_timeline", {"place": hood.id}),
        (f"control_timeline (sentinel: {SENTINEL})", "control_timeline", {"place": SENTINEL}),
        # the whole-graph exports (ACLED/UCDP CSV) and lists
        ("agreement_links (all)", "agreement_links", {}),
        ("positions (all)", "positions", {}),
        ("supports (all)", "supports", {}),
        ("conflict_actors (all)", "conflict_actors", {}),
        ("conflict_events (all)", "conflict_events", {}),
        ("conflict_figures (all)", "conflict_figures", {}),
    ]


def every_case(store: Store, iris: Iris, seed: int = SEED, world_name: str = "full") -> list[tuple[str, str, dict, int | None]]:
    """(label, canned query, parameters, rows read: None for all): what `bench` times, every canned
    query at least once (tests/bench/test_bench_every_query.py checks it)."""
    return ([(*c, None) for c in cases(store, iris, seed, world_name) + paged_cases()]
            + map_cases(seed, world_name))


def map_cases(seed: int = SEED, world_name: str = "full") -> list[tuple[str, str, dict, int | None]]:
    """(label, canned query, parameters, rows read): the map's queries (issue 17) as /explore asks
    them: the aggregates whole, event_map a page at a time by key (as /api/event_map pages it), in
    the whole world and in a city-sized box."""
    world = build_world(seed, world_name)
    lat, lon = next(p for p in world.places if p.id == "homs").coords
    box = {"south": round(lat - 0.08, 4), "west": round(lon - 0.08, 4), "north": round(lat + 0.08, 4),
           "east": round(lon + 0.08, 4)}
    return [
        *((f"event_map, {where} page ({keys} keys)", "event_map", {"@page": where, "@keys": keys}, None)
          for where in ("first", "later") for keys in ("kept", "new")),
        *((f"event_map (box: Homs city), first page ({keys} keys)", "event_map",
           {**box, "@page": "first", "@keys": keys}, None) for keys in ("kept", "new")),
        ("event_map_counts (all)", "event_map_counts", {}, None),
        ("event_map_places (all)", "event_map_places", {}, None),
        ("event_map_places (box: Homs city)", "event_map_places", box, None),
        ("event_map_months (all)", "event_map_months", {}, None),
        ("event_map_months (box: Homs city)", "event_map_months", box, None),
    ]


PAGE = 100  # rows: the API's default page


def paged_cases() -> list[tuple[str, str, dict]]:
    """The whole-graph queries a page at a time (kg.querying.keyset), as /api/<name> answers them:
    the first page and a later one (after the middle key), with the sorted keys kept from an earlier
    request ("keys kept": the steady state) and computed anew ("new keys": the first request after a
    write, when a new generation of query workers has none)."""
    out = []
    for name in ("agreements", "places", "actors", "conflicting_figures"):
        for where in ("first", "later"):
            for keys in ("kept", "new"):
                out.append((f"{name}, {where} page ({keys} keys)", name, {"@page": where, "@keys": keys}))
    return out


def _paged(store: Store, name: str, params: dict, queries: Path | None = None,
           rows: list | None = None) -> Callable[[], int]:
    """One page of `name` (of the folder `queries`, else the canned queries) as kg.querying.answers
    runs it (rows read and written as JSON); the page's rows appended to `rows` when given.
    `params`: "@page" (first, later), "@keys" (kept, new) and the query's own parameters."""
    q = catalogue(queries)[name] if queries else catalogue()[name]
    where, keys = params["@page"], params["@keys"]
    bound = bindings(store, Iris(), q, {k: v for k, v in params.items() if not k.startswith("@")})
    ctx = Context(store, Limits(timeout=3600), time.monotonic() + 3600)
    after = None
    listed = keyset.key_list(store, name, q.keyset, bound, 0)  # kept for "kept keys", dropped before each "new keys" run
    if where == "later":
        after = keyset.encode_cursor(name, listed.keys[len(listed.keys) // 2], 0)

    def page() -> int:
        if keys == "new":
            keyset.forget()
        ctx.deadline = time.monotonic() + 3600
        found = keyset.fetch(ctx, name, q.sparql, q.keyset, bound, 0, PAGE, after)
        columns = found.columns
        body = json.dumps([{c: plain(t) for c, t in zip(columns, row)} for row in found.rows[:PAGE]])
        if rows is not None:
            rows[:] = [tuple(row) for row in found.rows[:PAGE]]
        return len(found.rows[:PAGE]) if body else 0
    return page


def time_query(store: Store, name: str, params: dict, budget: float, min_runs: int, max_runs: int,
               queries: Path | None = None, page: int | None = None) -> dict:
    """The query `name` of the catalogue (of the folder `queries`, else the canned queries) timed, its
    rows read to the end (or the first `page` rows)."""
    q = catalogue(queries)[name] if queries else catalogue()[name]
    iris = Iris()
    paged = _paged(store, name, params, queries) if "@page" in params else None

    def once() -> tuple[float, int]:
        t0 = time.perf_counter()
        rows = paged() if paged else sum(1 for _ in itertools.islice(run(store, q, params, iris), page))
        return time.perf_counter() - t0, rows

    first, rows = once()  # warm-up (also tells how long one run takes)
    times, spent = [], 0.0
    if first > budget:  # a query slower than the whole budget: its warm-up run is the measurement
        times, spent = [first], first
        min_runs = 1
    while len(times) < max_runs and (len(times) < min_runs or spent < budget):
        t, _ = once()
        times.append(t)
        spent += t
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {"median_ms": round(statistics.median(times) * 1000, 2), "p95_ms": round(p95 * 1000, 2),
            "runs": len(times), "rows": rows, "first_ms": round(first * 1000, 2)}


def bench(work: Path, budget: float = 5.0, min_runs: int = 3, max_runs: int = 50, memory: bool = True,
          log=print, only: list[str] | None = None, against: Path | None = None) -> dict:
    iris = Iris()
    disk = Store.read_only(str(work / "store-ours"))
    stores = {"disk": disk}
    if memory:
        t0 = time.perf_counter()
        mem = Store()
        nq = work / "ours.nq"
        if nq.exists():
            mem.bulk_load(path=str(nq), format=RdfFormat.N_QUADS, lenient=True)
        else:
            mem.bulk_extend(disk)
        stores["memory"] = mem
        log(f"  in-memory copy: {len(mem):,} quads in {time.perf_counter() - t0:.1f} s")
    out = {"work": str(work), "quads": len(disk), "queries": {}}
    meta = corpus_meta(work)
    for label, name, params, page in every_case(disk, iris, meta["seed"], meta["world"]):
        if only and not any(o in label for o in only):
            continue
        out["queries"][label] = row = {}
        for kind, store in stores.items():
            if against:  # the same query from another folder, in the same run, just before; and its rows
                row[f"{kind}, before"] = time_query(store, name, params, budget, min_runs, max_runs, against, page)
                if "@page" in params:  # a page: its rows, not the whole answer (minutes at 10k)
                    pages = [[], []]
                    for rows, queries in zip(pages, (against, None)):
                        _paged(store, name, params, queries, rows)()
                    row[f"{kind}, same rows"] = pages[0] == pages[1]
                else:
                    row[f"{kind}, same rows"] = ([tuple(r) for r in run(store, catalogue(against)[name], params, iris)]
                                                 == [tuple(r) for r in run(store, catalogue()[name], params, iris)])
            row[kind] = time_query(store, name, params, budget, min_runs, max_runs, page=page)
        log(f"  {label:<52} " + "  ".join(f"{k}: {v['median_ms']:>9.2f} ms (p95 {v['p95_ms']:.2f}, {v['rows']} rows)"
                                           if isinstance(v, dict) else f"{k}: {v}" for k, v in row.items()))
    return out


def table(results: list[dict]) -> str:
    """Markdown: one row per query, median (p95) per size and store, then growth against the smallest."""
    sizes = [f"{r['quads']:,} quads" for r in results]
    head = "| query | " + " | ".join(f"disk {s} | memory {s}" for s in sizes)
    if len(results) > 1:
        head += " | " + " | ".join(f"disk ×, {s}" for s in sizes[1:])
    head += " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for label in results[0]["queries"]:
        cells = []
        for r in results:
            for kind in ("disk", "memory"):
                m = r["queries"].get(label, {}).get(kind)
                cells.append(f"{m['median_ms']:.1f} ({m['p95_ms']:.1f}) ms, {m['rows']} rows" if m else "—")
        base = results[0]["queries"][label]["disk"]["median_ms"]
        for r in results[1:]:
            m = r["queries"].get(label, {}).get("disk")
            cells.append(f"{m['median_ms'] / base:.1f}×" if m and base else "—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def before_after(result: dict) -> str:
    """Markdown: per case, the query of the --against folder (before) and the current one (after)."""
    lines = ["| query | rows | before, ms | after, ms | after ÷ before | same rows |", "|---|---|---|---|---|---|"]
    for label, row in result["queries"].items():
        b, a = row["disk, before"], row["disk"]
        lines.append(f"| {label} | {a['rows']} | {b['median_ms']:.1f} | {a['median_ms']:.1f} | "
                     f"{a['median_ms'] / b['median_ms']:.2f}× | {'yes' if row['disk, same rows'] else 'NO'} |")
    return "\n".join(lines)


def alternate(small: Path, large: Path, rounds: int, budget: float = 0.5, max_runs: int = 10,
              log=print, only: list[str] | None = None) -> dict:
    """Each case on both stores (on disk, open side by side), the sizes taking turns: `rounds` rounds,
    in each the case timed on the small store then on the large one (`budget` seconds or `max_runs`
    runs each, after a warm-up); the median of the rounds' medians. The size ratio then does not
    depend on the load drifting between a run's small half and its large half minutes later
    (bench/RESULTS.md, "Per-row cost at scale, second round")."""
    iris = Iris()
    works = (small, large)
    stores = [Store.read_only(str(w / "store-ours")) for w in works]
    cases = []
    for w, s in zip(works, stores):
        meta = corpus_meta(w)
        cases.append({c[0]: c[1:] for c in every_case(s, iris, meta["seed"], meta["world"])})
    out = {}
    for label in cases[0]:
        if only and not any(o in label for o in only):
            continue
        medians, rows = ([], []), [0, 0]
        for _ in range(rounds):
            for i, store in enumerate(stores):
                name, params, page = cases[i][label]
                r = time_query(store, name, params, budget, 1, max_runs, None, page)
                medians[i].append(r["median_ms"])
                rows[i] = r["rows"]
        out[label] = {"rows": rows, "median_ms": [round(statistics.median(m), 2) for m in medians]}
        a, b = out[label]["median_ms"]
        log(f"  {label:<52} {rows[0]:>7,} → {rows[1]:<7,} rows  {a:10.2f} → {b:10.2f} ms  {b / a:.2f}×")
    return out


def alternate_table(out: dict) -> str:
    lines = ["| query | rows, small → large | ms, small → large | time × |", "|---|---|---|---|"]
    for label, r in out.items():
        a, b = r["median_ms"]
        lines.append(f"| {label} | {r['rows'][0]:,} → {r['rows'][1]:,} | {a:,.1f} → {b:,.1f} | {b / a:.2f}× |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("work", type=Path, nargs="+", help="work folders of bench.load (smallest first)")
    ap.add_argument("--budget", type=float, default=5.0, help="seconds per query and store (default 5)")
    ap.add_argument("--min-runs", type=int, default=3)
    ap.add_argument("--max-runs", type=int, default=50)
    ap.add_argument("--no-memory", action="store_true", help="on-disk store only")
    ap.add_argument("--only", nargs="+", default=None, metavar="TEXT",
                    help="only the cases whose label contains one of these (e.g. sentinel)")
    ap.add_argument("--against", type=Path, default=None, metavar="DIR",
                    help="time the queries of DIR too (e.g. a copy of queries/ before a rewrite), on disk, "
                         "and compare their rows")
    ap.add_argument("--alternate", type=int, default=None, metavar="ROUNDS",
                    help="two work folders: each case on both, the sizes taking turns for ROUNDS rounds "
                         "(--budget seconds a turn, default 0.5)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.alternate:
        if len(args.work) != 2:
            ap.error("--alternate takes two work folders, the smaller first")
        out = alternate(*args.work, args.alternate, args.budget if args.budget != 5.0 else 0.5,
                        min(args.max_runs, 10), log=lambda s: print(s, file=sys.stderr), only=args.only)
        if args.json:
            args.json.write_text(json.dumps(out, indent=2))
        print(alternate_table(out))
        return
    results = []
    for work in args.work:
        print(f"{work}:", file=sys.stderr)
        results.append(bench(work, args.budget, args.min_runs, args.max_runs, not (args.no_memory or args.against),
                             log=lambda s: print(s, file=sys.stderr), only=args.only, against=args.against))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print("\n\n".join(before_after(r) for r in results) if args.against else table(results))


if __name__ == "__main__":
    main()
