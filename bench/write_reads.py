"""Light queries during a write (issue 15, item 7 (d); figures in bench/HARDENING.md): a `kg serve`
with a write token on a new store of the seeds; one client sends a light query at a time, idle and
then while a SPARQL update inserting 216,000 triples runs; p50/p99 and failures of each phase.

    python -m bench.write_reads [--queries 300]"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.processes import free_port, kg_command, running

TOKEN = "bench-token"
LIGHT = {"query": "ASK { ?s ?p ?o }"}
UPDATE = ("INSERT { GRAPH <https://example.org/bulk> { ?x <https://example.org/p> ?y } } WHERE { "
          + " ".join(f"VALUES ?{v} {{ {' '.join(str(i) for i in range(1, 61))} }}" for v in "abc")
          + ' BIND(IRI(CONCAT("https://example.org/n/", STR(?a), "-", STR(?b))) AS ?x) BIND(?c AS ?y) }')


def _light(client: httpx.Client, url: str) -> tuple[float, int]:
    t = time.perf_counter()
    r = client.get(f"{url}/sparql", params=LIGHT, headers={"Accept": "application/sparql-results+json"})
    return (time.perf_counter() - t) * 1000, r.status_code


def _summary(name: str, samples: list[tuple[float, int]]) -> str:
    ms = sorted(m for m, _ in samples)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    failures = sum(1 for _, s in samples if s != 200)
    return f"{name:<14} n={len(ms):<5} p50={statistics.median(ms):7.1f} ms  p99={p99:7.1f} ms  failures={failures}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Light queries idle and during a write.")
    parser.add_argument("--queries", type=int, default=300, help="idle queries")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--store",
                   str(Path(tmp) / "kg-store"), "--write-token", TOKEN, "--log-level", "warning"]
        with running(command, f"{url}/sparql", Path(tmp) / "serve.log"), httpx.Client(timeout=120) as client:
            idle = [_light(client, url) for _ in range(args.queries)]
            done: dict = {}

            def write():
                t = time.perf_counter()
                r = httpx.post(f"{url}/sparql", content=UPDATE.encode(), timeout=600,
                               headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
                done.update(status=r.status_code, seconds=time.perf_counter() - t)

            writer = threading.Thread(target=write)
            writer.start()
            during = []
            while writer.is_alive():
                during.append(_light(client, url))
            writer.join()
        print(_summary("idle", idle))
        print(_summary("during write", during))
        print(f"the write: status {done.get('status')}, {done.get('seconds', 0):.1f} s")


if __name__ == "__main__":
    main()
