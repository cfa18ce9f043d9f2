"""Issue 4 against real `kg serve` processes: a runaway query is stopped at the limit and answered
503 (never a 200 with a cut body) while other clients keep getting answers; caps and size limits;
writes off by default, and with a token (KG_WRITE_TOKEN) only for requests that carry it."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from bench.processes import free_port, kg_command, running
from kg.loading.load import load
from kg.namespaces import Iris
from kg.paths import SEEDS
from kg.storage.opening import open_store
from support.light_client import light_client

pytestmark = pytest.mark.server

LIMIT = 1.5  # seconds: the query time limit of the servers here
MARGIN = 1.0  # what a 503 may take past the limit
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(10)) + " }"
LIGHT = "SELECT ?l WHERE { <place/homs> rdfs:label ?l }"
TOKEN = "e2e-write-token"
A002_FILE = "002_36c9516b5ee8d58f"


@contextlib.contextmanager
def serving(store: Path, *args: str, env: dict | None = None):
    """`kg serve --no-load` over `store` on a free loopback port; yields (url, process)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([*kg_command(), "serve", "--no-load", "--host", "127.0.0.1", "--port", str(port),
                  "--store", str(store), "--log-level", "warning", *args],
                 f"{url}/sparql", store.parent / f"serve-{port}.log", timeout=60, env=env) as proc:
        yield url, proc


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """The seeds loaded once into an on-disk store; each server gets a copy."""
    path = tmp_path_factory.mktemp("hardening-store") / "kg-store"
    s = open_store(path)
    load(s, [SEEDS], Iris())
    s.flush()
    del s
    return path


def copy_of(seeded: Path, tmp_path_factory, name: str) -> Path:
    target = tmp_path_factory.mktemp(name) / "kg-store"
    shutil.copytree(seeded, target)
    return target


@pytest.fixture(scope="module")
def public(seeded, tmp_path_factory):
    """A read-only server with a short time limit (KG_QUERY_TIMEOUT), two query workers, small caps."""
    with serving(copy_of(seeded, tmp_path_factory, "public"), "--query-workers", "2",
                 "--max-rows", "50", "--max-body", "64k", "--max-url", "8k",
                 env={"KG_QUERY_TIMEOUT": str(LIMIT)}) as (url, proc):  # the limit from the environment
        yield url, proc


@pytest.fixture(scope="module")
def writable(seeded, tmp_path_factory):
    """A server with writes on, its token from the environment."""
    with serving(copy_of(seeded, tmp_path_factory, "writable"), "--query-timeout", "5",
                 env={"KG_WRITE_TOKEN": TOKEN}) as (url, proc):
        yield url


def sparql(url: str, query: str, **kwargs) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": query}, timeout=30, **kwargs)


# --- runaway queries --------------------------------------------------------------------------------------

def test_a_runaway_query_is_a_503_at_the_limit_and_the_next_query_is_answered(public):
    url, _ = public
    for _ in range(2):  # and again: the killed worker was replaced
        start = time.monotonic()
        r = sparql(url, RUNAWAY)
        took = time.monotonic() - start
        assert r.status_code == 503, r.text[:300]
        assert LIMIT <= took < LIMIT + MARGIN, took
        assert r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"]
        body = r.json()
        assert body["status"] == 503 and "limit of 1.5 s" in body["detail"] and set(body) == {
            "type", "title", "status", "detail"}
        r = sparql(url, LIGHT)
        assert r.status_code == 200 and r.json()["results"]["bindings"][0]["l"]["value"] == "Homs"


def test_other_clients_keep_getting_answers_during_a_runaway_query(public):
    """The well-behaved client is a process of its own (tests/support/light_client.py): timed from this
    one, its latencies included this process's garbage-collector pauses (a full collection of the heap
    hundreds of earlier tests leave: over 1 s 38 times in one full run), which failed this test while
    the server answered on time (issue 15). It still fails when the server keeps others waiting: with
    a 1 s sleep on the event loop where the runaway is stopped, the slowest answer took 1.00-1.02 s."""
    url, _ = public
    attack = {}
    other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30)  # another client
    attacker = threading.Thread(target=lambda: attack.update(r=other.get(f"{url}/sparql", params={"query": RUNAWAY})))
    with light_client(f"{url}/api/ceasefires", {"place": "homs"}) as light:
        attacker.start()
        attacker.join()
    assert attack["r"].status_code == 503
    assert set(light.statuses) == {200} and len(light.bodies) == 1 and len(json.loads(light.bodies[0])["rows"]) == 2
    assert len(light.latencies) >= 10 and max(light.latencies) < 1.0, (len(light.latencies), max(light.latencies))


def test_the_workers_are_processes_that_end_with_the_server(seeded, tmp_path_factory):
    with serving(copy_of(seeded, tmp_path_factory, "lifecycle"), "--query-workers", "2") as (url, proc):
        workers = [p for p in psutil.Process(proc.pid).children(recursive=True) if "kg.executor.worker" in " ".join(p.cmdline())]
        assert len(workers) == 2
        assert sparql(url, LIGHT).status_code == 200
        proc.kill()  # not even a clean shutdown
        proc.wait(10)
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, alive


# --- caps and size limits ----------------------------------------------------------------------------------

def test_caps_and_size_limits_over_http(public):
    url, _ = public
    r = sparql(url, "SELECT ?s WHERE { ?s ?p ?o }")
    assert r.status_code == 200 and r.headers["kg-truncated"] == "max-rows=50"
    assert len(r.json()["results"]["bindings"]) == 50
    r = httpx.get(f"{url}/sparql", params={"query": LIGHT + " #" + "x" * 9000})
    assert r.status_code == 413 and r.json()["status"] == 413
    r = httpx.post(f"{url}/sparql", content=b"ASK {} #" + b"x" * 70_000,
                   headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413 and r.json()["status"] == 413
    assert sparql(url, LIGHT).status_code == 200


# --- access ----------------------------------------------------------------------------------------------

def test_the_public_server_refuses_every_write(public):
    url, _ = public
    auth = {"authorization": f"Bearer {TOKEN}"}
    assert httpx.post(f"{url}/sparql", data={"update": "CLEAR ALL"}, headers=auth).status_code == 403
    assert httpx.put(f"{url}/graph-store", params={"graph": "https://example.org/g"}, content=b"",
                     headers={"content-type": "text/turtle", **auth}).status_code == 403
    files = {"annotation": ("a.yaml", b"article: {}"), "text": ("a.txt", b"")}
    assert httpx.post(f"{url}/load", files=files, headers=auth).status_code == 403
    assert sparql(url, "ASK { ?s ?p ?o }").json()["boolean"] is True


def test_writes_with_the_token_end_to_end(writable):
    url = writable
    auth = {"authorization": f"Bearer {TOKEN}"}
    graph = "https://example.org/notes"
    put = dict(params={"graph": graph}, content=b"<https://example.org/a> <https://example.org/p> 'x' .",
               headers={"content-type": "text/turtle"})
    assert httpx.put(f"{url}/graph-store", **put).status_code == 401
    assert httpx.put(f"{url}/graph-store", **{**put, "headers": {**put["headers"], "authorization": "Bearer no"}}
                     ).status_code == 403
    assert httpx.put(f"{url}/graph-store", **{**put, "headers": {**put["headers"], **auth}}).status_code == 201
    assert sparql(url, f"ASK {{ GRAPH <{graph}> {{ ?s ?p 'x' }} }}").json()["boolean"] is True  # the workers see it

    r = httpx.post(f"{url}/sparql", data={"update": f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"}, headers=auth)
    assert r.status_code == 204
    assert sparql(url, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").json()["boolean"] is False

    annotation = (SEEDS / f"{A002_FILE}.yaml").read_text(encoding="utf-8").replace(
        "    label: Homs Youth Council\n", "    label: Homs Youth Council (over HTTP)\n", 1)
    files = {"annotation": (f"{A002_FILE}.yaml", annotation.encode()),
             "text": (f"{A002_FILE}.txt", (SEEDS / f"{A002_FILE}.txt").read_bytes())}
    assert httpx.post(f"{url}/load", files=files).status_code == 401
    r = httpx.post(f"{url}/load", files=files, headers=auth, timeout=60)
    assert r.status_code == 200, r.text
    assert sparql(url, "ASK { ?a rdfs:label 'Homs Youth Council (over HTTP)'@en }").json()["boolean"] is True
    bad = {**files, "annotation": (f"{A002_FILE}.yaml", annotation.replace("quote: \"", "quote: \"NOT ", 1).encode())}
    r = httpx.post(f"{url}/load", files=bad, headers=auth, timeout=60)
    assert r.status_code == 422 and f"{A002_FILE}.yaml:" in r.json()["detail"]


def test_serve_documents_its_limits_and_the_write_token():
    from click.testing import CliRunner

    from api.cli import main

    out = CliRunner().invoke(main, ["serve", "--help"]).output
    for option in ("--query-timeout", "KG_QUERY_TIMEOUT", "--query-workers", "--max-rows", "--max-result-size",
                   "--query-memory", "--max-body", "--max-url", "--write-token", "KG_WRITE_TOKEN"):
        assert option in out, option
    bad = CliRunner().invoke(main, ["serve", "--query-timeout", "0", "--no-load"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_a_read_only_server_keeps_writers_out_of_its_store(public):
    """`kg load` cannot write under a read-only server's workers: the server holds the store's lock."""
    url, proc = public
    store = next(Path(a) for a in psutil.Process(proc.pid).cmdline() if a.endswith("kg-store"))
    r = subprocess.run([*kg_command(), "load", "--store", str(store), str(SEEDS)], capture_output=True, text=True)
    assert r.returncode != 0 and "lock" in (r.stdout + r.stderr).lower(), r.stdout + r.stderr
    assert sparql(url, LIGHT).status_code == 200
