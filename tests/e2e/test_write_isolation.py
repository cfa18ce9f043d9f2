"""Reads go on during a write (issue 15, item 7): a real `kg serve` with a write token answers light
queries from the last committed state while a long SPARQL update runs, with no failure, and every
query that starts after the update's answer sees it. A 100 KB update text (one long word in a
comment, which a slow regex used to take seconds over, holding the GIL) does not stop them either.

Before: the write ran inside the executor's exclusive() section, so every query waited for it (or
was answered 503)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from support.servers import running_server

TOKEN = "s3cret-token-for-tests"
LIGHT = "ASK { ?s ?p ?o }"
SLOW_UPDATE = ("INSERT { GRAPH <https://example.org/bulk> { ?x <https://example.org/p> ?y } } WHERE { "
               + " ".join(f"VALUES ?{v} {{ {' '.join(str(i) for i in range(1, 61))} }}" for v in "abc")
               + ' BIND(IRI(CONCAT("https://example.org/n/", STR(?a), "-", STR(?b))) AS ?x) BIND(?c AS ?y) }')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("writes"), "--write-token", TOKEN, "--query-workers", "2") as url:
        yield url


def _update(url: str, text: str, out: dict) -> None:
    started = time.monotonic()
    out.update(status=None, text="no answer", started=started, ended=started)
    r = httpx.post(f"{url}/sparql", content=text.encode(), timeout=300,
                   headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
    out.update(status=r.status_code, text=r.text, started=started, ended=time.monotonic())


def _reads_during(url: str, update: str) -> tuple[dict, list[tuple[float, int]]]:
    """Send `update`; meanwhile a light query at a time; (the update's outcome, [(answered at, status)])."""
    out: dict = {}
    writer = threading.Thread(target=_update, args=(url, update, out))
    answers = []
    with httpx.Client(timeout=60) as client:
        writer.start()
        while writer.is_alive():
            r = client.get(f"{url}/sparql", params={"query": LIGHT}, headers={"Accept": "application/sparql-results+json"})
            answers.append((time.monotonic(), r.status_code))
        writer.join()
    return out, answers


def test_light_queries_are_answered_while_a_long_update_runs(server):
    out, answers = _reads_during(server, SLOW_UPDATE)
    assert out["status"] == 204, out["text"]
    failures = [s for _, s in answers if s != 200]
    assert failures == [], f"{len(failures)} light queries failed during the write: {failures[:5]}"
    during = [t for t, _ in answers if t < out["ended"] - 0.2]
    assert len(during) >= 3, (f"only {len(during)} light queries answered during a write of "
                              f"{out['ended'] - out['started']:.1f} s")
    # a query after the write's answer sees it
    r = httpx.get(f"{server}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/bulk> "
                                                       "{ ?s ?p ?o } }"}, headers={"Accept": "application/sparql-results+json"})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == str(60 ** 3)


def test_a_100_kb_update_does_not_stop_the_server(server):
    update = "# " + "a" * 100_000 + "\nINSERT DATA { GRAPH <https://example.org/notes> { <https://example.org/n> " \
             "<http://www.w3.org/2000/01/rdf-schema#comment> \"long\" } }"
    out, answers = _reads_during(server, update)
    assert out["status"] == 204, out["text"]
    assert [s for _, s in answers if s != 200] == []
    # a bound for a hang, not a performance target: the check took minutes over 100 KB (bench/HARDENING.md)
    assert out["ended"] - out["started"] < 30, f"the 100 KB update took {out['ended'] - out['started']:.1f} s"
