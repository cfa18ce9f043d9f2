"""/sparql beside `oxigraph serve` (issue 17, part 5): requests/s, p50 and p99 at 16 clients (`wrk
--latency -t2 -c16`, loopback) of `kg serve`'s /sparql and `oxigraph serve-read-only
--union-default-graph` on the same store, and the CPU each request costs our server process and
its query workers.

    flock /tmp/bench.lock python -m bench.http_sparql                       # the 10k store, 5 s a run, 2 rounds
    python -m bench.http_sparql --store bench/out/work-corpus-1k/store-ours --seconds 2 --repeat 1
    python -m bench.http_sparql --serve-option=--query-workers=2             # a `kg serve` option
    python -m bench.http_sparql --compare main=/tmp/main-tree                  # also `kg serve` from another checkout
    python -m bench.http_sparql --variant "w2=--query-workers 2" --only point  # also this checkout with other options

The store is copied into `--work` once for each server (the original is never opened; its table
files are hard links when `--work` is on the same file system; copies found there from an earlier
run are used again). `--variant NAME=OPTIONS` serves one more copy with this checkout's `kg serve`
and those options, timed in the same rounds; `--only` keeps the cases whose name starts so.
`--compare NAME=TREE` serves a third copy with `kg serve` from another checkout of the repository
(PYTHONPATH=TREE; e.g. `git archive main | tar -x -C TREE`), timed in the same rounds: before and
after a change, beside Oxigraph, in one run. Cases (POST application/sparql-query, Accept:
application/sparql-results+json, the same text to both): `light`, a point lookup (one event's
triples) and `ASK {}`; `query-bound`, a join over one place's ceasefires (a few ms) and a count of
all ceasefires by type (~0.1 s at 10k). Each case runs on ours then on Oxigraph, for `--repeat`
rounds; the table gives the medians and OURS/OXIGRAPH. `cpu ms/req`: CPU seconds the server
process(es) and the query workers took during ours' runs, per answered request, read from /proc
(user + system; `cpu_of`)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import httpx

from bench.http import PREFIXES, RESULTS_JSON, rows_of, sparql_case, wrk
from bench.processes import free_port, kg_command, oxigraph_command, running

STORE_10K = Path("/work/bench-data/work-10k-v2/store-ours")
TICK = os.sysconf("SC_CLK_TCK")


def copy_of(store: Path, work: Path, name: str) -> Path:
    """A copy of `store` under `work` for server `name` (made once, used again by later runs): its
    table files (*.sst, never written again once made) hard links when `work` is on the same file
    system, every other file (LOCK, the manifest, the logs) a copy of its own."""
    target = work / f"store-{name}"
    if not (target / "CURRENT").exists():
        shutil.rmtree(target, ignore_errors=True)
        print(f"copying {store} to {target}", file=sys.stderr)

        def link_or_copy(src, dst):
            if src.endswith(".sst"):
                with contextlib.suppress(OSError):
                    return os.link(src, dst)
            return shutil.copy2(src, dst)

        shutil.copytree(store, target, copy_function=link_or_copy)
    return target


def cpu_of(process) -> tuple[float, float]:
    """CPU seconds (user + system, from /proc) of a server, and of its query workers: the server is
    `process` and those of its descendants that are not workers (`kg serve --server-processes N`,
    the prototype in bench/options-*.patch, runs N of them); the workers are the descendants running
    `kg.executor.*`, live, plus the children the server processes have reaped (killed workers)."""
    stats, children = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            pid = int(entry.name)
            stats[pid] = (fields, b"kg.executor." in cmdline)
            children.setdefault(int(fields[1]), []).append(pid)
    servers, workers, todo = [], [], [process.pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            (workers if stats[pid][1] else servers).append(pid)
            todo.extend(children.get(pid, []))
    own = sum((int(stats[p][0][11]) + int(stats[p][0][12])) / TICK for p in servers)
    reaped = sum((int(stats[p][0][13]) + int(stats[p][0][14])) / TICK for p in servers)
    return own, reaped + sum((int(stats[p][0][11]) + int(stats[p][0][12])) / TICK for p in workers)


def first(url: str, query: str) -> str:
    r = httpx.post(url + "/query", content=PREFIXES + query,
                   headers={"Content-Type": "application/sparql-query", "Accept": RESULTS_JSON}, timeout=120)
    return r.json()["results"]["bindings"][0]["x"]["value"]


def cases(ox_url: str) -> list:
    event = first(ox_url, "SELECT ?x WHERE { ?x a hk:Event ; hk:involves ?a ; hk:evidence ?e } ORDER BY ?x LIMIT 1")
    place = first(ox_url, "SELECT ?x WHERE { ?c a hk:Ceasefire ; hk:locatedIn ?x } ORDER BY ?x LIMIT 1")
    return [
        sparql_case("point lookup (one event's triples)", "light", f"SELECT ?p ?o WHERE {{ <{event}> ?p ?o }}"),
        sparql_case("ASK {}", "light", "ASK {}"),
        sparql_case("ceasefires in a place (join)", "query-bound",
                    f"SELECT ?a ?label ?quote WHERE {{ ?a hk:locatedIn <{place}> ; a hk:Ceasefire ; rdfs:label ?label ; "
                    "hk:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote }"),
        sparql_case("ceasefires by type (count)", "query-bound",
                    "SELECT ?type (COUNT(?a) AS ?n) WHERE { ?a a hk:Ceasefire ; a ?type } GROUP BY ?type ORDER BY DESC(?n)"),
    ]


def run(args) -> dict:
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    ours_servers = [("ours", None, []), *((n, t, []) for n, t in args.compare), *((n, None, o) for n, o in args.variant)]
    with contextlib.ExitStack() as stack:
        targets = {}  # name -> (url, process or None)
        for name, tree, options in ours_servers:
            port = free_port()
            cmd = [*kg_command(), "serve", "--store", str(copy_of(args.store, work, name)), "--no-load", "--host",
                   "127.0.0.1", "--port", str(port), "--log-level", "warning", *args.serve_option, *options]
            env = {"PYTHONPATH": str(tree)} if tree else None
            url = f"http://127.0.0.1:{port}"
            targets[name] = (url, stack.enter_context(running(cmd, f"{url}/sparql", work / f"{name}.log", env=env)))
        ox_port = free_port()
        ox_cmd = [*oxigraph_command(), "serve-read-only", "--location", str(copy_of(args.store, work, "oxigraph")),
                  "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"]
        ox = f"http://127.0.0.1:{ox_port}"
        stack.enter_context(running(ox_cmd, f"{ox}/query", work / "oxigraph.log"))
        targets["oxigraph"] = (ox, None)
        time.sleep(1.0)  # the pools' workers settle
        return measure(args, targets, work)


def measure(args, targets: dict, work: Path) -> dict:
    rows, runs = [], []
    ox = targets["oxigraph"][0]
    for case in cases(ox):
        if args.only and not any(case.name.startswith(o) for o in args.only):
            continue
        counts = {}
        for who, (url, _) in targets.items():
            counts[who], t = rows_of(url, case.oxigraph if who == "oxigraph" else case.ours, False)
            print(f"  {case.name}: {who} {counts[who]} rows, one request {t * 1e3:.1f} ms", file=sys.stderr)
        if len(set(counts.values())) != 1:
            raise SystemExit(f"{case.name}: the servers disagree on the rows: {counts}")
        mine = {who: [] for who in targets}
        for rnd in range(args.repeat):
            for who, (url, process) in targets.items():
                req = case.oxigraph if who == "oxigraph" else case.ours
                before = cpu_of(process) if process else None
                w = wrk(url, req, args.seconds, args.connections, args.threads, work)
                secs = w["duration_us"] / 1e6
                errors = sum(w[k] for k in ("connect", "read", "write", "status", "timeout"))
                one = {"round": rnd, "requests": w["requests"], "rps": w["requests"] / secs,
                       "p50_ms": w["p50_us"] / 1e3, "p99_ms": w["p99_us"] / 1e3, "errors": errors}
                if process and w["requests"]:
                    after = cpu_of(process)
                    one["server_cpu_ms"] = (after[0] - before[0]) * 1e3 / w["requests"]
                    one["workers_cpu_ms"] = (after[1] - before[1]) * 1e3 / w["requests"]
                mine[who].append(one)
                runs.append({"case": case.name, "server": who, **one})
        row = {"case": case.name, "kind": case.kind, "rows": counts["oxigraph"], "servers": {}}
        for who, got in mine.items():
            row["servers"][who] = {k: statistics.median(r[k] for r in got) for k in got[0] if k != "round"}
        rows.append(row)
        print("\n".join(table([row]).splitlines()[2:]), file=sys.stderr)
    return {"load_before": args.load_before, "load_after": os.getloadavg(), "args": {k: str(v) for k, v in vars(args).items()},
            "runs": runs, "summary": rows}


def table(rows: list[dict]) -> str:
    out = ["| case | class | rows | server | req/s | p50 / p99 ms | cpu ms/req: server + workers | **÷ oxigraph** |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ox = r["servers"]["oxigraph"]["rps"]
        for who, o in r["servers"].items():
            err = f" ({o['errors']:g} errors)" if o["errors"] else ""
            cpu = f"{o['server_cpu_ms']:.2f} + {o['workers_cpu_ms']:.2f}" if "server_cpu_ms" in o else ""
            ratio = f"**{o['rps'] / ox:.2f}×**" if who != "oxigraph" and ox else ""
            out.append(f"| {r['case']} | {r['kind']} | {r['rows']} | {who} | {o['rps']:,.0f}{err} | "
                       f"{o['p50_ms']:.1f} / {o['p99_ms']:.1f} | {cpu} | {ratio} |")
    return "\n".join(out)


def compared(value: str) -> tuple[str, Path]:
    name, _, tree = value.partition("=")
    if not name or not tree or name in ("ours", "oxigraph") or not (Path(tree) / "api" / "cli.py").exists():
        raise argparse.ArgumentTypeError(f"--compare NAME=TREE, TREE a checkout of the repository: {value!r}")
    return name, Path(tree).resolve()


def variant(value: str) -> tuple[str, list[str]]:
    name, _, options = value.partition("=")
    if not name or name in ("ours", "oxigraph"):
        raise argparse.ArgumentTypeError(f"--variant NAME=OPTIONS: {value!r}")
    return name, options.split()


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", type=Path, default=STORE_10K, help="the store (copied, never opened)")
    p.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-http-sparql"),
                   help="where the copies go (kept, and used again by the next run)")
    p.add_argument("--seconds", type=float, default=5.0, help="duration of each wrk run")
    p.add_argument("--repeat", type=int, default=2, help="rounds, ours and Oxigraph alternating")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--serve-option", action="append", default=[], help="an extra `kg serve` option (repeatable)")
    p.add_argument("--compare", action="append", default=[], type=compared, metavar="NAME=TREE",
                   help="also time `kg serve` run from this checkout (repeatable)")
    p.add_argument("--variant", action="append", default=[], type=variant, metavar="NAME=OPTIONS",
                   help="also time `kg serve` of this checkout with these options (space-separated; repeatable)")
    p.add_argument("--only", action="append", default=[], metavar="CASE",
                   help="only the cases whose name starts with this (repeatable)")
    p.add_argument("--json", type=Path, help="write every run and the summary here")
    args = p.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    args.load_before = os.getloadavg()
    result = run(args)
    print(f"load average before {args.load_before[0]:.2f}, after {result['load_after'][0]:.2f}")
    print(table(result["summary"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
