"""Writes under limits (issue 15, item 7): a real `kg serve` with a write token runs every write in its
write worker (kg/executor/writer.py), under a time limit and a memory cap. A runaway update — here
one that first deletes every triple, then spins in its WHERE — is stopped at the limit with a 503
problem, and the store is exactly as it was (the update's one transaction never commits); an
update that materialises more than the cap is stopped with a 413. Reads go on meanwhile, and the
next write works (a new write worker has opened the store).

Before: the update ran in the server process with no limit (the issue: a 100 KB update froze the
server for 15 s; a YAML bomb took 27.6 s and 2.4 GB)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from support.servers import running_server

pytestmark = pytest.mark.server

TOKEN = "write-limits-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRITE_LIMIT = 8.0  # seconds (--write-timeout): room for the memory case to reach its cap first under load
MARGIN = 3.0  # what a 503 may take past the limit: the kill, under load
CAP = "768M"  # --write-memory
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(10)) + " }"
DELETE_ALL_THEN_SPIN = ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } } ;\n"
                        f"INSERT {{ GRAPH <https://example.org/runaway> {{ <urn:a> <urn:n> ?n }} }} WHERE {{ {{ {RUNAWAY} }} }}")
HUGE = ("INSERT { GRAPH <https://example.org/huge> { ?s <urn:p> ?o } } WHERE { "  # 10^4 literals of 200 KB: 2 GB
        + " ".join(f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(4))
        + ' BIND(IRI(CONCAT("urn:", STR(?v0), STR(?v1), STR(?v2), STR(?v3))) AS ?s)'
        + ' BIND(CONCAT(STR(?s), "' + "x" * 200_000 + '") AS ?o) }')
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("write-limits"), "--query-workers", "2",
                        "--write-timeout", str(WRITE_LIMIT), "--write-memory", CAP,
                        env={"KG_WRITE_TOKEN": TOKEN}) as url:
        yield url


def count(url: str) -> int:
    r = httpx.get(f"{url}/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"},
                  timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def update(url: str, text: str) -> httpx.Response:
    return httpx.post(f"{url}/sparql", content=text.encode(), timeout=120,
                      headers={**AUTH, "Content-Type": "application/sparql-update"})


def problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and "nothing of it was written" in body["detail"], body
    return body


def a_write_still_works(url: str, before: int) -> None:
    r = update(url, "INSERT DATA { GRAPH <https://example.org/after> { <urn:a> <urn:b> 'after' } }")
    assert r.status_code == 204, r.text
    assert count(url) == before + 1  # and every query after the answer sees it
    assert update(url, "DROP GRAPH <https://example.org/after>").status_code == 204
    assert count(url) == before


def test_a_runaway_update_is_stopped_at_the_limit_and_writes_nothing(server):
    before = count(server)
    assert before > 20_000  # the seeds
    out, reads = {}, []

    def write():
        started = time.monotonic()
        out["r"] = update(server, DELETE_ALL_THEN_SPIN)
        out["took"] = time.monotonic() - started

    writer = threading.Thread(target=write)
    writer.start()
    with httpx.Client(timeout=30) as client:
        while writer.is_alive():  # reads go on from the last committed state
            r = client.get(f"{server}/sparql", params={"query": "ASK { <urn:nothing> ?p ?o }"})
            reads.append(r.status_code)
            time.sleep(0.1)
    writer.join()
    body = problem(out["r"], 503)
    assert f"limit of {WRITE_LIMIT:g} s" in body["detail"] and out["r"].headers["retry-after"]
    assert WRITE_LIMIT <= out["took"] < WRITE_LIMIT + MARGIN, out["took"]
    assert len(reads) >= 10 and set(reads) == {200}, reads
    assert count(server) == before  # the DELETE of the same update request is not in the store either
    r = httpx.get(f"{server}/sparql", params={"query": "ASK { GRAPH <https://example.org/runaway> { ?s ?p ?o } }"})
    assert r.json()["boolean"] is False
    a_write_still_works(server, before)


def test_an_update_over_the_memory_cap_is_stopped(server):
    before = count(server)
    r = update(server, HUGE)
    body = problem(r, 413)
    assert "memory cap of 768 MiB" in body["detail"]
    assert count(server) == before
    a_write_still_works(server, before)


def test_the_write_limits_are_options_of_serve():
    from click.testing import CliRunner

    from api.cli import main

    out = CliRunner().invoke(main, ["serve", "--help"]).output
    for option in ("--write-timeout", "KG_WRITE_TIMEOUT", "--write-memory", "KG_WRITE_MEMORY"):
        assert option in out, option
