"""A write server killed mid-write starts again at once (issue 15): `kill -9` of a `kg serve` while its
write worker runs a long update, then the same command again straight away, serves the store as the
last commit left it.

Before: the write worker outlived its killed server until a watchdog thread of its own noticed (every
0.5 s, and only when the worker could run at all), holding the store's lock meanwhile: a worker that
cannot run (here: stopped with SIGSTOP, as a starved one would be) never let go, and every restart
failed with "the store is locked by another process". Now the kernel kills the workers with the
server (PR_SET_PDEATHSIG, kg.executor.worker.spawn), and `kg serve` waits a few seconds for a lock
that a dying process still holds (kg.storage.opening.wait_unlocked: a large worker takes the kernel
a moment to tear down before its files close)."""

from __future__ import annotations

import contextlib
import threading
import time

import httpx
import psutil
import pytest

from bench.processes import free_port, kg_command, running

pytestmark = pytest.mark.server

TOKEN = "restart-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(map(str, range(10)))} }}" for i in range(10)) + " }"
DELETE_ALL_THEN_SPIN = ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } } ;\n"
                        f"INSERT {{ GRAPH <https://example.org/runaway> {{ <urn:a> <urn:n> ?n }} }} WHERE {{ {{ {RUNAWAY} }} }}")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def serve(store, *args):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store),
               "--log-level", "warning", "--query-workers", "1", "--write-timeout", "300", *args]
    return url, running(command, f"{url}/sparql", store.parent / f"serve-{port}.log", env={"KG_WRITE_TOKEN": TOKEN})


def count(url: str) -> int:
    r = httpx.get(f"{url}/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"},
                  timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_a_server_killed_during_a_long_write_starts_again_at_once_on_the_unchanged_store(tmp_path):
    store = tmp_path / "kg-store"
    url, first = serve(store)  # loads the seeds
    with first as proc:
        before = count(url)
        assert before > 20_000
        outcome = {}

        def write():
            try:
                outcome["answer"] = httpx.post(f"{url}/sparql", content=DELETE_ALL_THEN_SPIN.encode(), timeout=60,
                                               headers={**AUTH, "Content-Type": "application/sparql-update"})
            except httpx.TransportError as e:
                outcome["error"] = e

        sender = threading.Thread(target=write)
        sender.start()
        writer = next(p for p in psutil.Process(proc.pid).children(recursive=True)
                      if "kg.executor.writer" in " ".join(p.cmdline()))
        spent = writer.cpu_times().user
        deadline = time.monotonic() + 30
        while writer.cpu_times().user < spent + 1.0:  # the update is under way: its DELETE done, spinning
            assert time.monotonic() < deadline, "the write worker never got busy"
            time.sleep(0.1)
        writer.suspend()  # a worker that cannot run a line of its own (starved, or in a long call): SIGSTOP
        proc.kill()
        proc.wait(10)
    try:
        gone, _ = psutil.wait_procs([writer], timeout=10)
        assert gone, "the killed server's write worker lives on, holding the store's lock"
    finally:
        with contextlib.suppress(psutil.Error):
            writer.kill()
    sender.join(30)
    assert isinstance(outcome.get("error"), httpx.RemoteProtocolError), outcome  # no answer: it was killed
    url, second = serve(store, "--no-load")  # at once, on the same store
    with second:
        assert count(url) == before  # the killed update's DELETE never committed
        r = httpx.get(f"{url}/sparql", params={"query": "ASK { GRAPH <https://example.org/runaway> { ?s ?p ?o } }"})
        assert r.json()["boolean"] is False
        r = httpx.post(f"{url}/sparql", content=b"INSERT DATA { GRAPH <https://example.org/after> { <urn:a> <urn:b> 1 } }",
                       headers={**AUTH, "Content-Type": "application/sparql-update"}, timeout=60)
        assert r.status_code == 204, r.text  # and it writes
        assert count(url) == before + 1
