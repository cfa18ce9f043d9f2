"""Over HTTP (issue 6, section 2): requests/s, p50 and p99 of `kg serve` against `oxigraph
serve-read-only` on the same on-disk store and the same query text, same client (`wrk --latency`,
16 connections, 2 threads), loopback.

    python -m bench.http                                  # seeds + the 1k corpus store, 5 s a run, 2 rounds
    python -m bench.http --datasets seeds --seconds 3 --repeat 1
    python -m bench.http --smoke                          # CI: seeds, two cases, 1 s each

Each dataset's store is copied twice into a temporary folder (the originals are never opened), one
copy for each server. Both servers run side by side; each case is run on ours then on Oxigraph,
alternating, for `--repeat` rounds, and every run is kept (`--json`). The table gives the median
of the rounds and OURS/OXIGRAPH.

Cases: SPARQL `light` (ASK {}, a one-row lookup) and `query-bound` (a query taking tens of ms and
more), POSTed as `application/sparql-query` to both (ours: /sparql, Oxigraph: /query, with
`--union-default-graph`, which is what our default graph is); and each canned endpoint
(`GET /api/<name>?…&limit=10000`, JSON) against the SPARQL it runs, sent to Oxigraph with its
parameters inlined as constants (Oxigraph is only the reference there). The row counts of both
sides are compared before timing. A case whose reference answer takes longer than `--max-query`
seconds is skipped (said in the output). Timing runs should hold the bench lock:
`flock /tmp/bench.lock python -m bench.http`."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from bench.processes import free_port, kg_command, oxigraph_command, running

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/homs-kg/"
CORPUS_1K = ROOT / "bench" / "out" / "work-corpus-1k" / "store-ours"
RESULTS_JSON = "application/sparql-results+json"
PREFIXES = """PREFIX hk: <https://w3id.org/homs-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""


@dataclass
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str = ""


@dataclass
class Case:
    name: str
    kind: str  # light, query-bound, canned
    ours: Request
    oxigraph: Request
    note: str = ""


@dataclass
class Run:
    dataset: str
    case: str
    kind: str
    server: str  # ours / oxigraph
    round: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: dict


# --- the servers ---------------------------------------------------------------------------------


def seeds_store(folder: Path) -> Path:
    target = folder / "seeds-store"
    subprocess.run([*kg_command(), "load", "--store", str(target), str(ROOT / "seeds")], check=True,
                   capture_output=True)
    return target


# --- the cases -----------------------------------------------------------------------------------


def sparql_case(name: str, kind: str, query: str) -> Case:
    headers = {"Content-Type": "application/sparql-query", "Accept": RESULTS_JSON}
    text = PREFIXES + query
    return Case(name, kind, Request("POST", "/sparql", headers, text), Request("POST", "/query", headers, text))


def inline(sparql: str, terms: dict[str, str]) -> str:
    """A canned query's text with its parameters as constants (for the reference side only): the outer
    projection gets `(<term> AS ?p)`, sub-select projections and GROUP BY drop ?p, and every other
    ?p becomes the term. `terms`: name -> the term in SPARQL syntax."""
    text = "\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#"))
    group_by = re.compile(r"(GROUP\s+BY\b)(.*?)(?=\bORDER\b|\bHAVING\b|\bLIMIT\b|\bOFFSET\b|\}|\Z)", re.S | re.I)
    select = re.compile(r"\bSELECT\b(.*?)(?=\bWHERE\b|\{)", re.S | re.I)
    for name, term in terms.items():
        var = re.compile(r"[?$]" + name + r"\b")
        text = group_by.sub(lambda g: g.group(1) + var.sub("", g.group(2)), text)
        pieces, pos = [], 0
        for i, m in enumerate(select.finditer(text)):
            pieces.append(var.sub(term, text[pos:m.start(1)]))
            pieces.append(var.sub(f"({term} AS ?{name})" if i == 0 else "", m.group(1)))
            pos = m.end(1)
        pieces.append(var.sub(term, text[pos:]))
        text = "".join(pieces)
    return text


def canned_cases(ox_url: str, ours_url: str, params: dict[str, dict], names: list[str] | None) -> list[Case]:
    """One case per canned query: ours by GET /api/<name>, Oxigraph by the SPARQL it runs with the
    parameters our endpoint resolved (from its JSON `parameters`) inlined."""
    from kg.querying import catalogue as canned

    cases = []
    for q in canned.catalogue().values():
        if q.form != "SELECT" or (names and q.name not in names):
            continue
        values = params.get(q.name, {})
        query_string = httpx.QueryParams({**values, "limit": "10000"})
        path = f"/api/{q.name}?{query_string}"
        r = httpx.get(ours_url + path, timeout=600)
        if r.status_code != 200:
            print(f"  skip {q.name}: ours answered {r.status_code} {r.text[:200]}", file=sys.stderr)
            continue
        resolved = r.json()["parameters"]
        terms = {k: _term(v) for k, v in resolved.items()}
        text = inline(q.sparql, terms)
        headers = {"Content-Type": "application/sparql-query", "Accept": RESULTS_JSON}
        label = q.name + (f" ({', '.join(str(v) for v in values.values())})" if values else "")
        cases.append(Case(label, "canned", Request("GET", path, {"Accept": "application/json"}),
                          Request("POST", "/query", headers, text), note=f"{len(r.json()['rows'])} rows"))
    return cases


def _term(value) -> str:
    if isinstance(value, str) and re.match(r"^https?://", value):
        return f"<{value}>"
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return f'"{value}"^^<http://www.w3.org/2001/XMLSchema#date>'
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def rows_of(url: str, request: Request, canned: bool, slow: float = float("inf")) -> tuple[int, float]:
    """The rows of one answer, and the time of a second request (the first warms up; if it takes
    longer than `slow` seconds, its own time)."""
    with httpx.Client(timeout=600) as client:
        for _ in range(2):
            started = time.perf_counter()
            r = client.request(request.method, url + request.path, headers=request.headers,
                               content=request.body.encode("utf-8") if request.body else None)
            elapsed = time.perf_counter() - started
            if elapsed > slow:
                break
    if r.status_code != 200:
        raise RuntimeError(f"{request.method} {request.path} answered {r.status_code}: {r.text[:300]}")
    doc = r.json()
    n = len(doc["rows"]) if canned else (len(doc["results"]["bindings"]) if "results" in doc else 1)
    return n, elapsed


def dataset_params(ox_url: str, dataset: str) -> dict[str, dict]:
    """Parameters for the canned queries: the seeds' known entities, or the 1k corpus's sentinel."""
    def first(query: str) -> str:
        r = httpx.post(ox_url + "/query", content=PREFIXES + query,
                       headers={"Content-Type": "application/sparql-query", "Accept": RESULTS_JSON}, timeout=120)
        rows = r.json()["results"]["bindings"]
        return rows[0]["x"]["value"]

    event = first("SELECT ?x WHERE { ?x a hk:Event ; hk:involves ?a ; hk:evidence ?e } ORDER BY ?x LIMIT 1")
    casualty_event = first("SELECT ?x WHERE { ?c a hk:Casualty ; hk:inEvent ?x } ORDER BY ?x LIMIT 1")
    agreement = first("SELECT ?x WHERE { ?x a hk:Agreement ; hk:evidence ?e } ORDER BY ?x LIMIT 1")
    place = "homs" if dataset == "seeds" else "bab-hud"
    return {"ceasefires": {"place": place}, "timeline": {"place": place}, "casualties_in_place": {"place": place},
            "events_in_place": {"place": place, "from": "2012-01-01", "to": "2016-12-31"},
            "casualties_of_event": {"event": casualty_event}, "event_actors": {"event": event},
            "entity": {"entity": BASE + "place/" + place}, "sources": {"fact": agreement}}


def sparql_cases(dataset: str) -> list[Case]:
    place = BASE + ("place/homs" if dataset == "seeds" else "place/bab-hud")
    return [
        sparql_case("ASK {}", "light", "ASK {}"),
        sparql_case("one-row lookup", "light", f"SELECT ?label WHERE {{ <{place}> rdfs:label ?label }}"),
        sparql_case("count events by type", "query-bound",
                    "SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e a hk:Event ; a ?type } GROUP BY ?type ORDER BY DESC(?n)"),
        sparql_case("ceasefires in a place (join)", "query-bound",
                    f"SELECT ?a ?label ?quote WHERE {{ ?a hk:locatedIn <{place}> ; a hk:Ceasefire ; rdfs:label ?label ; "
                    "hk:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote }"),
        sparql_case("count all quads", "query-bound", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
    ]


# --- wrk ------------------------------------------------------------------------------------------

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
    .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def lua_script(request: Request) -> str:
    def long_string(s: str) -> str:
        level = "=" * 4
        while f"]{level}]" in s:
            level += "="
        return f"[{level}[{s}]{level}]"

    lines = [f"wrk.method = {long_string(request.method)}", f"wrk.path = {long_string(request.path)}"]
    for k, v in request.headers.items():
        lines.append(f"wrk.headers[ {long_string(k)} ] = {long_string(v)}")
    if request.body:
        lines.append(f"wrk.body = {long_string(request.body)}")
    return "\n".join(lines) + DONE


def wrk(url: str, request: Request, seconds: float, connections: int, threads: int, folder: Path) -> dict:
    script = folder / "case.lua"
    script.write_text(lua_script(request), encoding="utf-8")
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "30s",
                          "-s", str(script), url], capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    return json.loads(line[len("WRKJSON "):])


# --- the run --------------------------------------------------------------------------------------


def run_dataset(name: str, store: Path, args, work: Path) -> list[Run]:
    ours_store, ox_store = work / f"{name}-ours", work / f"{name}-oxigraph"
    for target in (ours_store, ox_store):
        shutil.copytree(store, target)
    ours_port, ox_port = free_port(), free_port()
    ours_cmd = [*kg_command(), "serve", "--store", str(ours_store), "--no-load", "--host", "127.0.0.1",
                "--port", str(ours_port), "--log-level", "warning", *args.serve_option]
    ox_cmd = [*oxigraph_command(), "serve-read-only", "--location", str(ox_store), "--bind",
              f"127.0.0.1:{ox_port}", "--union-default-graph"]
    runs: list[Run] = []
    ours, ox = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{ox_port}"
    with running(ours_cmd, f"{ours}/sparql", work / f"{name}-ours.log"), \
            running(ox_cmd, f"{ox}/query", work / f"{name}-oxigraph.log"):
        cases = sparql_cases(name)
        if args.smoke:
            cases = cases[:1]
        names = args.canned or (["ceasefires"] if args.smoke else args.canned_1k if name == "1k" else None)
        cases += canned_cases(ox, ours, dataset_params(ox, name), names)
        for case in cases:
            try:
                n_ox, t_ox = rows_of(ox, case.oxigraph, False, args.max_query)
                if t_ox > args.max_query:
                    print(f"  skip {case.name}: the reference takes {t_ox:.1f} s (> --max-query)", file=sys.stderr)
                    continue
                n_ours, t_ours = rows_of(ours, case.ours, case.kind == "canned")
            except (RuntimeError, httpx.HTTPError) as e:
                print(f"  skip {case.name}: {e}", file=sys.stderr)
                continue
            if n_ours != n_ox:
                print(f"  skip {case.name}: ours {n_ours} rows, oxigraph {n_ox}", file=sys.stderr)
                continue
            print(f"  {name} / {case.name}: {n_ours} rows; one request: ours {t_ours * 1e3:.1f} ms, "
                  f"oxigraph {t_ox * 1e3:.1f} ms", file=sys.stderr)
            for rnd in range(args.repeat):
                for who, url, req in (("ours", ours, case.ours), ("oxigraph", ox, case.oxigraph)):
                    w = wrk(url, req, args.seconds, args.connections, args.threads, work)
                    secs = w["duration_us"] / 1e6
                    errors = {k: w[k] for k in ("connect", "read", "write", "status", "timeout") if w[k]}
                    runs.append(Run(name, case.name, case.kind, who, rnd, w["requests"], secs,
                                    w["requests"] / secs, w["p50_us"] / 1e3, w["p99_us"] / 1e3, errors))
    for target in (ours_store, ox_store):
        shutil.rmtree(target, ignore_errors=True)
    return runs


def summarise(runs: list[Run]) -> list[dict]:
    rows = []
    keys = list(dict.fromkeys((r.dataset, r.case, r.kind) for r in runs))
    for dataset, case, kind in keys:
        row = {"dataset": dataset, "case": case, "kind": kind}
        for who in ("ours", "oxigraph"):
            mine = [r for r in runs if (r.dataset, r.case, r.server) == (dataset, case, who)]
            row[who] = {"rps": statistics.median(r.rps for r in mine), "p50_ms": statistics.median(r.p50_ms for r in mine),
                        "p99_ms": statistics.median(r.p99_ms for r in mine),
                        "errors": sum(sum(r.errors.values()) for r in mine)}
        row["ratio"] = row["ours"]["rps"] / row["oxigraph"]["rps"] if row["oxigraph"]["rps"] else None
        rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    out = ["| dataset | case | class | ours req/s | ours p50 / p99 ms | oxigraph req/s | oxigraph p50 / p99 ms "
           "| **ours / oxigraph** |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        o, x = r["ours"], r["oxigraph"]
        err = f" ({o['errors']} errors)" if o["errors"] else ""
        xerr = f" ({x['errors']} errors)" if x["errors"] else ""
        ratio = f"**{r['ratio']:.2f}×**" if r["ratio"] is not None else "—"
        out.append(f"| {r['dataset']} | {r['case']} | {r['kind']} | {o['rps']:,.1f}{err} | {o['p50_ms']:.2f} / "
                   f"{o['p99_ms']:.2f} | {x['rps']:,.1f}{xerr} | {x['p50_ms']:.2f} / {x['p99_ms']:.2f} | {ratio} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", nargs="+", default=["seeds", "1k"], help="seeds and/or 1k")
    p.add_argument("--store-1k", type=Path, default=CORPUS_1K, help="the 1k corpus store (copied, never opened)")
    p.add_argument("--seconds", type=float, default=5.0, help="duration of each wrk run")
    p.add_argument("--repeat", type=int, default=2, help="rounds, ours and Oxigraph alternating")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-query", type=float, default=2.0, help="skip a case whose reference answer takes longer (s)")
    p.add_argument("--canned", nargs="*", help="only these canned queries")
    p.add_argument("--canned-1k", nargs="*", default=["ceasefires", "event_actors", "sources"],
                   help="the canned queries timed on the 1k corpus (the others take seconds each there)")
    p.add_argument("--serve-option", action="append", default=[], help="an extra `kg serve` option (repeatable)")
    p.add_argument("--work", type=Path, help="temporary folder (default: a new one under $TMPDIR)")
    p.add_argument("--json", type=Path, help="write every run and the summary here")
    p.add_argument("--smoke", action="store_true", help="CI: seeds only, two cases, 1 s, one round")
    args = p.parse_args(argv)
    if args.smoke:
        args.datasets, args.seconds, args.repeat = ["seeds"], 1.0, 1
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-http-", dir=args.work))
    runs: list[Run] = []
    try:
        for name in args.datasets:
            store = seeds_store(work) if name == "seeds" else args.store_1k
            if not (store / "CURRENT").exists():
                raise SystemExit(f"no store at {store} (build it with `python -m bench.run --sizes 1000`)")
            print(f"{name}: {store}", file=sys.stderr)
            runs += run_dataset(name, store, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = summarise(runs)
    result = {"machine": {"cores": os.cpu_count(), "load": os.getloadavg()}, "args": {
        k: str(v) for k, v in vars(args).items()}, "runs": [asdict(r) for r in runs], "summary": rows}
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
