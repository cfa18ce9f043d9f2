"""Drive a running `kg serve` with a bounded mix of canned and SPARQL queries and report errors,
throughput and latency percentiles (issue 4, "under load").

    python -m bench.serve_load                       # starts its own server over the seeds, 60 s, 32 clients
    python -m bench.serve_load --seconds 20 --clients 8
    python -m bench.serve_load --url http://127.0.0.1:8000   # an already running server (loopback only)
    python -m bench.serve_load --store bench/out/store-1k --no-load   # a bigger store

Loopback only: the script refuses any other address. It stops by itself after --seconds (and at
most --max-requests). Every query of the mix is one that answers 200 on the seeds; anything else
(a 4xx, a 5xx, a transport error, a timeout) counts as an error. The summary is printed as a
table and, with --json, as JSON."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

from bench.processes import free_port, kg_command, running

ROOT = Path(__file__).resolve().parent.parent
HOMS = "https://w3id.org/homs-kg/place/homs"
TRUCE = "https://w3id.org/homs-kg/agreement/a002-syria-direct-fall-of-homs/old-homs-truce"

# (weight, kind, path, params): canned queries with their parameters, and SPARQL queries
MIX = [
    (6, "canned", "/api/ceasefires", {"place": "homs"}),
    (3, "canned", "/api/ceasefires", {"place": "Bab Amr"}),
    (3, "canned", "/api/events_in_place", {"place": "homs", "from": "2014-01-01", "to": "2014-12-31"}),
    (3, "canned", "/api/timeline", {"place": "homs"}),
    (2, "canned", "/api/casualties_in_place", {"place": "homs"}),
    (2, "canned", "/api/places", {"limit": "100"}),
    (2, "canned", "/api/actors", {}),
    (2, "canned", "/api/agreements", {}),
    (2, "canned", "/api/conflicting_figures", {}),
    (2, "canned", "/api/entity", {"entity": HOMS}),
    (2, "canned", "/api/sources", {"fact": TRUCE}),
    (2, "canned", "/api/ceasefires.csv", {"place": "homs"}),
    (5, "sparql", "/sparql", {"query": "SELECT ?label WHERE { <place/homs> rdfs:label ?label }"}),
    (4, "sparql", "/sparql", {"query": "SELECT ?truce ?label WHERE { ?truce a hk:Ceasefire ; hk:locatedIn <place/homs> ; "
                                       "rdfs:label ?label }"}),
    (2, "sparql", "/sparql", {"query": "SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e a hk:Event ; a ?type } "
                                       "GROUP BY ?type ORDER BY DESC(?n) LIMIT 20"}),
    (2, "sparql", "/sparql", {"query": "ASK { <place/baba-amr> hk:partOf <place/homs> }"}),
    (2, "sparql", "/sparql", {"query": f"CONSTRUCT {{ <{TRUCE}> ?p ?o }} WHERE {{ <{TRUCE}> ?p ?o }}"}),
    (1, "sparql", "/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}),
]


def loopback_only(url: str) -> str:
    host = urlparse(url).hostname or ""
    try:
        ok = ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        ok = False
    if not ok:
        raise SystemExit(f"refusing {url}: this benchmark only drives servers on the loopback interface")
    return url.rstrip("/")


# --- a server of our own ---------------------------------------------------------------------------------


def seeded_store(folder: Path) -> Path:
    """The seeds loaded into a new on-disk store under `folder`."""
    from kg.loading.load import load
    from kg.namespaces import Iris
    from kg.paths import SEEDS
    from kg.storage.opening import open_store

    path = folder / "kg-store"
    store = open_store(path)
    load(store, [SEEDS], Iris())
    store.flush()
    del store
    return path


@contextlib.contextmanager
def server(store: Path | None = None, *args: str, log: Path | None = None):
    """`kg serve --no-load` on a free loopback port over `store` (default: a new store of the seeds in a
    temporary folder); yields its URL, and ends it after."""
    with contextlib.ExitStack() as stack:
        if store is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-bench-")))
            store = seeded_store(folder)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with running([*kg_command(), "serve", "--no-load", "--host", "127.0.0.1", "--port", str(port),
                      "--store", str(store), "--log-level", "warning", *args], f"{url}/sparql", log, cwd=ROOT):
            yield url


# --- the load -----------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def drive(url: str, seconds: float, clients: int, max_requests: int, seed: int = 4, timeout: float = 60) -> dict:
    rng = random.Random(seed)
    weights = [m[0] for m in MIX]
    results: list[tuple[str, int, float]] = []  # (kind, status or -1, seconds)
    errors: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(n: int, http: httpx.AsyncClient):
        local = random.Random(rng.random() + n)
        while time.monotonic() < deadline and len(results) < max_requests:
            _, kind, path, params = local.choices(MIX, weights)[0]
            start = time.perf_counter()
            try:
                r = await http.get(url + path, params=params)
                status = r.status_code
                await r.aread()
            except httpx.HTTPError as e:
                status = -1
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
            took = time.perf_counter() - start
            results.append((kind, status, took))
            if status != 200 and status != -1:
                errors[f"HTTP {status} {path}"] = errors.get(f"HTTP {status} {path}", 0) + 1

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    elapsed = time.perf_counter() - started
    ok = [t for _, s, t in results if s == 200]
    summary = {"url": url, "seconds": round(elapsed, 1), "clients": clients, "requests": len(results),
               "errors": sum(1 for _, s, _ in results if s != 200), "error_kinds": errors,
               "throughput_rps": round(len(results) / elapsed, 1)}
    for name, sample in (("all", ok), ("canned", [t for k, s, t in results if s == 200 and k == "canned"]),
                         ("sparql", [t for k, s, t in results if s == 200 and k == "sparql"])):
        summary[name] = {"n": len(sample), "p50_ms": round(percentile(sample, 50) * 1000, 1),
                         "p99_ms": round(percentile(sample, 99) * 1000, 1),
                         "mean_ms": round(statistics.fmean(sample) * 1000, 1) if sample else None}
    return summary


def report(summary: dict) -> str:
    lines = [f"{summary['requests']} requests in {summary['seconds']} s from {summary['clients']} clients "
             f"({summary['throughput_rps']} req/s); errors: {summary['errors']} {summary['error_kinds'] or ''}",
             f"{'':8}{'n':>8}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}"]
    for name in ("all", "canned", "sparql"):
        s = summary[name]
        lines.append(f"{name:8}{s['n']:>8}{s['p50_ms']:>10}{s['p99_ms']:>10}{s['mean_ms'] or '':>10}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="a running server on the loopback interface (default: start one)")
    ap.add_argument("--store", type=Path, help="the store our own server serves (default: the seeds, in a temp folder)")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--max-requests", type=int, default=1_000_000)
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `kg serve` option (repeatable)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON too")
    args = ap.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 0 < args.clients <= 256:
        raise SystemExit("--seconds in (0, 600], --clients in (0, 256]")
    with contextlib.ExitStack() as stack:
        url = loopback_only(args.url) if args.url else stack.enter_context(server(args.store, *args.serve_arg))
        summary = asyncio.run(drive(url, args.seconds, args.clients, args.max_requests))
    summary["command"] = "python -m bench.serve_load " + " ".join(argv if argv is not None else sys.argv[1:])
    summary["machine"] = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    print(report(summary))
    if args.json:
        print(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    main()
