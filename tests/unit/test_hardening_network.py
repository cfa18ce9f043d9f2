"""Issue 15, item 1: no network from queries, by construction. SERVICE and LOAD are refused on the
parsed query (kg.querying.parsed), whatever the spelling; and behind that check, a query worker
cannot open a connection at all (kg.executor.sandbox), even for a SERVICE query evaluated directly.
A loopback listener witnesses that nothing was reached."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kg.errors import SparqlError
from kg.executor.limits import Limits
from kg.executor.pool import ProcessPool
from kg.querying.parsed import declares_dataset, refuse_network, refuse_network_update
from support import ROOT
from support.listener import listening

TOKEN = "network-test-token"


def spellings(url: str) -> list[str]:
    """SERVICE as the attack wrote it, and as the grammar also reads it."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",  # the attack: a name after the keyword
        f"PREFIX s: <{url}> SELECT * WHERE {{ service s:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE<{url}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # comment\n SERVICE#x\n<{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ << ?s ?p ?o >> ?q ?r . SERVICE <{url}> {{ ?s ?p ?o }} }}",  # rdflib cannot parse it
    ]


def test_every_spelling_of_service_is_refused_over_http_and_nothing_is_reached(client):
    with listening() as listener:
        for query in spellings(listener.url):
            for response in (client.get("/sparql", params={"query": query}),
                             client.post("/sparql", data={"query": query}),
                             client.post("/sparql", content=query, headers={"content-type": "application/sparql-query"})):
                assert response.status_code == 400, (query, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
        assert listener.hits == 0


def test_load_and_service_in_updates_are_refused_and_nothing_is_reached(api_store):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from support import BASE

    client = TestClient(create_app(store=api_store, base=BASE, write_token=TOKEN))
    auth = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
    before = len(api_store)
    with listening() as listener:
        u = listener.url
        for update in [f"LOAD <{u}x.ttl>", f"PREFIX : <{u}> LOAD:x", f"PREFIX : <{u}> LOAD SILENT:x INTO GRAPH <g>",
                       f"PREFIX : <{u}> INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
                       f"load <{u}x.ttl>"]:
            response = client.post("/sparql", content=update, headers=auth)
            assert response.status_code == 400, (update, response.text)
        assert listener.hits == 0
    assert len(api_store) == before


def test_words_in_strings_comments_and_names_are_not_clauses():
    for query in ['SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }', "ASK { ?s ?p ?o } # SERVICE <http://x/>",
                  "PREFIX service: <http://ex/> ASK { ?s service:x ?o }", "SELECT ?service WHERE { ?service ?p ?o }"]:
        refuse_network(query)
    refuse_network_update('INSERT DATA { <a> <b> "loaded from SERVICE" }')
    assert declares_dataset("SELECT * FROM<g> { ?s ?p ?o }")
    assert declares_dataset("PREFIX : <http://ex/> ASK FROM:g { }")
    assert not declares_dataset('ASK { ?s ?p "from" }')


def test_an_unparseable_query_that_mentions_service_is_refused_not_passed():
    with pytest.raises(SparqlError, match="cannot parse"):
        refuse_network("SELECT * WHERE { ?s ?p ?o LATERAL { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } }")


@pytest.fixture
def worker_pool(tmp_path, seeds_nquads, monkeypatch):
    """A real ProcessPool whose workers can also import tests/support (for support.jobs)."""
    from pyoxigraph import RdfFormat, Store

    path = tmp_path / "store"
    s = Store(str(path))
    s.load(seeds_nquads, format=RdfFormat.N_QUADS)
    s.flush()
    del s
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    pool = ProcessPool(path, Limits(timeout=20), size=1)
    yield pool
    pool.close()


def test_a_service_query_evaluated_directly_in_a_worker_reaches_nothing(worker_pool):
    from support import jobs

    with listening() as listener:
        query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        with pytest.raises(OSError, match="unreachable|not permitted"):
            worker_pool.run(jobs.raw_query, query)
        assert worker_pool.run(jobs.open_socket, "127.0.0.1", listener.port).startswith("refused")
        assert listener.hits == 0
    # and the worker still answers queries from its store
    assert worker_pool.run(jobs.raw_query, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 2") != []


@pytest.mark.parametrize("mechanism", ["namespace", "seccomp"])
def test_each_sandbox_mechanism_cuts_a_process_off(mechanism):
    with listening() as listener:
        code = ("import socket, sys\nfrom kg.executor.sandbox import no_network\nno_network((sys.argv[1],))\n"
                "from pyoxigraph import Store\n"
                "try:\n    list(Store().query('SELECT * { SERVICE <' + sys.argv[2] + '> { ?s ?p ?o } }'))\n"
                "    print('reached')\nexcept OSError as e:\n    print('blocked', e)\n")
        out = subprocess.run([sys.executable, "-c", code, mechanism, listener.url], capture_output=True, text=True,
                             cwd=ROOT, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("blocked"), out.stdout
        assert listener.hits == 0
