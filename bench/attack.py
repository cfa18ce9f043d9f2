"""What a runaway query costs everyone else (issue 4), measured against real `kg serve` processes.

    python -m bench.attack                    # 15 s idle, 15 s under attack, limit 5 s, 4 clients
    python -m bench.attack --seconds 30 --limit 10 --clients 8 --attackers 2

1. Idle: `--clients` clients send light queries (canned and SPARQL) back to back; their latency.
2. Attack: the same, while `--attackers` clients each send a runaway query (a pure VALUES cross
   product, 10^10 solutions, which never touches the store) again as soon as the last one is
   answered. Each runaway must come back 503 at the limit; the report gives how long after the
   limit that 503 came, and the other clients' latency as a ratio of idle.
3. The executor's own cost: a light query in process (kg.executor.InlineExecutor) against the same
   query through a worker process (ProcessPool), and over HTTP against a server that evaluates
   in its own threads (`kg serve --isolation thread`).

Loopback only; every loop is bounded in time and count, and the servers are ended at the end."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.serve_load import percentile, seeded_store, server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(10)) + " }"
LIGHT = [("sparql-select", "/sparql", {"query": "SELECT ?label WHERE { <place/homs> rdfs:label ?label }"}),
         ("sparql-ask", "/sparql", {"query": "ASK { <place/baba-amr> hk:partOf <place/homs> }"}),
         ("canned-ceasefires", "/api/ceasefires", {"place": "homs"}),
         ("canned-conflicting-figures", "/api/conflicting_figures", {})]
MAX_REQUESTS = 200_000


def clients_run(url: str, clients: int, seconds: float) -> tuple[list[float], int]:
    """`clients` threads sending LIGHT queries for `seconds`: (latencies of 200s, errors)."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int):
        with httpx.Client(timeout=60) as http:
            i = n
            while time.monotonic() < deadline and len(latencies) < MAX_REQUESTS:
                _, path, params = LIGHT[i % len(LIGHT)]
                i += 1
                start = time.perf_counter()
                try:
                    ok = http.get(url + path, params=params).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - start
                with lock:
                    if ok:
                        latencies.append(took)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def attackers_run(url: str, attackers: int, stop: threading.Event, limit: float) -> list[tuple[int, float]]:
    """Runaway queries, back to back, until `stop`: [(status, seconds past the limit)]."""
    out, lock = [], threading.Lock()

    def attacker():
        with httpx.Client(timeout=limit * 4 + 30) as http:
            while not stop.is_set() and len(out) < 10_000:
                start = time.perf_counter()
                try:
                    status = http.get(f"{url}/sparql", params={"query": RUNAWAY}).status_code
                except httpx.HTTPError:
                    status = -1
                with lock:
                    out.append((status, time.perf_counter() - start - limit))

    threads = [threading.Thread(target=attacker) for _ in range(attackers)]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join()
    return out


def summary(latencies: list[float]) -> dict:
    return {"n": len(latencies), "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p95_ms": round(percentile(latencies, 95) * 1000, 1), "p99_ms": round(percentile(latencies, 99) * 1000, 1)}


def attack(url: str, clients: int, attackers: int, seconds: float, limit: float) -> dict:
    idle, idle_errors = clients_run(url, clients, seconds)
    stop = threading.Event()
    results: list = []
    runner = threading.Thread(target=lambda: results.extend(attackers_run(url, attackers, stop, limit)))
    runner.start()
    time.sleep(0.5)  # the attack is under way
    busy, busy_errors = clients_run(url, clients, seconds)
    stop.set()
    runner.join()
    past = [p for s, p in results if s == 503]
    out = {"idle": summary(idle), "attack": summary(busy), "errors": {"idle": idle_errors, "attack": busy_errors},
           "runaway": {"sent": len(results), "503": len(past), "other": sorted({s for s, _ in results if s != 503}),
                       "limit_to_503_ms": {"min": round(min(past) * 1000, 1) if past else None,
                                           "median": round(statistics.median(past) * 1000, 1) if past else None,
                                           "max": round(max(past) * 1000, 1) if past else None}}}
    out["ratio"] = {k: round(out["attack"][k] / out["idle"][k], 2) for k in ("p50_ms", "p95_ms", "p99_ms")}
    return out


def executor_overhead(store: Path, n: int = 500) -> dict:
    """Median latency of a light query in process vs through a worker process (no HTTP)."""
    from pyoxigraph import Store

    from kg.executor.inline import InlineExecutor
    from kg.executor.limits import Limits
    from kg.executor.pool import ProcessPool
    from kg.querying import answers
    from kg.querying.sparql import Dataset

    query = "SELECT ?label WHERE { <https://w3id.org/homs-kg/place/homs> rdfs:label ?label }"
    out = {}
    pool = ProcessPool(store, Limits(), size=2)
    try:
        for name, executor in (("in_process", InlineExecutor(Store.read_only(str(store)))), ("worker", pool)):
            for _ in range(20):
                executor.run(answers.sparql_query, query, Dataset(), None, None)
            times = []
            for _ in range(n):
                start = time.perf_counter()
                executor.run(answers.sparql_query, query, Dataset(), None, None)
                times.append(time.perf_counter() - start)
            out[name + "_median_ms"] = round(statistics.median(times) * 1000, 3)
    finally:
        pool.close()
    out["worker_overhead_ms"] = round(out["worker_median_ms"] - out["in_process_median_ms"], 3)
    return out


def http_overhead(store: Path, n: int = 300) -> dict:
    """Median latency over HTTP of light queries: worker processes vs the server's own threads."""
    out = {}
    for isolation in ("process", "thread"):
        with server(store, "--isolation", isolation) as url, httpx.Client(timeout=30) as http:
            for name, path, params in LIGHT:
                for _ in range(10):
                    http.get(url + path, params=params)
                times = []
                for _ in range(n // len(LIGHT)):
                    start = time.perf_counter()
                    assert http.get(url + path, params=params).status_code == 200
                    times.append(time.perf_counter() - start)
                out.setdefault(isolation, {})[name] = round(statistics.median(times) * 1000, 2)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=15, help="length of each phase (idle, attack)")
    ap.add_argument("--limit", type=float, default=5, help="the server's --query-timeout")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--attackers", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None, help="the server's --query-workers (default: its own)")
    ap.add_argument("--no-overhead", action="store_true", help="skip the executor overhead measurements")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not 0 < args.seconds <= 300 or not 0 < args.clients <= 64 or not 0 < args.attackers <= 8:
        raise SystemExit("--seconds in (0, 300], --clients in (0, 64], --attackers in (0, 8]")
    with tempfile.TemporaryDirectory(prefix="kg-attack-") as tmp:
        store = seeded_store(Path(tmp))
        serve_args = ["--query-timeout", str(args.limit)] + (["--query-workers", str(args.workers)] if args.workers else [])
        with server(store, *serve_args) as url:
            result = attack(url, args.clients, args.attackers, args.seconds, args.limit)
        if not args.no_overhead:
            result["executor"] = executor_overhead(store)
            result["http_median_ms"] = http_overhead(store)
    result["command"] = "python -m bench.attack " + " ".join(argv if argv is not None else sys.argv[1:])
    result["machine"] = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    i, a, r = result["idle"], result["attack"], result["runaway"]
    print(f"idle:   {i['n']} answers, p50 {i['p50_ms']} ms, p95 {i['p95_ms']} ms, p99 {i['p99_ms']} ms")
    print(f"attack: {a['n']} answers, p50 {a['p50_ms']} ms, p95 {a['p95_ms']} ms, p99 {a['p99_ms']} ms "
          f"(ratio p50 {result['ratio']['p50_ms']}, p95 {result['ratio']['p95_ms']}, p99 {result['ratio']['p99_ms']})")
    print(f"errors: {result['errors']}; runaway queries: {r['sent']} sent, {r['503']} answered 503, "
          f"limit -> 503 in {r['limit_to_503_ms']} ms")
    if "executor" in result:
        print(f"executor: {result['executor']}")
        print(f"http medians (ms): {result['http_median_ms']}")
    if args.json:
        print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
